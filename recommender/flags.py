"""Reviewer flags for a call: near duplicates, near copies of precedents, weak SDG 11 fit, odd budgets.

Pure functions over results and vectors; the thresholds live in FlagConfig (README, "Reviewer flags").
"""

from __future__ import annotations

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

    def __post_init__(self):
        for name in ("near_duplicate", "similar_to_precedent", "low_sdg11"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise ValueError(f"{name} must be between 0 and 1; received {value}")
        if self.budget_factor <= 1:
            raise ValueError(f"budget_factor must be above 1; received {self.budget_factor}")


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
