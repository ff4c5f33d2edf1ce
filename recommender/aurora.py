"""Run the Aurora SDG keyword queries (Scopus syntax) on plain text.

The queries use quoted terms with `*` wildcards, OR, AND, AND NOT and the proximity operator
W/n ("within n words"). A query is parsed once into a tree; evaluating it on a text returns the
word positions where it matched and the terms that made the match, for the explanation.
Precedence follows Scopus: OR binds tightest, then W/n, then AND, then AND NOT.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TOKEN = re.compile(r'"[^"]*"|\(|\)|W/\d+|PRE/\d+|AND\s+NOT|AND|OR|[^\s()"]+')
_WORD = re.compile(r"[a-z0-9]+")


def tokenize_words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


@dataclass
class Match:
    positions: set[int] = field(default_factory=set)
    terms: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.positions)


class _Text:
    """A text's words with a lookup from word to positions, shared by every query run on it."""

    def __init__(self, text: str):
        self.words = tokenize_words(text)
        self.where: dict[str, list[int]] = {}
        for i, word in enumerate(self.words):
            self.where.setdefault(word, []).append(i)
        # The 169 queries share many terms; each is matched once per text.
        self.term_matches: dict[str, Match] = {}
        self._prefix: dict[str, list[int]] = {}

    def positions(self, pattern: str) -> list[int]:
        if pattern.endswith("*"):
            if pattern not in self._prefix:
                stem = pattern[:-1]
                self._prefix[pattern] = sorted(
                    p for word, ps in self.where.items() if word.startswith(stem) for p in ps
                )
            return self._prefix[pattern]
        return self.where.get(pattern, [])


class Term:
    def __init__(self, phrase: str):
        self.phrase = phrase.strip('"').strip()
        # '*' inside a word is kept as a wildcard at the end of that word
        self.parts = [
            w + ("*" if w_raw.endswith("*") else "")
            for w_raw in self.phrase.lower().split()
            for w in _WORD.findall(w_raw)[:1]
        ]

    def run(self, text: _Text) -> Match:
        cached = text.term_matches.get(self.phrase)
        if cached is None:
            cached = text.term_matches[self.phrase] = self._run(text)
        return cached  # shared, never mutated: operators build new matches from unions

    def _run(self, text: _Text) -> Match:
        if not self.parts:
            return Match()
        starts = set(text.positions(self.parts[0]))
        for offset, part in enumerate(self.parts[1:], start=1):
            nxt = set(text.positions(part))
            starts = {s for s in starts if s + offset in nxt}
            if not starts:
                break
        return Match(starts, {self.phrase.lower()} if starts else set())


class Op:
    def __init__(self, kind: str, left, right, distance: int = 0):
        self.kind, self.left, self.right, self.distance = kind, left, right, distance

    def run(self, text: _Text) -> Match:
        a = self.left.run(text)
        if self.kind == "OR":
            b = self.right.run(text)
            return Match(a.positions | b.positions, a.terms | b.terms)
        if not a:
            return Match()
        b = self.right.run(text)
        if self.kind == "NOT":
            return a if not b else Match()
        if not b:
            return Match()
        if self.kind == "AND":
            return Match(a.positions | b.positions, a.terms | b.terms)
        # W/n: keep the positions on either side that have a partner within n words
        near_a = {p for p in a.positions if any(abs(p - q) <= self.distance for q in b.positions)}
        if not near_a:
            return Match()
        near_b = {q for q in b.positions if any(abs(p - q) <= self.distance for p in near_a)}
        return Match(near_a | near_b, a.terms | b.terms)


class QuerySyntaxError(ValueError):
    pass


class _Parser:
    def __init__(self, query: str):
        self.tokens = [t for t in _TOKEN.findall(query)]
        self.i = 0

    def peek(self) -> str | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> str:
        tok = self.peek()
        if tok is None:
            raise QuerySyntaxError("unexpected end of query")
        self.i += 1
        return tok

    def parse(self):
        node = self.andnot()
        if self.peek() is not None:
            raise QuerySyntaxError(f"unexpected {self.peek()!r} at token {self.i}")
        return node

    def andnot(self):
        node = self.conj()
        while self.peek() is not None and re.fullmatch(r"AND\s+NOT", self.peek()):
            self.take()
            node = Op("NOT", node, self.conj())
        return node

    def conj(self):
        node = self.prox()
        while True:
            tok = self.peek()
            if tok == "AND":
                self.take()
                node = Op("AND", node, self.prox())
            elif tok is not None and (tok == "(" or tok.startswith('"')):
                node = Op("AND", node, self.prox())  # adjacency without an operator means AND
            else:
                return node

    def prox(self):
        node = self.disj()
        while self.peek() is not None and re.fullmatch(r"(W|PRE)/\d+", self.peek()):
            distance = int(self.take().split("/")[1])
            node = Op("W", node, self.disj(), distance)
        return node

    def disj(self):
        node = self.atom()
        while self.peek() == "OR":
            self.take()
            node = Op("OR", node, self.atom())
        return node

    def atom(self):
        tok = self.take()
        if tok == "(":
            node = self.andnot()
            if self.take() != ")":
                raise QuerySyntaxError("missing ')'")
            return node
        if tok in {")", "OR", "AND"} or re.fullmatch(r"(W|PRE)/\d+|AND\s+NOT", tok):
            raise QuerySyntaxError(f"unexpected {tok!r} at token {self.i - 1}")
        return Term(tok)


def compile_query(query: str):
    """Parse a query; an empty query matches nothing."""
    if not query or not query.strip():
        return None
    return _Parser(query).parse()


def _terms(node) -> list[Term]:
    if isinstance(node, Term):
        return [node]
    return _terms(node.left) + _terms(node.right)


class AuroraMatcher:
    """All targets' compiled queries; `match(text)` gives the matched terms per target id.

    A query can match only if one of its terms occurs, so terms are indexed by their first word
    (or wildcard prefix) and a text runs only the queries holding a term its own words could start.
    """

    def __init__(self, queries: dict[str, str]):
        self.trees = {tid: compile_query(q) for tid, q in queries.items()}
        self.tree_terms: dict[str, set[str]] = {}
        self.exact: dict[str, list[Term]] = {}
        self.prefixes: dict[str, list[tuple[str, Term]]] = {}  # first 3 letters of the stem -> terms
        self.short_prefixes: list[tuple[str, Term]] = []  # stems under 3 letters, checked for every word
        for tid, tree in self.trees.items():
            if tree is None:
                continue
            terms = _terms(tree)
            self.tree_terms[tid] = {t.phrase for t in terms}
            for term in terms:
                if not term.parts:
                    continue
                first = term.parts[0]
                if first.endswith("*"):
                    stem = first[:-1]
                    if len(stem) >= 3:
                        self.prefixes.setdefault(stem[:3], []).append((stem, term))
                    else:
                        self.short_prefixes.append((stem, term))
                else:
                    self.exact.setdefault(first, []).append(term)

    def _matched_phrases(self, text: _Text) -> set[str]:
        found: set[str] = set()
        for word in text.where:
            candidates = list(self.exact.get(word, ()))
            candidates += [t for stem, t in self.prefixes.get(word[:3], ()) if word.startswith(stem)]
            candidates += [t for stem, t in self.short_prefixes if word.startswith(stem)]
            for term in candidates:
                if term.phrase not in found and term.run(text):
                    found.add(term.phrase)
        return found

    def match(self, text: str) -> dict[str, list[str]]:
        prepared = _Text(text)
        present = self._matched_phrases(prepared)
        out = {}
        for tid, tree in self.trees.items():
            if tree is None or not (self.tree_terms[tid] & present):
                continue
            result = tree.run(prepared)
            if result:
                out[tid] = sorted(result.terms)
        return out
