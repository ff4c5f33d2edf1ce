"""`recommender evaluate`: measured quality, written to docs/evaluation.md and docs/evaluation.json."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .goal_model import (
    ABSOLUTE_FEATURES,
    FEATURES,
    FILE_NAME,
    LANGUAGE_BLIND,
    SDG11_MARGIN,
    GoalClassifier,
    GoalDecisionModel,
    GoalModel,
    WeakRows,
    fit_goal_decision,
)
from .government_eval import government_ranking
from .government_eval import report_lines as government_report_lines
from .opportunity_eval import evaluate as opportunity_evaluation
from .opportunity_eval import report_lines as opportunity_report_lines
from .place_eval import place_linking
from .place_eval import report_lines as place_report_lines

log = logging.getLogger(__name__)


METRICS = ("accuracy", "precision", "recall", "f1")
# Every proposal gets a goal: when none passes, the goal of the top-ranked target (docs/evaluation.md).
TOP_GOAL_RULE = "when_none"
# Weight of one SDG 11 vocabulary phrase beside a labelled row's 1 (docs/sdg11.md).
SDG11_VOCABULARY_WEIGHT = 0.3
SDG11_VOCABULARY_FILE = "sdg11_vocabulary.csv"


def _binary_metrics(y: np.ndarray, p: np.ndarray) -> dict:
    tp, fp = int(((p == 1) & (y == 1)).sum()), int(((p == 1) & (y == 0)).sum())
    fn, tn = int(((p == 0) & (y == 1)).sum()), int(((p == 0) & (y == 0)).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"accuracy": (tp + tn) / len(y), "precision": precision, "recall": recall, "f1": f1, "n": int(len(y))}


def _labels(values: pd.Series) -> np.ndarray:
    return values.astype(str).str.strip().str.lower().isin(["true", "1"]).to_numpy().astype(int)


def _subset_metrics(y: np.ndarray, predicted: np.ndarray, sdg: np.ndarray) -> dict:
    """Averaged over the SDGs present (the benchmark's way) and pooled over all rows."""
    per_sdg = [_binary_metrics(y[sdg == g], predicted[sdg == g]) for g in sorted(np.unique(sdg))]
    pooled = _binary_metrics(y, predicted)
    return {
        **{m: float(np.mean([v[m] for v in per_sdg])) for m in ("accuracy", "f1")},
        "pooled_accuracy": pooled["accuracy"],
        "pooled_f1": pooled["f1"],
        "n": int(len(y)),
    }


def paired_gold_evidence(rec, gold: pd.DataFrame, lang: str = "ko") -> tuple:
    """Goal evidence for the gold proposals written in both English and `lang` (paired by id):
    (signal features en, vectors en, signal features lang, vectors lang)."""
    en = gold[gold["lang"] == "en"].set_index("id")
    other = gold[gold["lang"] == lang].set_index("id")
    ids = [i for i in en.index if i in other.index]
    if not ids:
        raise ValueError(f"the gold file has no proposal in both 'en' and {lang!r}")
    f_en, v_en, _, _ = rec.goal_evidence(en.loc[ids, "text"].tolist())
    f_other, v_other, _, _ = rec.goal_evidence(other.loc[ids, "text"].tolist())
    return f_en, v_en, f_other, v_other


def language_offsets(pairs: tuple, classifier: GoalClassifier, lang: str = "ko") -> dict[str, float]:
    """Mean gap of each absolute feature between the English and the `lang` versions of the same gold
    proposals (`paired_gold_evidence`): what a `lang` text loses in level, feature by feature."""
    f_en, v_en, f_other, v_other = pairs

    def absolute(features: np.ndarray, vectors: np.ndarray) -> np.ndarray:
        full = np.concatenate([features, classifier.scores(vectors)[:, :, None]], axis=2)
        return full[:, :, [FEATURES.index(f) for f in ABSOLUTE_FEATURES]]

    gap = (absolute(f_en, v_en) - absolute(f_other, v_other)).mean(axis=(0, 1))
    return {
        name: round(float(v), 4) for name, v in zip(ABSOLUTE_FEATURES, gap) if name not in LANGUAGE_BLIND.get(lang, [])
    }


# Topics the grouped folds hold out whole: clusters of the dev rows' USE vectors (about 15 rows each).
# The dev texts come from some 600 different reports (only 55 rows share rare words with another row),
# so a "source" cannot be told apart from a text; a topic can, and a fold without the topic is what
# held-out rows on a theme the dev half barely covers look like (docs/sdg11.md).
TOPIC_CLUSTERS = 40


def topic_groups(vectors: np.ndarray, seed: int, clusters: int = TOPIC_CLUSTERS) -> np.ndarray:
    """A topic id per row: k-means clusters of the unit vectors (one clustering per seed)."""
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=min(clusters, len(vectors)), n_init=4, random_state=seed).fit_predict(vectors)


def _indicator_names(indicators: str) -> list[str]:
    """The names in a target's `|`-separated indicator list, without their codes ("11.6.1 ")."""
    return [re.sub(r"^\d+\.\w+\.\d+\s+", "", part.strip()) for part in str(indicators).split("|") if part.strip()]


def goal_weak_rows(rec, vocabulary_path: Path | None = None) -> list[WeakRows]:
    """Weakly labelled rows for the goal classifier: every indicator name of the 169 targets (labelled
    like the target texts: present for its goal, absent for the others), and, when the file is there,
    the published SDG 11 search vocabulary (`data/sdg11_vocabulary.csv`: one row per documented
    phrase, present for SDG 11 only, since a word list for cities says nothing against other goals)."""
    texts, goals = [], []
    for row in rec.catalogues.sdg_targets.to_dict("records"):
        for name in _indicator_names(row["indicators"]):
            texts.append(name)
            goals.append(int(row["goal"]))
    rows = [WeakRows(rec.goal_text_vectors(texts), np.array(goals), 1.0, True)]
    if vocabulary_path is not None and vocabulary_path.is_file():
        vocabulary = pd.read_csv(vocabulary_path, dtype=str, keep_default_na=False)
        rows.append(
            WeakRows(
                rec.goal_text_vectors(vocabulary["terms"].tolist()),
                np.full(len(vocabulary), 11),
                SDG11_VOCABULARY_WEIGHT,
                False,
            )
        )
    return rows


def _confusion(y: np.ndarray, p: np.ndarray) -> dict:
    tp, fp = int(((p == 1) & (y == 1)).sum()), int(((p == 1) & (y == 0)).sum())
    fn, tn = int(((p == 0) & (y == 1)).sum()), int(((p == 0) & (y == 0)).sum())
    accuracy = (tp + tn) / len(y) if len(y) else float("nan")
    return {"accuracy": accuracy, "tp": tp, "fp": fp, "fn": fn, "tn": tn, "n": int(len(y))}


def _spread(values: Sequence[float]) -> dict:
    values = np.asarray(values, dtype=np.float64)
    return {
        "mean": float(values.mean()),
        "std": float(values.std()),
        "min": float(values.min()),
        "max": float(values.max()),
    }


def sdg11_kind(rec, texts: Sequence[str]) -> list[str]:
    """The SDG 11 target each text comes closest to ("11.6 Environmental impact of cities…"): what
    kind of urban text a miss or a false alarm is."""
    targets = rec.catalogues.sdg_targets
    in_goal = np.flatnonzero(targets["goal"].astype(int).to_numpy() == 11)
    out = []
    for sig in rec.signals(list(texts)):
        best = in_goal[int(np.argmax(np.asarray(sig.target_score)[in_goal]))]
        out.append(f"{targets['id'].iloc[best]} {targets['title_en'].iloc[best]}")
    return out


def goal_level(
    rec,
    dev: pd.DataFrame,
    *,
    korean: pd.DataFrame | None = None,
    pairs: tuple | None = None,
    folds: int = 5,
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
    precedent_support: float = 0.4,
    top_goal_rule: str = "never",
    sdg11_margin: float | None = SDG11_MARGIN,
    weak: Sequence[WeakRows] = (),
) -> tuple[dict, GoalModel, GoalClassifier]:
    """Present-decisions on (text, sdg, label) rows, cross-validated with whole topics held out.

    Grouped-fold protocol: for each seed, the rows are clustered into TOPIC_CLUSTERS topics
    (`topic_groups`) and split into `folds` folds of whole topics; each fold fits the whole decision
    (classifier, with its inner out-of-fold scores grouped by the same topics, and the model) on the
    other folds, and decides its rows as the recommender does (`GoalDecisionModel.decide`: the model,
    precedent support for the top target, the SDG 11 rule, the top-goal rule). Every metric is given
    over the seeds (mean, spread, min–max), since one clustering of 622 rows moves the average by a
    point; the per-SDG table is the first seed's.

    korean: our Korean translations of some dev rows (id, text_ko). Each is decided by the model of
    the fold that held its English original out, as a Korean text (the Korean shifts measured with
    that fold's classifier on `pairs`, from `paired_gold_evidence`), and scored against the same
    English rows decided in English.
    """
    from sklearn.model_selection import GroupKFold

    features, vectors, top_goal, support = rec.goal_evidence(dev["text"].tolist())
    target_vectors, target_goals = rec.goal_target_vectors()
    sdg = dev["sdg"].to_numpy().astype(int)
    x = features[np.arange(len(dev)), sdg - 1]
    y = _labels(dev["label"])
    by_precedent = (top_goal == sdg) & (support >= precedent_support)
    if korean is not None:
        if pairs is None:
            raise ValueError("Korean dev rows need the paired gold evidence for the Korean shifts")
        position = {str(i): n for n, i in enumerate(dev["id"].astype(str))}
        missing = sorted(set(korean["id"].astype(str)) - set(position))
        if missing:
            raise ValueError(f"Korean translations of ids not in the dev file: {missing[:5]}")
        ko_rows = np.array([position[str(i)] for i in korean["id"]])
        ko_features, ko_vectors, ko_top, ko_support = rec.goal_evidence(korean["text_ko"].tolist())

    def supported(goal: int, strength: float) -> int | None:
        return int(goal) if strength >= precedent_support else None

    def scored(seed: int) -> dict:
        groups = topic_groups(vectors, seed)
        predicted = np.zeros(len(dev), dtype=int)
        predicted_without = np.zeros(len(dev), dtype=int)  # the same folds without the top-goal rule
        predicted_ko = np.zeros(len(korean), dtype=int) if korean is not None else None
        for train, test in GroupKFold(n_splits=folds, shuffle=True, random_state=seed).split(x, y, groups):
            model, classifier = fit_goal_decision(
                x[train],
                vectors[train],
                sdg[train],
                y[train],
                target_vectors,
                target_goals,
                groups=groups[train],
                weak=weak,
            )
            offsets = {"ko": language_offsets(pairs, classifier, "ko")} if korean is not None else {}
            decision = GoalDecisionModel(
                model, classifier, offsets, precedent_support, top_goal_rule=top_goal_rule, sdg11_margin=sdg11_margin
            )
            without = GoalDecisionModel(
                model, classifier, offsets, precedent_support, top_goal_rule="never", sdg11_margin=sdg11_margin
            )
            for row in test:
                args = (features[row], vectors[row], "en", supported(top_goal[row], support[row]), int(top_goal[row]))
                predicted[row] = decision.decide(*args)[1][sdg[row] - 1]
                predicted_without[row] = without.decide(*args)[1][sdg[row] - 1]
            if korean is not None:
                for j in np.flatnonzero(np.isin(ko_rows, test)):
                    _, present = decision.decide(
                        ko_features[j], ko_vectors[j], "ko", supported(ko_top[j], ko_support[j]), int(ko_top[j])
                    )
                    predicted_ko[j] = present[sdg[ko_rows[j]] - 1]
        per_sdg = {int(g): _binary_metrics(y[sdg == g], predicted[sdg == g]) for g in sorted(np.unique(sdg))}
        average = {m: float(np.mean([v[m] for v in per_sdg.values()])) for m in METRICS}
        without = {int(g): _binary_metrics(y[sdg == g], predicted_without[sdg == g]) for g in sorted(np.unique(sdg))}
        average["accuracy_without_rule"] = float(np.mean([v["accuracy"] for v in without.values()]))
        average["f1_without_rule"] = float(np.mean([v["f1"] for v in without.values()]))
        run = {
            "per_sdg": per_sdg,
            "average": average,
            "predicted": predicted,
            "sdg11": _confusion(y[sdg == 11], predicted[sdg == 11]),
        }
        if korean is not None:
            ko_sdg = sdg[ko_rows]
            run["korean"] = {
                "en": _subset_metrics(y[ko_rows], predicted[ko_rows], ko_sdg),
                "ko": _subset_metrics(y[ko_rows], predicted_ko, ko_sdg),
                "sdg11_en": _confusion(y[ko_rows][ko_sdg == 11], predicted[ko_rows][ko_sdg == 11]),
                "sdg11_ko": _confusion(y[ko_rows][ko_sdg == 11], predicted_ko[ko_sdg == 11]),
            }
        return run

    runs = [scored(seed) for seed in seeds]
    over_seeds = {m: _spread([r["average"][m] for r in runs]) for m in runs[0]["average"]}
    over_seeds["sdg11_accuracy"] = _spread([r["sdg11"]["accuracy"] for r in runs])
    sdg11 = {k: _spread([r["sdg11"][k] for r in runs]) for k in ("accuracy", "tp", "fp", "fn", "tn")}
    sdg11["n"] = runs[0]["sdg11"]["n"]
    # SDG 11 rows decided wrongly in any shuffle, with how often and the kind of text
    rows11 = np.flatnonzero(sdg == 11)
    wrong = np.array([[r["predicted"][i] != y[i] for i in rows11] for r in runs]).sum(axis=0)
    wrong_rows = rows11[wrong > 0]
    kinds = sdg11_kind(rec, dev["text"].iloc[wrong_rows].tolist()) if len(wrong_rows) else []
    sdg11["wrong"] = [
        {
            "id": str(dev["id"].iloc[i]),
            "error": "miss" if y[i] else "false alarm",
            "kind": kind,
            "shuffles": int(n),
            "text": str(dev["text"].iloc[i])[:90],
        }
        for i, n, kind in zip(wrong_rows, wrong[wrong > 0], kinds)
    ]
    model, classifier = fit_goal_decision(
        x,
        vectors,
        sdg,
        y,
        target_vectors,
        target_goals,
        groups=topic_groups(vectors, seeds[0]),
        weak=weak,
        trained_on=f"{len(dev)} labelled snippets (SDG goal benchmark, dev half)",
    )
    report = {
        "per_sdg": runs[0]["per_sdg"],
        "average": runs[0]["average"],
        "over_seeds": over_seeds,
        "sdg11": sdg11,
        "seeds": list(seeds),
        "folds": folds,
        "topics": TOPIC_CLUSTERS,
        "rows": int(len(dev)),
        "decided_by_precedent": int(by_precedent.sum()),
        "top_goal_rule": top_goal_rule,
        "sdg11_margin": sdg11_margin,
        "weak_rows": {
            "indicator names": int(len(weak[0].goals)) if weak else 0,
            "SDG 11 vocabulary phrases": int(len(weak[1].goals)) if len(weak) > 1 else 0,
        },
    }
    if korean is not None:
        report["korean_subset"] = {
            lang: {m: float(np.mean([r["korean"][lang][m] for r in runs])) for m in runs[0]["korean"][lang]}
            for lang in ("en", "ko")
        }
        for lang in ("en", "ko"):
            report["korean_subset"][f"sdg11_{lang}"] = {
                k: float(np.mean([r["korean"][f"sdg11_{lang}"][k] for r in runs]))
                for k in ("accuracy", "tp", "fp", "fn", "tn", "n")
            }
    return report, model, classifier


def _goal_outcome(present: set[int], goals: set[int], main: int) -> tuple[bool, int, bool, bool]:
    """(main goal marked, goals marked outside the proposal's, SDG 11 among its goals, SDG 11 marked)."""
    return main in present, len(present - goals), 11 in goals, 11 in present


def _goal_summary(outcomes: list[tuple[bool, int, bool, bool]], empty: int) -> dict:
    has = np.array([o[2] for o in outcomes])
    marked = np.array([o[3] for o in outcomes])
    return {
        "main_goal_present": float(np.mean([o[0] for o in outcomes])),
        "extra_goals_per_proposal": float(np.mean([o[1] for o in outcomes])),
        "no_goal": int(empty),
        "n": int(len(outcomes)),
        "sdg11": {
            "tp": int((has & marked).sum()),
            "fp": int((~has & marked).sum()),
            "fn": int((has & ~marked).sum()),
            "tn": int((~has & ~marked).sum()),
        },
    }


# The gold proposals written later and further from the catalogue (README, "Measured quality").
GOLD_UNSEEN_FROM = 31


def gold_goals(rec, gold: pd.DataFrame) -> dict:
    """Goal decisions on the gold proposals, per language and for G31–G60 alone (written later, further
    from the catalogue): is the goal of the first acceptable target present, how many goals outside the
    acceptable targets' goals are marked present, and SDG 11 marked against SDG 11 among those goals."""
    out = {}
    for lang, part in gold.groupby("lang"):
        rows = part.to_dict("records")
        results = rec.recommend_many(
            [{"text": r["text"], "partner_country": r.get("partner_country") or None} for r in rows]
        )
        outcomes, late, empty, empty_late = [], [], 0, 0
        for r, res in zip(rows, results):
            goals = {int(t.split(".")[0]) for t in str(r["targets"]).split(";")}
            present = set(res.present_goals)
            outcome = _goal_outcome(present, goals, int(str(r["targets"]).split(".")[0]))
            outcomes.append(outcome)
            empty += not present
            if int(str(r["id"]).lstrip("G") or 0) >= GOLD_UNSEEN_FROM:
                late.append(outcome)
                empty_late += not present
        out[lang] = _goal_summary(outcomes, empty)
        if late:
            out[f"{lang} G{GOLD_UNSEEN_FROM}+"] = _goal_summary(late, empty_late)
    return out


def gold_proposals(rec, gold: pd.DataFrame, ks=(1, 3)) -> dict:
    """Gold proposals with acceptable targets, governments and (when the file has the column)
    precedents, each `;`-separated; scored per language. A list's rank is that of its best-placed
    acceptable item."""
    lists = {"targets": ("sdg_targets", "id"), "governments": ("local_governments", "code")}
    if "precedents" in gold.columns:
        lists["precedents"] = ("precedents", "id")
    top_k = max(len(rec.catalogues.sdg_targets), len(rec.catalogues.local_governments))
    out = {}
    for lang, part in gold.groupby("lang"):
        ranks: dict[str, list[int]] = {name: [] for name in lists}
        results = rec.recommend_many(
            [{"text": r["text"], "partner_country": r.get("partner_country") or None} for r in part.to_dict("records")],
            top_k=top_k,
        )
        for r, res in zip(part.to_dict("records"), results):
            for name, (key, field) in lists.items():
                acceptable = {c for c in str(r[name]).split(";") if c}
                if not acceptable:
                    continue
                ranked = [getattr(item, field) for item in getattr(res, key)]
                ranks[name].append(min([ranked.index(c) + 1 for c in acceptable if c in ranked] or [999]))
        out[lang] = {}
        for name, values in ranks.items():
            values = np.array(values)
            out[lang][name] = {
                **{f"hits@{k}": float(np.mean(values <= k)) for k in ks},
                "mrr": float(np.mean(1 / values)),
                "n": int(len(values)),
            }
    return out


def offcatalogue(rec, frame: pd.DataFrame, ks=(1, 3, 5)) -> dict:
    """The paired off-catalogue proposals, per split and language: rank of the first acceptable
    target (hits@k, MRR), the main goal marked present, and goals marked outside the proposal's goals."""
    top_k = len(rec.catalogues.sdg_targets)
    out: dict = {}
    for (split, lang), part in frame.groupby(["split", "lang"], sort=False):
        rows = part.to_dict("records")
        results = rec.recommend_many(
            [{"text": r["text"], "partner_country": r.get("partner_country") or None} for r in rows], top_k=top_k
        )
        ranks, outcomes, empty = [], [], 0
        for r, res in zip(rows, results):
            acceptable = {t for t in str(r["targets"]).split(";") if t}
            ranked = [t.id for t in res.sdg_targets]
            ranks.append(min([ranked.index(t) + 1 for t in acceptable if t in ranked] or [999]))
            goals = {int(g) for g in str(r["goals"]).split(";") if g}
            present = set(res.present_goals)
            outcomes.append(_goal_outcome(present, goals, int(r["main_goal"])))
            empty += not present
        ranks = np.array(ranks)
        out.setdefault(split, {})[lang] = {
            **{f"hits@{k}": float(np.mean(ranks <= k)) for k in ks},
            "mrr": float(np.mean(1 / ranks)),
            **_goal_summary(outcomes, empty),
        }
    return out


def indicator_hits(rec, sets: dict[str, pd.DataFrame]) -> dict:
    """The first SDG indicator a result lists, per data set, split and language: the share of
    proposals where it belongs to an acceptable target, and where one of the listed indicators does."""
    out: dict = {}
    for name, frame in sets.items():
        split_of = frame["split"] if "split" in frame.columns else pd.Series("all", index=frame.index)
        for (split, lang), part in frame.assign(split=split_of).groupby(["split", "lang"], sort=False):
            rows = part.to_dict("records")
            results = rec.recommend_many(
                [{"text": r["text"], "partner_country": r.get("partner_country") or None} for r in rows], top_k=5
            )
            first, any_listed = [], []
            for r, res in zip(rows, results):
                acceptable = {t for t in str(r["targets"]).split(";") if t}
                listed = [i.target for i in res.indicators]
                first.append(bool(listed) and listed[0] in acceptable)
                any_listed.append(bool(acceptable & set(listed)))
            out.setdefault(name, {}).setdefault(split, {})[lang] = {
                "first_acceptable": float(np.mean(first)),
                "any_acceptable": float(np.mean(any_listed)),
                "n": len(rows),
            }
    return out


def _sdg11_section(report: dict) -> list[str]:
    """SDG 11 first: the goal the product is about, on every set that has it, with its confusion counts."""
    lines = ["## SDG 11 first", ""]
    g = report.get("goal_level")
    if g is not None:
        s = g["sdg11"]
        lines += [
            f"Dev half of the public SDG goal benchmark, {s['n']} SDG 11 rows, decided by folds that hold out "
            f"whole topics ({g['folds']} folds of {g['topics']} topic clusters, {len(g['seeds'])} shuffles; "
            'protocol under "SDG goal level"): mean, spread (sd) and min–max over the shuffles.',
            "",
            "| accuracy | true positives | false alarms | misses | true negatives |",
            "|---|---|---|---|---|",
            f"| {s['accuracy']['mean']:.3f} ± {s['accuracy']['std']:.3f} ({s['accuracy']['min']:.3f}–"
            f"{s['accuracy']['max']:.3f}) | "
            + " | ".join(f"{s[k]['mean']:.1f}" for k in ("tp", "fp", "fn", "tn"))
            + " |",
            "",
        ]
        if s["wrong"]:
            lines += [
                "Rows decided wrongly in at least one shuffle, by kind (the SDG 11 target the text comes closest to):",
                "",
                "| row | error | kind | shuffles | text |",
                "|---|---|---|---|---|",
            ]
            for w in sorted(s["wrong"], key=lambda w: (w["error"], w["kind"])):
                text = w["text"].replace("|", "/")
                lines.append(f"| {w['id']} | {w['error']} | {w['kind']} | {w['shuffles']} | {text}… |")
            lines.append("")
        if "korean_subset" in g:
            k = g["korean_subset"]
            lines += [
                "The SDG 11 rows of the Korean dev subset, decided in English and in Korean by the same folds "
                "(mean over the shuffles):",
                "",
                "| language | accuracy | true positives | false alarms | misses | true negatives | rows |",
                "|---|---|---|---|---|---|---|",
            ]
            for lang in ("en", "ko"):
                m = k[f"sdg11_{lang}"]
                lines.append(
                    f"| {lang} | {m['accuracy']:.3f} | {m['tp']:.1f} | {m['fp']:.1f} | {m['fn']:.1f} | {m['tn']:.1f} "
                    f"| {m['n']:.0f} |"
                )
            lines.append("")
    rows = []
    for split, by_lang in report.get("offcatalogue", {}).items():
        for lang, m in by_lang.items():
            rows.append((f"off-catalogue {split}", lang, m))
    for name, m in report.get("gold_goals", {}).items():
        lang, _, part = name.partition(" ")
        rows.append((f"gold {part or 'G01–G60'}", lang, m))
    if rows:
        lines += [
            "Proposals (SDG 11 among the proposal's goals, against SDG 11 marked present), with the main goal "
            "marked and the goals marked outside the proposal's goals:",
            "",
            "| set | language | SDG 11 tp | fp | fn | tn | main goal present | extra goals per proposal | n |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for name, lang, m in rows:
            c = m["sdg11"]
            lines.append(
                f"| {name} | {lang} | {c['tp']} | {c['fp']} | {c['fn']} | {c['tn']} | {m['main_goal_present']:.2f} "
                f"| {m['extra_goals_per_proposal']:.2f} | {m['n']} |"
            )
        lines += [
            "",
            "The off-catalogue holdout split and gold G31–G60 were never used to choose a setting.",
            "",
        ]
    return lines


def _goal_level_section(g: dict) -> list[str]:
    lines = [
        "## SDG goal level (dev half of the public SDG goal benchmark)",
        "",
        f"{g['rows']} rows (text, SDG, is the SDG present). Grouped-fold protocol: the rows are clustered into "
        f"{g['topics']} topics (k-means over their USE vectors, about 15 rows each) and split into {g['folds']} "
        "folds of whole topics, so a fold is decided by a model that never saw its topics; the classifier's "
        "inner out-of-fold scores are grouped the same way. Repeated for each seed (a new clustering and a new "
        "split). Decisions as the recommender makes them (the goal classifier, with "
        f"{g['weak_rows']['indicator names']} indicator names and {g['weak_rows']['SDG 11 vocabulary phrases']} "
        "SDG 11 vocabulary phrases as weakly "
        "labelled rows, and the logistic model over it and the target signals, both fitted inside each fold; "
        f"precedent support for the top target: {g['decided_by_precedent']} rows; the SDG 11 rule, margin "
        f"{g['sdg11_margin']}; the top-goal rule); scored per SDG, then averaged. Per SDG, first seed:",
        "",
        "| SDG | accuracy | precision | recall | F1 | rows |",
        "|---|---|---|---|---|---|",
    ]
    for sdg, m in g["per_sdg"].items():
        lines.append(
            f"| {sdg} | {m['accuracy']:.3f} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['n']} |"
        )
    a = g["average"]
    lines += [
        f"| **average** | **{a['accuracy']:.3f}** | **{a['precision']:.3f}** | **{a['recall']:.3f}** | "
        f"**{a['f1']:.3f}** | |",
        "",
    ]
    o = g["over_seeds"]
    lines += [
        f"Over {len(g['seeds'])} seeds ({g['seeds']}): mean ± sd (min–max).",
        "",
        "| average accuracy | average precision | average recall | average F1 | SDG 11 accuracy |",
        "|---|---|---|---|---|",
        "| "
        + " | ".join(
            f"{o[m]['mean']:.3f} ± {o[m]['std']:.3f} ({o[m]['min']:.3f}–{o[m]['max']:.3f})"
            for m in (*METRICS, "sdg11_accuracy")
        )
        + " |",
        "",
        f"Decisions above include the top-goal rule (`{g['top_goal_rule']}`: when no goal passes, the goal of "
        f"the top target is marked). Without it, on the same folds: average accuracy "
        f"{o['accuracy_without_rule']['mean']:.3f}, F1 {o['f1_without_rule']['mean']:.3f}.",
        "",
    ]
    if "korean_subset" in g:
        k = g["korean_subset"]
        lines += [
            f"### Korean: {k['ko']['n']:.0f} dev snippets in our Korean translation",
            "",
            "`eval/sdg_goal_dev_ko_subset.csv`: 2–3 snippets per SDG (at most 520 characters), translated "
            "by us. Each is decided by the model of the fold that held its English original out, and scored "
            'against the same rows decided in English; mean over the same seeds (SDG 11 alone: "SDG 11 first").',
            "",
            "| language | accuracy averaged over SDGs | accuracy, all rows | F1, all rows | rows |",
            "|---|---|---|---|---|",
        ]
        for lang in ("en", "ko"):
            m = k[lang]
            lines.append(
                f"| {lang} | {m['accuracy']:.3f} | {m['pooled_accuracy']:.3f} | {m['pooled_f1']:.3f} | {m['n']:.0f} |"
            )
        lines += ["", "With 2–3 rows per SDG, F1 per SDG is not meaningful, so F1 is given over all rows.", ""]
    return lines


def write_report(report: dict, docs_dir: Path) -> Path:
    docs_dir.mkdir(parents=True, exist_ok=True)
    (docs_dir / "evaluation.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    lines = ["# Evaluation", "", "Written by `recommender evaluate`; the same numbers are in `evaluation.json`.", ""]
    lines += _sdg11_section(report)
    if "goal_level" in report:
        lines += _goal_level_section(report["goal_level"])
    if "offcatalogue" in report:
        lines += [
            "## Paired off-catalogue proposals",
            "",
            "`eval/offcatalogue_proposals.csv`: proposals on topics the precedent catalogue does not cover, "
            "each written in Korean and in English with the same content, before looking at the system's "
            "output. Settings were chosen on the dev split only; the holdout split was scored once at the end. "
            "Target columns: rank of the first acceptable target. Goals: the proposal's main goal marked "
            "present, and goals marked outside the proposal's goals.",
            "",
            "| split | language | top 1 | top 3 | top 5 | MRR | main goal present | extra goals per proposal "
            "| no goal | n |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for split in ("dev", "holdout"):
            for lang in ("en", "ko"):
                m = report["offcatalogue"].get(split, {}).get(lang)
                if m is None:
                    continue
                lines.append(
                    f"| {split} | {lang} | {m['hits@1']:.2f} | {m['hits@3']:.2f} | {m['hits@5']:.2f} | "
                    f"{m['mrr']:.3f} | {m['main_goal_present']:.2f} | {m['extra_goals_per_proposal']:.2f} | "
                    f"{m['no_goal']} | {m['n']} |"
                )
        lines.append("")
    if "places" in report:
        lines += place_report_lines(report["places"])
    if "governments" in report:
        lines += government_report_lines(report["governments"])
    if "opportunities" in report:
        lines += opportunity_report_lines(report["opportunities"])
    if "gold_goals" in report:
        lines += [
            "## Goal decisions on the gold proposals",
            "",
            "Is the goal of the first acceptable target marked present, and how many goals outside the "
            "acceptable targets' goals are marked too.",
            "",
            "| proposals | main goal present | extra goals per proposal | proposals with no goal | n |",
            "|---|---|---|---|---|",
        ]
        for lang, m in report["gold_goals"].items():
            lines.append(
                f"| {lang} | {m['main_goal_present']:.2f} | {m['extra_goals_per_proposal']:.2f} | "
                f"{m['no_goal']} | {m['n']} |"
            )
        lines.append("")
    if "gold" in report:
        lines += [
            "## Gold proposals",
            "",
            "| language | list | hits@1 | hits@3 | MRR | proposals |",
            "|---|---|---|---|---|---|",
        ]
        for lang, parts in report["gold"].items():
            for name, m in parts.items():
                lines.append(f"| {lang} | {name} | {m['hits@1']:.3f} | {m['hits@3']:.3f} | {m['mrr']:.3f} | {m['n']} |")
        lines.append("")
    if "indicators" in report:
        lines += [
            "## SDG indicators",
            "",
            "The first indicator a result lists (`indicators`, 3–5, most relevant first: drawn from the 5 best "
            "targets, each scored by its target's score plus 0.02 per word it shares with the proposal, up to 3; "
            "chosen on the gold proposals and the off-catalogue dev split): share of proposals where it belongs "
            "to an acceptable target, and where any listed indicator does. Aimed at: 0.85 for the first.",
            "",
            "| data | split | language | first indicator acceptable | any listed acceptable | n |",
            "|---|---|---|---|---|---|",
        ]
        for name, splits in report["indicators"].items():
            for split, langs in splits.items():
                for lang, m in langs.items():
                    lines.append(
                        f"| {name} | {split} | {lang} | {m['first_acceptable']:.2f} | {m['any_acceptable']:.2f} "
                        f"| {m['n']} |"
                    )
        lines.append("")
    lines += [
        "## How the goal decision got here",
        "",
        "Average accuracy over the 17 SDGs on the dev snippets, mean of 5 shuffles of 5 grouped folds, "
        "without the precedent rule (measured while building; the table above is the shipped decision):",
        "",
        "| goal decision | accuracy |",
        "|---|---|",
        "| logistic model over 8 target-signal features (the first version) | 0.852 |",
        "| + lexical features and the goal's mean dense similarity | 0.864 |",
        "| + the goal classifier over the USE vector, learning from labelled rows and target texts | 0.884 |",
        "",
        "The design was chosen on these same folds among about 20 variants, so the held-out half of "
        "the benchmark may come out a point lower. It did overall (0.885), but SDG 11 fell to 0.74 on the held-out "
        "half (9 urban texts missed, no false alarm) against 0.935 on these folds.",
        "",
        "Issue 27 (SDG 11 first; `docs/sdg11.md`): the folds now hold out whole topics, and the first three "
        "shuffles of them give, with the top-goal rule (average accuracy / SDG 11 accuracy, false alarms and "
        "misses of 34 SDG 11 rows):",
        "",
        "| goal decision | average accuracy | SDG 11 |",
        "|---|---|---|",
        "| the decision above (folds grouped by text: 0.871 / 0.935) | 0.863 | 0.922, 1.7 / 1.0 |",
        "| + 251 indicator names as weakly labelled rows | 0.874 | 0.922, 1.7 / 1.0 |",
        "| + the SDG 11 rule (one of the two leading goals, 1.0 clear of the third) | 0.875 | 0.941, 2.0 / 0 |",
        "| + 20 SDG 11 vocabulary phrases (Bergen search strings) at weight 0.3 (shipped) | 0.874 | 0.931, 2.3 / 0 |",
        "",
        "The vocabulary is within noise on these folds (the dev half has 9 SDG 11 positives, none of the kinds "
        "the held-out half missed); it was kept for recall on those kinds (slums, road safety, landfills, piped "
        "water in towns, disaster risk in cities; `docs/sdg11.md`).",
        "",
    ]
    lines += [
        "## How Korean proposals got here",
        "",
        "Rank of the first acceptable target on the dev split of the off-catalogue set (50 proposals per "
        "language), target signals only (`python eval/sweep_korean.py`), each step on top of the one before:",
        "",
        "| step | Korean top 1 / top 3 / MRR | English top 1 / top 3 / MRR |",
        "|---|---|---|",
        "| before (USE alone reads Korean; no keyword evidence for Korean) | 0.26 / 0.54 / 0.448 "
        "| 0.54 / 0.62 / 0.632 |",
        "| + English gloss (kiwipiepy morphemes, lexicon, longest match) read by the keyword queries, "
        "weight 0.1 | 0.36 / 0.62 / 0.521 | – |",
        "| + MiniLM reads the gloss, fused with USE's reading of the Korean (gloss weight 0.7) | 0.62 / 0.80 / 0.730 "
        "| – |",
        "| + English character n-grams at 0.1, precedent lending rescaled above a floor (English 0.3, Korean "
        "0.2), hubness correction 0.5 (CSLS-style, 5 nearest precedents) | 0.70 / 0.90 / 0.811 "
        "| 0.66 / 0.86 / 0.775 |",
        "",
        "The gold proposals (written near the catalogue) moved with it: English top 1 / top 3 / MRR 0.95 / 0.98 / "
        "0.970 before, 0.93 / 1.00 / 0.967 after; Korean 0.83 / 0.92 / 0.886 before, 0.87 / 1.00 / 0.931 after.",
        "",
    ]
    lines += [
        "## Tried and not kept",
        "",
        "- Gloss weight for Korean queries 0.3 / 0.5 (Korean dev MRR 0.650 / 0.679 against 0.730 at 0.7, with "
        "keyword 0.15 and lexical 0.1); the keyword queries reading only the preferred English of each term "
        "instead of every rendering: MRR 0.707 against 0.730.",
        "- Hubness correction 0.75 and 1.0, and 10 or 30 reference neighbours instead of 5: English dev MRR "
        "0.647–0.703 against 0.685 at 0.5 (before the lending floor); with the floor, 0.75 lowers both languages "
        "(English 0.758 against 0.809, Korean 0.785 against 0.815).",
        "- Precedent weight 0.1 instead of 0.25: off-catalogue dev MRR English 0.779, Korean 0.838 (better), but "
        "gold proposals English 0.950 and Korean 0.852 against 0.971 and 0.956 (the gold set leans on precedents). "
        "A lending floor of 0.45 or 0.6: gold proposals fall to 0.80–0.90 (English) and 0.70–0.80 (Korean). "
        "Korean floor 0.1 / 0.3: Korean dev top 3 0.84 / 0.94, gold Korean MRR 0.956 / 0.870 (0.2 kept: 0.90, "
        "0.931).",
        "- Not tried for lack of time: morpheme-based lexical matching for Korean (the character n-grams stay), "
        "a learned cross-lingual mapping, hubness correction of the precedent list.",
        "- For SDG 11 (topic-grouped folds, 3 shuffles): the SDG 11 vocabulary at weight 1.0 (SDG 11 0.922, 2.7 "
        "false alarms; on proposals 5–9 more SDG 11 false alarms) or 0.1 (as without it, and the road-safety and "
        "Korean landfill tests missed); the precedents' descriptions as SDG 11 rows (both languages, weight 0.5: "
        "0.882, 3.0 false alarms); all their SDG hints as rows (average 0.860 against 0.863); no weak negatives "
        "for SDG 11 from other goals' rows (0.894, 3.0 false alarms); a lower SDG 11 threshold (0.4: 0.894–0.900, "
        "0.3: 0.871–0.882); marking the top goal when it leads by a margin, or a near-tied second goal (average "
        "0.851–0.864, SDG 11 0.853–0.918).",
        "- Goal classifier over MiniLM and USE vectors together: 0.888 against 0.884 for USE alone on the same "
        "folds, but MiniLM cannot read Korean, and one classifier for both languages was worth more.",
        "- Goal classifier also learning from the precedent descriptions and their SDG hints (both languages): "
        "0.877–0.878. From our Korean target texts besides the English ones: 0.880 against 0.885, SDG 11 0.900 "
        "against 0.918, and no gain on Korean gold proposals.",
        "- A second classifier over the text's 169 target similarities: 0.860 alone, 0.881 beside the USE one.",
        "- Per-goal intercepts in the logistic model: 0.847–0.851; gradient boosting or a random forest over the "
        "same features: 0.853–0.856.",
        "- Marking the most probable goal present when none passes: 0.869 (0.875 when its probability is above "
        "0.3) against 0.885. The app names the closest goal instead.",
        "- Korean target texts as vectors in the index: Korean gold target hits@3 0.917 → 0.900 (same-language "
        "legal wording outscored meaning); the mean of the English and Korean target vectors for Korean "
        "queries: also 0.900.",
        "- A bonus for SDG 11 targets (0.02–0.08 on the target score), to put SDG 11 first: gold target MRR "
        "English 0.970 → 0.944–0.956, Korean 0.886 → 0.811–0.888; SDG 11 is marked instead.",
        "- Goal probability as a prior on target scores: English gold target MRR 0.953 → 0.967 at weight 0.1, "
        "Korean 0.886 → 0.869; it would widen the gap between the languages.",
        "- Discounting a precedent's later SDG hints when it lends targets (decay 0.8/0.6/0.4): gold target "
        "MRR English 0.967 → 0.983, Korean 0.956 → 0.906 (first 30 gold proposals), probe unchanged.",
        "- Nearest labelled snippets as goal features: up to 0.868 against 0.855 for the first model, and it "
        "would ship the benchmark text.",
        "- A separate scale-free goal model for Korean: dev accuracy 0.808 and 0.73 extra goals per Korean "
        "gold proposal.",
        "- For Korean texts, a logit shift that makes the mean probability over the paired gold proposals equal "
        "in both languages (+0.50): Korean dev snippets 0.783 → 0.766 accuracy over all rows, cross-validated. "
        "Matching each feature's mean and spread instead of shifting its mean: one row of 47 better, within "
        "noise. Features from USE alone for English too (one feature space for both languages): English dev "
        "accuracy 0.883 → 0.868.",
        "",
    ]
    path = docs_dir / "evaluation.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def evaluate(
    rec,
    *,
    dev_path: Path | None,
    gold_path: Path | None,
    docs_dir: Path,
    fit_goal_model: bool,
    korean_dev_path: Path | None = None,
    unseen_path: Path | None = None,
    later_path: Path | None = None,
    fit_government_model: bool = False,
    offcatalogue_path: Path | None = None,
) -> dict:
    report: dict = {"embedder": rec.embedder.id}
    gold = pd.read_csv(gold_path, dtype=str, keep_default_na=False) if gold_path and gold_path.is_file() else None
    if fit_goal_model and (dev_path is None or not dev_path.is_file() or gold is None):
        raise FileNotFoundError(
            f"--fit-goal-model needs the labelled dev file ({dev_path}) and the gold "
            f"proposals ({gold_path}) for the Korean offset"
        )
    if dev_path is not None and dev_path.is_file():
        pairs = paired_gold_evidence(rec, gold) if gold is not None else None
        korean = None
        if korean_dev_path is not None and korean_dev_path.is_file() and pairs is not None:
            korean = pd.read_csv(korean_dev_path, dtype={"id": str}, keep_default_na=False)
        report["goal_level"], model, classifier = goal_level(
            rec,
            pd.read_csv(dev_path, dtype={"id": str}),
            korean=korean,
            pairs=pairs,
            top_goal_rule=TOP_GOAL_RULE,
            weak=goal_weak_rows(rec, rec.data_dir / SDG11_VOCABULARY_FILE),
        )
        if fit_goal_model:
            decision = GoalDecisionModel(
                model,
                classifier,
                {"ko": language_offsets(pairs, classifier, "ko")},
                top_goal_rule=TOP_GOAL_RULE,
                sdg11_margin=SDG11_MARGIN,
            )
            decision.save(rec.data_dir / FILE_NAME)
            rec.use_goal_decision(decision)
    if later_path is not None and later_path.is_file():
        report["places"] = place_linking(rec, later_path)
    report["governments"], government_model = government_ranking(rec, unseen_path=unseen_path, later_path=later_path)
    if fit_government_model:
        from .governments import FILE_NAME as GOVERNMENT_FILE

        government_model.save(rec.data_dir / GOVERNMENT_FILE)
        rec.use_government_model(government_model)
    report["opportunities"] = opportunity_evaluation(rec, later_path=later_path)
    if offcatalogue_path is not None and offcatalogue_path.is_file():
        report["offcatalogue"] = offcatalogue(rec, pd.read_csv(offcatalogue_path, dtype=str, keep_default_na=False))
    if gold is not None:
        report["gold"] = gold_proposals(rec, gold)
        report["gold_goals"] = gold_goals(rec, gold)
    indicator_sets = {"gold": gold} if gold is not None else {}
    if offcatalogue_path is not None and offcatalogue_path.is_file():
        indicator_sets["off-catalogue"] = pd.read_csv(offcatalogue_path, dtype=str, keep_default_na=False)
    if indicator_sets:
        report["indicators"] = indicator_hits(rec, indicator_sets)
    write_report(report, docs_dir)
    return report
