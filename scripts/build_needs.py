"""Build data/partner_needs.csv and data/priority_countries.csv: what partner places and countries
have asked Korea for, each row with its source and how much that source can be trusted.

Inputs (scripts/sources/needs/, copied there so a fresh clone rebuilds without the shared folder):
- partner_needs_raw.csv: collected by a colleague who could no longer re-read pages. `request` rows
  were taken from our own case summaries (each cites the case's source page, not re-read);
  `country_priority` rows restate koica_priority_countries_sectors.csv one sector a row, with the
  evidence level its NOTES give (in the row's `source_states`).
- koica_priority_countries_sectors.csv (+ _NOTES.md): Korea's 27 priority partner countries of the
  3rd period (2021-2025) and the sectors a source states for 22 of them.
- description_requests.csv: every description of our cases (data/precedents.csv) and evaluation
  sets (eval/) in which a request word occurs, read by a person: did the partner ask? The build
  fails when a description with a request word has not been reviewed, and when a reviewed request is
  not in the raw rows, so nothing a description states is lost and nothing is guessed.

Each need's place is linked with the product's own partner-place linker (recommender.places), and
each sector phrase is read into lines of work and DAC codes (recommender.lines).

    python scripts/build_needs.py [--out data/]
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from recommender.lines import BY_KEY, lines_named  # noqa: E402
from recommender.needs import EVIDENCE, NEED_COLUMNS, PRIORITY_COLUMNS  # noqa: E402
from recommender.places import Gazetteer, PlaceLinker  # noqa: E402

SOURCES = ROOT / "scripts" / "sources" / "needs"
DATA = ROOT / "data"
# A request word in a description (English or Korean); each hit must be reviewed by a person.
REQUEST_WORDS = re.compile(
    r"\b(request(ed|s)?|asked|ask(ing)? for|at the invitation|wish(ed)?|called for|sought|demand)\b"
    r"|요청|요구|희망|건의|부탁|수요",
    re.IGNORECASE,
)
DESCRIPTIONS = (
    ("data/precedents.csv", ("description_en", "description_ko")),
    ("eval/unseen_government_cases.csv", ("text_en", "text_ko")),
    ("eval/later_projects.csv", ("text_en", "text_ko")),
)
# The evidence level the colleague copied from the NOTES file into each country row.
NOTES_LEVEL = {
    "3rd-period strategy or ODA policy dialogue stated": "policy_statement",
    "KOICA portfolio described in news, not strategy text": "portfolio_news",
    "older (1st/2nd period) strategy only": "older_strategy",
    "blank": "",
}
CASE_ID = re.compile(r"\b([A-Z]{1,2}\d{3})\b")


def read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def reviewed_requests() -> dict[str, dict]:
    """Every description with a request word, checked against the review; the ids the partner asked in."""
    review = {(r["file"], r["id"]): r for r in read(SOURCES / "description_requests.csv")}
    unreviewed = []
    for name, columns in DESCRIPTIONS:
        for row in read(ROOT / name):
            if any(REQUEST_WORDS.search(row[c]) for c in columns) and (name, row["id"]) not in review:
                unreviewed.append(f"{name} {row['id']}")
    if unreviewed:
        raise SystemExit(
            f"descriptions with a request word that nobody has reviewed: {unreviewed}; read each and add a row to "
            f"{SOURCES / 'description_requests.csv'} (partner_asked yes/no, who, why)"
        )
    return {key[1]: r for key, r in review.items() if r["partner_asked"] == "yes"}


def government_codes(names: str, governments: list[dict]) -> str:
    """Codes of the Korean governments a request was made to ("서울특별시 강북구" -> 11305); a short name
    that several governments share ("중구") is never guessed."""
    codes = []
    for name in filter(None, (n.strip() for n in names.split(";"))):
        name = re.sub(r"의회$", "", name)  # a council (경기도의회) is an organ of its government
        hits = [g for g in governments if name in (g["name_ko"], f"{g['parent_name_ko']} {g['name_ko']}".strip())]
        if len(hits) == 1:
            codes.append(hits[0]["code"])
    return ";".join(dict.fromkeys(codes))


def evidence_of(row: dict) -> tuple[str, str]:
    """(evidence level, the words of it) for a raw row."""
    if row["kind"] == "request":
        return "case_summary", EVIDENCE["case_summary"][0]
    found = [level for words, level in NOTES_LEVEL.items() if f"NOTES level: {words}" in row["source_states"]]
    level = found[0] if len(found) == 1 else None
    if level is None:
        raise SystemExit(f"unknown NOTES level in {row['source_states'][:160]!r}")
    return level, EVIDENCE[level][0] if level else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DATA, help="folder to write the two files to (default: data/)")
    out = parser.parse_args().out
    raw = read(SOURCES / "partner_needs_raw.csv")
    priority_source = {r["country_iso2"]: r for r in read(SOURCES / "koica_priority_countries_sectors.csv")}
    governments = read(DATA / "local_governments.csv")
    countries = read(DATA / "countries.csv")
    linker = PlaceLinker(Gazetteer(DATA / "places.csv"), {c["iso2"]: (c["name_en"], c["name_ko"]) for c in countries})
    asked = reviewed_requests()
    mentioned = set()
    needs, priorities, dropped = [], {}, []
    for n, row in enumerate(raw, start=2):
        level, words = evidence_of(row)
        iso = row["partner_iso2"]
        if row["kind"] == "country_priority" and iso not in priorities:
            source = priority_source[iso]
            priorities[iso] = {
                "iso2": iso,
                "name_en": source["country_en"],
                "name_ko": source["country_ko"],
                "period": source["period"],
                "list_source": "donortracker.org 2021-2025 policy update; etnews 2023-02-09 (제3기 중점협력국 27개국)",
                "sectors_en": source["priority_sectors_en"],
                "sectors_ko": source["priority_sectors_ko"],
                "evidence_level": level,
                "evidence": words,
                "source_url": source["source_url"],
            }
        lines = lines_named(row["sector"]) or lines_named(row["need_en"])  # the sector phrase says it best
        if not row["sector"].strip() or not lines:  # "(priority country; sectors not stated …)"
            dropped.append(f"row {n} {iso}: {row['need_en'][:60]}")
            continue
        cases = [c for c in CASE_ID.findall(row["source_states"])]
        mentioned.update(cases)
        place, place_level = "", ""
        # in these rows a bracket holds the place's parent ("Bayannuur soum (Bulgan Province)")
        written = re.sub(r"\s*\(([^)]*)\)", r", \1", row["place_en"] or row["place_ko"])
        if written:
            found = [p for p in linker.link(written, iso) if p.match != "named" or p.parents]
            if not found and row["place_ko"]:
                found = [p for p in linker.link(row["place_ko"], iso) if p.match != "named" or p.parents]
            if found:
                place, place_level = found[0].id, found[0].level
        codes = sorted({c for key in lines for c in BY_KEY[key].codes})
        needs.append(
            {
                "id": f"N{len(needs) + 1:03d}",
                "kind": row["kind"],
                "partner_iso2": iso,
                "place_en": row["place_en"],
                "place_ko": row["place_ko"],
                "place_id": place,
                "place_level": place_level,
                "need_en": row["need_en"],
                "need_ko": row["need_ko"],
                "sector": row["sector"],
                "lines": ";".join(lines),
                "dac_codes": ";".join(codes),
                "sdg_targets": row["sdg_targets"],
                "year": row["year"],
                "requested_of": row["requested_of"],
                "lg_codes": government_codes(row["requested_of"], governments),
                "case_ids": ";".join(dict.fromkeys(cases)),
                "evidence_level": level,
                "evidence": words,
                "raw_evidence": row["evidence"],
                "source_url": row["source_url"],
                "source_date": row["source_date"],
                "source_states": row["source_states"],
            }
        )
    missing = sorted(set(asked) - mentioned)
    if missing:
        raise SystemExit(
            f"descriptions say the partner asked, but no request row cites them: {missing}; add the request to "
            f"{SOURCES / 'partner_needs_raw.csv'}"
        )
    for iso in priority_source:
        if iso not in priorities:
            raise SystemExit(f"priority country {iso} has no row in partner_needs_raw.csv")
    for name, rows, columns in (
        ("partner_needs.csv", needs, NEED_COLUMNS),
        ("priority_countries.csv", sorted(priorities.values(), key=lambda r: r["iso2"]), PRIORITY_COLUMNS),
    ):
        with open(out / name, "w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    linked = sum(1 for r in needs if r["place_id"])
    placed = sum(1 for r in needs if r["place_en"] or r["place_ko"])
    print(
        f"partner_needs.csv: {len(needs)} needs ({sum(r['kind'] == 'request' for r in needs)} requests, "
        f"{sum(r['kind'] == 'country_priority' for r in needs)} country priorities); {linked} of {placed} places "
        f"linked; dropped {len(dropped)} rows without a stated need: {dropped}\n"
        f"priority_countries.csv: {len(priorities)} countries; descriptions stating a partner request: "
        f"{sorted(asked)}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
