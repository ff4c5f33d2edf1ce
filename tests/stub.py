"""A stand-in recommender for tests of the readers and the batch code: the real row checks
(`Proposal.checked` against the real country table), no models. Its vectors are a hash of the text,
so equal texts are exact duplicates and different texts are far apart."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from recommender.core import RecommendationBatch
from recommender.proposal import CountryResolver, Proposal
from recommender.results import GoalDecision, Recommendation

DATA = Path(__file__).resolve().parents[1] / "data"


class StubRecommender:
    dim = 16

    def __init__(self, precedent_budgets: dict[str, float] | None = None):
        countries = pd.read_csv(DATA / "countries.csv", dtype=str, keep_default_na=False)
        self.resolver = CountryResolver(countries)
        self.budgets = precedent_budgets or {}
        self.calls = 0
        self._catalogues = None

    @property
    def catalogues(self):
        """The real catalogues (the worklist names countries, targets and governments from them)."""
        from recommender.catalogue import load_catalogues

        if self._catalogues is None:
            self._catalogues = load_catalogues(DATA)
        return self._catalogues

    def precedent_budgets(self) -> dict[str, float]:
        return self.budgets

    def check(self, proposal) -> Proposal:
        return Proposal.from_value(proposal).checked(self.resolver)

    def recommend_batch(self, proposals, *, top_k=None, lang=None) -> RecommendationBatch:
        self.calls += 1
        checked = [self.check(p) for p in proposals]
        vectors = np.zeros((len(checked), self.dim), dtype=np.float32)
        for n, p in enumerate(checked):
            seed = int(hashlib.sha256(p.text.encode("utf-8")).hexdigest()[:8], 16)
            vectors[n] = np.random.default_rng(seed).normal(size=self.dim)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        goals = tuple(GoalDecision(g, g == 11, 0.5) for g in range(1, 18))
        recs = [Recommendation(goals, (), (), (), "en", p.partner_country, p.partner_city or None, 1) for p in checked]
        return RecommendationBatch(recs, vectors)
