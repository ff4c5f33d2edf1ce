"""How far the int8 ONNX MiniLM strays from the fp32 PyTorch reference across int8 code paths.

    python benchmarks/int8_agreement.py [--models-dir models]

onnxruntime's int8 kernels differ between CPUs (AVX2, AVX-512 VNNI, AMX) and with the graph optimisations
that fuse the dynamically quantised MatMuls; on one machine the fused and unfused graphs, and batches of 1
and 8 (activation scales are computed per run), are the code paths we can reach. For each path: the lowest
and mean cosine to the reference over the test's English texts, and how often a query ranks the SDG targets
the same (top-1 agreement, mean top-5 overlap against the reference's ranking). Used to set the bounds of
tests/test_onnx_encoder.py::test_quantised_encoder_agrees_with_the_reference (numbers in docs/robustness.md).
"""

import argparse
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from test_onnx_encoder import english_texts  # noqa: E402 - the same texts the test uses

from recommender.embedders import SentenceTransformerEmbedder  # noqa: E402
from recommender.onnx_encoder import OnnxMiniLM  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--models-dir", type=Path, default=ROOT / "models")
args = parser.parse_args()

texts = english_texts()
targets = pd.read_csv(ROOT / "data/sdg_targets.csv", dtype=str, keep_default_na=False)["text_en"].tolist()
reference = SentenceTransformerEmbedder()
ref_queries, ref_targets = reference.encode(texts), reference.encode(targets)
ref_rank = np.argsort(-(ref_queries @ ref_targets.T), axis=1)

levels = {
    "unfused (ORT_DISABLE_ALL)": ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
    "basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
    "fused (ORT_ENABLE_ALL)": ort.GraphOptimizationLevel.ORT_ENABLE_ALL,
}
print(f"{len(texts)} texts, {len(targets)} targets, onnxruntime {ort.__version__}\n")
print("| int8 path | batch | lowest cosine | mean cosine | top-1 same | top-5 overlap |")
print("|---|---|---|---|---|---|")
for label, level in levels.items():
    for batch in (1, 8):
        encoder = OnnxMiniLM(args.models_dir / "minilm-onnx", batch_size=batch)
        options = ort.SessionOptions()
        options.graph_optimization_level = level
        options.log_severity_level = 3
        encoder.session = ort.InferenceSession(
            str(args.models_dir / "minilm-onnx" / "model.onnx"),
            sess_options=options,
            providers=["CPUExecutionProvider"],
        )
        vectors = encoder.encode(texts)
        cosines = np.sum(vectors * ref_queries, axis=1)
        rank = np.argsort(-(vectors @ ref_targets.T), axis=1)
        top1 = float(np.mean(rank[:, 0] == ref_rank[:, 0]))
        top5 = float(np.mean([len(set(a[:5]) & set(b[:5])) / 5 for a, b in zip(rank, ref_rank)]))
        print(f"| {label} | {batch} | {cosines.min():.4f} | {cosines.mean():.4f} | {top1:.3f} | {top5:.3f} |")
