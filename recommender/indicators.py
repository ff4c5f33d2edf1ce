"""Official SDG indicators (`data/sdg_indicators.csv`, by `scripts/build_indicators.py`): every target's
indicators in English and Korean, and the few most relevant to a proposal.

A proposal's indicators are drawn from its best-ranked targets: each indicator starts from its
target's score and gains a little for every word it shares with the proposal (for a Korean proposal,
with the proposal's English gloss), so among the targets the ranking put close together the one whose
indicator names what the proposal does comes first. Chosen on the gold proposals and the dev split of
the off-catalogue proposals (docs/evaluation.md, "SDG indicators").
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from .errors import CatalogueError
from .results import Indicator
from .text import Terms, shared

FILE_NAME = "sdg_indicators.csv"
COLUMNS = ["code", "target", "goal", "un_code", "text_en", "text_ko", "ko_source"]
# Indicators are drawn from this many of the best-ranked targets.
FROM_TARGETS = 5
# Added to an indicator's score per word it shares with the proposal, for at most WORDS_COUNTED words.
PER_SHARED_WORD = 0.02
WORDS_COUNTED = 3
# How many indicators a result lists: at least MIN_LISTED, at most MAX_LISTED, dropping those more
# than LISTED_WITHIN below the first; at most PER_TARGET of one target, so the list spans targets.
MIN_LISTED, MAX_LISTED, LISTED_WITHIN, PER_TARGET = 3, 5, 0.1, 2


class IndicatorCatalogue:
    """The indicators of every target, in the framework's order."""

    def __init__(self, by_target: dict[str, tuple[Indicator, ...]]):
        self.by_target = by_target
        self._terms = {i.code: Terms(i.text_en) for items in by_target.values() for i in items}

    @classmethod
    def load(cls, data_dir: str | Path) -> IndicatorCatalogue:
        path = Path(data_dir) / FILE_NAME
        if not path.is_file():
            raise CatalogueError(
                str(path),
                "file not found; build it with `python scripts/build_indicators.py` (the repository ships it)",
            )
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        missing = [c for c in COLUMNS if c not in frame.columns]
        if missing:
            raise CatalogueError(str(path), f"missing column(s) {missing}; found {list(frame.columns)}")
        by_target: dict[str, list[Indicator]] = {}
        for i, row in enumerate(frame.to_dict("records")):
            if not row["code"].startswith(row["target"] + "."):
                raise CatalogueError(
                    str(path), f"indicator {row['code']!r} is not under target {row['target']!r}", row=i + 2
                )
            if row["ko_source"] not in ("kostat", "ours"):
                raise CatalogueError(
                    str(path), f"ko_source must be kostat or ours; received {row['ko_source']!r}", row=i + 2
                )
            by_target.setdefault(row["target"], []).append(
                Indicator(row["code"], row["target"], row["text_en"], row["text_ko"], row["ko_source"])
            )
        return cls({t: tuple(items) for t, items in by_target.items()})

    def of(self, target: str) -> tuple[Indicator, ...]:
        return self.by_target.get(target, ())

    def rank(self, targets: Sequence[tuple[str, float]], query: str) -> tuple[Indicator, ...]:
        """The indicators most relevant to a proposal, best first. `targets`: (target id, score), best
        first (the first FROM_TARGETS are read); `query`: the proposal's text (with its English gloss
        for a Korean proposal)."""
        words = Terms(query)
        scored = []
        for target, target_score in targets[:FROM_TARGETS]:
            for indicator in self.of(target):
                overlap = min(len(shared(words, self._terms[indicator.code], WORDS_COUNTED)), WORDS_COUNTED)
                scored.append((target_score + PER_SHARED_WORD * overlap, indicator))
        scored.sort(key=lambda pair: -pair[0])
        taken: dict[str, int] = {}
        kept = []
        for score, indicator in scored:
            if taken.get(indicator.target, 0) == PER_TARGET:
                continue
            if len(kept) >= MIN_LISTED and score < kept[0][0] - LISTED_WITHIN:
                break
            taken[indicator.target] = taken.get(indicator.target, 0) + 1
            kept.append((score, indicator))
            if len(kept) == MAX_LISTED:
                break
        return tuple(
            Indicator(i.code, i.target, i.text_en, i.text_ko, i.ko_source, round(float(score), 4)) for score, i in kept
        )
