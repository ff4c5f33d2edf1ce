"""Korean/English parity of the precedent lists: for each proposal written in both languages, the
share of the English top 5 that the Korean top 5 also holds, and whether both put the same case
first. Paired sets: the gold proposals (60), and the dev and holdout splits of the off-catalogue
proposals (50 and 25; settings are chosen on dev and gold, holdout is only reported).

    python eval/precedent_parity.py [--before] [--targets W] [--json]

--before: the earliest reading (a Korean list by the multilingual encoder and Korean n-grams alone, no
target fit, each case read by its version nearest the query, an English list by the English text alone);
--targets W: the weight of the target-fit signal of the precedents.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from recommender import Recommender
from recommender.ranking import rank_order

ROOT = Path(__file__).resolve().parents[1]


def paired_sets() -> dict[str, pd.DataFrame]:
    gold = pd.read_csv(ROOT / "eval/gold_proposals.csv", dtype=str, keep_default_na=False)
    off = pd.read_csv(ROOT / "eval/offcatalogue_proposals.csv", dtype=str, keep_default_na=False)
    return {"gold": gold, "dev": off[off["split"] == "dev"], "holdout": off[off["split"] == "holdout"]}


def top_lists(rec: Recommender, frame: pd.DataFrame, k: int = 5) -> dict[str, dict[str, list[str]]]:
    """{lang: {proposal id: its top-k precedent ids}}."""
    ids = rec.catalogues.precedents["id"].to_numpy(dtype=str)
    out = {}
    for lang, part in frame.groupby("lang"):
        rows = part.to_dict("records")
        signals = rec.signals([r["text"] for r in rows], [r["partner_country"] or None for r in rows])
        out[lang] = {
            r["id"]: list(ids[s.precedent_rows[rank_order(s.precedent_score, ids[s.precedent_rows])[:k]]])
            for r, s in zip(rows, signals)
        }
    return out


def parity(rec: Recommender, frame: pd.DataFrame, k: int = 5) -> dict:
    lists = top_lists(rec, frame, k)
    common = sorted(set(lists["en"]) & set(lists["ko"]))
    overlap = [len(set(lists["en"][i]) & set(lists["ko"][i])) / k for i in common]
    first = [lists["en"][i][0] == lists["ko"][i][0] for i in common]
    out = {f"top{k}_overlap": float(np.mean(overlap)), "same_first": float(np.mean(first)), "pairs": len(common)}
    if "precedents" in frame:
        # the gold proposals list the cases a reader would accept: is the list right, in each language?
        accepted = {r["id"]: set(r["precedents"].split(";")) for r in frame.to_dict("records")}
        for lang, tops in lists.items():
            out[f"{lang}_precision{k}"] = float(np.mean([len(set(t) & accepted[i]) / k for i, t in tops.items()]))
            out[f"{lang}_first_accepted"] = float(np.mean([t[0] in accepted[i] for i, t in tops.items()]))
    return out


def translate_by_pairs(frame: pd.DataFrame) -> None:
    """Make the Korean reader's gloss of a paired Korean text (or of a passage of it) its English
    version, names and all: the list then reads a perfect translation (an upper bound, not a method)."""
    from recommender.korean import KoreanReader

    english = dict(zip(frame[frame["lang"] == "en"]["id"], frame[frame["lang"] == "en"]["text"]))
    korean = {
        r["text"]: english[r["id"]] for r in frame[frame["lang"] == "ko"].to_dict("records") if r["id"] in english
    }
    gloss = KoreanReader.gloss

    def oracle(self, text, *, alternatives=False, names=None):
        found = korean.get(text) or next((en for ko, en in korean.items() if text and text in ko), None)
        return found if found is not None else gloss(self, text, alternatives=alternatives, names=names)

    KoreanReader.gloss = oracle


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", action="store_true", help="the earlier Korean precedent reading")
    parser.add_argument("--targets", type=float, default=None, help="weight of the precedents' target fit")
    parser.add_argument(
        "--oracle",
        action="store_true",
        help="a Korean text's gloss replaced by its English version: what a perfect translation would give",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rec = Recommender.open(rebuild=False)
    if args.oracle:
        translate_by_pairs(pd.concat(paired_sets().values()))
    config = rec.config
    weights = dict(config.precedent_weights)
    if args.before:
        config = replace(
            config,
            korean_precedents_read_gloss=False,
            precedent_list_both_languages=False,
            english_list_reads_korean=0.0,
            korean_list_reads_gloss=0.0,
        )
        weights["targets"] = 0.0
    if args.targets is not None:
        weights["targets"] = args.targets
    rec.config = replace(config, precedent_weights=weights)
    report = {name: parity(rec, frame) for name, frame in paired_sets().items()}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    for name, m in report.items():
        line = (
            f"{name:8s} top-5 overlap {m['top5_overlap']:.2f}  same first {m['same_first']:.2f}  ({m['pairs']} pairs)"
        )
        if "en_precision5" in m:
            line += "  accepted: " + ", ".join(
                f"{lang} precision@5 {m[f'{lang}_precision5']:.2f} first {m[f'{lang}_first_accepted']:.2f}"
                for lang in ("en", "ko")
            )
        print(line)


if __name__ == "__main__":
    main()
