"""Whether a text serves an SDG: a logistic model over goal-agnostic features of the target signals.

The features describe how strongly a goal's targets match compared with the other goals, so one
set of coefficients serves all 17 goals. The coefficients are fitted by `recommender evaluate
--fit-goal-model` on labelled snippets and stored as JSON in data/goal_model.json (never pickled).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from .errors import CatalogueError

FILE_NAME = "goal_model.json"
# Scale-free on purpose: absolute cosines differ between languages, models and text lengths (a short
# Korean proposal scores lower everywhere than a long English paragraph), so each goal is described
# mostly by how far its best target stands out from the text's own 169 target scores.
SIGNAL_FEATURES = (
    "z_fused",
    "z_dense",
    "fused_margin",
    "dense_margin",
    "keyword",
    "keyword_targets",
    "inverse_rank",
    "best_dense",
    "z_lexical",
    "lexical_margin",
    "best_lexical",
    "mean_dense",
)
# The goal classifier's score for the goal, added by GoalDecisionModel (it needs the text's vector).
FEATURES = SIGNAL_FEATURES + ("classifier",)
# Features whose level moves with the language of the text; GoalDecisionModel shifts them per language.
ABSOLUTE_FEATURES = ("best_dense", "best_lexical", "mean_dense", "classifier")
# The embedder part whose vectors the goal classifier reads: multilingual, so one classifier serves
# Korean and English texts alike.
CLASSIFIER_PART = "use-m3"
# Signals that cannot read a language: the Aurora queries are English, so for a Korean text they
# say "absent" everywhere. They are left out of a Korean text's decision rather than read as
# evidence. (The character n-grams read our Korean target texts; blinding them too gave 0.70 main
# goal present but 0.22 extra goals per Korean gold proposal, against 0.68 and 0.12.)
LANGUAGE_BLIND = {"ko": ["keyword", "keyword_targets"]}
# When the goal of the top-ranked target is marked present: "never", "when_none" (when no goal
# passes, so that every proposal gets one) or "always" (docs/evaluation.md, off-catalogue proposals).
TOP_GOAL_RULES = ("never", "when_none", "always")
# SDG 11 is spatial: a landfill, a road-safety plan or piped water in a town serves it beside the goal
# of its subject (12, 3, 6), so its best target is often second. The target-aware rule marks SDG 11 when
# its best target puts it among the two leading goals and it stands this far (in units of the text's
# own spread of target scores) above the third goal (docs/sdg11.md).
SDG11_MARGIN = 1.0


def sdg11_leads(signal_features: np.ndarray, margin: float | None) -> bool:
    """True when SDG 11 is one of the two goals whose best target leads, `margin` clear of the third."""
    if margin is None:
        return False
    z = np.asarray(signal_features, dtype=np.float64)[:, SIGNAL_FEATURES.index("z_fused")]
    third = np.sort(z)[-3]
    return bool(np.sum(z > z[10]) <= 1 and z[10] - third >= margin)


@dataclass(frozen=True)
class WeakRows:
    """Texts that are not labelled snippets but say what a goal is about (indicator names, a published
    search vocabulary): positive for their goal, and, when `negative_elsewhere`, negative for the
    others, as the target texts are. `weight` is their weight beside a labelled row's 1."""

    vectors: np.ndarray
    goals: np.ndarray
    weight: float = 1.0
    negative_elsewhere: bool = True


def per_goal(values: np.ndarray, target_goals: np.ndarray, reduce) -> np.ndarray:
    """reduce (np.maximum or np.add) over each goal's targets; fast when targets are grouped by goal."""
    goals = np.asarray(target_goals)
    if np.all(np.diff(goals) >= 0) and np.array_equal(np.unique(goals), np.arange(1, 18)):
        starts = np.searchsorted(goals, np.arange(1, 18))
        return reduce.reduceat(np.asarray(values, dtype=np.float64), starts)
    return np.array([reduce.reduce(np.asarray(values, dtype=np.float64)[goals == g]) for g in range(1, 18)])


def goal_features(
    target_score: np.ndarray, dense: np.ndarray, lexical: np.ndarray, keyword: np.ndarray, target_goals: np.ndarray
) -> np.ndarray:
    """(17, len(SIGNAL_FEATURES)): per goal, how its best target stands out among all targets of the text."""

    def z(values: np.ndarray, best: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        spread = values.std() + 1e-6
        return (best - values.mean()) / spread, (best - best.max()) / spread

    fused = np.asarray(target_score, dtype=np.float64)
    dense = np.asarray(dense, dtype=np.float64)
    lexical = np.asarray(lexical, dtype=np.float64)
    best_fused = per_goal(fused, target_goals, np.maximum)
    best_dense = per_goal(dense, target_goals, np.maximum)
    best_lexical = per_goal(lexical, target_goals, np.maximum)
    z_fused, fused_margin = z(fused, best_fused)
    z_dense, dense_margin = z(dense, best_dense)
    z_lexical, lexical_margin = z(lexical, best_lexical)
    # how broadly the text speaks to the goal, beside how well it meets its best target
    counts = per_goal(np.ones_like(dense), target_goals, np.add)
    mean_dense = per_goal(dense, target_goals, np.add) / counts
    kw = per_goal(keyword, target_goals, np.maximum)
    kw_count = per_goal(keyword, target_goals, np.add)
    rank = np.empty(17)
    rank[np.argsort(-z_fused, kind="stable")] = np.arange(1, 18)
    return np.column_stack(
        [
            z_fused,
            z_dense,
            fused_margin,
            dense_margin,
            kw,
            np.minimum(kw_count, 3) / 3,
            1.0 / rank,
            best_dense,
            z_lexical,
            lexical_margin,
            best_lexical,
            mean_dense,
        ]
    ).astype(np.float32)


@dataclass
class GoalClassifier:
    """One linear model per goal over a text's multilingual sentence vector.

    The target signals say how close a text comes to the wording of the SDG targets; this says how
    close it comes to texts that experts did (or did not) judge to serve the goal. Each goal's model
    learns from the labelled rows of that goal, from rows labelled present for another goal (as weak
    negatives: a text about one goal is seldom about a second), and from the 169 target texts. Only
    coefficients are kept, never the labelled texts.
    """

    coef: list[list[float]]
    intercept: list[float]
    part: str = CLASSIFIER_PART

    def scores(self, vectors: np.ndarray) -> np.ndarray:
        """(n, 17) decision values for unit vectors (n, dim); a classifier fitted on vectors of another
        width is refused with the refit command."""
        vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float64))
        width = len(self.coef[0]) if self.coef else 0
        if vectors.shape[1] != width:
            raise CatalogueError(
                FILE_NAME,
                f"the goal classifier reads vectors of {width} numbers but the {self.part} encoder gives "
                f"{vectors.shape[1]}; refit with `recommender evaluate --fit-goal-model`",
            )
        return np.atleast_2d(np.asarray(vectors, dtype=np.float64)) @ np.asarray(self.coef).T + np.asarray(
            self.intercept
        )

    @classmethod
    def fit(
        cls,
        vectors: np.ndarray,
        goals: np.ndarray,
        labels: np.ndarray,
        target_vectors: np.ndarray,
        target_goals: np.ndarray,
        *,
        other_goal_weight: float = 0.3,
        target_weight: float = 1.0,
        c: float = 1.0,
        weak: Sequence[WeakRows] = (),
    ) -> GoalClassifier:
        from sklearn.linear_model import LogisticRegression

        vectors, goals, labels = np.asarray(vectors), np.asarray(goals), np.asarray(labels)
        coef, intercept = [], []
        for g in range(1, 18):
            own = goals == g
            other = (goals != g) & (labels == 1)
            xs = [vectors[own], vectors[other], target_vectors]
            ys = [labels[own], np.zeros(other.sum()), (np.asarray(target_goals) == g).astype(int)]
            ws = [
                np.ones(own.sum()),
                np.full(other.sum(), other_goal_weight),
                np.full(len(target_vectors), target_weight),
            ]
            for rows in weak:
                use = (rows.goals == g) | rows.negative_elsewhere
                xs.append(rows.vectors[use])
                ys.append((rows.goals[use] == g).astype(int))
                ws.append(np.full(int(use.sum()), rows.weight))
            x, y, w = np.vstack(xs), np.concatenate(ys), np.concatenate(ws)
            model = LogisticRegression(C=c, max_iter=3000).fit(x, y, sample_weight=w)
            coef.append([round(float(v), 6) for v in model.coef_[0]])
            intercept.append(round(float(model.intercept_[0]), 6))
        return cls(coef, intercept)


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
    def fit(
        cls,
        features: np.ndarray,
        labels: np.ndarray,
        *,
        use: tuple[str, ...] = FEATURES,
        c: float = 1.0,
        trained_on: str = "",
    ) -> GoalModel:
        from sklearn.linear_model import LogisticRegression

        features = np.asarray(features, dtype=np.float64)[:, [FEATURES.index(f) for f in use]]
        mean, scale = features.mean(axis=0), features.std(axis=0) + 1e-9
        model = LogisticRegression(C=c, max_iter=1000).fit((features - mean) / scale, labels)
        return cls(
            coef=model.coef_[0].tolist(),
            intercept=float(model.intercept_[0]),
            mean=mean.tolist(),
            scale=scale.tolist(),
            features=tuple(use),
            trained_on=trained_on,
        )


@dataclass
class GoalDecisionModel:
    """The goal classifier, the model over all features, per-language shifts, and the precedent rule.

    Absolute features (ABSOLUTE_FEATURES) sit lower for Korean texts than for English ones (USE scores
    Korean lower than the fused model scores English, and few catalogue texts are in Korean);
    `language_offsets[lang][feature]` adds the mean gap, measured on paired translations of the gold
    proposals, so that one model serves both languages. A goal is also present when it holds the
    top-ranked target and a precedent at least `precedent_support` alike lent that target: evidence
    from past cases that the labelled snippets could not teach the model. SDG 11 is also present when
    its best target leads with one other goal's, `sdg11_margin` clear of the rest (`sdg11_leads`).
    """

    model: GoalModel
    classifier: GoalClassifier
    language_offsets: dict[str, dict[str, float]]
    precedent_support: float = 0.4
    language_blind: dict[str, list[str]] = field(default_factory=lambda: dict(LANGUAGE_BLIND))
    top_goal_rule: str = "when_none"
    sdg11_margin: float | None = None

    def features(self, signal_features: np.ndarray, vector: np.ndarray, lang: str) -> np.ndarray:
        """(17, len(FEATURES)) for one text: its signal features, the classifier's scores, the shifts,
        and the features blind to the language set to the model's mean (so they weigh nothing)."""
        scores = self.classifier.scores(vector)[0]
        features = np.column_stack([np.asarray(signal_features, dtype=np.float64), scores])
        for name, shift in self.language_offsets.get(lang, {}).items():
            features[:, FEATURES.index(name)] += shift
        for name in self.language_blind.get(lang, []):
            features[:, FEATURES.index(name)] = self.model.mean[self.model.features.index(name)]
        return features

    def decide(
        self,
        signal_features: np.ndarray,
        vector: np.ndarray,
        lang: str,
        supported_goal: int | None = None,
        top_goal: int | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """(probability, present) for the 17 goals of one text. supported_goal: the top target's goal
        when a close precedent lent that target; top_goal: the top target's goal (`top_goal_rule`)."""
        probability = self.model.predict_proba(self.features(signal_features, vector, lang))
        present = probability >= self.model.threshold
        if supported_goal is not None:
            present[supported_goal - 1] = True
        if sdg11_leads(signal_features, self.sdg11_margin):
            present[10] = True
        present = apply_top_goal_rule(present, top_goal, self.top_goal_rule)
        return probability, present

    def describe(self) -> dict:
        """What `recommender info` shows of the goal decision."""
        return {
            "trained_on": self.model.trained_on,
            "features": list(self.model.features),
            "classifier_reads": self.classifier.part,
            "language_offsets": self.language_offsets,
            "language_blind": self.language_blind,
            "precedent_support": self.precedent_support,
            "top_goal_rule": self.top_goal_rule,
            "sdg11_margin": self.sdg11_margin,
        }

    def save(self, path: str | Path) -> None:
        body = {
            "model": asdict(self.model),
            "language_offsets": self.language_offsets,
            "language_blind": self.language_blind,
            "precedent_support": self.precedent_support,
            "top_goal_rule": self.top_goal_rule,
            "sdg11_margin": self.sdg11_margin,
            "classifier": {"part": self.classifier.part, "intercept": self.classifier.intercept, "coef": "@COEF@"},
        }
        # one line per goal: 17 rows of 512 numbers stay readable in a diff
        rows = ",\n".join("      " + json.dumps(row) for row in self.classifier.coef)
        Path(path).write_text(
            json.dumps(body, indent=2).replace('"@COEF@"', "[\n" + rows + "\n    ]") + "\n", encoding="utf-8"
        )

    @classmethod
    def load(cls, path: str | Path) -> GoalDecisionModel:
        path = Path(path)
        refit = "refit with `recommender evaluate --fit-goal-model`"
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            model = GoalModel(**{**raw["model"], "features": tuple(raw["model"]["features"])})
            classifier = GoalClassifier(**raw["classifier"])
            offsets = {
                lang: {name: float(v) for name, v in shifts.items()} for lang, shifts in raw["language_offsets"].items()
            }
            blind = {lang: [str(n) for n in names] for lang, names in raw["language_blind"].items()}
            rule = str(raw.get("top_goal_rule", "never"))
            if rule not in TOP_GOAL_RULES:
                raise ValueError(f"top_goal_rule must be one of {list(TOP_GOAL_RULES)}; received {rule!r}")
            margin = raw.get("sdg11_margin")
            margin = None if margin is None else float(margin)
            decision = cls(model, classifier, offsets, float(raw["precedent_support"]), blind, rule, margin)
        except FileNotFoundError:
            raise CatalogueError(
                str(path),
                "file not found; it holds the SDG goal decision model "
                "(`recommender evaluate --fit-goal-model` writes it)",
            ) from None
        except (json.JSONDecodeError, TypeError, KeyError, ValueError, AttributeError) as exc:
            raise CatalogueError(
                str(path), f"not a goal model of this version ({exc}); restore it from the repository or {refit}"
            ) from exc
        if model.features != FEATURES or len(model.coef) != len(FEATURES):
            raise CatalogueError(
                str(path),
                f"was fitted on features {list(model.features)}, this version computes {list(FEATURES)}; {refit}",
            )
        numbers = [*model.coef, model.intercept, *model.mean, *model.scale, model.threshold]
        numbers += [v for row in classifier.coef for v in row] + list(classifier.intercept)
        numbers += [v for shifts in offsets.values() for v in shifts.values()] + [decision.precedent_support]
        numbers += [] if margin is None else [margin]
        if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in numbers):
            raise CatalogueError(str(path), f"holds numbers that are not finite (NaN or infinity); {refit}")
        widths = {len(row) for row in classifier.coef}
        if len(classifier.coef) != 17 or len(classifier.intercept) != 17 or len(widths) != 1:
            raise CatalogueError(str(path), f"the goal classifier must have 17 rows of equal length; {refit}")
        unknown = {n for shifts in offsets.values() for n in shifts} - set(ABSOLUTE_FEATURES)
        if unknown:
            raise CatalogueError(
                str(path), f"language offsets for {sorted(unknown)}, expected only {list(ABSOLUTE_FEATURES)}; {refit}"
            )
        unknown = {n for names in blind.values() for n in names} - set(FEATURES)
        if unknown:
            raise CatalogueError(
                str(path), f"language-blind features {sorted(unknown)} are not features of this version; {refit}"
            )
        return decision


def apply_top_goal_rule(present: np.ndarray, top_goal: int | None, rule: str) -> np.ndarray:
    """present (..., 17) with the top target's goal marked as `rule` says (TOP_GOAL_RULES)."""
    present = np.array(present, dtype=bool)
    if top_goal is None or rule == "never":
        return present
    if rule == "always" or not present.any():
        present[..., top_goal - 1] = True
    return present


def fit_goal_decision(
    signal_rows: np.ndarray,
    vectors: np.ndarray,
    goals: np.ndarray,
    labels: np.ndarray,
    target_vectors: np.ndarray,
    target_goals: np.ndarray,
    *,
    groups: np.ndarray | None = None,
    inner_folds: int = 5,
    weak: Sequence[WeakRows] = (),
    trained_on: str = "",
) -> tuple[GoalModel, GoalClassifier]:
    """Fit the classifier and the model over all features on labelled rows (one text and one goal each).

    signal_rows: (n, len(SIGNAL_FEATURES)), the features of each row's own goal. The model learns
    from classifier scores for texts the classifier did not see (out of fold), as they will be at use
    time; the classifier kept is then fitted on every row. groups: rows of one group (one topic:
    `evaluation.topic_groups`) are never on both sides of an inner fold. weak: weakly labelled rows
    for the classifier (`WeakRows`), in every fit.
    """
    from sklearn.model_selection import GroupKFold

    vectors, goals, labels = np.asarray(vectors), np.asarray(goals), np.asarray(labels)
    unseen = np.zeros(len(labels))
    groups = np.arange(len(labels)) if groups is None else np.asarray(groups)
    for train, held in GroupKFold(n_splits=inner_folds).split(vectors, groups=groups):
        fold = GoalClassifier.fit(vectors[train], goals[train], labels[train], target_vectors, target_goals, weak=weak)
        unseen[held] = fold.scores(vectors[held])[np.arange(len(held)), goals[held] - 1]
    # C=0.3: a little firmer than the default, measured best of (0.3, 1) on the dev folds
    model = GoalModel.fit(np.column_stack([signal_rows, unseen]), labels, c=0.3, trained_on=trained_on)
    classifier = GoalClassifier.fit(vectors, goals, labels, target_vectors, target_goals, weak=weak)
    return model, classifier
