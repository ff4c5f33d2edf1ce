"""Recall@10 and per-query time of the HNSW index against its search breadth (efSearch).

    python benchmarks/hnsw_ef.py [--size 1000000]

Same synthetic catalogue and queries as `recommender bench` (clustered mixes of real precedent
vectors); prints a Markdown table. Used to choose EF_SEARCH in recommender/index.py.
"""

import argparse
import time

import faiss
import numpy as np

from recommender import Recommender
from recommender.bench import bench_texts, clustered_vectors
from recommender.embedders import encode_queries
from recommender.index import VectorIndex

parser = argparse.ArgumentParser()
parser.add_argument("--size", type=int, default=1_000_000)
parser.add_argument("--queries", type=int, default=200)
args = parser.parse_args()
rec = Recommender.open()
rng = np.random.default_rng(0)
base = rec.indexes["precedents"].index
vectors = clustered_vectors(base.reconstruct_n(0, base.ntotal).astype(np.float32), args.size, rng)
texts = bench_texts(rec)
q = encode_queries(rec.embedder, [texts[i % len(texts)] for i in range(args.queries)])
exact = faiss.IndexFlatIP(vectors.shape[1])
exact.add(vectors)
truth = exact.search(q, 10)[1]
del exact
start = time.perf_counter()
index = VectorIndex.build(
    vectors,
    np.arange(args.size).astype(str),
    np.full(args.size, "en"),
    catalogue="s",
    embedder_id="e",
    fingerprint="f",
    kind="hnsw",
)
print(f"build {time.perf_counter() - start:.1f} s for {args.size:,} vectors\n")
print("| efSearch | per query | recall@10 |\n|---|---|---|")
for ef in (64, 128, 256, 512, 1024, 2048):
    index.index.hnsw.efSearch = ef
    start = time.perf_counter()
    for i in range(args.queries):
        index.index.search(q[i : i + 1], 10)
    ms = (time.perf_counter() - start) * 1000 / args.queries
    found = index.index.search(q, 10)[1]
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(truth, found)])
    print(f"| {ef} | {ms:.2f} ms | {recall:.3f} |", flush=True)
