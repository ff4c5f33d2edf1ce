"""What every table reader produces: the fields a proposal has, the column names people use for
them, and the reserved columns each chunk carries (true line number, read error, uncached
formulas). Shared by `io` and `sheets` so that neither imports the other."""

from __future__ import annotations

import pandas as pd

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

# Reserved columns every reader adds to its chunks: the row's true line (or sheet row) number, and
# why the reader could not make a row of it (empty when it could). A header cannot hold a NUL.
ROW = "\x00row"
ERROR = "\x00error"
# .xlsx: JSON [[column, cell, kind, detail], ...] of the read cells without a value to read: kind "formula"
# (saved without its value; detail: its text) or "error" (detail: the error value shown, #DIV/0!)
UNCACHED = "\x00uncached"
RESERVED = (ROW, ERROR, UNCACHED)


def rows_frame(header: list[str], records: list[tuple[int, list[str], str]], extra: dict | None = None) -> pd.DataFrame:
    """A chunk: the header's columns as text, plus the reserved line-number and error columns."""
    width = len(header)
    body = [(values + [""] * width)[:width] for _, values, _ in records]
    frame = pd.DataFrame(body, columns=header, dtype=object) if header else pd.DataFrame(index=range(len(records)))
    frame[ROW] = [row for row, _, _ in records]
    frame[ERROR] = [error for _, _, error in records]
    for key, values in (extra or {}).items():
        frame[key] = values
    return frame
