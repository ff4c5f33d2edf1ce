"""Korean city-to-city project models: the typology built from the precedent catalogue
(`data/project_models.csv`, `data/project_model_cases.csv`, by `scripts/build_typology.py`), the
components and risks the cases describe (`data/project_components.csv`), and placing a proposal in
its nearest model with what similar projects included that the proposal does not mention.

Loading only reads three small tables; placing a proposal reads the precedent scores the ranking
has already computed (a model's score is the mean of its closest cases' scores), so it costs no
encoding.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import CatalogueError
from .explain import message, object_particle
from .results import ComponentSuggestion, ModelMatch

MODELS_FILE = "project_models.csv"
CASES_FILE = "project_model_cases.csv"
COMPONENTS_FILE = "project_components.csv"
UNIQUE = "unique"

COMPONENT_COLUMNS = [
    "id",
    "kind",
    "level",
    "name_en",
    "name_ko",
    "pattern_en",
    "pattern_ko",
    "indicator_en",
    "indicator_ko",
    "verification_en",
    "verification_ko",
    "assumption_en",
    "assumption_ko",
]
MODEL_COLUMNS = [
    "id",
    "name_en",
    "name_ko",
    "description_en",
    "description_ko",
    "n_cases",
    "cases",
    "components",
    "risks",
    "planned",
    "budget_n",
    "budget_median_krw",
    "budget_q1_krw",
    "budget_q3_krw",
    "duration_n",
    "duration_median_years",
    "duration_q1_years",
    "duration_q3_years",
    "countries",
    "governments",
    "sdg_targets",
]
CASE_COLUMNS = ["case_id", "model", "nearest_model", "similarity"]

# A model's score for a proposal: the mean score of its closest cases (at most this many).
MODEL_NEIGHBOURS = 3
# Below this model score a proposal has "no established model" (the closest is still named), by the
# language of the proposal: a Korean text meets the cases through the multilingual encoder alone and
# scores about 0.05 lower. Chosen on the gold proposals whose acceptable precedents hold two or more of
# the model's cases (docs/typology.md).
MODEL_MIN_SCORE = {"en": 0.40, "ko": 0.35}
# At most this many suggestions of what similar projects included.
MOST_SUGGESTIONS = 3
# A component goes into a model's typical components when at least this share of its cases shows it.
TYPICAL_SHARE = 0.25
# ... and is said to be what similar projects "usually" include from this share on.
USUAL_SHARE = 0.5


@dataclass(frozen=True)
class Component:
    """An activity or output the cases describe (kind "component"), or a risk seen in them (kind "risk")."""

    id: str
    kind: str
    level: str
    name_en: str
    name_ko: str
    pattern_en: re.Pattern
    pattern_ko: re.Pattern
    indicator_en: str
    indicator_ko: str
    verification_en: str
    verification_ko: str
    assumption_en: str
    assumption_ko: str

    def text(self, field: str, lang: str) -> str:
        return getattr(self, f"{field}_{'ko' if lang == 'ko' else 'en'}")

    def found_in(self, text_en: str = "", text_ko: str = "") -> bool:
        return bool((text_en and self.pattern_en.search(text_en)) or (text_ko and self.pattern_ko.search(text_ko)))


@dataclass(frozen=True)
class Spread:
    """Median and interquartile range of the cases that state a value, with their number."""

    n: int
    median: float | None
    q1: float | None
    q3: float | None

    @classmethod
    def of(cls, values: Iterable[float]) -> Spread:
        values = np.array([v for v in values if v is not None and np.isfinite(v)], dtype=float)
        if not len(values):
            return cls(0, None, None, None)
        q1, median, q3 = np.percentile(values, [25, 50, 75])
        return cls(int(len(values)), float(median), float(q1), float(q3))


@dataclass(frozen=True)
class ProjectModel:
    id: str
    name_en: str
    name_ko: str
    description_en: str
    description_ko: str
    cases: tuple[str, ...]
    components: tuple[tuple[str, int], ...]  # (component id, cases showing it), most common first
    risks: tuple[tuple[str, tuple[str, ...]], ...]  # (risk id, the cases showing it)
    planned: int  # cases still planned at their source date
    budget: Spread  # KRW
    duration: Spread  # years
    countries: tuple[tuple[str, int], ...]
    governments: tuple[tuple[str, int], ...]
    targets: tuple[tuple[str, int], ...]

    def name(self, lang: str) -> str:
        return self.name_ko if lang == "ko" else self.name_en

    def description(self, lang: str) -> str:
        return self.description_ko if lang == "ko" else self.description_en

    def typical_components(self) -> list[tuple[str, int]]:
        """(component, cases) shown by at least TYPICAL_SHARE of the cases, most common first."""
        n = len(self.cases)
        return [(c, k) for c, k in self.components if k / n >= TYPICAL_SHARE]


def _compile(pattern: str, where: str) -> re.Pattern:
    try:
        return re.compile(pattern, re.IGNORECASE) if pattern else re.compile(r"(?!x)x")
    except re.error as exc:
        raise CatalogueError(where, f"not a valid regular expression ({exc}): {pattern[:60]!r}") from None


def read_components(path: Path) -> dict[str, Component]:
    frame = _read(path, COMPONENT_COLUMNS)
    out = {}
    for i, row in enumerate(frame.to_dict("records")):
        if row["kind"] not in ("component", "risk"):
            raise CatalogueError(str(path), f"kind must be component or risk; received {row['kind']!r}", row=i + 2)
        out[row["id"]] = Component(
            **{k: row[k] for k in COMPONENT_COLUMNS if not k.startswith("pattern_")},
            pattern_en=_compile(row["pattern_en"], f"{path}:{i + 2}"),
            pattern_ko=_compile(row["pattern_ko"], f"{path}:{i + 2}"),
        )
    return out


def detect(components: Mapping[str, Component], text_en: str = "", text_ko: str = "", kind: str = "component") -> set:
    """The ids of the components (or risks) a text mentions, read in English, in Korean, or both."""
    return {c.id for c in components.values() if c.kind == kind and c.found_in(text_en, text_ko)}


def case_texts(row: Mapping) -> tuple[str, str]:
    """(English, Korean) text of a precedent as the component patterns read it."""
    return f"{row['description_en']} | {row['modality']} | {row['sector']}", row["description_ko"]


def _read(path: Path, columns: list[str]) -> pd.DataFrame:
    if not path.is_file():
        raise CatalogueError(
            str(path), "file not found; build it with `python scripts/build_typology.py` (the repository ships it)"
        )
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise CatalogueError(str(path), f"missing column(s) {missing}; found {list(frame.columns)}", column=missing[0])
    return frame


def _pairs(value: str) -> tuple[tuple[str, int], ...]:
    out = []
    for part in filter(None, value.split(";")):
        key, _, count = part.rpartition(":")
        out.append((key, int(count)))
    return tuple(out)


def _number(value: str) -> float | None:
    return float(value) if value.strip() else None


def format_pairs(pairs: Iterable[tuple[str, int]]) -> str:
    return ";".join(f"{k}:{n}" for k, n in pairs)


@dataclass(frozen=True)
class Placement:
    """Where a proposal falls: its nearest model, that model's score, whether it is an established
    model for it, and the model's cases ranked by their score (best first)."""

    model: ProjectModel
    score: float
    established: bool
    closest_cases: tuple[str, ...]


class Typology:
    """The models, the assignment of every catalogue case, and the component vocabulary."""

    def __init__(
        self, models: Sequence[ProjectModel], assignment: Mapping[str, str], components: Mapping[str, Component]
    ):
        self.models = tuple(models)
        self.by_id = {m.id: m for m in self.models}
        self.assignment = dict(assignment)
        self.components = dict(components)

    @classmethod
    def load(cls, data_dir: str | Path) -> Typology:
        data_dir = Path(data_dir)
        components = read_components(data_dir / COMPONENTS_FILE)
        frame = _read(data_dir / MODELS_FILE, MODEL_COLUMNS)
        models = []
        for row in frame.to_dict("records"):
            risks = []
            for part in filter(None, row["risks"].split(";")):
                risk, _, cases = part.partition(":")
                risks.append((risk, tuple(cases.split(","))))
            models.append(
                ProjectModel(
                    id=row["id"],
                    name_en=row["name_en"],
                    name_ko=row["name_ko"],
                    description_en=row["description_en"],
                    description_ko=row["description_ko"],
                    cases=tuple(row["cases"].split(";")),
                    components=_pairs(row["components"]),
                    risks=tuple(risks),
                    planned=int(row["planned"] or 0),
                    budget=Spread(
                        int(row["budget_n"] or 0),
                        *(_number(row[f"budget_{k}_krw"]) for k in ("median", "q1", "q3")),
                    ),
                    duration=Spread(
                        int(row["duration_n"] or 0),
                        *(_number(row[f"duration_{k}_years"]) for k in ("median", "q1", "q3")),
                    ),
                    countries=_pairs(row["countries"]),
                    governments=_pairs(row["governments"]),
                    targets=_pairs(row["sdg_targets"]),
                )
            )
        for model in models:
            for component, _ in model.components:
                if component not in components:
                    raise CatalogueError(
                        str(data_dir / MODELS_FILE), f"model {model.id} names unknown component {component!r}"
                    )
        cases = _read(data_dir / CASES_FILE, CASE_COLUMNS)
        return cls(models, dict(zip(cases["case_id"], cases["model"])), components)

    def model_of(self, case_id: str) -> str | None:
        """The model a catalogue case belongs to; None for a unique case or one the typology has not seen."""
        model = self.assignment.get(case_id)
        return None if model in (None, UNIQUE) else model

    def place(self, case_scores: Mapping[str, float], lang: str = "en") -> Placement | None:
        """The nearest model to a proposal, from its score against each catalogue case (cases missing
        from `case_scores` count as 0); `lang` is the proposal's language. None when there is no model."""
        best: Placement | None = None
        floor = MODEL_MIN_SCORE["ko" if lang == "ko" else "en"]
        for model in self.models:
            ranked = sorted(((case_scores.get(c, 0.0), c) for c in model.cases), key=lambda t: (-t[0], t[1]))
            top = ranked[: min(MODEL_NEIGHBOURS, len(ranked))]
            score = float(np.mean([s for s, _ in top]))
            if best is None or score > best.score + 1e-9:
                best = Placement(model, score, score >= floor, tuple(c for _, c in ranked))
        return best

    def mentioned(self, text: str, gloss: str = "") -> set:
        """The components a proposal mentions: Korean patterns on the text, English ones on the text
        (an English proposal) or on its English gloss (a Korean one)."""
        return detect(self.components, f"{text} {gloss}", text)


def _suggestion(component: Component, k: int, n: int, lang: str) -> ComponentSuggestion:
    name = component.text("name", lang)
    key = "model.usually" if k / n >= USUAL_SHARE else "model.often"
    text = message(key, lang, name=name, particle=object_particle(name), k=k, n=n)
    return ComponentSuggestion(component.id, component.name_en, component.name_ko, k, n, text)


def model_match(typology: Typology, case_scores: Mapping[str, float], text: str, gloss: str, text_lang: str, lang: str):
    """The `ModelMatch` of a proposal (None when the typology has no model): its nearest model, whether
    that is an established model for it, and what the model's cases usually include that the
    proposal's text (or its English gloss) does not mention."""
    placement = typology.place(case_scores, text_lang)
    if placement is None:
        return None
    model, n = placement.model, len(placement.model.cases)
    closest = placement.closest_cases[:MODEL_NEIGHBOURS]
    if placement.established:
        reason = message("model.reason", lang, cases=", ".join(closest), score=placement.score, n=n)
    else:
        reason = message("model.none", lang, name=model.name(lang), score=placement.score)
    mentioned = typology.mentioned(text, gloss)
    found = []
    # what "similar projects" include says nothing when the proposal is like none of them
    for component_id, k in model.typical_components() if placement.established else ():
        if component_id not in mentioned:
            found.append(_suggestion(typology.components[component_id], k, n, lang))
        if len(found) == MOST_SUGGESTIONS:
            break
    return ModelMatch(
        established=placement.established,
        id=model.id,
        name_en=model.name_en,
        name_ko=model.name_ko,
        score=round(placement.score, 4),
        cases=placement.closest_cases[:5],
        reason=reason,
        suggestions=tuple(found),
    )
