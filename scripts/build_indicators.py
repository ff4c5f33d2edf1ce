"""Build data/sdg_indicators.csv: every official SDG indicator with its code, target and texts in
English and Korean.

    python scripts/build_indicators.py --sources ../shared/data-candidates

English: the UN global indicator framework (annex to A/RES/71/313, after the 2025 review). Korean:
Statistics Korea's indicator names (its SDG data platform's translation file) where its English
wording is still the UN's; our own translation (marked `ours`) where the 2025 review changed the
wording or Statistics Korea has no Korean name, listed in scripts/translations/sdg_indicators_ko.tsv
with the reason. An indicator whose wording changed and that the list does not settle stops the
build: a person has to read it and decide.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
FRAMEWORK = "sdg/un_global_indicator_framework_after_2025_review_A.RES.71.313_annex.csv"
KOSTAT = "sdg/kostat_sdg_translations"
OVERRIDES = ROOT / "scripts/translations/sdg_indicators_ko.tsv"
COLUMNS = ["code", "target", "goal", "un_code", "text_en", "text_ko", "ko_source"]
# KOSTAT's English and the UN's English count as the same wording at or above this similarity
# (dash characters, capitals and footnote marks differ between the two files).
SAME_WORDING = 0.97


def clean(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def read_framework(path: Path) -> list[dict]:
    """(code, target, goal, un_code, text_en) of every indicator, in the framework's order."""
    out, target = [], None
    for row in csv.reader(path.open(encoding="utf-8")):
        cells = (row + ["", "", "", ""])[:4]
        target_cell, indicator_cell = clean(cells[1]), clean(cells[2])
        found = re.match(r"^(\d{1,2})\.([0-9]{1,2}|[a-z])\s", target_cell)
        if found:
            target = f"{found.group(1)}.{found.group(2)}"
        elif target_cell.startswith("Goal "):
            target = None
        if not (target and indicator_cell):
            continue
        indicator = re.match(r"^(\d{1,2}\.[0-9a-z]{1,2}\.\d+)\s+(.*)$", indicator_cell)
        if not indicator:
            raise SystemExit(f"{path}: cannot read an indicator code in {indicator_cell[:80]!r}")
        code, text = indicator.groups()
        if not code.startswith(target + "."):
            raise SystemExit(f"{path}: indicator {code} found under target {target}")
        # a footnote mark glued to the last word ("by speed4")
        text = re.sub(r"(?<=[a-z])\d$", "", text)
        out.append(
            {"code": code, "target": target, "goal": target.split(".")[0], "un_code": clean(cells[3]), "text_en": text}
        )
    return out


def normalise(text: str) -> str:
    return re.sub(r"[\u2010-\u2015\u2212-]", "-", clean(text).lower())


def read_overrides(path: Path) -> dict[str, tuple[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return {r["code"]: (r["text_ko"].strip(), r["note"].strip()) for r in csv.DictReader(handle, delimiter="\t")}


def korean_names(indicators: list[dict], folder: Path, overrides: dict[str, tuple[str, str]]) -> list[dict]:
    ko = yaml.safe_load((folder / "ko_global_indicators.yml").read_text(encoding="utf-8"))
    en = yaml.safe_load((folder / "en_global_indicators.yml").read_text(encoding="utf-8"))
    unsettled = []
    for item in indicators:
        key = item["code"].replace(".", "-") + "-title"
        official = clean(ko.get(key, ""))
        has_korean = bool(re.search("[가-힣]", official))
        same = difflib.SequenceMatcher(None, normalise(en.get(key, "")), normalise(item["text_en"])).ratio()
        if item["code"] in overrides:
            text, _note = overrides[item["code"]]
            if text:
                item["text_ko"], item["ko_source"] = text, "ours"
            elif has_korean:  # reviewed: the wording changed but the Korean name still says it
                item["text_ko"], item["ko_source"] = official, "kostat"
            else:
                unsettled.append(f"{item['code']}: kept as KOSTAT's but KOSTAT has no Korean name")
        elif has_korean and same >= SAME_WORDING:
            item["text_ko"], item["ko_source"] = official, "kostat"
        else:
            unsettled.append(f"{item['code']} ({item['text_en'][:70]})")
    if unsettled:
        raise SystemExit(
            "these indicators have no settled Korean name (the UN wording changed since Statistics Korea's, or it "
            f"has none): add them to {OVERRIDES.relative_to(ROOT)}:\n  " + "\n  ".join(unsettled)
        )
    return indicators


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=Path, default=ROOT.parent / "shared/data-candidates")
    parser.add_argument("--out", type=Path, default=ROOT / "data/sdg_indicators.csv")
    args = parser.parse_args(argv)
    indicators = korean_names(
        read_framework(args.sources / FRAMEWORK), args.sources / KOSTAT, read_overrides(OVERRIDES)
    )
    with args.out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(indicators)
    ours = sum(i["ko_source"] == "ours" for i in indicators)
    print(f"wrote {args.out}: {len(indicators)} indicators ({ours} Korean names ours)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
