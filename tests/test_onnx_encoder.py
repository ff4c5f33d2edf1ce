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


def test_quantised_encoder_agrees_with_the_reference(recommender):
    onnx_part = recommender.embedder.parts[0]
    assert onnx_part.id.startswith("onnx:")
    texts = english_texts()
    assert len(texts) > 80
    cosines = np.sum(onnx_part.encode(texts) * SentenceTransformerEmbedder().encode(texts), axis=1)
    assert cosines.min() >= 0.99, f"lowest cosine {cosines.min():.4f} on {texts[int(cosines.argmin())][:80]!r}"


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
