"""Target ranking of the paired off-catalogue proposals (dev split only) under a grid of settings:
the gloss weight for Korean queries, the keyword and lexical weights per language, the gloss the
keyword queries read, and the hubness correction. Prints one line per setting, both languages.

    python eval/sweep_korean.py [--split dev]
"""

from __future__ import annotations

import argparse
import itertools
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from recommender import Recommender
from recommender.ranking import rank_order

ROOT = Path(__file__).resolve().parents[1]


def ranks(rec, rows) -> np.ndarray:
    signals = rec.signals([r["text"] for r in rows], [r["partner_country"] or None for r in rows])
    ids = rec.catalogues.sdg_targets["id"].to_numpy(dtype=str)
    out = []
    for r, sig in zip(rows, signals):
        order = list(ids[rank_order(sig.target_score, ids)])
        out.append(min(order.index(t) + 1 for t in r["targets"].split(";")))
    return np.array(out)


def summary(values: np.ndarray) -> str:
    return f"top1 {np.mean(values <= 1):.2f} top3 {np.mean(values <= 3):.2f} mrr {np.mean(1 / values):.3f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", default="dev")
    parser.add_argument("--stage", default="korean", choices=["korean", "hubness", "english", "joint", "korean-floor"])
    args = parser.parse_args()
    frame = pd.read_csv(ROOT / "eval/offcatalogue_proposals.csv", dtype=str, keep_default_na=False)
    frame = frame[frame["split"] == args.split]
    rows = {lang: part.to_dict("records") for lang, part in frame.groupby("lang")}
    rec = Recommender.open(rebuild=False)
    base = rec.config
    both = ("en", "ko")
    if args.stage == "korean":
        grid = itertools.product((0.6, 0.7, 0.8, 0.9, 1.0), (0.1, 0.15), (0.1, 0.2), (0.15, 0.25))
        for gloss, keyword, lexical, precedent in grid:
            weights = {"dense": 0.5, "lexical": lexical, "keyword": keyword, "precedent": precedent}
            rec.config = replace(base, korean_gloss_weight=gloss, language_target_weights={"ko": weights})
            report(f"gloss {gloss} keyword {keyword} lexical {lexical} precedent {precedent}", rec, rows, ("ko",))
    elif args.stage == "english":
        for keyword, lexical, precedent in itertools.product((0.1, 0.15, 0.25), (0.0, 0.1), (0.1, 0.15, 0.25)):
            weights = {"dense": 0.5, "lexical": lexical, "keyword": keyword, "precedent": precedent}
            rec.config = replace(base, target_weights=weights)
            report(f"keyword {keyword} lexical {lexical} precedent {precedent}", rec, rows, ("en",))
    elif args.stage == "joint":
        gold = pd.read_csv(ROOT / "eval/gold_proposals.csv", dtype=str, keep_default_na=False)
        for lang, part in gold.groupby("lang"):
            rows[f"gold-{lang}"] = part.to_dict("records")
        ko = {"dense": 0.5, "lexical": 0.1, "keyword": 0.1, "precedent": 0.25}
        en = {"dense": 0.5, "lexical": 0.1, "keyword": 0.15, "precedent": 0.25}
        for floor, precedent, hubness in itertools.product((0.0, 0.3, 0.45, 0.6), (0.1, 0.25), (0.0, 0.5, 0.75)):
            rec.config = replace(
                base,
                korean_gloss_weight=0.7,
                target_weights={**en, "precedent": precedent},
                language_target_weights={"ko": {**ko, "precedent": precedent}},
                lending_floor={"en": floor, "ko": floor},
                hubness=hubness,
                hubness_neighbours=5,
            )
            report(f"floor {floor} precedent {precedent} hubness {hubness}", rec, rows, list(rows))
    elif args.stage == "korean-floor":
        gold = pd.read_csv(ROOT / "eval/gold_proposals.csv", dtype=str, keep_default_na=False)
        rows = {"ko": rows["ko"], "gold-ko": gold[gold["lang"] == "ko"].to_dict("records")}
        ko = {"dense": 0.5, "lexical": 0.1, "keyword": 0.1, "precedent": 0.25}
        for floor in (0.1, 0.2):
            rec.config = replace(
                base,
                korean_gloss_weight=0.7,
                language_target_weights={"ko": ko},
                lending_floor={"en": 0.3, "ko": floor},
                hubness=0.5,
                hubness_neighbours=5,
            )
            report(f"korean floor {floor}", rec, rows, list(rows))
    else:
        for hubness, k in itertools.product((0.0, 0.25, 0.5, 0.75, 1.0), (5, 10, 30)):
            rec.config = replace(base, hubness=hubness, hubness_neighbours=k)
            report(f"hubness {hubness} k {k}", rec, rows, both)


def report(label: str, rec, rows: dict, langs) -> None:
    print(label + ": " + " | ".join(f"{lang} " + summary(ranks(rec, rows[lang])) for lang in langs), flush=True)


if __name__ == "__main__":
    main()
