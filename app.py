"""Streamlit workbench: draft a proposal, screen a call, explore what the recommendations stand on.

A thin shell over `recommender`: the model and indexes load once per process, user text is shown
as text (never as HTML), and every text comes from the one message catalogue in the chosen language
(recommender/ui.py holds the pure helpers: uploads, error texts, the worklist, maps, the PDF).
"""

from __future__ import annotations

import io
import os
import threading
from pathlib import Path

import pandas as pd
import streamlit as st

from recommender import InputError, Recommender, RecommenderError
from recommender.access import footer, require_access
from recommender.batch import score_frame
from recommender.catalogue import split_codes
from recommender.core import DEFAULT_DATA_DIR, DEFAULT_MODELS_DIR
from recommender.documents import title_and_body
from recommender.explain import (
    NO_CLOSE_PRECEDENT,
    flag_name,
    goals_line,
    message,
    needs_lines,
    places_line,
    render_markdown,
    ui_labels,
)
from recommender.io import find_columns, read_table, write_results
from recommender.pdm import local_text
from recommender.proposal import Proposal
from recommender.results import BatchResult, Recommendation, ScoredProposal
from recommender.ui import (
    FontMissing,
    budget_text,
    call_documents,
    codes_to_names,
    country_names,
    error_text,
    install_web_fonts,
    korean_font,
    map_deck,
    summary_pdf,
    translated_errors,
    upload_problem,
)
from recommender.worklist import COLUMNS as WORKLIST_COLUMNS
from recommender.worklist import CatalogueNames, column_header, flags_in_words, worklist_rows

MAX_UPLOAD_MB = 20  # the app's own limit; server.maxUploadSize is a little higher so this message shows
MAX_CALL_ROWS = 2_000
DRAFT_KEYS = ("proposal_title", "proposal_text", "partner_country", "partner_city", "sector", "budget", "years")
CALL_KEYS = ("filter_flags", "filter_countries", "detail_id")  # the Screen page's choices, kept like drafts
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BLUE, RED, GREEN = [31, 119, 180], [214, 39, 40], [44, 160, 44]


# Streamlit serves this folder (server.enableStaticServing) as app/static/.
STATIC_DIR = Path(__file__).resolve().parent / "static"


def _warm(rec: Recommender) -> None:
    """Load both encoders now (an English and a Korean query), so the first real query is quick."""
    for text in ("Water supply for a town", "상수도 보급 사업"):
        try:
            rec.recommend(text)
        except RecommenderError:  # warming is best effort; a real query reports its own error
            return


@st.cache_resource(show_spinner=False)
def load_recommender() -> Recommender:
    # The folders can be moved with environment variables (tests use a temporary models folder).
    rec = Recommender.open(
        os.environ.get("RECOMMENDER_DATA_DIR", DEFAULT_DATA_DIR),
        os.environ.get("RECOMMENDER_MODELS_DIR", DEFAULT_MODELS_DIR),
    )
    threading.Thread(target=_warm, args=(rec,), daemon=True, name="warm-encoders").start()
    return rec


@st.cache_data(show_spinner=False)
def country_labels(_rec: Recommender, lang: str) -> dict[str, str]:
    return country_names(_rec.catalogues.countries, lang)


@st.cache_data(show_spinner=False)
def country_options(_rec: Recommender, lang: str) -> dict[str, str]:
    c = _rec.catalogues.countries
    if lang == "ko":
        labels = c["name_ko"].where(c["name_ko"] != "", c["name_en"]) + " (" + c["iso2"] + ")"
    else:
        labels = c["name_en"] + " (" + c["iso2"] + ")"
    return dict(sorted(zip(c["iso2"], labels), key=lambda x: x[1]))


@st.cache_data(show_spinner=False)
def place_options(_rec: Recommender, iso2: str, lang: str) -> dict[str, str]:
    return _rec.place_options(iso2, lang)


@st.cache_data(show_spinner=False)
def catalogue_names(_rec: Recommender, lang: str) -> CatalogueNames:
    return CatalogueNames.from_catalogues(_rec.catalogues, lang)


@st.cache_data(show_spinner=False)
def city_names(_rec: Recommender, lang: str) -> dict[str, str]:
    """GeoNames city name -> its name in the UI language (the first Korean spelling when there is one)."""
    if lang != "ko":
        return {}
    cities = _rec.catalogues.cities
    korean = cities[cities["name_ko"].fillna("") != ""]
    return {name: spellings.split("|")[0] for name, spellings in zip(korean["name"], korean["name_ko"])}


def show_error(exc: Exception | str, ui: dict, lang: str) -> None:
    """An error in the UI language; an untranslated library detail is kept folded underneath."""
    shown = error_text(exc, lang)
    st.error(shown.text)
    if shown.detail:
        with st.expander(ui["error_detail"]):
            st.text(shown.detail)


def uploader(label: str, types: list[str], key: str, ui: dict, multiple: bool = False):
    upload = st.file_uploader(
        label, type=types, key=key, accept_multiple_files=multiple, max_upload_size=MAX_UPLOAD_MB + 5
    )
    st.caption(ui["limit"].format(mb=MAX_UPLOAD_MB))
    return upload


def score_column(ui: dict, name: str | None = None) -> dict:
    name = name or ui["score"]
    return {name: st.column_config.ProgressColumn(name, min_value=0.0, max_value=1.0, format="%.2f", width="small")}


def wide(*names: str) -> dict:
    return {name: st.column_config.TextColumn(name, width="large") for name in names}


def long_texts(ui: dict, items: list[tuple[str, str]]) -> None:
    """The full text of cells a table cuts (reasons, flags), folded under the table."""
    if not items:
        return
    with st.expander(ui["read_in_full"]):
        st.markdown("\n".join(f"- **{escape_markdown(name)}**: {escape_markdown(text)}" for name, text in items))


def escape_markdown(text: str) -> str:
    """User and catalogue text shown as text inside Markdown (no links, emphasis or HTML)."""
    return "".join("\\" + ch if ch in "\\`*_{}[]()#+-.!|<>~$" else ch for ch in str(text))


def render_targets(rec: Recommender, result: Recommendation, ui: dict, lang: str) -> None:
    st.write(f"**{ui['goals_present']}:** " + goals_line(result, lang))
    sdg11 = [f"{t.id} ({rank})" for rank, t in enumerate(result.sdg_targets, 1) if t.is_sdg11]
    st.write(f"**{ui['sdg11_in_list']}:** " + (", ".join(sdg11) if sdg11 else ui["none"]))
    frame = pd.DataFrame(
        [
            {
                ui["score"]: t.score,
                ui["reason"]: t.reason,
                ui["target"]: t.id + (" ★" if t.is_sdg11 else ""),
                ui["goal"]: t.goal,
                ui["text"]: t.title,
            }
            for t in result.sdg_targets
        ]
    )
    colours = dict(zip(rec.catalogues.sdg_goals["goal"], rec.catalogues.sdg_goals["colour"]))
    styled = frame.style.map(
        lambda g: f"background-color: {colours.get(g, '#fff')}; color: white; font-weight: bold", subset=[ui["goal"]]
    )
    st.dataframe(
        styled, hide_index=True, width="stretch", column_config={**score_column(ui), **wide(ui["reason"], ui["text"])}
    )
    long_texts(ui, [(f"{t.id} {t.title}", t.reason) for t in result.sdg_targets])


def render_precedents(rec: Recommender, result: Recommendation, ui: dict, lang: str) -> None:
    names = catalogue_names(rec, lang)
    countries = country_labels(rec, lang)
    best = max((p.score for p in result.precedents), default=0.0)
    if best < NO_CLOSE_PRECEDENT:
        st.info(ui["no_close"].format(best=best))
    frame = pd.DataFrame(
        [
            {
                ui["score"]: p.score,
                ui["reason"]: p.reason,
                ui["text"]: p.title,
                ui["precedent"]: p.id,
                ui["government"]: ", ".join(names.government(c) for c in p.lg_codes),
                ui["country"]: ui["domestic"] if p.domestic else codes_to_names(p.partner_iso2, countries),
                ui["place"]: p.partner_locality or "",
                ui["years"]: p.years or "",
                ui["budget"]: budget_text(p.budget_krw, lang),
                ui["source"]: p.source_url if p.source_url.startswith("http") else "",
            }
            for p in result.precedents
        ]
    )
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        column_config={
            **score_column(ui),
            **wide(ui["reason"], ui["text"]),
            ui["source"]: st.column_config.LinkColumn(ui["source"]),
        },
    )
    long_texts(ui, [(p.title, p.reason) for p in result.precedents])


def render_governments(rec: Recommender, result: Recommendation, ui: dict, lang: str) -> None:
    names = catalogue_names(rec, lang)
    titles = names.precedents
    cities = city_names(rec, lang)
    frame = pd.DataFrame(
        [
            {
                ui["government"]: names.government(g.code),
                ui["score"]: g.score,
                ui["reason"]: g.reason,
                ui["tie"]: cities.get(g.components.get("tie", ""), g.components.get("tie", "")),
                ui["best"]: titles.get(g.best_precedent, "") if g.best_precedent else "",
                ui["in_country"]: g.components["n_cases_in_country"],
            }
            for g in result.local_governments
        ]
    )
    st.dataframe(frame, hide_index=True, width="stretch", column_config={**score_column(ui), **wide(ui["reason"])})
    long_texts(ui, [(names.government(g.code), g.reason) for g in result.local_governments])
    if result.teams:  # suggested groups of governments, when the recommender gives them
        st.subheader(ui["teams"])
        teams = pd.DataFrame(
            [
                {
                    ui["government"]: " + ".join(names.government(c) for c in t.codes),
                    ui["score"]: t.score,
                    ui["reason"]: t.reason,
                }
                for t in result.teams
            ]
        )
        st.dataframe(teams, hide_index=True, width="stretch", column_config={**score_column(ui), **wide(ui["reason"])})
        long_texts(ui, [(" + ".join(names.government(c) for c in t.codes), t.reason) for t in result.teams])
    points = [
        {"lat": g.lat, "lon": g.lon, "name": names.government(g.code), "color": BLUE, "radius": 6000}
        for g in result.local_governments
        if g.score > 0
    ]
    city = result.partner_city
    if isinstance(city, dict):
        name = ((city.get("name_ko") or "").split("|")[0] or city["name"]) if lang == "ko" else city["name"]
        points.append({"lat": city["lat"], "lon": city["lon"], "name": name, "color": RED, "radius": 30000})
    if points:
        st.caption(ui["map"])
        st.pydeck_chart(map_deck(points), height=460)


def render_design(result: Recommendation, ui: dict, lang: str) -> None:
    """The project model the proposal falls in, what similar projects included, and its SDG indicators."""
    model = result.model
    if model is not None:
        st.subheader(ui["model"])
        if model.established:
            st.write(f"**{model.name(lang)}**")
        st.caption(model.reason)
        for suggestion in model.suggestions:
            st.info(suggestion.text)
    if result.indicators:
        st.subheader(ui["indicators"])
        frame = pd.DataFrame(
            [
                {
                    ui["code"]: i.code,
                    ui["indicator"]: local_text(i.text(lang), lang)
                    + (message("indicator.unofficial", lang) if i.ko_source == "ours" else ""),
                    ui["target"]: i.target,
                }
                for i in result.indicators
            ]
        )
        st.dataframe(frame, hide_index=True, width="stretch", column_config=wide(ui["indicator"]))


def render_result(rec: Recommender, result: Recommendation, ui: dict, lang: str) -> None:
    render_needs(result, ui, lang)
    tab_t, tab_p, tab_g = st.tabs([ui["tab_targets"], ui["tab_precedents"], ui["tab_lgs"]])
    with tab_t:
        render_targets(rec, result, ui, lang)
    with tab_p:
        render_precedents(rec, result, ui, lang)
    with tab_g:
        render_governments(rec, result, ui, lang)


def result_workbook(results: list[ScoredProposal], errors, lang: str, names: CatalogueNames) -> bytes:
    """The same workbook `recommender score -o x.xlsx --lang <lang>` writes: the worklist as its summary."""
    buffer = io.BytesIO()
    write_results(results, errors, buffer, fmt="xlsx", lang=lang, names=names)
    return buffer.getvalue()


def draft_inputs(rec: Recommender, ui: dict, lang: str) -> dict:
    upload = uploader(ui["upload_doc"], ["txt", "pdf", "docx", "hwpx", "hwp"], "proposal_file", ui)
    if upload is not None and st.session_state.get("_loaded_file") != upload.file_id:
        st.session_state["_loaded_file"] = upload.file_id
        data = upload.getvalue()
        problem = upload_problem(data, upload.name, lang, MAX_UPLOAD_MB * 2**20)
        if problem:
            st.error(problem)
        else:
            try:  # the document's first heading or line is its title, the rest its description
                heading, body = title_and_body(data, upload.name)
                st.session_state["proposal_text"] = body
                if heading and heading != body and not st.session_state.get("proposal_title", "").strip():
                    st.session_state["proposal_title"] = heading
                st.info(ui["loaded"])
            except InputError as exc:
                show_error(exc, ui, lang)
    title = st.text_input(ui["p_title"], key="proposal_title")
    text = st.text_area(ui["p_text"], key="proposal_text", height=180, placeholder=ui["placeholder"])
    col1, col2, col3 = st.columns(3)
    countries = country_options(rec, lang)
    country = col1.selectbox(
        ui["p_country"],
        [None] + list(countries),
        key="partner_country",
        format_func=lambda iso: ui["no_choice"] if iso is None else countries[iso],
        placeholder=ui["no_choice"],
    )
    places = place_options(rec, country, lang) if country else {}
    if st.session_state.get("_place_country", country) != country:  # a place of the country left is dropped
        st.session_state["partner_city"] = None
    st.session_state["_place_country"] = country
    city = col2.selectbox(
        ui["p_city"],
        [None] + list(places),
        key="partner_city",
        format_func=lambda c: ui["no_choice"] if c is None else places.get(c, c),
        placeholder=ui["no_choice"],
        accept_new_options=True,  # a district, a village or a Korean spelling the list lacks is typed
    )
    sector = col3.text_input(ui["p_sector"], key="sector")
    place_read(rec, ui, lang, text, country, city or "")
    col4, col5 = st.columns(2)
    budget = col4.text_input(ui["p_budget"], key="budget")
    st.session_state.setdefault("years", (2026, 2028))
    years = col5.slider(ui["p_years"], 2020, 2035, key="years")
    return {
        "text": text,
        "title": title,
        "partner_country": country,
        "partner_city": city or "",
        "sector": sector,
        "budget": budget or None,
        "years": f"{years[0]}–{years[1]}",
    }


def place_read(rec: Recommender, ui: dict, lang: str, text: str, country: str | None, city: str) -> None:
    """The partner place as the recommender reads the inputs (the field, or failing that the text), so a
    place it cannot find is seen before matching."""
    if not (city.strip() or (text.strip() and country)):
        return
    try:  # the description is checked when matching; here it is only a place to read names from
        _, places, _ = rec.partner_places(Proposal(text=text, partner_country=country, partner_city=city))
    except InputError:
        return
    if places:
        st.caption(ui["place_read"].format(places=places_line(places, lang)))
    elif city.strip():
        st.caption(ui["place_none"])


def draft_row(proposal: dict, result: Recommendation, title: str, lang: str) -> ScoredProposal:
    """The draft as one row of a call, for the same workbook a call gets."""
    written = {k: str(proposal[k]) for k in ("partner_city", "sector", "budget") if proposal.get(k)}
    picked = [p.label(lang) for p in result.partner_places if p.origin == "field"]
    if picked:  # a place chosen from the list is given by its id: the workbook names it
        written["partner_city"] = "; ".join(picked)
    return ScoredProposal(
        "proposal",
        1,
        result,
        title=title,
        text=proposal["text"],
        partner_country=result.partner_country,
        partner_city=written.get("partner_city", ""),
        sector=proposal.get("sector") or "",
        written=written,
    )


def page_draft(rec: Recommender, ui: dict, lang: str) -> None:
    current = draft_inputs(rec, ui, lang)
    if st.button(ui["submit"], type="primary", key="submit"):
        if not current["text"].strip():
            st.warning(ui["empty"])
            st.session_state.pop("proposal", None)
        else:
            st.session_state["proposal"] = current
    proposal = st.session_state.get("proposal")
    if not proposal:
        return
    if proposal != current:  # the results and errors of other inputs are not shown under these
        st.info(ui["stale"])
        return
    try:  # re-ranking is cheap, so a language switch simply asks again
        result = rec.recommend(proposal, lang=lang)
    except InputError as exc:
        show_error(exc, ui, lang)
        return
    for warning in result.warnings:
        st.info(warning)
    render_design(result, ui, lang)
    render_result(rec, result, ui, lang)
    title = proposal.get("title") or ui["title"]
    col_a, col_b, col_c, col_d = st.columns(4)
    col_a.download_button(
        ui["download"],
        lambda: result_workbook([draft_row(proposal, result, title, lang)], [], lang, catalogue_names(rec, lang)),
        file_name="matches.xlsx",
        key="download_xlsx",
        mime=XLSX,
    )
    col_b.download_button(
        ui["summary"],
        render_markdown(title, proposal["text"], result, lang),
        file_name="summary.md",
        mime="text/markdown",
        key="download_md",
    )
    try:
        korean_font()
    except FontMissing:
        col_c.warning(ui["pdf_font_missing"])
    else:  # made when clicked: embedding the font takes a second
        col_c.download_button(
            ui["pdf"],
            lambda: summary_pdf(title, proposal["text"], result, lang),
            file_name="summary.pdf",
            mime="application/pdf",
            key="download_pdf",
        )
    col_d.download_button(  # made when clicked
        ui["pdm"],
        lambda: rec.pdm(result, proposal, lang),
        file_name="pdm_draft.docx",
        mime=DOCX,
        key="download_pdm",
    )


def read_call(rec: Recommender, call: dict, ui: dict, lang: str) -> tuple[BatchResult, list] | None:
    """Score a kept call (a table, or documents) with reasons in `lang`; None after showing why it
    cannot be scored."""
    errors = []
    if call["table"] is not None:
        name, data = call["table"]
        problem = upload_problem(data, name, lang, MAX_UPLOAD_MB * 2**20)
        if problem:
            st.error(problem)
            return None
        frame = read_table(data, name=name)
        columns = find_columns(frame.columns)
    else:
        big = next(((n, d) for n, d in call["documents"] if len(d) > MAX_UPLOAD_MB * 2**20), None)
        if big is not None:
            st.error(upload_problem(big[1], big[0], lang, MAX_UPLOAD_MB * 2**20))
            return None
        frame, errors = call_documents(call["documents"], lang)
        st.info(ui["documents_read"].format(n=len(frame), e=len(errors)))
        columns = {"id": "id", "title": "title", "text": "text"}
        if frame.empty:
            return BatchResult([], []), errors
    if len(frame) > MAX_CALL_ROWS:
        st.error(ui["too_many"].format(n=MAX_CALL_ROWS))
        return None
    batch = score_frame(rec, frame, columns=columns, lang=lang)
    return batch, errors + translated_errors(batch.errors, lang)


def keep_call(table, documents) -> None:
    """An upload becomes the page's call, kept in the session with its bytes: the uploader forgets its
    file when another page is shown, the call stays (scored once per language, on first view)."""
    key = (table.file_id if table else None, tuple(d.file_id for d in documents or ()))
    kept = st.session_state.get("call")
    if kept is not None and kept["key"] == key:
        return
    st.session_state["call"] = {
        "key": key,
        "name": table.name if table else ", ".join(d.name for d in documents),
        "table": (table.name, table.getvalue()) if table else None,
        "documents": [(d.name, d.getvalue()) for d in documents or ()],
        "scored": {},
    }
    for name in CALL_KEYS:  # filters and the open proposal belong to the call they were set on
        st.session_state.pop(name, None)


def scored_call(rec: Recommender, ui: dict, lang: str) -> tuple[BatchResult, list] | None:
    call = st.session_state["call"]
    if lang not in call["scored"]:
        try:
            with st.spinner(ui["loading"]):
                scored = read_call(rec, call, ui, lang)
        except InputError as exc:
            show_error(exc, ui, lang)
            scored = None
        if scored is None:
            st.session_state.pop("call", None)  # a call that cannot be scored is not kept
            return None
        call["scored"][lang] = scored
    return call["scored"][lang]


def page_screen(rec: Recommender, ui: dict, lang: str) -> None:
    table = uploader(ui["upload_call"], ["csv", "xlsx", "jsonl", "parquet"], "call_file", ui)
    documents = uploader(ui["upload_docs"], ["txt", "pdf", "docx", "hwpx", "hwp", "zip"], "call_docs", ui, True)
    if table is not None or documents:
        keep_call(table, documents)
    if "call" not in st.session_state:
        return
    if table is None and not documents:  # back on the page: the call is still here
        col_a, col_b = st.columns([4, 1])
        col_a.info(ui["call_kept"].format(name=st.session_state["call"]["name"]))
        if col_b.button(ui["call_clear"], key="call_clear"):
            st.session_state.pop("call", None)
            for name in CALL_KEYS:
                st.session_state.pop(name, None)
            st.rerun()
    scored = scored_call(rec, ui, lang)
    if scored is None:
        return
    batch, errors = scored
    st.success(ui["scored"].format(n=len(batch.results), e=len(errors)))
    names = catalogue_names(rec, lang)
    rows = worklist_rows(batch.results, errors, names)
    kinds = sorted({k for row in rows for k in row["_flags"]}, key=lambda k: flag_name(k, lang))
    chosen = st.multiselect(
        ui["filter_flag"],
        kinds,
        format_func=lambda k: flag_name(k, lang),
        key="filter_flags",
        placeholder=ui["choose"],
        select_all=False,
    )
    present = sorted({row["_country"] for row in rows if row["_country"]}, key=names.country)
    chosen_countries = st.multiselect(
        ui["filter_country"],
        present,
        format_func=names.country,
        key="filter_countries",
        placeholder=ui["choose"],
        select_all=False,
    )
    shown = [
        row
        for row in rows
        if (not chosen or set(row["_flags"]) & set(chosen))
        and (not chosen_countries or row["_country"] in chosen_countries)
    ]
    headers = {c: column_header(c, lang) for c in WORKLIST_COLUMNS}
    frame = pd.DataFrame(
        [{headers[c]: row[c] for c in WORKLIST_COLUMNS} for row in shown], columns=list(headers.values())
    )
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        column_config={
            **score_column(ui, headers["score"]),
            **wide(headers["title"], headers["flags"], headers["top_target"], headers["top_precedents"]),
        },
    )
    long_texts(ui, [(f"{row['id']} {row['title']}".strip(), row["flags"]) for row in shown if row["flags"]])
    st.download_button(
        ui["download_call"],
        lambda: result_workbook(batch.results, errors, lang, names),
        file_name="screening.xlsx",
        key="download_call",
        mime=XLSX,
    )
    by_id = {r.id: r for r in batch.results}
    scored_ids = [row["id"] for row in shown if row["_scored"]]
    if st.session_state.get("detail_id") not in scored_ids:
        st.session_state.pop("detail_id", None)
    pick = st.selectbox(
        ui["detail"],
        scored_ids,
        format_func=lambda i: f"{i} · {by_id[i].title}" if by_id[i].title else i,
        key="detail_id",
        index=None,
        placeholder=ui["choose"],
    )
    if pick is not None:
        render_detail(rec, by_id[pick], ui, lang, names)


def render_detail(rec: Recommender, r: ScoredProposal, ui: dict, lang: str, names: CatalogueNames) -> None:
    st.subheader(r.title or r.id)
    facts = [
        f"**{ui['country']}:** {names.country(r.partner_country) if r.partner_country else ui['none']}",
        f"**{ui['p_city']}:** {r.partner_city or ui['none']}",
        f"**{ui['p_sector']}:** {r.sector or ui['none']}",
        f"**{ui['budget']}:** {budget_text(r.budget, lang) or ui['none']}",
        f"**{ui['detail_flags']}:** {flags_in_words(r.flags, names) or ui['no_flags']}",
    ]
    st.markdown("  \n".join(facts))
    st.text_area(ui["detail_text"], r.text, disabled=True, height=140, key=f"detail_text_{r.id}")
    try:  # asked again in the UI language with every input the row had, so the scores are the row's
        proposal = {
            "text": r.text,
            "title": r.title,
            "partner_country": r.partner_country,
            "partner_city": r.partner_city,
            "sector": r.sector,
            "budget": r.budget,
        }
        result = rec.recommend(proposal, lang=lang)
    except InputError as exc:
        show_error(exc, ui, lang)
        return
    render_result(rec, result, ui, lang)


def page_explore(rec: Recommender, ui: dict, lang: str) -> None:
    cat = rec.catalogues
    prec = cat.precedents
    lgs = cat.local_governments
    lg_names = dict(catalogue_names(rec, lang).governments)
    countries = country_labels(rec, lang)
    sector_col = "dac_name_ko" if lang == "ko" else "dac_name"
    st.subheader(ui["precedents"])
    col1, col2, col3 = st.columns(3)
    sector = col1.multiselect(
        ui["filter_sector"],
        sorted(set(prec[sector_col]) - {""}),
        key="explore_sector",
        placeholder=ui["choose"],
        select_all=False,
    )
    present = sorted({c for cs in prec["partner_iso2"] for c in split_codes(cs)}, key=lambda c: countries.get(c, c))
    country = col2.multiselect(
        ui["filter_country"],
        present,
        format_func=lambda c: countries.get(c, c),
        key="explore_country",
        placeholder=ui["choose"],
        select_all=False,
    )
    with_cases = sorted({c for cs in prec["lg_codes"] for c in split_codes(cs)}, key=lambda c: lg_names[c])
    government = col3.multiselect(
        ui["filter_lg"],
        with_cases,
        format_func=lambda c: lg_names[c],
        key="explore_lg",
        placeholder=ui["choose"],
        select_all=False,
    )
    shown = prec
    if sector:
        shown = shown[shown[sector_col].isin(sector)]
    if country:
        shown = shown[[any(c in country for c in split_codes(cs)) for cs in shown["partner_iso2"]]]
    if government:
        shown = shown[[any(c in government for c in split_codes(cs)) for cs in shown["lg_codes"]]]
    st.dataframe(
        pd.DataFrame(
            {
                ui["precedent"]: shown["id"],
                ui["text"]: shown["title_ko" if lang == "ko" else "title_en"],
                ui["government"]: [", ".join(lg_names[c] for c in split_codes(cs)) for cs in shown["lg_codes"]],
                ui["country"]: [codes_to_names(cs, countries) for cs in shown["partner_iso2"]],
                ui["years"]: shown["year_start"].astype(str).str.replace("<NA>", "").str.replace("nan", ""),
                ui["sector"]: shown[sector_col],
                ui["reason"]: shown["description_ko" if lang == "ko" else "description_en"],
                ui["source"]: shown["source_url"].where(shown["source_url"].str.startswith("http"), ""),
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={ui["source"]: st.column_config.LinkColumn(ui["source"]), **wide(ui["text"], ui["reason"])},
    )
    st.subheader(ui["governments"])
    counts = pd.Series([c for cs in shown["lg_codes"] for c in split_codes(cs)], dtype=str).value_counts()
    table = lgs.assign(cases=lgs["code"].map(counts).fillna(0).astype(int))
    table = table[table["cases"] > 0].sort_values("cases", ascending=False)
    points = [
        {
            "lat": row["lat"],
            "lon": row["lon"],
            "name": f"{lg_names[row['code']]} ({row['cases']})",
            "color": BLUE,
            "radius": 4000 + 3000 * row["cases"],
        }
        for row in table.to_dict("records")
    ]
    if points:
        st.caption(ui["map_explore"])
        st.pydeck_chart(map_deck(points), height=460)
    else:
        st.info(ui["map_none"])
    st.dataframe(
        pd.DataFrame(
            {
                ui["government"]: table["code"].map(lg_names),
                ui["level"]: [message(f"level.{level}", lang) for level in table["level"]],
                ui["cases"]: table["cases"],
            }
        ),
        hide_index=True,
        width="stretch",
    )


@st.cache_data(show_spinner=False)
def government_options(_rec: Recommender, lang: str) -> dict[str, str]:
    """Every government as people find it: "경기도 수원시" / "Suwon-si, Gyeonggi-do"."""
    lgs = _rec.catalogues.local_governments
    english = dict(zip(lgs["code"], lgs["name_en"]))
    out = {}
    for row in lgs.to_dict("records"):
        if lang == "ko":
            out[row["code"]] = f"{row['parent_name_ko']} {row['name_ko']}".strip()
        else:
            out[row["code"]] = row["name_en"] + (f", {english[row['parent']]}" if row["parent"] else "")
    return dict(sorted(out.items(), key=lambda item: item[1]))


def page_government(rec: Recommender, ui: dict, lang: str) -> None:
    """우리 지자체 / Our government: its cases, agreements and profile, and its ranked opportunities."""
    st.caption(ui["gov_caption"])
    options = government_options(rec, lang)
    code = st.selectbox(
        ui["pick_government"],
        list(options),
        index=None,
        format_func=lambda c: options[c],
        key="government_code",
        placeholder=ui["choose"],
    )
    if code is None:
        return
    view = rec.for_government(code, top_k=10, lang=lang)
    st.subheader(options[code])
    p = view.profile
    col1, col2, col3, col4 = st.columns(4)
    col1.metric(ui["population"], f"{p['population']:,}" if p.get("population") else ui["unknown"])
    col2.metric(ui["cases"], p["cases"])
    col3.metric(ui["agreements"], p["agreements"])
    col4.metric(ui["coast"], ui["yes"] if p.get("coastal") else ui["no"])
    render_government_map(view, ui, lang)
    st.subheader(ui["opportunities"])
    rows = []
    for rank, o in enumerate(view.opportunities, 1):
        places = ", ".join((pl.name_ko or pl.name_en) if lang == "ko" else pl.name_en for pl in o.partner_places)
        rows.append(
            {
                ui["rank"]: rank,
                ui["country"]: o.country_name,
                ui["places"]: places,
                ui["sector"]: o.sector,
                ui["reason"]: "; ".join(r.text for r in o.reasons),
                ui["score"]: min(1.0, o.score / max(view.opportunities[0].score, 1e-9)),
            }
        )
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        column_config={**score_column(ui), **wide(ui["reason"], ui["places"])},
    )
    labels = {i: f"{i + 1}. {o.country_name} · {o.sector}" for i, o in enumerate(view.opportunities)}
    pick = st.selectbox(ui["opportunity_detail"], list(labels), format_func=labels.get, key="opportunity_pick", index=0)
    if pick is not None:
        render_opportunity(view.opportunities[pick], ui, lang)
    st.subheader(ui["cases_of"])
    if view.cases:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        ui["precedent"]: c.id,
                        ui["text"]: c.title,
                        ui["country"]: c.country,
                        ui["years"]: c.years,
                        ui["sector"]: c.sector,
                        ui["source"]: c.source_url if c.source_url.startswith("http") else "",
                    }
                    for c in view.cases
                ]
            ),
            hide_index=True,
            width="stretch",
            column_config={ui["source"]: st.column_config.LinkColumn(ui["source"]), **wide(ui["text"])},
        )
    else:
        st.info(ui["no_cases_of"])
    st.subheader(ui["ties_of"])
    st.dataframe(
        pd.DataFrame(
            [
                {
                    ui["country"]: t.country,
                    ui["place"]: t.place,
                    ui["kind"]: t.kind_text,
                    ui["year"]: str(t.year or ""),
                    ui["source"]: t.source if t.source.startswith("http") else "",
                }
                for t in view.ties
            ],
            columns=[ui["country"], ui["place"], ui["kind"], ui["year"], ui["source"]],
        ),
        hide_index=True,
        width="stretch",
        column_config={ui["source"]: st.column_config.LinkColumn(ui["source"])},
    )


def render_needs(result: Recommendation, ui: dict, lang: str) -> None:
    """The partner needs a proposal answers ("no recorded need" is not a flag) and its country fit."""
    lines = [f"**{ui['partner_needs']}:** " + "; ".join(needs_lines(result, lang))]
    if result.country_fit is not None:
        lines.append(f"**{ui['country_fit']}:** {result.country_fit.summary}")
    st.markdown("  \n".join(lines))


def render_opportunity(o, ui: dict, lang: str) -> None:
    """One opportunity: the targets it would serve, the precedents to learn from, the partner's stated
    needs there and possible team partners."""
    lines = [f"**{ui['reason']}:** " + "; ".join(r.text for r in o.reasons)]
    if o.targets:
        lines.append(f"**{ui['targets_served']}:** " + ", ".join(f"{t.id} {t.title}" for t in o.targets))
    if o.precedents:
        lines.append(f"**{ui['learn_from']}:** " + ", ".join(f"{r.id} {r.title}" for r in o.precedents))
    if o.needs:
        lines.append(f"**{ui['partner_needs']}:** " + "; ".join(f"{n.need} ({n.evidence})" for n in o.needs))
    if o.team_partners:
        names = [f"{t.name_ko if lang == 'ko' else t.name_en} ({t.reason})" for t in o.team_partners]
        lines.append(f"**{ui['team_partners']}:** " + "; ".join(names))
    st.markdown("  \n".join(lines))


def render_government_map(view, ui: dict, lang: str) -> None:
    points = [
        {
            "lat": view.lat,
            "lon": view.lon,
            "name": view.name_ko if lang == "ko" else view.name_en,
            "color": BLUE,
            "radius": 8000,
        }
    ]
    points += [
        {"lat": t.lat, "lon": t.lon, "name": f"{t.place} ({t.kind_text})", "color": GREEN, "radius": 20000}
        for t in view.ties
        if t.lat is not None and t.lon is not None
    ]
    for rank, o in enumerate(view.opportunities, 1):
        for pl in o.partner_places:
            if pl.lat is not None and pl.lon is not None:
                name = (pl.name_ko or pl.name_en) if lang == "ko" else pl.name_en
                points.append({"lat": pl.lat, "lon": pl.lon, "name": f"{rank}. {name}", "color": RED, "radius": 30000})
    st.caption(ui["map_government"])
    st.pydeck_chart(map_deck(points), height=460)


def page_style(ui: dict, lang: str) -> None:
    """Streamlit's own English texts that configuration cannot change: the uploader's drop hint and
    button get the UI language's words; "Press Enter to apply" is hidden, and in Korean so is the
    tables' hover toolbar (its buttons are labelled in English only)."""
    toolbar = '[data-testid="stElementToolbar"] {display: none}' if lang == "ko" else ""
    st.html(
        "<style>" + toolbar + '[data-testid="stFileUploaderDropzoneInstructions"] span,'
        '[data-testid="stFileUploaderDropzoneInstructions"] small {display: none}'
        f'[data-testid="stFileUploaderDropzoneInstructions"] > div::before {{content: "{ui["drop_here"]}"}}'
        '[data-testid="stFileUploaderDropzone"] button {font-size: 0}'
        '[data-testid="stFileUploaderDropzone"] button > * {display: none}'
        f'[data-testid="stFileUploaderDropzone"] button::after {{content: "{ui["browse"]}"; font-size: 0.9rem}}'
        '[data-testid="InputInstructions"] {display: none}'
        "</style>"
    )


def keep_drafts() -> None:
    """Widgets that are not drawn lose their state; writing it back keeps a draft, and the Screen
    page's filters and open proposal, across pages."""
    for key in DRAFT_KEYS + CALL_KEYS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


@st.cache_resource(show_spinner=False)
def web_fonts() -> None:
    """Once per server: the page's Korean font into static/ (.streamlit/config.toml serves it)."""
    install_web_fonts(STATIC_DIR)


def main() -> None:
    st.set_page_config(page_title="KOICA city-to-city matching", layout="wide")
    web_fonts()
    require_access()  # a shared server shows only its password form until this session gives it
    keep_drafts()
    lang = st.sidebar.radio(
        "언어 / Language", ["ko", "en"], format_func=lambda x: "한국어" if x == "ko" else "English", key="lang"
    )
    ui = ui_labels(lang)
    page_style(ui, lang)
    page = st.sidebar.radio(
        ui["page"], ["draft", "screen", "explore", "our_government"], format_func=lambda p: ui[p], key="page"
    )
    st.title(ui["title"])
    st.caption(ui["caption"])
    with st.spinner(ui["loading"]):
        try:
            rec = load_recommender()
        except RecommenderError as exc:
            show_error(exc, ui, lang)
            st.stop()
    pages = {"draft": page_draft, "screen": page_screen, "explore": page_explore, "our_government": page_government}
    pages[page](rec, ui, lang)
    st.caption(footer(lang))


if __name__ == "__main__":  # streamlit runs the file as __main__; tests import its pure helpers
    main()
