"""Build the typology of Korean city-to-city project models from the precedent catalogue.

    python scripts/build_typology.py            # writes data/project_models.csv, data/project_model_cases.csv
    python scripts/build_typology.py --show     # also prints every cluster with its cases, to read and name

Every case is described by three things: its meaning (the mean of its English and Korean passage
vectors in the precedent index that `recommender build` makes), its OECD-DAC purpose code, and the
activities its modality and description name (the components of `data/project_components.csv`,
copied here from `scripts/sources/`). Two cases are alike by a weighted sum of the cosine of their
vectors, the same DAC code and the cosine of their activity sets; the similarities are rounded to
three decimals (so encoder noise below that cannot move a case) and the cases are clustered by
average linkage cut at a fixed distance. A cluster of MIN_CASES or more cases is a model; the
others are unique cases.

Names are ours, written after reading each cluster's cases, in `scripts/sources/project_model_names.csv`:
each name lists anchor cases, and a cluster takes the name whose anchors it holds. When the catalogue
grows, the same command rebuilds the assignment; a model cluster that holds no anchor, or the
anchors of two names, stops the build with its cases listed, for a person to read and name.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from recommender.catalogue import split_codes  # noqa: E402
from recommender.typology import (  # noqa: E402
    CASE_COLUMNS,
    CASES_FILE,
    COMPONENTS_FILE,
    MODEL_COLUMNS,
    MODELS_FILE,
    UNIQUE,
    Spread,
    case_texts,
    detect,
    format_pairs,
    read_components,
)

SOURCES = ROOT / "scripts/sources"
NAMES = SOURCES / "project_model_names.csv"
# Weights of the three likenesses, and where the tree is cut (chosen by reading the clusters: see
# data/README.md, "project_models.csv").
WEIGHTS = {"meaning": 1.0, "dac": 0.3, "activities": 0.8}
CUT = 0.55
MIN_CASES = 3
# Activities too common across kinds of project to tell kinds apart (a signed agreement, a survey).
NOT_DISTINCTIVE = {"agreement_mou", "needs_survey"}


def case_vectors(rec, ids: list[str]) -> np.ndarray:
    """One unit vector per case: the mean of its passages' unit vectors in the precedent index."""
    index = rec.indexes["precedents"]
    vectors = index.index.reconstruct_n(0, index.index.ntotal)
    position = {c: i for i, c in enumerate(ids)}
    out = np.zeros((len(ids), vectors.shape[1]), dtype=np.float64)
    for vector, item in zip(vectors, index.item_ids):
        out[position[str(item)]] += vector / max(np.linalg.norm(vector), 1e-12)
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def similarity(vectors: np.ndarray, dac: np.ndarray, activities: np.ndarray) -> np.ndarray:
    meaning = vectors @ vectors.T
    same_dac = (dac[:, None] == dac[None, :]).astype(float)
    norms = np.maximum(np.linalg.norm(activities, axis=1, keepdims=True), 1e-12)
    unit = activities / norms
    acts = unit @ unit.T
    total = WEIGHTS["meaning"] * meaning + WEIGHTS["dac"] * same_dac + WEIGHTS["activities"] * acts
    sim = np.round(total / sum(WEIGHTS.values()), 3)
    np.fill_diagonal(sim, 1.0)
    return sim


def clusters(sim: np.ndarray) -> np.ndarray:
    tree = linkage(squareform(np.clip(1.0 - sim, 0.0, None), checks=False), method="average")
    return fcluster(tree, CUT, criterion="distance")


def read_names(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def name_clusters(members: dict[int, list[str]], names: list[dict]) -> dict[int, dict]:
    """Which name each model cluster takes: the one whose anchor cases it holds."""
    out, problems, taken = {}, [], {}
    for label, cases in members.items():
        held = [n for n in names if set(n["anchors"].split(";")) & set(cases)]
        if len(held) != 1:
            what = "no name's anchors" if not held else "the anchors of " + ", ".join(n["id"] for n in held)
            problems.append(f"a cluster of {len(cases)} cases holds {what}: {' '.join(cases)}")
            continue
        if held[0]["id"] in taken:
            problems.append(f"two clusters hold the anchors of {held[0]['id']}: {' '.join(cases)}")
            continue
        taken[held[0]["id"]] = label
        out[label] = held[0]
    if problems:
        raise SystemExit(
            "the clusters and the names in scripts/sources/project_model_names.csv disagree; read these cases "
            "(--show) and add or correct a name's anchors:\n  " + "\n  ".join(problems)
        )
    return out


def counted(values) -> list[tuple[str, int]]:
    return sorted(Counter(values).items(), key=lambda kv: (-kv[1], kv[0]))


def model_row(name: dict, cases: pd.DataFrame, found: dict, risks: dict) -> dict:
    ids = list(cases["id"])
    # A budget stated for a call, a grant scheme or a programme across several countries is not the
    # budget of one project: a budget counts for a case in one partner country, or for a training
    # course (one course, whatever the trainees' countries).
    one_project = [
        len(split_codes(iso)) == 1 or "invitation_training" in found[case]
        for case, iso in zip(cases["id"], cases["partner_iso2"])
    ]
    budget = Spread.of(pd.to_numeric(cases.loc[one_project, "budget_krw"], errors="coerce").dropna())
    start = pd.to_numeric(cases["year_start"], errors="coerce")
    end = pd.to_numeric(cases["year_end"], errors="coerce")
    duration = Spread.of((end - start + 1)[start.notna() & end.notna() & (end >= start)])
    risk_cases: dict[str, list[str]] = {}
    for case in ids:
        for risk in sorted(risks[case]):
            risk_cases.setdefault(risk, []).append(case)

    def number(value, digits=0):
        return "" if value is None else f"{value:.{digits}f}"

    return {
        "id": name["id"],
        "name_en": name["name_en"],
        "name_ko": name["name_ko"],
        "description_en": name["description_en"],
        "description_ko": name["description_ko"],
        "n_cases": len(ids),
        "cases": ";".join(ids),
        "components": format_pairs(counted(c for case in ids for c in found[case])),
        "risks": ";".join(
            f"{r}:{','.join(c)}" for r, c in sorted(risk_cases.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        ),
        "planned": int((cases["status"] == "planned").sum()),
        "budget_n": budget.n,
        "budget_median_krw": number(budget.median),
        "budget_q1_krw": number(budget.q1),
        "budget_q3_krw": number(budget.q3),
        "duration_n": duration.n,
        "duration_median_years": number(duration.median, 1),
        "duration_q1_years": number(duration.q1, 1),
        "duration_q3_years": number(duration.q3, 1),
        "countries": format_pairs(counted(c for v in cases["partner_iso2"] for c in split_codes(v))),
        "governments": format_pairs(counted(c for v in cases["lg_codes"] for c in split_codes(v))),
        "sdg_targets": format_pairs(counted(t for v in cases["sdg_targets_hint"] for t in split_codes(v))),
    }


def write(path: Path, columns: list[str], rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data")
    parser.add_argument("--models-dir", type=Path, default=ROOT / "models")
    parser.add_argument("--show", action="store_true", help="print every cluster with its cases")
    args = parser.parse_args(argv)

    from recommender import Recommender

    shutil.copyfile(SOURCES / COMPONENTS_FILE, args.data_dir / COMPONENTS_FILE)
    components = read_components(args.data_dir / COMPONENTS_FILE)  # checks every pattern compiles
    rec = Recommender.open(args.data_dir, args.models_dir)
    precedents = rec.catalogues.precedents.copy()
    raw = pd.read_csv(args.data_dir / "precedents.csv", dtype=str, keep_default_na=False)
    precedents["status"] = raw["status"]
    ids = list(precedents["id"])
    found, risks = {}, {}
    for row in raw.to_dict("records"):
        text_en, text_ko = case_texts(row)
        found[row["id"]] = detect(components, text_en, text_ko)
        risks[row["id"]] = detect(components, text_en, text_ko, kind="risk")
    names = [c for c in components.values() if c.kind == "component" and c.id not in NOT_DISTINCTIVE]
    activities = np.array([[c.id in found[i] for c in names] for i in ids], dtype=float)
    sim = similarity(case_vectors(rec, ids), raw["dac_code"].to_numpy(dtype=str), activities)
    labels = clusters(sim)

    members: dict[int, list[str]] = {}
    for case, label in zip(ids, labels):
        members.setdefault(int(label), []).append(case)
    model_clusters = {k: v for k, v in members.items() if len(v) >= MIN_CASES}
    if args.show:
        for cases in sorted(members.values(), key=lambda v: (-len(v), v[0])):
            print(f"\n== cluster of {len(cases)}{'' if len(cases) >= MIN_CASES else ' (unique cases)'}")
            for case in cases:
                row = raw.loc[raw["id"] == case].iloc[0]
                print(f"  {case} {row['dac_code']} | {row['modality'][:40]} | {row['description_en'][:120]}")
    named = name_clusters(model_clusters, read_names(NAMES))
    order = sorted(named, key=lambda label: named[label]["id"])
    rows = [
        model_row(named[label], precedents[precedents["id"].isin(model_clusters[label])], found, risks)
        for label in order
    ]

    position = {c: i for i, c in enumerate(ids)}
    model_of = {case: named[label]["id"] for label in order for case in model_clusters[label]}
    assignment = []
    for case in ids:
        # the mean likeness to each model's cases (itself left out), for the nearest model of every case
        best, best_sim = "", -1.0
        for label in order:
            others = [position[c] for c in model_clusters[label] if c != case]
            value = float(np.mean(sim[position[case], others]))
            if value > best_sim:
                best, best_sim = named[label]["id"], value
        assignment.append(
            {
                "case_id": case,
                "model": model_of.get(case, UNIQUE),
                "nearest_model": best,
                "similarity": f"{best_sim:.3f}",
            }
        )
    write(args.data_dir / MODELS_FILE, MODEL_COLUMNS, rows)
    write(args.data_dir / CASES_FILE, CASE_COLUMNS, assignment)
    in_models = sum(a["model"] != UNIQUE for a in assignment)
    print(
        f"{len(rows)} models, {in_models} of {len(ids)} cases in models ({in_models / len(ids):.0%}), "
        f"{len(ids) - in_models} unique; wrote {MODELS_FILE}, {CASES_FILE}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
