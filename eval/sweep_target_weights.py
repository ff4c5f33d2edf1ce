"""Grid over the SDG-target fusion weights for English proposals (Korean proposals have their own
weights: eval/sweep_korean_target_weights.py). Scored on the two halves of the English gold
proposals separately (G01-G30 were written first, G31-G60 later and further from the catalogue);
writes docs/target_weight_sweep.md.

    python eval/sweep_target_weights.py
"""
import itertools
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from recommender import RankingConfig, Recommender  # noqa: E402

gold = pd.read_csv(ROOT / "eval/gold_proposals.csv", dtype=str, keep_default_na=False)
gold = gold[gold.lang == "en"]
halves = {"gold G01-30": gold[gold.id <= "G30"], "gold G31-60": gold[gold.id > "G30"]}
rec = Recommender.open(ROOT / "data", ROOT / "models")  # re-ranking only: no rebuild per weight set


def ranks(results, acceptable) -> np.ndarray:
    return np.array([min([t["id"] for t in res["sdg_targets"]].index(x) + 1 for x in ok.split(";"))
                     for res, ok in zip(results, acceptable)])


rows = []
for dense, lexical, keyword, precedent in itertools.product([0.3, 0.5, 0.7], [0.0, 0.1, 0.2], [0.0, 0.15, 0.3],
                                                            [0.0, 0.25, 0.5]):
    rec.config = RankingConfig(target_weights={"dense": dense, "lexical": lexical, "keyword": keyword,
                                               "precedent": precedent})
    row = dict(dense=dense, lexical=lexical, keyword=keyword, precedent=precedent)
    for name, part in halves.items():
        r = ranks(rec.recommend_many([{"text": t, "partner_country": c} for t, c in zip(part.text, part.partner_country)],
                                     top_k=169), part.targets)
        row[f"{name} hits@3"], row[f"{name} MRR"] = float(np.mean(r <= 3)), float(np.mean(1 / r))
    rows.append(row)
table = pd.DataFrame(rows)
table["mean MRR"] = table[[c for c in table.columns if c.endswith("MRR")]].mean(axis=1)
shipped = RankingConfig().target_weights
is_shipped = np.logical_and.reduce([table[k] == v for k, v in shipped.items()])
text = ("# Target fusion weights for English proposals\n\nMade by `python eval/sweep_target_weights.py`. Rank of "
        "the best-placed acceptable target on the English gold proposals, two halves. Korean proposals have their "
        "own weights (`docs/korean_target_weights.md`).\n\n## Best 10 by mean MRR\n\n"
        + table.sort_values("mean MRR", ascending=False).head(10).to_markdown(index=False, floatfmt=".3f")
        + "\n\n## Shipped\n\n" + table[is_shipped].to_markdown(index=False, floatfmt=".3f") + "\n")
(ROOT / "docs/target_weight_sweep.md").write_text(text, encoding="utf-8")
print(text)
