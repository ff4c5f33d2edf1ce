import numpy as np
import pytest

from conftest import DATA
from recommender.errors import CatalogueError
from recommender.goal_model import FEATURES, GoalDecision, GoalModel, goal_features


def test_goal_features_on_a_known_signal():
    goals = np.repeat(np.arange(1, 18), 2)  # two targets per goal
    fused = np.zeros(34); fused[4] = 0.9; fused[0] = 0.3  # goal 3 best, goal 1 second
    dense = fused.copy()
    keyword = np.zeros(34); keyword[4] = keyword[5] = 1
    f = goal_features(fused, dense, np.zeros(34), keyword, goals)
    col = {name: i for i, name in enumerate(FEATURES)}
    assert f.shape == (17, len(FEATURES))
    assert f[2, col["inverse_rank"]] == 1.0 and f[0, col["inverse_rank"]] == 0.5
    # margins are in units of the text's own spread of target scores
    assert f[2, col["dense_margin"]] == 0.0 and f[0, col["dense_margin"]] == pytest.approx(-0.6 / dense.std(), rel=1e-4)
    assert f[2, col["z_dense"]] == pytest.approx((0.9 - dense.mean()) / dense.std(), rel=1e-4)
    assert f[2, col["best_dense"]] == pytest.approx(0.9)
    assert f[2, col["keyword"]] == 1.0 and f[2, col["keyword_targets"]] == pytest.approx(2 / 3)


def test_fit_separates_a_separable_problem_and_round_trips(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, len(FEATURES)))
    y = (x[:, 0] > 0).astype(int)
    model = GoalModel.fit(x, y)
    assert np.mean((model.predict_proba(x) >= 0.5) == y) > 0.95
    GoalDecision(model, {"ko": 0.05}).save(tmp_path / "m.json")
    again = GoalDecision.load(tmp_path / "m.json")
    assert np.allclose(again.model.predict_proba(x), model.predict_proba(x))


def test_decision_shifts_other_languages_and_adds_the_precedent_goal():
    # a model that looks only at best_dense: present when best_dense > 0.5
    coef = [0.0] * len(FEATURES)
    coef[FEATURES.index("best_dense")] = 100.0
    model = GoalModel(coef=coef, intercept=-50.0, mean=[0.0] * len(FEATURES), scale=[1.0] * len(FEATURES))
    decision = GoalDecision(model, {"ko": 0.1}, precedent_support=0.4)
    features = np.zeros((17, len(FEATURES)))
    features[10, FEATURES.index("best_dense")] = 0.45  # goal 11: just below for English
    _, present_en = decision.decide(features, "en")
    _, present_ko = decision.decide(features, "ko")
    assert not present_en.any() and np.flatnonzero(present_ko).tolist() == [10]
    _, with_precedent = decision.decide(features, "en", supported_goal=6)
    assert np.flatnonzero(with_precedent).tolist() == [5]


def test_a_model_for_other_features_is_refused(tmp_path):
    part = '{"coef": [1], "intercept": 0, "mean": [0], "scale": [1], "features": ["x"]}'
    (tmp_path / "m.json").write_text('{"model": %s, "language_offsets": {}, "precedent_support": 0.4}' % part)
    with pytest.raises(CatalogueError, match="refit"):
        GoalDecision.load(tmp_path / "m.json")


def test_shipped_model_is_loadable():
    decision = GoalDecision.load(DATA / "goal_model.json")
    assert decision.model.features == FEATURES and "benchmark" in decision.model.trained_on
    assert 0 < decision.language_offsets["ko"] < 0.2
