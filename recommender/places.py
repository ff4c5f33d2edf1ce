"""The partner-place linker: free text in, the partner places it names out.

A proposal names its partner place in a form field ("Sukhbaatar District, Ulaanbaatar", "비엔티안주",
"Yangon (Yangon City Development Committee)", "꽝남성 호이안시; 다낭") or only in its description
("미얀마 양곤시 개발위원회의 요청에 따라 …"). `PlaceLinker.link` turns either into a list of places, most
specific first, each with its level (province, city, district, village), English and Korean names,
ISO2, an id (GeoNames id; ISO 3166-2 beside it for provinces), its parent chain, and whether it came
from the field or the text.

The gazetteer (`data/places.csv`, built by `scripts/build_places.py`) holds every country's provinces
and districts and its cities, with their alternative spellings and Korean names. Names are matched on
three keys, strictest first: the Korean name as written, the Latin spelling folded (case, diacritics,
spaces and hyphens dropped: "Khövsgöl" = "khovsgol"), and a sound key that also forgets the letters
romanisations disagree on (kh/h, v/b, dz/z, doubled vowels: "Khuvsgul" ~ "Hovsgol"). Korean names the
gazetteer lacks are read by sound too: Hangul is romanised as loanwords are written (the epenthetic
ㅡ dropped: 홉스골 → hopsgol), then compared with the country's Latin names. Sound matching needs the
partner country and a clear winner, so it never guesses across countries.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

LEVELS = ("country", "province", "city", "district", "village")
# Most specific first when places are listed.
SPECIFICITY = {"village": 0, "district": 1, "city": 2, "province": 3, "country": 4}

# ---------------------------------------------------------------- keys


_LETTERS = str.maketrans(
    {
        "đ": "d",
        "Đ": "d",
        "ı": "i",
        "ø": "o",
        "Ø": "o",
        "ł": "l",
        "Ł": "l",
        "ß": "ss",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "þ": "th",
        "ð": "d",
        "’": "",
        "'": "",
        "`": "",
        "ʻ": "",
        "ʼ": "",
    }
)


def fold(text: str) -> str:
    """Lower case without diacritics ("Hải Dương" -> "hai duong"); other scripts pass through."""
    text = str(text)
    if text.isascii():  # most names: nothing to decompose (a country's index folds every spelling)
        return text.translate(_LETTERS).lower()
    text = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", text).lower()


_NOT_LETTERS = re.compile(r"[\W_]")


def latin_key(text: str) -> str:
    """Folded letters and digits only: "Ba Ria - Vung Tau" and "Bà Rịa–Vũng Tàu" -> "bariavungtau"."""
    return _NOT_LETTERS.sub("", fold(text))


# Spelling differences between romanisations of the same name, applied to a latin_key in order.
_SOUND_RULES = (
    ("kh", "h"),
    ("gh", "g"),
    ("ph", "p"),
    ("th", "t"),
    ("dh", "d"),
    ("bh", "b"),
    ("sh", "s"),
    ("ch", "c"),
    ("zh", "j"),
    ("dz", "j"),
    ("ts", "c"),
    ("tch", "c"),
    ("ck", "k"),
    ("qu", "ku"),
    ("ou", "u"),
    ("oo", "u"),
    ("ee", "i"),
    ("ie", "i"),
    ("ng", "n"),
    ("x", "s"),
    ("y", "i"),
    ("w", "u"),
    ("q", "k"),
    ("c", "k"),
    ("g", "k"),
    ("z", "j"),
    ("v", "b"),
    ("f", "p"),
    ("p", "b"),
    ("t", "d"),
    ("r", "l"),
    ("e", "i"),
    ("o", "u"),
    ("h", ""),
)


_REPEATS = re.compile(r"(.)\1+")


def sound_key(text: str) -> str:
    """A coarse key on which romanisations of one name meet ("Khuvsgul", "Hövsgöl", "Khovsgol" ->
    "ubsul"-like); only for comparing names of one country, never for exact lookups across countries."""
    key = latin_key(text)
    if not key.isascii():
        return ""
    for old, new in _SOUND_RULES:
        key = key.replace(old, new)
    return _REPEATS.sub(r"\1", key)


# Hangul as loanwords are written: initial, vowel and final of each syllable.
_INITIAL = ["g", "k", "n", "d", "t", "r", "m", "b", "p", "s", "s", "", "j", "j", "ch", "k", "t", "p", "h"]
_VOWEL = [
    "a",
    "e",
    "ya",
    "ye",
    "o",
    "e",
    "yo",
    "ye",
    "o",
    "wa",
    "we",
    "oe",
    "yo",
    "u",
    "wo",
    "we",
    "wi",
    "yu",
    "",  # ㅡ: the vowel Korean adds to a lone foreign consonant (스 in 홉스골 is a bare s)
    "ui",
    "i",
]
_FINAL = ["", "k", "k", "k", "n", "n", "n", "t", "l", "l", "l", "l", "l", "l", "l", "l", "m", "p", "p", "t", "t"]
_FINAL += ["ng", "t", "t", "k", "t", "p", "t"]


def hangul_to_latin(text: str) -> str:
    """Romanise Hangul the way foreign names are transcribed into it, so it can be compared with their
    Latin spellings by `sound_key` ("울란바토르" -> "ulanbator", "꽝남" -> "kwangnam")."""
    out = []
    for ch in str(text):
        code = ord(ch) - 0xAC00
        if not 0 <= code < 11172:
            out.append(ch)
            continue
        initial, vowel, final = code // 588, (code % 588) // 28, code % 28
        onset = "l" if initial == 5 and out and out[-1].endswith("l") else _INITIAL[initial]  # ㄹㄹ is one l
        sound = onset + _VOWEL[vowel]
        if vowel == 18 and initial == 11:  # 으 standing alone is a real vowel
            sound = "eu"
        out.append(sound + _FINAL[final])
    return re.sub(r"l+", "l", "".join(out))


def has_hangul(text: str) -> bool:
    return bool(re.search("[\uac00-\ud7a3]", str(text)))


def hangul_key(text: str) -> str:
    return re.sub(r"[^\uac00-\ud7a30-9a-z]", "", fold(text))


# ---------------------------------------------------------------- level words

# English words that say which level a name is (and are dropped before lookup).
EN_LEVEL_WORDS = {
    "province": "province",
    "provincial": "province",
    "regional": "province",
    "state": "province",
    "prefecture": "province",
    "aimag": "province",
    "aimak": "province",
    "aymag": "province",
    "oblast": "province",
    "governorate": "province",
    "department": "province",
    "departamento": "province",
    "division": "province",
    "county": "district",
    "district": "district",
    "districts": "district",
    "duureg": "district",
    "düüreg": "district",
    "soum": "district",
    "sum": "district",
    "khan": "district",
    "muang": "district",
    "regency": "district",
    "kabupaten": "district",
    "municipality": "city",
    "municipal": "city",
    "city": "city",
    "town": "city",
    "capital": "city",
    "metropolitan": "city",
    "kota": "city",
    "thanh pho": "city",
    "village": "village",
    "commune": "village",
    "ward": "village",
    "barangay": "village",
    "sangkat": "village",
    "ban": "village",
    "kelurahan": "village",
    "desa": "village",
    # the level words of partner countries' own languages, as romanised names carry them
    "tinh": "province",
    "thi xa": "city",
    "huyen": "district",
    "quan": "district",
    "xa": "village",
    "phuong": "village",
    "thi tran": "village",
    "khoueng": "province",
    "khett": "province",
    "khet": "province",
    "krong": "city",
    "srok": "district",
    "khum": "village",
    "phum": "village",
    "provinsi": "province",
    "kecamatan": "district",
    "kab": "district",
    "khoroo": "village",
    "bag": "village",
    "changwat": "province",
    "amphoe": "district",
    "tambon": "village",
    "township": "district",
    "viloyat": "province",
    "viloyati": "province",
    "tuman": "district",
    "tumani": "district",
    "oblys": "province",
    "oblysy": "province",
    "audany": "district",
    "provincia": "province",
    "municipio": "city",
    "distrito": "district",
    "region": "province",
    "krai": "province",
    "kray": "province",
    "okrug": "district",
}
# Korean suffixes and words for levels, longest first when stripped from a name.
KO_LEVEL_SUFFIXES = (
    ("특별자치시", "city"),
    ("카운티", "district"),
    ("메트로폴", "city"),
    ("특별시", "city"),
    ("광역시", "city"),
    ("수도", "city"),
    ("아이마그", "province"),
    ("아이막", "province"),
    ("자치주", "province"),
    ("자치구", "province"),
    ("주", "province"),
    ("성", "province"),
    ("도", "province"),
    ("현", "district"),
    ("군", "district"),
    ("구", "district"),
    ("솜", "district"),
    ("시", "city"),
    ("정", "city"),
    ("향", "village"),
    ("진", "village"),
    ("마을", "village"),
    ("촌", "village"),
    ("읍", "village"),
    ("면", "village"),
    ("리", "village"),
    ("동", "village"),
)
KO_LEVEL_WORDS = {s: lvl for s, lvl in KO_LEVEL_SUFFIXES} | {"지방": "province", "지역": "", "일대": ""}
# Words that turn a bracket or a segment into an organisation rather than a place.
ORGANISATION_WORDS = re.compile(
    r"\b(committee|enterprise|company|corporation|agency|authority|department of|ministry|office|bureau|"
    r"university|hospital|school|college|association|foundation|ngo|council|administration|"
    r"development|state enterprise|water supply|utility|police|fire)\b|"
    r"(위원회|공사|공단|청$|부$|대학|병원|학교|협회|재단|사무소|본부|기관|공기업|상수도|소방)",
    re.IGNORECASE,
)
# Korean particles that stick to a place name in running text (longest first).
KO_PARTICLES = tuple(
    sorted(
        "의 에 에서 에서는 에는 을 를 은 는 이 가 과 와 로 으로 에게 까지 부터 도 내 소재 지역 일대 등 및 와의 과의 "
        "으로부터 에서의 현지 측 정부".split(),
        key=len,
        reverse=True,
    )
)


@dataclass(frozen=True)
class Segment:
    """One place named in a field: its name without level words, the level those words gave."""

    name: str
    level: str = ""  # from a level word or suffix; '' when none was written
    written: str = ""
    bracketed: bool = False
    group: int = 0  # segments of one group name one place and its parents ("Tuol Kork, Phnom Penh")


def en_variants(name: str) -> list[tuple[str, str]]:
    """A Latin name and what it is without its level words, least stripped first:
    "Luang Prabang Province" -> [(Luang Prabang Province, ''), (Luang Prabang, province)];
    "Khan Uul District" -> [.., (Khan Uul, district), (Uul, district)] (the lookup decides)."""
    words = re.sub(r"\s+", " ", str(name)).strip(" .,-").split(" ")
    out = [(" ".join(words), "")]
    level = ""
    tail = list(words)
    while len(tail) > 1:
        last2 = fold(" ".join(tail[-2:])) if len(tail) > 2 else ""
        last = fold(tail[-1]).strip(".,")
        if last2 in EN_LEVEL_WORDS:
            level = level or EN_LEVEL_WORDS[last2]
            del tail[-2:]
        elif last in EN_LEVEL_WORDS:
            level = level or EN_LEVEL_WORDS[last]
            tail.pop()
        else:
            break
        out.append((" ".join(tail), level))
    head = list(tail)
    if len(head) > 2 and fold(head[1]) == "of" and fold(head[0]) in EN_LEVEL_WORDS:  # "City of Manila"
        out.append((" ".join(head[2:]), level or EN_LEVEL_WORDS[fold(head[0])]))
    elif len(head) > 1 and fold(head[0]) in EN_LEVEL_WORDS:  # "Khan Tuol Kouk", "Kota Bogor"
        out.append((" ".join(head[1:]), level or EN_LEVEL_WORDS[fold(head[0])]))
    return [(n, lvl) for n, lvl in dict.fromkeys(out) if n]


def strip_levels(name: str) -> tuple[str, str]:
    """The most stripped variant of `en_variants` and its level."""
    return en_variants(name)[-1]


def ko_variants(name: str) -> list[tuple[str, str]]:
    """A Korean name and what it is without one level suffix: "비엔티안주" -> [(비엔티안주, ''),
    (비엔티안, province)]; "홉스골 아이막" -> [(홉스골, province)]."""
    name = re.sub(r"\s+", " ", name).strip()
    words = name.split(" ")
    level = ""
    while len(words) > 1 and words[-1] in KO_LEVEL_WORDS:
        level = level or KO_LEVEL_WORDS[words[-1]]
        words.pop()
    base = "".join(words)
    out = [(base, level)]
    for suffix, lvl in KO_LEVEL_SUFFIXES:
        if base.endswith(suffix) and len(base) - len(suffix) >= 2:
            out.append((base[: -len(suffix)], level or lvl))
    return out


OF_PARENT = re.compile(
    r"(?<=\w)(\s+(?:district|province|city|municipality|village|commune|county|region|aimag|soum|ward|"
    r"township))\s+of\s+(?=\w)",
    re.IGNORECASE,
)


def split_field(value: str) -> list[Segment]:
    """The places one form field names, in the order written.

    ";", "/", "|", " and ", "및", "·" and line breaks separate places; commas separate a place from its
    parents ("Tuol Kork, Phnom Penh") or from other places, which the hierarchy sorts out later;
    brackets hold a second name or an organisation ("Vientiane Capital (Nam Papa State Enterprise)")."""
    value = unicodedata.normalize("NFC", str(value or "")).strip()
    if not value:
        return []
    out: list[Segment] = []
    brackets = re.findall(r"[(\[（]([^()\[\]（）]*)[)\]）]", value)
    main = re.sub(r"[(\[（][^()\[\]（）]*[)\]）]", " ", value)
    groups = re.split(r"[;/|\n·]|\s+and\s+|\s+&\s+|\s*및\s*|\s+-\s+(?=[A-Z가-힣])", main)
    # "Pakngum district of Vientiane" is "Pakngum district, Vientiane"; "Province of Batangas" stays whole
    groups = [OF_PARENT.sub(r"\1, ", g) for g in groups]
    parts = [(p, g, False) for g, group in enumerate(groups) for p in re.split(r"[,，、]", group)]
    parts += [(b, len(groups), True) for b in brackets]
    for text, group, bracketed in parts:
        text = re.sub(r"\s+", " ", text).strip(" .-–—:")
        if not text or not re.search(r"[^\W\d_]", text):
            continue
        if ORGANISATION_WORDS.search(text) and bracketed:
            # "Yangon City Development Committee": the place before the organisation words, if any
            head = ORGANISATION_WORDS.split(text)[0].strip(" .-") if not has_hangul(text) else ""
            if not head:
                continue
            text = head
        if has_hangul(text):
            # "울란바토르시 수흐바타르구": Korean writes the parent first, separated by a space
            for word in _korean_place_words(text):
                out.append(Segment(word, ko_variants(word)[-1][1], text, bracketed, group))
            continue
        name = text
        if ORGANISATION_WORDS.search(name):
            name = ORGANISATION_WORDS.split(name)[0].strip(" .-")
            if not name:
                continue
        out.append(Segment(name, en_variants(name)[-1][1], text, bracketed, group))
    return out


def _korean_place_words(text: str) -> list[str]:
    """Korean place names in a short phrase, a level word kept with the name before it."""
    words = [w for w in re.split(r"\s+", text) if w]
    out: list[str] = []
    for w in words:
        w = re.sub(r"[^\uac00-\ud7a3A-Za-z0-9\-]", "", w)
        if not w:
            continue
        if w in KO_LEVEL_WORDS and out:
            out[-1] = f"{out[-1]} {w}"
        else:
            out.append(w)
    return out


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class PlaceRef:
    id: str
    level: str
    name_en: str
    name_ko: str


@dataclass(frozen=True)
class PartnerPlace:
    """A place a proposal names. `id` is a GeoNames id, or `name:<iso2>:<name>` for a place the
    gazetteer lacks (a village); `parents` run from the nearest up to the province."""

    id: str
    level: str
    name_en: str
    name_ko: str
    iso2: str
    parents: tuple[PlaceRef, ...]
    origin: str  # "field" or "text"
    written: str  # the words it was read from
    match: str  # "exact", "sound" (spelling compared by sound), or "named" (not in the gazetteer)
    iso3166_2: str = ""
    lat: float | None = None
    lon: float | None = None

    @property
    def chain(self) -> tuple[str, ...]:
        """Its id and its parents' ids, nearest first."""
        return (self.id, *(p.id for p in self.parents))

    def label(self, lang: str = "en") -> str:
        """ "Sukhbaatar District, Ulaanbaatar" / "울란바토르 수흐바타르구": the place with its parents."""
        if lang == "ko":
            names = [p.name_ko or p.name_en for p in reversed(self.parents)] + [self.name_ko or self.name_en]
            return " ".join(dict.fromkeys(names))
        names = [self.name_en] + [p.name_en for p in self.parents]
        return ", ".join(dict.fromkeys(names))

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "level": self.level,
            "name_en": self.name_en,
            "name_ko": self.name_ko,
            "iso2": self.iso2,
            "iso3166_2": self.iso3166_2,
            "parents": [asdict(p) for p in self.parents],
            "origin": self.origin,
            "written": self.written,
            "match": self.match,
            "lat": self.lat,
            "lon": self.lon,
        }

    @classmethod
    def from_dict(cls, d: dict) -> PartnerPlace:
        return cls(
            **{k: v for k, v in d.items() if k != "parents"},
            parents=tuple(PlaceRef(**p) for p in d.get("parents", [])),
        )


# ---------------------------------------------------------------- the gazetteer

COLUMNS = ["id", "level", "iso2", "parent", "unit", "name", "name_ko", "names", "names_ko", "iso3166_2"]
COLUMNS += ["population", "lat", "lon", "source"]


def _split(value: str) -> list[str]:
    return [v for v in value.split("|") if v]


def _split_id(place_id: str) -> tuple[str, str]:
    """(own part, anchor) of a named place's id "name:MN:bayanzurkh@2028461"; (id, "") otherwise."""
    if place_id.startswith("name:"):
        own, _, anchor = place_id.split(":", 2)[2].partition("@")
        return own, anchor
    return place_id, ""


@dataclass
class CountryPlaces:
    """One country's places as arrays (rows local to the country), with its name indexes."""

    iso2: str
    ids: list[str]
    level: list[str]
    parent: list[int]  # row of the parent place, -1 for a province
    # A capital city and the province named after it ("Ulaanbaatar", "Phnom Penh", "Vientiane
    # Prefecture") are one unit: a tie with either is a tie with both. The other's row, or -1.
    unit: list[int]
    name: list[str]
    name_ko: list[str]
    names: list[str]  # "|"-separated alternative spellings
    names_ko: list[str]  # "|"-separated Korean names
    iso3166_2: list[str]
    population: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    latin: dict[str, list[int]] = field(default_factory=dict)
    hangul: dict[str, list[int]] = field(default_factory=dict)
    sound_keys: list[str] = field(default_factory=list)
    sound_rows: dict[str, list[int]] = field(default_factory=dict)
    primary: set[tuple[str, int]] = field(default_factory=set)  # (key, row) of a place's own name
    words: int = 1  # longest name in words (how far to look when scanning text)
    _indexed: bool = False
    _position: dict[str, int] | None = None
    _sound_pending: list[tuple[str, int]] | None = None  # (spelling, row) until a sound lookup needs keys

    @classmethod
    def parse(cls, iso2: str, lines: list[str]) -> CountryPlaces:
        import csv

        rows = list(csv.reader(lines))
        col = dict(zip(COLUMNS, zip(*rows))) if rows else {c: () for c in COLUMNS}
        ids = list(col["id"])
        position = {i: n for n, i in enumerate(ids)}

        def number(name: str) -> np.ndarray:
            return np.array([float(v) if v else np.nan for v in col[name]], dtype=np.float64)

        places = cls(
            iso2=iso2,
            ids=ids,
            level=list(col["level"]),
            parent=[position.get(p, -1) if p else -1 for p in col["parent"]],
            unit=[position.get(u, -1) if u else -1 for u in col["unit"]],
            name=list(col["name"]),
            name_ko=list(col["name_ko"]),
            names=list(col["names"]),
            names_ko=list(col["names_ko"]),
            iso3166_2=list(col["iso3166_2"]),
            population=np.nan_to_num(number("population")),
            lat=number("lat"),
            lon=number("lon"),
        )
        return places

    def ensure_index(self) -> CountryPlaces:
        """Build the name indexes on first use (reading ties and cases needs only the rows)."""
        if not self._indexed:
            self._index()
            self._indexed = True
        return self

    def row_of(self, place_id: str) -> int | None:
        if self._position is None:
            self._position = {i: n for n, i in enumerate(self.ids)}
        return self._position.get(place_id)

    def _index(self) -> None:
        keys: dict[str, str] = {}  # variant -> latin key: spellings repeat
        pending = []
        for r in range(len(self.ids)):
            for n in (self.name[r], *_split(self.names[r])):
                for variant, _ in en_variants(n):
                    key = keys.get(variant)
                    if key is None:
                        key = keys[variant] = latin_key(variant)
                    if n is self.name[r]:
                        self.primary.add((key, r))
                    if len(key) >= 2:
                        self.latin.setdefault(key, []).append(r)
                        pending.append((variant, r))
                        self.words = max(self.words, len(variant.split()))
            for n in (self.name_ko[r], *_split(self.names_ko[r])):
                for variant, _ in ko_variants(n):
                    key = hangul_key(variant)
                    if len(key) >= 2:
                        self.hangul.setdefault(key, []).append(r)
        self.latin = {k: list(dict.fromkeys(v)) for k, v in self.latin.items()}
        self.hangul = {k: list(dict.fromkeys(v)) for k, v in self.hangul.items()}
        # the sound keys are the slowest part and only a name that matched nothing as written needs them
        self._sound_pending = pending

    def ensure_sound(self) -> CountryPlaces:
        """The sound-key index, made on the first lookup that needs it."""
        pending = self._sound_pending
        if pending is not None:
            sound: dict[str, set[int]] = {}
            keys: dict[str, str] = {}
            for variant, r in pending:
                key = keys.get(variant)
                if key is None:
                    key = keys[variant] = sound_key(variant)
                sound.setdefault(key, set()).add(r)
            self.sound_rows = {k: sorted(v) for k, v in sound.items() if len(k) >= 3}
            self.sound_keys = sorted(self.sound_rows)
            self._sound_pending = None
        return self

    def ref(self, row: int) -> PlaceRef:
        return PlaceRef(self.ids[row], self.level[row], self.name[row], self.name_ko[row])

    def chain(self, row: int) -> list[int]:
        """The row's parents, nearest first (a city's namesake province included)."""
        out, seen, current = [], {row}, row
        while True:
            nxt = self.parent[current]
            if nxt < 0 and self.level[current] == "city" and self.unit[current] >= 0:
                nxt = self.unit[current]
            if nxt < 0 or nxt in seen:
                return out
            out.append(nxt)
            seen.add(nxt)
            current = nxt

    def place(self, row: int, origin: str, written: str, match: str) -> PartnerPlace:
        lat, lon = self.lat[row], self.lon[row]
        return PartnerPlace(
            id=self.ids[row],
            level=self.level[row],
            name_en=self.name[row],
            name_ko=self.name_ko[row],
            iso2=self.iso2,
            parents=tuple(self.ref(p) for p in self.chain(row)),
            origin=origin,
            written=written,
            match=match,
            iso3166_2=self.iso3166_2[row],
            lat=None if math.isnan(lat) else float(lat),
            lon=None if math.isnan(lon) else float(lon),
        )


class Gazetteer:
    """data/places.csv, sorted by country: a country's lines are parsed and indexed on first use, so
    opening costs one read of the file and a proposal pays only for its own country."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lines: list[str] | None = None
        self._spans: dict[str, tuple[int, int]] = {}
        self._countries: dict[str, CountryPlaces] = {}
        self._around: dict[tuple[str, str], tuple[set[str], list[tuple[str, str]]]] = {}
        self._lock = threading.Lock()

    def _read(self) -> list[str]:
        """The file's lines, read on first use (opening the recommender does not pay for it)."""
        if self._lines is not None:
            return self._lines
        from .errors import CatalogueError

        if not self.path.is_file():
            raise CatalogueError(str(self.path), "file not found; it is built by `python scripts/build_places.py`")
        with open(self.path, encoding="utf-8", newline="") as f:
            header = f.readline().rstrip("\r\n").split(",")
            lines = f.read().splitlines(keepends=True)
        if header != COLUMNS:
            raise CatalogueError(str(self.path), f"expected the columns {COLUMNS}; found {header}")
        spans: dict[str, tuple[int, int]] = {}
        for n, line in enumerate(lines):
            iso2 = line.split(",", 3)[2]  # id, level and iso2 never hold a comma
            if iso2 in spans and spans[iso2][1] != n:
                raise CatalogueError(str(self.path), f"rows of {iso2} are not together (the file must be sorted)")
            spans[iso2] = (spans.get(iso2, (n, n))[0], n + 1)
        self._spans, self._lines = spans, lines
        return lines

    @classmethod
    def load(cls, path: str | Path) -> Gazetteer:
        return cls(path)

    def __len__(self) -> int:
        return len(self._read())

    @property
    def countries(self) -> list[str]:
        self._read()
        return sorted(self._spans)

    def country(self, iso2: str) -> CountryPlaces:
        places = self._countries.get(iso2)
        if places is None:
            with self._lock:
                places = self._countries.get(iso2)
                if places is None:
                    lines = self._read()
                    start, end = self._spans.get(iso2, (0, 0))
                    places = CountryPlaces.parse(iso2, lines[start:end])
                    self._countries[iso2] = places
        return places

    def options(self, iso2: str, lang: str = "en", most: int = 400) -> dict[str, str]:
        """The places a drop-down offers for a country, id -> label in the reader's language: its
        provinces, then its cities by size (a province's namesake city says so: "바탐방 (시)")."""
        places = self.country(iso2)
        rows = [r for r in range(len(places.ids)) if places.level[r] == "province"]
        rows.sort(key=lambda r: places.name_ko[r] or places.name[r] if lang == "ko" else places.name[r])
        cities = [r for r in range(len(places.ids)) if places.level[r] == "city"]
        cities.sort(key=lambda r: -places.population[r])
        out = {}
        for r in [*rows, *cities[: max(0, most - len(rows))]]:
            name = (places.name_ko[r] or places.name[r]) if lang == "ko" else places.name[r]
            level = {"province": ("주·도", "province"), "city": ("시", "city")}[places.level[r]]
            if lang == "ko" and re.search(r"(?:[주도성시]|아이막|특별시|광역시)$", name):
                out[places.ids[r]] = name  # "비엔티안 주" says its level already
            else:
                out[places.ids[r]] = f"{name} ({level[0] if lang == 'ko' else level[1]})"
        return out

    def index(self, iso2: str) -> CountryPlaces:
        """A country's places with their name indexes."""
        return self.country(iso2).ensure_index()

    def around(self, iso2: str, place_id: str) -> tuple[set[str], list[tuple[str, str]]]:
        """(the place and its namesake unit; its ancestors nearest first as (id, level), each ancestor's
        unit right after it). A named place (`name:XX:key@anchor`) sits below its anchor."""
        key = (iso2, place_id)
        found = self._around.get(key)
        if found is None:
            found = self._around[key] = self._walk(iso2, place_id)
        return found

    def _walk(self, iso2: str, place_id: str) -> tuple[set[str], list[tuple[str, str]]]:
        own, anchor = _split_id(place_id)
        places = self.country(iso2)
        start = places.row_of(anchor) if anchor else None
        row = places.row_of(place_id) if not anchor and not place_id.startswith("name:") else None
        if row is None and start is None:
            return {place_id}, []
        same = {place_id}
        chain: list[tuple[str, str]] = []
        if row is not None:
            if places.unit[row] >= 0:
                same.add(places.ids[places.unit[row]])
            rows = places.chain(row)
        else:
            rows = [start, *places.chain(start)]
        for r in rows:
            chain.append((places.ids[r], places.level[r]))
            if places.unit[r] >= 0 and places.ids[places.unit[r]] not in same:
                chain.append((places.ids[places.unit[r]], places.level[places.unit[r]]))
        return same, chain

    def name_of(self, iso2: str, place_id: str, lang: str = "en") -> str:
        if place_id.startswith("name:"):
            return _split_id(place_id)[0]
        places = self.country(iso2)
        row = places.row_of(place_id)
        if row is None:
            return place_id
        return (places.name_ko[row] or places.name[row]) if lang == "ko" else places.name[row]

    def relation(self, iso2: str, proposal_place: str, other: str) -> tuple[float, str]:
        """How much a tie or case at `other` says about a proposal at `proposal_place`:
        (strength, kind). The same place (or its namesake unit) 1.0; `other` contains the proposal's
        place: a city 0.9 ("a tie with Ulaanbaatar" for a district of it), a province 0.6; the proposal
        names a province and `other` lies in it 0.6; both in one province 0.3; else 0."""
        same_a, chain_a = self.around(iso2, proposal_place)
        same_b, chain_b = self.around(iso2, other)
        if same_a & same_b:
            return 1.0, "same"
        if proposal_place.startswith("name:") and other.startswith("name:"):
            (own_a, anchor_a), (own_b, anchor_b) = _split_id(proposal_place), _split_id(other)
            if own_a == own_b and (not anchor_a or not anchor_b):  # one was written without its parent
                return 1.0, "same"
        ids_a = {i for i, _ in chain_a}
        if same_b & ids_a:
            levels = {lvl for i, lvl in chain_a if i in same_b}
            return (0.9, "contains") if "city" in levels else (0.6, "province")
        ids_b = {i for i, _ in chain_b}
        if same_a & ids_b:
            return 0.6, "within"
        provinces_a = {i for i, lvl in chain_a if lvl == "province"}
        provinces_b = {i for i, lvl in chain_b if lvl == "province"} | {i for i in same_b if i in provinces_a}
        if provinces_a & provinces_b:
            return 0.3, "province_mate"
        return 0.0, ""


# ---------------------------------------------------------------- the linker

# How a candidate's level fits the level a word asked for (rows: asked; columns: the candidate's).
_LEVEL_FIT = {
    "": {"city": 1.0, "province": 0.9, "district": 0.8, "village": 0.7},
    "city": {"city": 1.0, "province": 0.8, "district": 0.75, "village": 0.5},
    "province": {"province": 1.0, "city": 0.7, "district": 0.5, "village": 0.3},
    "district": {"district": 1.0, "city": 0.8, "province": 0.4, "village": 0.6},
    "village": {"village": 1.0, "district": 0.6, "city": 0.5, "province": 0.2},
}
SMALL_TOWN = 50_000
SOUND_MIN = 0.84  # similarity of sound keys a name needs to be read as a gazetteer place
SOUND_MARGIN = 0.04  # and its lead over the next place of another name
GENERIC_WORDS = frozenset(
    """the a an of and for in on at to by with from korea korean republic government city province district
    state region village town capital national international development project office department ministry
    committee people peoples democratic socialist federal united new north south east west central upper lower
    great greater saint san santa""".split()
)


@dataclass(frozen=True)
class _Candidate:
    row: int
    score: float
    match: str


class PlaceLinker:
    """Links the places a proposal names; `link` is the one entry point (field, country, text)."""

    def __init__(self, gazetteer: Gazetteer, countries: dict[str, tuple[str, str]] | None = None):
        """countries: iso2 -> (English name, Korean name), to find a country named in a text."""
        self.gazetteer = gazetteer
        self.countries = countries or {}
        self._country_keys: dict[str, str] = {}
        for iso, (en, ko) in self.countries.items():
            for name in (en, ko):
                if name:
                    key = hangul_key(name) if has_hangul(name) else latin_key(name)
                    if len(key) >= 2:
                        self._country_keys.setdefault(key, iso)

    # -------------------------------------------------------- public
    def link(self, value: str | None, iso2: str | None, text: str = "") -> list[PartnerPlace]:
        """The places named by a field value (and, when the field names none that resolves, by the
        text), most specific first; places the gazetteer lacks are kept as "named" with the parents
        that could be read."""
        places = self.link_field(value, iso2) if value and str(value).strip() else []
        if not any(p.match != "named" for p in places) and text:
            places = places + self.link_text(text, iso2)
        return _ordered(places)

    def country_in(self, text: str) -> str | None:
        """The partner country a text names (the first one named), or None."""
        found = self._countries_named(text)
        return found[0][1] if found else None

    def link_field(self, value: str, iso2: str | None) -> list[PartnerPlace]:
        value = str(value).strip()
        if iso2 and re.fullmatch(r"\d+|src:[A-Z]{2}:\w+", value):  # a place picked from a list: its id
            places = self.gazetteer.country(iso2)
            row = places.row_of(value)
            if row is not None:
                return [places.place(row, "field", value, "exact")]
        segments = split_field(value)
        if iso2 is None:
            iso2 = self._country_of_segments(segments)
        if iso2 is None:
            return []
        segments = [s for s in segments if self._country_keys.get(_segment_key(s)) != iso2]
        options = [self._candidates(s, iso2, allow_sound=not s.bracketed) for s in segments]
        chosen = _consistent(self.gazetteer.index(iso2), options, [s.group for s in segments])
        out: list[tuple[int, PartnerPlace]] = []
        places = self.gazetteer.index(iso2)
        chosen = _demote_strays(places, segments, chosen)
        first_resolved = next((n for n, c in enumerate(chosen) if c is not None), len(chosen))
        for n, (segment, candidate) in enumerate(zip(segments, chosen)):
            if candidate is not None:
                out.append((segment.group, places.place(candidate.row, "field", segment.written, candidate.match)))
            elif not segment.bracketed and (n < first_resolved or segment.level in ("district", "village")):
                # a name we cannot find after a place we found ("Vladivostok, Primorsky Krai") is that
                # place's parent spelled otherwise; before it ("Ban X, Xaythany"), a smaller place
                out.append((segment.group, self._named(segment, places, chosen, "field")))
        kept = []
        for group in dict.fromkeys(g for g, _ in out):  # "Da Nang; Hoi An" names two places, not a parent
            kept += _drop_ancestors([p for g, p in out if g == group])
        return kept

    def link_text(self, text: str, iso2: str | None) -> list[PartnerPlace]:
        """Places named in running text: exact names of the partner country's places (Korean or Latin),
        and, after a place suffix (시, 주, 성, 구, 아이막; Province, District, City), names read by sound.
        Where one name fits several places, the one inside another named place wins (as in a field)."""
        text = unicodedata.normalize("NFC", str(text or ""))[:20_000]
        if iso2 is None:
            iso2 = self.country_in(text)
        if iso2 is None or iso2 == "KR":
            return []
        index = self.gazetteer.index(iso2)
        found: list[tuple[int, int, list[_Candidate], str]] = []  # (position, -length, candidates, written)
        for start, written, segment in _text_mentions(text, index.words):
            if self._country_keys.get(_segment_key(segment)):
                continue
            candidates = [
                c
                for c in self._candidates(segment, iso2, allow_sound=bool(segment.level), in_text=True)
                if _plausible_in_text(index, c, segment)
            ]
            if candidates:
                found.append((start, -len(written), candidates, written))
        found.sort(key=lambda f: (f[0], f[1]))
        spans: list[tuple[list[_Candidate], str]] = []
        taken: list[tuple[int, int]] = []
        for start, neg_len, candidates, written in found:
            end = start - neg_len
            if any(s < end and start < e for s, e in taken):
                continue
            taken.append((start, end))
            spans.append((candidates, written))
        chosen = _consistent(index, [c for c, _ in spans[:8]])
        out = [index.place(c.row, "text", w, c.match) for c, (_, w) in zip(chosen, spans) if c is not None]
        return _drop_ancestors(_unique(out))

    # -------------------------------------------------------- internals
    def _countries_named(self, text: str) -> list[tuple[int, str]]:
        """(position, iso2) of every partner country a text names (Korea left out)."""
        found = []
        folded = fold(text)
        for m in re.finditer(r"[a-z][a-z\-]*(?:\s+[a-z][a-z\-]*){0,3}", folded):
            words = m.group(0).split()
            for i in range(len(words)):
                for j in range(len(words), i, -1):
                    iso = self._country_keys.get(latin_key(" ".join(words[i:j])))
                    if iso and iso != "KR":
                        found.append((m.start(), iso))
        for m in _KO_WORD.finditer(text):
            iso = self._country_keys.get(_strip_particles(m.group(0))) or self._country_keys.get(m.group(0))
            if iso and iso != "KR":
                found.append((m.start(), iso))
        return sorted(found)

    def _country_of_segments(self, segments: Sequence[Segment]) -> str | None:
        for s in segments:
            iso = self._country_keys.get(_segment_key(s))
            if iso and iso != "KR":
                return iso
        return None

    def _candidates(self, segment: Segment, iso2: str, allow_sound: bool, in_text: bool = False) -> list[_Candidate]:
        gaz = index = self.gazetteer.index(iso2)
        hits: dict[int, _Candidate] = {}

        def add(rows: Iterable[int], score: float, match: str, asked: str) -> None:
            for r in rows:
                fit = _LEVEL_FIT[asked].get(gaz.level[r], 0.3)
                if not asked and gaz.level[r] == "city" and gaz.unit[r] < 0 and gaz.population[r] < SMALL_TOWN:
                    fit = 0.85  # a bare name is a province before it is a small town of that name
                # bigger places are what an unqualified name usually means (a province or a city)
                size = 0.02 * min(math.log10(1 + gaz.population[r]), 7) / 7
                value = score * fit + size
                if r not in hits or value > hits[r].score:
                    hits[r] = _Candidate(r, value, match)

        if has_hangul(segment.name):
            for variant, lvl in ko_variants(segment.name):
                key = hangul_key(variant)
                add(index.hangul.get(key, ()), 1.0, "exact", segment.level or lvl)
            if allow_sound and not any(c.score >= 0.85 for c in hits.values()):
                # nothing at the level the suffix asks for: the place may lack a Korean name
                for variant, lvl in ko_variants(segment.name):
                    self._add_sound(index, hangul_to_latin(variant), segment.level or lvl, add)
        else:
            variants = en_variants(segment.name)
            if in_text and all(latin_key(v) in GENERIC_WORDS or len(latin_key(v)) < 3 for v, _ in variants):
                return []
            for rank, (variant, lvl) in enumerate(variants):
                key = latin_key(variant)
                if in_text and (key in GENERIC_WORDS or len(key) < 3):
                    continue
                rows = index.latin.get(key, ())
                # a place's own name before another place's alternative spelling ("Quang Nam" is the
                # province, though GeoNames also lists it as an old name of the town Dien Ban)
                own = [r for r in rows if (key, r) in index.primary]
                add(own, 1.0 - 0.02 * rank, "exact", segment.level or lvl)
                add(
                    [r for r in rows if (key, r) not in index.primary], 0.8 - 0.02 * rank, "exact", segment.level or lvl
                )
            if allow_sound and not any(c.score >= 0.85 for c in hits.values()):
                for variant, lvl in variants[1:] or variants:
                    self._add_sound(index, variant, segment.level or lvl, add)
        return sorted(hits.values(), key=lambda c: (-c.score, gaz.ids[c.row]))

    def _add_sound(self, index: CountryPlaces, name: str, level: str, add) -> None:
        """Places of the country whose sound key is close to the name's (rapidfuzz's normalised
        Indel similarity); kept only above SOUND_MIN, with everything within SOUND_MARGIN of the best."""
        from rapidfuzz import fuzz, process

        target = sound_key(name)
        if len(target) < 3 or not index.ensure_sound().sound_keys:
            return
        hits = process.extract(target, index.sound_keys, scorer=fuzz.ratio, score_cutoff=100 * SOUND_MIN, limit=20)
        if not hits:
            return
        best = hits[0][1] / 100
        for key, value, _ in hits:
            if value / 100 >= best - SOUND_MARGIN:
                add(index.sound_rows[key], 0.85 * value / 100, "sound", level)

    def _named(
        self, segment: Segment, places: CountryPlaces, chosen: Sequence[_Candidate | None], origin: str
    ) -> PartnerPlace:
        """A place the gazetteer lacks (a village, a new district): kept with the parents read beside it."""
        parents: list[PlaceRef] = []
        resolved = [c for c in chosen if c is not None]
        if resolved:
            anchor = min(resolved, key=lambda c: SPECIFICITY.get(places.level[c.row], 9)).row
            parents = [places.ref(r) for r in [anchor, *places.chain(anchor)]]
        level = segment.level or "village"
        name_ko = segment.name if has_hangul(segment.name) else ""
        variants = en_variants(segment.name)
        name_en = "" if name_ko else variants[min(1, len(variants) - 1)][0]
        key = latin_key(variants[-1][0]) or hangul_key(ko_variants(segment.name)[-1][0])
        return PartnerPlace(
            id=f"name:{places.iso2}:{key}" + (f"@{parents[0].id}" if parents else ""),
            level=level,
            name_en=name_en or name_ko,
            name_ko=name_ko,
            iso2=places.iso2,
            parents=tuple(parents),
            origin=origin,
            written=segment.written,
            match="named",
        )


def _segment_key(segment: Segment) -> str:
    return hangul_key(segment.name) if has_hangul(segment.name) else latin_key(segment.name)


def _consistent(
    gaz: CountryPlaces, options: list[list[_Candidate]], groups: Sequence[int] | None = None
) -> list[_Candidate | None]:
    """One candidate per segment, preferring combinations where one place contains another
    ("Tuol Kork, Phnom Penh": the Tuol Kork inside Phnom Penh)."""
    if not options:
        return []
    top = [opts[:4] for opts in options]
    if sum(len(t) > 1 for t in top) == 0 or len(top) > 5:
        return [t[0] if t else None for t in top]
    best, best_value = None, -1.0
    import itertools

    pools = [t if t else [None] for t in top]
    groups = list(groups) if groups is not None else [0] * len(options)
    for combo in itertools.product(*pools):
        value = sum(c.score for c in combo if c is not None)
        placed = [(c.row, g) for c, g in zip(combo, groups) if c is not None]
        for a, group in placed:
            chain = set(gaz.chain(a))
            value += 0.5 * sum(1 for b, other in placed if b != a and other == group and b in chain)
        if value > best_value:
            best, best_value = combo, value
    return list(best)


def _plausible_in_text(places: CountryPlaces, candidate: _Candidate, segment: Segment) -> bool:
    """A capitalised word of running text is a place only when it is more than a word: a province, a
    city of 15,000 people or more, a name of several words or Korean, or one a level word qualifies."""
    if segment.level or has_hangul(segment.name) or len(segment.name.split()) > 1:
        return True
    return places.level[candidate.row] == "province" or places.population[candidate.row] >= 15_000


def _demote_strays(
    places: CountryPlaces, segments: Sequence[Segment], chosen: list[_Candidate | None]
) -> list[_Candidate | None]:
    """ "Sukhbaatar District, Ulaanbaatar" when the gazetteer lacks that district: the province of the
    same name is not what was meant. A segment whose level word the chosen place contradicts, and
    which lies outside every other place the field names, is kept as a named place instead."""
    rows = [c.row for c in chosen if c is not None]
    if len(rows) < 2:
        return chosen
    out = list(chosen)
    for n, (segment, c) in enumerate(zip(segments, chosen)):
        if c is None or not segment.level or places.level[c.row] == segment.level:
            continue
        others = [r for r in rows if r != c.row]
        related = any(o in places.chain(c.row) or c.row in places.chain(o) for o in others)
        if not related:
            out[n] = None
    return out


def _drop_ancestors(places: list[PartnerPlace]) -> list[PartnerPlace]:
    """A place named only as another's parent ("Phnom Penh" in "Tuol Kork, Phnom Penh") stays in
    that place's chain rather than being listed again."""
    chains = [set(p.chain[1:]) for p in places]
    return [p for p in places if not any(p.id in c for c in chains)]


def _unique(places: list[PartnerPlace]) -> list[PartnerPlace]:
    seen, out = set(), []
    for p in places:
        if p.id not in seen:
            seen.add(p.id)
            out.append(p)
    return out


def _ordered(places: list[PartnerPlace]) -> list[PartnerPlace]:
    """Field places before text places, most specific first within each, as written otherwise."""
    unique = _unique(places)
    return sorted(unique, key=lambda p: (p.origin != "field", SPECIFICITY.get(p.level, 9), unique.index(p)))


_EN_NAME = re.compile(r"[A-Z][\w'’\-]*(?:\s+(?:(?:de|del|la|da|do|el|du|of)\s+)?[A-Z][\w'’\-]*)*")
_KO_WORD = re.compile(r"[\uac00-\ud7a3]+")


def _text_mentions(text: str, max_words: int) -> Iterable[tuple[int, str, Segment]]:
    """Spans of a text that may name a place, with the level a level word or suffix gives them."""
    # English: runs of capitalised words and their sub-runs; a level word inside or right after
    for m in _EN_NAME.finditer(text):
        words = m.group(0).split()
        starts, pos = [], m.start()
        for w in words:
            pos = text.index(w, pos)
            starts.append(pos)
            pos += len(w)
        follow = re.match(r"\s+([a-z]+)", text[m.end() : m.end() + 20])
        follow_level = EN_LEVEL_WORDS.get(follow.group(1), "") if follow else ""
        for i in range(len(words)):
            for j in range(min(len(words), i + max_words + 1), i, -1):
                phrase = " ".join(words[i:j])
                level = en_variants(phrase)[-1][1] or (follow_level if j == len(words) else "")
                yield starts[i], phrase, Segment(phrase, level, phrase)
    # Korean: words without their particles; a level suffix, or a level word after them
    words = list(_KO_WORD.finditer(text))
    for n, m in enumerate(words):
        word = m.group(0)
        base = _strip_particles(word)
        if len(base) < 2:
            continue
        level = ""
        if n + 1 < len(words) and words[n + 1].start() - m.end() <= 1:
            level = KO_LEVEL_WORDS.get(_strip_particles(words[n + 1].group(0)), "")
        if not level:
            level = next((lvl for _, lvl in ko_variants(base)[1:] if lvl), "")
        yield m.start(), word, Segment(base, level, word)


def _strip_particles(word: str) -> str:
    for particle in KO_PARTICLES:
        if word.endswith(particle) and len(word) - len(particle) >= 2:
            return word[: -len(particle)]
    return word
