"""Compressed vectors against exact search: the IVF-PQ index kind and the near-duplicate sketch."""

import numpy as np
import pytest

from recommender.flags import near_duplicates
from recommender.index import EXACT_SEARCH_LIMIT, IVFPQParams, VectorIndex, choose_index_kind


def clustered(n: int, centres: np.ndarray, rng: np.random.Generator, noise: float = 0.6) -> np.ndarray:
    """Unit vectors around the given centres: neighbours are close, as in a real catalogue."""
    v = centres[rng.integers(0, len(centres), n)] + noise * rng.standard_normal((n, centres.shape[1]))
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def centres(k: int, dim: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((k, dim))


def recall_at_10(truth: np.ndarray, found: np.ndarray) -> float:
    return float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(truth, found)]))


def test_big_catalogues_get_the_compressed_kind():
    assert choose_index_kind(EXACT_SEARCH_LIMIT - 1) == "flat"
    assert choose_index_kind(EXACT_SEARCH_LIMIT) == "ivf_pq"
    params = IVFPQParams.for_size(1_000_000, 896)
    assert params.m == 112 and 896 % params.m == 0  # 112 bytes a vector
    assert IVFPQParams.for_size(1_000, 30).m == 3  # a divisor of any dimension


def test_ivf_pq_meets_recall_against_exact_search_and_keeps_exact_scores(tmp_path):
    rng = np.random.default_rng(0)
    topics = centres(200, 64, 0)
    vectors = clustered(20_000, topics, rng)
    queries = clustered(200, topics, np.random.default_rng(1))  # new proposals on the same topics
    truth_scores = queries @ vectors.T
    truth = np.argsort(-truth_scores, axis=1)[:, :10]
    ids = [f"c{i}" for i in range(len(vectors))]
    index = VectorIndex.build(
        vectors, ids, ["en"] * len(ids), catalogue="c", embedder_id="e", fingerprint="f", kind="ivf_pq"
    )
    assert index.manifest["index_kind"] == "ivf_pq" and index.manifest["ivf_pq"]["m"] == 8
    scores, rows = index.search(queries, 10)
    assert recall_at_10(truth, rows) >= 0.95
    # re-ranked scores are the exact inner products (up to half precision), best first
    exact = np.take_along_axis(truth_scores, rows, axis=1)
    assert np.allclose(scores, exact, atol=2e-3)
    assert np.all(np.diff(scores, axis=1) <= 1e-6)
    # saved and loaded: the fp16 copy comes back memory-mapped and answers the same
    index.save(tmp_path / "c")
    assert (tmp_path / "c" / "rerank.f16.npy").is_file()
    loaded = VectorIndex.load(tmp_path / "c", expect={"embedder": "e"})
    assert isinstance(loaded.rerank, np.memmap)
    assert np.array_equal(loaded.search(queries, 10)[1], rows)


def test_a_damaged_rerank_copy_is_refused(tmp_path):
    from recommender.errors import StaleIndexError

    vectors = clustered(3_000, centres(20, 16, 2), np.random.default_rng(2))
    ids = [str(i) for i in range(len(vectors))]
    VectorIndex.build(
        vectors, ids, ["en"] * len(ids), catalogue="c", embedder_id="e", fingerprint="f", kind="ivf_pq"
    ).save(tmp_path / "c")
    path = tmp_path / "c" / "rerank.f16.npy"
    data = bytearray(path.read_bytes())
    data[-3] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(StaleIndexError, match="does not match its manifest"):
        VectorIndex.load(tmp_path / "c")


def planted_call(n: int, dim: int, seed: int) -> tuple[list[str], np.ndarray]:
    """Clustered proposals, some with one to three planted near copies (cosine 0.93-0.999 to the
    original), some at cosines just under 0.92, all as float16 as the batch keeps them."""
    rng = np.random.default_rng(seed)
    v = clustered(n, centres(50, dim, seed), rng)
    originals = rng.choice(n, n // 10, replace=False)
    for j, o in enumerate(originals):
        for _ in range(1 + j % 3):
            target = rng.choice([0.93, 0.96, 0.999, 0.90, 0.91])
            noise = rng.standard_normal(dim).astype(np.float32)
            noise -= (noise @ v[o]) * v[o]
            noise /= np.linalg.norm(noise)
            copy = target * v[o] + np.sqrt(1 - target**2) * noise
            slot = rng.integers(0, n)
            if slot not in originals:
                v[slot] = copy
    return [f"P{i}" for i in range(n)], v.astype(np.float16)


@pytest.mark.parametrize("seed", [0])
def test_the_near_duplicate_sketch_gives_the_exact_answers(seed):
    ids, vectors = planted_call(4_000, 96, seed)
    exact = near_duplicates(ids, vectors, 0.92)
    sketched = near_duplicates(ids, vectors, 0.92, exact_limit=1_000)
    assert len(exact) > 300  # the planted pairs are found
    assert sketched == exact
    # row blocks, as a batch collects them, give the same answers as one array
    blocks = [vectors[i : i + 700] for i in range(0, len(vectors), 700)]
    assert near_duplicates(ids, blocks, 0.92, exact_limit=1_000) == exact
