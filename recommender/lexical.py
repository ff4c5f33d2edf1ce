"""Lexical similarity on character n-grams.

Korean particles attach to words (소방차를, 소방차의), so whitespace tokens would not match; character
2-4-grams inside word boundaries match the shared stem in both languages. The vectoriser is refitted
from the catalogue on load (a few milliseconds at catalogue size), so nothing is unpickled.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer


class LexicalScorer:
    """TF-IDF cosine between queries and items; an item may have several documents (one per language),
    and scores by its best one, so that its Korean text does not dilute the weight of its English
    n-grams (and the other way round) as it would in one concatenated document."""

    def __init__(self, ngram_range: tuple[int, int] = (2, 4), min_df: int = 1):
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.vectorizer_: TfidfVectorizer | None = None
        self.matrix_ = None
        self.starts_: np.ndarray | None = None  # first document of each item; None: one document per item

    def fit(self, documents: Sequence[str], items: Sequence[int] | None = None) -> LexicalScorer:
        """items[i]: the item (0, 1, ...) document i belongs to, non-decreasing; default one per item."""
        self.vectorizer_ = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=self.ngram_range,
            min_df=self.min_df,
            sublinear_tf=True,
            lowercase=True,
            dtype=np.float32,
        )
        self.matrix_ = self.vectorizer_.fit_transform(list(documents))
        self.starts_ = None
        if items is not None:
            items = np.asarray(items)
            if (
                len(items) != len(documents)
                or np.any(np.diff(items) < 0)
                or np.any(np.diff(items) > 1)
                or (len(items) and items[0] != 0)
            ):
                raise ValueError(
                    "items must give, for each document, its item number: 0, 1, ... without gaps, "
                    "documents of one item together"
                )
            if len(items) != (items[-1] + 1 if len(items) else 0):
                self.starts_ = np.searchsorted(items, np.arange(items[-1] + 1))
        return self

    @property
    def n_items(self) -> int:
        return self.matrix_.shape[0] if self.starts_ is None else len(self.starts_)

    def transform(self, queries: Sequence[str]):
        """Sparse query vectors; transforming a whole batch at once is much cheaper than one by one."""
        if self.vectorizer_ is None:
            raise RuntimeError("LexicalScorer is not fitted; call fit(documents) first")
        return self.vectorizer_.transform(list(queries))

    def score(self, queries, rows: np.ndarray | None = None) -> np.ndarray:
        """Cosine similarity in [0, 1], shape (n_queries, n_items or len(rows)); rows are item numbers.

        `queries` are texts or the sparse vectors `transform` made from them."""
        q = self.transform(queries) if isinstance(queries, (list, tuple)) else queries
        if self.starts_ is None:
            matrix = self.matrix_ if rows is None else self.matrix_[rows]
            # documents x query keeps the large matrix in its CSR layout (no transpose per call)
            return np.asarray((matrix @ q.T).T.toarray(), dtype=np.float32).clip(0.0, 1.0)
        ends = np.append(self.starts_[1:], self.matrix_.shape[0])
        items = np.arange(len(self.starts_)) if rows is None else np.asarray(rows)
        docs = np.concatenate([np.arange(self.starts_[i], ends[i]) for i in items]) if len(items) else np.zeros(0, int)
        per_doc = np.asarray((self.matrix_[docs] @ q.T).T.toarray(), dtype=np.float32)
        if not len(items):
            return per_doc
        offsets = np.concatenate([[0], np.cumsum(ends[items] - self.starts_[items])[:-1]])
        return np.maximum.reduceat(per_doc, offsets, axis=1).clip(0.0, 1.0)
