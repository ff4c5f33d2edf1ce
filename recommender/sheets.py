"""Reading an .xlsx call as the reviewer sees it in Excel.

- Every row that is there is read: the `<dimension>` element some exporters write (too small, or
  just `A1`) is ignored.
- The header is the first row naming a description column, however many title rows are above it.
- Without --sheet, hidden sheets and sheets without a description column (a cover page) are
  passed over, and a notice names them; so does a notice naming every other visible sheet that also
  has a description column (each is scored with --sheet NAME).
- Cells read as Excel shows them, by xlfmt from the stored number and its format: `000` is `007`,
  `000-00-00000` is `123-45-67890`, a fraction, a scaled `#,##0,` or `0.00E+00` as shown, a date as
  formatted (serial 60 is Excel's 1900-02-29), an integer is `7` (never `7.0`); text is never stripped.
- Cells that cannot be read as a value are listed in the reserved UNCACHED column (as JSON:
  column, cell, kind, detail), so that the batch decides per field: a formula saved without a value
  (a file written by a program, never opened in Excel), and an error value such as `#DIV/0!`.
- A member of the workbook that inflates more than MAX_MEMBER_RATIO-fold (past 1 MB) is refused
  before openpyxl reads it, as documents and zips are; openpyxl's warnings are logged, not printed.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import warnings
import zipfile
from collections.abc import Iterator

import pandas as pd

from .errors import InputError
from .table_schema import ALIASES, UNCACHED, rows_frame

log = logging.getLogger(__name__)

MAX_MEMBER_RATIO = 100  # as documents.MAX_MEMBER_RATIO: a real sheet compresses about 8-15-fold


def _general(value: float) -> str:
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    from xlfmt import format_value

    return str(format_value(value, "General"))


def cell_text(value, fmt: str | None, date1904: bool = False) -> str:
    """The text Excel shows for a cell's value under its number format (xlfmt renders the format; an
    integer under General is written in full below 10^15, as Excel shows it in a column wide enough)."""
    from xlfmt import format_value

    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    fmt = fmt or "General"
    if isinstance(value, str):
        return value if fmt in ("General", "@") else _formatted(format_value, value, fmt, date1904, value)
    if isinstance(value, dt.timedelta):
        value = value.total_seconds() / 86400
    if isinstance(value, (int, float)):
        if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
            return ""
        if fmt.lower() == "general":
            return _general(float(value))
    return _formatted(format_value, value, fmt, date1904, None)


def _formatted(format_value, value, fmt: str, date1904: bool, fallback) -> str:
    try:
        return str(format_value(value, fmt, date1904=date1904))
    except Exception:  # noqa: BLE001 - a format code xlfmt cannot read: the value as General
        if fallback is not None:
            return fallback
        if isinstance(value, (dt.datetime, dt.date, dt.time)):
            return value.isoformat()
        return _general(float(value))


# ------------------------------------------------------------------ sheets and rows
def _rows(ws) -> Iterator[tuple[int, list]]:
    """(sheet row, cells) for every row that has a value, with the true row number."""
    row = 0
    for cells in ws.iter_rows():
        row += 1
        known = next((c.row for c in cells if getattr(c, "row", None)), None)
        if known:
            row = known
        yield row, list(cells)


def _values(cells, date1904: bool = False) -> list[str]:
    """Each cell's text as Excel shows it, never stripped (an id ' A1' stays ' A1'); an error value is ''."""
    return [
        ""
        if c.value is None or getattr(c, "data_type", None) == "e"
        else cell_text(c.value, getattr(c, "number_format", None), date1904)
        for c in cells
    ]


def _is_header(values: list[str]) -> bool:
    return any(v.strip().lower() in ALIASES["text"] for v in values)


def _find_header(ws, date1904: bool = False) -> tuple[int, list[str]] | None:
    """(row, names) of the first row naming a description column (however far down), else the first row
    with two or more values, else None."""
    fallback = None
    for row, cells in _rows(ws):
        values = [v.strip() for v in _values(cells, date1904)]
        if _is_header(values):
            return row, values
        if fallback is None and sum(1 for v in values if v) >= 2:
            fallback = (row, values)
    return fallback


def _date1904(book) -> bool:
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    return getattr(book, "epoch", None) == CALENDAR_MAC_1904


def _keep_serial_numbers(book) -> None:
    """Make the read-only reader return a date cell's stored serial number instead of a datetime, so that
    xlfmt renders it under its format (openpyxl turns serials 59 and 60 into the same 1900-02-28; Excel shows
    60 as 1900-02-29). openpyxl's parser reads these two sets of style ids at iteration time."""
    if hasattr(book, "_date_formats") and hasattr(book, "_timedelta_formats"):
        book._date_formats = set()
        book._timedelta_formats = set()


def _choose_sheet(book, name: str, sheet) -> tuple[object, tuple[int, list[str]] | None]:
    date1904 = _date1904(book)
    if sheet is not None:
        try:
            if isinstance(sheet, str) and (sheet in book.sheetnames or not sheet.isdigit()):
                ws = book[sheet]
            else:
                ws = book.worksheets[int(sheet)]
        except (KeyError, IndexError):
            raise InputError(f"{name} has no sheet {sheet!r}; its sheets are {book.sheetnames}") from None
        ws.reset_dimensions()
        return ws, _find_header(ws, date1904)
    hidden, covers, fallback, chosen, others = [], [], None, None, []
    for ws in book.worksheets:
        if getattr(ws, "sheet_state", "visible") != "visible":
            hidden.append(ws.title)
            continue
        ws.reset_dimensions()
        header = _find_header(ws, date1904)
        if header is not None and _is_header(header[1]):
            if chosen is None:
                chosen = (ws, header)
            else:
                others.append(ws.title)
            continue
        if chosen is None:
            covers.append(ws.title)
            fallback = fallback or (ws, header)
    if chosen is not None:
        ws = chosen[0]
        if hidden or covers:
            log.warning(
                "%s: read sheet %r; passed over %s (give --sheet NAME to read another)",
                name,
                ws.title,
                "; ".join(
                    part
                    for part in (
                        f"hidden sheet(s) {hidden}" if hidden else "",
                        f"sheet(s) without a description column {covers}" if covers else "",
                    )
                    if part
                ),
            )
        if others:
            log.warning(
                "%s: read sheet %r only; sheet(s) %s also have a description column and were NOT read: "
                "score each with --sheet NAME",
                name,
                ws.title,
                others,
            )
        return chosen
    if fallback is None:
        raise InputError(f"{name} has no visible sheet with data; its sheets are {book.sheetnames} (hidden: {hidden})")
    return fallback


def check_inflation(source, name: str) -> None:
    """Refuse, before openpyxl inflates anything, a workbook member that expands more than MAX_MEMBER_RATIO-fold
    past 1 MB (one 300 MB shared string in a 308 KB file); a damaged zip is left to openpyxl's own error."""
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError):
        return
    with archive:
        for info in archive.infolist():
            if info.file_size > 1 << 20 and info.file_size > MAX_MEMBER_RATIO * max(info.compress_size, 1):
                raise InputError(
                    f"{name}: member {info.filename!r} expands {info.file_size // max(info.compress_size, 1):,}-fold "
                    f"to {info.file_size / 2**20:,.0f} MB (a decompression bomb?); the workbook is refused. Save it "
                    "again from Excel, or as CSV UTF-8"
                )


def _load(source, data_only: bool):
    from openpyxl import load_workbook

    if hasattr(source, "seek"):
        source.seek(0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        book = load_workbook(source, read_only=True, data_only=data_only)
    for warning in caught:  # "Data Validation extension is not supported", default styles, ...
        log.info("openpyxl: %s", warning.message)
    _keep_serial_numbers(book)
    return book


def _unreadable_cells(names: list[str], cells, formula_cells) -> list[list[str]]:
    """[column, cell, kind, detail] of each cell in a read column that has no value to read: "formula" (saved
    without its value; detail: the formula's text) or "error" (detail: the value Excel shows, #DIV/0!)."""
    found = []
    for i, name in enumerate(names):
        value_cell = cells[i] if i < len(cells) else None
        formula_cell = formula_cells[i] if i < len(formula_cells) else None
        if value_cell is not None and getattr(value_cell, "data_type", None) == "e" and value_cell.value is not None:
            found.append([name, value_cell.coordinate, "error", str(value_cell.value)])
        elif (
            formula_cell is not None
            and getattr(formula_cell, "data_type", None) == "f"
            and (value_cell is None or value_cell.value is None)
        ):
            found.append([name, formula_cell.coordinate, "formula", str(formula_cell.value)])
    return found


def _warnings_off(rows: Iterator):
    """The rows of an openpyxl iterator, each fetched with warnings logged instead of printed."""
    while True:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            item = next(rows, None)
        for warning in caught:
            log.info("openpyxl: %s", warning.message)
        if item is None:
            return
        yield item


def read_xlsx_chunks(source, name: str, sheet, chunk_rows: int) -> Iterator[pd.DataFrame]:
    check_inflation(source, name)
    values_book = _load(source, data_only=True)
    formula_book = _load(source, data_only=False)
    date1904 = _date1904(values_book)
    try:
        ws, header = _choose_sheet(values_book, name, sheet)
        if header is None:
            yield rows_frame([], [])
            return
        header_row, names = header
        while names and not names[-1]:
            names.pop()
        names = [v or f"column{i + 1}" for i, v in enumerate(names)]
        if header_row > 1:
            log.info("%s: the header is on row %d; rows above it are titles and are skipped", name, header_row)
        formulas = formula_book[ws.title]
        formulas.reset_dimensions()
        width = len(names)
        chunk: list[tuple[int, list[str], str]] = []
        unreadable: list[str] = []

        def flush():
            frame = rows_frame(names, chunk, {UNCACHED: list(unreadable)})
            chunk.clear()
            unreadable.clear()
            return frame

        for (row, cells), (_, formula_cells) in zip(_warnings_off(_rows(ws)), _warnings_off(_rows(formulas))):
            if row <= header_row:
                continue
            problems = _unreadable_cells(names, cells[:width], formula_cells[:width])
            values = _values(cells, date1904)[:width]
            if not any(v.strip() for v in values) and not problems:
                continue
            chunk.append((row, values, ""))
            unreadable.append(json.dumps(problems, ensure_ascii=False) if problems else "")
            if len(chunk) >= chunk_rows:
                yield flush()
        yield flush()
    finally:
        values_book.close()
        formula_book.close()
