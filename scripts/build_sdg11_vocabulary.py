"""Build data/sdg11_vocabulary.csv from the Bergen SDG 11 search strings (topic approach).

`SDG11_query_topic_WoS.md` of GitHub SDGforskning/sdg-strings (CC BY 4.0, University of Bergen
Library and partners; copied with its licence to ../shared/data-candidates/sdg/bergen_sdg_strings/)
documents one Web of Science phrase per topic of each SDG 11 target. Each phrase becomes one row: its
quoted search terms in order, wildcards (`*`, `$`, `?`) removed, duplicates and one- or two-letter
terms dropped, cut at its exclusions (`NOT ...`) and at the list of least developed countries that
target 11.c adds (place names, not urban vocabulary), at most MAX_TERMS terms. The goal classifier
reads each row as a weakly labelled SDG 11 text (`recommender.evaluation.goal_weak_rows`). Run from
the project folder:

    python scripts/build_sdg11_vocabulary.py [--sources ../shared/data-candidates]
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = Path("sdg") / "bergen_sdg_strings" / "SDG11_query_topic_WoS.md"
TARGET = ROOT / "data" / "sdg11_vocabulary.csv"
MAX_TERMS = 40


def phrases(text: str) -> list[tuple[str, int, str]]:
    """(target id, phrase number, terms joined by spaces) for each phrase of the SDG 11 targets."""
    out = []
    for block in re.split(r"\n### ", text)[1:]:
        if not block.startswith("Target "):
            continue  # "Works mentioning the SDG": the goal's name, not vocabulary
        target = block.split()[1]
        for number, code in enumerate(re.findall(r"```py\n(.*?)```", block, flags=re.S), start=1):
            code = re.split(r"\bNOT\b|\"least developed countr", code)[0]
            terms: list[str] = []
            for term in re.findall(r'"([^"]+)"', code):
                term = re.sub(r"[*$?]", "", term).strip(" -")
                if len(term) > 2 and term.lower() not in {t.lower() for t in terms}:
                    terms.append(term)
            if terms:
                out.append((target, number, " ".join(terms[:MAX_TERMS])))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=Path, default=ROOT.parent / "shared" / "data-candidates")
    args = parser.parse_args(argv)
    path = args.sources / SOURCE
    if not path.is_file():
        raise SystemExit(f"{path}: not found; pass --sources with the folder that holds {SOURCE}")
    rows = phrases(path.read_text(encoding="utf-8"))
    if not rows or any(not target.startswith("11.") for target, _, _ in rows):
        raise SystemExit(f"{path}: expected phrases of SDG 11 targets; received {len(rows)} rows")
    with TARGET.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["target", "phrase", "terms"])
        writer.writerows(rows)
    print(f"{TARGET.relative_to(ROOT)}: {len(rows)} phrases of {len({r[0] for r in rows})} SDG 11 targets")
    return 0


if __name__ == "__main__":
    sys.exit(main())
