"""The government ranker measured on what it has not seen (`recommender evaluate`, "Local governments").

Three lessons shape it (docs/evaluation.md):
- A case's **siblings** (the same government working in the same country in other years) make the
  case easy to place: a leave-one-case-out query finds its own programme next door. Features are
  therefore computed with the siblings absent, in two ways: `programme` (every case of the same
  government and partner country held out: the government is new to that country) and `earlier`
  (only what had started before the case: the world as its proposer saw it). Folds are grouped by
  programme (cases linked by a shared government and country are one group).
- Query texts name their own government ("Suwon planted …"): that name would find the government's
  other cases by spelling alone. Every evaluation text has Korean government names masked.
- Sets drawn from the catalogue's own search flatter: `eval/later_projects.csv` was found later, by
  another route, and is reported beside the older unseen set, split by what the implementing
  government has in the catalogue (cases in that country / cases elsewhere / none).
Queries are English with the partner place as the source writes it, and Korean with the place field
blank (read from the text), as officers fill the form.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .catalogue import split_codes
from .governments import FAMILIES, FEATURES, GovernmentModel

KS = (1, 3, 10)
TIME_SPLIT_YEAR = 2022
MODES = ("programme", "earlier")
# Which features the shipped ranker learns from: both views of every catalogue case.
TRAIN_MODES = ("programme", "earlier")


# ---------------------------------------------------------------- queries


def government_masker(lgs: pd.DataFrame):
    """A function that replaces every Korean local government's name in a text by a neutral phrase
    ("수원시" -> "한 지자체", "Suwon" -> "a Korean city"), so a query cannot find its government by
    its name."""
    ko_names, en_names = set(), set()
    for name_ko, name_en in zip(lgs["name_ko"], lgs["name_en"]):
        ko_names.add(name_ko)
        stem = re.sub(r"(특별자치시|특별자치도|특별시|광역시|도|시|군|구)$", "", name_ko)
        if len(stem) >= 2:
            for suffix in ("특별자치시", "특별자치도", "특별시", "광역시", "도", "시", "군", "구", "청"):
                ko_names.add(stem + suffix)
        en_names.add(name_en)
        en_names.add(re.sub(r"-(do|si|gun|gu)$", "", name_en))
    ko = re.compile("|".join(sorted(map(re.escape, ko_names), key=len, reverse=True)))
    en = re.compile(r"\b(" + "|".join(sorted(map(re.escape, en_names), key=len, reverse=True)) + r")\b(?:'s)?")

    def mask(text: str) -> str:
        return en.sub("a Korean city", ko.sub("한 지자체", str(text)))

    return mask


def _queries(records: Sequence[dict], text: str, place_en: str, place_ko: str, mask) -> pd.DataFrame:
    """One query per record and language: (case, lang, text, country, place as written, codes, year)."""
    rows = []
    for r in records:
        countries = split_codes(r["partner_iso2"])
        year = str(r.get("year_start", "") or "")
        for lang, place in (("en", place_en), ("ko", place_ko)):
            body = r.get(text.format(lang=lang), "")
            if not body:
                continue
            rows.append(
                {
                    "case": r["id"],
                    "lang": lang,
                    "text": mask(body),
                    "country": countries[0] if len(countries) == 1 else None,
                    "place": r.get(place, "") if place else "",
                    "codes": split_codes(r["lg_codes"]),
                    "year": int(year) if year.isdigit() else None,
                }
            )
    return pd.DataFrame(rows)


def catalogue_queries(cat, mask) -> pd.DataFrame:
    """Each international catalogue case: English with its partner locality as written, Korean with
    the place left to the text."""
    records = [r for r in cat.precedents.to_dict("records") if not r["domestic"]]
    return _queries(records, "description_{lang}", "partner_locality", "", mask)


def file_queries(path: Path, place_en: str, mask) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return _queries(frame.to_dict("records"), "text_{lang}", place_en, "", mask)


# ---------------------------------------------------------------- siblings and folds


def programme_groups(cat) -> dict[str, int]:
    """Case id -> group: cases sharing a (government, partner country) pair are one programme."""
    p = cat.precedents
    parent = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for case, codes, isos in zip(p["id"], p["lg_codes"], p["partner_iso2"]):
        for code in split_codes(codes):
            for iso in split_codes(isos) or ["-"]:
                parent[find(case)] = find(f"{code}|{iso}")
    roots = {}
    return {case: roots.setdefault(find(case), len(roots)) for case in p["id"]}


def siblings(cat, codes: Sequence[str], countries: Sequence[str], year: int | None, mode: str) -> list[str]:
    """Catalogue cases a query about (codes, countries, year) must not see: in `programme` mode every case
    of one of its governments in one of its countries; in `earlier` mode those that had not started
    before the query's year (all of them when its year is unknown)."""
    p = cat.precedents
    out = []
    codes, countries = set(codes), set(countries)
    for case, lg, iso, start in zip(p["id"], p["lg_codes"], p["partner_iso2"], p["year_start"]):
        if not (set(split_codes(lg)) & codes) or not (set(split_codes(iso)) & countries or not countries):
            continue
        if mode == "earlier" and year is not None and str(start).isdigit() and int(start) < year:
            continue
        out.append(case)
    return out


# ---------------------------------------------------------------- ranks


def _ranks(scores_per_query: list[np.ndarray], queries: pd.DataFrame, codes: list[str]) -> np.ndarray:
    position = {c: i for i, c in enumerate(codes)}
    out = []
    for scores, own in zip(scores_per_query, queries["codes"]):
        order = np.lexsort((np.asarray(codes, dtype=str), -np.asarray(scores)))
        rank_of = np.empty(len(codes), dtype=np.int64)
        rank_of[order] = np.arange(1, len(codes) + 1)
        out.append(min((rank_of[position[c]] for c in own if c in position), default=len(codes)))
    return np.array(out)


def _summary(ranks: np.ndarray) -> dict:
    if not len(ranks):
        return {**{f"hits@{k}": None for k in KS}, "mrr": None, "n": 0}
    return {**{f"hits@{k}": float(np.mean(ranks <= k)) for k in KS}, "mrr": float(np.mean(1 / ranks)), "n": len(ranks)}


def _baselines(evidence: list, model_scores: list[np.ndarray] | None = None) -> dict[str, list[np.ndarray]]:
    """Rankings from the same evidence (so with the same cases absent)."""
    ties = FEATURES.index("ties_country")
    log_ties = FEATURES.index("log_ties")
    out = {
        "constant list (case count)": [ev.n_cases.astype(float) for ev in evidence],
        "most cases in the partner country": [ev.n_country * 1000.0 + ev.n_cases for ev in evidence],
        "most ties in the partner country": [
            ev.features[:, ties] * 1000.0 + ev.features[:, log_ties] for ev in evidence
        ],
    }
    if model_scores is not None:
        out["learned ranker"] = model_scores
    return out


def _rows(evidence: list, queries: pd.DataFrame, codes: list[str]) -> tuple[np.ndarray, np.ndarray]:
    position = {c: i for i, c in enumerate(codes)}
    features = np.vstack([ev.features for ev in evidence])
    labels = np.zeros((len(evidence), len(codes)), dtype=int)
    for i, own in enumerate(queries["codes"]):
        labels[i, [position[c] for c in own if c in position]] = 1
    return features, labels.ravel()


def _by_language(rankings: dict[str, list[np.ndarray]], queries: pd.DataFrame, codes: list[str]) -> dict:
    out = {}
    for name, scores in rankings.items():
        out[name] = {
            lang: _summary(_ranks([scores[i] for i in idx], queries.iloc[idx], codes))
            for lang in ("en", "ko")
            if len(idx := np.flatnonzero(queries["lang"].to_numpy() == lang))
        }
    return out


def _by_standing(scores: list[np.ndarray], queries: pd.DataFrame, codes: list[str], cat) -> dict:
    """The learned ranker's hits split by what the implementing government has in the catalogue."""
    cases_in: dict[str, set[str]] = {}
    for lg, iso in zip(cat.precedents["lg_codes"], cat.precedents["partner_iso2"]):
        for code in split_codes(lg):
            cases_in.setdefault(code, set()).update(split_codes(iso))
    standing = []
    for own, country in zip(queries["codes"], queries["country"]):
        if any(country and country in cases_in.get(c, ()) for c in own):
            standing.append("cases in this country")
        elif any(c in cases_in for c in own):
            standing.append("cases elsewhere")
        else:
            standing.append("no case")
    standing = np.array(standing)
    out = {}
    for kind in ("cases in this country", "cases elsewhere", "no case"):
        for lang in ("en", "ko"):
            idx = np.flatnonzero((standing == kind) & (queries["lang"].to_numpy() == lang))
            if len(idx):
                out.setdefault(kind, {})[lang] = _summary(_ranks([scores[i] for i in idx], queries.iloc[idx], codes))
    return out


# ---------------------------------------------------------------- the measurement


def government_ranking(
    rec,
    *,
    unseen_path: Path | None,
    later_path: Path | None = None,
    folds: int = 5,
) -> tuple[dict, GovernmentModel]:
    """(report, the ranker fitted on every catalogue case in both sibling views)."""
    from sklearn.model_selection import GroupKFold

    cat = rec.catalogues
    codes = cat.local_governments["code"].tolist()
    mask = government_masker(cat.local_governments)
    queries = catalogue_queries(cat, mask)
    groups_of = programme_groups(cat)
    per_query = len(codes)

    def evidence(frame: pd.DataFrame, exclude: list[list[str]]):
        return rec.government_evidence(
            frame["text"].tolist(), frame["country"].tolist(), frame["place"].tolist(), exclude
        )

    def hidden(frame: pd.DataFrame, mode: str, own: bool = True) -> list[list[str]]:
        return [
            ([case] if own else []) + siblings(cat, c, [country] if country else [], year, mode)
            for case, c, country, year in zip(frame["case"], frame["codes"], frame["country"], frame["year"])
        ]

    report: dict = {"catalogue": {"cases": int(queries["case"].nunique()), "queries": int(len(queries))}}
    views = {mode: evidence(queries, hidden(queries, mode)) for mode in MODES}
    group_rows = np.repeat([groups_of[c] for c in queries["case"]], per_query)

    def cross_validated(ev: list, train_views: Sequence[str], drop: Sequence[str] = ()) -> list[np.ndarray]:
        """Scores of `ev` from rankers fitted, fold by fold (grouped by programme), on the other
        programmes' rows of `train_views`; features in `drop` held constant (an ablation)."""
        x_test, y = _rows(ev, queries, codes)
        columns = [FEATURES.index(f) for f in drop]
        predicted = np.zeros(len(y))
        for train, test in GroupKFold(n_splits=folds).split(x_test, y, group_rows):
            xs, ys = [], []
            for view in train_views:
                x_view, y_view = _rows(views[view], queries, codes)
                xs.append(x_view[train])
                ys.append(y_view[train])
            x_train = np.vstack(xs)
            x_train[:, columns] = 0.0
            x_fold = x_test[test].copy()
            x_fold[:, columns] = 0.0
            predicted[test] = GovernmentModel.fit(x_train, np.concatenate(ys)).score(x_fold)
        return [predicted[i * per_query : (i + 1) * per_query] for i in range(len(queries))]

    for mode in MODES:
        scores = cross_validated(views[mode], TRAIN_MODES)
        report[f"grouped_{mode}"] = _by_language(_baselines(views[mode], scores), queries, codes)
    # what each family of features is worth: grouped folds, programme view, without that family
    ablation = {}
    for family, members in [("(all features)", ()), *FAMILIES.items()]:
        scores = cross_validated(views["programme"], TRAIN_MODES, drop=members)
        ablation[family] = _by_language({"learned ranker": scores}, queries, codes)["learned ranker"]
    report["ablation"] = ablation

    x = np.vstack([_rows(views[m], queries, codes)[0] for m in TRAIN_MODES])
    y = np.concatenate([_rows(views[m], queries, codes)[1] for m in TRAIN_MODES])
    shipped = GovernmentModel.fit(
        x,
        y,
        trained_on=(
            f"{queries['case'].nunique()} catalogue cases in both languages, each seen twice: with its whole "
            "programme (government and country) held out, and with only earlier cases of it present; "
            "government names masked"
        ),
    )

    # time split: fitted on cases before TIME_SPLIT_YEAR (their own earlier view), tested on later ones
    later_cases = sorted(set(queries.loc[queries["year"].fillna(0) >= TIME_SPLIT_YEAR, "case"]))
    before = queries[queries["year"].notna() & (queries["year"] < TIME_SPLIT_YEAR)].reset_index(drop=True)
    after = queries[queries["year"].fillna(0) >= TIME_SPLIT_YEAR].reset_index(drop=True)
    train_ev = evidence(before, [[*h, *later_cases] for h in hidden(before, "earlier")])
    test_ev = evidence(after, [later_cases for _ in range(len(after))])
    model = GovernmentModel.fit(*_rows(train_ev, before, codes))
    test_scores = [model.score(ev.features) for ev in test_ev]
    report["time_split"] = _by_language(_baselines(test_ev, test_scores), after, codes)
    report["time_split_counts"] = {
        "train_cases": int(before["case"].nunique()),
        "test_cases": int(after["case"].nunique()),
        "year": TIME_SPLIT_YEAR,
    }

    known = {c for cs in cat.precedents["lg_codes"] for c in split_codes(cs)}
    for key, path, place in (("unseen", unseen_path, "partner_city"), ("later", later_path, "location_en")):
        if path is None or not Path(path).is_file():
            continue
        frame = file_queries(Path(path), place, mask)
        ev = evidence(frame, [[] for _ in range(len(frame))])
        scores = [shipped.score(e.features) for e in ev]
        report[key] = _by_language(_baselines(ev, scores), frame, codes)
        report[f"{key}_by_standing"] = _by_standing(scores, frame, codes, cat)
        report[f"{key}_counts"] = {
            "cases": int(frame["case"].nunique()),
            "by_governments_without_catalogue_case": int(
                sum(1 for cs in frame.drop_duplicates("case")["codes"] if not set(cs) & known)
            ),
            "countries": int(frame["country"].nunique()),
        }
    report["coefficients"] = dict(zip(shipped.features, [round(c, 3) for c in shipped.coef]))
    return report, shipped


# ---------------------------------------------------------------- the report


def _table(lines: list[str], title: str, block: dict) -> None:
    lines += [
        f"### {title}",
        "",
        "| ranking | language | hits@1 | hits@3 | hits@10 | MRR | queries |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, by_lang in block.items():
        for lang, m in by_lang.items():
            if not m["n"]:
                continue
            bold = "**" if name == "learned ranker" else ""
            lines.append(
                f"| {bold}{name}{bold} | {lang} | {m['hits@1']:.3f} | {m['hits@3']:.3f} | "
                f"{m['hits@10']:.3f} | {m['mrr']:.3f} | {m['n']} |"
            )
    lines.append("")


def report_lines(g: dict) -> list[str]:
    """The "Local governments" section of docs/evaluation.md."""
    lines = [
        "## Local governments",
        "",
        "Is the government that carried out a real case among the top 1 / 3 / 10 of all 243? Queries are "
        "English with the partner place as the source writes it and Korean with the place left to the text; "
        "every Korean government name in a query is masked (a text naming its government would find it by "
        "spelling). Features never see a case's **siblings** (the same government in the same country): "
        "**programme** view, every case of that government in that country held out (the government is new "
        "there); **earlier** view, only the cases that started before it present. The ranker is fitted on "
        "both views and cross-validated in folds grouped by programme. Baselines are computed from the same "
        "evidence.",
        "",
        f"- catalogue: {g['catalogue']['cases']} international cases, {g['catalogue']['queries']} queries.",
        f"- time split: fitted on the {g['time_split_counts']['train_cases']} cases that started before "
        f"{g['time_split_counts']['year']}, tested on the {g['time_split_counts']['test_cases']} later ones, "
        "every later case absent from the catalogue.",
    ]
    for key, text in (
        (
            "unseen",
            "`eval/unseen_government_cases.csv`: found with the catalogue's cases and drawn out by hash "
            "(siblings of catalogue cases remain, so it flatters)",
        ),
        (
            "later",
            "`eval/later_projects.csv`: found later, by topic and from the partner side, never by "
            "government name; collected independently of the ranker and never used to fit or tune it",
        ),
    ):
        if f"{key}_counts" in g:
            c = g[f"{key}_counts"]
            lines.append(
                f"- {text}: {c['cases']} projects in {c['countries']} countries, "
                f"{c['by_governments_without_catalogue_case']} by governments with no catalogued case."
            )
    lines.append("")
    for key, title in (
        ("later", "Projects found later, by another route"),
        ("unseen", "Unseen cases drawn from the catalogue's search"),
        ("grouped_programme", "Catalogue, grouped folds, programme held out"),
        ("grouped_earlier", "Catalogue, grouped folds, earlier cases only"),
        ("time_split", "Time split"),
    ):
        if key in g:
            _table(lines, title, g[key])
    for key, title in (("later_by_standing", "later projects"), ("unseen_by_standing", "unseen cases")):
        if key not in g:
            continue
        lines += [
            f"Learned ranker on the {title}, by what the implementing government has in the catalogue:",
            "",
            "| government has | language | hits@3 | hits@10 | n |",
            "|---|---|---|---|---|",
        ]
        for kind, by_lang in g[key].items():
            for lang, m in by_lang.items():
                lines.append(f"| {kind} | {lang} | {m['hits@3']:.3f} | {m['hits@10']:.3f} | {m['n']} |")
        lines.append("")
    if "ablation" in g:
        lines += [
            "What each family of features is worth (grouped folds, programme view, the family held constant):",
            "",
            "| without | en hits@3 | en hits@10 | ko hits@3 | ko hits@10 |",
            "|---|---|---|---|---|",
        ]
        for family, by_lang in g["ablation"].items():
            en, ko = by_lang.get("en", {}), by_lang.get("ko", {})
            lines.append(
                f"| {family} | {en.get('hits@3', 0):.3f} | {en.get('hits@10', 0):.3f} | "
                f"{ko.get('hits@3', 0):.3f} | {ko.get('hits@10', 0):.3f} |"
            )
        lines.append("")
    lines += [
        "Coefficients of the shipped ranker (standardised features; `data/government_model.json`): "
        + ", ".join(f"{k} {v:+.2f}" for k, v in g["coefficients"].items())
        + ".",
        "",
    ]
    return lines
