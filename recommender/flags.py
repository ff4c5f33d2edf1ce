"""Reviewer flags for a call: near duplicates, near copies of precedents, weak SDG 11 fit, odd budgets.

Pure functions over results and vectors; the thresholds live in FlagConfig (README, "Reviewer flags").
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .results import Recommendation


@dataclass(frozen=True)
class FlagConfig:
    # Cosine of two proposals' vectors (fused embedder) at or above which they are near duplicates.
    near_duplicate: float = 0.92
    # Dense similarity to a precedent at or above which a proposal is a near copy of it.
    similar_to_precedent: float = 0.75  # a paraphrase of a past case scores about 0.8, same-sector work 0.5-0.65
    # SDG 11 alignment is low when goal 11's probability is below this and no SDG 11 target is in the top 3.
    low_sdg11: float = 0.3
    # A budget is an outlier when it is this many times above or below the median budget of the
    # closest precedents that state one (at least `budget_min_precedents` of them).
    budget_factor: float = 10.0
    budget_min_precedents: int = 2
    budget_precedents: int = 5
    # A budget is also an outlier when it lies this many robust deviations from the call's own budgets
    # (median and MAD of log budgets, once the call states at least `budget_min_call` of them) and more
    # than a factor of 2 from their median: a typo of three zeros needs no precedent to be seen.
    budget_mad: float = 3.5
    budget_min_call: int = 5

    def __post_init__(self):
        for name in ("near_duplicate", "similar_to_precedent", "low_sdg11"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise ValueError(f"{name} must be between 0 and 1; received {value}")
        if not self.budget_factor > 1:
            raise ValueError(f"budget_factor must be above 1; received {self.budget_factor}")
        if not self.budget_mad > 0 or math.isinf(self.budget_mad):
            raise ValueError(f"budget_mad must be a positive number; received {self.budget_mad}")
        if self.budget_min_call < 3:
            raise ValueError(f"budget_min_call must be at least 3; received {self.budget_min_call}")


def near_duplicates(ids: list[str], vectors: np.ndarray, threshold: float, most: int = 5) -> dict[str, list[str]]:
    """For each proposal, up to `most` other proposals of the call whose vectors are at least `threshold`
    alike, closest first. Exact search for ordinary calls, an HNSW graph for very large ones, so the
    work grows with the call, not with its square."""
    out: dict[str, list[str]] = {}
    if len(ids) < 2:
        return out
    from .index import VectorIndex

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    index = VectorIndex.build(
        vectors,
        [str(i) for i in range(len(ids))],
        ["-"] * len(ids),
        catalogue="call",
        embedder_id="call",
        fingerprint="call",
    )
    scores, rows = index.search(vectors, min(len(ids), most + 1))
    for i, pid in enumerate(ids):
        others = [ids[j] for s, j in zip(scores[i], rows[i]) if j >= 0 and j != i and s >= threshold][:most]
        if others:
            out[pid] = others
    return out


# A normal distribution's standard deviation is 1.4826 of its median absolute deviation.
MAD_TO_SD = 1.4826
MIN_LOG_SPREAD = 0.1  # a floor for calls whose budgets are nearly all alike


def call_budget_outliers(budgets: Mapping, config: FlagConfig) -> set:
    """Keys of the budgets far from the call's own distribution: |log b - median| over the scaled
    median absolute deviation of log budgets above `config.budget_mad`, and off the median by more
    than a factor of 2. Needs `config.budget_min_call` positive budgets; works with no precedent."""
    logs = {key: math.log(value) for key, value in budgets.items() if value is not None and value > 0}
    if len(logs) < config.budget_min_call:
        return set()
    values = np.array(list(logs.values()))
    median = float(np.median(values))
    spread = max(MAD_TO_SD * float(np.median(np.abs(values - median))), MIN_LOG_SPREAD)
    return {
        key
        for key, value in logs.items()
        if abs(value - median) / spread > config.budget_mad and abs(value - median) > math.log(2)
    }


def proposal_flags(
    result: Recommendation, budget: float | None, precedent_budgets: dict[str, float], config: FlagConfig
) -> list[str]:
    """Flags that depend on one proposal's own result."""
    flags = []
    for p in result.precedents[:3]:
        if p.signals["dense"] >= config.similar_to_precedent:
            flags.append(f"similar_to_precedent:{p.id}")
    if result.goal(11).score < config.low_sdg11 and not any(t.is_sdg11 for t in result.sdg_targets[:3]):
        flags.append("low_sdg11_alignment")
    if budget is not None and budget > 0:
        known = [
            precedent_budgets[p.id] for p in result.precedents[: config.budget_precedents] if p.id in precedent_budgets
        ]
        if len(known) >= config.budget_min_precedents:
            median = float(np.median(known))
            if budget > median * config.budget_factor or budget < median / config.budget_factor:
                flags.append("budget_outlier")
    return flags
