"""One resolver for a Korean local government named by a person: a code ("41110"), a Korean name with
or without its province ("수원시", "경기도 수원시", "수원"), or an English one ("Suwon", "Suwon-si",
"Suwon City"). A name several governments share ("중구", "서구", "Jung-gu", "고성군") is refused with
the candidates listed, never guessed.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

from .errors import InputError

KO_SUFFIXES = ("특별자치시", "특별자치도", "특별시", "광역시", "자치시", "자치도", "도", "시", "군", "구")
EN_SUFFIXES = r"(-?(do|si|gun|gu)|\s+(city|county|district|province|metropolitan city|special city|state))$"


def _key(text: str) -> str:
    text = unicodedata.normalize("NFC", str(text)).strip().lower()
    return re.sub(r"[\s·.,'()]+", "", text)


def _ko_stem(name: str) -> str:
    for suffix in KO_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _en_stem(name: str) -> str:
    name = re.sub(r"\s*\(.*?\)", "", str(name)).strip().lower()
    return re.sub(EN_SUFFIXES, "", name).strip()


class GovernmentResolver:
    """Codes of local governments from what people write (local_governments.csv)."""

    def __init__(self, governments: pd.DataFrame):
        self.rows = governments.to_dict("records")
        self.by_code = {r["code"]: r for r in self.rows}
        self.exact: dict[str, set[str]] = {}
        self.loose: dict[str, set[str]] = {}
        for r in self.rows:
            parent = r.get("parent_name_ko", "") or ""
            for name in (r["name_ko"], f"{parent} {r['name_ko']}", r["name_en"]):
                self.exact.setdefault(_key(name), set()).add(r["code"])
            stems = {_ko_stem(r["name_ko"]), _en_stem(r["name_en"])}
            if parent:
                stems |= {f"{_ko_stem(parent)} {_ko_stem(r['name_ko'])}", f"{parent} {_ko_stem(r['name_ko'])}"}
                parent_en = _en_stem(self.by_code[r["parent"]]["name_en"]) if r["parent"] in self.by_code else ""
                # "Jung-gu, Busan", "Busan Jung-gu"
                stems |= {
                    f"{r['name_en']} {parent_en}",
                    f"{parent_en} {r['name_en']}",
                    f"{parent_en} {_en_stem(r['name_en'])}",
                }
            for stem in stems:
                self.loose.setdefault(_key(stem), set()).add(r["code"])

    def label(self, code: str, lang: str = "ko") -> str:
        r = self.by_code[code]
        if lang == "ko":
            return f"{r.get('parent_name_ko', '') or ''} {r['name_ko']}".strip() + f" ({code})"
        parent = self.by_code.get(r["parent"], {}).get("name_en", "") if r["parent"] else ""
        return f"{r['name_en']}" + (f", {parent}" if parent else "") + f" ({code})"

    def resolve(self, value: str) -> str:
        """The code of the one government `value` names; InputError when none or several do."""
        text = str(value or "").strip()
        if not text:
            raise InputError("a local government is needed: give its code (e.g. 41110) or its Korean or English name")
        if text in self.by_code:
            return text
        key = _key(text)
        exact = self.exact.get(key)
        loose = self.loose.get(key) or self.loose.get(_key(_ko_stem(text))) or self.loose.get(_key(_en_stem(text)))
        for found in (exact, loose):
            if not found:
                continue
            if len(found) == 1:
                return next(iter(found))
            names = "; ".join(self.label(c, "ko") + " / " + self.label(c, "en") for c in sorted(found))
            raise InputError(
                f"{text!r} names {len(found)} local governments: {names}. Give the province too "
                f"(e.g. '{self.label(sorted(found)[0], 'ko').rsplit(' (', 1)[0]}') or the code"
            )
        raise InputError(
            f"no Korean local government is called {text!r}: give its code (e.g. 41110), its Korean name "
            "(수원시, 경기도 수원시) or its English name (Suwon)"
        )
