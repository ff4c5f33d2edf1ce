"""Lexical similarity on character n-grams.

Korean particles attach to words (소방차를, 소방차의), so whitespace tokens would not match; character
2-4-grams inside word boundaries match the shared stem in both languages.

The model is fitted by scikit-learn's TfidfVectorizer at build time (`fit`), and saved as arrays in
the catalogue's index folder (`arrays` / `from_arrays`): the vocabulary, the idf and the document
vectors stored term by term (each term's documents and weights). Queries are turned into vectors and
scored by the few lines below, without scikit-learn or SciPy, with the same arithmetic in the same
order as scikit-learn and SciPy use (float32 values, a float64 norm summed term by term, float32
sums over the shared terms in the order the fitted rows store them), so the scores are bit for bit
those of the fitted vectorizer's sparse product (tests/test_lexical.py).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from itertools import repeat

import numpy as np

# What `arrays` holds; a change to the format or the analyser makes saved models stale.
LEXICAL_FORMAT = 1
_WHITE_SPACES = re.compile(r"\s\s+")  # TfidfVectorizer's whitespace normaliser of char_wb
# Query-document products added in one step of `score` (bounds the working memory of a batch).
_CONTRIBUTIONS_PER_STEP = 1 << 17


def char_wb_ngrams(text: str, ngram_range: tuple[int, int]) -> list[str]:
    """The n-grams TfidfVectorizer(analyzer="char_wb", lowercase=True) reads from a text, in its order."""
    min_n, max_n = ngram_range
    ngrams = []
    append = ngrams.append
    for word in _WHITE_SPACES.sub(" ", text.lower()).split():
        word = f" {word} "
        length = len(word)
        for n in range(min_n, max_n + 1):
            offset = 0
            append(word[offset : offset + n])
            while offset + n < length:
                offset += 1
                append(word[offset : offset + n])
            if offset == 0:  # a short word is counted once
                break
    return ngrams


class QueryVectors:
    """Sparse tf-idf vectors of some queries: row i holds terms[ptr[i]:ptr[i + 1]] and their weights, in the
    order the scores add them (the model's `order_`)."""

    __slots__ = ("ptr", "terms", "weights")

    def __init__(self, ptr: np.ndarray, terms: np.ndarray, weights: np.ndarray):
        self.ptr, self.terms, self.weights = ptr, terms, weights

    def __len__(self) -> int:
        return len(self.ptr) - 1

    def __getitem__(self, n: int) -> QueryVectors:
        start, end = self.ptr[n], self.ptr[n + 1]
        return QueryVectors(np.array([0, end - start]), self.terms[start:end], self.weights[start:end])


class LexicalScorer:
    """TF-IDF cosine between queries and items; an item may have several documents (one per language),
    and scores by its best one, so that its Korean text does not dilute the weight of its English
    n-grams (and the other way round) as it would in one concatenated document."""

    def __init__(self, ngram_range: tuple[int, int] = (2, 4), min_df: int = 1):
        self.ngram_range = tuple(ngram_range)
        self.min_df = min_df
        # the vocabulary in column (sorted) order: its terms' code points one after another, and their lengths
        self.text_: np.ndarray | None = None
        self.lengths_: np.ndarray | None = None
        self.idf_: np.ndarray | None = None
        # the document vectors term by term: term t's documents are docs_[postings_[t]:postings_[t + 1]]
        self.postings_: np.ndarray | None = None
        self.docs_: np.ndarray | None = None
        self.weights_: np.ndarray | None = None
        self.n_documents_ = 0
        # each term's place in the order its documents' sums add it (see `fit`)
        self.order_: np.ndarray | None = None
        self.starts_: np.ndarray | None = None  # first document of each item; None: one document per item
        self._columns: dict[str, int] | None = None

    def fit(self, documents: Sequence[str], items: Sequence[int] | None = None) -> LexicalScorer:
        """items[i]: the item (0, 1, ...) document i belongs to, non-decreasing; default one per item.
        Needs scikit-learn (`recommender build`); a loaded model does not."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        starts = _item_starts(items, len(documents))
        vectorizer = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=self.ngram_range,
            min_df=self.min_df,
            sublinear_tf=True,
            lowercase=True,
            dtype=np.float32,
        )
        by_document = vectorizer.fit_transform(list(documents))
        # SciPy sums a document's products in the order its row stores its terms: the order in which
        # the vectorizer first met them in the corpus (it renumbers terms alphabetically afterwards
        # but leaves each row's order). Scores add the terms in that order, so that they come out
        # bit for bit as before. Rows in order, then each row's unseen terms in row order, give it.
        first_seen = np.full(by_document.shape[1], -1, dtype=np.int64)
        seen = 0
        for row in range(by_document.shape[0]):
            terms = by_document.indices[by_document.indptr[row] : by_document.indptr[row + 1]]
            new = terms[first_seen[terms] < 0]
            first_seen[new] = np.arange(seen, seen + len(new))
            seen += len(new)
        by_term = by_document.tocsc()
        by_term.sort_indices()
        vocabulary = vectorizer.vocabulary_
        terms = sorted(vocabulary, key=vocabulary.__getitem__)
        # code points, not a numpy string array: numpy drops trailing NUL characters of strings
        self.text_ = np.frombuffer("".join(terms).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        self.lengths_ = np.array([len(t) for t in terms], dtype=np.uint8)
        self.idf_ = np.asarray(vectorizer.idf_, dtype=np.float32)
        self.postings_ = by_term.indptr.astype(np.int64)
        self.docs_ = by_term.indices.astype(np.int32)
        self.weights_ = by_term.data.astype(np.float32)
        self.n_documents_ = by_term.shape[0]
        self.order_ = first_seen.astype(np.int32)
        self.starts_ = starts
        self._columns = dict(vocabulary)
        return self

    # ------------------------------------------------------------------ saved form
    def arrays(self) -> dict[str, np.ndarray]:
        """The fitted model as named arrays (what the index folder saves)."""
        self._require_fitted()
        out = {
            "lexical_text": self.text_,
            "lexical_lengths": self.lengths_,
            "lexical_idf": self.idf_,
            "lexical_postings": self.postings_,
            "lexical_docs": self.docs_,
            "lexical_weights": self.weights_,
            "lexical_shape": np.array([self.n_documents_], dtype=np.int64),
            "lexical_order": self.order_,
        }
        if self.starts_ is not None:
            out["lexical_starts"] = np.asarray(self.starts_, dtype=np.int64)
        return out

    def describe(self) -> dict:
        """What a saved model must match to be used (the manifest records it)."""
        return {"format": LEXICAL_FORMAT, "ngram_range": list(self.ngram_range), "min_df": self.min_df}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], ngram_range=(2, 4), min_df: int = 1) -> LexicalScorer:
        """A model from `arrays()` (possibly memory-mapped); ValueError when they do not fit together."""
        scorer = cls(ngram_range, min_df)
        try:
            scorer.text_ = arrays["lexical_text"]
            scorer.lengths_ = arrays["lexical_lengths"]
            scorer.idf_ = arrays["lexical_idf"]
            scorer.postings_ = arrays["lexical_postings"]
            scorer.docs_ = arrays["lexical_docs"]
            scorer.weights_ = arrays["lexical_weights"]
            scorer.n_documents_ = int(arrays["lexical_shape"][0])
            scorer.order_ = arrays["lexical_order"]
        except KeyError as exc:
            raise ValueError(f"the lexical model lacks its array {exc}") from None
        scorer.starts_ = arrays.get("lexical_starts")
        n_terms = len(scorer.lengths_)
        if (
            int(np.sum(scorer.lengths_, dtype=np.int64)) != len(scorer.text_)
            or len(scorer.idf_) != n_terms
            or len(scorer.order_) != n_terms
            or len(scorer.postings_) != n_terms + 1
            or len(scorer.docs_) != len(scorer.weights_)
            or (n_terms and int(scorer.postings_[-1]) != len(scorer.docs_))
        ):
            raise ValueError("the lexical model's arrays do not fit together")
        return scorer

    # ------------------------------------------------------------------ queries
    def _require_fitted(self) -> None:
        if self.idf_ is None:
            raise RuntimeError("LexicalScorer is not fitted; call fit(documents) first")

    @property
    def n_items(self) -> int:
        return self.n_documents_ if self.starts_ is None else len(self.starts_)

    def _vocabulary(self) -> dict[str, int]:
        if self._columns is None:
            text = np.asarray(self.text_, dtype="<u4").tobytes().decode("utf-32-le", "surrogatepass")
            ends = np.cumsum(self.lengths_, dtype=np.int64).tolist()
            lengths = self.lengths_.tolist()
            self._columns = {text[end - n : end]: column for column, (end, n) in enumerate(zip(ends, lengths))}
        return self._columns

    def transform(self, queries: Sequence[str]) -> QueryVectors:
        """Sparse query vectors, as TfidfVectorizer.transform makes them: sublinear tf times idf in
        float32, each row divided by its L2 norm summed in float64 in ascending term order."""
        self._require_fitted()
        columns = self._vocabulary()
        lookup = columns.get
        sizes, terms, counts = [], [], []
        for text in queries:
            found = Counter(char_wb_ngrams(text, self.ngram_range))
            terms += map(lookup, found.keys(), repeat(-1))
            counts += found.values()
            sizes.append(len(found))
        terms = np.array(terms, dtype=np.int64)
        rows = np.repeat(np.arange(len(sizes)), sizes)
        known = terms >= 0
        terms, rows, counts = terms[known], rows[known], np.array(counts, dtype=np.float32)[known]
        by_column = np.lexsort((terms, rows))
        terms, rows = terms[by_column], rows[by_column]
        ptr = np.zeros(len(sizes) + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=len(sizes)), out=ptr[1:])
        weights = counts[by_column]
        np.log(weights, out=weights)
        weights += np.float32(1.0)
        weights *= self.idf_[terms]
        norms = np.zeros(len(ptr) - 1, dtype=np.float64)
        np.add.at(norms, rows, (weights * weights).astype(np.float64))  # one by one, in term order
        norms = np.sqrt(norms)
        norms[norms == 0.0] = 1.0
        weights = (weights / norms[rows]).astype(np.float32)  # float32 / float64: divided in float64
        in_order = np.lexsort((self.order_[terms], rows))
        return QueryVectors(ptr, terms[in_order], weights[in_order])

    def _document_scores(self, vectors: QueryVectors) -> np.ndarray:
        """Cosine of each query with each document, (n_queries, n_documents) float32: each cell the
        float32 sum over the shared terms in the model's order (as SciPy's sparse product did it)."""
        out = np.zeros((len(vectors), self.n_documents_), dtype=np.float32)
        flat = out.reshape(-1)
        starts = self.postings_[vectors.terms]
        lengths = self.postings_[vectors.terms + 1] - starts
        query_of = np.repeat(np.arange(len(vectors), dtype=np.int64), np.diff(vectors.ptr))
        done = 0
        while done < len(lengths):
            # as many query terms as keep the products of this step under the bound (at least one)
            ends = np.cumsum(lengths[done:])
            stop = done + max(1, int(np.searchsorted(ends, _CONTRIBUTIONS_PER_STEP, side="right")))
            part_lengths = lengths[done:stop]
            total = int(part_lengths.sum())
            if total:
                offsets = np.repeat(starts[done:stop] - np.cumsum(part_lengths) + part_lengths, part_lengths)
                positions = offsets + np.arange(total, dtype=np.int64)
                products = self.weights_[positions] * np.repeat(vectors.weights[done:stop], part_lengths)
                cells = np.repeat(query_of[done:stop] * self.n_documents_, part_lengths) + self.docs_[positions]
                np.add.at(flat, cells, products)  # one by one, in order: each cell sums its terms in order
            done = stop
        return out

    def score(self, queries, rows: np.ndarray | None = None) -> np.ndarray:
        """Cosine similarity in [0, 1], shape (n_queries, n_items or len(rows)); rows are item numbers.

        `queries` are texts or the vectors `transform` made from them."""
        vectors = queries if isinstance(queries, QueryVectors) else self.transform(list(queries))
        per_doc = self._document_scores(vectors)
        if self.starts_ is None:
            return (per_doc if rows is None else per_doc[:, np.asarray(rows, dtype=np.int64)]).clip(0.0, 1.0)
        best = np.maximum.reduceat(per_doc, np.asarray(self.starts_, dtype=np.int64), axis=1)
        return (best if rows is None else best[:, np.asarray(rows, dtype=np.int64)]).clip(0.0, 1.0)


def _item_starts(items: Sequence[int] | None, n_documents: int) -> np.ndarray | None:
    """The first document of each item, or None when every item has one document."""
    if items is None:
        return None
    items = np.asarray(items)
    if (
        len(items) != n_documents
        or np.any(np.diff(items) < 0)
        or np.any(np.diff(items) > 1)
        or (len(items) and items[0] != 0)
    ):
        raise ValueError(
            "items must give, for each document, its item number: 0, 1, ... without gaps, "
            "documents of one item together"
        )
    if len(items) != (items[-1] + 1 if len(items) else 0):
        return np.searchsorted(items, np.arange(items[-1] + 1))
    return None
