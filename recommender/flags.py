"""Reviewer flags for a call: near duplicates, near copies of precedents, weak SDG 11 fit, odd budgets.

Pure functions over results and vectors; the thresholds live in FlagConfig (README, "Reviewer flags").
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
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


def near_duplicates(
    ids: list[str],
    vectors: np.ndarray | Sequence[np.ndarray],
    threshold: float,
    most: int = 5,
    *,
    exact_limit: int | None = None,
) -> dict[str, list[str]]:
    """For each proposal, up to `most` other proposals of the call whose vectors are at least `threshold`
    alike, closest first. `vectors` is one array or a list of row blocks (as a batch collects them, so
    that they need not be stacked), float16 or float32; it is never copied whole.

    Ordinary calls (below `exact_limit`, default index.EXACT_SEARCH_LIMIT rows) are searched exactly.
    Huge calls are searched through a compact sketch, an IVF-PQ index of 112 bytes per proposal
    (our 896-dimensional vectors; a float32 copy would take 3.6 KB), whose candidates are then
    re-checked against the exact cosines of the given vectors: the flags keep the exact scores and
    threshold, and the sketch only proposes (tests/test_compressed.py checks the answers against exact search)."""
    from .index import EXACT_SEARCH_LIMIT

    out: dict[str, list[str]] = {}
    n = len(ids)
    if n < 2:
        return out
    if not isinstance(vectors, np.ndarray):
        vectors = _Blocks(vectors)
    if len(vectors) != n:
        raise ValueError(f"vectors must have one row per id ({n}); received {len(vectors)}")
    limit = EXACT_SEARCH_LIMIT if exact_limit is None else exact_limit
    wanted = min(n, most + 1)
    wide = min(n, 4 * wanted + 8)  # candidates re-scored exactly, so that ties and rounding order alike
    candidates = _exact_candidates(vectors, wide) if n < limit else _sketch_candidates(vectors, wide)
    for start in range(0, n, _CHUNK):
        queries = _unit(vectors[start : start + _CHUNK])
        for i, found in enumerate(candidates[start : start + _CHUNK]):
            found = np.union1d(found[found >= 0], [start + i])
            exact = _unit(vectors[found]) @ queries[i]
            best = np.argsort(-exact, kind="stable")[:wanted]
            others = [ids[j] for s, j in zip(exact[best], found[best]) if j != start + i and s >= threshold][:most]
            if others:
                out[ids[start + i]] = others
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


_CHUNK = 4096


class _Blocks:
    """Row blocks read as one (n, dim) array: slices and row lists, gathered without stacking them all."""

    def __init__(self, blocks: Sequence[np.ndarray]):
        self.blocks = [np.asarray(b) for b in blocks if len(b)]
        self.ends = np.cumsum([len(b) for b in self.blocks])
        dim = self.blocks[0].shape[1] if self.blocks else 0
        self.shape = (int(self.ends[-1]) if self.blocks else 0, dim)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, rows) -> np.ndarray:
        rows = np.arange(*rows.indices(len(self))) if isinstance(rows, slice) else np.asarray(rows)
        block = np.searchsorted(self.ends, rows, side="right")
        starts = np.concatenate([[0], self.ends[:-1]])
        out = np.empty((len(rows), self.shape[1]), dtype=self.blocks[0].dtype)
        for b in np.unique(block):
            where = block == b
            out[where] = self.blocks[b][rows[where] - starts[b]]
        return out


def _unit(vectors: np.ndarray) -> np.ndarray:
    block = np.asarray(vectors, dtype=np.float32)
    return block / np.maximum(np.linalg.norm(block, axis=1, keepdims=True), 1e-12)


def _exact_candidates(vectors: np.ndarray, wide: int) -> np.ndarray:
    import faiss

    unit = _unit(vectors[0 : len(vectors)])  # an array, or the row blocks a batch collected
    exact = faiss.IndexFlatIP(unit.shape[1])
    exact.add(unit)
    return exact.search(unit, wide)[1]


def _sketch_candidates(vectors: np.ndarray, wide: int) -> np.ndarray:
    """Rows of the `wide` closest proposals of each, from an IVF-PQ sketch built and searched chunk by
    chunk (no float32 copy of the call is ever made)."""
    import faiss

    from .index import IVFPQParams

    n, dim = vectors.shape
    params = IVFPQParams.for_size(n, dim)
    quantiser = faiss.IndexFlatIP(dim)
    sketch = faiss.IndexIVFPQ(quantiser, dim, params.nlist, params.m, 8, faiss.METRIC_INNER_PRODUCT)
    # the fewest points k-means and the PQ codebooks need: this float32 sample is the sketch's largest transient
    sample = np.sort(np.random.default_rng(0).choice(n, min(n, max(40 * params.nlist, 12_000)), replace=False))
    sketch.train(_unit(vectors[sample]))
    for start in range(0, n, _CHUNK):
        sketch.add(_unit(vectors[start : start + _CHUNK]))
    sketch.nprobe = min(params.nlist, 16)  # near duplicates sit in the same or a neighbouring cell
    rows = np.empty((n, wide), dtype=np.int32 if n < 2**31 else np.int64)  # 128 bytes a proposal
    for start in range(0, n, _CHUNK):
        rows[start : start + _CHUNK] = sketch.search(_unit(vectors[start : start + _CHUNK]), wide)[1]
    return rows


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
