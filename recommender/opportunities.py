"""Where a Korean local government could propose next, and on what: ranked opportunities.

An opportunity is a partner country, up to three places in it, and a line of work (`lines.py`). It is
ranked from what the catalogues know at a given time (`Facts`, and `Masks` for the world as it stood
before a year): the government's ties (sister and friendship cities, exchange agreements), its past
cases there, its upper or basic governments' cases and ties, the needs partners stated there
(`needs.py`: requests, and a priority country's priority sectors) matched to what the government has
done, and other governments' cases there (demand). A government with no case is ranked from its ties,
its family and its profile (a coastal government's fisheries, a farming county's agriculture).

`OpportunityRanker.rank` is a pure function of the facts, the masks and the weights; `officer.py`
turns its output into typed results with words.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .catalogue import Catalogues, split_codes
from .governments import TIE_WEIGHT, Tie
from .lines import lines_of_code
from .needs import NeedMatcher

# Weights of the country features (sum of weight x feature), chosen on the development windows
# (cases of 2015-16, 2017-18, 2019-21 from the world before each; eval/sweep_opportunities.py), never
# on the reported window (cases of 2022 on) or on eval/later_projects.csv. Many settings score within
# one pair of each other there; this one keeps the stated-need feature the product is about.
COUNTRY_WEIGHTS: Mapping[str, float] = {
    "tie": 0.0,  # the government's own agreements in the country (kind-weighted) ...
    "tie_active": 1.0,  # ... counted where Korean local governments do development work at all
    "own": 1.8,  # its own past cases there (a programme over n countries counts 1/n in each)
    "recent": 0.4,  # of which in the last five years
    "family": 0.3,  # its upper or basic governments' cases and agreements there
    "popularity": 1.5,  # every government's cases there: where Korean local cooperation goes
    "popularity_recent": 1.0,  # of which in the last five years
    "request": 0.4,  # a partner there asked (this government above all)
    "priority": 0.0,  # a priority partner country (shown as a reason; measured no better as a weight)
    "need_fit": 0.3,  # a stated need there in a line the government has worked in
    "demand_fit": 0.6,  # other governments' cases there in the government's lines
}
PLACE_WEIGHTS: Mapping[str, float] = {
    "tie": 1.0,
    "own": 0.9,
    "request": 0.6,
    "request_to_us": 0.3,
    "family": 0.3,
    "popularity": 0.3,
}
LINE_WEIGHTS: Mapping[str, float] = {"experience": 0.5, "need": 0.3, "demand": 0.2, "family": 0.1, "profile": 0.15}
PLACES_PER_OPPORTUNITY = 3
RECENT_YEARS = 5
POPULAR_COUNTRIES = 30  # the most worked-in countries are candidates for every government
# Evidence that speaks for a need: a request counts whole, a priority sector by its evidence weight x this.
PRIORITY_NEED_SHARE = 0.7


@dataclass
class Masks:
    """Which cases, ties and needs exist (all when None): the world before a year, or without the
    cases an evaluation holds out."""

    cases: np.ndarray | None = None
    ties: np.ndarray | None = None
    needs: np.ndarray | None = None
    year: int | None = None  # the "now" of recency; None: the latest case year


@dataclass(frozen=True)
class PlaceScore:
    id: str
    score: float
    why: tuple[str, ...]  # tie, own, request, family, popularity
    tie: Tie | None = None
    request: int | None = None  # row of the need asked there


@dataclass(frozen=True)
class ScoredOpportunity:
    """One partner country for one government, with the evidence behind its score."""

    iso2: str
    score: float
    features: dict[str, float]
    places: tuple[PlaceScore, ...]
    line: str
    line_parts: dict[str, float]
    own_cases: tuple[int, ...]
    ties: tuple[Tie, ...]
    family_cases: tuple[int, ...]
    family_ties: tuple[Tie, ...]
    needs: tuple[int, ...]  # rows of the stated needs there that the line answers
    demand_cases: int  # other governments' cases in the country


@dataclass
class Facts:
    """The catalogues as arrays for ranking opportunities, made once at load."""

    codes: list[str]
    parent: np.ndarray
    coastal: np.ndarray
    farming: np.ndarray
    size: np.ndarray
    case_lgs: list[tuple[int, ...]]
    case_countries: list[tuple[str, ...]]
    case_places: list[tuple[str, ...]]
    case_lines: list[tuple[str, ...]]
    case_year: np.ndarray  # 0 when not known
    domestic: np.ndarray
    ties: list[Tie]
    needs: NeedMatcher
    gazetteer: object = None
    cases_of: list[list[int]] = field(default_factory=list)
    ties_of: list[list[int]] = field(default_factory=list)

    @classmethod
    def from_catalogues(cls, cat: Catalogues, context, needs: NeedMatcher) -> Facts:
        """context: the government context (`governments.GovernmentContext`) of the same catalogues."""
        codes = context.codes
        position = {c: i for i, c in enumerate(codes)}
        prec = cat.precedents
        ties = [t for iso in sorted(context.ties_by_country) for t in context.ties_by_country[iso]]
        facts = cls(
            codes=codes,
            parent=context.parent,
            coastal=context.coastal,
            farming=context.farming,
            size=context.size,
            case_lgs=[tuple(position[c] for c in split_codes(v) if c in position) for v in prec["lg_codes"]],
            case_countries=[tuple(split_codes(v)) for v in prec["partner_iso2"]],
            case_places=[tuple(split_codes(v)) for v in prec["partner_place_ids"]],
            case_lines=[lines_of_code(v) for v in prec["dac_code"].astype(str)],
            case_year=np.array([int(y) if not _missing(y) else 0 for y in prec["year_start"]]),
            domestic=prec["domestic"].to_numpy(dtype=bool),
            ties=ties,
            needs=needs,
            gazetteer=context.gazetteer,
        )
        facts.cases_of = [[] for _ in codes]
        for c, lgs in enumerate(facts.case_lgs):
            for g in lgs:
                facts.cases_of[g].append(c)
        facts.ties_of = [[] for _ in codes]
        for t, tie in enumerate(ties):
            facts.ties_of[tie.government].append(t)
        return facts

    def place_in(self, iso: str, place_id: str) -> bool:
        """Whether a place id is one of the country's (a programme's places span several countries)."""
        if place_id.startswith("name:"):
            return place_id.split(":", 2)[1] == iso
        return self.gazetteer is None or self.gazetteer.country(iso).row_of(place_id) is not None

    def family(self, g: int) -> list[int]:
        """Its upper government, or its basic governments."""
        if self.parent[g] >= 0:
            return [int(self.parent[g])]
        return [int(b) for b in np.flatnonzero(self.parent == g)]

    def masks_before(self, year: int, hidden_cases: Sequence[int] = ()) -> Masks:
        """The world as it stood before `year`: cases and agreements that started earlier (or carry no
        year), needs stated earlier (or undated) and not read from a hidden case."""
        cases = ((self.case_year < year) & ~self.domestic).copy()
        cases[list(hidden_cases)] = False
        ties = np.array([t.year is None or t.year < year for t in self.ties], dtype=bool)
        return Masks(cases, ties, self.needs_without(hidden_cases, year), year)

    def needs_without(self, hidden_cases: Sequence[int] = (), year: int | None = None, hidden_ids=()) -> np.ndarray:
        """Needs that stand when some cases (positions) or evaluation items (ids) are held out: a need
        read from a held-out description is held out with it."""
        hidden = set(hidden_ids)
        keep = np.ones(len(self.needs.ids), dtype=bool)
        for n, cases in enumerate(self.needs.case_ids):
            if hidden & set(cases):
                keep[n] = False
            if year is not None and self.needs.year[n] and self.needs.year[n] >= year:
                keep[n] = False
        return keep


def _missing(value) -> bool:
    return value is None or str(value) in {"", "<NA>", "nan"}


class OpportunityRanker:
    """Ranks partner countries, places in them and a line of work for one government."""

    def __init__(
        self,
        facts: Facts,
        case_ids: Sequence[str],
        country_weights: Mapping[str, float] | None = None,
        priority_countries: Sequence[str] = (),
    ):
        self.facts = facts
        self.case_ids = list(case_ids)
        self.weights = dict(COUNTRY_WEIGHTS if country_weights is None else country_weights)
        self.priority = set(priority_countries)
        self.everything = Masks()  # the whole catalogue (the officer's view)
        self._summaries: dict[int, dict] = {}

    # ------------------------------------------------------------ the world, summarised once per mask
    def _summary(self, masks: Masks) -> dict:
        key = id(masks)
        found = self._summaries.get(key)
        if found is not None and found["masks"] is masks:
            return found
        f = self.facts
        cases = np.ones(len(f.case_lgs), dtype=bool) & ~f.domestic if masks.cases is None else masks.cases
        by_country: dict[str, list[int]] = defaultdict(list)
        for c in np.flatnonzero(cases):
            for iso in f.case_countries[c]:
                by_country[iso].append(int(c))
        counts = {iso: len(v) for iso, v in by_country.items()}
        popular = sorted(counts, key=lambda iso: (-counts[iso], iso))[:POPULAR_COUNTRIES]
        now = masks.year or int(f.case_year.max()) + 1
        recent_counts = {
            iso: sum(1 for c in v if f.case_year[c] >= now - RECENT_YEARS) for iso, v in by_country.items()
        }
        summary = {
            "masks": masks,
            "cases": cases,
            "ties": np.ones(len(f.ties), dtype=bool) if masks.ties is None else masks.ties,
            "needs": np.ones(len(f.needs.ids), dtype=bool) if masks.needs is None else masks.needs,
            "by_country": by_country,
            "counts": counts,
            "max_count": max(counts.values(), default=1),
            "recent_counts": recent_counts,
            "max_recent": max(max(recent_counts.values(), default=1), 1),
            "popular": popular,
            "now": now,
        }
        self._summaries = {key: summary}  # one mask at a time is all evaluation and the view need
        return summary

    # ------------------------------------------------------------ a government's experience
    def experience(self, g: int, masks: Masks | None = None) -> dict[str, float]:
        """Share of each line of work in the government's cases (its family's at half weight when it has
        none; its profile when neither has any)."""
        s = self._summary(masks or self.everything)
        f = self.facts
        own = [c for c in f.cases_of[g] if s["cases"][c]]
        if own:
            return _shares([f.case_lines[c] for c in own])
        family = [c for h in f.family(g) for c in f.cases_of[h] if s["cases"][c]]
        out = {k: 0.5 * v for k, v in _shares([f.case_lines[c] for c in family]).items()}
        for key, value in self.profile_lines(g).items():
            out[key] = max(out.get(key, 0.0), value)
        return out

    def profile_lines(self, g: int) -> dict[str, float]:
        """Lines a government's profile speaks for: the sea for fisheries, farming for agriculture and
        rural development, a large city for urban work."""
        f = self.facts
        out = {}
        if f.coastal[g]:
            out["fisheries"] = 0.3
        if f.farming[g] >= 0.1:
            out["agriculture"] = out["rural"] = min(0.4, float(f.farming[g]) * 2)
        if f.size[g] >= 1.0:
            out["urban"] = out["transport"] = 0.2
        return out

    # ------------------------------------------------------------ ranking
    def rank(self, g: int, masks: Masks | None = None, top_k: int = 10) -> list[ScoredOpportunity]:
        masks = masks or self.everything
        s = self._summary(masks)
        f = self.facts
        experience = self.experience(g, masks)
        family = f.family(g)
        own_cases = [c for c in f.cases_of[g] if s["cases"][c]]
        own_ties = [f.ties[t] for t in f.ties_of[g] if s["ties"][t]]
        family_cases = [c for h in family for c in f.cases_of[h] if s["cases"][c]]
        family_ties = [f.ties[t] for h in family for t in f.ties_of[h] if s["ties"][t]]
        need_rows = [n for n in range(len(f.needs.ids)) if s["needs"][n]]
        candidates = set(s["popular"]) | {t.iso2 for t in own_ties} | {t.iso2 for t in family_ties}
        candidates |= {iso for c in own_cases + family_cases for iso in f.case_countries[c]}
        candidates |= {f.needs.iso[n] for n in need_rows} | self.priority
        candidates.discard("KR")
        out = []
        for iso in sorted(candidates):
            out.append(self._country(g, iso, s, experience, own_cases, own_ties, family_cases, family_ties, need_rows))
        out.sort(key=lambda o: (-o.score, o.iso2))
        return out[:top_k]

    def _country(self, g, iso, s, experience, own_cases, own_ties, family_cases, family_ties, need_rows):
        f = self.facts
        mine = tuple(c for c in own_cases if iso in f.case_countries[c])
        ties = tuple(t for t in own_ties if t.iso2 == iso)
        fam_cases = tuple(c for c in family_cases if iso in f.case_countries[c])
        fam_ties = tuple(t for t in family_ties if t.iso2 == iso)
        needs_here = [n for n in need_rows if f.needs.iso[n] == iso]
        tie_places = {t.place_id for t in ties if t.place_id}
        requests = [n for n in needs_here if f.needs.kind[n] == "request"]
        code = f.codes[g]
        relevance = {n: self._relevance(code, iso, n, tie_places) for n in needs_here}
        request_value = max((relevance[n] * f.needs.weight[n] for n in requests), default=0.0)
        need_fit = 0.0
        for n in needs_here:
            fit = max((experience.get(k, 0.0) for k in f.needs.lines[n]), default=0.0)
            need_fit = max(need_fit, min(1.0, 2 * fit) * relevance[n] * f.needs.weight[n])
        others = [c for c in s["by_country"].get(iso, []) if c not in mine]
        demand = sum(max((experience.get(k, 0.0) for k in f.case_lines[c]), default=0.0) for c in others)
        # a programme row over eight countries says less about each of them than a case in one
        own = sum(1.0 / len(f.case_countries[c]) for c in mine)
        recent = sum(1.0 / len(f.case_countries[c]) for c in mine if f.case_year[c] >= s["now"] - RECENT_YEARS)
        tie = min(1.0, math.log1p(sum(TIE_WEIGHT.get(t.kind, TIE_WEIGHT[""]) for t in ties)) / math.log1p(3))
        features = {
            "tie": tie,
            # an agreement in a country where Korean local governments do development work at all
            "tie_active": tie * float(s["counts"].get(iso, 0) > 0),
            "own": min(1.0, math.log1p(own) / math.log1p(4)),
            "recent": min(1.0, math.log1p(recent) / math.log1p(3)),
            "family": min(1.0, math.log1p(len(fam_cases) + 0.5 * len(fam_ties)) / math.log1p(6)),
            "popularity": math.log1p(s["counts"].get(iso, 0)) / math.log1p(s["max_count"]),
            "popularity_recent": math.log1p(s["recent_counts"].get(iso, 0)) / math.log1p(s["max_recent"]),
            "request": request_value,
            "priority": float(iso in self.priority),
            "need_fit": need_fit,
            "demand_fit": min(1.0, demand / 3.0),
        }
        score = sum(self.weights.get(k, 0.0) * v for k, v in features.items())
        line, parts = self._line(g, iso, experience, mine, fam_cases, relevance, s)
        places = self._places(g, iso, s, mine, ties, fam_cases, fam_ties, needs_here)
        answered = tuple(n for n in needs_here if line in f.needs.lines[n])
        return ScoredOpportunity(
            iso2=iso,
            score=round(float(score), 4),
            features={k: round(float(v), 4) for k, v in features.items()},
            places=places,
            line=line,
            line_parts=parts,
            own_cases=mine,
            ties=ties,
            family_cases=fam_cases,
            family_ties=fam_ties,
            needs=answered,
            demand_cases=len(others),
        )

    def _related(self, iso: str, a: str, b: str) -> bool:
        if a == b:
            return True
        if self.facts.gazetteer is None:
            return False
        return self.facts.gazetteer.relation(iso, a, b)[0] >= 0.6

    def _relevance(self, code: str, iso: str, n: int, tie_places) -> float:
        """How much a stated need speaks to this government: a request made to it, or by a place it has
        an agreement with, fully; another request in the country 0.3; a priority sector of the country
        PRIORITY_NEED_SHARE."""
        f = self.facts
        if f.needs.kind[n] != "request":
            return PRIORITY_NEED_SHARE
        if code in f.needs.lg_codes[n]:
            return 1.0
        if f.needs.place[n] and any(self._related(iso, f.needs.place[n], p) for p in tie_places):
            return 1.0
        return 0.3

    def _line(self, g, iso, experience, mine, fam_cases, relevance, s) -> tuple[str, dict[str, float]]:
        """The line of work: what the government has done (here above all), what the partner asked
        for, what other governments do there, its family's work and its profile."""
        f = self.facts
        here = _shares([f.case_lines[c] for c in mine])
        need = defaultdict(float)
        for n, value in relevance.items():
            for k in f.needs.lines[n]:
                need[k] = max(need[k], value * f.needs.weight[n])
        demand = _shares([f.case_lines[c] for c in s["by_country"].get(iso, [])])
        family = _shares([f.case_lines[c] for c in fam_cases])
        profile = self.profile_lines(g)
        keys = set(experience) | set(here) | set(need) | set(demand) | set(family) | set(profile)
        best, best_parts, best_value = "", {}, -1.0
        for k in sorted(keys):
            parts = {
                "experience": max(experience.get(k, 0.0), here.get(k, 0.0)),
                "need": need.get(k, 0.0),
                "demand": demand.get(k, 0.0),
                "family": family.get(k, 0.0),
                "profile": profile.get(k, 0.0),
            }
            value = sum(LINE_WEIGHTS[p] * v for p, v in parts.items())
            if value > best_value:
                best, best_parts, best_value = k, parts, value
        return best, {k: round(v, 4) for k, v in best_parts.items()}

    def _places(self, g, iso, s, mine, ties, fam_cases, fam_ties, needs_here) -> tuple[PlaceScore, ...]:
        f = self.facts
        score: dict[str, float] = defaultdict(float)
        why: dict[str, list[str]] = defaultdict(list)
        tie_of: dict[str, Tie] = {}
        request_of: dict[str, int] = {}

        def add(place: str, value: float, reason: str) -> None:
            if place and value > 0 and f.place_in(iso, place):
                score[place] += value
                if reason not in why[place]:
                    why[place].append(reason)

        for t in ties:
            weight = TIE_WEIGHT.get(t.kind, TIE_WEIGHT[""])
            if t.place_id and (t.place_id not in tie_of or weight > TIE_WEIGHT.get(tie_of[t.place_id].kind, 0)):
                tie_of[t.place_id] = t
            add(t.place_id, PLACE_WEIGHTS["tie"] * weight, "tie")
        for place in {p for c in mine for p in f.case_places[c]}:
            add(place, PLACE_WEIGHTS["own"], "own")
        for n in needs_here:
            place = f.needs.place[n]
            if f.needs.kind[n] == "request" and place:
                value = PLACE_WEIGHTS["request"] * f.needs.weight[n]
                if f.codes[g] in f.needs.lg_codes[n]:
                    value += PLACE_WEIGHTS["request_to_us"]
                add(place, value, "request")
                request_of.setdefault(place, n)
        for place in {t.place_id for t in fam_ties} | {p for c in fam_cases for p in f.case_places[c]}:
            add(place, PLACE_WEIGHTS["family"], "family")
        in_country = Counter(p for c in s["by_country"].get(iso, []) for p in f.case_places[c])
        most = max(in_country.values(), default=1)
        for place, n in in_country.most_common(5):
            add(place, PLACE_WEIGHTS["popularity"] * math.log1p(n) / math.log1p(most), "popularity")
        order = sorted(score, key=lambda p: (-score[p], p))[:PLACES_PER_OPPORTUNITY]
        return tuple(PlaceScore(p, round(score[p], 4), tuple(why[p]), tie_of.get(p), request_of.get(p)) for p in order)


def _shares(groups: Sequence[Sequence[str]]) -> dict[str, float]:
    """Share of the items that name each key (an item naming two keys counts for both)."""
    if not groups:
        return {}
    counts = Counter(k for keys in groups for k in set(keys))
    return {k: v / len(groups) for k, v in counts.items()}
