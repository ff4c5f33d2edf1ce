"""The int8 ONNX MiniLM against the fp32 PyTorch reference, its manifest, and a query path without torch."""

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import DATA, ROOT

from recommender.embedders import SentenceTransformerEmbedder, detect_language, make_embedder
from recommender.errors import NotBuiltError, StaleIndexError
from recommender.onnx_encoder import check_export

pytestmark = pytest.mark.model


def english_texts() -> list[str]:
    """The probe set's English queries, the English target texts and the English precedent descriptions."""
    probe = pd.read_csv(ROOT / "eval/probe_pairs.csv", dtype=str, keep_default_na=False)
    targets = pd.read_csv(DATA / "sdg_targets.csv", dtype=str, keep_default_na=False)
    precedents = pd.read_csv(DATA / "precedents.csv", dtype=str, keep_default_na=False)
    texts = [q for q in probe["query"] if detect_language(q) == "en"]
    texts += targets["text_en"].tolist()[::3] + precedents["description_en"].tolist()[::4]
    return [t for t in texts if t]


# Bounds from benchmarks/int8_agreement.py (docs/robustness.md): over the int8 code paths one machine reaches
# (fused and unfused graphs, batches of 1 and 8) the lowest cosine was 0.9894-0.9902 and the mean 0.9954-0.9955,
# the top-1 target the reference's for 97% of queries, the top 5 overlapping 92-94%; another CPU's kernels gave
# a lowest cosine of 0.9894 too. The bounds leave ten times the spread between paths; a broken export (wrong
# weights, pooling or tokenizer) falls far below every one of them.
AGREEMENT = {"lowest cosine": 0.98, "mean cosine": 0.99, "top-1 same": 0.90, "top-5 overlap": 0.85}


def agreement(vectors: np.ndarray, reference: np.ndarray, targets: np.ndarray) -> dict[str, float]:
    """How the int8 vectors agree with the fp32 ones: cosines, and the SDG targets each query ranks first."""
    cosines = np.sum(vectors * reference, axis=1)
    ours, theirs = (np.argsort(-(v @ targets.T), axis=1) for v in (vectors, reference))
    return {
        "lowest cosine": float(cosines.min()),
        "mean cosine": float(cosines.mean()),
        "top-1 same": float(np.mean(ours[:, 0] == theirs[:, 0])),
        "top-5 overlap": float(np.mean([len(set(a[:5]) & set(b[:5])) / 5 for a, b in zip(ours, theirs)])),
    }


def test_quantised_encoder_agrees_with_the_reference(recommender):
    onnx_part = recommender.embedder.parts[0]
    assert onnx_part.id.startswith("onnx:")
    texts = english_texts()
    assert len(texts) > 80
    reference = SentenceTransformerEmbedder()
    targets = pd.read_csv(DATA / "sdg_targets.csv", dtype=str, keep_default_na=False)["text_en"].tolist()
    fp32, target_vectors = reference.encode(texts), reference.encode(targets)
    int8 = onnx_part.encode(texts)
    measured = agreement(int8, fp32, target_vectors)
    assert all(measured[k] >= bound for k, bound in AGREEMENT.items()), measured
    # the bounds tell a damaged encoder from a quantised one: the same vectors with a fifth of their
    # dimensions scrambled fail them
    damaged = int8.copy()
    damaged[:, ::5] = np.random.default_rng(0).permutation(damaged[:, ::5], axis=0)
    damaged /= np.linalg.norm(damaged, axis=1, keepdims=True)
    worse = agreement(damaged, fp32, target_vectors)
    assert not all(worse[k] >= bound for k, bound in AGREEMENT.items()), worse


def test_a_vector_does_not_depend_on_the_texts_encoded_with_it(recommender):
    onnx_part = recommender.embedder.parts[0]
    texts = english_texts()[:6]
    together = onnx_part.encode(texts)
    assert np.array_equal(together[2], onnx_part.encode(texts[2:3])[0])


def test_encoder_ids_differ_so_indexes_rebuild(models_dir):
    ids = {spec: make_embedder(spec, models_dir=models_dir).id for spec in ("fused", "fused-torch", "minilm")}
    assert len(set(ids.values())) == 3
    assert "int8" in ids["fused"] and "opset" in ids["fused"]


def test_a_stale_or_damaged_export_is_refused(recommender, tmp_path):
    source = SentenceTransformerEmbedder._bundled_minilm()
    folder = tmp_path / "minilm-onnx"
    shutil.copytree(recommender.models_dir / "minilm-onnx", folder)
    manifest = check_export(folder, source)
    assert manifest["opset"] >= 13 and "int8" in manifest["quantisation"] and len(manifest["source_hash"]) == 64

    other = dict(manifest, source_hash="0" * 64, source_stat=[])  # exported from another model
    (folder / "manifest.json").write_text(json.dumps(other), encoding="utf-8")
    with pytest.raises(StaleIndexError, match="exported from another model"):
        check_export(folder, source)

    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with (folder / "model.onnx").open("r+b") as handle:
        handle.seek(1000)
        handle.write(b"\x00\x01\x02")
    with pytest.raises(StaleIndexError, match="damaged or edited"):
        check_export(folder, source)

    shutil.rmtree(folder)
    with pytest.raises(NotBuiltError, match="recommender build"):
        check_export(folder, source)


def test_an_english_answer_needs_no_torch(recommender):
    code = (
        "import sys; from recommender import Recommender; "
        f"r = Recommender({str(DATA)!r}, {str(recommender.models_dir)!r}).load(); "
        "r.recommend('Fire trucks and firefighter training for a provincial fire service'); "
        "print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        timeout=300,
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"
