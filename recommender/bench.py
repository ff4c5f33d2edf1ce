"""`recommender bench`: measured latency, throughput, cold start, memory and index build time.

Numbers go to docs/benchmarks.md (and JSON on request); nothing here is asserted by the tests.
The proposals are real texts: the gold proposals, the probe queries and the precedent descriptions,
in both languages.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from .embedders import encode_queries
from .index import VectorIndex, choose_index_kind
from .text import split_passages

ROOT = Path(__file__).resolve().parents[1]
CHUNK = 1024  # proposals per recommend_many call: the default chunk of batch.score_file


def bench_texts(rec) -> list[str]:
    texts = []
    for path, column in ((ROOT / "eval/gold_proposals.csv", "text"), (ROOT / "eval/probe_pairs.csv", "query")):
        if path.is_file():
            texts += pd.read_csv(path, dtype=str, keep_default_na=False)[column].tolist()
    p = rec.catalogues.precedents
    texts += [t for t in p["description_en"].tolist() + p["description_ko"].tolist() if t]
    return texts


def machine() -> dict:
    cpu = ""
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        pass
    mem = ""
    try:
        kb = int(
            next(
                line.split()[1]
                for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")
            )
        )
        mem = f"{kb / 1024**2:.0f} GiB"
    except (OSError, StopIteration):
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": mem,
        "python": platform.python_version(),
        "system": platform.platform(),
    }


def latency(rec, texts: list[str], n: int) -> dict:
    rec.recommend(texts[0])  # warm
    times = []
    for i in range(n):
        start = time.perf_counter()
        rec.recommend(texts[i % len(texts)])
        times.append((time.perf_counter() - start) * 1000)
    return {
        "query_n": n,
        "query_p50_ms": float(np.percentile(times, 50)),
        "query_p95_ms": float(np.percentile(times, 95)),
        "query_mean_ms": float(np.mean(times)),
    }


def batch(rec, texts: list[str], n: int) -> dict:
    proposals = [texts[i % len(texts)] for i in range(n)]
    passages = [s for t in proposals for s in split_passages(t)]
    start = time.perf_counter()
    encode_queries(rec.embedder, passages)
    encode_only = time.perf_counter() - start
    start = time.perf_counter()
    for i in range(0, n, CHUNK):  # as `recommender score` does
        rec.recommend_many(proposals[i : i + CHUNK])
    total = time.perf_counter() - start
    return {
        "batch_n": n,
        "batch_s": total,
        "encode_only_s": encode_only,
        "batch_to_encode_ratio": total / encode_only,
        "batch_per_s": n / total,
    }


def cold_start(data_dir: Path, models_dir: Path) -> dict:
    code = (
        "import time; t=time.perf_counter(); from recommender import Recommender; "
        f"r=Recommender({str(data_dir)!r}, {str(models_dir)!r}).load(); "
        "r.recommend('캄보디아 소방차 지원'); print(time.perf_counter()-t)"
    )
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=dict(os.environ, HF_HUB_OFFLINE="1"),
    )
    wall = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "cold_start_s": wall,
        "cold_start_in_process_s": float(out.stdout.strip().splitlines()[-1]),
        "peak_rss_mb": peak_kb / 1024,
    }


def build_times(rec_class, data_dir: Path, embedder) -> dict:
    from .catalogue import INDEXED, load_catalogues
    from .catalogue import index_passages as _documents
    from .embedders import encode_documents

    cat = load_catalogues(data_dir)
    out = {}
    for name in INDEXED:
        ids, texts, langs = _documents(cat, name)
        start = time.perf_counter()
        vectors = encode_documents(embedder, texts, langs)
        encoded = time.perf_counter() - start
        index = VectorIndex.build(vectors, ids, langs, catalogue=name, embedder_id=embedder.id, fingerprint="bench")
        with tempfile.TemporaryDirectory() as tmp:
            index.save(Path(tmp) / name)
        out[name] = {"vectors": len(texts), "encode_s": encoded, "total_s": time.perf_counter() - start}
    return out


def clustered_vectors(seed_vectors: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Vectors like a real catalogue's: each the normalised mix of 2-3 real passage vectors plus a little
    noise (what recombining sentences of real cases gives), so they cluster as real ones do."""
    picks = rng.integers(0, len(seed_vectors), size=(n, 3))
    weights = rng.dirichlet([1.0, 1.0, 0.5], size=n).astype(np.float32)
    out = np.einsum("nk,nkd->nd", weights, seed_vectors[picks])
    out += 0.02 * rng.standard_normal(out.shape, dtype=np.float32)
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def scale(rec, sizes=(10_000, 100_000, 1_000_000), queries: int = 200, seed: int = 0) -> list[dict]:
    """Index kind chosen by the heuristic at each size, against exact search as the oracle."""
    import faiss

    rng = np.random.default_rng(seed)
    base = rec.indexes["precedents"].index
    seed_vectors = base.reconstruct_n(0, base.ntotal).astype(np.float32)
    texts = bench_texts(rec)
    q = encode_queries(rec.embedder, [texts[i % len(texts)] for i in range(queries)])
    rows = []
    for n in sizes:
        vectors = clustered_vectors(seed_vectors, n, rng)
        exact = faiss.IndexFlatIP(vectors.shape[1])
        exact.add(vectors)
        truth = exact.search(q, 10)[1]
        kind = choose_index_kind(n)
        start = time.perf_counter()
        index = VectorIndex.build(
            vectors,
            np.arange(n).astype(str),
            np.full(n, "en"),
            catalogue="scale",
            embedder_id=rec.embedder.id,
            fingerprint="scale",
            kind=kind,
        )
        build_s = time.perf_counter() - start
        start = time.perf_counter()
        for i in range(queries):
            index.search(q[i : i + 1], 10)
        per_query_ms = (time.perf_counter() - start) * 1000 / queries
        found = index.search(q, 10)[1]
        recall = float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(truth, found)]))
        vectors_mb = vectors.nbytes / 1024**2
        rows.append(
            {
                "size": n,
                "index": kind,
                "build_s": build_s,
                "query_ms": per_query_ms,
                "recall_at_10": recall,
                "vectors_mb": vectors_mb,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
        del vectors, exact, index
    return rows


def run(rec, *, quick: bool, docs_dir: Path) -> dict:
    texts = bench_texts(rec)
    report = {"machine": machine(), "texts": len(texts), "quick": quick}
    report.update(latency(rec, texts, 200 if quick else max(400, len(texts))))
    report.update(batch(rec, texts, 300 if quick else 1000))
    report.update(cold_start(rec.data_dir, rec.models_dir))
    report["build"] = build_times(type(rec), rec.data_dir, rec.embedder)
    if not quick:
        report["scale"] = scale(rec)
    write_report(report, docs_dir)
    return report


def write_report(r: dict, docs_dir: Path) -> Path:
    m = r["machine"]
    lines = [
        "# Benchmarks",
        "",
        f"Written by `recommender bench{' --quick' if r['quick'] else ''}`. Machine: {m['cpu']}, "
        f"{m['cores']} cores, {m['memory']}, Python {m['python']}. Embedder: fused MiniLM + USE (the default).",
        "",
        "| measure | value |",
        "|---|---|",
        f"| warm single proposal, end to end (encode, search both catalogues, fuse, explain), {r['query_n']} "
        f"real texts: p50 / p95 | {r['query_p50_ms']:.1f} ms / {r['query_p95_ms']:.1f} ms |",
        f"| batch of {r['batch_n']} proposals end to end | {r['batch_s']:.2f} s ({r['batch_per_s']:.0f}/s) |",
        f"| encoding the same texts only | {r['encode_only_s']:.2f} s |",
        f"| ratio end to end / encode only | {r['batch_to_encode_ratio']:.2f} |",
        f"| cold start to first answer (new process: import, load model and indexes, answer) | "
        f"{r['cold_start_s']:.1f} s |",
        f"| peak memory of that process | {r['peak_rss_mb']:.0f} MB |",
    ]
    for name, b in r["build"].items():
        lines.append(f"| index build, {name} ({b['vectors']} vectors) | {b['total_s']:.1f} s |")
    lines.append("")
    if "scale" in r:
        lines += [
            "## Precedent catalogues at scale",
            "",
            "Synthetic catalogues whose vectors mix 2–3 real precedent passage vectors plus noise (so they "
            "cluster as real ones do); the index kind is the one `choose_index_kind` picks; recall@10 against "
            "exact inner-product search on the same vectors; 200 real query texts, one at a time.",
            "",
            "| precedents | index | build | per query | recall@10 | vectors in memory | process peak RSS |",
            "|---|---|---|---|---|---|---|",
        ]
        for s in r["scale"]:
            lines.append(
                f"| {s['size']:,} | {s['index']} | {s['build_s']:.1f} s | {s['query_ms']:.2f} ms | "
                f"{s['recall_at_10']:.3f} | {s['vectors_mb']:.0f} MB | {s['peak_rss_mb']:.0f} MB |"
            )
        lines.append("")
    docs_dir.mkdir(parents=True, exist_ok=True)
    path = docs_dir / "benchmarks.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    (docs_dir / "benchmarks.json").write_text(json.dumps(r, indent=2), encoding="utf-8")
    return path
