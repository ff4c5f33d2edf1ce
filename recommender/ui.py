"""Pure helpers of the Streamlit app: uploads, error texts, maps and the PDF (the screening worklist
is recommender/worklist.py, shared with the workbook).

Nothing here draws; app.py calls these and shows what they return, so each can be tested without a
browser. Every text comes from the one message catalogue (explain.MESSAGES).
"""

from __future__ import annotations

import io
import json
import math
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .documents import MAX_FILE_BYTES, check_archive, title_and_body
from .documents import SUFFIXES as DOCUMENT_SUFFIXES
from .errors import InputError
from .explain import message, render_markdown
from .filetypes import sniff
from .money import format_krw
from .results import Recommendation, RowError

BASEMAP_DIR = Path(__file__).resolve().parents[1] / "data" / "basemap"
NO_CLOSE_PRECEDENT = 0.4  # below this best precedent score the app says that nothing is close
MAX_CALL_DOCUMENTS = 500

# ---------------------------------------------------------------- error texts

# English InputError texts (library) -> message id and the values the message needs. Anything not
# listed is shown under a translated heading with the original detail.
_ERRORS: tuple[tuple[str, str], ...] = (
    (r"partner country '(?P<value>.*?)' is not known", "err.country"),
    (r"proposal text is empty or has no words", "err.empty_text"),
    (r"proposal text has (?P<n>[\d,]+) characters; at most (?P<most>[\d,]+)", "err.too_long"),
    (r"proposal text looks like binary data", "err.binary"),
    (r"budget must be a number", "err.budget_number"),
    (r"budget must be zero or more", "err.budget_negative"),
    (r"no text column", "err.no_text_column"),
    (r"neither UTF-8 nor CP949", "err.encoding"),
    (r"input must be \.csv", "err.table_type"),
    (r"documents must be", "err.doc_type"),
    (r"password-protected \(encrypted\)|PDF is encrypted", "err.file_password"),
    (r"password-protected", "err.hwp_password"),
    (r"distribution document", "err.hwp_distribution"),
    (r"DRM or certificate", "err.hwp_drm"),
    (r"bomb|unpacks to more than|unpacks past", "err.bomb"),
    (r"no text layer", "err.pdf_scan"),
    (r"MB is over the (?P<mb>\d+) MB limit", "err.too_big_file"),
    (r"XML declares entities", "err.xml_entities"),
    (r"no text found|no paragraphs of text|no text to take a title", "err.no_text"),
    (r"HWP version", "err.hwp_version"),
    (r"not a valid|damaged|truncated|cannot be read|cannot read|is it really|not an HWP", "err.damaged"),
)


@dataclass(frozen=True)
class ErrorText:
    """An error as the UI shows it: a sentence in the UI language and, when the library's message
    had no translation, its original detail (shown folded away, not as the message)."""

    text: str
    detail: str = ""


def error_text(error: Exception | str, lang: str) -> ErrorText:
    original = str(error)
    for pattern, key in _ERRORS:
        found = re.search(pattern, original)
        if found:
            return ErrorText(message(key, lang, **found.groupdict()))
    return ErrorText(message("err.other", lang), original)


# ---------------------------------------------------------------- uploads

# What a file of each suffix must look like inside, as `filetypes.sniff` names it.
EXPECTED = {
    ".csv": "text",
    ".txt": "text",
    ".jsonl": "text",
    ".xlsx": "zip",
    ".docx": "zip",
    ".hwpx": "zip",
    ".zip": "zip",
    ".pdf": "pdf",
    ".hwp": "ole",
    ".parquet": "parquet",
}


def upload_problem(data: bytes, name: str, lang: str, max_bytes: int = MAX_FILE_BYTES) -> str | None:
    """Why an uploaded file cannot be used, in the UI language, or None. Checks size and that the
    contents are of the type the name says (a PNG renamed .csv is an image, not a CSV)."""
    if len(data) > max_bytes:
        return message("err.upload_too_big", lang, name=name, mb=max_bytes // 2**20, size=len(data) / 2**20)
    suffix = Path(name).suffix.lower()
    expected = EXPECTED.get(suffix)
    kind = sniff(data)
    if expected is None or kind == expected:
        return None
    if expected == "text" and kind == "text":
        return None
    return message(
        "err.wrong_kind",
        lang,
        name=name,
        kind=message(f"kind.{kind}", lang),
        expected=suffix.lstrip(".").upper(),
    )


def call_documents(files: list[tuple[str, bytes]], lang: str) -> tuple[pd.DataFrame, list[RowError]]:
    """Documents submitted as a call (several files, or .zip archives of them) -> one row per readable
    document (id = file name, title and text from documents.title_and_body) and one RowError per file
    that cannot be read, with its reason in the UI language. Archives pass the same bomb checks as
    .docx/.hwpx files; folders inside them are walked, hidden files and folders skipped."""
    rows: list[dict] = []
    errors: list[RowError] = []

    def refuse(number: int, name: str, reason: str) -> None:
        errors.append(RowError(number, name, reason, code="document"))

    def one(number: int, name: str, data: bytes) -> None:
        problem = upload_problem(data, name, lang)
        if problem:
            refuse(number, name, problem)
            return
        try:
            title, body = title_and_body(data, name)
        except InputError as exc:
            refuse(number, name, error_text(exc, lang).text)
            return
        rows.append({"id": name, "title": title, "text": body, "_row": number})

    number = 0
    for name, data in files:
        if Path(name).suffix.lower() != ".zip":
            number += 1
            if Path(name).suffix.lower() not in DOCUMENT_SUFFIXES:
                refuse(number, name, message("err.doc_type", lang))
            else:
                one(number, name, data)
            continue
        problem = upload_problem(data, name, lang)
        try:
            if problem:
                raise InputError(problem)
            archive = zipfile.ZipFile(io.BytesIO(data))
            check_archive(archive, name)
        except (InputError, zipfile.BadZipFile, OSError) as exc:
            number += 1
            refuse(number, name, problem or error_text(exc, lang).text)
            continue
        for info in archive.infolist():
            parts = Path(info.filename).parts
            if info.is_dir() or any(p.startswith((".", "__MACOSX")) for p in parts):
                continue
            number += 1
            member = f"{name}/{info.filename}"
            if Path(info.filename).suffix.lower() not in DOCUMENT_SUFFIXES:
                refuse(number, member, message("err.doc_type", lang))
                continue
            one(number, Path(info.filename).name, archive.read(info))
        if number > MAX_CALL_DOCUMENTS:
            raise InputError(message("err.too_many_documents", lang, n=MAX_CALL_DOCUMENTS))
    frame = pd.DataFrame(rows, columns=["id", "title", "text", "_row"])
    return frame, errors


def translated_errors(errors: list[RowError], lang: str) -> list[RowError]:
    """Rejected rows with their reasons in the UI language (for the table and the download)."""
    return [RowError(e.row, e.id, error_text(e.reason, lang).text, e.code) for e in errors]


# ---------------------------------------------------------------- names


def country_names(countries: pd.DataFrame, lang: str) -> dict[str, str]:
    """ISO2 -> the country's name in the UI language (Korean name when there is one)."""
    if lang == "ko":
        names = countries["name_ko"].where(countries["name_ko"].fillna("") != "", countries["name_en"])
    else:
        names = countries["name_en"]
    return dict(zip(countries["iso2"], names))


def codes_to_names(codes: str, names: dict[str, str]) -> str:
    return ", ".join(names.get(c, c) for c in re.split(r"[;,]\s*", codes or "") if c)


def budget_text(value: float | None, lang: str) -> str:
    """A budget in KRW for reading: 3억 5,000만 원 / 350,000,000 KRW. Empty when unknown."""
    return format_krw(value, lang)


# ---------------------------------------------------------------- maps


@lru_cache(maxsize=2)
def basemap(name: str) -> dict:
    """A GeoJSON layer shipped in data/basemap/ (scripts/build_basemap.py)."""
    return json.loads((BASEMAP_DIR / name).read_text(encoding="utf-8"))


def fit_view(points: list[dict], padding: float = 0.25) -> dict:
    """Centre and zoom that show every point (Web Mercator, a ~700 px wide map)."""
    if not points:
        return {"latitude": 20.0, "longitude": 100.0, "zoom": 1.5}
    lats = [p["lat"] for p in points]
    lons = [p["lon"] for p in points]
    span_lat = (max(lats) - min(lats)) * (1 + padding) or 1.0
    span_lon = (max(lons) - min(lons)) * (1 + padding) or 1.0
    zoom = min(math.log2(360 / span_lon) + 0.9, math.log2(170 / span_lat) + 0.6, 9.0)
    return {
        "latitude": (max(lats) + min(lats)) / 2,
        "longitude": (max(lons) + min(lons)) / 2,
        "zoom": max(zoom, 0.5),
    }


def map_deck(points: list[dict], *, korea: bool = True):
    """A pydeck map drawn only from files shipped with the project: country outlines (Natural Earth)
    and Korean provinces (KOSTAT) under the points. `points` are dicts with lat, lon, name, color
    ([r, g, b]) and radius (metres); hovering a point shows its name. No tiles are fetched."""
    import pydeck as pdk

    layers = [
        pdk.Layer(
            "GeoJsonLayer",
            basemap("countries-110m.geojson"),
            id="countries",
            stroked=True,
            filled=True,
            get_fill_color=[233, 230, 218],
            get_line_color=[150, 150, 150],
            line_width_min_pixels=0.6,
        )
    ]
    if korea:
        layers.append(
            pdk.Layer(
                "GeoJsonLayer",
                basemap("korea-provinces-2018.geojson"),
                id="korea",
                stroked=True,
                filled=True,
                get_fill_color=[222, 228, 214],
                get_line_color=[130, 130, 130],
                line_width_min_pixels=0.5,
            )
        )
    layers.append(
        pdk.Layer(
            "ScatterplotLayer",
            points,
            id="points",
            get_position=["lon", "lat"],
            get_fill_color="color",
            get_radius="radius",
            radius_min_pixels=4,
            radius_max_pixels=30,
            pickable=True,
            opacity=0.85,
        )
    )
    return pdk.Deck(
        layers=layers,
        initial_view_state=pdk.ViewState(**fit_view(points)),
        # No provider and pydeck's own "no style" marker (its default when no style is given): with it,
        # Streamlit draws no base map. map_style=None would make Streamlit fetch a public Carto style.
        map_provider=None,
        tooltip={"text": "{name}"},
    )


# ---------------------------------------------------------------- PDF


class FontMissing(RuntimeError):
    """A font the PDF needs is not in the installed packages (a broken install), so no PDF is made."""


def _package_file(package: str, *parts: str) -> Path:
    """A file inside an installed package, found without importing it (importing koreanize_matplotlib would
    configure matplotlib, which the PDF does not use)."""
    import importlib.util

    spec = importlib.util.find_spec(package)
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        path = Path(folder, *parts)
        if path.is_file():
            return path
    raise FontMissing("/".join((package, *parts)))


def korean_font(bold: bool = False) -> Path:
    """NanumGothic (SIL OFL 1.1) from the koreanize-matplotlib package: the PDF never depends on the
    fonts a machine happens to have."""
    return _package_file("koreanize_matplotlib", "fonts", "NanumGothicBold.ttf" if bold else "NanumGothic.ttf")


# The web fonts the app serves itself (static/, `server.enableStaticServing` in .streamlit/config.toml): the
# page's Hangul is drawn in NanumGothic on any machine, one without Korean system fonts included.
WEB_FONTS = ("NanumGothic.ttf", "NanumGothicBold.ttf")


def install_web_fonts(static_dir: Path) -> None:
    """Write NanumGothic from the installed package into the app's static folder, where the page's
    [[theme.fontFaces]] find it; a copy newer than the package's file is kept. The font's VTT hinting
    sources (TSI* tables, one of them empty) are left out: browsers refuse a font with an empty table
    ("OTS parsing error: TSI3: zero-length table"), and only font editors read them. Best effort: without
    the files the browser falls back to the machine's own fonts."""
    from fontTools.ttLib import TTFont  # matplotlib's dependency; only the app needs it, once

    for name in WEB_FONTS:
        try:
            source = korean_font(bold="Bold" in name)
        except FontMissing:
            return
        target = static_dir / name
        try:
            if target.is_file() and target.stat().st_mtime >= source.stat().st_mtime:
                continue
            static_dir.mkdir(exist_ok=True)
            font = TTFont(source)
            for tag in [t for t in font.keys() if t.startswith("TSI")]:
                del font[tag]
            partial = target.with_suffix(".part")
            font.save(partial)
            partial.replace(target)  # a page never reads half a font
        except (OSError, ValueError):
            return


def fallback_font(bold: bool = False) -> Path:
    """DejaVu Sans from matplotlib: the letters NanumGothic lacks (Vietnamese ế ơ ư, other Latin diacritics,
    Cyrillic, Greek)."""
    return _package_file("matplotlib", "mpl-data", "fonts", "ttf", "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")


def summary_pdf(title: str, text: str, result: Recommendation, lang: str) -> bytes:
    """The one-page summary (the same lines as the Markdown one) as a PDF with NanumGothic embedded and
    DejaVu Sans for the letters it lacks."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.add_font("Nanum", "", str(korean_font()))
    pdf.add_font("Nanum", "B", str(korean_font(bold=True)))
    pdf.add_font("DejaVu", "", str(fallback_font()))
    pdf.add_font("DejaVu", "B", str(fallback_font(bold=True)))
    pdf.set_fallback_fonts(["DejaVu"], exact_match=False)
    for line in render_markdown(title, text, result, lang).splitlines():
        if line.startswith("# "):
            pdf.set_font("Nanum", "B", 15)
            line = line[2:]
        elif line.startswith("## "):
            pdf.ln(2)
            pdf.set_font("Nanum", "B", 12)
            line = line[3:]
        else:
            pdf.set_font("Nanum", "", 9.5)
            line = line.replace("**", "")
        if not line.strip():
            pdf.ln(2)
            continue
        pdf.multi_cell(0, 5.2, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
