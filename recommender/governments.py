"""Which Korean local governments are best placed to carry out a proposal: features of every
(proposal, government) pair, a learned logistic ranker over them, reasons and team suggestions.

Every one of the 243 governments is scorable: besides its own cases (similarity, count, partner
country and city, sector), a government is described by its sister and friendship ties, its upper
or basic governments' experience, and its profile (coast, farming, size) matched to what the
proposal is about. The coefficients are fitted by `recommender evaluate --fit-government-model` on
leave-one-case-out features (a case never sees itself) and stored as JSON (data/government_model.json).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from .catalogue import Catalogues, split_codes
from .errors import CatalogueError

FILE_NAME = "government_model.json"
FEATURES = (
    "best",  # best fused similarity of the proposal to one of the government's cases
    "second",  # its second best (a portfolio, not one lucky case)
    "log_cases",  # activity prior: log(1 + cases)
    "country_cases",  # log(1 + cases in the partner country)
    "place_case",  # a case at the partner place: 1 the same place, 0.9 the city it lies in, 0.6 its province …
    "tie_place",  # a tie with the partner place, as strong as the place relation times the tie's kind
    "tie_country",  # a tie with a place of the partner country
    "sector",  # share of the proposal's closest sectors among the government's cases
    "family_best",  # best similarity among its upper government's or its basic governments' cases
    "family_country",  # its upper or basic governments have cases in the partner country
    "coastal_marine",  # a coastal government x how marine the proposal is
    "farming_rural",  # farming share x how rural the proposal is
    "size_urban",  # population (standardised) x how urban the proposal is
    "is_upper",
    "no_cases",
    # For a government with no catalogued case, what can still speak for it; and the shape of the
    # similarity (measured better on leave-one-case-out and the time split: docs/evaluation.md).
    "new_tie_country",
    "new_tie_place",
    "new_family_best",
    "new_family_country",
    "new_coastal_marine",
    "new_farming_rural",
    "new_size_urban",
    "best_squared",
    "best_in_country",
    "best_upper",
    # how much international work the government does at all (its agreements), and in the partner
    # country: what speaks for the many governments with few or no catalogued cases
    "ties_country",
    "log_ties",
    "new_log_ties",
)
# An interaction feature is told with the words of the feature it qualifies.
SAME_AS = {
    "new_tie_country": "tie_country",
    "new_tie_place": "tie_place",
    "new_log_ties": "log_ties",
    "ties_country": "tie_country",
    "new_family_best": "family_best",
    "new_family_country": "family_country",
    "new_coastal_marine": "coastal_marine",
    "new_farming_rural": "farming_rural",
    "new_size_urban": "size_urban",
    "best_squared": "best",
    "best_in_country": "country_cases",
    "best_upper": "best",
}
# Feature families, for the ablation in `recommender evaluate` (docs/evaluation.md).
FAMILIES = {
    "similarity": ("best", "second", "sector", "best_squared", "best_in_country", "best_upper"),
    "activity": ("log_cases", "country_cases", "place_case", "is_upper", "no_cases", "log_ties", "new_log_ties"),
    "ties": ("tie_place", "tie_country", "new_tie_country", "new_tie_place", "ties_country"),
    "family": ("family_best", "family_country", "new_family_best", "new_family_country"),
    "profile": (
        "coastal_marine",
        "farming_rural",
        "size_urban",
        "new_coastal_marine",
        "new_farming_rural",
        "new_size_urban",
    ),
}
# How much a tie says, by its kind: a sister city (approved by both councils) above a friendship
# city above an exchange agreement; Wikipedia's lists do not tell the kind.
TIE_WEIGHT = {"sister": 1.0, "friendship": 0.85, "mou": 0.7, "": 0.85}

# Goals whose best target score says how marine, rural or urban a proposal is.
MARINE_GOALS, RURAL_GOALS, URBAN_GOALS = (14,), (2,), (11,)
SECTOR_NEIGHBOURS = 10
REFIT = "refit with `recommender evaluate --fit-government-model`"


@dataclass(frozen=True)
class Tie:
    """One agreement of a government with a foreign place."""

    government: int
    iso2: str
    place_id: str
    kind: str  # sister, friendship, mou, or '' (not stated)
    year: int | None
    name_en: str
    name_ko: str


@dataclass(frozen=True)
class TieHit:
    """A tie as it bears on one proposal: the tie, how strongly, and the place relation."""

    tie: Tie
    strength: float
    relation: str  # same, contains, province, within, province_mate, country

    def name(self, lang: str) -> str:
        """The tied place's name in the reader's language; '' in Korean when it has no Korean name
        (a romanised name in a Korean sentence reads as an error)."""
        return self.tie.name_ko if lang == "ko" else self.tie.name_en


@dataclass(frozen=True)
class GovernmentEvidence:
    """Features (n_governments, len(FEATURES)) of one proposal, and what the reasons name."""

    features: np.ndarray
    best_case: np.ndarray  # position of each government's best case, -1 when none
    n_cases: np.ndarray
    n_country: np.ndarray
    tie_place: list[TieHit | None]  # the tie behind tie_place, None when none
    tie_country: list[TieHit | None]  # a tie in the partner country, None when none
    place_case: list[str]  # the partner place a case of the government worked at ('' when none)


class GovernmentContext:
    """Catalogue-level facts about every government, made once at load. Places are compared through
    the gazetteer (`places.Gazetteer.relation`), which reads a country's places only when a proposal
    names that country."""

    def __init__(self, cat: Catalogues, precedent_lgs, precedent_countries, gazetteer=None):
        lgs = cat.local_governments
        self.codes = lgs["code"].tolist()
        position = {c: i for i, c in enumerate(self.codes)}
        n = len(self.codes)
        self.gazetteer = gazetteer
        self.parent = np.array([position.get(p, -1) if p else -1 for p in lgs["parent"]], dtype=np.int64)
        self.is_upper = (self.parent < 0).astype(np.float64)
        pairs = [(p, position[c]) for p, codes in enumerate(precedent_lgs) for c in codes if c in position]
        self.pair_case = np.array([p for p, _ in pairs], dtype=np.int64)
        self.pair_lg = np.array([g for _, g in pairs], dtype=np.int64)
        self.n_precedents = len(precedent_lgs)
        self.case_countries = precedent_countries
        self.case_places = [tuple(split_codes(v)) for v in cat.precedents["partner_place_ids"]]
        self.case_dac = cat.precedents["dac_code"].astype(str).to_numpy()
        self.domestic = cat.precedents["domestic"].to_numpy(dtype=bool)
        self.ties_by_country: dict[str, list[Tie]] = {}
        n_ties = np.zeros(n)
        ties = cat.lg_ties
        korean = ties["partner_city_ko"] if "partner_city_ko" in ties.columns else [""] * len(ties)
        for code, city, city_ko, iso, place, kind, year in zip(
            ties["code"],
            ties["partner_city"],
            korean,
            ties["partner_iso2"],
            ties["place_id"],
            ties["tie_type"],
            ties["year"],
        ):
            g = position.get(code)
            if g is None or not iso:
                continue
            year_value = int(year) if str(year).isdigit() else None
            self.ties_by_country.setdefault(iso, []).append(Tie(g, iso, place, kind, year_value, city, city_ko))
            n_ties[g] += 1
        self.log_ties = np.log1p(n_ties)
        profiles = cat.lg_profiles.set_index("code").reindex(self.codes)
        self.coastal = profiles["coastal"].fillna(False).to_numpy(dtype=np.float64)
        self.farming = profiles["share_agri_forestry_fishing"].fillna(0).to_numpy(dtype=np.float64)
        log_pop = np.log1p(profiles["population_2025"].fillna(0).to_numpy(dtype=np.float64))
        self.size = (log_pop - log_pop.mean()) / (log_pop.std() + 1e-9)
        self.names = {"en": lgs["name_en"].tolist(), "ko": lgs["name_ko"].tolist()}

    def _relation(self, iso: str, proposal_place: str, other: str) -> tuple[float, str]:
        if not other:
            return 0.0, ""
        if self.gazetteer is None:
            return (1.0, "same") if proposal_place == other else (0.0, "")
        return self.gazetteer.relation(iso, proposal_place, other)

    def _named(self, tie: Tie) -> Tie:
        """The tie with the gazetteer's names of its place (Korean where the gazetteer has one)."""
        if self.gazetteer is None or not tie.place_id or tie.place_id.startswith("name:"):
            return tie
        en = self.gazetteer.name_of(tie.iso2, tie.place_id, "en")
        ko = self.gazetteer.name_of(tie.iso2, tie.place_id, "ko")
        return replace(tie, name_en=en or tie.name_en, name_ko=(ko if ko != en else "") or tie.name_ko)

    def evidence(
        self,
        precedent_scores: np.ndarray,
        goal_best: np.ndarray,
        iso: str | None,
        places: Sequence[str] = (),
        exclude: np.ndarray | None = None,
    ) -> GovernmentEvidence:
        """Features of every government for one proposal.

        precedent_scores: fused score of every precedent; goal_best: the best target score of each of
        the 17 goals; places: ids of the partner places the proposal names (in `iso`); exclude:
        precedents to treat as absent (their scores and their counts)."""
        n = len(self.codes)
        keep = np.ones(self.n_precedents, dtype=bool) if exclude is None else ~exclude
        keep &= ~self.domestic
        mask = keep[self.pair_case]
        cases, lgs = self.pair_case[mask], self.pair_lg[mask]
        scores = np.asarray(precedent_scores, dtype=np.float64)[cases]
        n_cases = np.bincount(lgs, minlength=n).astype(np.float64)
        in_country = np.array([iso is not None and iso in self.case_countries[c] for c in cases], dtype=bool)
        n_country = np.bincount(lgs, weights=in_country.astype(np.float64), minlength=n)
        place_case = np.zeros(n)
        place_case_at = [""] * n
        if iso and places:
            for c, g, here in zip(cases, lgs, in_country):
                if not here:
                    continue
                for case_place in self.case_places[c]:
                    for place in places:
                        strength, _ = self._relation(iso, place, case_place)
                        if strength > place_case[g]:
                            place_case[g], place_case_at[g] = strength, place
        best, second = np.zeros(n), np.zeros(n)
        best_case = np.full(n, -1, dtype=np.int64)
        order = np.lexsort((cases, -scores, lgs))
        for g_start in np.flatnonzero(np.r_[True, lgs[order][1:] != lgs[order][:-1]]) if len(order) else []:
            g = lgs[order][g_start]
            best[g], best_case[g] = scores[order][g_start], cases[order][g_start]
            if g_start + 1 < len(order) and lgs[order][g_start + 1] == g:
                second[g] = scores[order][g_start + 1]
        # the proposal's closest sectors, weighted by similarity
        top = np.argsort(-np.where(keep, precedent_scores, -1.0))[:SECTOR_NEIGHBOURS]
        weight: dict[str, float] = {}
        for c in top:
            if keep[c] and precedent_scores[c] > 0:
                weight[self.case_dac[c]] = weight.get(self.case_dac[c], 0.0) + float(precedent_scores[c])
        total = sum(weight.values()) or 1.0
        case_weight = np.array([weight.get(self.case_dac[c], 0.0) / total for c in cases])
        sector = np.bincount(lgs, weights=case_weight, minlength=n) / np.maximum(1.0, n_cases)
        # family: an upper government's basic governments, and a basic government's upper one
        family_best, family_country = np.zeros(n), np.zeros(n)
        for g in range(n):
            p = self.parent[g]
            if p >= 0:
                family_best[g], family_country[g] = best[p], float(n_country[p] > 0)
        children_best = np.zeros(n)
        children_country = np.zeros(n)
        basic = np.flatnonzero(self.parent >= 0)
        np.maximum.at(children_best, self.parent[basic], best[basic])
        np.maximum.at(children_country, self.parent[basic], (n_country[basic] > 0).astype(np.float64))
        upper = self.parent < 0
        family_best[upper], family_country[upper] = children_best[upper], children_country[upper]
        # ties: with the partner place (by place, not spelling) and in the partner country
        tie_place = np.zeros(n)
        tie_country = np.zeros(n)
        ties_country = np.zeros(n)
        place_hit: list[TieHit | None] = [None] * n
        country_hit: list[TieHit | None] = [None] * n
        for tie in self.ties_by_country.get(iso, []) if iso else []:
            g, weight = tie.government, TIE_WEIGHT.get(tie.kind, TIE_WEIGHT[""])
            ties_country[g] += 1
            tie_country[g] = 1.0
            if country_hit[g] is None or weight > country_hit[g].strength:
                country_hit[g] = TieHit(tie, weight, "country")
            for place in places:
                strength, relation = self._relation(iso, place, tie.place_id)
                if strength * weight > tie_place[g]:
                    tie_place[g] = strength * weight
                    place_hit[g] = TieHit(tie, strength * weight, relation)
        place_hit = [TieHit(self._named(h.tie), h.strength, h.relation) if h else None for h in place_hit]
        country_hit = [TieHit(self._named(h.tie), h.strength, h.relation) if h else None for h in country_hit]
        marine = max(goal_best[g - 1] for g in MARINE_GOALS)
        rural = max(goal_best[g - 1] for g in RURAL_GOALS)
        urban = max(goal_best[g - 1] for g in URBAN_GOALS)
        columns = {
            "best": best,
            "second": second,
            "log_cases": np.log1p(n_cases),
            "country_cases": np.log1p(n_country),
            "place_case": place_case,
            "tie_place": tie_place,
            "tie_country": tie_country,
            "sector": sector,
            "family_best": family_best,
            "family_country": family_country,
            "coastal_marine": self.coastal * marine,
            "farming_rural": self.farming * rural,
            "size_urban": self.size * urban,
            "is_upper": self.is_upper,
            "no_cases": (n_cases == 0).astype(np.float64),
            "ties_country": np.log1p(ties_country),
            "log_ties": self.log_ties,
        }
        new = columns["no_cases"]
        for name in (
            "tie_country",
            "tie_place",
            "family_best",
            "family_country",
            "coastal_marine",
            "farming_rural",
            "size_urban",
            "log_ties",
        ):
            columns[f"new_{name}"] = new * columns[name]
        columns["best_squared"] = best**2
        columns["best_in_country"] = best * columns["country_cases"]
        columns["best_upper"] = best * self.is_upper
        return GovernmentEvidence(
            np.column_stack([columns[f] for f in FEATURES]),
            best_case,
            n_cases.astype(int),
            n_country.astype(int),
            place_hit,
            country_hit,
            place_case_at,
        )


@dataclass(frozen=True)
class GovernmentModel:
    """Logistic ranker over standardised FEATURES (coefficients only; no training data shipped)."""

    coef: list[float]
    intercept: float
    mean: list[float]
    scale: list[float]
    features: tuple[str, ...] = FEATURES
    trained_on: str = ""

    def contributions(self, features: np.ndarray) -> np.ndarray:
        """Each feature's share of each government's logit (what lifted it)."""
        z = (np.asarray(features, dtype=np.float64) - np.array(self.mean)) / np.array(self.scale)
        return z * np.array(self.coef)

    def score(self, features: np.ndarray) -> np.ndarray:
        logit = self.contributions(features).sum(axis=1) + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(logit, -30, 30)))

    @classmethod
    def fit(cls, features: np.ndarray, labels: np.ndarray, *, c: float = 1.0, trained_on: str = "") -> GovernmentModel:
        from sklearn.linear_model import LogisticRegression

        mean, scale = features.mean(axis=0), features.std(axis=0) + 1e-9
        model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
        model.fit((features - mean) / scale, labels)
        return cls(
            model.coef_[0].tolist(), float(model.intercept_[0]), mean.tolist(), scale.tolist(), FEATURES, trained_on
        )

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> GovernmentModel:
        path = Path(path)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            model = cls(**{**raw, "features": tuple(raw["features"])})
        except FileNotFoundError:
            raise CatalogueError(str(path), f"file not found; it holds the government ranker ({REFIT})") from None
        except (json.JSONDecodeError, TypeError, KeyError, ValueError) as exc:
            raise CatalogueError(str(path), f"not a government model of this version ({exc}); {REFIT}") from exc
        if model.features != FEATURES or not (len(model.coef) == len(model.mean) == len(model.scale) == len(FEATURES)):
            raise CatalogueError(
                str(path),
                f"was fitted on features {list(model.features)}, this version computes {list(FEATURES)}; {REFIT}",
            )
        values = [*model.coef, model.intercept, *model.mean, *model.scale]
        if not all(math.isfinite(v) for v in values) or min(model.scale) <= 0:
            raise CatalogueError(str(path), f"holds non-finite or zero-scale values; {REFIT}")
        return model


def rank_order(scores: np.ndarray, codes) -> np.ndarray:
    return np.lexsort((np.asarray(codes, dtype=str), -np.asarray(scores)))
