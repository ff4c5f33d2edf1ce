"""Tables in and out: reading proposals files (by path or from bytes) and writing ranked results.

No scoring here (that is `batch`); every output is written to a temporary file beside its target
and renamed into place, so a reader never sees half a file and an interrupted run leaves the
previous output whole.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from .errors import InputError
from .explain import LONG_SHEETS, column_label, long_items, sheet_label, summary_row
from .filetypes import HEAD_BYTES, check_table_kind, sniff
from .results import RowError, ScoredProposal
from .table_schema import ALIASES, RESERVED, rows_frame

log = logging.getLogger(__name__)

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _option(field_name: str) -> str:
    return "--" + field_name.replace("partner_", "").replace("_", "-") + "-col"


def find_columns(columns, overrides: dict[str, str] | None = None) -> dict[str, str]:
    """Map our field names to the file's columns; InputError names what was found and expected.

    Two columns that both name one field (two 사업내용 columns, or 사업내용 beside 사업개요) are refused
    with both names: picking one silently could score a note instead of the description."""
    overrides = {k: v for k, v in (overrides or {}).items() if v}
    columns = [c for c in columns if str(c) not in RESERVED]
    shown = list(map(str, columns))
    found = {}
    for field_name, aliases in ALIASES.items():
        if field_name in overrides:
            wanted = overrides[field_name]
            if wanted not in columns:
                raise InputError(
                    f"{_option(field_name)} {wanted!r} is not a column of the file; its columns are {shown}"
                )
            if columns.count(wanted) > 1:
                raise InputError(f"{columns.count(wanted)} columns are named {wanted!r}; rename all but one")
            found[field_name] = wanted
            continue
        hits = [(i, c) for i, c in enumerate(columns) if str(c).strip().lower() in aliases]
        if len(hits) > 1:
            names = " and ".join(f"{str(c)!r} (column {i + 1})" for i, c in hits)
            raise InputError(
                f"{len(hits)} columns could hold the {field_name.replace('_', ' ')}: {names}; rename the ones "
                f"that do not"
                + ("" if len({c for _, c in hits}) < len(hits) else f", or choose one with {_option(field_name)}")
            )
        if hits:
            found[field_name] = hits[0][1]
    if "text" not in found:
        raise InputError(
            f"no text column: expected one named {ALIASES['text'][:4]} (or give --text-col NAME); "
            f"the file has columns {shown}"
        )
    return found


_RAW_LINE_BREAK = re.compile(rb"(\r\n|\r|\n)")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_SURROGATE = re.compile("[\ud800-\udfff]")


def decode_lines(raw: bytes, name: str) -> tuple[str, list[tuple[int, int, int]]]:
    """(text, bad lines) of a text file: UTF-8 when the whole file is valid UTF-8; otherwise decided line by
    line, each line UTF-8 when it is valid UTF-8 and else CP949/EUC-KR (a line valid in both is UTF-8: the
    bytes of 경기, 강원, 교육 in UTF-8 are also valid CP949, but as other characters). A line that is neither is
    decoded with U+FFFD and listed as (line number, start, end) in the text, so a reader can report it as a
    row. Leading byte-order marks (one or several) are dropped."""
    try:
        return raw.decode("utf-8").lstrip("\ufeff"), []
    except UnicodeDecodeError:
        pass
    while raw.startswith(b"\xef\xbb\xbf"):  # a UTF-8 BOM before a CP949 line would read as two Hangul syllables
        raw = raw[3:]
    pieces = _RAW_LINE_BREAK.split(raw)
    parts: list[str] = []
    bad: list[tuple[int, int, int]] = []
    kinds, offset = set(), 0
    for number, index in enumerate(range(0, len(pieces), 2), start=1):
        line = pieces[index]
        for encoding in ("utf-8", "cp949"):
            try:
                text = line.decode(encoding)
                kinds.add(encoding if any(byte > 127 for byte in line) else "ascii")
                break
            except UnicodeDecodeError:
                continue
        else:
            text = line.decode("utf-8", errors="replace")
            bad.append((number, offset, offset + len(text)))
        if number == 1:
            text = text.lstrip("\ufeff")
        ending = pieces[index + 1].decode("ascii") if index + 1 < len(pieces) else ""
        parts.append(text + ending)
        offset += len(text) + len(ending)
    if {"utf-8", "cp949"} <= kinds:
        log.info("%s mixes UTF-8 and CP949 lines; decoded line by line", name)
    return "".join(parts), bad


def decode_text(raw: bytes, name: str) -> str:
    """UTF-8 (with or without BOM) or CP949/EUC-KR, decided line by line when the file is not all UTF-8;
    InputError naming the first line that is neither (for a document, which is one row)."""
    text, bad = decode_lines(raw, name)
    if bad:
        raise InputError(f"{name}: line {bad[0][0]} is neither UTF-8 nor CP949/EUC-KR text; save the file as UTF-8")
    return text


def _undecodable(bad: list[tuple[int, int, int]], start: int, end: int) -> str:
    """The reason a record spanning text[start:end] holds an undecodable line, or ''."""
    for number, first, last in bad:
        if first < end and last > start:
            return f"line {number} is neither UTF-8 nor CP949/EUC-KR text; save the file as UTF-8"
    return ""


def has_surrogate(text: str) -> bool:
    """True when `text` holds a lone surrogate: half of a character, which no UTF-8 file can hold."""
    return bool(_SURROGATE.search(text))


def visible(text: str) -> str:
    """`text` with lone surrogates (a character cut in half, or a file name that is not UTF-8) written as
    escapes, so that it can be printed and saved."""
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) if _SURROGATE.search(text) else text


def _chunked(header, records: Iterator[tuple[int, list[str], str]], chunk_rows: int) -> Iterator[pd.DataFrame]:
    chunk = []
    for record in records:
        chunk.append(record)
        if len(chunk) >= chunk_rows:
            yield rows_frame(header, chunk)
            chunk = []
    yield rows_frame(header, chunk)


CSV_DELIMITERS = (",", ";", "\t", "|")
# A quoted value: "..." with "" for a quote inside; possessive, so a value that never closes fails at once
# instead of backtracking.
_QUOTED = re.compile(r'"((?:[^"]++|"")*+)"')
_UNQUOTED = {sep: re.compile(f"[^{re.escape(sep)}\r\n]*") for sep in CSV_DELIMITERS}


def _csv_record(text: str, pos: int, sep: str) -> tuple[list[str], int, bool, bool]:
    """(fields, end, closed, strict) of the record starting at `pos`, with the csv module's reading of quotes
    (a quote opens a quoted value only at the start of a field; characters after the closing quote are
    kept). `closed` is False when a quoted value runs to the end of the text; `strict` is False when a
    closing quote is followed by something other than a separator or the end of the line, as when a stray
    quote "closes" at the opening quote of a later line."""
    unquoted, fields, end, strict = _UNQUOTED[sep], [], len(text), True
    while True:
        if pos < end and text[pos] == '"':
            quoted = _QUOTED.match(text, pos)
            if quoted is None:
                fields.append(text[pos + 1 :])
                return fields, end, False, False
            tail = unquoted.match(text, quoted.end())
            strict = strict and not tail.group()
            fields.append(quoted.group(1).replace('""', '"') + tail.group())
            pos = tail.end()
        else:
            value = unquoted.match(text, pos)
            fields.append(value.group())
            pos = value.end()
        if pos < end and text[pos] == sep:
            pos += 1
            continue
        line_end = _LINE_BREAK.match(text, pos)
        return fields, line_end.end() if line_end else end, True, strict


def _csv_records(
    text: str, sep: str, limit: int | None = None, bad: list[tuple[int, int, int]] = ()
) -> Iterator[tuple[int, list[str], str]]:
    """(first physical line, fields, error) of every record that is not blank; blank lines are counted.

    The reader finds the row boundaries itself: a line without a quote is one record; a quoted value may run
    over several lines, but one that never closes, or that "closes" at a quote followed by more text (the
    opening quote of a later line's value), is a stray quote: it is reported at its first line and reading
    goes on at the next line, so one stray quote costs one row and not the rest of the file. The first
    record is the header."""
    pos, line, size, width, count = 0, 1, len(text), None, 0
    while pos < size and (limit is None or count < limit):
        line_end = _LINE_BREAK.search(text, pos)
        stop, after = (line_end.start(), line_end.end()) if line_end else (size, size)
        if '"' not in text[pos:stop]:
            fields, end, closed, strict, spans = text[pos:stop].split(sep), after, True, True, 1
        else:
            fields, end, closed, strict = _csv_record(text, pos, sep)
            spans = len(_LINE_BREAK.findall(text, pos, end)) + (end == size and text[end - 1] not in "\r\n")
        error = _undecodable(bad, pos, end) if bad else ""
        if not closed or (spans > 1 and not strict):
            if width is None:
                raise InputError(
                    f'the header (line {line}) opens a quoted value (") that is never closed; close the quote '
                    "or remove it"
                )
            reason = (
                f'line {line} opens a quoted value (") that is never closed'
                if not closed
                else f'line {line} opens a quoted value (") that is not closed on its line and runs into line '
                f"{line + spans - 1} (a closing quote missing)"
            )
            count += 1
            yield line, text[pos:stop].split(sep)[:width], error or reason + "; close the quote or remove it"
            pos, line = after, line + 1
            continue
        if error or any(f.strip() for f in fields):
            count += 1
            if width is None:
                width = len(fields)
            yield line, fields, error
        pos, line = end, line + spans


def choose_delimiter(text: str) -> str:
    """The delimiter that splits the header into the most columns and the first rows into as many.

    Checked against the header, not guessed from a sample: a long first cell holding ';' cannot turn
    a comma file into a semicolon file, since then the rows would not have the header's width."""
    best, best_score = ",", (-1.0, 0)
    sample = text[:200_000]
    for sep in CSV_DELIMITERS:
        try:
            records = [fields for _, fields, error in _csv_records(sample, sep, limit=51) if not error]
        except InputError:  # a header quote that never closes: not this delimiter's reading
            continue
        if not records:
            continue
        width = len(records[0])
        if width < 2:
            continue
        rows = records[1:50] or [records[0]]
        fits = sum(1 for fields in rows if len(fields) == width or (len(fields) < width)) / len(rows)
        exact = sum(1 for fields in rows if len(fields) == width) / len(rows)
        score = (round(fits + exact, 3), width)
        if score > best_score:
            best, best_score = sep, score
    return best


def _header_names(names: list[str]) -> list[str]:
    """Column names as written, without surrounding spaces or byte-order marks; a blank one is column<N>."""
    names = [str(h).replace("\ufeff", "").strip() for h in names]
    return [h or f"column{i + 1}" for i, h in enumerate(names)]


def _read_csv_chunks(raw: bytes, name: str, chunk_rows: int) -> Iterator[pd.DataFrame]:
    text, bad = decode_lines(raw, name)
    del raw
    sep = choose_delimiter(text)
    records = _csv_records(text, sep, bad=bad)
    first = next(records, None)
    if first is None:
        yield rows_frame([], [])
        return
    if first[2]:
        raise InputError(f"{name}: the header, {first[2]}")
    header = _header_names(first[1])
    width = len(header)
    shown = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}[sep]

    def rows():
        for line, fields, error in records:
            if not error and len(fields) > width and any(f.strip() for f in fields[width:]):
                error = (
                    f"line {line} has {len(fields)} fields but the header has {width}: a {shown} inside a value? "
                    "put that value in double quotes"
                )
            yield line, fields[:width], error

    yield from _chunked(header, rows(), chunk_rows)


def _scalar_text(value) -> str:
    """A value read from JSON or Parquet as the text its writer meant: 7 stays '7', 1.5 '1.5', null ''."""
    import datetime as dt
    import math

    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) and value.tzinfo is None else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


class _Pairs(dict):
    """A JSON object that remembers the keys it named more than once (json.loads keeps the last silently)."""

    repeated: list[str]


def _object_pairs(pairs: list[tuple[str, object]]) -> _Pairs:
    value = _Pairs()
    value.repeated = []
    for key, item in pairs:
        key = key.replace("\ufeff", "").strip()
        if key in value and key not in value.repeated:
            value.repeated.append(key)
        value[key] = item
    return value


def _jsonl_lines(text: str, bad: list[tuple[int, int, int]]) -> Iterator[tuple[int, str, str]]:
    """(line number, content, undecodable reason) of every line that is not blank."""
    offset = 0
    for line, content in enumerate(text.split("\n"), start=1):
        start, offset = offset, offset + len(content) + 1
        error = _undecodable(bad, start, start + len(content)) if bad else ""
        if content.strip() or error:
            yield line, content.strip(), error


def _jsonl_row(line: int, content: str) -> tuple[dict[str, str], str]:
    """(values, error) of one JSONL line: numbers kept as written (parsed as text); a line that is not an
    object, names a key twice, nests too deeply or holds a lone surrogate escape is an error with its line."""
    try:
        value = json.loads(content, parse_int=str, parse_float=str, parse_constant=str, object_pairs_hook=_object_pairs)
    except json.JSONDecodeError as exc:
        return {}, f"line {line} is not valid JSON ({exc.msg} at column {exc.colno})"
    except RecursionError:
        return {}, f"line {line} nests arrays or objects too deeply to read; expected an object with named fields"
    if not isinstance(value, dict):
        kind = "an array" if isinstance(value, list) else "a single value"
        return {}, f"line {line} is {kind}, not an object with named fields"
    if value.repeated:
        return {}, (
            f"line {line} names the key(s) {', '.join(map(repr, value.repeated))} more than once; "
            "keep one value for each key"
        )
    values = {key: _scalar_text(item) for key, item in value.items()}
    cut = next((text for pair in values.items() for text in pair if _SURROGATE.search(text)), None)
    if cut is not None:
        half = visible(_SURROGATE.search(cut).group())
        return {}, (
            f"line {line} holds a lone surrogate escape ({half}), half of a character, in '{visible(cut)[:60]}'; "
            "the program that wrote the file cut a character in two"
        )
    return values, ""


def _read_jsonl_chunks(raw: bytes, name: str, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """One object per line. The columns are every key of every line in the order they first appear (a key
    first met on line 5,000 is a column like the others), so the file is read twice: once for the keys, once
    for the rows."""
    text, bad = decode_lines(raw, name)
    del raw
    header: dict[str, None] = {}
    for _, content, error in _jsonl_lines(text, bad):
        try:  # the keys only: json's C parser, no hooks (the second pass reads and checks each row)
            value = None if error else json.loads(content)
        except (ValueError, RecursionError):
            continue
        if isinstance(value, dict):
            header.update(dict.fromkeys(k.replace("\ufeff", "").strip() for k in value if not has_surrogate(k)))
    columns = list(header)
    chunk: list[tuple[int, list[str], str]] = []
    for line, content, error in _jsonl_lines(text, bad):
        values, problem = ({}, error) if error else _jsonl_row(line, content)
        chunk.append((line, [values.get(h, "") for h in columns], problem))
        if len(chunk) >= chunk_rows:
            yield rows_frame(columns, chunk)
            chunk = []
    yield rows_frame(columns, chunk)


def _read_parquet_chunks(source, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """Values as their column types hold them, never through pandas' float coercion (an integer
    column with nulls stays '7', not '7.0')."""
    import pyarrow.parquet as pq

    table = pq.ParquetFile(source)
    header = [str(name).strip() for name in table.schema_arrow.names]
    row = 1  # the row number a spreadsheet would show, the header being row 1
    produced = False
    for batch in table.iter_batches(batch_size=chunk_rows):
        columns = [[_scalar_text(v) for v in batch.column(i).to_pylist()] for i in range(batch.num_columns)]
        records = [(row + 1 + n, [col[n] for col in columns], "") for n in range(batch.num_rows)]
        row += batch.num_rows
        produced = True
        yield rows_frame(header, records)
    if not produced:
        yield rows_frame(header, [])


INPUT_SUFFIXES = (".csv", ".xlsx", ".jsonl", ".parquet")


def iter_table(
    source: str | Path | bytes, sheet: str | int | None = None, chunk_rows: int = 1024, *, name: str | None = None
) -> Iterator[pd.DataFrame]:
    """A proposals table in chunks of text columns: .csv (encoding and delimiter detected), .xlsx,
    .jsonl or .parquet.

    source: a path, or the file's bytes with its `name` (an upload). Only one chunk of rows is held
    at a time (a CSV's text is decoded whole, then parsed in chunks). Every value is the text the
    user wrote or saw; each chunk also has the reserved columns ROW (the true line or sheet row) and
    ERROR (why a line could not be read; such a line is reported, the others are still read)."""
    import io as _io

    from .sheets import read_xlsx_chunks

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
        if isinstance(source, (bytes, bytearray)):
            head = bytes(source[:HEAD_BYTES])
        else:
            with path.open("rb") as handle:
                head = handle.read(HEAD_BYTES)
        check_table_kind(head, name, suffix, whole=raw() if sniff(head) == "ole" else None)
        if suffix == ".csv":
            chunks = _read_csv_chunks(raw(), name, chunk_rows)
        elif suffix == ".xlsx":
            chunks = read_xlsx_chunks(opened(), name, sheet, chunk_rows)
        elif suffix == ".jsonl":
            chunks = _read_jsonl_chunks(raw(), name, chunk_rows)
        else:
            chunks = _read_parquet_chunks(opened(), chunk_rows)
        yield from chunks
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - csv/openpyxl/pyarrow raise many kinds for a damaged file
        raise InputError(
            f"cannot read {name} as {suffix} ({type(exc).__name__}: {exc}); "
            "check that the file is complete and of the type its name says"
        ) from exc


def read_table(source: str | Path | bytes, sheet: str | int | None = None, *, name: str | None = None) -> pd.DataFrame:
    """A whole proposals table as text columns, with the reserved ROW and ERROR columns (for small
    files; `iter_table` reads in chunks)."""
    chunks = list(iter_table(source, sheet, name=name))
    return pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame()


def user_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame without the reserved columns (for showing a table)."""
    return frame[[c for c in frame.columns if c not in RESERVED]]


def neutralise(value):
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


# Characters an .xlsx cell cannot hold (openpyxl refuses them); written as visible escapes instead.
_XLSX_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
OUTPUT_SUFFIXES = (".jsonl", ".csv", ".xlsx")


XLSX_CELL_CHARS = 32_767  # what one .xlsx cell holds (openpyxl cuts longer text silently)


def cell(value):
    """A value as a spreadsheet cell: formulas neutralised, characters a sheet cannot hold escaped."""
    value = neutralise(value)
    if isinstance(value, str) and _XLSX_ILLEGAL.search(value):
        value = _XLSX_ILLEGAL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    return value


def xlsx_cell(value):
    """`cell(value)`, and text longer than a cell holds is cut visibly, saying how long it was (the errors
    .csv beside the output keeps it whole)."""
    value = cell(value)
    if isinstance(value, str) and len(value) > XLSX_CELL_CHARS:
        note = f" … [cut: {len(value):,} characters]"
        value = value[: XLSX_CELL_CHARS - len(note)] + note
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


LOCK_POLL_SECONDS = 0.2


@contextlib.contextmanager
def output_lock(output: Path, wait: float | None = 600.0):
    """An exclusive lock per output path (`.<name>.lock` beside it), held while a run writes it, so
    two runs writing the same output take turns instead of interleaving. Waits up to `wait` seconds
    (None: forever), then InputError."""
    import fcntl

    lock = output.with_name(f".{output.name}.lock")
    try:
        handle = open(lock, "a+")  # noqa: SIM115 - held open for the whole run
    except IsADirectoryError:
        raise InputError(f"the lock path {str(lock)!r} is a folder; remove it and run again") from None
    except OSError as exc:
        raise InputError(
            f"cannot create the lock file {str(lock)!r} ({exc.strerror}); choose another -o path"
        ) from None
    with handle:
        started = time.monotonic()
        told = False
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if wait is not None and time.monotonic() - started >= wait:
                    raise InputError(
                        f"another run is writing {str(output)!r} (it holds {lock.name}); wait for it to finish "
                        "or choose another -o path"
                    ) from None
                if not told:
                    log.warning("another run is writing %s; waiting for it to finish", output)
                    told = True
                time.sleep(LOCK_POLL_SECONDS)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class _Staged:
    """A temporary file beside `path` (same folder, so the rename is atomic), removed unless committed."""

    def __init__(self, path: Path):
        fd, self.tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        self.path, self.handle = path, os.fdopen(fd, "wb")

    def discard(self) -> None:
        self.handle.close()
        if os.path.exists(self.tmp):
            os.unlink(self.tmp)


@contextlib.contextmanager
def _signals_held():
    """Ctrl-C and SIGTERM wait until the block is done (it only renames): an output and its errors file are
    replaced together or not at all."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _write_errors_csv(errors: list[RowError], handle: BinaryIO) -> None:
    """row, id, reason, code; every field that holds a line break (a lone CR too) is quoted."""
    import csv
    import io as _io

    text = _io.TextIOWrapper(handle, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text, lineterminator="\r\n")  # CR and LF in the terminator: both force quotes
    writer.writerow(["row", "id", "reason", "code"])
    for e in errors:
        writer.writerow([e.row, cell(visible(e.id)), cell(visible(e.reason)), e.code])
    text.flush()
    text.detach()


def _write_jsonl(results: Iterable[ScoredProposal], handle: BinaryIO) -> None:
    for r in results:
        handle.write((json.dumps(r.to_dict(), ensure_ascii=False) + "\n").encode("utf-8"))


def _worklist(results, errors, lang: str, names, ordered: bool) -> tuple[list, list, list]:
    """(results as a list, header, rows) of the worklist in `lang` (recommender/worklist.py)."""
    from .worklist import COLUMNS, column_header, names_from_results, worklist_rows

    results = list(results)
    names = names or names_from_results(results, lang)
    rows = worklist_rows(results, errors, names, ordered=ordered)
    return results, [column_header(c, lang) for c in COLUMNS], [[cell(r[c]) for c in COLUMNS] for r in rows]


def _write_csv(
    results: Iterable[ScoredProposal],
    handle: BinaryIO,
    errors: list[RowError] = (),
    lang: str | None = None,
    names=None,
    ordered: bool = False,
) -> None:
    import csv
    import io as _io

    text = _io.TextIOWrapper(handle, encoding="utf-8-sig", newline="", write_through=True)
    if lang is not None:  # the worklist, as the app shows it
        _, header, rows = _worklist(results, errors, lang, names, ordered)
        writer = csv.writer(text)
        writer.writerow(header)
        writer.writerows(rows)
    else:
        writer = None
        for r in results:
            row = {k: cell(v) for k, v in summary_row(r).items()}
            if writer is None:
                writer = csv.DictWriter(text, fieldnames=list(row))
                writer.writeheader()
            writer.writerow(row)
    text.flush()
    text.detach()


def _long_rows(r: ScoredProposal, key: str, lang: str | None, names) -> list[dict]:
    """A result's rows of one long sheet; for people (`lang`), names beside the codes: governments by
    name (with their upper government), countries by name, levels in words."""
    rows = long_items(r, key)
    if lang is None or names is None:
        return rows
    from .explain import message

    for row in rows:
        if "lg_codes" in row:
            row["governments"] = "; ".join(names.government(c) for c in str(row["lg_codes"]).split(";") if c)
        if "partner_iso2" in row:
            row["partner_iso2"] = "; ".join(names.country(c) for c in str(row["partner_iso2"]).split(";") if c)
        if key == "local_governments":
            row["name"] = names.government(row["code"])
            row["level"] = message(f"level.{row['level']}", lang) if row.get("level") in ("upper", "basic") else ""
            row["best_precedent"] = names.precedents.get(row.get("best_precedent") or "", "")
            for drop in ("name_en", "name_ko"):
                row.pop(drop, None)
        if key == "teams":
            row["names"] = " + ".join(names.government(c) for c in str(row["codes"]).split(";") if c)
            for drop in ("names_en", "names_ko"):
                row.pop(drop, None)
    return rows


def _write_xlsx(
    results: Iterable[ScoredProposal],
    handle: BinaryIO,
    errors: list[RowError],
    lang: str | None = None,
    names=None,
    ordered: bool = False,
) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheets = {name: book.create_sheet(sheet_label(name, lang)) for name in ("summary", *LONG_SHEETS)}
    headers: dict[str, list[str]] = {}

    def put(name: str, row: dict) -> None:
        if name not in headers:
            headers[name] = list(row)
            sheets[name].append([column_label(h, lang) for h in headers[name]])
        sheets[name].append([xlsx_cell(row.get(h)) for h in headers[name]])

    if lang is not None:  # the summary is the worklist, as the app shows it (rejected rows included)
        results, header, rows = _worklist(results, errors, lang, names, ordered)
        sheets["summary"].append(header)
        for row in rows:
            sheets["summary"].append(row)
    for r in results:
        if lang is None:
            put("summary", summary_row(r))
        for key in LONG_SHEETS:
            for item in _long_rows(r, key, lang, names):
                put(key, item)
    if errors:
        rejected = book.create_sheet(sheet_label("errors", lang))
        rejected.append([column_label(h, lang) for h in ("row", "id", "reason")])
        for e in errors:
            rejected.append([e.row, xlsx_cell(visible(e.id)), xlsx_cell(e.reason)])
    book.save(handle)


def write_results(
    results: Iterable[ScoredProposal],
    errors: list[RowError],
    target: str | Path | BinaryIO,
    *,
    fmt: str | None = None,
    lang: str | None = None,
    names=None,
    ordered: bool = False,
) -> list[Path]:
    """Write results (.jsonl: the full result per row; .csv: the summary; .xlsx: summary, long sheets
    and the rejected rows) to a path or a binary file object.

    `lang` ("ko" or "en") writes the .xlsx and .csv for people: the summary is the worklist
    (recommender/worklist.py: the call's own columns, flags in words, most severe first, names not
    codes, rejected rows with their reason), sheets and columns named in that language; `names` (a
    worklist.CatalogueNames) names governments with their upper government; `ordered`: the results
    already come in worklist order. Without `lang` the machine names stay. The .jsonl is the same
    either way.

    For a path, `<stem>.errors.csv` lists rejected rows (a previous run's errors file is removed when
    this run has none), and every file is replaced atomically. Returns the paths written."""
    errors = sorted(errors, key=lambda e: e.row)
    if not isinstance(target, (str, Path)):
        fmt = (fmt or "xlsx").lstrip(".")
        if fmt == "jsonl":
            _write_jsonl(results, target)
        elif fmt == "csv":
            _write_csv(results, target, errors, lang, names, ordered)
        else:
            _write_xlsx(results, target, errors, lang, names, ordered)
        return []
    path = check_output(target)
    suffix = path.suffix.lower()
    rejected = errors_path(path)
    staged: list[_Staged] = []
    try:
        output = _Staged(path)
        staged.append(output)
        if suffix == ".jsonl":
            _write_jsonl(results, output.handle)
        elif suffix == ".csv":
            _write_csv(results, output.handle, errors, lang, names, ordered)
        else:
            _write_xlsx(results, output.handle, errors, lang, names, ordered)
        output.handle.close()
        if errors:
            listed = _Staged(rejected)
            staged.append(listed)
            _write_errors_csv(errors, listed.handle)
            listed.handle.close()
        with _signals_held():  # both new or both old, and no stale errors file beside a new output
            for done in staged:
                os.replace(done.tmp, done.path)
            if not errors and rejected.exists():
                rejected.unlink()
    finally:
        for done in staged:
            done.discard()
    return [done.path for done in staged]
