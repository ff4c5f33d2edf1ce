"""Lexical similarity on character n-grams.

Korean particles attach to words (소방차를, 소방차의), so whitespace tokens would not match; character
2-4-grams inside word boundaries match the shared stem in both languages. The vectoriser is refitted
from the catalogue on load (a few milliseconds at catalogue size), so nothing is unpickled.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer


class LexicalScorer:
    def __init__(self, ngram_range: tuple[int, int] = (2, 4), min_df: int = 1):
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.vectorizer_: TfidfVectorizer | None = None
        self.matrix_ = None

    def fit(self, documents: Sequence[str]) -> "LexicalScorer":
        self.vectorizer_ = TfidfVectorizer(analyzer="char_wb", ngram_range=self.ngram_range, min_df=self.min_df,
                                           sublinear_tf=True, lowercase=True, dtype=np.float32)
        self.matrix_ = self.vectorizer_.fit_transform(list(documents))
        return self

    def transform(self, queries: Sequence[str]):
        """Sparse query vectors; transforming a whole batch at once is much cheaper than one by one."""
        if self.vectorizer_ is None:
            raise RuntimeError("LexicalScorer is not fitted; call fit(documents) first")
        return self.vectorizer_.transform(list(queries))

    def score(self, queries, rows: np.ndarray | None = None) -> np.ndarray:
        """Cosine similarity in [0, 1], shape (n_queries, n_documents or len(rows)).

        `queries` are texts or the sparse vectors `transform` made from them."""
        q = self.transform(queries) if isinstance(queries, (list, tuple)) else queries
        matrix = self.matrix_ if rows is None else self.matrix_[rows]
        # documents x query keeps the large matrix in its CSR layout (no transpose per call)
        return np.asarray((matrix @ q.T).T.toarray(), dtype=np.float32).clip(0.0, 1.0)
