"""Build data/lexicon_ko_en.tsv from scripts/sources/lexicon_ko_en.tsv.

Normalises to NFC, trims, drops exact duplicates (the first row of a Korean term wins) and rows with
no English, and sorts by Korean term so that a diff shows what changed. Run from the project folder:

    python scripts/build_lexicon.py
"""

from __future__ import annotations

import csv
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "scripts" / "sources" / "lexicon_ko_en.tsv"
TARGET = ROOT / "data" / "lexicon_ko_en.tsv"
SOURCES = {"ours", "targets", "precedents", "parallel"}


def main() -> int:
    with SOURCE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    kept: dict[str, tuple[str, str]] = {}
    for n, row in enumerate(rows, start=2):
        ko = unicodedata.normalize("NFC", row["ko"].strip())
        en = "|".join(a.strip() for a in unicodedata.normalize("NFC", row["en"]).split("|") if a.strip())
        source = row["source"].strip()
        if source not in SOURCES:
            raise SystemExit(f"{SOURCE}, row {n}: source must be one of {sorted(SOURCES)}; received {source!r}")
        if ko and en and ko not in kept:
            kept[ko] = (en, source)
    with TARGET.open("w", encoding="utf-8", newline="") as handle:
        handle.write("ko\ten\tsource\n")
        for ko in sorted(kept):
            en, source = kept[ko]
            handle.write(f"{ko}\t{en}\t{source}\n")
    print(f"{TARGET.relative_to(ROOT)}: {len(kept)} terms from {len(rows)} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
