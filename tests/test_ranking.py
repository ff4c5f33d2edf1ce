"""Pure ranking functions, driven with small arrays whose answers are known."""

import numpy as np
import pytest

from recommender import ranking


def test_best_per_item_takes_the_max_over_passages_and_rows():
    # two query passages, three vector rows: rows 0 and 1 belong to item 0, row 2 to item 1
    scores = np.array([[0.2, 0.9], [0.5, -1.0]], dtype=np.float32)
    rows = np.array([[0, 2], [1, -1]])
    out = ranking.best_per_item(scores, rows, np.array([0, 0, 1]), n_items=3)
    assert out.tolist() == pytest.approx([0.5, 0.9, -1.0])


def test_mean_best_per_language_reads_every_version_of_an_item():
    # rows 0 (en) and 1 (ko) are item 0; row 2 (en) is item 1; item 2 is never returned
    rows = np.array([[0, 2], [1, -1]])
    scores = np.array([[0.2, 0.9], [0.6, -1.0]], dtype=np.float32)
    languages = np.array(["en", "ko", "en"])
    out = ranking.mean_best_per_language(scores, rows, np.array([0, 0, 1]), languages, n_items=3)
    # item 0: mean of its English best (0.2) and its Korean best (0.6); item 1 has one version
    assert out.tolist() == pytest.approx([0.4, 0.9, -1.0])
    # the best of one version over several passages, not the sum
    scores = np.array([[0.2, 0.9], [0.4, -1.0]], dtype=np.float32)
    rows = np.array([[0, 2], [0, -1]])
    out = ranking.mean_best_per_language(scores, rows, np.array([0, 0, 1]), languages, n_items=3)
    assert out.tolist() == pytest.approx([0.4, 0.9, -1.0])


def test_fuse_is_a_convex_combination_and_renormalises():
    out = ranking.fuse({"a": np.array([1.0, 0.0]), "b": np.array([0.0, 1.0])}, {"a": 3, "b": 1})
    assert out.tolist() == pytest.approx([0.75, 0.25])
    with pytest.raises(ValueError, match="no values"):
        ranking.fuse({"a": np.array([1.0])}, {"a": 1, "b": 1})


def test_rank_order_breaks_ties_by_id():
    assert ranking.rank_order(np.array([0.5, 0.9, 0.5]), ["c", "a", "b"]).tolist() == [1, 2, 0]


def test_propagate_labels_uses_only_the_nearest_items():
    scores = np.array([0.9, 0.1, 0.7])
    labels = [[0], [2], [1, 0]]
    out, via = ranking.propagate_labels(scores, labels, n_labels=3, neighbours=2)
    assert out.tolist() == pytest.approx([0.9, 0.7, 0.0])
    assert via.tolist() == [0, 2, -1]


def test_lexical_scores_an_item_by_its_best_language():
    from recommender.lexical import LexicalScorer

    documents = [
        "fire trucks and firefighter training",
        "소방차 기증과 소방관 교육",
        "drinking water supply",
        "상수도 공급",
    ]
    items = [0, 0, 1, 1]
    per_language = LexicalScorer().fit(documents, items)
    joined = LexicalScorer().fit(
        ["fire trucks and firefighter training 소방차 기증과 소방관 교육", "drinking water supply 상수도 공급"]
    )
    query = ["소방차를 기증한다"]
    scores = per_language.score(query)
    assert scores.shape == (1, 2) and scores[0, 0] > scores[0, 1]
    alone = LexicalScorer().fit(documents).score(query)[0]
    # the item's score is its Korean document's, undiluted by its English one
    assert scores[0, 0] == pytest.approx(max(alone[0], alone[1]), abs=1e-6)
    assert scores[0, 0] > joined.score(query)[0, 0]
    assert per_language.score(query, rows=np.array([1, 0])) == pytest.approx(scores[:, ::-1])


def test_lexical_items_must_be_numbered_in_order():
    from recommender.lexical import LexicalScorer

    with pytest.raises(ValueError, match="item number"):
        LexicalScorer().fit(["a b", "c d", "e f"], [0, 2, 2])
