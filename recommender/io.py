"""Reading proposals files and writing ranked results.

A row that cannot be scored is reported (row number, id, reason) and the others are still scored.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import pandas as pd

from .errors import InputError
from .flags import FlagConfig, near_duplicates, proposal_flags

log = logging.getLogger(__name__)

REQUIRED = ("text",)
OPTIONAL = ("id", "title", "partner_country", "partner_city", "sector", "budget")
# Column names people use for each field, Korean ones included (matched after lower-casing).
ALIASES = {
    "id": ["id", "번호", "연번", "no", "proposal_id", "사업번호"],
    "text": ["text", "description", "사업내용", "사업개요", "내용", "설명", "proposal", "summary"],
    "title": ["title", "사업명", "제목", "project", "project_title"],
    "partner_country": ["partner_country", "country", "대상국가", "국가", "협력국", "partner_iso2"],
    "partner_city": ["partner_city", "city", "대상도시", "도시", "지역", "locality"],
    "sector": ["sector", "분야", "사업분야"],
    "budget": ["budget", "예산", "사업비", "budget_krw"],
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def find_columns(columns, overrides: dict[str, str] | None = None) -> dict[str, str]:
    """Map our field names to the file's columns; InputError names what was found and expected."""
    overrides = {k: v for k, v in (overrides or {}).items() if v}
    lowered = {str(c).strip().lower(): c for c in columns}
    found = {}
    for field_name, aliases in ALIASES.items():
        if field_name in overrides:
            if overrides[field_name] not in columns:
                raise InputError(f"--{field_name.replace('_', '-')}-col {overrides[field_name]!r} is not a column "
                                 f"of the file; its columns are {list(map(str, columns))}")
            found[field_name] = overrides[field_name]
            continue
        for alias in aliases:
            if alias in lowered:
                found[field_name] = lowered[alias]
                break
    if "text" not in found:
        raise InputError(f"no text column: expected one named {ALIASES['text'][:4]} (or give --text-col NAME); "
                         f"the file has columns {list(map(str, columns))}")
    return found


def decode_text(raw: bytes, name: str) -> str:
    """UTF-8 (with or without BOM) or CP949/EUC-KR; a file that mixes them is decoded line by line."""
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    lines = []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        for encoding in ("utf-8", "cp949"):
            try:
                lines.append(line.decode(encoding))
                break
            except UnicodeDecodeError:
                continue
        else:
            raise InputError(f"{name}: line {number} is neither UTF-8 nor CP949/EUC-KR text; save the file as UTF-8")
    log.info("%s mixes UTF-8 and CP949 lines; decoded line by line", name)
    return "\n".join(lines).lstrip("\ufeff")


def _read_csv_chunks(path: Path, chunk_rows: int) -> Iterator[pd.DataFrame]:
    import csv
    import io as _io

    raw = path.read_bytes()
    text = decode_text(raw, path.name)
    del raw
    try:  # only real delimiters: an open sniffer picks letters on short files
        sep = csv.Sniffer().sniff(text[:20_000], delimiters=",;\t|").delimiter
    except csv.Error:
        sep = ","
    yield from pd.read_csv(_io.StringIO(text), dtype=str, keep_default_na=False, sep=sep, chunksize=chunk_rows)


def _read_xlsx_chunks(path: Path, sheet, chunk_rows: int) -> Iterator[pd.DataFrame]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        ws = book[sheet] if isinstance(sheet, str) else book.worksheets[sheet or 0]
    except (KeyError, IndexError):
        raise InputError(f"{path.name} has no sheet {sheet!r}; its sheets are {book.sheetnames}") from None
    rows = ws.iter_rows(values_only=True)
    header = [str(c).strip() if c is not None else f"column{i + 1}" for i, c in enumerate(next(rows, ()) or ())]
    chunk = []
    for row in rows:
        chunk.append(["" if v is None else str(v) for v in row][: len(header)])
        if len(chunk) >= chunk_rows:
            yield pd.DataFrame(chunk, columns=header[: len(chunk[0])] if chunk else header)
            chunk = []
    if chunk or not header:
        yield pd.DataFrame(chunk, columns=header)
    book.close()


def _text_frame(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype(object).where(frame.notna(), "")
    return frame.map(lambda v: v if isinstance(v, str) else str(v))


def iter_table(path: str | Path, sheet: str | int | None = None, chunk_rows: int = 1024) -> Iterator[pd.DataFrame]:
    """A proposals file in chunks of text columns: .csv (encoding detected), .xlsx, .jsonl or .parquet.

    Only one chunk of rows is held at a time (a CSV's text is decoded whole, then parsed in chunks)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"input file {str(path)!r} does not exist")
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".jsonl", ".parquet"):
        raise InputError(f"input must be .csv, .xlsx, .jsonl or .parquet; received {path.name!r}")
    try:
        if suffix == ".csv":
            chunks = _read_csv_chunks(path, chunk_rows)
        elif suffix == ".xlsx":
            chunks = _read_xlsx_chunks(path, sheet, chunk_rows)
        elif suffix == ".jsonl":
            chunks = (_text_frame(c) for c in pd.read_json(path, lines=True, dtype=False, chunksize=chunk_rows))
        else:
            import pyarrow.parquet as pq

            chunks = (_text_frame(batch.to_pandas())
                      for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk_rows))
        for chunk in chunks:
            chunk.columns = [str(c).strip() for c in chunk.columns]
            yield chunk
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - pandas/openpyxl/pyarrow raise many kinds for a damaged file
        raise InputError(f"cannot read {path.name} as {suffix} ({type(exc).__name__}: {exc}); "
                         "check that the file is complete and of the type its name says") from exc


def read_table(path: str | Path, sheet: str | int | None = None) -> pd.DataFrame:
    """A whole proposals file as text columns (for small files; `iter_table` reads in chunks)."""
    chunks = list(iter_table(path, sheet))
    return pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame()


@dataclass
class BatchResult:
    results: list[dict] = field(default_factory=list)  # one per scored row, with "id" and "row"
    errors: list[dict] = field(default_factory=list)  # {"row", "id", "reason"}


@dataclass
class ChunkResult:
    results: list[dict]
    errors: list[dict]
    vectors: np.ndarray  # float16, one per result: for near-duplicate flags across the whole call


def score_chunk(recommender, frame: pd.DataFrame, columns: dict[str, str], first_row: int, *,
                top_k: int | None = None, flag_config: FlagConfig | None = None) -> ChunkResult:
    """Score one partition of a call: a pure function of its rows (the local and Dask engines share it).

    first_row is the spreadsheet row of the partition's first row (the header is row 1). Rows that
    cannot be scored become errors; blank rows are skipped; ids default to `row<N>`.
    """
    flag_config = flag_config or FlagConfig()
    budgets = recommender.precedent_budgets()
    errors, rows, proposals = [], [], []
    for i, record in enumerate(frame.to_dict("records")):
        row = first_row + i
        if all(not str(v).strip() for v in record.values()):
            continue  # a blank line is not a proposal
        values = {f: record.get(c, "") for f, c in columns.items()}
        pid = str(values.get("id") or "").strip() or f"row{row}"
        try:
            proposal = recommender.check(values)
        except InputError as exc:
            errors.append({"row": row, "id": pid, "reason": str(exc)})
            continue
        rows.append((row, pid))
        proposals.append(proposal)
    if not proposals:
        return ChunkResult([], errors, np.zeros((0, 0), dtype=np.float16))
    results, vectors = recommender.recommend_many(proposals, top_k=top_k, return_vectors=True)
    out = []
    for (row, pid), proposal, result in zip(rows, proposals, results):
        result["flags"] = proposal_flags(result, proposal.budget, budgets, flag_config)
        out.append({"id": pid, "row": row, **result})
    return ChunkResult(out, errors, vectors.astype(np.float16))  # half precision is enough for a 0.9 cosine


class CallScorer:
    """Collects scored chunks in row order: duplicate ids become errors, vectors are kept for the
    near-duplicate flags, results go to `sink` (a list, or a spool file for large calls)."""

    def __init__(self, sink, flag_config: FlagConfig):
        self.sink, self.flag_config = sink, flag_config
        self.errors: list[dict] = []
        self.ids: list[str] = []
        self.vectors: list[np.ndarray] = []
        self.seen: set[str] = set()

    def add(self, chunk: ChunkResult) -> None:
        keep = []
        for n, result in enumerate(chunk.results):
            if result["id"] in self.seen:
                self.errors.append({"row": result["row"], "id": result["id"],
                                    "reason": f"duplicate id {result['id']!r}; ids must be unique"})
                continue
            self.seen.add(result["id"])
            self.ids.append(result["id"])
            keep.append(n)
            self.sink(result)
        if keep:
            self.vectors.append(chunk.vectors[keep])
        self.errors.extend(chunk.errors)

    def duplicates(self) -> dict[str, list[str]]:
        if not self.vectors:
            return {}
        return near_duplicates(self.ids, np.vstack(self.vectors).astype(np.float32), self.flag_config.near_duplicate)


def add_duplicate_flags(result: dict, duplicates: dict[str, list[str]]) -> dict:
    result["flags"] = [f"near_duplicate_of:{other}" for other in duplicates.get(result["id"], [])] + result["flags"]
    return result


def score_frame(recommender, frame: pd.DataFrame, *, columns: dict[str, str] | None = None, top_k: int | None = None,
                chunk_size: int = 256, progress: Callable[[int, int], None] | None = None,
                flag_config: FlagConfig | None = None) -> BatchResult:
    """Score every usable row of a frame in memory and flag it (the app's screening page)."""
    columns = columns or find_columns(frame.columns)
    flag_config = flag_config or FlagConfig()
    results: list[dict] = []
    scorer = CallScorer(results.append, flag_config)
    for start in range(0, len(frame), chunk_size):
        scorer.add(score_chunk(recommender, frame.iloc[start:start + chunk_size], columns, start + 2, top_k=top_k,
                               flag_config=flag_config))
        if progress:
            progress(min(start + chunk_size, len(frame)), len(frame))
    duplicates = scorer.duplicates()
    return BatchResult([add_duplicate_flags(r, duplicates) for r in results],
                       sorted(scorer.errors, key=lambda e: e["row"]))


def neutralise(value):
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def summary_row(r: dict, top_n: int = 3) -> dict:
    return {
        "id": r["id"], "row": r["row"],
        "present_goals": ";".join(str(g["goal"]) for g in r["sdg_goals"] if g["present"]),
        "top_targets": ";".join(t["id"] for t in r["sdg_targets"][:top_n]),
        "top_precedents": ";".join(p["id"] for p in r["precedents"][:top_n]),
        "top_local_governments": ";".join(f"{g['code']} {g['name_en']}" for g in r["local_governments"][:top_n]),
        "target_1_score": r["sdg_targets"][0]["score"] if r["sdg_targets"] else None,
        "flags": ";".join(r.get("flags", [])),
    }


def long_items(r: dict, key: str) -> list[dict]:
    return [{"proposal_id": r["id"], "rank": rank,
             **{k: (";".join(v) if isinstance(v, list) else v) for k, v in item.items() if not isinstance(v, dict)}}
            for rank, item in enumerate(r[key], start=1)]


def summary_rows(results: list[dict], top_n: int = 3) -> pd.DataFrame:
    return pd.DataFrame([summary_row(r, top_n) for r in results])


def long_rows(results: list[dict], key: str) -> pd.DataFrame:
    return pd.DataFrame([row for r in results for row in long_items(r, key)])


LONG_SHEETS = ("sdg_targets", "precedents", "local_governments")


def write_results(batch: BatchResult, path: str | Path) -> list[Path]:
    return write_stream(iter(batch.results), batch.errors, path)


def write_stream(results: Iterator[dict], errors: list[dict], path: str | Path) -> list[Path]:
    """Write results one at a time (.jsonl, .csv summary, or .xlsx summary + long sheets, in
    write-only mode), plus `<stem>.errors.csv` when rows were rejected. Returns the paths written."""
    import csv

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".jsonl", ".csv", ".xlsx"):
        raise InputError(f"output must end in .jsonl, .csv or .xlsx; received {path.name!r}")
    if suffix == ".jsonl":
        with path.open("w", encoding="utf-8") as handle:
            for r in results:
                handle.write(json.dumps(r, ensure_ascii=False) + "\n")
    elif suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = None
            for r in results:
                row = {k: neutralise(v) for k, v in summary_row(r).items()}
                if writer is None:
                    writer = csv.DictWriter(handle, fieldnames=list(row))
                    writer.writeheader()
                writer.writerow(row)
    else:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheets = {name: book.create_sheet(name) for name in ("summary", *LONG_SHEETS)}
        headers: dict[str, list[str]] = {}

        def put(name: str, row: dict) -> None:
            if name not in headers:
                headers[name] = list(row)
                sheets[name].append(headers[name])
            sheets[name].append([neutralise(row.get(h)) for h in headers[name]])

        for r in results:
            put("summary", summary_row(r))
            for key in LONG_SHEETS:
                for item in long_items(r, key):
                    put(key, item)
        book.save(path)
    written = [path]
    if errors:
        err_path = path.with_name(path.stem + ".errors.csv")
        pd.DataFrame(sorted(errors, key=lambda e: e["row"]), columns=["row", "id", "reason"]).map(neutralise).to_csv(
            err_path, index=False, encoding="utf-8-sig")
        written.append(err_path)
    return written


def score_file(recommender, source: str | Path, output: str | Path, *, sheet=None,
               overrides: dict[str, str] | None = None, top_k: int | None = None,
               flag_config: FlagConfig | None = None, chunk_rows: int = 1024,
               progress: Callable[[int], None] | None = None, engine: str = "local",
               scheduler: str | None = None) -> tuple[int, list[dict], list[Path]]:
    """Score a proposals file of any size with bounded memory.

    Chunks are read one at a time and scored (in process, or on a Dask cluster with engine="dask");
    results are spooled to a temporary JSONL next to the output, then written out with the
    near-duplicate flags that needed the whole call. Returns (scored, errors, paths written).
    """
    import tempfile

    flag_config = flag_config or FlagConfig()
    output = Path(output)
    chunks = iter_table(source, sheet, chunk_rows)
    first = next(chunks, None)
    if first is None:
        return 0, [], []
    columns = find_columns(first.columns, overrides)

    def numbered():
        row = 2
        for chunk in _chain(first, chunks):
            yield chunk, row
            row += len(chunk)

    with tempfile.TemporaryFile("w+", encoding="utf-8", dir=output.parent) as spool:
        scorer = CallScorer(lambda r: spool.write(json.dumps(r, ensure_ascii=False) + "\n"), flag_config)
        if engine == "dask":
            from .distributed import score_chunks_on_dask

            for result in score_chunks_on_dask(recommender, numbered(), columns, top_k=top_k,
                                               flag_config=flag_config, scheduler=scheduler):
                scorer.add(result)
                if progress:
                    progress(len(result.results) + len(result.errors))
        elif engine == "local":
            for chunk, row in numbered():
                scorer.add(score_chunk(recommender, chunk, columns, row, top_k=top_k, flag_config=flag_config))
                if progress:
                    progress(len(chunk))
        else:
            raise InputError(f"engine must be 'local' or 'dask'; received {engine!r}")
        duplicates = scorer.duplicates()
        spool.seek(0)
        results = (add_duplicate_flags(json.loads(line), duplicates) for line in spool)
        paths = write_stream(results, scorer.errors, output) if scorer.ids else []
        return len(scorer.ids), sorted(scorer.errors, key=lambda e: e["row"]), paths


def _chain(first, rest):
    yield first
    yield from rest
