"""Property tests: any text scores or raises the documented error; index round trips keep everything."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from recommender.errors import InputError
from recommender.index import VectorIndex


@pytest.mark.model
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(min_size=0, max_size=400))
def test_any_unicode_text_scores_or_raises_input_error(recommender, text):
    try:
        result = recommender.recommend(text, top_k=5).to_dict()
    except InputError:
        return
    for key in ("sdg_targets", "precedents", "local_governments"):
        scores = [item["score"] for item in result[key]]
        assert scores == sorted(scores, reverse=True) and all(0.0 <= s <= 1.0 for s in scores)
    assert all(0.0 <= g["score"] <= 1.0 for g in result["sdg_goals"]) and len(result["sdg_goals"]) == 17


@settings(max_examples=25, deadline=None)
@given(
    vectors=arrays(np.float32, st.tuples(st.integers(1, 40), st.integers(2, 12)), elements=st.floats(-1, 1, width=32)),
    names=st.lists(
        st.text(st.characters(blacklist_characters="\x00"), min_size=1, max_size=8), min_size=40, max_size=40
    ),
)
def test_index_round_trip_keeps_ids_and_scores(tmp_path_factory, vectors, names):
    ids = names[: len(vectors)]
    index = VectorIndex.build(vectors, ids, ["en"] * len(ids), catalogue="c", embedder_id="e", fingerprint="f")
    folder = index.save(tmp_path_factory.mktemp("idx") / "c")
    loaded = VectorIndex.load(folder, expect={"embedder": "e", "catalogue_fingerprint": "f"})
    assert loaded.item_ids.tolist() == list(ids)
    k = len(ids)
    assert np.allclose(index.search(vectors, k)[0], loaded.search(vectors, k)[0])


def test_ids_that_would_not_survive_a_round_trip_are_refused():
    import pytest

    for bad in ("", "a\x00"):
        with pytest.raises(ValueError, match="NUL"):
            VectorIndex.build(
                np.ones((2, 3), dtype=np.float32),
                ["ok", bad],
                ["en", "en"],
                catalogue="c",
                embedder_id="e",
                fingerprint="f",
            )
