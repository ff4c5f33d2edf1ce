"""Pure ranking functions on arrays: no model, no files. The facade encodes and calls these."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np


def best_per_item(scores: np.ndarray, rows: np.ndarray, row_items: np.ndarray, n_items: int) -> np.ndarray:
    """Max score per item over every query passage and every vector row of the item.

    scores, rows: (n_passages, k) from an index search (row -1 = padding); row_items: item position
    of each vector row. Items never returned get -1 (below any cosine), so they rank last.
    """
    out = np.full(n_items, -1.0, dtype=np.float32)
    valid = rows >= 0
    if valid.any():
        np.maximum.at(out, row_items[rows[valid]], scores[valid].astype(np.float32))
    return out


def dense_to_unit(cosine: np.ndarray) -> np.ndarray:
    """Cosine similarity mapped to [0, 1]: negative similarity is no similarity."""
    return np.clip(np.asarray(cosine, dtype=np.float32), 0.0, 1.0)


def hub_scores(reference: np.ndarray, items: np.ndarray, k: int = 10) -> np.ndarray:
    """How much of a hub each item is: its mean similarity to its k most similar reference texts
    (the r_T term of cross-domain similarity local scaling, CSLS). Items that sit close to
    everything (hubs of the embedding space) score high. reference (m, d), items (n, d) -> (n,)."""
    reference = np.asarray(reference, dtype=np.float32)
    items = np.asarray(items, dtype=np.float32)
    if len(reference) == 0 or len(items) == 0:
        return np.zeros(len(items), dtype=np.float32)
    k = max(1, min(int(k), len(reference)))
    sims = items @ reference.T
    top = -np.partition(-sims, k - 1, axis=1)[:, :k]
    return top.mean(axis=1).astype(np.float32)


def fuse(signals: Mapping[str, np.ndarray], weights: Mapping[str, float]) -> np.ndarray:
    """Convex combination of signals in [0, 1]; weights are renormalised to sum to one."""
    names = [n for n, w in weights.items() if w > 0]
    if not names:
        raise ValueError(f"at least one weight must be positive; received {dict(weights)}")
    missing = [n for n in names if n not in signals]
    if missing:
        raise ValueError(f"signals {missing} have a weight but no values; signals given: {sorted(signals)}")
    total = sum(weights[n] for n in names)
    out = np.zeros_like(np.asarray(signals[names[0]], dtype=np.float32))
    for name in names:
        out = out + (weights[name] / total) * np.clip(np.asarray(signals[name], dtype=np.float32), 0.0, 1.0)
    return out


def rank_order(scores: np.ndarray, ids: Sequence[str] | None = None) -> np.ndarray:
    """Positions by descending score; ties broken by id (or position) so the order is stable."""
    scores = np.asarray(scores)
    secondary = np.arange(len(scores)) if ids is None else np.asarray(ids, dtype=str)
    return np.lexsort((secondary, -scores))


def propagate_labels(
    item_scores: np.ndarray, item_labels: Sequence[Sequence[int]], n_labels: int, neighbours: int
) -> tuple[np.ndarray, np.ndarray]:
    """Label scores lent by the closest items: each label gets the best score among the `neighbours`
    top-scoring items that carry it. Returns (scores in [0, 1], position of the lending item or -1).
    (Discounting an item's later labels was measured and did not help: docs/evaluation.md.)"""
    out = np.zeros(n_labels, dtype=np.float32)
    via = np.full(n_labels, -1, dtype=np.int64)
    for i in rank_order(item_scores)[:neighbours]:
        score = float(item_scores[i])
        if score <= 0:
            break
        for label in item_labels[i]:
            if score > out[label]:
                out[label], via[label] = score, i
    return np.clip(out, 0.0, 1.0), via


@dataclass(frozen=True)
class PortfolioWeights:
    """How a local government's score is made from its portfolio of precedents."""

    best_precedent: float = 0.8
    country_experience: float = 0.2
    # Cases in the partner country that count as full experience.
    country_cases_for_full: int = 2


def portfolio_pairs(precedent_lgs: Sequence[Sequence[str]], lg_codes: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(precedent position, government position) for every government of every precedent."""
    position = {code: i for i, code in enumerate(lg_codes)}
    pairs = [(p, position[code]) for p, lgs in enumerate(precedent_lgs) for code in lgs if code in position]
    return (np.array([p for p, _ in pairs], dtype=np.int64), np.array([g for _, g in pairs], dtype=np.int64))


def rank_governments(
    precedent_scores: np.ndarray,
    precedent_lgs: Sequence[Sequence[str]],
    precedent_countries: Sequence[Sequence[str]],
    lg_codes: Sequence[str],
    country: str | None,
    weights: PortfolioWeights = PortfolioWeights(),
    *,
    pairs: tuple[np.ndarray, np.ndarray] | None = None,
    in_country: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Score every government from its precedents: best match plus experience in the partner country.

    Returns arrays aligned with lg_codes: score, best (score of the best precedent), best_index
    (position of that precedent, -1 when none), n_cases, n_country (cases in the partner country),
    country_experience in [0, 1]. Without a partner country the score is the best match alone.
    `pairs` (from portfolio_pairs) and `in_country` (one flag per precedent) may be passed precomputed.
    """
    n = len(lg_codes)
    pair_prec, pair_lg = pairs if pairs is not None else portfolio_pairs(precedent_lgs, lg_codes)
    scores = np.asarray(precedent_scores, dtype=np.float32)
    best = np.zeros(n, dtype=np.float32)
    best_index = np.full(n, -1, dtype=np.int64)
    n_cases = np.bincount(pair_lg, minlength=n).astype(np.int64)
    if in_country is None:
        in_country = np.array([country is not None and country in c for c in precedent_countries], dtype=bool)
    n_country = np.bincount(pair_lg, weights=in_country[pair_prec], minlength=n).astype(np.int64)
    if len(pair_prec):
        # best precedent per government; ties go to the earlier precedent, as a loop over them would
        order = np.lexsort((pair_prec, -scores[pair_prec], pair_lg))
        first = order[np.r_[True, pair_lg[order][1:] != pair_lg[order][:-1]]]
        best[pair_lg[first]] = scores[pair_prec[first]]
        best_index[pair_lg[first]] = pair_prec[first]
    experience = np.minimum(1.0, n_country / max(1, weights.country_cases_for_full)).astype(np.float32)
    if country is None:
        score = best.copy()
    else:
        total = weights.best_precedent + weights.country_experience
        score = (weights.best_precedent * best + weights.country_experience * experience) / total
    score = np.where(n_cases > 0, score, 0.0).astype(np.float32)
    return {
        "score": np.clip(score, 0.0, 1.0),
        "best": best,
        "best_index": best_index,
        "n_cases": n_cases,
        "n_country": n_country,
        "country_experience": experience,
    }
