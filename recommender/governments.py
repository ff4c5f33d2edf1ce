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
from dataclasses import asdict, dataclass
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
    "city_case",  # a case in the partner city
    "tie_city",  # a sister or friendship tie with the partner city
    "tie_country",  # a tie with a city of the partner country
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
    "new_tie_city",
    "new_family_best",
    "new_family_country",
    "new_coastal_marine",
    "new_farming_rural",
    "new_size_urban",
    "best_squared",
    "best_in_country",
    "best_upper",
)
# An interaction feature is told with the words of the feature it qualifies.
SAME_AS = {
    "new_tie_country": "tie_country",
    "new_tie_city": "tie_city",
    "new_family_best": "family_best",
    "new_family_country": "family_country",
    "new_coastal_marine": "coastal_marine",
    "new_farming_rural": "farming_rural",
    "new_size_urban": "size_urban",
    "best_squared": "best",
    "best_in_country": "country_cases",
    "best_upper": "best",
}
# Goals whose best target score says how marine, rural or urban a proposal is.
MARINE_GOALS, RURAL_GOALS, URBAN_GOALS = (14,), (2,), (11,)
SECTOR_NEIGHBOURS = 10
REFIT = "refit with `recommender evaluate --fit-government-model`"


@dataclass(frozen=True)
class GovernmentEvidence:
    """Features (n_governments, len(FEATURES)) of one proposal, and what the reasons name."""

    features: np.ndarray
    best_case: np.ndarray  # position of each government's best case, -1 when none
    n_cases: np.ndarray
    n_country: np.ndarray
    tie_city: list[str]  # the tied partner city, '' when none
    tie_country: list[str]  # a tied city in the partner country, '' when none


class GovernmentContext:
    """Catalogue-level facts about every government, made once at load."""

    def __init__(self, cat: Catalogues, precedent_lgs, precedent_countries):
        lgs = cat.local_governments
        self.codes = lgs["code"].tolist()
        position = {c: i for i, c in enumerate(self.codes)}
        n = len(self.codes)
        self.parent = np.array([position.get(p, -1) if p else -1 for p in lgs["parent"]], dtype=np.int64)
        self.is_upper = (self.parent < 0).astype(np.float64)
        pairs = [(p, position[c]) for p, codes in enumerate(precedent_lgs) for c in codes if c in position]
        self.pair_case = np.array([p for p, _ in pairs], dtype=np.int64)
        self.pair_lg = np.array([g for _, g in pairs], dtype=np.int64)
        self.n_precedents = len(precedent_lgs)
        self.case_countries = precedent_countries
        self.case_cities = [
            frozenset(k for c in split_codes(v) for k in _city_keys(c)) for v in cat.precedents["partner_city"]
        ]
        self.case_dac = cat.precedents["dac_code"].astype(str).to_numpy()
        self.domestic = cat.precedents["domestic"].to_numpy(dtype=bool)
        self.ties_city: list[dict[str, str]] = [{} for _ in range(n)]  # city key -> city as written
        self.ties_country: list[dict[str, str]] = [{} for _ in range(n)]  # iso2 -> one city there
        for code, city, iso in zip(cat.lg_ties["code"], cat.lg_ties["partner_city"], cat.lg_ties["partner_iso2"]):
            g = position.get(code)
            if g is None:
                continue
            for key in _city_keys(city):
                self.ties_city[g].setdefault(key, city)
            self.ties_country[g].setdefault(iso, city)
        profiles = cat.lg_profiles.set_index("code").reindex(self.codes)
        self.coastal = profiles["coastal"].fillna(False).to_numpy(dtype=np.float64)
        self.farming = profiles["share_agri_forestry_fishing"].fillna(0).to_numpy(dtype=np.float64)
        log_pop = np.log1p(profiles["population_2025"].fillna(0).to_numpy(dtype=np.float64))
        self.size = (log_pop - log_pop.mean()) / (log_pop.std() + 1e-9)
        self.names = {"en": lgs["name_en"].tolist(), "ko": lgs["name_ko"].tolist()}

    def evidence(
        self,
        precedent_scores: np.ndarray,
        goal_best: np.ndarray,
        iso: str | None,
        city: str | None,
        exclude: np.ndarray | None = None,
    ) -> GovernmentEvidence:
        """Features of every government for one proposal.

        precedent_scores: fused score of every precedent; goal_best: the best target score of each of
        the 17 goals; exclude: precedents to treat as absent (their scores and their counts)."""
        n = len(self.codes)
        keep = np.ones(self.n_precedents, dtype=bool) if exclude is None else ~exclude
        keep &= ~self.domestic
        mask = keep[self.pair_case]
        cases, lgs = self.pair_case[mask], self.pair_lg[mask]
        scores = np.asarray(precedent_scores, dtype=np.float64)[cases]
        n_cases = np.bincount(lgs, minlength=n).astype(np.float64)
        in_country = np.array([iso is not None and iso in self.case_countries[c] for c in cases], dtype=bool)
        n_country = np.bincount(lgs, weights=in_country.astype(np.float64), minlength=n)
        key = _city_key(city) if city else ""
        in_city = np.array([bool(key) and key in self.case_cities[c] for c in cases], dtype=bool)
        city_case = np.bincount(lgs, weights=in_city.astype(np.float64), minlength=n) > 0
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
        tie_city = [ties.get(key, "") if key else "" for ties in self.ties_city]
        tie_country = [ties.get(iso, "") if iso else "" for ties in self.ties_country]
        has_tie_country = np.array([bool(iso) and iso in ties for ties in self.ties_country], dtype=np.float64)
        marine = max(goal_best[g - 1] for g in MARINE_GOALS)
        rural = max(goal_best[g - 1] for g in RURAL_GOALS)
        urban = max(goal_best[g - 1] for g in URBAN_GOALS)
        columns = {
            "best": best,
            "second": second,
            "log_cases": np.log1p(n_cases),
            "country_cases": np.log1p(n_country),
            "city_case": city_case.astype(np.float64),
            "tie_city": np.array([float(bool(t)) for t in tie_city]),
            "tie_country": has_tie_country,
            "sector": sector,
            "family_best": family_best,
            "family_country": family_country,
            "coastal_marine": self.coastal * marine,
            "farming_rural": self.farming * rural,
            "size_urban": self.size * urban,
            "is_upper": self.is_upper,
            "no_cases": (n_cases == 0).astype(np.float64),
        }
        new = columns["no_cases"]
        for name in (
            "tie_country",
            "tie_city",
            "family_best",
            "family_country",
            "coastal_marine",
            "farming_rural",
            "size_urban",
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
            tie_city,
            tie_country,
        )


def _city_keys(name: str) -> list[str]:
    """Keys for every part of a written place ("Nha Trang, Khanh Hoa" -> nha trang, khanh hoa)."""
    import re

    return [k for part in re.split(r"[,()/;]", str(name or "")) if (k := _city_key(part))]


def _city_key(name: str) -> str:
    """A city name for matching: lower case, without province/city suffixes people add or drop."""
    key = " ".join(str(name).lower().replace("-", " ").split())
    for suffix in (" province", " city", " municipality", " prefecture", " district", " capital"):
        if key.endswith(suffix):
            key = key[: -len(suffix)]
    return key.strip()


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
