"""Whether a text serves an SDG: a logistic model over goal-agnostic features of the target signals.

The features describe how strongly a goal's targets match compared with the other goals, so one
set of coefficients serves all 17 goals. The coefficients are fitted by `recommender evaluate
--fit-goal-model` on labelled snippets and stored as JSON in data/goal_model.json (never pickled).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from .errors import CatalogueError

FILE_NAME = "goal_model.json"
# Scale-free on purpose: absolute cosines differ between languages, models and text lengths (a short
# Korean proposal scores lower everywhere than a long English paragraph), so each goal is described
# by how far its best target stands out from the text's own 169 target scores.
FEATURES = ("z_fused", "z_dense", "fused_margin", "dense_margin", "keyword", "keyword_targets", "inverse_rank",
            "best_dense")


def _per_goal(values: np.ndarray, target_goals: np.ndarray, reduce) -> np.ndarray:
    """reduce (np.maximum or np.add) over each goal's targets; fast when targets are grouped by goal."""
    goals = np.asarray(target_goals)
    if np.all(np.diff(goals) >= 0) and np.array_equal(np.unique(goals), np.arange(1, 18)):
        starts = np.searchsorted(goals, np.arange(1, 18))
        return reduce.reduceat(np.asarray(values, dtype=np.float64), starts)
    return np.array([reduce.reduce(np.asarray(values, dtype=np.float64)[goals == g]) for g in range(1, 18)])


def goal_features(target_score: np.ndarray, dense: np.ndarray, lexical: np.ndarray, keyword: np.ndarray,
                  target_goals: np.ndarray) -> np.ndarray:
    """(17, len(FEATURES)): per goal, how its best target stands out among all targets of the text."""
    def z(values: np.ndarray, best: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        spread = values.std() + 1e-6
        return (best - values.mean()) / spread, (best - best.max()) / spread

    fused = np.asarray(target_score, dtype=np.float64)
    dense = np.asarray(dense, dtype=np.float64)
    best_fused = _per_goal(fused, target_goals, np.maximum)
    best_dense = _per_goal(dense, target_goals, np.maximum)
    z_fused, fused_margin = z(fused, best_fused)
    z_dense, dense_margin = z(dense, best_dense)
    kw = _per_goal(keyword, target_goals, np.maximum)
    kw_count = _per_goal(keyword, target_goals, np.add)
    rank = np.empty(17)
    rank[np.argsort(-z_fused, kind="stable")] = np.arange(1, 18)
    return np.column_stack([z_fused, z_dense, fused_margin, dense_margin, kw, np.minimum(kw_count, 3) / 3,
                            1.0 / rank, best_dense]).astype(np.float32)

@dataclass
class GoalModel:
    coef: list[float]
    intercept: float
    mean: list[float]
    scale: list[float]
    threshold: float = 0.5
    features: tuple[str, ...] = FEATURES
    trained_on: str = ""

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        """Probability per row of `features`, which has one column per name in FEATURES."""
        columns = [FEATURES.index(f) for f in self.features]
        x = np.asarray(features, dtype=np.float64)[..., columns]
        x = (x - np.asarray(self.mean)) / np.asarray(self.scale)
        return 1.0 / (1.0 + np.exp(-(x @ np.asarray(self.coef) + self.intercept)))

    @classmethod
    def fit(cls, features: np.ndarray, labels: np.ndarray, *, use: tuple[str, ...] = FEATURES, c: float = 1.0,
            trained_on: str = "") -> "GoalModel":
        from sklearn.linear_model import LogisticRegression

        features = np.asarray(features, dtype=np.float64)[:, [FEATURES.index(f) for f in use]]
        mean, scale = features.mean(axis=0), features.std(axis=0) + 1e-9
        model = LogisticRegression(C=c, max_iter=1000).fit((features - mean) / scale, labels)
        return cls(coef=model.coef_[0].tolist(), intercept=float(model.intercept_[0]), mean=mean.tolist(),
                   scale=scale.tolist(), features=tuple(use), trained_on=trained_on)


@dataclass
class GoalDecision:
    """The model, a per-language shift of the one absolute feature, and the precedent rule.

    best_dense is the only feature whose level depends on the language (USE scores Korean lower than
    the fused model scores English); `language_offsets` adds the mean gap, measured on paired
    translations of the gold proposals, so that one model serves both languages. A goal is also
    present when it holds the top-ranked target and a precedent at least `precedent_support` alike
    lent that target: evidence from past cases that the labelled snippets could not teach the model.
    """

    model: GoalModel
    language_offsets: dict[str, float]
    precedent_support: float = 0.4

    def decide(self, features: np.ndarray, lang: str, supported_goal: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(probability, present) for the 17 goals of one text."""
        features = np.array(features, dtype=np.float64)
        features[:, FEATURES.index("best_dense")] += self.language_offsets.get(lang, 0.0)
        probability = self.model.predict_proba(features)
        present = probability >= self.model.threshold
        if supported_goal is not None:
            present[supported_goal - 1] = True
        return probability, present

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps({"model": asdict(self.model), "language_offsets": self.language_offsets,
                                          "precedent_support": self.precedent_support}, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> "GoalDecision":
        path = Path(path)
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            model = GoalModel(**{**raw["model"], "features": tuple(raw["model"]["features"])})
            decision = cls(model, {k: float(v) for k, v in raw["language_offsets"].items()},
                           float(raw["precedent_support"]))
        except FileNotFoundError:
            raise CatalogueError(str(path), "file not found; it holds the SDG goal decision model "
                                 "(`recommender evaluate --fit-goal-model` writes it)") from None
        except (json.JSONDecodeError, TypeError, KeyError, ValueError) as exc:
            raise CatalogueError(str(path), f"not a goal model ({exc}); restore it from the repository") from exc
        if model.features != FEATURES or len(model.coef) != len(FEATURES):
            raise CatalogueError(str(path), f"was fitted on features {list(model.features)}, this version "
                                 f"computes {list(FEATURES)}; refit with `recommender evaluate --fit-goal-model`")
        return decision
