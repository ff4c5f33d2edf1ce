"""Peak memory and time of the near-duplicate flags on a huge call, sketch against the vectors kept.

    python benchmarks/near_duplicate_memory.py [--sizes 20000 100000] [--dim 896]

Each size runs in a new process: the call's vectors are made as the batch keeps them (float16 row
blocks of 1,024, clustered, a tenth of them with a near copy), then `flags.near_duplicates` runs on
the blocks through the IVF-PQ sketch. Prints one Markdown row per size: the RSS before the flags
(interpreter, libraries and the kept vectors), the peak during them, and the difference per row.
"""

import argparse
import subprocess
import sys

CHILD = """
import resource, sys, time
import numpy as np
from recommender.flags import near_duplicates

n, dim = int(sys.argv[1]), int(sys.argv[2])
rng = np.random.default_rng(0)
centres = rng.standard_normal((500, dim)).astype(np.float32)
blocks = []
for start in range(0, n, 1024):
    m = min(1024, n - start)
    v = centres[rng.integers(0, 500, m)] + 0.8 * rng.standard_normal((m, dim)).astype(np.float32)
    copies = rng.random(m) < 0.1
    v[copies] = np.roll(v, 1, axis=0)[copies] + 0.05 * rng.standard_normal((int(copies.sum()), dim))
    blocks.append((v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float16))
import faiss  # loaded before the baseline, as in a scoring process
def rss_mb():
    with open("/proc/self/status") as handle:
        return next(int(line.split()[1]) for line in handle if line.startswith("VmRSS")) / 1024
before = rss_mb()
start = time.perf_counter()
flags = near_duplicates([f"P{i}" for i in range(n)], blocks, 0.92, exact_limit=0)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"| {n:,} | {seconds:.0f} s | {len(flags):,} | {before:.0f} MB | {peak:.0f} MB | "
      f"{(peak - before) * 1024 / n:.2f} KB |")
"""

parser = argparse.ArgumentParser()
parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 100_000])
parser.add_argument("--dim", type=int, default=896)
args = parser.parse_args()
print("| rows | time | rows flagged | RSS before the flags | peak | peak over before, per row |")
print("|---|---|---|---|---|---|")
for n in args.sizes:
    out = subprocess.run([sys.executable, "-c", CHILD, str(n), str(args.dim)], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(out.stderr[-2000:])
    print(out.stdout.strip(), flush=True)
