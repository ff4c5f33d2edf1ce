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

from .embedders import detect_language, encode_queries, find_part, make_embedder
from .index import VectorIndex, choose_index_kind, index_memory_bytes
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


def _timed(fn, *args) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of one call: CPU time shows the work when other
    processes share the machine."""
    cpu, wall = time.process_time(), time.perf_counter()
    fn(*args)
    return time.perf_counter() - wall, time.process_time() - cpu


def batch(rec, texts: list[str], n: int, reference: str | None = "fused-torch") -> dict:
    """End to end against encode-only on the same passages, and the encoders against the fp32 PyTorch
    reference (`reference`, an embedder name) on the same passages in the same run."""
    proposals = [texts[i % len(texts)] for i in range(n)]
    passages = [s for t in proposals for s in split_passages(t)]
    encode_only, encode_cpu = _timed(encode_queries, rec.embedder, passages)
    start = time.perf_counter()
    for i in range(0, n, CHUNK):  # as `recommender score` does
        rec.recommend_many(proposals[i : i + CHUNK])
    total = time.perf_counter() - start
    out = {
        "batch_n": n,
        "batch_passages": len(passages),
        "batch_s": total,
        "encode_only_s": encode_only,
        "encode_only_cpu_s": encode_cpu,
        "batch_to_encode_ratio": total / encode_only,
        "batch_per_s": n / total,
    }
    if reference:
        ref = make_embedder(reference, models_dir=rec.models_dir)
        encode_queries(ref, passages[:4])  # load the model outside the timing, as for ours
        out["encode_reference_s"], out["encode_reference_cpu_s"] = _timed(encode_queries, ref, passages)
        out["encode_speedup"] = out["encode_reference_s"] / encode_only
        # the English encoder alone (the part that changed), on the English passages
        english = [p for p in passages if detect_language(p) == "en"]
        ours, theirs = find_part(rec.embedder, "onnx:"), find_part(ref, "st:")
        if ours and theirs and english:
            out["english_passages"] = len(english)
            out["minilm_s"], out["minilm_cpu_s"] = _timed(ours[0].encode, english)
            out["minilm_reference_s"], out["minilm_reference_cpu_s"] = _timed(theirs[0].encode, english)
            out["minilm_speedup"] = out["minilm_reference_s"] / out["minilm_s"]
    return out


COLD_TEXTS = {
    "en": "Fire trucks and firefighter training for the provincial fire service of Battambang, Cambodia",
    "ko": "캄보디아 바탐방주 소방차 지원 및 소방관 교육",
}


# Run in a new interpreter: `python -m recommender ARGS`, then its own peak resident memory (VmHWM: the
# rusage of a child spawned by a large parent counts the parent's pages it shared before exec).
_MAIN_REPORTING_PEAK = (
    "import runpy, sys\n"
    "try:\n"
    "    runpy.run_module('recommender', run_name='__main__', alter_sys=True)\n"
    "finally:\n"
    "    hwm = next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM'))\n"
    "    print('PEAK_KB', hwm, file=sys.stderr)\n"
)


def _one_cold_start(data_dir: Path, models_dir: Path, embedder: str, text: str) -> dict:
    """`python -m recommender match TEXT` in a new process, timed from outside: its wall time, the CPU
    time of all its threads (the kernel's account of the reaped child) and its peak memory."""
    args = ["match", text, "--country", "KH", "--data-dir", str(data_dir), "--models-dir", str(models_dir)]
    args += ["--embedder", embedder]
    env = dict(os.environ, HF_HUB_OFFLINE="1", PYTHONPATH=str(ROOT))
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-c", _MAIN_REPORTING_PEAK, *args], stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    if child.returncode != 0:
        raise RuntimeError(f"the cold-start run failed (exit {child.returncode}): {stderr[-2000:]}")
    peak_kb = next(line.split()[1] for line in stderr.splitlines() if line.startswith("PEAK_KB"))
    return {"s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "peak_mb": int(peak_kb) / 1024}


def cold_start(data_dir: Path, models_dir: Path, embedder: str = "fused", runs: int = 5, warmup: int = 1) -> dict:
    """What a user of the command line waits for: `python -m recommender match` in a new process, English
    and Korean, the median of `runs` after `warmup` runs not counted (so the files are in the page cache)."""
    out = {"cold_start_runs": runs, "cold_start_warmup": warmup, "cold_start_load_average": os.getloadavg()[0]}
    for lang, text in COLD_TEXTS.items():
        for _ in range(warmup):
            _one_cold_start(data_dir, models_dir, embedder, text)
        trials = [_one_cold_start(data_dir, models_dir, embedder, text) for _ in range(runs)]
        out[f"cold_start_{lang}_s"] = float(np.median([t["s"] for t in trials]))
        out[f"cold_start_{lang}_cpu_s"] = float(np.median([t["cpu_s"] for t in trials]))
        out[f"cold_start_{lang}_peak_mb"] = float(max(t["peak_mb"] for t in trials))
        out[f"cold_start_{lang}_runs_s"] = [round(t["s"], 3) for t in trials]
    out["cold_start_s"] = out["cold_start_en_s"]  # the figure earlier reports called cold start
    out["peak_rss_mb"] = out["cold_start_en_peak_mb"]
    return out


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
    dim = seed_vectors.shape[1]
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
        del vectors, exact
        with tempfile.TemporaryDirectory() as tmp:
            # searched as a saved index is: loaded back, its re-ranking copy memory-mapped
            index.save(Path(tmp) / "scale")
            index = VectorIndex.load(Path(tmp) / "scale", verify_files=False)
            times = []
            for i in range(queries):
                start = time.perf_counter()
                index.search(q[i : i + 1], 10)
                times.append((time.perf_counter() - start) * 1000)
            found = index.search(q, 10)[1]
            memory = index_memory_bytes(index.index, index.rerank)
            del index
        recall = float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(truth, found)]))
        rows.append(
            {
                "size": n,
                "index": kind,
                "build_s": build_s,
                "query_ms": float(np.mean(times)),
                "query_p50_ms": float(np.percentile(times, 50)),
                "recall_at_10": recall,
                "vectors_mb": memory["index_bytes"] / 1024**2,
                "rerank_copy_mb": memory["rerank_bytes"] / 1024**2,
                "memory_per_million_mb": memory["index_bytes"] / 1024**2 * 1_000_000 / n,
                "fp32_per_million_mb": 4 * dim * 1_000_000 / 1024**2,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    return rows


def run(rec, *, quick: bool, docs_dir: Path) -> dict:
    texts = bench_texts(rec)
    report = {"machine": machine(), "texts": len(texts), "quick": quick, "embedder": rec.embedder.id}
    report["load_average"] = os.getloadavg()[0]
    report.update(latency(rec, texts, 200 if quick else max(400, len(texts))))
    report.update(
        batch(rec, texts, 300 if quick else 1000, reference="fused-torch" if rec.embedder_spec == "fused" else None)
    )
    report.update(cold_start(rec.data_dir, rec.models_dir, rec.embedder_spec or "fused"))
    report["build"] = build_times(type(rec), rec.data_dir, rec.embedder)
    if not quick:
        report["scale"] = scale(rec)
    report["load_average_end"] = os.getloadavg()[0]
    write_report(report, docs_dir)
    return report


HAND_WRITTEN = "<!-- written by hand below: `recommender bench` keeps what follows -->"


def write_report(r: dict, docs_dir: Path) -> Path:
    m = r["machine"]
    lines = [
        "# Benchmarks",
        "",
        f"Written by `recommender bench{' --quick' if r['quick'] else ''}`. Machine: {m['cpu']}, "
        f"{m['cores']} cores, {m['memory']}, Python {m['python']}. Embedder: `{r.get('embedder', 'fused')}` "
        f"(MiniLM as int8 ONNX on onnxruntime + USE). Load average when the run began / ended: "
        f"{r.get('load_average', float('nan')):.1f} / {r.get('load_average_end', float('nan')):.1f} "
        "(above 2, other processes shared the 2 cores: wall times are then longer than on an idle machine, "
        "and the CPU seconds beside them are the steadier figure).",
        "",
        "| measure | value |",
        "|---|---|",
        f"| warm single proposal, end to end (encode, search both catalogues, fuse, explain), {r['query_n']} "
        f"real texts: p50 / p95 | {r['query_p50_ms']:.1f} ms / {r['query_p95_ms']:.1f} ms |",
        f"| batch of {r['batch_n']} proposals end to end | {r['batch_s']:.2f} s ({r['batch_per_s']:.0f}/s) |",
        f"| encoding the same texts only ({r.get('batch_passages', '?')} passages) | {r['encode_only_s']:.2f} s "
        f"({r.get('encode_only_cpu_s', float('nan')):.1f} s CPU) |",
        f"| ratio end to end / encode only | {r['batch_to_encode_ratio']:.2f} |",
    ]
    if "encode_reference_s" in r:
        lines += [
            f"| the same passages through the fp32 PyTorch reference (`fused-torch`), same run | "
            f"{r['encode_reference_s']:.2f} s ({r['encode_reference_cpu_s']:.1f} s CPU): reference time / ours "
            f"{r['encode_speedup']:.2f} |",
        ]
    if "minilm_s" in r:
        lines += [
            f"| English encoder alone on the {r['english_passages']} English passages: int8 ONNX / fp32 PyTorch | "
            f"{r['minilm_s']:.2f} s / {r['minilm_reference_s']:.2f} s ({r['minilm_speedup']:.2f}×; CPU "
            f"{r['minilm_cpu_s']:.1f} s / {r['minilm_reference_cpu_s']:.1f} s) |",
        ]
    for lang, name in (("en", "English"), ("ko", "Korean")):
        if f"cold_start_{lang}_s" in r:
            lines.append(
                f"| cold start to the first {name} answer (`python -m recommender match` in a new process: "
                f"import, load models and indexes, answer, print), median of {r['cold_start_runs']} after "
                f"{r.get('cold_start_warmup', 0)} warm-up | {r[f'cold_start_{lang}_s']:.2f} s "
                f"({r[f'cold_start_{lang}_cpu_s']:.2f} s CPU), peak {r[f'cold_start_{lang}_peak_mb']:.0f} MB |"
            )
    for name, b in r["build"].items():
        lines.append(f"| index build, {name} ({b['vectors']} vectors) | {b['total_s']:.1f} s |")
    lines.append("")
    if "cold_start_en_s" in r:
        runs = ", ".join(
            f"{name} {' / '.join(f'{s:.2f}' for s in r.get(f'cold_start_{lang}_runs_s', []))} s"
            for lang, name in (("en", "English"), ("ko", "Korean"))
        )
        lines += [
            "## How the cold start is measured",
            "",
            "What a user of the command line waits for: `python -m recommender match TEXT --country KH` started "
            "as a new process (a new interpreter: imports, the catalogues, the indexes and the saved lexical "
            "models, both encoders, the Korean analyser for the Korean text, the answer printed), timed from "
            "outside by the bench: wall time from start to exit, the CPU time of all the child's threads as "
            "the kernel accounts it when the child is reaped (user + system), and the child's own peak "
            "resident memory (VmHWM, printed by the child as it exits: the rusage of a child of a large "
            f"process counts pages it shared with its parent before exec). One warm-up run of each text is "
            f"not counted (it puts the files in the operating system's page cache, as for a user's second "
            f"command); the figure is the median of the {r['cold_start_runs']} runs after it ({runs}). "
            f"Load average when the cold starts began: {r.get('cold_start_load_average', float('nan')):.1f}. "
            "The same command timed by `hyperfine` or `/usr/bin/time -v` (its 'Elapsed (wall clock) time', "
            "'User time' + 'System time' and 'Maximum resident set size') gives the same figures within "
            "the machine's noise.",
            "",
        ]
    if "scale" in r:
        lines += [
            "## Precedent catalogues at scale",
            "",
            "Synthetic catalogues whose vectors mix 2–3 real precedent passage vectors plus noise (so they "
            "cluster as real ones do); the index kind is the one `choose_index_kind` picks (`ivf_pq`: IVF-PQ "
            "codes in memory, the best 256 candidates re-ranked exactly from a memory-mapped fp16 copy on "
            "disk); the index is saved and loaded back before it is searched; recall@10 against exact "
            "inner-product search on the same vectors; 200 real query texts, one at a time. Memory per "
            "million vectors is what the index holds in memory; fp32 vectors would take "
            f"{r['scale'][0].get('fp32_per_million_mb', 0):.0f} MB per million.",
            "",
            "| precedents | index | build | per query p50 / mean | recall@10 | in memory | per million | "
            "fp16 copy on disk | process peak RSS |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for s in r["scale"]:
            lines.append(
                f"| {s['size']:,} | {s['index']} | {s['build_s']:.1f} s | {s.get('query_p50_ms', s['query_ms']):.2f} "
                f"/ {s['query_ms']:.2f} ms | {s['recall_at_10']:.3f} | {s['vectors_mb']:.0f} MB | "
                f"{s.get('memory_per_million_mb', 0):.0f} MB | {s.get('rerank_copy_mb', 0):.0f} MB | "
                f"{s['peak_rss_mb']:.0f} MB |"
            )
        lines.append("")
    docs_dir.mkdir(parents=True, exist_ok=True)
    path = docs_dir / "benchmarks.md"
    # what people wrote below the marker (notes on a run, figures of runs a --quick bench does not make)
    # is kept: the bench rewrites only its own part
    kept = path.read_text(encoding="utf-8").partition(HAND_WRITTEN)[2] if path.is_file() else ""
    path.write_text("\n".join(lines) + (f"\n{HAND_WRITTEN}{kept}" if kept else ""), encoding="utf-8")
    (docs_dir / "benchmarks.json").write_text(json.dumps(r, indent=2), encoding="utf-8")
    return path
