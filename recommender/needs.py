"""What partner places and countries have asked Korea for, and which of it a proposal answers.

`data/partner_needs.csv` (built by scripts/build_needs.py) holds two kinds of need, each with its
source and an evidence level: `request` (a partner place or country asked a Korean government, as our
case sources state it) and `country_priority` (a sector Korea names as a priority for one of its
priority partner countries). `data/priority_countries.csv` lists the 27 priority countries of the
period, with or without stated sectors.

A proposal answers a need of its partner place or country when it is about the same line of work
(`lines.py`: its sector field, or the sectors of its closest precedents) or says much the same thing
(meaning similarity of the proposal to the need's text, through the needs' own vector index). Needs
are partial: a proposal that answers none is shown as "no recorded need", never flagged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .catalogue import file_fingerprint, row_number, split_codes
from .errors import CatalogueError
from .explain import message
from .lines import BY_KEY, line_names, lines_named, lines_of_code
from .results import CountryFit, NeedMatch

NEEDS_FILE = "partner_needs.csv"
PRIORITY_FILE = "priority_countries.csv"
INDEX_NAME = "partner_needs"  # models/partner_needs/
NEED_COLUMNS = [
    "id",
    "kind",
    "partner_iso2",
    "place_en",
    "place_ko",
    "place_id",  # resolved by recommender.places at build time
    "place_level",
    "need_en",
    "need_ko",
    "sector",
    "lines",  # lines of work (recommender.lines), ';'-separated
    "dac_codes",
    "sdg_targets",
    "year",
    "requested_of",
    "lg_codes",  # the Korean governments the request was made to
    "case_ids",  # our cases (or evaluation cases) whose descriptions state the request
    "evidence_level",
    "evidence",
    "raw_evidence",
    "source_url",
    "source_date",
    "source_states",
]
PRIORITY_COLUMNS = [
    "iso2",
    "name_en",
    "name_ko",
    "period",
    "list_source",
    "sectors_en",
    "sectors_ko",
    "evidence_level",
    "evidence",
    "source_url",
]
KINDS = ("request", "country_priority")
# How far a source can be taken at its word, for ranking (the words are in explain.py, "evidence.*").
EVIDENCE_WEIGHT = {"case_summary": 1.0, "policy_statement": 0.9, "portfolio_news": 0.75, "older_strategy": 0.6}
EVIDENCE = {
    "case_summary": ("stated in our case summary, source page cited, not re-read",),
    "policy_statement": ("3rd-period priorities stated in a policy dialogue or agreement, reported in news",),
    "portfolio_news": ("KOICA's portfolio in the country described in news, not the strategy text",),
    "older_strategy": ("an older (1st or 2nd period) country strategy, reported second-hand",),
}

# A proposal answers a need when this much of its line of work is the need's (0..1) or its text is
# this close in meaning; cosines are read between a floor (unrelated texts of one field) and a ceiling
# (a paraphrase). Set on the requests whose answering case we hold (tests/test_needs.py).
SIMILARITY_FLOOR, SIMILARITY_CEILING = 0.25, 0.6
WEIGHTS = {"similarity": 0.5, "sector": 0.5}
ANSWER_MIN = 0.4
# The proposal's lines of work from its closest precedents: this many, above this score.
SECTOR_NEIGHBOURS, SECTOR_FLOOR = 5, 0.3


@dataclass(frozen=True)
class NeedsCatalogue:
    needs: pd.DataFrame
    priorities: pd.DataFrame
    fingerprint: str

    def passages(self) -> tuple[list[str], list[str], list[str]]:
        """(need id, passage, language) of every vector row: the need in English with its sector, and
        in Korean where it has Korean words."""
        ids, texts, langs = [], [], []
        for row in self.needs.to_dict("records"):
            ids.append(row["id"])
            texts.append(f"{row['need_en']} ({row['sector']})")
            langs.append("en")
            if row["need_ko"].strip():
                ids.append(row["id"])
                texts.append(row["need_ko"])
                langs.append("ko")
        return ids, texts, langs

    def passage_fingerprint(self) -> str:
        ids, texts, langs = self.passages()
        digest = hashlib.sha256("\x1e".join(f"{i}\x1f{lang}\x1f{t}" for i, t, lang in zip(ids, texts, langs)).encode())
        return f"{self.fingerprint}-{digest.hexdigest()[:12]}"


def _read(path: Path, columns: list[str]) -> pd.DataFrame:
    if not path.is_file():
        raise CatalogueError(str(path), "file not found; it is built by `python scripts/build_needs.py`")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise CatalogueError(str(path), f"cannot be read as UTF-8 CSV ({exc})") from exc
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise CatalogueError(str(path), f"missing column(s) {missing}; found {list(frame.columns)}", column=missing[0])
    return frame


def load_needs(data_dir: str | Path, known_iso: set[str], known_lg: set[str]) -> NeedsCatalogue:
    """Read and check data/partner_needs.csv and data/priority_countries.csv; CatalogueError names
    file, row and column of the first problem."""
    data_dir = Path(data_dir)
    path, priority_path = data_dir / NEEDS_FILE, data_dir / PRIORITY_FILE
    needs = _read(path, NEED_COLUMNS)
    priorities = _read(priority_path, PRIORITY_COLUMNS)

    def fail(file: Path, i: int, column: str, text: str):
        raise CatalogueError(str(file), text, row=row_number(i), column=column)

    seen = set()
    for i, row in enumerate(needs.to_dict("records")):
        if not row["id"].strip() or row["id"] in seen:
            fail(path, i, "id", f"empty or duplicate id {row['id']!r} (ids must be unique)")
        seen.add(row["id"])
        if row["kind"] not in KINDS:
            fail(path, i, "kind", f"kind must be one of {list(KINDS)}; received {row['kind']!r}")
        if row["partner_iso2"] not in known_iso:
            fail(path, i, "partner_iso2", f"unknown country code {row['partner_iso2']!r}")
        if not row["need_en"].strip():
            fail(path, i, "need_en", "no need stated (rows without one are dropped by the build)")
        lines = split_codes(row["lines"])
        if not lines or any(k not in BY_KEY for k in lines):
            fail(path, i, "lines", f"lines of work must be among {sorted(BY_KEY)}; received {row['lines']!r}")
        if row["evidence_level"] not in EVIDENCE_WEIGHT:
            fail(
                path,
                i,
                "evidence_level",
                f"must be one of {sorted(EVIDENCE_WEIGHT)}; received {row['evidence_level']!r}",
            )
        if row["year"] and not (row["year"].isdigit() and 1950 <= int(row["year"]) <= 2100):
            fail(path, i, "year", f"{row['year']!r} is not a year")
        for code in split_codes(row["lg_codes"]):
            if code not in known_lg:
                fail(path, i, "lg_codes", f"unknown local-government code {code!r}")
    for i, iso in enumerate(priorities["iso2"]):
        if iso not in known_iso:
            fail(priority_path, i, "iso2", f"unknown country code {iso!r}")
    return NeedsCatalogue(needs, priorities, file_fingerprint(path) + file_fingerprint(priority_path))


def proposal_lines(
    precedent_scores: np.ndarray, precedent_dac: Sequence[str], sector: str = "", exclude: np.ndarray | None = None
) -> dict[str, float]:
    """How much of a proposal is each line of work: its sector field's lines count whole; the sectors
    of its closest precedents count by their share of the closest precedents' scores."""
    out = dict.fromkeys(lines_named(sector), 1.0)
    scores = np.asarray(precedent_scores, dtype=np.float64)
    if exclude is not None:
        scores = np.where(exclude, -1.0, scores)
    top = [int(c) for c in np.argsort(-scores)[:SECTOR_NEIGHBOURS] if scores[c] >= SECTOR_FLOOR]
    total = sum(scores[c] for c in top)
    for c in top:
        for key in lines_of_code(precedent_dac[c]):
            out[key] = min(1.0, out.get(key, 0.0) + float(scores[c]) / total)
    return out


@dataclass(frozen=True)
class NeedScore:
    """One need as it bears on one proposal (the facade turns it into a `results.NeedMatch`)."""

    row: int
    relation: str
    similarity: float
    sector_match: float
    score: float


class NeedMatcher:
    """The needs as arrays and vectors, made once at load; `score` is pure given them."""

    def __init__(self, catalogue: NeedsCatalogue, vectors: np.ndarray, row_items: np.ndarray, gazetteer=None):
        frame = catalogue.needs
        self.catalogue = catalogue
        self.rows = frame.to_dict("records")
        self.ids = frame["id"].tolist()
        self.iso = frame["partner_iso2"].to_numpy(dtype=str)
        self.kind = frame["kind"].to_numpy(dtype=str)
        self.place = frame["place_id"].tolist()
        self.lines = [tuple(split_codes(v)) for v in frame["lines"]]
        self.weight = np.array([EVIDENCE_WEIGHT[v] for v in frame["evidence_level"]])
        self.year = np.array([int(y) if y.isdigit() else 0 for y in frame["year"]])
        self.lg_codes = [tuple(split_codes(v)) for v in frame["lg_codes"]]
        self.case_ids = [tuple(split_codes(v)) for v in frame["case_ids"]]
        self.vectors = np.asarray(vectors, dtype=np.float32)
        self.row_items = np.asarray(row_items, dtype=np.int64)
        self.gazetteer = gazetteer
        self.priorities = {r["iso2"]: r for r in catalogue.priorities.to_dict("records")}
        self.by_country: dict[str, list[int]] = {}
        for n, iso in enumerate(self.iso):
            self.by_country.setdefault(iso, []).append(n)

    def similarity(self, queries: np.ndarray) -> np.ndarray:
        """Best cosine of any query passage to any passage of each need."""
        if not len(self.vectors) or not len(queries):
            return np.zeros(len(self.ids))
        cos = (np.asarray(queries, dtype=np.float32) @ self.vectors.T).max(axis=0)
        best = np.full(len(self.ids), -1.0)
        np.maximum.at(best, self.row_items, cos.astype(np.float64))
        return best

    def relation(self, iso: str, places: Sequence[str], need: int) -> tuple[float, str]:
        """How the need's place bears on the proposal's places: (strength, kind). A need without a place
        speaks for the whole country; a proposal without a place hears every need of its country."""
        if not self.place[need]:
            return 1.0, "country"
        if not places:
            return 0.5, "in_country"
        best = (0.0, "")
        for place in places:
            if self.gazetteer is not None:
                found = self.gazetteer.relation(iso, place, self.place[need])
            else:
                found = (1.0, "same") if place == self.place[need] else (0.0, "")
            best = max(best, found)
        return best

    def score(
        self,
        iso: str | None,
        places: Sequence[str],
        queries: np.ndarray,
        lines: Mapping[str, float],
        *,
        include: np.ndarray | None = None,
    ) -> list[NeedScore]:
        """The needs of the partner place and country that a proposal answers, best first.

        places: ids of the proposal's partner places; queries: its passage vectors; lines: its lines
        of work (`proposal_lines`); include: which needs exist (evaluation hides later ones)."""
        if not iso:
            return []
        candidates = [n for n in self.by_country.get(iso, []) if include is None or include[n]]
        if not candidates:
            return []
        cos = self.similarity(queries)
        out = []
        for n in candidates:
            strength, relation = self.relation(iso, places, n)
            if strength <= 0:
                continue  # a request of another place of the country
            sector = max((lines.get(k, 0.0) for k in self.lines[n]), default=0.0)
            sim = float(np.clip((cos[n] - SIMILARITY_FLOOR) / (SIMILARITY_CEILING - SIMILARITY_FLOOR), 0, 1))
            value = WEIGHTS["similarity"] * sim + WEIGHTS["sector"] * sector
            if value >= ANSWER_MIN:
                out.append(NeedScore(n, relation, round(float(cos[n]), 4), round(sector, 4), round(value, 4)))
        return sorted(out, key=lambda s: (-s.score, self.kind[s.row] != "request", self.ids[s.row]))

    def priority(self, iso: str | None) -> dict | None:
        return self.priorities.get(iso) if iso else None

    def priority_lines(self, iso: str) -> list[int]:
        """Rows of a country's stated priority sectors."""
        return [n for n in self.by_country.get(iso, []) if self.kind[n] == "country_priority"]


# ---------------------------------------------------------------- typed results

MAX_LISTED = 8
# The proposal's line of work is "among" a stated priority when at least this share of it is that line.
FIT_MIN = 0.3


def _need_text(row: dict, lang: str) -> str:
    return row["need_ko"] if lang == "ko" and row["need_ko"].strip() else row["need_en"]


def _place_text(matcher: NeedMatcher, row: dict, lang: str) -> str:
    if not row["place_id"]:
        return ""
    if matcher.gazetteer is not None and not row["place_id"].startswith("name:"):
        return matcher.gazetteer.name_of(row["partner_iso2"], row["place_id"], lang)
    return (row["place_ko"] or row["place_en"]) if lang == "ko" else (row["place_en"] or row["place_ko"])


def need_matches(matcher: NeedMatcher, scored: Sequence[NeedScore], lang: str) -> tuple:
    """`results.NeedMatch` of the scored needs, in the result language."""
    out = []
    for s in scored[:MAX_LISTED]:
        row = matcher.rows[s.row]
        out.append(
            NeedMatch(
                id=row["id"],
                kind=row["kind"],
                partner_iso2=row["partner_iso2"],
                place_id=row["place_id"],
                place=_place_text(matcher, row, lang),
                relation=s.relation,
                need=_need_text(row, lang),
                sector=line_names(matcher.lines[s.row], lang),
                lines=matcher.lines[s.row],
                year=int(row["year"]) if row["year"].isdigit() else None,
                requested_of=row["requested_of"],
                score=s.score,
                similarity=s.similarity,
                sector_match=s.sector_match,
                evidence_level=row["evidence_level"],
                evidence=message(f"evidence.{row['evidence_level']}", lang),
                source_url=row["source_url"],
                sdg_targets=tuple(split_codes(row["sdg_targets"])),
            )
        )
    return tuple(out)


def country_fit(matcher: NeedMatcher, iso: str | None, lines: Mapping[str, float], lang: str, resolver=None):
    """`results.CountryFit` of a proposal's partner country and line of work."""
    name = resolver.name(iso, lang) if resolver is not None and iso else (iso or "")
    priority = matcher.priority(iso)
    if priority is None:
        key = "fit.no_country" if not iso else "fit.not_priority"
        return CountryFit(iso, False, "", (), (), "", "", "", message(key, lang, country=name))
    rows = matcher.priority_lines(iso)
    stated = tuple(dict.fromkeys(_need_text(matcher.rows[n], lang) for n in rows))
    matched = tuple(
        dict.fromkeys(
            _need_text(matcher.rows[n], lang)
            for n in rows
            if max((lines.get(k, 0.0) for k in matcher.lines[n]), default=0.0) >= FIT_MIN
        )
    )
    level = priority["evidence_level"]
    evidence = message(f"evidence.{level}", lang) if level else ""
    period = priority["period"]  # of the sectors' source; the list of countries is of 2021-2025
    if not stated:
        summary = message("fit.priority_no_sectors", lang, country=name)
    elif matched:
        summary = message("fit.priority_matched", lang, country=name, sectors=", ".join(matched), evidence=evidence)
    else:
        summary = message("fit.priority_unmatched", lang, country=name, sectors=", ".join(stated), evidence=evidence)
    return CountryFit(iso, True, period, stated, matched, level, evidence, priority["source_url"], summary)
