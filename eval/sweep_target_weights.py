"""Grid over the SDG-target fusion weights, per language, scored on the two halves of the gold
proposals separately (G01-G30 were written first, G31-G60 later and further from the catalogue).

    python eval/sweep_target_weights.py            # English: docs/target_weight_sweep.md
    python eval/sweep_target_weights.py --lang ko  # Korean: docs/korean_target_weights.md

Korean has its own weights (RankingConfig.language_target_weights) and no keyword signal (the
Aurora queries are English); its sweep also scores the Korean target pairs of the probe set.
"""

import argparse
import itertools
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from recommender import RankingConfig, Recommender  # noqa: E402

GRIDS = {
    "en": dict(dense=[0.3, 0.5, 0.7], lexical=[0.0, 0.1, 0.2], keyword=[0.0, 0.15, 0.3], precedent=[0.0, 0.25, 0.5]),
    "ko": dict(dense=[0.3, 0.5, 0.7], lexical=[0.0, 0.1, 0.2, 0.3], keyword=[0.0], precedent=[0.0, 0.25, 0.5]),
}
OUT = {"en": "docs/target_weight_sweep.md", "ko": "docs/korean_target_weights.md"}


def ranks(results, acceptable) -> np.ndarray:
    return np.array(
        [
            min([t.id for t in res.sdg_targets].index(x) + 1 for x in ok.split(";"))
            for res, ok in zip(results, acceptable)
        ]
    )


def config(lang: str, weights: dict) -> RankingConfig:
    return (
        RankingConfig(target_weights=weights)
        if lang == "en"
        else RankingConfig(language_target_weights={lang: weights})
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lang", choices=sorted(GRIDS), default="en")
    lang = parser.parse_args().lang
    gold = pd.read_csv(ROOT / "eval/gold_proposals.csv", dtype=str, keep_default_na=False)
    gold = gold[gold.lang == lang]
    sets = {
        name: (part.text.tolist(), part.partner_country.tolist(), part.targets.tolist())
        for name, part in (("gold G01-30", gold[gold.id <= "G30"]), ("gold G31-60", gold[gold.id > "G30"]))
    }
    probe = pd.read_csv(ROOT / "eval/probe_pairs.csv")
    probe = probe[(probe.catalogue == "sdg_targets") & (probe.query_lang == lang)]
    if len(probe):
        sets["probe"] = (probe["query"].tolist(), [None] * len(probe), probe.expected.tolist())
    rec = Recommender.open(ROOT / "data", ROOT / "models")  # re-ranking only: no rebuild per weight set
    grid = GRIDS[lang]
    rows = []
    for values in itertools.product(*grid.values()):
        weights = dict(zip(grid, values))
        rec.config = config(lang, weights)
        row = dict(weights)
        for name, (texts, countries, acceptable) in sets.items():
            r = ranks(
                rec.recommend_many(
                    [{"text": t, "partner_country": c or None} for t, c in zip(texts, countries)], top_k=169
                ),
                acceptable,
            )
            row[f"{name} hits@3"], row[f"{name} MRR"] = float(np.mean(r <= 3)), float(np.mean(1 / r))
        rows.append(row)
    table = pd.DataFrame(rows)
    table["mean MRR"] = table[[c for c in table.columns if c.endswith("MRR")]].mean(axis=1)
    default = RankingConfig()
    shipped = default.target_weights if lang == "en" else default.language_target_weights[lang]
    is_shipped = np.logical_and.reduce([table[k] == v for k, v in shipped.items()])
    text = (
        f"# Target fusion weights ({'English' if lang == 'en' else 'Korean'} proposals)\n\nMade by "
        f"`python eval/sweep_target_weights.py --lang {lang}`. Rank of the best-placed acceptable target on the "
        f"gold proposals (two halves){' and the probe pairs' if 'probe' in sets else ''}.\n\n## Best 10 by mean MRR\n\n"
        + table.sort_values("mean MRR", ascending=False).head(10).to_markdown(index=False, floatfmt=".3f")
        + "\n\n## Shipped\n\n"
        + table[is_shipped].to_markdown(index=False, floatfmt=".3f")
        + "\n"
    )
    (ROOT / OUT[lang]).write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
