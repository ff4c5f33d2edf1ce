"""Reviewer flags on constructed inputs whose answers are known."""

import numpy as np
import pytest

from recommender.flags import FlagConfig, near_duplicates, proposal_flags
from recommender.results import GoalDecision, PrecedentMatch, Recommendation, TargetMatch


def test_near_duplicates_pairs_only_close_vectors():
    v = np.array([[1, 0, 0], [0.99, 0.14, 0], [0, 1, 0], [0, 0, 1]], dtype=np.float32)
    assert near_duplicates(["a", "b", "c", "d"], v, 0.95) == {"a": ["b"], "b": ["a"]}
    assert near_duplicates(["a"], v[:1], 0.5) == {}


def test_near_duplicates_are_capped_and_closest_first():
    rng = np.random.default_rng(0)
    base = rng.normal(size=8).astype(np.float32)
    v = np.stack([base + 0.01 * i * rng.normal(size=8).astype(np.float32) for i in range(10)])
    out = near_duplicates([f"p{i}" for i in range(10)], v, 0.9, most=3)
    assert all(len(others) == 3 for others in out.values())
    assert out["p0"][0] == "p1"  # the least perturbed copy is the closest


def _result(goal11=0.8, sdg11_in_top=True, dense=(0.5, 0.4), precedents=("C1", "C2")):
    target = "11.5" if sdg11_in_top else "3.1"
    return Recommendation(
        sdg_goals=tuple(GoalDecision(g, False, goal11 if g == 11 else 0.1) for g in range(1, 18)),
        sdg_targets=(TargetMatch(target, int(target.split(".")[0]), 0.5, sdg11_in_top, "", "", {}),),
        precedents=tuple(
            PrecedentMatch(p, ("11",), "KH", "", 0.5, "", {"dense": d}, "", "", False, None, "")
            for p, d in zip(precedents, dense)
        ),
        local_governments=(),
        language="en",
        partner_country=None,
        partner_city=None,
        passages=1,
    )


def test_similar_to_precedent_and_low_sdg11():
    config = FlagConfig(similar_to_precedent=0.75, low_sdg11=0.3)
    assert proposal_flags(_result(dense=(0.9, 0.4)), None, {}, config) == ["similar_to_precedent:C1"]
    assert proposal_flags(_result(goal11=0.1, sdg11_in_top=False), None, {}, config) == ["low_sdg11_alignment"]
    # an SDG 11 target in the top 3 is enough, whatever the goal probability
    assert proposal_flags(_result(goal11=0.1, sdg11_in_top=True), None, {}, config) == []


def test_budget_outlier_against_the_closest_precedents():
    budgets = {"C1": 100.0, "C2": 300.0}
    config = FlagConfig(budget_factor=10)
    assert proposal_flags(_result(), 5000.0, budgets, config) == ["budget_outlier"]  # median 200, 25x
    assert proposal_flags(_result(), 1000.0, budgets, config) == []
    assert proposal_flags(_result(), 10.0, budgets, config) == ["budget_outlier"]
    assert proposal_flags(_result(), 5000.0, {"C1": 100.0}, config) == []  # one known budget is too few


def test_thresholds_are_checked():
    with pytest.raises(ValueError, match="near_duplicate must be between 0 and 1; received 2"):
        FlagConfig(near_duplicate=2)


def test_near_duplicates_read_row_blocks_as_a_batch_collects_them():
    v = np.array([[1, 0, 0], [0.99, 0.14, 0], [0, 1, 0], [0, 0, 1]], dtype=np.float16)
    blocks = [v[:1], v[1:3], v[3:]]
    assert near_duplicates(["a", "b", "c", "d"], blocks, 0.95) == near_duplicates(["a", "b", "c", "d"], v, 0.95)
    assert near_duplicates(["a", "b", "c", "d"], blocks, 0.95) == {"a": ["b"], "b": ["a"]}
