"""FAISS vector indexes saved as self-describing folders.

models/<catalogue>/ holds index.faiss, ids.npy (the item id of every vector row), langs.npy and
manifest.json; a compressed (IVF-PQ) index also keeps rerank.f16.npy, a half-precision copy of the
vectors that is memory-mapped, not loaded, and read only for the candidates it re-ranks exactly.
Companion arrays built with the index (the catalogue's lexical model) are saved beside it as
<name>.npy, listed and hashed in the same manifest, and memory-mapped when large.
The manifest records the embedder, dimension, counts, the catalogue fingerprint,
library versions, build time and a hash of each file; `load` refuses a folder that does not match
what the caller expects, so a stale or damaged index is never searched.

A save writes a sibling temporary folder, then swaps it in with two renames; a build killed at
any point leaves either the old folder or a recoverable `.old-*` folder, never a half-written one.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import numpy as np

from .errors import REBUILD_HINT, NotBuiltError, StaleIndexError

FORMAT_VERSION = 1
# Exact search is fast enough below this many vectors (measured in docs/benchmarks.md); above it
# IVF-PQ with exact re-ranking keeps per-query latency flat and memory small at a small recall cost.
EXACT_SEARCH_LIMIT = 50_000
INDEX_KINDS = ("flat", "hnsw", "ivf_pq")
RERANK_FILE = "rerank.f16.npy"
# Companion arrays at least this large are memory-mapped when loaded, smaller ones read.
MMAP_BYTES = 1 << 18
_ARRAY_NAME = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class IVFPQParams:
    """IVF-PQ settings for n vectors of dimension dim (measured in docs/benchmarks.md and
    tests/test_index.py: recall@10 >= 0.95 against exact search on clustered vectors).

    nlist: coarse cells, about sqrt(n) (training stays a few tens of seconds at 1M);
    m: product-quantiser sub-vectors of 8 dimensions, one byte each (112 bytes for our 896);
    nprobe: cells visited per query; rerank: candidates re-scored exactly from the fp16 copy."""

    nlist: int
    m: int
    nprobe: int
    rerank: int

    @classmethod
    def for_size(cls, n_vectors: int, dim: int) -> IVFPQParams:
        nlist = int(min(4096, max(16, round(np.sqrt(max(n_vectors, 1))))))
        m = next(m for m in range(max(1, dim // 8), 0, -1) if dim % m == 0)
        return cls(nlist=nlist, m=m, nprobe=min(nlist, max(16, nlist // 16)), rerank=256)


def hnsw_ef_search(n_vectors: int) -> int:
    """How widely an HNSW search looks: measured for recall@10 >= 0.95 against exact search
    (benchmarks/hnsw_ef.py; at 1M vectors 1024 gives 0.950 in 3.0 ms, 2048 gives 0.967 in 6.4 ms)."""
    return 256 if n_vectors < 200_000 else 2048


def choose_index_kind(n_vectors: int) -> str:
    """'flat' (exact inner product) for small catalogues, 'ivf_pq' (compressed codes in memory, exact
    re-ranking from a memory-mapped fp16 copy) beyond EXACT_SEARCH_LIMIT. 'hnsw' (fp32 graph, 3.4 GB
    per million of our vectors) stays available by name."""
    if n_vectors < 0:
        raise ValueError(f"n_vectors must be >= 0; received {n_vectors}")
    return "flat" if n_vectors < EXACT_SEARCH_LIMIT else "ivf_pq"


def _make_faiss_index(vectors: np.ndarray, kind: str):
    import faiss

    dim = vectors.shape[1]
    if kind == "flat":
        index = faiss.IndexFlatIP(dim)
    elif kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = hnsw_ef_search(len(vectors))
    elif kind == "ivf_pq":
        params = IVFPQParams.for_size(len(vectors), dim)
        quantiser = faiss.IndexFlatIP(dim)
        index = faiss.IndexIVFPQ(quantiser, dim, params.nlist, params.m, 8, faiss.METRIC_INNER_PRODUCT)
        index.own_fields = True
        quantiser.this.disown()
        # k-means needs about 40 points per cell; more only slows training (a fixed seed: reproducible builds)
        sample = np.random.default_rng(0).choice(len(vectors), min(len(vectors), max(64 * params.nlist, 20_000)))
        index.train(np.ascontiguousarray(vectors[np.sort(sample)], dtype=np.float32))
        index.nprobe = params.nprobe
    else:
        raise ValueError(f"index kind must be one of {list(INDEX_KINDS)}; received {kind!r}")
    for start in range(0, len(vectors), 65_536):  # bounded working copies
        index.add(np.ascontiguousarray(vectors[start : start + 65_536], dtype=np.float32))
    return index


def index_memory_bytes(index, rerank: np.ndarray | None = None) -> dict[str, int]:
    """What an index holds in memory (faiss structures) and what its re-ranking copy takes (on disk,
    memory-mapped once saved and loaded)."""
    import faiss

    held = faiss.serialize_index(index).nbytes
    return {"index_bytes": int(held), "rerank_bytes": int(rerank.nbytes) if rerank is not None else 0}


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


SWAP_ATTEMPTS = 50  # a save retries its second rename this often when a loader restored an old folder


def check_folder_files(folder: Path, manifest: dict, files: Iterable[str], what: str, verify: bool) -> None:
    """StaleIndexError when one of the folder's files is missing or (with `verify`) does not hash to
    what its manifest says; `what` names the folder in the message ("the ONNX encoder")."""
    for name in files:
        file = folder / name
        if not file.is_file():
            raise StaleIndexError(f"{what} at {folder} is missing {name}; {REBUILD_HINT}")
        if verify and manifest.get("files", {}).get(name) != file_sha256(file):
            raise StaleIndexError(f"{file} does not match its manifest (damaged or edited); {REBUILD_HINT}")


def publish_folder(tmp: Path, folder: Path, manifest: dict, files: Iterable[str]) -> dict:
    """Write the manifest (with the hash of each file) into the finished `tmp` folder, sync it and put it
    in the place of `folder`, so that a reader sees the old folder or the new one, never a mix; the
    manifest written is returned."""
    manifest = dict(manifest, files={name: file_sha256(tmp / name) for name in files})
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    for path in tmp.iterdir():
        with path.open("rb") as handle:
            os.fsync(handle.fileno())
    moved_aside = []
    for attempt in range(SWAP_ATTEMPTS):
        old = folder.with_name(f".{folder.name}.old-{uuid.uuid4().hex[:8]}")
        with contextlib.suppress(FileNotFoundError):
            os.rename(folder, old)
            moved_aside.append(old)
        try:
            os.rename(tmp, folder)
            break
        except OSError as exc:
            # A loader that found the folder missing put a previous one back between our two renames:
            # move that one aside too and try again.
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST) or attempt == SWAP_ATTEMPTS - 1:
                raise
            time.sleep(0.01)
    for old in moved_aside:
        shutil.rmtree(old, ignore_errors=True)
    return manifest


def read_manifest(folder: Path, missing: str) -> dict:
    """A built folder's manifest.json; NotBuiltError (saying `missing`) or StaleIndexError when unreadable."""
    path = folder / "manifest.json"
    if not path.is_file():
        raise NotBuiltError(f"{missing}: {REBUILD_HINT}")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise StaleIndexError(f"the manifest {path} is unreadable ({exc}); {REBUILD_HINT}") from exc


def library_versions() -> dict[str, str]:
    out = {}
    for dist in ("faiss-cpu", "numpy", "recommender"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "unknown"
    return out


@dataclass
class VectorIndex:
    """Vectors of one catalogue's passages; several rows may belong to one item."""

    item_ids: np.ndarray  # (n,) str: the catalogue id of each vector row
    languages: np.ndarray  # (n,) str: 'en' or 'ko'
    index: object  # a faiss.Index
    manifest: dict
    # ivf_pq: fp16 copy of the vectors for exact re-ranking (a memory map once loaded from disk)
    rerank: np.ndarray | None = None
    # companion arrays by name (the lexical model), saved as <name>.npy (memory maps when large)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        vectors: np.ndarray,
        item_ids,
        languages,
        *,
        catalogue: str,
        embedder_id: str,
        fingerprint: str,
        kind: str | None = None,
    ) -> VectorIndex:
        vectors = np.asarray(vectors, dtype=np.float32)
        bad = next((i for i in item_ids if not str(i) or "\x00" in str(i)), None)
        if bad is not None:
            # numpy's fixed-width strings drop trailing NULs: such an id would come back changed
            raise ValueError(f"item ids must be non-empty and free of NUL characters; received {bad!r}")
        if vectors.ndim != 2 or vectors.shape[0] != len(item_ids) or len(item_ids) != len(languages):
            raise ValueError(
                f"vectors {vectors.shape}, item_ids {len(item_ids)} and languages "
                f"{len(languages)} must describe the same rows"
            )
        kind = kind or choose_index_kind(len(vectors))
        if kind not in INDEX_KINDS:
            raise ValueError(f"index kind must be one of {list(INDEX_KINDS)}; received {kind!r}")
        params = IVFPQParams.for_size(len(vectors), vectors.shape[1]) if kind == "ivf_pq" else None
        manifest = {
            "format": FORMAT_VERSION,
            "catalogue": catalogue,
            "embedder": embedder_id,
            "dim": int(vectors.shape[1]),
            "count": int(vectors.shape[0]),
            "items": int(len(set(map(str, item_ids)))),
            "catalogue_fingerprint": fingerprint,
            "index_kind": kind,
            "ef_search": hnsw_ef_search(len(vectors)) if kind == "hnsw" else None,
            "ivf_pq": vars(params) if params else None,
            "libraries": library_versions(),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        return cls(
            np.asarray(item_ids, dtype=str),
            np.asarray(languages, dtype=str),
            _make_faiss_index(vectors, kind),
            manifest,
            vectors.astype(np.float16) if kind == "ivf_pq" else None,
        )

    def _files(self) -> tuple[str, ...]:
        return _file_names(self.manifest)

    def add_arrays(self, arrays: dict[str, np.ndarray], **manifest) -> None:
        """Save these arrays with the index, and these keys in its manifest (what a loader checks)."""
        bad = next((name for name in arrays if not _ARRAY_NAME.fullmatch(name)), None)
        if bad is not None:
            raise ValueError(f"array names must be lower-case identifiers; received {bad!r}")
        self.arrays.update(arrays)
        self.manifest.update(manifest, arrays=sorted(self.arrays))

    @property
    def dim(self) -> int:
        return int(self.manifest["dim"])

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Inner-product search: (scores, row positions), each (n_queries, k); -1 pads short results."""
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        if queries.shape[1] != self.dim:
            raise ValueError(f"query dimension must be {self.dim}; received {queries.shape[1]}")
        k = max(1, min(int(k), self.index.ntotal))
        if self.rerank is None:
            return self.index.search(queries, k)
        # Compressed codes choose candidates; their exact inner products (fp16 copy) rank them.
        wide = max(1, min(max(k, int(self.manifest["ivf_pq"]["rerank"])), self.index.ntotal))
        _, candidates = self.index.search(queries, wide)
        scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
        rows = np.full((len(queries), k), -1, dtype=np.int64)
        for i, found in enumerate(candidates):
            found = found[found >= 0]
            if not len(found):
                continue
            order = np.sort(found)  # sorted reads of the memory map
            exact = self.rerank[order].astype(np.float32) @ queries[i]
            best = np.argsort(-exact, kind="stable")[:k]
            scores[i, : len(best)], rows[i, : len(best)] = exact[best], order[best]
        return scores, rows

    def save(self, folder: str | Path) -> Path:
        import faiss

        folder = Path(folder)
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = folder.with_name(f".{folder.name}.tmp-{uuid.uuid4().hex[:8]}")
        tmp.mkdir()
        try:
            faiss.write_index(self.index, str(tmp / "index.faiss"))
            np.save(tmp / "ids.npy", self.item_ids.astype("U"), allow_pickle=False)
            np.save(tmp / "langs.npy", self.languages.astype("U"), allow_pickle=False)
            if self.rerank is not None:
                np.save(tmp / RERANK_FILE, np.asarray(self.rerank, dtype=np.float16), allow_pickle=False)
            for name, values in self.arrays.items():
                np.save(tmp / f"{name}.npy", np.asarray(values), allow_pickle=False)
            self.manifest = publish_folder(tmp, folder, self.manifest, self._files())
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return folder

    @classmethod
    def load(cls, folder: str | Path, *, expect: dict | None = None, verify_files: bool = True) -> VectorIndex:
        """Load and check; `expect` maps manifest keys to required values (embedder, fingerprint, ...).

        Another process may save the index meanwhile (two renames): a folder missing for an instant
        is waited for, and a read that fails because the folder was swapped under it is retried on
        the new folder."""
        folder = Path(folder)
        for attempt in range(LOAD_ATTEMPTS):
            _wait_for_swap(folder)
            before = _identity(folder)
            try:
                return cls._load_once(folder, expect, verify_files)
            except (NotBuiltError, StaleIndexError, OSError) as exc:
                swapping = before is None and any(folder.parent.glob(f".{folder.name}.*"))
                if attempt + 1 < LOAD_ATTEMPTS and (swapping or (before is not None and _identity(folder) != before)):
                    time.sleep(SWAP_RETRY_SECONDS * (attempt + 1))
                    continue
                if isinstance(exc, OSError):
                    raise StaleIndexError(f"index at {folder} cannot be read ({exc}); {REBUILD_HINT}") from exc
                raise
        raise AssertionError("unreachable")

    @classmethod
    def _load_once(cls, folder: Path, expect: dict | None, verify_files: bool) -> VectorIndex:
        import faiss

        manifest = read_manifest(folder, f"no index at {folder}")
        if manifest.get("format") != FORMAT_VERSION:
            raise StaleIndexError(
                f"index at {folder} has format {manifest.get('format')!r}, this version reads "
                f"{FORMAT_VERSION}; {REBUILD_HINT}"
            )
        for key, wanted in (expect or {}).items():
            if manifest.get(key) != wanted:
                raise StaleIndexError(
                    f"index at {folder} is stale: its {key} is {manifest.get(key)!r} but the "
                    f"current value is {wanted!r}; {REBUILD_HINT}"
                )
        files = manifest.get("files", {})
        array_names = manifest.get("arrays", [])
        if not isinstance(array_names, list) or not all(
            isinstance(n, str) and _ARRAY_NAME.fullmatch(n) for n in array_names
        ):
            raise StaleIndexError(f"index at {folder} lists arrays it cannot have ({array_names!r}); {REBUILD_HINT}")
        for name in _file_names(manifest):
            path = folder / name
            if not path.is_file():
                raise StaleIndexError(f"index at {folder} is missing {name}; {REBUILD_HINT}")
            if verify_files and files.get(name) != file_sha256(path):
                raise StaleIndexError(
                    f"index file {path} does not match its manifest (damaged or edited); {REBUILD_HINT}"
                )
        try:
            index = faiss.read_index(str(folder / "index.faiss"))
            ids = np.load(folder / "ids.npy", allow_pickle=False)
            langs = np.load(folder / "langs.npy", allow_pickle=False)
            rerank = (
                np.load(folder / RERANK_FILE, mmap_mode="r", allow_pickle=False) if manifest.get("ivf_pq") else None
            )
            arrays = {name: _load_array(folder / f"{name}.npy") for name in array_names}
        except (RuntimeError, ValueError, OSError) as exc:
            raise StaleIndexError(f"index at {folder} cannot be read ({exc}); {REBUILD_HINT}") from exc
        if index.ntotal != manifest["count"] or len(ids) != manifest["count"] or index.d != manifest["dim"]:
            raise StaleIndexError(
                f"index at {folder} holds {index.ntotal} vectors of dimension {index.d}, its "
                f"manifest says {manifest['count']} of {manifest['dim']}; {REBUILD_HINT}"
            )
        if rerank is not None and rerank.shape != (manifest["count"], manifest["dim"]):
            raise StaleIndexError(f"the re-ranking copy at {folder} has shape {rerank.shape}; {REBUILD_HINT}")
        if manifest.get("ef_search"):
            index.hnsw.efSearch = int(manifest["ef_search"])
        if manifest.get("ivf_pq"):
            index.nprobe = int(manifest["ivf_pq"]["nprobe"])
        return cls(ids, langs, index, manifest, rerank, arrays)


def _file_names(manifest: dict) -> tuple[str, ...]:
    """The files a saved index holds beside its manifest."""
    return (
        ("index.faiss", "ids.npy", "langs.npy")
        + ((RERANK_FILE,) if manifest.get("ivf_pq") else ())
        + tuple(f"{name}.npy" for name in manifest.get("arrays", []))
    )


def _load_array(path: Path) -> np.ndarray:
    """A saved array, memory-mapped when large (read only for the rows a query touches)."""
    large = path.stat().st_size >= MMAP_BYTES
    return np.load(path, mmap_mode="r" if large else None, allow_pickle=False)


LOAD_ATTEMPTS = 6
SWAP_RETRY_SECONDS = 0.05
SWAP_WAIT_SECONDS = 5.0  # a save's two renames are microseconds apart (a loaded machine may stall it for a second)


def _identity(folder: Path) -> tuple[int, int] | None:
    """Which manifest the folder holds now (inode and change time), None when there is none."""
    try:
        stat = os.stat(folder / "manifest.json")
    except OSError:
        return None
    return stat.st_ino, stat.st_mtime_ns


def _wait_for_swap(folder: Path) -> None:
    """A folder missing for an instant is a save between its renames: wait for the new one, and
    only then put back a previous index left by a build that died there."""
    deadline = time.monotonic() + SWAP_WAIT_SECONDS
    while not folder.exists() and time.monotonic() < deadline:
        if not any(folder.parent.glob(f".{folder.name}.*")):
            return  # nothing was ever built here, or nothing is being saved: no reason to wait
        time.sleep(0.01)
    _recover_interrupted_swap(folder)


def _recover_interrupted_swap(folder: Path) -> None:
    """If a build died between its two renames, put the previous index back."""
    if folder.exists():
        return
    leftovers = sorted(folder.parent.glob(f".{folder.name}.old-*"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in leftovers:
        if (old / "manifest.json").is_file():
            with contextlib.suppress(OSError):
                os.rename(old, folder)
                return


@contextlib.contextmanager
def build_lock(models_dir: str | Path):
    """An exclusive lock so that two processes building at once take turns instead of interleaving."""
    models_dir = Path(models_dir)
    models_dir.mkdir(parents=True, exist_ok=True)
    with open(models_dir / ".build.lock", "w") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
