"""Does the place linker name the place a real project meant? (`recommender evaluate`, "Partner places")

Measured on `eval/later_projects.csv`: each project's place as the English source wrote it, as Korean
media wrote it, and named only in the project's text (English and Korean) with the field blank. The
intended place is the row's most specific level (`place_level`) with its province and city in English
(`place_admin1_en`, `place_city_en`); a linked place names it when it is at that level (a namesake city
and province count as one; a district or village inside an intended province counts, as the source named
it more closely) and its own name or another of its gazetteer spellings, or its parents' for a place below
a city, sounds like the intended one (the sound key of recommender.places, similarity 0.85 or more)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from rapidfuzz import fuzz

from .places import PartnerPlace, en_variants, sound_key

SAME_NAME = 85


def _like(name: str, target: str) -> bool:
    if not name or not target:
        return False
    a = {sound_key(v) for v, _ in en_variants(name)}
    b = {sound_key(v) for v, _ in en_variants(target)}
    return any(x and y and (x == y or fuzz.ratio(x, y) >= SAME_NAME) for x in a for y in b)


def names_intended(places: list[PartnerPlace], row: dict, spellings=None) -> bool:
    """`spellings(iso2, id)`: a gazetteer place's other spellings, so that a place GeoNames calls
    "Central Aimak" is the "Töv" a source names (the same place, not a closer guess)."""
    level = row["place_level"]
    if level == "country":
        return not [p for p in places if p.match != "named"]  # nothing more specific invented

    def called(iso2: str, ref) -> list[str]:
        return [ref.name_en, *(spellings(iso2, ref.id) if spellings else ())]

    admin1, city = row.get("place_admin1_en", ""), row.get("place_city_en", "")
    for p in places:
        names = called(p.iso2, p) + [n for q in p.parents if q.level == p.level for n in called(p.iso2, q)]
        first_parent = [n for q in p.parents[:1] for n in called(p.iso2, q)]
        if level == "province" and p.level in ("province", "city"):
            if any(_like(n, admin1) for n in names + first_parent):
                return True
        if level == "province" and p.level in ("district", "village"):  # a place inside it, named more closely
            if any(_like(n, admin1) for q in p.parents if q.level == "province" for n in called(p.iso2, q)):
                return True
        if level == "city" and p.level in ("city", "province"):
            if any(_like(n, city or admin1) for n in names):
                return True
        if level in ("district", "village") and p.level in ("district", "village", "city"):
            inside = [n for q in p.parents for n in called(p.iso2, q)]
            if any(_like(n, x) for n in inside for x in (city, admin1) if x) or not (city or admin1):
                return True
    return False


def place_linking(rec, path: Path) -> dict:
    from .proposal import Proposal

    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    gazetteer = rec.gazetteer

    def spellings(iso2: str, place_id: str) -> list[str]:
        places = gazetteer.country(iso2)
        row = places.row_of(place_id)
        return [n for n in places.names[row].split("|") if n] if row is not None else []

    out: dict[str, dict] = {}
    settings = {
        "field, English": ("location_en", None),
        "field, Korean": ("location_ko", None),
        "text only, English": (None, "text_en"),
        "text only, Korean": (None, "text_ko"),
    }
    for name, (field, text) in settings.items():
        hits, n, misses = 0, 0, []
        for r in frame.to_dict("records"):
            if field and not r[field]:
                continue
            if text and (not r[text] or r["place_level"] == "country"):
                continue
            iso = r["partner_iso2"].split(";")[0].strip() or None
            proposal = Proposal(
                text=r[text] if text else "", partner_country=iso, partner_city=r[field] if field else ""
            )
            places = list(rec.partner_places(proposal)[1])
            ok = names_intended(places, r, spellings)
            hits += ok
            n += 1
            if not ok:
                misses.append(
                    {"id": r["id"], "written": r[field] if field else "(text)", "got": [p.label() for p in places]}
                )
        out[name] = {"named": hits / n if n else None, "n": n, "misses": misses}
    return out


def report_lines(block: dict) -> list[str]:
    lines = [
        "## Partner places",
        "",
        "Does `partner_places` name the place a real project meant (`eval/later_projects.csv`, found later "
        "and never used to build the linker)? The intended place is the most specific level the source names, "
        "with its province and city; the field as the source writes it, or only the project's text with the "
        "field blank (projects naming a country only are left out of the text rows).",
        "",
        "| place written in | named the intended place | n |",
        "|---|---|---|",
    ]
    for name, m in block.items():
        if m["n"]:
            lines.append(f"| {name} | {m['named']:.2f} | {m['n']} |")
    lines.append("")
    misses = [(name, x) for name, m in block.items() for x in m["misses"]]
    if misses:
        lines += ["Misses:", ""]
        lines += [f"- {name}, {x['id']}: {x['written']!r} → {'; '.join(x['got']) or 'nothing'}" for name, x in misses]
        lines.append("")
    return lines
