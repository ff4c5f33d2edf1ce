"""Load and validate the catalogues in data/.

Every file is read as text (no type guessing), checked against its schema, and fingerprinted so
that an index built from it can tell when the file has changed since.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import CatalogueError

SCHEMAS: dict[str, list[str]] = {
    "sdg_goals": ["goal", "name_en", "name_ko", "title_ko", "colour"],
    "sdg_targets": [
        "id",
        "goal",
        "title_en",
        "text_en",
        "indicators",
        "is_sdg11",
        "goal_name_en",
        "goal_name_ko",
        "title_ko",
        "text_ko",
        "aurora_query",
    ],
    "local_governments": ["code", "level", "parent", "name_ko", "name_en", "type", "area_km2", "lat", "lon"],
    "countries": ["iso2", "iso3", "name_en", "name_ko"],
    "cities": ["geonameid", "name", "name_ko", "iso2", "lat", "lon", "population"],
    "dac_sectors": ["code", "name", "name_ko"],
    "precedents": [
        "id",
        "lg_codes",
        "domestic",
        "partner_iso2",
        "partner_locality",
        "year_start",
        "year_end",
        "sector",
        "dac_code",
        "budget_krw",
        "modality",
        "title_en",
        "title_ko",
        "category_ko",
        "description_en",
        "description_ko",
        "sdg_targets_hint",
        "source_url",
        "status",
        "partner_city",
        "partner_place_ids",  # the partner places resolved by recommender.places at build time
    ],
    "lg_ties_wikipedia": ["code", "partner_city", "partner_iso2", "source", "place_id"],
    # place_id: the partner place resolved by recommender.places at build time
    "lg_ties_sourced": [
        "code",
        "partner_city",
        "partner_city_ko",
        "partner_iso2",
        "tie_type",
        "year",
        "source",
        "place_id",
    ],
    "lg_profiles": [
        "code",
        "population_2025",
        "density_2025",
        "share_agri_forestry_fishing",
        "share_manufacturing",
        "coast_km",
        "coastal",
        "has_airport",
        "has_seaport",
    ],
}
# The catalogues that get a vector index; the others are lookup tables.
INDEXED = ("sdg_targets", "precedents")


def row_number(index: int) -> int:
    """Spreadsheet row of a data row: the header is row 1."""
    return index + 2


def file_fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


@dataclass(frozen=True)
class Catalogues:
    data_dir: Path
    sdg_goals: pd.DataFrame
    sdg_targets: pd.DataFrame
    local_governments: pd.DataFrame
    countries: pd.DataFrame
    cities: pd.DataFrame
    dac_sectors: pd.DataFrame
    precedents: pd.DataFrame
    lg_ties: pd.DataFrame  # both tie files, with the licence of each row
    lg_profiles: pd.DataFrame
    fingerprints: dict[str, str] = field(default_factory=dict)

    def frame(self, name: str) -> pd.DataFrame:
        return getattr(self, name)


def _read(data_dir: Path, name: str) -> tuple[pd.DataFrame, str]:
    path = data_dir / f"{name}.csv"
    if not path.is_file():
        raise CatalogueError(
            str(path),
            "file not found; expected one of the catalogues built by "
            "`python scripts/build_data.py` (the repository ships them in data/)",
        )
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise CatalogueError(str(path), f"cannot be read as UTF-8 CSV ({exc})") from exc
    missing = [c for c in SCHEMAS[name] if c not in frame.columns]
    if missing:
        raise CatalogueError(str(path), f"missing column(s) {missing}; found {list(frame.columns)}", column=missing[0])
    return frame, file_fingerprint(path)


def _check_unique(frame: pd.DataFrame, column: str, file: str) -> None:
    dup = frame[column].duplicated(keep="first")
    if dup.any():
        i = int(dup.to_numpy().nonzero()[0][0])
        raise CatalogueError(
            file, f"duplicate id {frame[column].iloc[i]!r} (ids must be unique)", row=row_number(i), column=column
        )


def _check_nonempty(frame: pd.DataFrame, column: str, file: str) -> None:
    empty = frame[column].str.strip() == ""
    if empty.any():
        i = int(empty.to_numpy().nonzero()[0][0])
        raise CatalogueError(file, "empty value where one is required", row=row_number(i), column=column)


def _numbers(frame: pd.DataFrame, column: str, file: str, low: float, high: float, as_text: bool = False) -> pd.Series:
    """A column of finite numbers within [low, high]; CatalogueError names the first bad value."""
    values = pd.to_numeric(frame[column].str.strip(), errors="coerce")
    bad = ~values.between(low, high)
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise CatalogueError(
            file,
            f"{frame[column].iloc[i]!r} is not a number between {low:g} and {high:g}",
            row=row_number(i),
            column=column,
        )
    return frame[column] if as_text else values


def split_codes(value: str) -> list[str]:
    return [v.strip() for v in str(value).split(";") if v.strip()]


def load_catalogues(data_dir: str | Path) -> Catalogues:
    """Read every catalogue in data_dir and check it; raises CatalogueError naming file, row and column."""
    data_dir = Path(data_dir)
    frames, prints = {}, {}
    for name in SCHEMAS:
        frames[name], prints[name] = _read(data_dir, name)
    f = {name: str(data_dir / f"{name}.csv") for name in SCHEMAS}

    for name, key in [
        ("sdg_goals", "goal"),
        ("sdg_targets", "id"),
        ("local_governments", "code"),
        ("countries", "iso2"),
        ("precedents", "id"),
        ("dac_sectors", "code"),
    ]:
        _check_nonempty(frames[name], key, f[name])
        _check_unique(frames[name], key, f[name])

    targets = frames["sdg_targets"]
    goals = set(frames["sdg_goals"]["goal"])
    for i, (tid, goal) in enumerate(zip(targets["id"], targets["goal"])):
        if goal not in goals or not tid.startswith(goal + "."):
            raise CatalogueError(
                f["sdg_targets"],
                f"target {tid!r} does not belong to a known goal (goal column {goal!r})",
                row=row_number(i),
                column="goal",
            )
    _check_nonempty(targets, "text_en", f["sdg_targets"])
    targets = targets.assign(goal=targets["goal"].astype(int), is_sdg11=targets["is_sdg11"].str.lower() == "true")
    frames["sdg_targets"] = targets
    frames["sdg_goals"] = frames["sdg_goals"].assign(goal=frames["sdg_goals"]["goal"].astype(int))

    lgs = frames["local_governments"]
    known_lg = set(lgs["code"])
    for i, parent in enumerate(lgs["parent"]):
        if parent and parent not in known_lg:
            raise CatalogueError(
                f["local_governments"], f"unknown parent code {parent!r}", row=row_number(i), column="parent"
            )
    frames["local_governments"] = lgs.assign(
        lat=_numbers(lgs, "lat", f["local_governments"], -90, 90),
        lon=_numbers(lgs, "lon", f["local_governments"], -180, 180),
    )
    frames["cities"] = frames["cities"].assign(
        lat=_numbers(frames["cities"], "lat", f["cities"], -90, 90, as_text=True),
        lon=_numbers(frames["cities"], "lon", f["cities"], -180, 180, as_text=True),
    )

    prec = frames["precedents"]
    known_targets = set(targets["id"])
    known_iso = set(frames["countries"]["iso2"])
    for i, row in enumerate(prec.to_dict("records")):
        codes = split_codes(row["lg_codes"])
        if not codes:
            raise CatalogueError(f["precedents"], "no local-government code", row=row_number(i), column="lg_codes")
        for code in codes:
            if code not in known_lg:
                raise CatalogueError(
                    f["precedents"],
                    f"unknown local-government code {code!r}; expected a 2- or 5-digit code from local_governments.csv",
                    row=row_number(i),
                    column="lg_codes",
                )
        for tid in split_codes(row["sdg_targets_hint"]):
            if tid not in known_targets:
                raise CatalogueError(
                    f["precedents"],
                    f"unknown SDG target {tid!r}; expected an id from sdg_targets.csv such as '11.5'",
                    row=row_number(i),
                    column="sdg_targets_hint",
                )
        for iso in split_codes(row["partner_iso2"]):
            if iso not in known_iso:
                raise CatalogueError(
                    f["precedents"],
                    f"unknown country code {iso!r}; expected an ISO 3166 alpha-2 code from countries.csv",
                    row=row_number(i),
                    column="partner_iso2",
                )
        if not (row["description_en"].strip() or row["description_ko"].strip()):
            raise CatalogueError(
                f["precedents"], "no description in either language", row=row_number(i), column="description_en"
            )
    frames["precedents"] = prec.assign(
        domestic=prec["domestic"].str.lower() == "true",
        budget_krw=pd.to_numeric(prec["budget_krw"], errors="coerce"),
        year_start=pd.to_numeric(prec["year_start"], errors="coerce").astype("Int64"),
        year_end=pd.to_numeric(prec["year_end"], errors="coerce").astype("Int64"),
    )
    status = frames["precedents"]["status"]
    bad = ~status.isin(["planned", "ongoing", "completed"])
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise CatalogueError(
            f["precedents"],
            f"status must be planned, ongoing or completed; received {status.iloc[i]!r}",
            row=row_number(i),
            column="status",
        )
    ties = []
    for name, licence in (("lg_ties_wikipedia", "CC BY-SA 4.0"), ("lg_ties_sourced", "facts, source URL")):
        frame = frames.pop(name)
        for i, (code, iso) in enumerate(zip(frame["code"], frame["partner_iso2"])):
            if code not in known_lg:
                raise CatalogueError(
                    f[name], f"unknown local-government code {code!r}", row=row_number(i), column="code"
                )
            if iso not in known_iso:
                raise CatalogueError(f[name], f"unknown country code {iso!r}", row=row_number(i), column="partner_iso2")
        kinds = frame.get("tie_type", pd.Series([""] * len(frame)))
        bad_kind = ~kinds.isin(["", "sister", "friendship", "mou"])
        if bad_kind.any():
            i = int(bad_kind.to_numpy().nonzero()[0][0])
            raise CatalogueError(
                f[name],
                f"tie_type must be sister, friendship, mou or empty; received {kinds.iloc[i]!r}",
                row=row_number(i),
                column="tie_type",
            )
        ties.append(frame.reindex(columns=SCHEMAS["lg_ties_sourced"], fill_value="").assign(licence=licence))
    frames["lg_ties"] = pd.concat(ties, ignore_index=True)
    prints["lg_ties"] = prints.pop("lg_ties_wikipedia") + prints.pop("lg_ties_sourced")
    profiles = frames["lg_profiles"]
    missing = known_lg - set(profiles["code"])
    if missing:
        raise CatalogueError(f["lg_profiles"], f"no profile for governments {sorted(missing)[:5]}", column="code")
    numeric = {
        c: pd.to_numeric(profiles[c], errors="coerce")
        for c in ("population_2025", "density_2025", "share_agri_forestry_fishing", "share_manufacturing", "coast_km")
    }
    flags = {c: profiles[c].str.lower() == "true" for c in ("coastal", "has_airport", "has_seaport")}
    frames["lg_profiles"] = profiles.assign(**numeric, **flags)
    return Catalogues(data_dir=data_dir, fingerprints=prints, **frames)


# ---------------------------------------------------------------- item texts
# The one place that says how a catalogue item becomes text: index passages (and so the index
# fingerprint), lexical documents, shared-word terms and goal-classifier inputs all come from here.


def target_passage(row: dict, lang: str) -> str:
    """A target as the encoders read it: goal name, short title and full text in one language."""
    return f"{row[f'goal_name_{lang}']}: {row[f'title_{lang}']}. {row[f'text_{lang}']}"


def precedent_passage(row: dict, lang: str) -> str:
    # The Korean version is read with its category line (government, country and DAC category), not its
    # title: the title names places and the point for the reader, while the index, the lexical model and
    # the project typology built from them were measured with this line (docs/precedent_parity.md).
    if lang == "en":
        return f"{row['title_en']}. {row['description_en']}. {row['modality']}"
    return f"{row['category_ko']}. {row['description_ko']}"


def index_passages(cat: Catalogues, name: str) -> tuple[list[str], list[str], list[str]]:
    """(item id, passage text, language) for every vector row of an indexed catalogue.

    Targets are indexed in English only: our Korean target texts serve the lexical signal and the
    display, and as vectors they made Korean proposals worse (docs/evaluation.md, "Tried and not kept").
    """
    ids, texts, langs = [], [], []
    if name == "sdg_targets":
        for row in cat.sdg_targets.to_dict("records"):
            ids.append(row["id"])
            texts.append(target_passage(row, "en"))
            langs.append("en")
    elif name == "precedents":
        for row in cat.precedents.to_dict("records"):
            for lang in ("en", "ko"):
                if row[f"description_{lang}"]:
                    ids.append(row["id"])
                    texts.append(precedent_passage(row, lang))
                    langs.append(lang)
    else:
        raise ValueError(f"catalogue must be one of {INDEXED}; received {name!r}")
    return ids, texts, langs


def lexical_texts(row: dict, name: str) -> tuple[str, str]:
    """(English, Korean) documents of one item for the lexical signal; '' where a language is missing."""
    if name == "sdg_targets":
        return f"{row['title_en']}. {row['text_en']}", f"{row['title_ko']}. {row['text_ko']}" if row["text_ko"] else ""
    return (
        f"{row['title_en']}. {row['description_en']} {row['sector']}",
        f"{row['category_ko']}. {row['description_ko']}" if row["description_ko"] else "",
    )


def lexical_corpus(cat: Catalogues, name: str) -> tuple[list[str], list[int]]:
    """(documents, the item of each): one document per language an item has text in."""
    documents, items = [], []
    for item, row in enumerate(cat.frame(name).to_dict("records")):
        for text in lexical_texts(row, name):
            if text:
                documents.append(text)
                items.append(item)
    return documents, items


def terms_text(row: dict, name: str) -> str:
    """Both languages of an item, for the shared words shown in reasons."""
    if name == "sdg_targets":
        return f"{row['title_en']} {row['text_en']} {row['title_ko']} {row['text_ko']}"
    return f"{row['title_en']} {row['description_en']} {row['title_ko']} {row['description_ko']}"
