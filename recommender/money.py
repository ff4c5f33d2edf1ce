"""Amounts of money in Korean won: one reader for every way a call writes them, one writer per language.

A KOICA call writes budgets as plain numbers (300000000, 300,000,000), with the unit (300,000,000원,
KRW 300,000,000, ₩300,000,000) and in Korean units (5억원, 1억 2천만원, 15억 원, 3억5천만, 천만원, 1.5억).
`parse_krw` reads them all; `format_krw` writes an amount back in the reader's units (3억 5,000만 원,
99조 원; 350,000,000 KRW).
"""

from __future__ import annotations

import math
import re

from .errors import InputError

# Units that multiply everything written before them back to the previous large unit (1억 2천만: the
# 2천 is counted in 만), and small units that multiply the number right before them.
LARGE_UNITS = {"조": 10**12, "억": 10**8, "만": 10**4}
SMALL_UNITS = {"천": 10**3, "백": 10**2, "십": 10}
_CURRENCY = re.compile(r"^(krw|₩|￦)|(원|krw|won|₩)$", re.IGNORECASE)
_TOKEN = re.compile(r"(\d+(?:\.\d+)?)|([조억만천백십])")


def _korean_units(text: str) -> float | None:
    """The value of a number written with Korean units (3억5천만), or None when it is not one."""
    total, group, number, end, last = 0.0, 0.0, None, 0, math.inf
    for match in _TOKEN.finditer(text):
        if match.start() != end:
            return None
        end = match.end()
        digits, unit = match.groups()
        if digits is not None:
            if number is not None:
                return None  # two numbers in a row
            number = float(digits)
        elif unit in SMALL_UNITS:
            group += (1.0 if number is None else number) * SMALL_UNITS[unit]
            number = None
        else:
            if LARGE_UNITS[unit] >= last:
                return None  # 5억억, 3만 2억: large units come largest first, once each
            last = LARGE_UNITS[unit]
            group += 0.0 if number is None else number
            total += (group or 1.0) * LARGE_UNITS[unit]
            group, number = 0.0, None
    if end != len(text) or end == 0:
        return None
    return total + group + (number or 0.0)


def parse_krw(value) -> float | None:
    """An amount in KRW from a cell or a field: None for an empty value, InputError for anything else
    that is not an amount of money (the message says what was expected and what was received)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool):
        raise InputError(f"budget must be a number (KRW); received {value!r}")
    if isinstance(value, (int, float)):
        amount = float(value)
    else:
        text = str(value).strip()
        if not text:
            return None
        compact = re.sub(r"[\s,_]", "", text)
        compact = _CURRENCY.sub("", compact)
        compact = _CURRENCY.sub("", compact)  # "KRW 5억원" carries the unit on both sides
        try:
            amount = float(compact)
        except ValueError:
            korean = _korean_units(compact)
            if korean is None:
                raise InputError(
                    f"budget must be a number (KRW), e.g. 300000000, 300,000,000원 or 3억 원; received {text[:40]!r}"
                ) from None
            amount = korean
    if amount < 0 or math.isinf(amount) or math.isnan(amount):
        raise InputError(f"budget must be zero or more (KRW); received {value!r}")
    return amount


def format_krw(value: float | None, lang: str) -> str:
    """An amount for reading: Korean units in Korean (3억 5,000만 원, 99조 원, 5,000원), grouped digits
    in English (350,000,000 KRW). Empty when unknown. Korean amounts of 1억 and more are rounded to 만."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if lang != "ko":
        return f"{value:,.0f} KRW"
    won = round(value)
    if won < 10**4:
        return f"{won:,}원"
    if won >= 10**8:
        won = round(won / 10**4) * 10**4
    parts = []
    for unit, size in LARGE_UNITS.items():
        count, won = divmod(won, size)
        if count:
            parts.append(f"{count:,}{unit}")
    if won:
        parts.append(f"{won:,}")
    return " ".join(parts) + ("원" if won else " 원")
