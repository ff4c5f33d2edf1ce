"""`recommender evaluate`: measured quality, written to docs/evaluation.md and docs/evaluation.json."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .goal_model import (
    ABSOLUTE_FEATURES,
    FEATURES,
    FILE_NAME,
    LANGUAGE_BLIND,
    GoalClassifier,
    GoalDecisionModel,
    GoalModel,
    apply_top_goal_rule,
    fit_goal_decision,
)
from .government_eval import government_ranking
from .government_eval import report_lines as government_report_lines
from .opportunity_eval import evaluate as opportunity_evaluation
from .opportunity_eval import report_lines as opportunity_report_lines

log = logging.getLogger(__name__)


METRICS = ("accuracy", "precision", "recall", "f1")
# Every proposal gets a goal: when none passes, the goal of the top-ranked target (docs/evaluation.md).
TOP_GOAL_RULE = "when_none"


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
) -> tuple[dict, GoalModel, GoalClassifier]:
    """Cross-validated present-decisions on (text, sdg, label) rows, scored per SDG and averaged.

    Folds are grouped by text so a snippet asked about several goals never sits on both sides. Each
    fold fits the whole decision (classifier and model) on the other folds; the decision is the one
    the recommender makes: the model, or precedent support for the top target. The per-SDG table is
    for the first seed's folds; the averages are also given over every seed's folds, since one
    shuffle of 622 rows moves the average by about a point.

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
    groups = pd.factorize(dev["text"])[0]
    if korean is not None:
        if pairs is None:
            raise ValueError("Korean dev rows need the paired gold evidence for the Korean shifts")
        position = {str(i): n for n, i in enumerate(dev["id"].astype(str))}
        missing = sorted(set(korean["id"].astype(str)) - set(position))
        if missing:
            raise ValueError(f"Korean translations of ids not in the dev file: {missing[:5]}")
        ko_rows = np.array([position[str(i)] for i in korean["id"]])
        ko_features, ko_vectors, ko_top, ko_support = rec.goal_evidence(korean["text_ko"].tolist())

    def scored(seed: int) -> tuple[dict, dict, dict | None]:
        predicted = np.zeros(len(dev), dtype=int)
        predicted_without = np.zeros(len(dev), dtype=int)  # the same folds without the top-goal rule
        predicted_ko = np.zeros(len(korean), dtype=int) if korean is not None else None
        for train, test in GroupKFold(n_splits=folds, shuffle=True, random_state=seed).split(x, y, groups):
            model, classifier = fit_goal_decision(
                x[train], vectors[train], sdg[train], y[train], target_vectors, target_goals, groups=groups[train]
            )
            # every goal of each held-out text, so that the top-goal rule sees whether any passes
            full = np.concatenate([features[test], classifier.scores(vectors[test])[:, :, None]], axis=2)
            present = model.predict_proba(full) >= model.threshold
            supported = support[test] >= precedent_support
            present[np.flatnonzero(supported), top_goal[test][supported] - 1] = True
            predicted_without[test] = present[np.arange(len(test)), sdg[test] - 1]
            for j, row in enumerate(test):
                present[j] = apply_top_goal_rule(present[j], int(top_goal[row]), top_goal_rule)
            predicted[test] = present[np.arange(len(test)), sdg[test] - 1]
            if korean is not None:
                decision = GoalDecisionModel(
                    model, classifier, {"ko": language_offsets(pairs, classifier, "ko")}, top_goal_rule=top_goal_rule
                )
                for j in np.flatnonzero(np.isin(ko_rows, test)):
                    goal = sdg[ko_rows[j]]
                    supported = int(ko_top[j]) if ko_support[j] >= precedent_support else None
                    _, present = decision.decide(ko_features[j], ko_vectors[j], "ko", supported, int(ko_top[j]))
                    predicted_ko[j] = present[goal - 1]
        per_sdg = {int(g): _binary_metrics(y[sdg == g], predicted[sdg == g]) for g in sorted(np.unique(sdg))}
        average = {m: float(np.mean([v[m] for v in per_sdg.values()])) for m in METRICS}
        average["sdg11_accuracy"] = per_sdg[11]["accuracy"] if 11 in per_sdg else float("nan")
        without = {int(g): _binary_metrics(y[sdg == g], predicted_without[sdg == g]) for g in sorted(np.unique(sdg))}
        average["accuracy_without_rule"] = float(np.mean([v["accuracy"] for v in without.values()]))
        average["f1_without_rule"] = float(np.mean([v["f1"] for v in without.values()]))
        paired = None
        if korean is not None:
            paired = {
                "en": _subset_metrics(y[ko_rows], predicted[ko_rows], sdg[ko_rows]),
                "ko": _subset_metrics(y[ko_rows], predicted_ko, sdg[ko_rows]),
            }
        return per_sdg, average, paired

    runs = [scored(seed) for seed in seeds]
    per_sdg, average, _ = runs[0]
    over_seeds = {
        m: {
            "mean": float(np.mean([r[1][m] for r in runs])),
            "min": float(np.min([r[1][m] for r in runs])),
            "max": float(np.max([r[1][m] for r in runs])),
        }
        for m in average
    }
    model, classifier = fit_goal_decision(
        x,
        vectors,
        sdg,
        y,
        target_vectors,
        target_goals,
        groups=groups,
        trained_on=f"{len(dev)} labelled snippets (SDG goal benchmark, dev half)",
    )
    report = {
        "per_sdg": per_sdg,
        "average": average,
        "over_seeds": over_seeds,
        "seeds": list(seeds),
        "folds": folds,
        "rows": int(len(dev)),
        "decided_by_precedent": int(by_precedent.sum()),
        "top_goal_rule": top_goal_rule,
    }
    if korean is not None:
        report["korean_subset"] = {
            lang: {m: float(np.mean([r[2][lang][m] for r in runs])) for m in runs[0][2][lang]} for lang in ("en", "ko")
        }
    return report, model, classifier


def gold_goals(rec, gold: pd.DataFrame) -> dict:
    """Goal decisions on the gold proposals: is the goal of the first acceptable target present, and
    how many goals outside the acceptable targets' goals are marked present."""
    out = {}
    for lang, part in gold.groupby("lang"):
        results = rec.recommend_many(
            [{"text": r["text"], "partner_country": r.get("partner_country") or None} for r in part.to_dict("records")]
        )
        hit, extra, empty = [], [], 0
        for r, res in zip(part.to_dict("records"), results):
            goals = {int(t.split(".")[0]) for t in str(r["targets"]).split(";")}
            present = set(res.present_goals)
            hit.append(int(str(r["targets"]).split(".")[0]) in present)
            extra.append(len(present - goals))
            empty += not present
        out[lang] = {
            "main_goal_present": float(np.mean(hit)),
            "extra_goals_per_proposal": float(np.mean(extra)),
            "no_goal": int(empty),
            "n": int(len(part)),
        }
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
        ranks, main, extra, empty = [], [], [], 0
        for r, res in zip(rows, results):
            acceptable = {t for t in str(r["targets"]).split(";") if t}
            ranked = [t.id for t in res.sdg_targets]
            ranks.append(min([ranked.index(t) + 1 for t in acceptable if t in ranked] or [999]))
            goals = {int(g) for g in str(r["goals"]).split(";") if g}
            present = set(res.present_goals)
            main.append(int(r["main_goal"]) in present)
            extra.append(len(present - goals))
            empty += not present
        ranks = np.array(ranks)
        out.setdefault(split, {})[lang] = {
            **{f"hits@{k}": float(np.mean(ranks <= k)) for k in ks},
            "mrr": float(np.mean(1 / ranks)),
            "main_goal_present": float(np.mean(main)),
            "extra_goals_per_proposal": float(np.mean(extra)),
            "no_goal": int(empty),
            "n": int(len(rows)),
        }
    return out


def write_report(report: dict, docs_dir: Path) -> Path:
    docs_dir.mkdir(parents=True, exist_ok=True)
    (docs_dir / "evaluation.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    lines = ["# Evaluation", "", "Written by `recommender evaluate`; the same numbers are in `evaluation.json`.", ""]
    if "goal_level" in report:
        g = report["goal_level"]
        lines += [
            "## SDG goal level (dev half of the public SDG goal benchmark)",
            "",
            f"{g['rows']} rows (text, SDG, is the SDG present). Decisions as the recommender makes them (the "
            f"goal classifier and the logistic model over it and the target signals, both fitted inside each "
            f"fold; or precedent support for the top target: {g['decided_by_precedent']} rows), "
            f"{g['folds']}-fold cross-validated with folds grouped by text; scored per SDG, then averaged.",
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
        if "over_seeds" in g:
            o = g["over_seeds"]
            lines += [
                f"The same, over {len(g['seeds'])} shuffles of the folds (seeds {g['seeds']}): mean (min–max).",
                "",
                "| average accuracy | average precision | average recall | average F1 | SDG 11 accuracy |",
                "|---|---|---|---|---|",
                "| "
                + " | ".join(
                    f"{o[m]['mean']:.3f} ({o[m]['min']:.3f}–{o[m]['max']:.3f})" for m in (*METRICS, "sdg11_accuracy")
                )
                + " |",
                "",
            ]
        if "over_seeds" in g and "accuracy_without_rule" in g["over_seeds"]:
            o = g["over_seeds"]
            lines += [
                f"Decisions above include the top-goal rule (`{g.get('top_goal_rule', '')}`: when no goal passes, "
                f"the goal of the top target is marked). Without it, on the same folds: average accuracy "
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
                "against the same rows decided in English; mean over the same shuffles.",
                "",
                "| language | accuracy averaged over SDGs | accuracy, all rows | F1, all rows | rows |",
                "|---|---|---|---|---|",
            ]
            for lang in ("en", "ko"):
                m = k[lang]
                lines.append(
                    f"| {lang} | {m['accuracy']:.3f} | {m['pooled_accuracy']:.3f} | {m['pooled_f1']:.3f} "
                    f"| {m['n']:.0f} |"
                )
            lines += ["", "With 2–3 rows per SDG, F1 per SDG is not meaningful, so F1 is given over all rows."]
            lines.append("")
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
            "| language | main goal present | extra goals per proposal | proposals with no goal | n |",
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
        "the benchmark may come out a point lower.",
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
            rec, pd.read_csv(dev_path, dtype={"id": str}), korean=korean, pairs=pairs, top_goal_rule=TOP_GOAL_RULE
        )
        if fit_goal_model:
            decision = GoalDecisionModel(
                model, classifier, {"ko": language_offsets(pairs, classifier, "ko")}, top_goal_rule=TOP_GOAL_RULE
            )
            decision.save(rec.data_dir / FILE_NAME)
            rec.use_goal_decision(decision)
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
    write_report(report, docs_dir)
    return report
