"""Pure ranking functions on arrays: no model, no files. The facade encodes and calls these."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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


def mean_best_per_language(
    scores: np.ndarray, rows: np.ndarray, row_items: np.ndarray, row_languages: np.ndarray, n_items: int
) -> np.ndarray:
    """Per item, the best score of each of its language versions, averaged over the versions returned.

    Like `best_per_item`, but an item written in two languages is read in both: a query in one
    language otherwise meets the version in its own language best and ranks items by that version's
    wording, so the same proposal in two languages would rank by two different texts. Items never
    returned get -1."""
    languages = np.unique(row_languages)
    total = np.zeros(n_items, dtype=np.float32)
    count = np.zeros(n_items, dtype=np.float32)
    valid = rows >= 0
    for lang in languages:
        keep = valid.copy()
        keep[valid] = row_languages[rows[valid]] == lang
        best = best_per_item(np.where(keep, scores, 0.0), np.where(keep, rows, -1), row_items, n_items)
        seen = best > -1.0
        total[seen] += best[seen]
        count[seen] += 1.0
    out = np.full(n_items, -1.0, dtype=np.float32)
    np.divide(total, count, out=out, where=count > 0)
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
