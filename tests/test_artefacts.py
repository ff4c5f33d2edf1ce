"""Builds killed mid-way, builds racing each other, and no unpickling of anything a user could swap."""

import os
import re
import signal
import subprocess
import sys
import time

import pytest
from conftest import DATA, ROOT

from recommender import Recommender

pytestmark = pytest.mark.model


def _build_cmd(models):
    return [sys.executable, "-m", "recommender", "build", "--data-dir", str(DATA), "--models-dir", str(models)]


def _env():
    return dict(os.environ, HF_HUB_OFFLINE="1", PYTHONPATH=str(ROOT))


@pytest.mark.parametrize("delay", [3.0, 6.0, 9.0])
def test_a_killed_build_leaves_a_loadable_index(recommender, tmp_path, delay):
    models = tmp_path / "models"
    subprocess.run(_build_cmd(models), env=_env(), check=True, capture_output=True)
    before = Recommender(DATA, models).load().info()["precedents"]["built_at"]
    proc = subprocess.Popen(_build_cmd(models), env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    rec = Recommender(DATA, models).load()  # the old index or the new one, never a broken one
    assert rec.info()["precedents"]["built_at"] >= before
    assert rec.recommend("water supply for Laos").to_dict()["precedents"]


def test_two_builds_at_once_take_turns(tmp_path):
    models = tmp_path / "models"
    procs = [
        subprocess.Popen(_build_cmd(models), env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    Recommender(DATA, models).load()
    assert sorted(p.name for p in models.iterdir()) == [
        ".build.lock",
        "minilm-onnx",
        "partner_needs",
        "precedents",
        "sdg_targets",
        "use-m3",
    ]


def test_nothing_is_unpickled():
    sources = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "recommender").glob("*.py"))
    assert not re.search(r"^\s*(import|from)\s+(pickle|joblib|cloudpickle|dill)\b", sources, re.M)
    assert "torch.load" not in sources
    for call in re.findall(r"np\.load\([^)]*\)", sources):
        assert "allow_pickle=False" in call, call
