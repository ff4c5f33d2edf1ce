"""MiniLM without PyTorch at query time: an int8 ONNX export run by onnxruntime and `tokenizers`.

`export_minilm` (run by `recommender build`, the only step that needs torch) writes
models/minilm-onnx/{model.onnx, tokenizer.json, manifest.json}: the packaged all-MiniLM-L6-v2
transformer exported to ONNX, then dynamically quantised to int8 weights
(onnxruntime.quantization.quantize_dynamic). The manifest records the source model's hash, the
opset, the quantisation and library versions, and a hash of each file; `check_export` refuses an
export whose source model changed or whose files were altered, with the command that rebuilds it.

`OnnxMiniLM` reproduces sentence-transformers' pipeline for this model: WordPiece tokenisation
(lower-cased, truncated to 256 tokens), the transformer, mean pooling over the attention mask,
L2 normalisation. It runs one text at a time so that a text's vector never depends on the texts
encoded with it. tests/test_onnx_encoder.py checks it against the PyTorch model (cosine >= 0.99).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
import uuid
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

import numpy as np

from .errors import REBUILD_HINT, StaleIndexError

EXPORT_FORMAT = 1
FOLDER = "minilm-onnx"
OPSET = 17
MAX_SEQ_LENGTH = 256  # sentence_bert_config.json of all-MiniLM-L6-v2
# Weights int8 per output channel, activations quantised per batch; the six feed-forward output
# projections stay fp32: quantising them too drops the worst English probe cosine from 0.994 to 0.987.
QUANTISATION = "dynamic-int8-per-channel;fp32-ffn-output"
FILES = ("model.onnx", "tokenizer.json")
_SOURCE_FILES = ("model.safetensors", "pytorch_model.bin", "config.json", "tokenizer.json")


def _sha256(path: Path) -> str:
    from .index import file_sha256

    return file_sha256(path)


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not-installed"


def _source_files(source: Path) -> list[Path]:
    return [source / name for name in _SOURCE_FILES if (source / name).is_file()]


def _source_stat(source: Path) -> list[list]:
    """Name, size and modification time of the source files: a cheap check that they are the ones hashed."""
    return [[p.name, p.stat().st_size, p.stat().st_mtime_ns] for p in _source_files(source)]


def source_hash(source: Path) -> str:
    """One hash over the source model's weights, configuration and tokenizer."""
    digest = hashlib.sha256()
    for path in _source_files(source):
        digest.update(path.name.encode() + b"\x00" + _sha256(path).encode())
    return digest.hexdigest()


def export_minilm(source: str | os.PathLike, folder: str | os.PathLike, *, source_version: str = "local") -> Path:
    """Export and quantise the sentence-transformers folder `source` into `folder` (atomic swap).
    Needs torch and transformers; the result needs neither."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    source, folder = Path(source), Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.with_name(f".{folder.name}.tmp-{uuid.uuid4().hex[:8]}")
    tmp.mkdir()
    try:
        model = AutoModel.from_pretrained(str(source), local_files_only=True).eval()

        class Hidden(torch.nn.Module):
            def __init__(self, inner):
                super().__init__()
                self.inner = inner

            def forward(self, input_ids, attention_mask, token_type_ids):
                return self.inner(
                    input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
                ).last_hidden_state

        example = torch.ones((2, 16), dtype=torch.long)
        axes = {0: "batch", 1: "tokens"}
        with torch.no_grad():
            torch.onnx.export(
                Hidden(model),
                (example, example, torch.zeros_like(example)),
                str(tmp / "fp32.onnx"),
                input_names=["input_ids", "attention_mask", "token_type_ids"],
                output_names=["last_hidden_state"],
                dynamic_axes={
                    "input_ids": axes,
                    "attention_mask": axes,
                    "token_type_ids": axes,
                    "last_hidden_state": axes,
                },
                opset_version=OPSET,
                dynamo=False,
            )
        quantize_dynamic(
            str(tmp / "fp32.onnx"),
            str(tmp / "model.onnx"),
            weight_type=QuantType.QInt8,
            per_channel=True,
            nodes_to_exclude=_ffn_output_matmuls(tmp / "fp32.onnx"),
        )
        (tmp / "fp32.onnx").unlink()
        shutil.copyfile(source / "tokenizer.json", tmp / "tokenizer.json")
        manifest = {
            "format": EXPORT_FORMAT,
            "source": str(source),
            "source_version": source_version,
            "source_hash": source_hash(source),
            "source_stat": _source_stat(source),
            "opset": OPSET,
            "quantisation": QUANTISATION,
            "max_seq_length": MAX_SEQ_LENGTH,
            "libraries": {d: _version(d) for d in ("torch", "transformers", "onnx", "onnxruntime", "tokenizers")},
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        from .index import publish_folder

        publish_folder(tmp, folder, manifest, FILES)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


def _ffn_output_matmuls(path: Path) -> list[str]:
    """Names of the feed-forward output projections (layer.N/output/dense), left unquantised."""
    import onnx

    graph = onnx.load(str(path), load_external_data=False).graph
    names = [
        node.name
        for node in graph.node
        if node.op_type == "MatMul" and "/output/dense/" in node.name and "/attention/" not in node.name
    ]
    if not names:
        raise RuntimeError("the exported graph has no feed-forward output projections under the expected names")
    return names


def check_export(folder: str | os.PathLike, source: str | os.PathLike, *, verify_files: bool = True) -> dict:
    """The export's manifest when it is current for `source`; NotBuiltError or StaleIndexError otherwise."""
    folder, source = Path(folder), Path(source)
    from .index import read_manifest

    manifest = read_manifest(folder, f"no ONNX export of the English encoder at {folder}")
    wanted = {"format": EXPORT_FORMAT, "opset": OPSET, "quantisation": QUANTISATION, "max_seq_length": MAX_SEQ_LENGTH}
    for key, value in wanted.items():
        if manifest.get(key) != value:
            raise StaleIndexError(
                f"the ONNX encoder at {folder} is stale: its {key} is {manifest.get(key)!r}, this version "
                f"makes {value!r}; {REBUILD_HINT}"
            )
    # Hashing the 90 MB of weights costs a few tenths of a second: done only when the files' size or
    # modification time differ from the ones hashed at export.
    if manifest.get("source_stat") != _source_stat(source) and manifest.get("source_hash") != source_hash(source):
        raise StaleIndexError(
            f"the ONNX encoder at {folder} was exported from another model than {source}; {REBUILD_HINT}"
        )
    from .index import check_folder_files

    check_folder_files(folder, manifest, FILES, "the ONNX encoder", verify_files)
    return manifest


class OnnxMiniLM:
    """Runs an export made by `export_minilm`: texts in, L2-normalised float32 (n, 384) out."""

    def __init__(self, folder: str | os.PathLike, *, threads: int | None = None, batch_size: int = 1):
        """batch_size 1 by default: dynamic quantisation scales activations per run, so a text batched with
        others would get a vector that depends on its neighbours (and a call scored in chunks would differ
        from the same call scored whole). One text a run costs about 15% more CPU than runs of 32."""
        import onnxruntime as ort
        from tokenizers import Tokenizer

        folder = Path(folder)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or min(os.cpu_count() or 1, 4)
        options.inter_op_num_threads = 1
        # Idle threads sleep instead of spinning between runs (one text a run): on a shared machine the
        # spinning took CPU from the other work and from each other; the numbers are the same.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        self.session = ort.InferenceSession(
            str(folder / "model.onnx"), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=MAX_SEQ_LENGTH)
        self.tokenizer.no_padding()
        self.batch_size = batch_size
        self.dim = 384

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch(list(texts))
        # Longest first, as sentence-transformers does, so that each batch pads little.
        order = np.argsort([-len(e.ids) for e in encodings], kind="stable")
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            width = max(len(encodings[i].ids) for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                n = len(encodings[i].ids)
                ids[r, :n] = encodings[i].ids
                mask[r, :n] = 1
            hidden = self.session.run(
                None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            )[0]
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            out[rows] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return out
