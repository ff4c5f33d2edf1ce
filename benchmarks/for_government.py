"""How long `recommender for-government` takes: warm (in one process, every one of the 243 governments,
both languages, after one call has made the officer's view) and whole process from outside (the CLI,
median of several runs, which includes opening the recommender). Writes docs/for_government.md.

    python benchmarks/for_government.py [--runs 5]
"""

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from recommender import Recommender
from recommender.bench import machine

ROOT = Path(__file__).resolve().parents[1]
parser = argparse.ArgumentParser()
parser.add_argument("--runs", type=int, default=5)
args = parser.parse_args()

rec = Recommender.open()
start = time.perf_counter()
rec.for_government("수원시", lang="ko")
first = time.perf_counter() - start
warm = []
for code in rec.catalogues.local_governments["code"]:
    for lang in ("ko", "en"):
        start = time.perf_counter()
        rec.for_government(code, lang=lang)
        warm.append(time.perf_counter() - start)
warm.sort()
process = []
for _ in range(args.runs):
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "recommender", "for-government", "경기도 수원시", "--json"],
        check=True,
        capture_output=True,
    )
    process.append(time.perf_counter() - start)
lines = [
    "# `recommender for-government`: time to answer",
    "",
    "Written by `python benchmarks/for_government.py`.",
    "",
    f"Machine: {machine()}",
    "",
    f"- First call in a process (the officer's view is made, partner countries' places read): {first:.2f} s",
    f"- Warm, every government in both languages ({len(warm)} calls): median {statistics.median(warm) * 1000:.0f} ms, "
    f"95th percentile {warm[int(0.95 * len(warm))] * 1000:.0f} ms, slowest {warm[-1] * 1000:.0f} ms",
    f"- Whole process from outside (`recommender for-government 경기도 수원시 --json`, models built): median "
    f"{statistics.median(process):.1f} s of {args.runs} runs (min {min(process):.1f} s), most of it opening the "
    "recommender",
    "",
]
(ROOT / "docs" / "for_government.md").write_text("\n".join(lines), encoding="utf-8")
print("\n".join(lines))
