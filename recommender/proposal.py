"""A proposal, checked and resolved against the country and city tables."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from .errors import InputError
from .money import parse_krw
from .text import normalise

MAX_TEXT_CHARS = 200_000  # about 60 pages; longer input is refused rather than silently cut

# Names people write that GeoNames spells otherwise.
COUNTRY_ALIASES = {
    "viet nam": "VN",
    "lao pdr": "LA",
    "lao people's democratic republic": "LA",
    "laos": "LA",
    "timor-leste": "TL",
    "east timor": "TL",
    "timor leste": "TL",
    "myanmar (burma)": "MM",
    "burma": "MM",
    "kyrgyzstan": "KG",
    "kyrgyz republic": "KG",
    "republic of korea": "KR",
    "korea": "KR",
    "south korea": "KR",
    "tanzania": "TZ",
    "united republic of tanzania": "TZ",
    "drc": "CD",
    "dr congo": "CD",
    "democratic republic of the congo": "CD",
    "cote d'ivoire": "CI",
    "côte d'ivoire": "CI",
    "ivory coast": "CI",
    "cape verde": "CV",
    "cabo verde": "CV",
    "eswatini": "SZ",
    "swaziland": "SZ",
    "türkiye": "TR",
    "turkey": "TR",
    "usa": "US",
    "united states of america": "US",
    "uk": "GB",
    "bolivia": "BO",
    "iran": "IR",
    "syria": "SY",
    "russia": "RU",
    "moldova": "MD",
    "palestine": "PS",
    "north macedonia": "MK",
    "라오스 인민민주공화국": "LA",
    "한국": "KR",
    "남한": "KR",
    "동티모르": "TL",
    "미얀마": "MM",
}


def looks_binary(text: str) -> bool:
    """More than a third control characters or replacement marks (U+FFFD): bytes, not writing."""
    if not text:
        return False
    sample = text[:10_000]
    odd = sum(
        1 for ch in sample if ch == "\ufffd" or (unicodedata.category(ch) in ("Cc", "Cs", "Co") and ch not in "\n\r\t")
    )
    return odd / len(sample) > 1 / 3


def _key(name: str) -> str:
    name = unicodedata.normalize("NFC", str(name)).strip().lower()
    return re.sub(r"\s+", " ", name)


class CountryResolver:
    """Find a country's ISO2 code from ISO2, ISO3, English or Korean name."""

    def __init__(self, countries: pd.DataFrame, cities: pd.DataFrame | None = None):
        self.countries = countries.set_index("iso2", drop=False)
        self.lookup: dict[str, str] = {}
        for row in countries.to_dict("records"):
            for value in (row["iso2"], row["iso3"], row["name_en"], row["name_ko"]):
                if value:
                    self.lookup.setdefault(_key(value), row["iso2"])
                    self.lookup.setdefault(_key(value).replace(" ", ""), row["iso2"])
        for alias, iso in COUNTRY_ALIASES.items():
            if iso in self.countries.index:
                self.lookup.setdefault(_key(alias), iso)
        self.cities = cities

    def resolve(self, value: Any) -> str | None:
        """ISO2 for a known country, None for an empty value; InputError for anything else."""
        if value is None or (isinstance(value, float) and math.isnan(value)) or not str(value).strip():
            return None
        key = _key(value)
        iso = self.lookup.get(key) or self.lookup.get(key.replace(" ", ""))
        if iso is None:
            raise InputError(
                f"partner country {str(value)[:80]!r} is not known: expected an ISO 3166 code "
                "(e.g. 'KH'), an English name ('Cambodia') or a Korean name ('캄보디아')"
            )
        return iso

    def name(self, iso2: str, lang: str = "en") -> str:
        # a result names a country up to 60 times: each name read from the frame once (dict writes are atomic)
        names = self.__dict__.setdefault("_names", {})
        found = names.get((iso2, lang))
        if found is None:
            if iso2 not in self.countries.index:
                return iso2
            row = self.countries.loc[iso2]
            found = names[(iso2, lang)] = (row["name_ko"] or row["name_en"]) if lang == "ko" else row["name_en"]
        return found

    def find_city(self, iso2: str | None, name: str | None) -> dict | None:
        """The most populous GeoNames city of that name (in that country when given), or None."""
        if self.cities is None or not name or not str(name).strip():
            return None
        key = _key(name)
        cities = self.cities if iso2 is None else self.cities[self.cities["iso2"] == iso2]
        hit = cities[(cities["name"].str.lower() == key) | (cities["name_ko"] == str(name).strip())]
        if hit.empty:
            return None
        row = hit.sort_values("population", key=lambda s: pd.to_numeric(s, errors="coerce"), ascending=False).iloc[0]
        return {
            "name": row["name"],
            "name_ko": row["name_ko"],
            "iso2": row["iso2"],
            "lat": float(row["lat"]),
            "lon": float(row["lon"]),
            "geonameid": row["geonameid"],
        }


@dataclass(frozen=True)
class Proposal:
    text: str
    title: str = ""
    partner_country: str | None = None  # as given; resolved to ISO2 by `checked`
    partner_city: str = ""
    sector: str = ""
    budget: float | None = None
    id: str = ""
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_value(cls, value: Proposal | Mapping | str) -> Proposal:
        if isinstance(value, Proposal):
            return value
        if isinstance(value, str):
            return cls(text=value)
        if isinstance(value, Mapping):
            known = {"text", "title", "partner_country", "partner_city", "sector", "budget", "id"}
            kwargs = {k: value[k] for k in known if k in value}
            extra = {k: v for k, v in value.items() if k not in known}
            return cls(**kwargs, extra=extra)
        raise InputError(
            f"a proposal must be text, a mapping with a 'text' key, or a Proposal; received {type(value).__name__}"
        )

    @property
    def query_text(self) -> str:
        head = ". ".join(p for p in (self.title.strip(), self.sector.strip()) if p)
        return f"{head}. {self.text}" if head else self.text

    def checked(self, resolver: CountryResolver) -> Proposal:
        """Normalised copy with the country as ISO2; InputError says what is wrong and what to do."""
        text = self.text
        if text is None or (isinstance(text, float) and math.isnan(text)):
            text = ""
        if not isinstance(text, str):
            raise InputError(f"proposal text must be a string; received {type(text).__name__}")
        if looks_binary(text):
            raise InputError(
                "proposal text looks like binary data, not text (mostly control characters or "
                "undecodable bytes); give the description as text, or upload the document itself"
            )
        text = normalise(text)
        if not re.search(r"[^\W\d_]", text):
            raise InputError(
                "proposal text is empty or has no words: expected a description of the project "
                "in Korean or English (what, where, for whom)"
            )
        if len(text) > MAX_TEXT_CHARS:
            raise InputError(
                f"proposal text has {len(text):,} characters; at most {MAX_TEXT_CHARS:,} are read. "
                "Shorten it to the project description"
            )
        budget = parse_krw(self.budget)
        iso = resolver.resolve(self.partner_country)
        clean = lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else normalise(str(v))  # noqa: E731
        return replace(
            self,
            text=text,
            title=clean(self.title),
            sector=clean(self.sector),
            partner_city=clean(self.partner_city),
            partner_country=iso,
            budget=budget,
            id=clean(self.id),
        )
