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
            self._kiwi = Kiwi()
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


@dataclass(frozen=True)
class GlossTerm:
    korean: str
    english: tuple[str, ...]


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
                    out.append(GlossTerm(key, english))
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
        self._terms: dict[str, list[GlossTerm]] = {}
        self._terms_lock = threading.Lock()

    @property
    def lexicon(self) -> Lexicon:
        if self._lexicon is None:
            self._lexicon = Lexicon.load()
        return self._lexicon

    def terms(self, text: str) -> list[GlossTerm]:
        found = self._terms.get(text)
        if found is None:
            found = lexicon_terms(self.analyser.morphemes(text), self.lexicon)
            with self._terms_lock:
                if len(self._terms) >= self.CACHED_TEXTS:
                    del self._terms[next(iter(self._terms))]  # the oldest
                self._terms[text] = found
        return list(found)

    def gloss(self, text: str, *, alternatives: bool = False) -> str:
        """The English of the text's terms in text order; with alternatives, every rendering of each."""
        words = []
        for term in self.terms(text):
            words.extend(term.english if alternatives else term.english[:1])
        return " ".join(words)


@lru_cache(maxsize=1)
def default_reader() -> KoreanReader:
    """One reader per process (the analyser's model takes a few seconds to load)."""
    return KoreanReader()
