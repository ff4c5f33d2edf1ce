"""Korean analysis: morphemes (kiwipiepy) and an English gloss through a development lexicon.

The English-only parts of the ranking (MiniLM, the Aurora keyword queries) cannot read Hangul. A
gloss, the lexicon's English for the Korean text's nouns, compounds and verb stems in text order,
lets them read a Korean proposal: "해양 플라스틱 쓰레기를 수거하고" becomes "marine plastic waste
collection". It is crude English, but it carries the content words, which is what the keyword
queries and a sentence encoder mostly respond to.

kiwipiepy's model loads on first use (a few seconds) and once per process; analysis is guarded by a
lock, so one analyser serves every thread.
"""

from __future__ import annotations

import csv
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import CatalogueError, EmbedderUnavailableError

LEXICON_FILE = Path(__file__).resolve().parents[1] / "data" / "lexicon_ko_en.tsv"
# Morphemes that carry content: common and proper nouns, roots, numbers, Latin words, verb and
# adjective stems, and the noun-deriving prefixes and suffixes that make compounds (재+활용).
CONTENT_TAGS = frozenset({"NNG", "NNP", "NR", "XR", "SL", "SN", "VV", "VA", "XPN", "XSN", "SH"})
# Longest run of morphemes tried as one lexicon entry.
MAX_COMPOUND = 4


@dataclass(frozen=True)
class Morpheme:
    form: str
    tag: str
    start: int
    end: int


class KoreanAnalyser:
    """kiwipiepy's analyser, loaded on first use; `morphemes` is safe to call from several threads."""

    def __init__(self):
        self._kiwi = None
        self._lock = threading.Lock()

    def _load(self):
        if self._kiwi is None:
            try:
                from kiwipiepy import Kiwi
            except ImportError as exc:
                raise EmbedderUnavailableError(
                    "Korean analysis needs the packages 'kiwipiepy' and 'kiwipiepy-model', which are not "
                    "installed; run `pip install -e .` in the project folder"
                ) from exc
            # Without the multi-word and typo dictionaries the analyser loads and answers its first text
            # in 1.4 s instead of 3.8 s; on 630 Korean texts of our catalogues and eval sets one analysis
            # differed (a multi-word institute name), and none of the typo dictionary's corrections
            # were needed (`docs/benchmarks.md`)
            self._kiwi = Kiwi(load_multi_dict=False, load_typo_dict=False)
        return self._kiwi

    def morphemes(self, text: str) -> list[Morpheme]:
        text = unicodedata.normalize("NFC", text)
        with self._lock:
            tokens = self._load().tokenize(text)
        return [Morpheme(t.form, t.tag, t.start, t.start + t.len) for t in tokens]


class Lexicon:
    """Korean term -> English renderings (the first is preferred), from a TSV with columns ko, en
    ('|'-separated alternatives) and source."""

    def __init__(self, entries: dict[str, tuple[str, ...]]):
        self.entries = entries
        self.longest = max((len(k) for k in entries), default=0)

    @classmethod
    def load(cls, path: str | Path = LEXICON_FILE) -> Lexicon:
        path = Path(path)
        try:
            with path.open(encoding="utf-8", newline="") as handle:
                rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
        except FileNotFoundError:
            raise CatalogueError(str(path), "file not found; it holds the Korean-English lexicon") from None
        entries: dict[str, tuple[str, ...]] = {}
        for n, row in enumerate(rows, start=2):
            ko = unicodedata.normalize("NFC", (row.get("ko") or "").strip())
            en = tuple(a.strip() for a in (row.get("en") or "").split("|") if a.strip())
            if not ko or not en:
                raise CatalogueError(str(path), "every row needs a Korean term and an English rendering", row=n)
            entries.setdefault(ko, en)
        return cls(entries)

    def get(self, term: str) -> tuple[str, ...] | None:
        return self.entries.get(term)

    def render_korean(self, text: str) -> str:
        """The Korean terms an English text's words render, in text order: the lexicon read backwards
        (longest phrase first, a plural read as its singular too), numbers kept, other words left out.
        It lets the multilingual encoder read an English text's terms in Korean, as a Korean text's
        gloss lets the English encoder read its terms in English."""
        backwards = self._backwards or self._make_backwards()
        words = [w.lower() for w in _ENGLISH_WORD.findall(text)]
        out, i = [], 0
        while i < len(words):
            for size in range(min(self._longest_english, len(words) - i), 0, -1):
                found = backwards.get(tuple(words[i : i + size]))
                if found is None and size == 1:
                    found = next((backwards[(s,)] for s in _singulars(words[i]) if (s,) in backwards), None)
                    if found is None and words[i][0].isdigit():
                        found = words[i]
                if found is not None:
                    out.append(found)
                    i += size
                    break
            else:
                i += 1
        return " ".join(out)

    _backwards: dict[tuple[str, ...], str] | None = None
    _longest_english: int = 0

    def _make_backwards(self) -> dict[tuple[str, ...], str]:
        # An English phrase that is some term's preferred rendering goes to that term, else to a term
        # that lists it as an alternative; among several, the shortest Korean term (the plain word
        # rather than a compound), then the first in order. A phrase ending in a plural also stands
        # for its singular when no term claims the singular.
        ranked: dict[tuple[str, ...], tuple[int, int, str]] = {}
        for korean, english in self.entries.items():
            for rank, phrase in enumerate(english):
                key = tuple(w.lower() for w in _ENGLISH_WORD.findall(phrase))
                if not key:
                    continue
                claim = (min(rank, 1), len(korean), korean)
                if key not in ranked or claim < ranked[key]:
                    ranked[key] = claim
        backwards = {key: claim[2] for key, claim in ranked.items()}
        for key, korean in list(backwards.items()):
            for singular in _singulars(key[-1]):
                backwards.setdefault(key[:-1] + (singular,), korean)
        self._longest_english = max(map(len, backwards), default=0)
        self._backwards = backwards  # one dict assignment: safe if two threads build it at once
        return backwards


_ENGLISH_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*|\d+(?:[.,]\d+)*")


def _singulars(word: str) -> list[str]:
    """The singulars an English plural may stand for ("facilities" -> "facility", "boxes" -> "box",
    "trucks" -> "truck")."""
    out = []
    if word.endswith("ies") and len(word) > 4:
        out.append(word[:-3] + "y")
    if word.endswith("es") and len(word) > 3:
        out.append(word[:-2])
    if word.endswith("s") and len(word) > 3 and not word.endswith("ss"):
        out.append(word[:-1])
    return out


@dataclass(frozen=True)
class GlossTerm:
    korean: str
    english: tuple[str, ...]
    start: int = -1  # where the term begins in the text (-1: not known)


# Country names that are also everyday words (수단 "means", 인도 "handing over", 말리 "drying"...):
# read as names they would put a country into the gloss of many texts that name none.
AMBIGUOUS_COUNTRY_NAMES = frozenset({"수단", "인도", "말리", "가나", "기니", "차드", "오만", "조지아", "통가"})
# Suffixes a two-syllable city name is written with ("다낭시"): alone, two syllables are too often a word.
CITY_SUFFIXES = ("시", "주", "성")


class PlaceNames:
    """Korean names of Korean governments, countries and cities -> their English names, found on the
    surface of a text (longest name first). The lexicon leaves names out, yet an English text names its
    government and partner place, and the English catalogue texts carry them too: without the names a
    Korean text's gloss cannot meet the cases its English version meets."""

    def __init__(self, names: dict[str, str]):
        self.names = {k: v for k, v in names.items() if len(k) >= 2 and v}
        self.longest = max(map(len, self.names), default=0)

    @classmethod
    def from_tables(cls, governments, countries, cities=None, lexicon: Lexicon | None = None) -> PlaceNames:
        """From the catalogue frames: governments (name_ko, name_en, level, type), countries (name_ko,
        name_en) and GeoNames cities (name_ko, name, population). Governments win over countries and
        countries over cities when one Korean name is several places."""
        names: dict[str, str] = {}
        if cities is not None:
            usable = cities[cities["name_ko"].fillna("") != ""]
            usable = usable.assign(pop=usable["population"].map(_number)).sort_values("pop")
            for spellings, en in zip(usable["name_ko"], usable["name"]):  # the most populous last, so it wins
                for ko in spellings.split("|"):  # GeoNames keeps several Korean spellings: 시엠레아프|시엠립
                    ko = unicodedata.normalize("NFC", ko.strip())
                    if lexicon is not None and lexicon.get(ko):
                        continue
                    if len(ko) >= 3:
                        names[ko] = en
                    elif len(ko) == 2:
                        names.update({ko + suffix: en for suffix in CITY_SUFFIXES})
        for ko, en in zip(countries["name_ko"], countries["name_en"]):
            ko = unicodedata.normalize("NFC", str(ko or "").strip())
            if len(ko) >= 2 and ko not in AMBIGUOUS_COUNTRY_NAMES:
                names[ko] = en
        for row in governments.to_dict("records"):
            for ko in government_name_forms(row):
                names[ko] = row["name_en"]
        return cls(names)

    def spans(self, text: str) -> list[tuple[int, int, str, str]]:
        """(start, end, Korean name, English name) of every name in the text, left to right, the longest
        name at each place (a dictionary probe per length: a few thousand probes for a page)."""
        out, i = [], 0
        while i < len(text):
            if not _HANGUL.match(text[i]) or (i and _HANGUL.match(text[i - 1]) and not _name_may_start(text, i, out)):
                i += 1
                continue
            for size in range(min(self.longest, len(text) - i), 1, -1):
                english = self.names.get(text[i : i + size])
                if english is not None and _name_may_end(text, i + size):
                    out.append((i, i + size, text[i : i + size], english))
                    i += size
                    break
            else:
                i += 1
        return out


_HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _name_may_start(text: str, i: int, found: list) -> bool:
    """A name starts a word, or follows a name right away (경기도수원시 written without a space)."""
    return bool(found) and found[-1][1] == i


# What may follow a name inside its word: particles (광명시는, 라오스의, 캄보디아에서) and the administrative
# words written onto a place's name (바탐방주, 다낭시, 욕야카르타특별구). Anything else means the name was the
# start of a longer word (시라지 in 시라지간지), which is not that place.
PARTICLES = frozenset(
    "은 는 이 가 을 를 의 에 와 과 로 도 만 께 및 측 등 내 간 "
    "에서 에게 으로 까지 부터 처럼 보다 께서 이며 이고 이다 이나 과의 와의 에는 에도 에서는 에서의 으로의 으로는 "
    "로의 로는 과는 와는 에의 이라는 라는 이었다 였다 인 시 주 성 군 구 도 현 섬 읍 면 리 동 "
    "지역 지방 일대 정부 시청 도청 주정부 시정부 당국 광역시 특별시 특별구 자치구".split()
)


def _name_may_end(text: str, end: int) -> bool:
    rest = _HANGUL_WORD.match(text, end)
    return (
        rest is None or rest.group() in PARTICLES or rest.group()[:2] in PARTICLES or rest.group()[:1] in "시주성군구도"
    )


_HANGUL_WORD = re.compile(r"[\uac00-\ud7a3]+")


def _number(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def government_name_forms(row: dict) -> list[str]:
    """The ways a Korean text names a government: its full name, and for an upper government the
    short forms in common use (서울시, 서울; 경남; 강원도)."""
    full = unicodedata.normalize("NFC", row["name_ko"].strip())
    forms = [full]
    if row["level"] != "upper":
        return forms
    kind = row.get("type", "")
    stem = full[: -len(kind)] if kind and full.endswith(kind) else full
    if kind in ("특별시", "광역시", "특별자치시"):
        forms += [stem + "시", stem]
    elif kind == "특별자치도":
        forms += [stem + "도", stem]
        if stem == "전북":
            forms.append("전라북도")
    elif kind == "도" and len(full) == 4:  # 경상남도 -> 경남, 충청북도 -> 충북
        forms.append(full[0] + full[2])
    return forms


def _runs(morphemes: list[Morpheme]) -> list[list[Morpheme]]:
    """Content morphemes grouped into runs that a particle, an ending or punctuation does not break
    (spaces do not break a run: Korean compounds are written with and without them)."""
    runs, current = [], []
    for m in morphemes:
        if m.tag in CONTENT_TAGS:
            current.append(m)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def lexicon_terms(morphemes: list[Morpheme], lexicon: Lexicon) -> list[GlossTerm]:
    """Lexicon entries found in the morphemes, longest match first within each run, in text order.
    A morpheme no entry covers is left out (place names, words the lexicon lacks), except Latin
    words and numbers, which are kept as they are."""
    out: list[GlossTerm] = []
    for run in _runs(morphemes):
        i = 0
        while i < len(run):
            for size in range(min(MAX_COMPOUND, len(run) - i), 0, -1):
                key = "".join(m.form for m in run[i : i + size])
                english = lexicon.get(key)
                if english is None and size == 1 and run[i].tag in ("SL", "SN"):
                    english = (run[i].form,)
                if english is not None:
                    out.append(GlossTerm(key, english, run[i].start))
                    i += size
                    break
            else:
                i += 1
    return out


class KoreanReader:
    """The analyser and the lexicon together: the gloss of a Korean text."""

    # A text is glossed twice (its passages for the encoder, the whole text for the keyword queries);
    # a short text is one passage, so the last few analyses are kept.
    CACHED_TEXTS = 64

    def __init__(self, lexicon: Lexicon | None = None, analyser: KoreanAnalyser | None = None):
        self._lexicon = lexicon
        self.analyser = analyser or KoreanAnalyser()
        self._terms: dict[str, list[Morpheme]] = {}
        self._terms_lock = threading.Lock()

    @property
    def lexicon(self) -> Lexicon:
        if self._lexicon is None:
            self._lexicon = Lexicon.load()
        return self._lexicon

    def _morphemes(self, text: str) -> list[Morpheme]:
        # kept for the last texts: a one-passage text is read for the encoder and again for the keyword queries
        found = self._terms.get(text)
        if found is None:
            found = self.analyser.morphemes(text)
            with self._terms_lock:
                if len(self._terms) >= self.CACHED_TEXTS:
                    del self._terms[next(iter(self._terms))]  # the oldest
                self._terms[text] = found
        return found

    def terms(self, text: str, names: PlaceNames | None = None) -> list[GlossTerm]:
        """The lexicon's terms and, with `names`, the place and government names, in text order."""
        text = unicodedata.normalize("NFC", text)
        morphemes = self._morphemes(text)
        if names is None:
            return lexicon_terms(morphemes, self.lexicon)
        spans = names.spans(text)
        if not spans:
            return lexicon_terms(morphemes, self.lexicon)
        # a morpheme inside a name is the name's (세종특별자치 + 시 is Sejong, not "city"): a break marker
        # keeps the words on either side apart
        cut = [
            Morpheme("", "NAME", m.start, m.end) if any(s <= m.start < e for s, e, _, _ in spans) else m
            for m in morphemes
        ]
        found = lexicon_terms(cut, self.lexicon) + [GlossTerm(ko, (en,), s) for s, _, ko, en in spans]
        return sorted(found, key=lambda t: t.start)

    def gloss(self, text: str, *, alternatives: bool = False, names: PlaceNames | None = None) -> str:
        """The English of the text's terms in text order; with alternatives, every rendering of each;
        with `names`, place and government names too."""
        words = []
        for term in self.terms(text, names):
            words.extend(term.english if alternatives else term.english[:1])
        return " ".join(words)


@lru_cache(maxsize=1)
def default_reader() -> KoreanReader:
    """One reader per process (the analyser's model takes a few seconds to load)."""
    return KoreanReader()
