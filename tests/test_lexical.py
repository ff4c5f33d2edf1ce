"""The lexical model saved at build and scored without scikit-learn: the same n-grams, vectors and
scores, bit for bit, as the fitted TfidfVectorizer and SciPy's sparse product it replaces."""

import numpy as np
import pandas as pd
import pytest
from conftest import DATA, ROOT

from recommender import index as index_module
from recommender.catalogue import INDEXED, lexical_corpus, load_catalogues
from recommender.errors import StaleIndexError
from recommender.index import VectorIndex
from recommender.lexical import LexicalScorer, char_wb_ngrams


def _vectorizer():
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, lowercase=True, dtype=np.float32)


def _reference_scores(documents, items, queries) -> np.ndarray:
    """What the recommender computed before the model was saved: the vectorizer fitted on the documents,
    SciPy's product of its document matrix with the query vectors, each item scored by its best document."""
    vectorizer = _vectorizer()
    matrix = vectorizer.fit_transform(documents)
    per_document = np.asarray((matrix @ vectorizer.transform(queries).T).T.toarray(), dtype=np.float32)
    items = np.asarray(items)
    starts = np.searchsorted(items, np.arange(items[-1] + 1))
    return np.maximum.reduceat(per_document, starts, axis=1).clip(0.0, 1.0)


def _queries() -> list[str]:
    gold = pd.read_csv(ROOT / "eval/gold_proposals.csv", dtype=str, keep_default_na=False)
    probe = pd.read_csv(ROOT / "eval/probe_pairs.csv", dtype=str, keep_default_na=False)
    return gold["text"].tolist() + probe["query"].tolist() + ["", "   ", "x", "ＦＵＬＬ　ｗｉｄｔｈ Ünïcode\tTAB"]


def test_ngrams_are_the_vectorizers():
    # " ab " gives 2-grams " a", "ab", "b " and 3-grams " ab", "ab "; " c " gives " c", "c " and, once, " c "
    assert char_wb_ngrams("Ab  c", (2, 4)) == [" a", "ab", "b ", " ab", "ab ", " ab ", " c", "c ", " c "]
    analyse = _vectorizer().build_analyzer()
    for text in _queries()[::7]:
        assert char_wb_ngrams(text, (2, 4)) == analyse(text)


@pytest.mark.parametrize("name", INDEXED)
def test_saved_model_scores_real_queries_bit_for_bit_as_the_vectorizer(name, tmp_path, monkeypatch):
    documents, items = lexical_corpus(load_catalogues(DATA), name)
    queries = _queries()
    expected = _reference_scores(documents, items, queries)

    index = VectorIndex.build(
        np.eye(3, 4, dtype=np.float32), ["a", "b", "c"], ["en"] * 3, catalogue=name, embedder_id="e", fingerprint="f"
    )
    index.add_arrays(LexicalScorer().fit(documents, items).arrays())
    monkeypatch.setattr(index_module, "MMAP_BYTES", 0)  # every array memory-mapped, as large ones are
    loaded = VectorIndex.load(index.save(tmp_path / name))
    assert all(isinstance(a, np.memmap) for a in loaded.arrays.values())
    scorer = LexicalScorer.from_arrays(loaded.arrays)

    scores = scorer.score(queries)
    assert scores.dtype == np.float32 and scores.shape == (len(queries), items[-1] + 1)
    assert np.array_equal(scores, expected)
    # a query scored alone, or on some items only, gets the same numbers as in the batch
    vectors = scorer.transform(queries)
    rows = np.array([5, 0, 3])
    assert np.array_equal(scorer.score(vectors[2], rows=rows)[0], expected[2, rows])
    assert np.array_equal(scorer.score(queries[2:3])[0], expected[2])


def test_query_vectors_are_the_vectorizers():
    documents, items = lexical_corpus(load_catalogues(DATA), "sdg_targets")
    vectorizer = _vectorizer()
    vectorizer.fit(documents)
    scorer = LexicalScorer().fit(documents, items)
    queries = _queries()
    expected = vectorizer.transform(queries)
    got = scorer.transform(queries)
    assert got.ptr.tolist() == expected.indptr.tolist()
    for n in range(len(queries)):
        row = got[n]
        order = np.argsort(row.terms)  # ours are kept in the order the scores add them
        assert row.terms[order].tolist() == expected[n].indices.tolist()
        assert np.array_equal(row.weights[order], expected[n].data)


def test_known_scores_on_a_small_corpus():
    documents = ["fire trucks and firefighter training", "소방차 기증과 소방관 교육", "drinking water supply"]
    scorer = LexicalScorer.from_arrays(LexicalScorer().fit(documents).arrays())
    scores = scorer.score(["fire trucks and firefighter training", "소방차", "zzz"])
    assert scores[0, 0] == pytest.approx(1.0, abs=1e-6) and scores[0, 1] == 0.0
    assert scores[1, 1] > 0.3 and scores[1, 0] == 0.0 and scores[1, 2] == 0.0
    assert scores[2].tolist() == [0.0, 0.0, 0.0]  # no n-gram in the vocabulary
    assert np.array_equal(
        scores, _reference_scores(documents, [0, 1, 2], ["fire trucks and firefighter training", "소방차", "zzz"])
    )


def test_terms_with_any_character_survive_the_saved_form():
    # numpy's string arrays drop trailing NUL characters; the vocabulary is saved as code points instead
    documents = ["ab\x00 cd", "ab cd", "\ud800x y"]
    scorer = LexicalScorer.from_arrays(LexicalScorer().fit(documents).arrays())
    queries = ["ab\x00", "ab", "\ud800x"]
    assert np.array_equal(scorer.score(queries), _reference_scores(documents, [0, 1, 2], queries))


def test_a_model_whose_arrays_do_not_fit_together_is_refused():
    arrays = LexicalScorer().fit(["fire trucks", "water pumps"]).arrays()
    with pytest.raises(ValueError, match="do not fit together"):
        LexicalScorer.from_arrays(dict(arrays, lexical_idf=arrays["lexical_idf"][:-1]))
    with pytest.raises(ValueError, match="lacks"):
        LexicalScorer.from_arrays({k: v for k, v in arrays.items() if k != "lexical_postings"})


def test_a_damaged_or_stale_lexical_model_is_refused(tmp_path):
    index = VectorIndex.build(
        np.eye(2, 3, dtype=np.float32), ["a", "b"], ["en"] * 2, catalogue="c", embedder_id="e", fingerprint="f"
    )
    scorer = LexicalScorer().fit(["fire trucks", "water pumps"])
    index.add_arrays(scorer.arrays(), lexical=dict(scorer.describe(), corpus="abc"))
    folder = index.save(tmp_path / "c")
    assert (
        VectorIndex.load(folder, expect={"lexical": dict(scorer.describe(), corpus="abc")}).arrays.keys()
        == scorer.arrays().keys()
    )
    with pytest.raises(StaleIndexError, match="lexical"):
        VectorIndex.load(folder, expect={"lexical": dict(scorer.describe(), corpus="changed")})
    with (folder / "lexical_weights.npy").open("r+b") as handle:
        handle.seek(-4, 2)
        handle.write(b"\x00\x00\x80\x7f")
    with pytest.raises(StaleIndexError, match="does not match its manifest"):
        VectorIndex.load(folder)


def test_the_recommender_loads_its_lexical_models_and_fits_nothing(recommender, monkeypatch):
    from recommender import Recommender

    def refuse(*args, **kwargs):
        raise AssertionError("a lexical model was fitted at load")

    monkeypatch.setattr(LexicalScorer, "fit", refuse)
    loaded = Recommender(DATA, recommender.models_dir).load()
    text = "캄보디아 바탐방주 소방차 지원 및 소방관 교육"
    assert np.array_equal(
        loaded.view_.lexical["precedents"].score([text]), recommender.view_.lexical["precedents"].score([text])
    )
