"""Reading an .xlsx call as the reviewer sees it in Excel.

- Every row that is there is read: the `<dimension>` element some exporters write (too small, or
  just `A1`) is ignored.
- The header is the first row naming a description column, so title rows above it are skipped.
- Without --sheet, hidden sheets and sheets without a description column (a cover page) are
  passed over, and a notice names them.
- Cells read as Excel shows them: a number formatted `000` is `007`, a date is the date as
  formatted, an integer is `7` (never `7.0`).
- A formula saved without a value (a file written by a program, never opened in Excel) cannot be
  read; such cells are listed in the reserved UNCACHED column so that the row is reported instead of
  read as blank.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from collections.abc import Iterator

import pandas as pd

from .errors import InputError
from .table_schema import ALIASES, UNCACHED, rows_frame

log = logging.getLogger(__name__)

HEADER_SEARCH_ROWS = 30


# ------------------------------------------------------------------ number formats
_DATE_TOKEN = re.compile(
    r'"[^"]*"|\\.|\[[^\]]*\]|yyyy|yy|mmmmm|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|am/pm|a/p|\.0+|.', re.IGNORECASE
)


def _format_date(value: dt.datetime | dt.date | dt.time, fmt: str) -> str:
    """A date or time as its Excel format shows it (Korean short date for the built-in `mm-dd-yy`)."""
    if isinstance(value, dt.time):
        value = dt.datetime.combine(dt.date(1900, 1, 1), value)
    elif not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(0))
    fmt = fmt.split(";")[0]
    if fmt.lower() in ("general", "mm-dd-yy", "m/d/yy", "m/d/yyyy", "yyyy-mm-dd"):  # built-in 14: the locale's
        return value.strftime("%Y-%m-%d") + ("" if value.time() == dt.time(0) else value.strftime(" %H:%M:%S"))
    tokens = _DATE_TOKEN.findall(fmt)
    twelve = any(t.lower() in ("am/pm", "a/p") for t in tokens)
    out = []
    for n, token in enumerate(tokens):
        low = token.lower()
        if low.startswith('"'):
            out.append(token[1:-1])
        elif low.startswith("\\"):
            out.append(token[1:])
        elif low.startswith("["):
            continue
        elif low in ("yyyy",):
            out.append(f"{value.year:04d}")
        elif low == "yy":
            out.append(f"{value.year % 100:02d}")
        elif low in ("m", "mm"):
            before = [t.lower() for t in tokens[:n] if t.strip() and t.lower()[0] in "hsdmy"]
            after = [t.lower() for t in tokens[n + 1 :] if t.strip() and t.lower()[0] in "hsdmy"]
            minutes = (before and before[-1][0] == "h") or (after and after[0][0] == "s")
            number = value.minute if minutes else value.month
            out.append(f"{number:02d}" if low == "mm" else str(number))
        elif low == "mmm":
            out.append(value.strftime("%b"))
        elif low in ("mmmm", "mmmmm"):
            out.append(value.strftime("%B") if low == "mmmm" else value.strftime("%B")[0])
        elif low == "dd":
            out.append(f"{value.day:02d}")
        elif low == "d":
            out.append(str(value.day))
        elif low in ("ddd", "dddd"):
            out.append(value.strftime("%a" if low == "ddd" else "%A"))
        elif low in ("h", "hh"):
            hour = (value.hour % 12 or 12) if twelve else value.hour
            out.append(f"{hour:02d}" if low == "hh" else str(hour))
        elif low in ("s", "ss"):
            out.append(f"{value.second:02d}" if low == "ss" else str(value.second))
        elif low in ("am/pm", "a/p"):
            out.append(("AM" if value.hour < 12 else "PM") if low == "am/pm" else ("A" if value.hour < 12 else "P"))
        elif low.startswith(".0"):
            out.append("." + f"{value.microsecond:06d}"[: len(low) - 1])
        else:
            out.append(token)
    return "".join(out)


def _general(value: float) -> str:
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.15g}"


_NUMBER_PART = re.compile(r"[0#?,.]*[0#?][0#?,.]*")


def _format_number(value: float, fmt: str) -> str:
    """A number as Excel shows it under `fmt` (zero padding, decimals, thousands, percent, literals)."""
    sections = fmt.split(";")
    section = sections[0]
    if value < 0 and len(sections) > 1 and sections[1]:
        section, value = sections[1], -value
    elif value == 0 and len(sections) > 2 and sections[2]:
        section = sections[2]
    section = re.sub(r"\[[^\]]*\]|_.|\*.", "", section)
    if section.strip().lower() in ("general", "@", ""):
        return _general(value)
    plain, code = [], []  # the characters shown, and the same with quoted text masked
    for token in re.finditer(r'"([^"]*)"|\\(.)|(.)', section):
        if token.group(3) is not None:
            plain.append(token.group(3))
            code.append(token.group(3))
        else:
            text = token.group(1) if token.group(1) is not None else token.group(2)
            plain.extend(text)
            code.extend("\x01" * len(text))
    code_text = "".join(code)
    if re.search(r"e[+-]", code_text, re.IGNORECASE):
        mantissa = code_text.lower().split("e")[0]
        decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
        return f"{value:.{decimals}E}"
    match = _NUMBER_PART.search(code_text)
    if match is None:
        return _general(value)
    if "%" in code_text:
        value *= 100
    integer, _, fraction = match.group().partition(".")
    decimals = len(re.sub(r"[^0#?]", "", fraction))
    grouped = "," in integer
    shown = f"{abs(value):.{decimals}f}"
    whole, dot, rest = shown.partition(".")
    whole = whole.zfill(integer.replace(",", "").count("0"))
    if grouped:
        whole = f"{int(whole):,}".rjust(len(whole), "0") if whole else whole
    if "#" in fraction and rest:
        digits = re.sub(r"[^0#?]", "", fraction)
        required = len(digits) - len(digits.lstrip("0"))
        rest = rest[:required] + rest[required:].rstrip("0")
        dot = dot if rest else ""
    if whole == "0" and "0" not in integer and (rest or dot):
        whole = ""
    sign = "-" if value < 0 and round(abs(value), decimals) != 0 else ""
    return "".join(plain[: match.start()]) + sign + whole + dot + rest + "".join(plain[match.end() :])


def cell_text(value, fmt: str | None) -> str:
    """The text Excel shows for a cell's value under its number format."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return _format_date(value, fmt or "General")
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, (int, float)):
        if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
            return ""
        try:
            return _format_number(float(value), fmt or "General") if fmt else _general(float(value))
        except (ValueError, IndexError):
            return _general(float(value))
    return str(value)


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


def _values(cells) -> list[str]:
    return [cell_text(c.value, getattr(c, "number_format", None)).strip() if c.value is not None else "" for c in cells]


def _is_header(values: list[str]) -> bool:

    return any(v.strip().lower() in ALIASES["text"] for v in values)


def _find_header(ws) -> tuple[int, list[str]] | None:
    """(row, names) of the first row naming a description column within the first rows, else the first
    row with two or more values, else None."""
    fallback = None
    for n, (row, cells) in enumerate(_rows(ws)):
        if n >= HEADER_SEARCH_ROWS:
            break
        values = _values(cells)
        if _is_header(values):
            return row, values
        if fallback is None and sum(1 for v in values if v) >= 2:
            fallback = (row, values)
    return fallback


def _choose_sheet(book, name: str, sheet) -> tuple[object, tuple[int, list[str]] | None]:
    if sheet is not None:
        try:
            if isinstance(sheet, str) and (sheet in book.sheetnames or not sheet.isdigit()):
                ws = book[sheet]
            else:
                ws = book.worksheets[int(sheet)]
        except (KeyError, IndexError):
            raise InputError(f"{name} has no sheet {sheet!r}; its sheets are {book.sheetnames}") from None
        ws.reset_dimensions()
        return ws, _find_header(ws)
    hidden, covers, fallback = [], [], None
    for ws in book.worksheets:
        if getattr(ws, "sheet_state", "visible") != "visible":
            hidden.append(ws.title)
            continue
        ws.reset_dimensions()
        header = _find_header(ws)
        if header is not None and _is_header(header[1]):
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
            return ws, header
        covers.append(ws.title)
        fallback = fallback or (ws, header)
    if fallback is None:
        raise InputError(f"{name} has no visible sheet with data; its sheets are {book.sheetnames} (hidden: {hidden})")
    return fallback


def read_xlsx_chunks(source, name: str, sheet, chunk_rows: int) -> Iterator[pd.DataFrame]:
    from openpyxl import load_workbook

    values_book = load_workbook(source, read_only=True, data_only=True)
    formula_book = load_workbook(source, read_only=True, data_only=False)
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
        uncached: list[str] = []

        def flush():
            frame = rows_frame(names, chunk, {UNCACHED: list(uncached)})
            chunk.clear()
            uncached.clear()
            return frame

        for (row, cells), (_, formula_cells) in zip(_rows(ws), _rows(formulas)):
            if row <= header_row:
                continue
            values = _values(cells)[:width]
            if not any(values) and not any(getattr(c, "data_type", None) == "f" for c in formula_cells[:width]):
                continue
            missing = [
                f"{names[i]}\t{c.coordinate} ({c.value})"
                for i, c in enumerate(formula_cells[:width])
                if getattr(c, "data_type", None) == "f" and (i >= len(cells) or cells[i].value is None)
            ]
            chunk.append((row, values, ""))
            uncached.append("\n".join(missing))
            if len(chunk) >= chunk_rows:
                yield flush()
        yield flush()
    finally:
        values_book.close()
        formula_book.close()
