"""Country weights of the opportunity ranker (recommender/opportunities.py) on the development windows
only (cases of 2015-16, 2017-18 and 2019-21, each from the world before its first year): every
candidate country's features are computed once, then each weight setting re-ranks them. Prints the
settings by country hits@3 + hits@5, best last, beside the popularity baseline.

    python eval/sweep_opportunities.py [--top 15]
"""

from __future__ import annotations

import argparse
import itertools

import numpy as np

from recommender import Recommender
from recommender.opportunities import COUNTRY_WEIGHTS
from recommender.opportunity_eval import DEV_WINDOWS, method_lists, split_items

GRID = {
    "tie": (0.0,),
    "tie_active": (0.5, 1.0, 1.5),
    "own": (0.6, 1.2, 1.8),
    "recent": (0.0, 0.4),
    "family": (0.0, 0.3, 0.6),
    "popularity": (0.5, 1.0, 1.5),
    "popularity_recent": (0.0, 0.5, 1.0),
    "request": (0.4,),
    "priority": (0.0, 0.3),
    "need_fit": (0.0, 0.3),
    "demand_fit": (0.0, 0.3, 0.6),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    rec = Recommender.open()
    ranker = rec.officer.ranker
    items = split_items(ranker, DEV_WINDOWS)
    names = sorted(GRID)
    candidates = []
    for item in items:
        ranked = ranker.rank(item["g"], item["masks"], top_k=1000)
        features = np.array([[o.features.get(n, 0.0) for n in names] for o in ranked])
        countries = [o.iso2 for o in ranked]
        candidates.append((features, countries, set(item["countries"])))
    popular = [method_lists(ranker, i["g"], i["masks"])["popularity"][0] for i in items]
    base = [np.mean([bool(set(p[:k]) & c) for p, (_, _, c) in zip(popular, candidates)]) for k in (3, 5)]
    print(f"{len(items)} pairs; popularity top3 {base[0]:.3f} top5 {base[1]:.3f}")
    results = []
    for values in itertools.product(*(GRID[n] for n in names)):
        weights = np.array(values)
        hits3 = hits5 = 0
        for features, countries, truth in candidates:
            order = np.lexsort((np.array(countries), -(features @ weights)))
            top = [countries[i] for i in order[:5]]
            hits3 += bool(set(top[:3]) & truth)
            hits5 += bool(set(top) & truth)
        results.append((hits3 + hits5, hits3 / len(items), hits5 / len(items), dict(zip(names, values))))
    results.sort(key=lambda r: r[0])
    for _, h3, h5, weights in results[-args.top :]:
        print(f"top3 {h3:.3f} top5 {h5:.3f} {weights}")
    current = np.array([COUNTRY_WEIGHTS.get(n, 0.0) for n in names])
    h = [
        np.mean(
            [bool(set([c[i] for i in np.lexsort((np.array(c), -(f @ current)))[:k]]) & t) for f, c, t in candidates]
        )
        for k in (3, 5)
    ]
    print(f"shipped weights: top3 {h[0]:.3f} top5 {h[1]:.3f}")


if __name__ == "__main__":
    main()
