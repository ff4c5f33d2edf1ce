"""Tables in and out: reading proposals files (by path or from bytes) and writing ranked results.

No scoring here (that is `batch`); every output is written to a temporary file beside its target
and renamed into place, so a reader never sees half a file and an interrupted run leaves the
previous output whole.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from .errors import InputError
from .explain import LONG_SHEETS, column_label, long_items, sheet_label, summary_row
from .results import RowError, ScoredProposal

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
                raise InputError(
                    f"--{field_name.replace('_', '-')}-col {overrides[field_name]!r} is not a column "
                    f"of the file; its columns are {list(map(str, columns))}"
                )
            found[field_name] = overrides[field_name]
            continue
        for alias in aliases:
            if alias in lowered:
                found[field_name] = lowered[alias]
                break
    if "text" not in found:
        raise InputError(
            f"no text column: expected one named {ALIASES['text'][:4]} (or give --text-col NAME); "
            f"the file has columns {list(map(str, columns))}"
        )
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


def _read_csv_chunks(raw: bytes, name: str, chunk_rows: int) -> Iterator[pd.DataFrame]:
    import csv
    import io as _io

    text = decode_text(raw, name)
    del raw
    try:  # only real delimiters: an open sniffer picks letters on short files
        sep = csv.Sniffer().sniff(text[:20_000], delimiters=",;\t|").delimiter
    except csv.Error:
        sep = ","
    yield from pd.read_csv(_io.StringIO(text), dtype=str, keep_default_na=False, sep=sep, chunksize=chunk_rows)


def _read_xlsx_chunks(source, name: str, sheet, chunk_rows: int) -> Iterator[pd.DataFrame]:
    from openpyxl import load_workbook

    book = load_workbook(source, read_only=True, data_only=True)
    try:
        ws = book[sheet] if isinstance(sheet, str) else book.worksheets[sheet or 0]
    except (KeyError, IndexError):
        raise InputError(f"{name} has no sheet {sheet!r}; its sheets are {book.sheetnames}") from None
    # Some exporters write a <dimension> that understates the sheet; read-only mode would trust it
    # and drop rows silently. Reading every row that is there costs nothing more.
    ws.reset_dimensions()
    rows = ws.iter_rows(values_only=True)
    header = [str(c).strip() if c is not None else f"column{i + 1}" for i, c in enumerate(next(rows, ()) or ())]
    chunk = []
    for row in rows:
        values = ["" if v is None else str(v) for v in row][: len(header)]
        chunk.append(values + [""] * (len(header) - len(values)))
        if len(chunk) >= chunk_rows:
            yield pd.DataFrame(chunk, columns=header)
            chunk = []
    if chunk or not header:
        yield pd.DataFrame(chunk, columns=header)
    book.close()


def _text_frame(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype(object).where(frame.notna(), "")
    return frame.map(lambda v: v if isinstance(v, str) else str(v))


INPUT_SUFFIXES = (".csv", ".xlsx", ".jsonl", ".parquet")


def iter_table(
    source: str | Path | bytes, sheet: str | int | None = None, chunk_rows: int = 1024, *, name: str | None = None
) -> Iterator[pd.DataFrame]:
    """A proposals table in chunks of text columns: .csv (encoding detected), .xlsx, .jsonl or .parquet.

    source: a path, or the file's bytes with its `name` (an upload). Only one chunk of rows is held
    at a time (a CSV's text is decoded whole, then parsed in chunks)."""
    import io as _io

    if isinstance(source, (bytes, bytearray)):
        name = name or "upload"
        opened = lambda: _io.BytesIO(source)  # noqa: E731
        raw = lambda: bytes(source)  # noqa: E731
    else:
        path = Path(source)
        if not path.is_file():
            raise InputError(f"input file {str(path)!r} does not exist")
        name = path.name
        opened = lambda: path  # noqa: E731
        raw = path.read_bytes
    suffix = Path(name).suffix.lower()
    if suffix not in INPUT_SUFFIXES:
        raise InputError(f"input must be .csv, .xlsx, .jsonl or .parquet; received {name!r}")
    try:
        if suffix == ".csv":
            chunks = _read_csv_chunks(raw(), name, chunk_rows)
        elif suffix == ".xlsx":
            chunks = _read_xlsx_chunks(opened(), name, sheet, chunk_rows)
        elif suffix == ".jsonl":
            chunks = (_text_frame(c) for c in pd.read_json(opened(), lines=True, dtype=False, chunksize=chunk_rows))
        else:
            import pyarrow.parquet as pq

            chunks = (
                _text_frame(batch.to_pandas()) for batch in pq.ParquetFile(opened()).iter_batches(batch_size=chunk_rows)
            )
        for chunk in chunks:
            chunk.columns = [str(c).strip() for c in chunk.columns]
            yield chunk
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - pandas/openpyxl/pyarrow raise many kinds for a damaged file
        raise InputError(
            f"cannot read {name} as {suffix} ({type(exc).__name__}: {exc}); "
            "check that the file is complete and of the type its name says"
        ) from exc


def read_table(source: str | Path | bytes, sheet: str | int | None = None, *, name: str | None = None) -> pd.DataFrame:
    """A whole proposals table as text columns (for small files; `iter_table` reads in chunks)."""
    chunks = list(iter_table(source, sheet, name=name))
    return pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame()


def neutralise(value):
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


# Characters an .xlsx cell cannot hold (openpyxl refuses them); written as visible escapes instead.
_XLSX_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
OUTPUT_SUFFIXES = (".jsonl", ".csv", ".xlsx")


def cell(value):
    """A value as a spreadsheet cell: formulas neutralised, characters a sheet cannot hold escaped."""
    value = neutralise(value)
    if isinstance(value, str) and _XLSX_ILLEGAL.search(value):
        value = _XLSX_ILLEGAL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    return value


def errors_path(output: Path) -> Path:
    return output.with_name(output.stem + ".errors.csv")


def check_output(output: str | Path, inputs: Iterable[str | Path] = ()) -> Path:
    """Refuse, before any scoring, an output that cannot be written or would overwrite an input."""
    output = Path(output)
    if output.suffix.lower() not in OUTPUT_SUFFIXES:
        raise InputError(f"output must end in {', '.join(OUTPUT_SUFFIXES)}; received {output.name!r}")
    if output.is_dir():
        raise InputError(f"output {str(output)!r} is a folder; give a file name such as {output / 'results.xlsx'}")
    folder = output.parent if str(output.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"the output folder {str(folder)!r} does not exist; create it or choose another -o path")
    if not os.access(folder, os.W_OK):
        raise InputError(f"the output folder {str(folder)!r} is not writable; choose another -o path")
    resolved = {output.resolve(), errors_path(output).resolve()}
    for source in inputs:
        if Path(source).resolve() in resolved:
            raise InputError(
                f"the output {str(output)!r} (or its errors file) is the input file {str(source)!r}; "
                "writing it would destroy the call: choose another -o path"
            )
    return output


class _Atomic:
    """A temporary file beside `path`, renamed onto it on success and removed on failure."""

    def __init__(self, path: Path, mode: str = "wb", **kwargs):
        self.path, self.mode, self.kwargs = path, mode, kwargs

    def __enter__(self):
        fd, self.tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".part", dir=self.path.parent)
        self.handle = os.fdopen(fd, self.mode, **self.kwargs)
        return self.handle

    def __exit__(self, kind, exc, tb):
        try:
            self.handle.close()
            if kind is None:
                os.replace(self.tmp, self.path)
        finally:
            if os.path.exists(self.tmp):
                os.unlink(self.tmp)
        return False


def _write_jsonl(results: Iterable[ScoredProposal], handle: BinaryIO) -> None:
    for r in results:
        handle.write((json.dumps(r.to_dict(), ensure_ascii=False) + "\n").encode("utf-8"))


def _write_csv(results: Iterable[ScoredProposal], handle: BinaryIO) -> None:
    import csv
    import io as _io

    text = _io.TextIOWrapper(handle, encoding="utf-8-sig", newline="", write_through=True)
    writer = None
    for r in results:
        row = {k: cell(v) for k, v in summary_row(r).items()}
        if writer is None:
            writer = csv.DictWriter(text, fieldnames=list(row))
            writer.writeheader()
        writer.writerow(row)
    text.flush()
    text.detach()


def _write_xlsx(
    results: Iterable[ScoredProposal], handle: BinaryIO, errors: list[RowError], lang: str | None = None
) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheets = {name: book.create_sheet(sheet_label(name, lang)) for name in ("summary", *LONG_SHEETS)}
    headers: dict[str, list[str]] = {}

    def put(name: str, row: dict) -> None:
        if name not in headers:
            headers[name] = list(row)
            sheets[name].append([column_label(h, lang) for h in headers[name]])
        sheets[name].append([cell(row.get(h)) for h in headers[name]])

    for r in results:
        put("summary", summary_row(r, lang=lang))
        for key in LONG_SHEETS:
            for item in long_items(r, key):
                put(key, item)
    if errors:
        rejected = book.create_sheet(sheet_label("errors", lang))
        rejected.append([column_label(h, lang) for h in ("row", "id", "reason")])
        for e in errors:
            rejected.append([e.row, cell(e.id), cell(e.reason)])
    book.save(handle)


def write_results(
    results: Iterable[ScoredProposal],
    errors: list[RowError],
    target: str | Path | BinaryIO,
    *,
    fmt: str | None = None,
    lang: str | None = None,
) -> list[Path]:
    """Write results (.jsonl: the full result per row; .csv: the summary; .xlsx: summary, long sheets
    and the rejected rows) to a path or a binary file object.

    `lang` ("ko" or "en") names the .xlsx sheets and columns for people and writes the summary's
    government names and flags in words (the app's download); without it the machine names stay.

    For a path, `<stem>.errors.csv` lists rejected rows (a previous run's errors file is removed when
    this run has none), and every file is replaced atomically. Returns the paths written."""
    errors = sorted(errors, key=lambda e: e.row)
    if not isinstance(target, (str, Path)):
        fmt = (fmt or "xlsx").lstrip(".")
        {"jsonl": _write_jsonl, "csv": _write_csv}.get(fmt, lambda r, h: _write_xlsx(r, h, errors, lang))(
            results, target
        )
        return []
    path = check_output(target)
    suffix = path.suffix.lower()
    with _Atomic(path) as handle:
        if suffix == ".jsonl":
            _write_jsonl(results, handle)
        elif suffix == ".csv":
            _write_csv(results, handle)
        else:
            _write_xlsx(results, handle, errors, lang)
    written = [path]
    rejected = errors_path(path)
    if errors:
        with _Atomic(rejected) as handle:
            pd.DataFrame([e.to_dict() for e in errors], columns=["row", "id", "reason", "code"]).map(cell).to_csv(
                handle, index=False, encoding="utf-8-sig"
            )
        written.append(rejected)
    elif rejected.exists():
        rejected.unlink()
    return written
