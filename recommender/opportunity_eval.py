"""Opportunities measured on what they have not seen (`recommender evaluate`, "Opportunities").

Time split: from the world before year Y (cases and agreements that started earlier or carry no year,
needs stated earlier and not read from a later case), are the countries and places of each
government's later cases near the top of its opportunities? Country hits@3 and @5, and place hits@10
(a later case's place is the same place as, or lies in or contains, one of the places of the top 10
opportunities, three at most each), per (government, later case) pair. Beside them, baselines computed
the same way (a country list, and in each country up to three places): every government's most
worked-in countries and places (popularity), the government's own most frequent past countries and
places, and its agreement (sister-city) countries and places, each filled up with popularity.

The weights were chosen on development windows (cases of 2015-16, 2017-18 and 2019-21, each from the
world before its first year; eval/sweep_opportunities.py); the reported window is the cases of 2022
on. `eval/later_projects.csv` (real projects found later, by another route) is reported with the
whole catalogue and never tuned on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .catalogue import split_codes
from .governments import TIE_WEIGHT
from .opportunities import PLACES_PER_OPPORTUNITY, Facts, Masks, OpportunityRanker
from .proposal import Proposal

# Development windows (weights chosen on these), each from the world before its first year; the
# reported window starts where they end.
DEV_WINDOWS = ((2015, 2017), (2017, 2019), (2019, 2022))
REPORT_WINDOWS = ((2022, None),)
COUNTRY_KS = (3, 5)
PLACE_K = 10
PLACE_HIT = 0.6  # gazetteer relation: the same place (1.0), the city it lies in (0.9), its province or within (0.6)
METHODS = ("opportunities", "popularity", "own past countries", "sister-city countries")

Lists = tuple[list[str], dict[str, list[str]]]  # countries in rank order; places of each country


# ---------------------------------------------------------------- ranked lists per method


def _popular(facts: Facts, masks: Masks) -> tuple[Counter, dict[str, Counter]]:
    countries, places = Counter(), {}
    for c in np.flatnonzero(masks.cases):
        for iso in facts.case_countries[c]:
            countries[iso] += 1
            for p in facts.case_places[c]:
                places.setdefault(iso, Counter())[p] += 1
    return countries, places


def _fill(first: Sequence[str], popular: Counter, k: int = PLACE_K) -> list[str]:
    out = list(dict.fromkeys(first))
    for iso, _ in sorted(popular.items(), key=lambda x: (-x[1], x[0])):
        if len(out) >= k:
            break
        if iso not in out:
            out.append(iso)
    return out[:k]


def _places_for(countries: Sequence[str], first: dict[str, Counter], popular: dict[str, Counter]) -> dict:
    out = {}
    for iso in countries:
        ranked = [p for p, _ in sorted(first.get(iso, Counter()).items(), key=lambda x: (-x[1], x[0]))]
        for p, _ in sorted(popular.get(iso, Counter()).items(), key=lambda x: (-x[1], x[0])):
            if p not in ranked:
                ranked.append(p)
        out[iso] = ranked[:PLACES_PER_OPPORTUNITY]
    return out


def method_lists(ranker: OpportunityRanker, g: int, masks: Masks) -> dict[str, Lists]:
    """Each method's countries (top 10) and the places it names in each."""
    facts = ranker.facts
    popular, popular_places = _popular(facts, masks)
    ranked = ranker.rank(g, masks, top_k=PLACE_K)
    out = {"opportunities": ([o.iso2 for o in ranked], {o.iso2: [p.id for p in o.places] for o in ranked})}
    countries = _fill([], popular)
    out["popularity"] = (countries, _places_for(countries, {}, popular_places))
    own, own_places = Counter(), {}
    for c in facts.cases_of[g]:
        if masks.cases[c]:
            for iso in facts.case_countries[c]:
                own[iso] += 1
                for p in facts.case_places[c]:
                    own_places.setdefault(iso, Counter())[p] += 1
    countries = _fill(sorted(own, key=lambda iso: (-own[iso], -popular[iso], iso)), popular)
    out["own past countries"] = (countries, _places_for(countries, own_places, popular_places))
    ties, tie_places = Counter(), {}
    for t in facts.ties_of[g]:
        tie = facts.ties[t]
        if masks.ties[t]:
            ties[tie.iso2] += TIE_WEIGHT.get(tie.kind, TIE_WEIGHT[""])
            if tie.place_id:
                tie_places.setdefault(tie.iso2, Counter())[tie.place_id] += 1
    countries = _fill(sorted(ties, key=lambda iso: (-ties[iso], -popular[iso], iso)), popular)
    out["sister-city countries"] = (countries, _places_for(countries, tie_places, popular_places))
    return out


# ---------------------------------------------------------------- hits


def _place_hit(facts: Facts, iso_places: Sequence[tuple[str, str]], lists: Lists, strict: bool = False) -> bool:
    """Is any of the item's places (iso, id) among the places of the method's top 10 countries?"""
    countries, places = lists
    for iso, item_place in iso_places:
        for suggested in places.get(iso, []) if iso in countries[:PLACE_K] else []:
            if suggested == item_place:
                return True
            if not strict and facts.gazetteer is not None:
                if facts.gazetteer.relation(iso, item_place, suggested)[0] >= PLACE_HIT:
                    return True
    return False


def _score(items: list[dict], lists_of: Callable[[dict], dict[str, Lists]], facts: Facts) -> dict:
    """items: {g, countries, places: [(iso, id)], standing}; hits of every method."""
    out: dict = {}
    for method in METHODS:
        hits = {f"country@{k}": [] for k in COUNTRY_KS}
        places, strict = [], []
        for item in items:
            lists = lists_of(item)[method]
            for k in COUNTRY_KS:
                hits[f"country@{k}"].append(any(iso in lists[0][:k] for iso in item["countries"]))
            if item["places"]:
                places.append(_place_hit(facts, item["places"], lists))
                strict.append(_place_hit(facts, item["places"], lists, strict=True))
        out[method] = {key: round(float(np.mean(v)), 3) if v else None for key, v in hits.items()}
        out[method][f"place@{PLACE_K}"] = round(float(np.mean(places)), 3) if places else None
        out[method][f"same_place@{PLACE_K}"] = round(float(np.mean(strict)), 3) if strict else None
    return out


def _with_lists(ranker: OpportunityRanker, masks_of: Callable[[dict], Masks]) -> Callable[[dict], dict]:
    cache: dict = {}

    def lists_of(item: dict) -> dict:
        masks = masks_of(item)
        key = (item["g"], id(masks))
        if key not in cache:
            cache[key] = method_lists(ranker, item["g"], masks)
        return cache[key]

    return lists_of


def split_items(ranker: OpportunityRanker, windows: Sequence[tuple[int, int | None]]) -> list[dict]:
    """(government, later case) items of some time windows [year, until), each with the world before
    its year (`masks`): cases and agreements that started earlier or carry no year, needs stated
    earlier and not read from a case of the window."""
    facts = ranker.facts
    items = []
    for year, until in windows:
        test = [
            c
            for c in range(len(facts.case_lgs))
            if not facts.domestic[c] and facts.case_year[c] >= year and (until is None or facts.case_year[c] < until)
        ]
        masks = facts.masks_before(year, hidden_cases=test)
        masks.needs &= facts.needs_without(hidden_ids=[ranker.case_ids[c] for c in test])
        for c in test:
            countries = [i for i in facts.case_countries[c] if i != "KR"]
            for g in facts.case_lgs[c]:
                if countries:
                    items.append(
                        {
                            "g": g,
                            "case": ranker.case_ids[c],
                            "masks": masks,
                            "countries": countries,
                            "places": [(countries[0], p) for p in facts.case_places[c]] if len(countries) == 1 else [],
                            "standing": _standing(facts, masks, g, countries),
                        }
                    )
    return items


def time_split(ranker: OpportunityRanker, windows: Sequence[tuple[int, int | None]]) -> dict:
    facts = ranker.facts
    items = split_items(ranker, windows)
    lists_of = _with_lists(ranker, lambda item: item["masks"])
    return {
        "windows": [list(w) for w in windows],
        "cases": len({i["case"] for i in items}),
        **_scored(items, lists_of, facts, ("cases in that country", "cases elsewhere", "no earlier case")),
    }


def _scored(items: list[dict], lists_of, facts: Facts, standings: Sequence[str]) -> dict:
    """The pairs' scores, all together and by what the government had done before."""
    return {
        "pairs": len(items),
        "pairs_with_place": sum(1 for i in items if i["places"]),
        "all": _score(items, lists_of, facts),
        "by_standing": {
            standing: _score([i for i in items if i["standing"] == standing], lists_of, facts)
            for standing in standings
            if any(i["standing"] == standing for i in items)
        },
        "by_standing_pairs": dict(Counter(i["standing"] for i in items)),
    }


def _standing(facts: Facts, masks: Masks, g: int, countries: Sequence[str] = ()) -> str:
    earlier = [c for c in facts.cases_of[g] if masks.cases[c]]
    if not earlier:
        return "no earlier case"
    if any(iso in facts.case_countries[c] for c in earlier for iso in countries):
        return "cases in that country"
    return "cases elsewhere"


def later_projects(rec, ranker: OpportunityRanker, path: Path) -> dict:
    """eval/later_projects.csv against the whole catalogue (needs read from a project itself held out)."""
    facts = ranker.facts
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    position = {code: g for g, code in enumerate(facts.codes)}
    everything = Masks(
        cases=~facts.domestic, ties=np.ones(len(facts.ties), dtype=bool), needs=None, year=int(facts.case_year.max())
    )
    masks_by_id = {}
    items = []
    for row in frame.to_dict("records"):
        iso = row["partner_iso2"]
        masks_by_id[row["id"]] = Masks(
            everything.cases, everything.ties, facts.needs_without(hidden_ids=[row["id"]]), everything.year
        )
        places = []
        if row["place_level"] != "country":
            for written in (row["location_en"], row["place_city_en"], row["place_admin1_en"]):
                _, found, _ = rec.partner_places(Proposal(text="", partner_country=iso, partner_city=written))
                places = [(iso, p.id) for p in found if p.iso2 == iso and p.match != "named"]
                if places:
                    break
        for code in split_codes(row["lg_codes"]):
            if code in position:
                g = position[code]
                items.append(
                    {
                        "g": g,
                        "id": row["id"],
                        "countries": [iso],
                        "places": places,
                        "standing": _later_standing(facts, g, iso),
                    }
                )
    lists_of = _with_lists(ranker, lambda item: masks_by_id[item["id"]])
    return {
        "projects": int(len(frame)),
        **_scored(items, lists_of, facts, ("cases in that country", "cases elsewhere", "no case")),
    }


def _later_standing(facts: Facts, g: int, iso: str) -> str:
    cases = [c for c in facts.cases_of[g] if not facts.domestic[c]]
    if any(iso in facts.case_countries[c] for c in cases):
        return "cases in that country"
    return "cases elsewhere" if cases else "no case"


def evaluate(rec, later_path: Path | None = None) -> dict:
    ranker = rec.officer.ranker
    report = {
        "development": time_split(ranker, DEV_WINDOWS),
        "time_split": time_split(ranker, REPORT_WINDOWS),
    }
    if later_path is not None and Path(later_path).is_file():
        report["later"] = later_projects(rec, ranker, Path(later_path))
    return report


# ---------------------------------------------------------------- the report


def report_lines(report: dict) -> list[str]:
    lines = [
        "## Opportunities (`recommender for-government`)",
        "",
        "Does a government's list of opportunities put the countries and places of its later work near the "
        "top? One row per (government, case) pair; a case of three governments counts three times. Country "
        f"hits@3 and @5; place hits@{PLACE_K}: the case's place is among the places (three at most per "
        f"country) of the top {PLACE_K} countries, as the same place or one containing or lying in it (same "
        "place only in brackets). Baselines are ranked the same way and filled up with popular countries. "
        "Weights chosen on the development split only.",
        "",
    ]
    for key, title in (
        ("development", "Development windows (weights chosen here)"),
        ("time_split", "Time split (reported)"),
        ("later", "Projects found later, by another route (`eval/later_projects.csv`; report only)"),
    ):
        block = report.get(key)
        if not block:
            continue
        if key == "later":
            head = f"{block['projects']} projects, {block['pairs']} (government, project) pairs"
        else:
            spans = ", ".join(f"{y}–{u - 1}" if u else f"{y} on" for y, u in block["windows"])
            head = (
                f"cases of {spans}, each from the world before its first year: {block['cases']} cases, "
                f"{block['pairs']} pairs"
            )
        lines += [
            f"### {title}",
            "",
            f"{head}; {block['pairs_with_place']} pairs have a place.",
            "",
            "| method | country top 3 | country top 5 | place top 10 (same place) |",
            "|---|---|---|---|",
        ]
        for method, m in block["all"].items():
            place = m[f"place@{PLACE_K}"]
            same = m[f"same_place@{PLACE_K}"]
            place_text = f"{place:.2f} ({same:.2f})" if place is not None else "–"
            lines.append(f"| {method} | {m['country@3']:.2f} | {m['country@5']:.2f} | {place_text} |")
        lines.append("")
        for standing, sub in block.get("by_standing", {}).items():
            m = sub["opportunities"]
            base = max(sub[name]["country@3"] for name in METHODS[1:])
            pairs = block.get("by_standing_pairs", {}).get(standing, 0)
            lines.append(
                f"- {standing} ({pairs} pairs): opportunities country top 3 {m['country@3']:.2f}, top 5 "
                f"{m['country@5']:.2f} (best baseline top 3 {base:.2f})"
            )
        lines.append("")
    return lines
