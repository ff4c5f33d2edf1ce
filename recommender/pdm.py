"""A first draft of a proposal's project design matrix (PDM) as a Word document (.docx, which the
Korean office suite and LibreOffice open), in the page's language.

The matrix is filled from the result: the goal from the top SDG targets, the outcome indicators from
the proposal's SDG indicators and the results its project model's cases report, the outputs and
activities from the components the proposal names and those its model's cases usually include, the
assumptions from the risks seen in those cases, the inputs from the model's budget and duration
ranges (with how many cases state them); then the precedents cited with their sources. Every part is
marked as a draft to edit. A Korean document carries no English beyond proper names, abbreviations
and codes: the English glosses some official Korean indicator names keep in brackets are left out.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .assemble import years as case_years
from .catalogue import Catalogues
from .design import english_gloss
from .embedders import detect_language
from .errors import InputError
from .explain import message
from .proposal import Proposal
from .results import Indicator, Recommendation
from .typology import MODEL_NEIGHBOURS, Component, ProjectModel, Spread, Typology

# The goal row names this many of the top targets.
GOAL_TARGETS = 2
# The outcome row adds this many results reported by the model's cases.
MODEL_RESULTS = 2
# The precedents cited: the model's closest cases, then the result's best precedents, at most this many.
CITED = 8
# A bracketed English gloss after a Korean term in an official Korean name: "피해(affected)".
ENGLISH_GLOSS = re.compile(r"\s*\((?=[^)]*[a-z]{2})[A-Za-z][A-Za-z ,'\-]*\)")
EAST_ASIAN_FONT = "Malgun Gothic"


def local_text(text: str, lang: str) -> str:
    """A text as the document shows it in `lang` (a Korean one without English glosses)."""
    return ENGLISH_GLOSS.sub("", text) if lang == "ko" else text


def _money(value: float, lang: str) -> str:
    return message("pdm.money", lang, amount=value)


def _number(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


def budget_line(model: ProjectModel | None, proposal: Proposal, lang: str) -> str:
    given = (
        message("pdm.budget_given", lang, amount=_money(proposal.budget, lang))
        if proposal.budget is not None
        else message("pdm.budget_none", lang)
    )
    spread: Spread | None = model.budget if model else None
    if spread is None or not spread.n:
        known = message("pdm.budget_no_range", lang)
    else:
        known = message(
            "pdm.budget_range",
            lang,
            median=_money(spread.median, lang),
            q1=_money(spread.q1, lang),
            q3=_money(spread.q3, lang),
            n=spread.n,
        )
    return f"{message('pdm.budget', lang, given=given)}; {known}"


def duration_line(model: ProjectModel | None, proposal: Proposal, lang: str) -> str:
    given = str(proposal.extra.get("years") or message("pdm.budget_none", lang))
    spread: Spread | None = model.duration if model else None
    if spread is None or not spread.n:
        known = message("pdm.duration_no_range", lang)
    else:
        known = message(
            "pdm.duration_range",
            lang,
            median=_number(spread.median),
            q1=_number(spread.q1),
            q3=_number(spread.q3),
            n=spread.n,
        )
    return f"{message('pdm.duration', lang, given=given)}; {known}"


def _place(result: Recommendation, catalogues: Catalogues, lang: str) -> str:
    parts = []
    if result.partner_country:
        countries = catalogues.countries.set_index("iso2")
        if result.partner_country in countries.index:
            parts.append(countries.loc[result.partner_country, f"name_{'ko' if lang == 'ko' else 'en'}"])
    city = result.partner_city
    if isinstance(city, dict):
        parts.append((city.get("name_ko") or city["name"]) if lang == "ko" else city["name"])
    elif city:
        parts.append(str(city))
    return ", ".join(p for p in parts if p) or message("pdm.unknown_place", lang)


def component_rows(
    model: ProjectModel | None, established: bool, mentioned: set, typology: Typology, level: str, lang: str
) -> list[tuple[str, Component]]:
    """(narrative, component) of one level: what the proposal names, then what the model's cases
    usually include and the proposal does not (marked for review)."""
    rows = []
    for component in typology.components.values():
        if component.kind == "component" and component.level == level and component.id in mentioned:
            rows.append((component.text("name", lang), component))
    if model is not None and established:
        n = len(model.cases)
        for component_id, k in model.typical_components():
            component = typology.components[component_id]
            if component.level == level and component_id not in mentioned:
                name = component.text("name", lang)
                rows.append((message("pdm.from_model", lang, name=name, n=n, k=k), component))
    return rows


def _set_fonts(document) -> None:
    from docx.oxml.ns import qn

    for style_name in ("Normal", "Title", "Heading 1", "Heading 2", "Table Grid"):
        try:
            style = document.styles[style_name]
        except KeyError:
            continue
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)


def pdm_document(
    result: Recommendation, proposal: Proposal, *, typology: Typology, catalogues: Catalogues, lang: str
) -> bytes:
    """The draft PDM of one proposal as .docx bytes. `proposal` is the checked proposal the result is of."""
    from docx import Document
    from docx.shared import Pt

    lang = "ko" if lang == "ko" else "en"
    match = result.model
    model = typology.by_id.get(match.id) if match else None
    established = bool(match and match.established)
    text = proposal.query_text
    mentioned = typology.mentioned(text, english_gloss(text, detect_language(proposal.text)))

    document = Document()
    _set_fonts(document)
    document.styles["Normal"].font.size = Pt(10)
    section = document.sections[0]
    section.footer.paragraphs[0].text = message("pdm.footer", lang)
    title = proposal.title or message("pdm.untitled", lang)
    document.add_heading(message("pdm.title", lang, title=title), level=0)
    document.add_paragraph(message("pdm.draft_note", lang))

    document.add_heading(message("pdm.overview", lang), level=1)
    document.add_paragraph(proposal.text[:1500])
    document.add_paragraph(message("pdm.partner", lang, place=_place(result, catalogues, lang)))
    if match is not None and established:
        document.add_paragraph(message("pdm.model", lang, name=match.name(lang)))
        document.add_paragraph(
            message("pdm.model_basis", lang, n=len(model.cases), cases=", ".join(match.cases[:MODEL_NEIGHBOURS]))
        )
        document.add_paragraph(model.description(lang))
    elif match is not None:
        document.add_paragraph(message("pdm.no_model", lang, name=match.name(lang)))

    document.add_heading(message("pdm.matrix", lang), level=1)
    headers = ["col_level", "col_summary", "col_indicators", "col_verification", "col_assumptions"]
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, key in zip(table.rows[0].cells, headers):
        cell.text = message(f"pdm.{key}", lang)

    def add_row(level: str, summary: str, indicators: str = "", verification: str = "", assumptions: str = ""):
        cells = table.add_row().cells
        for cell, value in zip(cells, (level, summary, indicators, verification, assumptions)):
            cell.text = value

    targets = catalogues.sdg_targets.set_index("id")
    goal_targets = result.sdg_targets[:GOAL_TARGETS]
    goal_summary = "\n".join(
        message("pdm.goal_text", lang, id=t.id, title=targets.loc[t.id, f"title_{lang}"] or t.title)
        for t in goal_targets
    )
    goal_codes = ", ".join(i.code for t in goal_targets for i in t.indicators[:1])
    add_row(
        message("pdm.goal", lang),
        goal_summary or message("pdm.to_write", lang),
        message("pdm.goal_indicators", lang, codes=goal_codes) if goal_codes else "",
        message("pdm.goal_verification", lang),
    )

    risks = _risks(model, typology, lang) if established else []
    outcome_indicators = [_indicator_text(i, lang) for i in result.indicators]
    if established:
        results = [typology.components[c] for c, _ in model.typical_components()[:MODEL_RESULTS]]
        outcome_indicators += [message("pdm.model_result", lang, text=c.text("indicator", lang)) for c in results]
    add_row(
        message("pdm.outcome", lang),
        proposal.title or proposal.text[:300],
        "\n".join(outcome_indicators),
        message("pdm.outcome_verification", lang),
        "\n".join(a for _, a in risks[:2] if a),
    )
    for level, key in (("output", "pdm.outputs"), ("activity", "pdm.activities")):
        rows = component_rows(model, established, mentioned, typology, level, lang)
        if not rows:
            add_row(message(key, lang), message("pdm.to_write", lang))
        for summary, component in rows:
            add_row(
                message(key, lang),
                summary,
                component.text("indicator", lang),
                component.text("verification", lang),
            )
    add_row(
        message("pdm.inputs", lang),
        f"{budget_line(model if established else None, proposal, lang)}\n"
        f"{duration_line(model if established else None, proposal, lang)}",
        "",
        message("pdm.verification_inputs", lang),
    )

    document.add_heading(message("pdm.risks", lang), level=1)
    if risks:
        for text, _ in risks:
            document.add_paragraph(text, style="List Bullet")
    else:
        document.add_paragraph(message("pdm.no_risks", lang))

    document.add_heading(message("pdm.precedents", lang), level=1)
    for line in _cited(result, catalogues, lang):
        document.add_paragraph(line, style="List Bullet")
    document.add_paragraph(message("pdm.sources", lang))

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _indicator_text(indicator: Indicator, lang: str) -> str:
    unofficial = message("indicator.unofficial", lang) if indicator.ko_source == "ours" else ""
    text = local_text(indicator.text(lang), lang) + unofficial
    return message("pdm.indicator_local", lang, code=indicator.code, text=text)


def _risks(model: ProjectModel, typology: Typology, lang: str) -> list[tuple[str, str]]:
    """(line, assumption) for each risk seen in the model's cases, most often seen first."""
    out = []
    for risk_id, cases in model.risks:
        risk = typology.components[risk_id]
        shown = ", ".join(cases[:5]) + (" …" if len(cases) > 5 else "")
        assumption = risk.text("assumption", lang)
        out.append(
            (message("pdm.risk", lang, risk=risk.text("name", lang), cases=shown, assumption=assumption), assumption)
        )
    if model.planned:
        out.append((message("pdm.planned", lang, k=model.planned, n=len(model.cases)), ""))
    return out


def _cited(result: Recommendation, catalogues: Catalogues, lang: str) -> list[str]:
    rows = catalogues.precedents.set_index("id")
    ids = list(result.model.cases[:MODEL_NEIGHBOURS] if result.model and result.model.established else ())
    ids += [p.id for p in result.precedents if p.id not in ids]
    lines = []
    for case in ids[:CITED]:
        if case not in rows.index:
            continue
        row = rows.loc[case]
        lines.append(
            message(
                "pdm.precedent",
                lang,
                id=case,
                title=row[f"title_{lang}"],
                years=case_years(row) or "?",
                source=row["source_url"] or message("pdm.no_source", lang),
            )
        )
    return lines


def check_pdm_path(path: str | Path, inputs: Sequence[str | Path] = ()) -> Path:
    """Refuse, before any ranking, a PDM path that cannot be written or would overwrite an input."""
    path = Path(path)
    if path.suffix.lower() != ".docx":
        raise InputError(
            f"--pdm must name a .docx file (Word; the Korean office suite opens it); received {path.name!r}"
        )
    if path.is_dir():
        raise InputError(f"--pdm {str(path)!r} is a folder; give a file name such as {path / 'pdm.docx'}")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"the folder of --pdm, {str(folder)!r}, does not exist; create it or choose another path")
    if any(Path(source).resolve() == path.resolve() for source in inputs):
        raise InputError(f"--pdm {str(path)!r} is the proposal document itself; choose another path")
    return path


def write_pdm(data: bytes, path: str | Path) -> Path:
    """Write the document atomically (a temporary file beside it, then renamed into place)."""
    path = Path(path)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
