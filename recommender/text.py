"""Text helpers: normalising, passages for long texts, and the words two texts share."""

from __future__ import annotations

import re
import unicodedata

_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+|(?<=다\.)|\n+")
_EN_WORD = re.compile(r"[A-Za-z][A-Za-z\-]{2,}")
_KO_WORD = re.compile(r"[\uac00-\ud7a3A-Za-z0-9]{2,}")
# Korean particles and endings that stick to the noun before them (longest first).
_KO_SUFFIXES = sorted(
    [
        "은",
        "는",
        "이",
        "가",
        "을",
        "를",
        "에",
        "의",
        "로",
        "으로",
        "에서",
        "과",
        "와",
        "도",
        "및",
        "등",
        "에게",
        "까지",
        "부터",
        "하고",
        "하는",
        "하여",
        "한",
        "할",
        "함",
        "하며",
        "들",
        "이다",
        "입니다",
        "합니다",
        "한다",
        "된",
        "되는",
        "적",
        "화",
    ],
    key=len,
    reverse=True,
)
EN_STOPWORDS = frozenset(
    """the and for with from that this these those into onto over under are was were been being
have has had not but all any each other such than then them they their there which while who whom whose will would
can could should may might must our ours your yours its his her hers also more most less least very per via both
between within without about above below after before during through including include includes ensure by2030
project projects programme program proposal local government city cities province provincial support supporting
provide providing develop developing development korea korean partner new use using based""".split()
)


def normalise(text: str) -> str:
    """NFC (Korean jamo composed), control characters removed, whitespace folded."""
    text = unicodedata.normalize("NFC", str(text))
    text = "".join(ch if ch in "\n\t" or unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return re.sub(r"[ \t]+", " ", re.sub(r"\n\s*\n+", "\n", text)).strip()


def split_passages(text: str, max_chars: int = 500) -> list[str]:
    """Sentences grouped into passages of at most about max_chars, so a long text is read whole."""
    text = normalise(text)
    if len(text) <= max_chars:
        return [text] if text else []
    sentences = [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]
    passages, current = [], ""
    for sentence in sentences:
        while len(sentence) > max_chars:  # one very long sentence: cut it at a space
            cut = sentence.rfind(" ", 0, max_chars)
            cut = cut if cut > max_chars // 2 else max_chars
            if current:
                passages.append(current)
                current = ""
            passages.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if current and len(current) + 1 + len(sentence) > max_chars:
            passages.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current:
        passages.append(current)
    return passages


def _en_key(word: str) -> str:
    """A crude English stem: enough to pair plural and singular, verb and noun forms."""
    word = word.lower().strip("-")
    for suffix in ("ations", "ation", "ings", "ing", "ies", "es", "ed", "s"):
        if len(word) - len(suffix) >= 4 and word.endswith(suffix):
            word = word[: len(word) - len(suffix)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


def korean_stem(token: str) -> str:
    for suffix in _KO_SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 2:
            return token[: -len(suffix)]
    return token


_STOP_KEYS = frozenset(_en_key(w) for w in EN_STOPWORDS)


def english_terms(text: str) -> dict[str, str]:
    """Content words of an English text, keyed by a crude stem, valued by the first surface form."""
    out: dict[str, str] = {}
    for word in _EN_WORD.findall(text):
        low = word.lower()
        key = _en_key(low)
        if low in EN_STOPWORDS or key in _STOP_KEYS:
            continue
        out.setdefault(key, low)
    return out


def korean_terms(text: str) -> list[str]:
    seen, out = set(), []
    for token in _KO_WORD.findall(text):
        if not re.search(r"[\uac00-\ud7a3]", token):
            continue
        stem = korean_stem(token)
        if stem not in seen:
            seen.add(stem)
            out.append(stem)
    return out


class Terms:
    """A text's English stems and Korean stems, and its letters without spaces, computed once."""

    __slots__ = ("english", "korean", "compact")

    def __init__(self, text: str):
        self.english = english_terms(text)
        self.korean = korean_terms(text)
        self.compact = re.sub(r"\s+", "", text)


def shared(query: Terms, document: Terms, limit: int = 5) -> list[str]:
    """Words of the query that the document also uses (English stems, Korean stems as substrings)."""
    found = [surface for key, surface in query.english.items() if key in document.english]
    found += [stem for stem in query.korean if stem in document.compact]
    return found[:limit]


def shared_terms(query: str, document: str, limit: int = 5) -> list[str]:
    return shared(Terms(query), Terms(document), limit)
