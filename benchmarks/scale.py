"""The scale table of `recommender bench` alone, for chosen sizes (the full bench runs 10k, 100k and 1M).

    python benchmarks/scale.py [--sizes 100000 1000000] [--json PATH]

Prints one Markdown row per size: index kind, build time, per-query p50 / mean, recall@10 against
exact search, what the index holds in memory, per million vectors, and its fp16 copy on disk.
"""

import argparse
import json
from pathlib import Path

from recommender import Recommender
from recommender.bench import scale

parser = argparse.ArgumentParser()
parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
parser.add_argument("--json", type=Path, default=None)
args = parser.parse_args()
rows = []
print("| precedents | index | build | per query p50 / mean | recall@10 | in memory | per million | fp16 on disk |")
print("|---|---|---|---|---|---|---|---|")
for size in args.sizes:
    row = scale(Recommender.open(), sizes=(size,))[0]
    rows.append(row)
    print(
        f"| {row['size']:,} | {row['index']} | {row['build_s']:.0f} s | {row['query_p50_ms']:.2f} / "
        f"{row['query_ms']:.2f} ms | {row['recall_at_10']:.3f} | {row['vectors_mb']:.0f} MB | "
        f"{row['memory_per_million_mb']:.0f} MB | {row['rerank_copy_mb']:.0f} MB |",
        flush=True,
    )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
