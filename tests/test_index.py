"""Index folders: round trip, stale and damaged folders refused, interrupted swap recovered."""

import json
import os

import numpy as np
import pytest

from recommender.errors import NotBuiltError, StaleIndexError
from recommender.index import EXACT_SEARCH_LIMIT, VectorIndex, choose_index_kind


def _index(n=50, d=16, seed=0, fingerprint="abc"):
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(n, d)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = [f"item{i // 2}" for i in range(n)]
    return vectors, VectorIndex.build(vectors, ids, ["en"] * n, catalogue="c", embedder_id="e", fingerprint=fingerprint)


def test_round_trip_keeps_ids_and_scores(tmp_path):
    vectors, index = _index()
    index.save(tmp_path / "c")
    loaded = VectorIndex.load(tmp_path / "c", expect={"embedder": "e", "catalogue_fingerprint": "abc"})
    assert loaded.item_ids.tolist() == index.item_ids.tolist()
    s1, r1 = index.search(vectors[:3], 5)
    s2, r2 = loaded.search(vectors[:3], 5)
    assert r1.tolist() == r2.tolist() and np.allclose(s1, s2)
    assert r1[:, 0].tolist() == [0, 1, 2]  # each vector finds itself first


def test_stale_fingerprint_or_embedder_is_refused_with_the_command(tmp_path):
    _, index = _index()
    index.save(tmp_path / "c")
    with pytest.raises(StaleIndexError, match="recommender build"):
        VectorIndex.load(tmp_path / "c", expect={"catalogue_fingerprint": "changed"})
    with pytest.raises(StaleIndexError, match="embedder"):
        VectorIndex.load(tmp_path / "c", expect={"embedder": "other"})
    with pytest.raises(NotBuiltError):
        VectorIndex.load(tmp_path / "missing")


def test_truncated_index_file_is_detected(tmp_path):
    _, index = _index()
    folder = index.save(tmp_path / "c")
    data = (folder / "index.faiss").read_bytes()
    (folder / "index.faiss").write_bytes(data[: len(data) // 2])
    with pytest.raises(StaleIndexError, match="does not match its manifest"):
        VectorIndex.load(folder)


def test_interrupted_swap_recovers_the_previous_index(tmp_path):
    _, index = _index()
    folder = index.save(tmp_path / "c")
    # a build that died after moving the old folder aside and before moving the new one in
    os.rename(folder, tmp_path / ".c.old-deadbeef")
    loaded = VectorIndex.load(folder)
    assert loaded.manifest["count"] == 50 and folder.is_dir()


def test_manifest_describes_the_build(tmp_path):
    _, index = _index(fingerprint="f1")
    folder = index.save(tmp_path / "c")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["count"] == 50 and manifest["items"] == 25 and manifest["dim"] == 16
    assert manifest["catalogue_fingerprint"] == "f1" and manifest["index_kind"] == "flat"
    assert set(manifest["libraries"]) >= {"faiss-cpu", "numpy"} and manifest["built_at"]


def test_index_kind_heuristic():
    from recommender.index import hnsw_ef_search

    assert hnsw_ef_search(100_000) == 256 and hnsw_ef_search(1_000_000) == 2048
    assert choose_index_kind(1_000) == "flat"
    assert choose_index_kind(EXACT_SEARCH_LIMIT) == "ivf_pq"
    with pytest.raises(ValueError):
        choose_index_kind(-1)


def test_hnsw_agrees_with_exact_search_on_clustered_vectors():
    rng = np.random.default_rng(1)
    centres = rng.normal(size=(20, 32))
    vectors = (centres[rng.integers(0, 20, 3000)] + 0.3 * rng.normal(size=(3000, 32))).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = [str(i) for i in range(3000)]
    exact = VectorIndex.build(vectors, ids, ["en"] * 3000, catalogue="c", embedder_id="e", fingerprint="f", kind="flat")
    approx = VectorIndex.build(
        vectors, ids, ["en"] * 3000, catalogue="c", embedder_id="e", fingerprint="f", kind="hnsw"
    )
    queries = vectors[:100] + 0.05 * rng.normal(size=(100, 32)).astype(np.float32)
    _, truth = exact.search(queries, 10)
    _, found = approx.search(queries, 10)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(truth, found)])
    assert recall >= 0.95


def test_loading_while_another_process_saves(tmp_path):
    """A library loop loading the index while another process keeps saving it never sees a missing
    or half-swapped folder (issue 15: 17 FileNotFoundErrors in 40 s before)."""
    import subprocess
    import sys
    import time
    from pathlib import Path

    _, index = _index()
    folder = index.save(tmp_path / "c")
    root = str(Path(__file__).resolve().parents[1])
    saver = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import sys, time; sys.path.insert(0, {root!r}); sys.path.insert(0, {str(Path(__file__).parent)!r});"
            f"from test_index import _index; indexes = [_index(seed=s)[1] for s in (1, 2)]; end = time.time() + 10\n"
            f"while time.time() < end: indexes[int(time.time() * 1000) % 2].save({str(folder)!r})",
        ]
    )
    try:
        loads, deadline = 0, time.monotonic() + 30
        while saver.poll() is None and time.monotonic() < deadline:
            loaded = VectorIndex.load(folder, expect={"embedder": "e", "catalogue_fingerprint": "abc"})
            assert loaded.manifest["count"] == 50
            loads += 1
    finally:
        saver.wait(30)
    assert saver.returncode == 0 and loads > 10
