"""Measure the embedders on the bilingual probe set and the SDG dev snippets; write docs/embedder_choice.md.

    python eval/choose_embedder.py [--dev ../shared/eval-dev/sdg_goal_benchmark_dev.csv]

Dense retrieval only (no lexical, keyword or precedent signal), so the numbers compare the models.
Fused scores are computed from the two models' vectors exactly as FusedEmbedder does: MiniLM reads
English only, so a Korean query or passage gets USE alone.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from recommender.catalogue import index_passages as _documents
from recommender.catalogue import load_catalogues
from recommender.embedders import SentenceTransformerEmbedder, USEEmbedder, detect_language

ROOT = Path(__file__).resolve().parents[1]
WEIGHTS = [0.0, 0.25, 0.5, 0.75, 1.0]  # MiniLM share for English queries; 0 = USE only, 1 = MiniLM only


def fused_scores(q_mini, q_use, q_lang, d_mini, d_use, d_lang, w_mini):
    """(n_queries, n_rows) scores for a MiniLM weight, with the engine's language masks."""
    d_mask = (np.asarray(d_lang) == "en").astype(np.float32)
    cos_mini = (q_mini @ d_mini.T) * d_mask[None, :]
    cos_use = q_use @ d_use.T
    w = np.where(np.asarray(q_lang) == "en", w_mini, 0.0)[:, None]
    if w_mini == 1.0:
        # MiniLM alone: it is all the model has, Korean included (this is what "minilm" alone would do)
        return q_mini @ d_mini.T
    return w * cos_mini + (1 - w) * cos_use


def per_item(scores, row_items, n_items):
    out = np.full((scores.shape[0], n_items), -9.0, dtype=np.float32)
    for j, item in enumerate(row_items):
        out[:, item] = np.maximum(out[:, item], scores[:, j])
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dev", type=Path, default=ROOT.parent / "shared/eval-dev/sdg_goal_benchmark_dev.csv")
    parser.add_argument("--out", type=Path, default=ROOT / "docs/embedder_choice.md")
    args = parser.parse_args()
    cat = load_catalogues(ROOT / "data")
    mini, use = SentenceTransformerEmbedder(), USEEmbedder()
    docs = {}
    for name in ("sdg_targets", "precedents"):
        ids, texts, langs = _documents(cat, name)
        positions = {i: k for k, i in enumerate(dict.fromkeys(ids))}
        docs[name] = dict(
            ids=list(positions),
            row_items=[positions[i] for i in ids],
            langs=langs,
            mini=mini.encode(texts),
            use=use.encode(texts),
        )
    probe = pd.read_csv(ROOT / "eval/probe_pairs.csv")
    q_mini, q_use = mini.encode(probe["query"].tolist()), use.encode(probe["query"].tolist())
    q_lang = [detect_language(t) for t in probe["query"]]

    dev = pd.read_csv(args.dev) if args.dev.is_file() else None
    if dev is not None:
        dm, du = mini.encode(dev["text"].tolist()), use.encode(dev["text"].tolist())
        goals_of_target = cat.sdg_targets["goal"].to_numpy()

    rows = []
    for w in WEIGHTS:
        label = {0.0: "USE only", 1.0: "MiniLM only"}.get(w, f"fused, MiniLM weight {w}")
        record = {"embedder": label, "w_minilm": w}
        for pair_type in ("ko-ko", "ko-en", "en-en"):
            ranks = []
            for i in np.flatnonzero(probe["pair_type"] == pair_type):
                d = docs[probe["catalogue"][i]]
                s = fused_scores(q_mini[i : i + 1], q_use[i : i + 1], [q_lang[i]], d["mini"], d["use"], d["langs"], w)
                items = per_item(s, d["row_items"], len(d["ids"]))[0]
                order = [d["ids"][k] for k in np.argsort(-items, kind="stable")]
                ranks.append(order.index(probe["expected"][i]) + 1)
            ranks = np.array(ranks)
            record[f"{pair_type} hit@1"] = float(np.mean(ranks == 1))
            record[f"{pair_type} hit@3"] = float(np.mean(ranks <= 3))
            record[f"{pair_type} MRR"] = float(np.mean(1 / ranks))
        if dev is not None:
            d = docs["sdg_targets"]
            s = fused_scores(dm, du, ["en"] * len(dev), d["mini"], d["use"], d["langs"], w)
            items = per_item(s, d["row_items"], len(d["ids"]))
            goal_score = np.array([items[r, goals_of_target == g].max() for r, g in enumerate(dev["sdg"])])
            aucs = [
                roc_auc_score(dev["label"][dev["sdg"] == g], goal_score[dev["sdg"] == g])
                for g in sorted(dev["sdg"].unique())
                if dev["label"][dev["sdg"] == g].nunique() == 2
            ]
            record["dev goal AUC (mean over SDGs)"] = float(np.mean(aucs))
        rows.append(record)
    table = pd.DataFrame(rows)
    print(table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        "# Choosing the embedder\n\nMade by `python eval/choose_embedder.py`. Dense retrieval only. Probe set: "
        f"`eval/probe_pairs.csv` ({len(probe)} pairs: "
        + ", ".join(f"{t} {int((probe['pair_type'] == t).sum())}" for t in ("ko-ko", "ko-en", "en-en"))
        + "); dev: the English SDG snippets of `sdg_goal_benchmark_dev.csv`, ROC AUC of the best target score "
        "in the asked goal, averaged over SDGs.\n\n" + table.to_markdown(index=False, floatfmt=".3f") + "\n",
        encoding="utf-8",
    )
    (args.out.with_suffix(".json")).write_text(json.dumps(rows, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
