"""Streamlit workbench: draft a proposal, screen a call, explore what the recommendations stand on.

A thin shell over `recommender`: the model and indexes load once per process, user text is shown
as text (never as HTML), and every label comes in the chosen language.
"""

from __future__ import annotations

import io
import os

import pandas as pd
import streamlit as st

from recommender import InputError, Recommender, RecommenderError
from recommender.access import footer, require_access
from recommender.batch import score_frame
from recommender.catalogue import split_codes
from recommender.core import DEFAULT_DATA_DIR, DEFAULT_MODELS_DIR
from recommender.documents import extract_text
from recommender.explain import goals_line, render_markdown, summary_row, ui_labels
from recommender.io import find_columns, read_table, write_results
from recommender.results import BatchResult, Recommendation, ScoredProposal

MAX_UPLOAD_MB = 20
MAX_CALL_ROWS = 2_000


@st.cache_resource(show_spinner=False)
def load_recommender() -> Recommender:
    # The folders can be moved with environment variables (tests use a temporary models folder).
    return Recommender.open(
        os.environ.get("RECOMMENDER_DATA_DIR", DEFAULT_DATA_DIR),
        os.environ.get("RECOMMENDER_MODELS_DIR", DEFAULT_MODELS_DIR),
    )


@st.cache_data(show_spinner=False)
def country_options(_rec: Recommender, lang: str) -> dict[str, str]:
    c = _rec.catalogues.countries
    local = c["name_ko"].where(c["name_ko"] != "", c["name_en"]) if lang == "ko" else c["name_en"]
    labels = local + " · " + c["name_en"] + " (" + c["iso2"] + ")"
    return dict(sorted(zip(c["iso2"], labels), key=lambda x: x[1]))


@st.cache_data(show_spinner=False)
def city_options(_rec: Recommender, iso2: str, lang: str) -> dict[str, str]:
    cities = _rec.catalogues.cities
    cities = cities[cities["iso2"] == iso2].assign(pop=lambda f: pd.to_numeric(f["population"], errors="coerce"))
    cities = cities.sort_values("pop", ascending=False).head(300)
    return {
        row["name"]: (f"{row['name_ko']} · {row['name']}" if lang == "ko" and row["name_ko"] else row["name"])
        for row in cities.to_dict("records")
    }


def goal_colours(rec: Recommender) -> dict[int, str]:
    return dict(zip(rec.catalogues.sdg_goals["goal"], rec.catalogues.sdg_goals["colour"]))


def score_column(ui: dict) -> dict:
    return {ui["score"]: st.column_config.ProgressColumn(ui["score"], min_value=0.0, max_value=1.0, format="%.2f")}


def render_targets(rec: Recommender, result: Recommendation, ui: dict, lang: str) -> None:
    st.write(f"**{ui['goals_present']}:** " + goals_line(result, lang))
    sdg11 = [f"{t.id} ({rank})" for rank, t in enumerate(result.sdg_targets, 1) if t.is_sdg11]
    st.write(f"**{ui['sdg11_in_list']}:** " + (", ".join(sdg11) if sdg11 else ui["none"]))
    frame = pd.DataFrame(
        [
            {
                ui["target"]: t.id + (" ★" if t.is_sdg11 else ""),
                ui["goal"]: t.goal,
                ui["text"]: t.title,
                ui["score"]: t.score,
                ui["reason"]: t.reason,
            }
            for t in result.sdg_targets
        ]
    )
    colours = goal_colours(rec)
    styled = frame.style.map(
        lambda g: f"background-color: {colours.get(g, '#fff')}; color: white; font-weight: bold", subset=[ui["goal"]]
    )
    st.dataframe(styled, hide_index=True, use_container_width=True, column_config=score_column(ui))


def render_precedents(rec: Recommender, result: Recommendation, ui: dict, lang: str) -> None:
    lg_names = dict(
        zip(
            rec.catalogues.local_governments["code"],
            rec.catalogues.local_governments["name_ko" if lang == "ko" else "name_en"],
        )
    )
    frame = pd.DataFrame(
        [
            {
                ui["precedent"]: p.id,
                ui["text"]: p.title,
                ui["government"]: ", ".join(lg_names[c] for c in p.lg_codes),
                ui["country"]: p.partner_iso2,
                ui["place"]: p.partner_locality,
                ui["years"]: p.years,
                ui["budget"]: p.budget_krw,
                ui["score"]: p.score,
                ui["reason"]: p.reason,
                ui["source"]: p.source_url if p.source_url.startswith("http") else "",
            }
            for p in result.precedents
        ]
    )
    st.dataframe(
        frame,
        hide_index=True,
        use_container_width=True,
        column_config={
            **score_column(ui),
            ui["source"]: st.column_config.LinkColumn(ui["source"]),
            ui["budget"]: st.column_config.NumberColumn(ui["budget"], format="localized"),
        },
    )


def render_governments(result: Recommendation, ui: dict, lang: str) -> None:
    frame = pd.DataFrame(
        [
            {
                ui["government"]: g.name_ko if lang == "ko" else g.name_en,
                "code": g.code,
                ui["score"]: g.score,
                ui["components"]: f"{g.components['best_precedent']:.2f} / {g.components['country_experience']:.2f}",
                ui["best"]: g.best_precedent or "",
                ui["in_country"]: g.components["n_cases_in_country"],
                ui["reason"]: g.reason,
            }
            for g in result.local_governments
        ]
    )
    st.dataframe(frame, hide_index=True, use_container_width=True, column_config=score_column(ui))
    points = [
        {"lat": g.lat, "lon": g.lon, "color": "#1f77b4", "size": 6000} for g in result.local_governments if g.score > 0
    ]
    city = result.partner_city
    if isinstance(city, dict):
        points.append({"lat": city["lat"], "lon": city["lon"], "color": "#d62728", "size": 30000})
    if points:
        st.caption(ui["map"])
        st.map(pd.DataFrame(points), color="color", size="size")


def render_result(rec: Recommender, result: Recommendation, ui: dict, lang: str) -> None:
    tab_t, tab_p, tab_g = st.tabs([ui["tab_targets"], ui["tab_precedents"], ui["tab_lgs"]])
    with tab_t:
        render_targets(rec, result, ui, lang)
    with tab_p:
        render_precedents(rec, result, ui, lang)
    with tab_g:
        render_governments(result, ui, lang)


def result_workbook(results: list[ScoredProposal]) -> bytes:
    """The same workbook `recommender score -o x.xlsx` writes."""
    buffer = io.BytesIO()
    write_results(results, [], buffer, fmt="xlsx")
    return buffer.getvalue()


def summary_markdown(proposal: dict, result: Recommendation, ui: dict, lang: str) -> str:
    return render_markdown(proposal.get("title") or ui["title"], proposal["text"], result, lang)


def page_draft(rec: Recommender, ui: dict, lang: str) -> None:
    upload = st.file_uploader(ui["upload_doc"], type=["txt", "pdf", "docx", "hwpx", "hwp"], key="proposal_file")
    if upload is not None and st.session_state.get("_loaded_file") != upload.file_id:
        st.session_state["_loaded_file"] = upload.file_id
        try:
            st.session_state["proposal_text"] = extract_text(upload.getvalue(), upload.name)
            st.info(ui["loaded"])
        except InputError as exc:
            st.error(f"{ui['error']}: {exc}")

    title = st.text_input(ui["p_title"], key="proposal_title")
    text = st.text_area(ui["p_text"], key="proposal_text", height=180, placeholder=ui["placeholder"])
    col1, col2, col3 = st.columns(3)
    countries = country_options(rec, lang)
    country = col1.selectbox(
        ui["p_country"],
        [None] + list(countries),
        key="partner_country",
        format_func=lambda iso: ui["no_choice"] if iso is None else countries[iso],
    )
    cities = city_options(rec, country, lang) if country else {}
    city = col2.selectbox(
        ui["p_city"],
        [None] + list(cities),
        key="partner_city",
        format_func=lambda c: ui["no_choice"] if c is None else cities[c],
    )
    sector = col3.text_input(ui["p_sector"], key="sector")
    col4, col5 = st.columns(2)
    budget = col4.text_input(ui["p_budget"], key="budget")
    years = col5.slider(ui["p_years"], 2020, 2035, (2026, 2028), key="years")
    if st.button(ui["submit"], type="primary", key="submit"):
        if not text.strip():
            st.warning(ui["empty"])
            st.session_state.pop("proposal", None)
        else:
            st.session_state["proposal"] = {
                "text": text,
                "title": title,
                "partner_country": country,
                "partner_city": city or "",
                "sector": sector,
                "budget": budget or None,
                "years": f"{years[0]}–{years[1]}",
            }
    proposal = st.session_state.get("proposal")
    if not proposal:
        return
    try:  # re-ranking is cheap, so a language switch simply asks again
        result = rec.recommend(proposal, lang=lang)
    except InputError as exc:
        st.error(f"{ui['error']}: {exc}")
        return
    for warning in result.warnings:
        st.info(warning)
    render_result(rec, result, ui, lang)
    col_a, col_b = st.columns(2)
    col_a.download_button(
        ui["download"],
        result_workbook([ScoredProposal("proposal", 1, result)]),
        file_name="matches.xlsx",
        key="download_xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    col_b.download_button(
        ui["summary"],
        summary_markdown(proposal, result, ui, lang),
        file_name="summary.md",
        mime="text/markdown",
        key="download_md",
    )


def page_screen(rec: Recommender, ui: dict, lang: str) -> None:
    upload = st.file_uploader(ui["upload_call"], type=["csv", "xlsx", "jsonl", "parquet"], key="call_file")
    if upload is None:
        return
    if upload.size > MAX_UPLOAD_MB * 2**20:
        st.error(ui["too_big"].format(mb=MAX_UPLOAD_MB))
        return
    key = (upload.file_id, lang)
    if st.session_state.get("_call_key") != key:
        try:
            frame = read_table(upload.getvalue(), name=upload.name)
            if len(frame) > MAX_CALL_ROWS:
                st.error(ui["too_many"].format(n=MAX_CALL_ROWS))
                return
            batch = score_frame(rec, frame, columns=find_columns(frame.columns))
        except InputError as exc:
            st.error(f"{ui['error']}: {exc}")
            return
        st.session_state["_call_key"], st.session_state["call_batch"] = key, batch
    batch: BatchResult = st.session_state["call_batch"]
    st.success(ui["scored"].format(n=len(batch.results), e=len(batch.errors)))
    if batch.errors:
        with st.expander(ui["rejected"]):
            st.dataframe(pd.DataFrame([e.to_dict() for e in batch.errors]), hide_index=True, use_container_width=True)
    table = pd.DataFrame([summary_row(r) for r in batch.results])
    table["country"] = [r.recommendation.partner_country or "" for r in batch.results]
    flags = sorted({f.split(":")[0] for r in batch.results for f in r.flags})
    chosen = st.multiselect(ui["filter_flag"], flags, key="filter_flags")
    countries = sorted({c for c in table["country"] if c})
    chosen_countries = st.multiselect(ui["filter_country"], countries, key="filter_countries")
    shown = table
    if chosen:
        shown = shown[[any(f.split(":")[0] in chosen for f in split_codes(fl)) for fl in shown["flags"]]]
    if chosen_countries:
        shown = shown[shown["country"].isin(chosen_countries)]
    st.dataframe(shown, hide_index=True, use_container_width=True)
    pick = st.selectbox(ui["detail"], list(shown["id"]), key="detail_id")
    if pick is not None:
        result = next(r for r in batch.results if r.id == pick)
        render_result(rec, result.recommendation, ui, lang)
    st.download_button(
        ui["download_call"],
        result_workbook(batch.results),
        file_name="screening.xlsx",
        key="download_call",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def page_explore(rec: Recommender, ui: dict, lang: str) -> None:
    cat = rec.catalogues
    prec = cat.precedents
    lgs = cat.local_governments
    name = "name_ko" if lang == "ko" else "name_en"
    lg_names = dict(zip(lgs["code"], lgs[name]))
    st.subheader(ui["precedents"])
    col1, col2, col3 = st.columns(3)
    sectors = sorted(set(prec["dac_name_ko" if lang == "ko" else "dac_name"]))
    sector = col1.multiselect(ui["filter_sector"], sectors, key="explore_sector")
    countries = sorted({c for cs in prec["partner_iso2"] for c in split_codes(cs)})
    country = col2.multiselect(ui["filter_country"], countries, key="explore_country")
    with_cases = sorted({c for cs in prec["lg_codes"] for c in split_codes(cs)}, key=lambda c: lg_names[c])
    government = col3.multiselect(ui["filter_lg"], with_cases, format_func=lambda c: lg_names[c], key="explore_lg")
    shown = prec
    if sector:
        shown = shown[shown["dac_name_ko" if lang == "ko" else "dac_name"].isin(sector)]
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
                ui["country"]: shown["partner_iso2"],
                ui["years"]: shown["year_start"].astype(str).str.replace("<NA>", ""),
                ui["sector"]: shown["dac_name_ko" if lang == "ko" else "dac_name"],
                ui["reason"]: shown["description_ko" if lang == "ko" else "description_en"],
                ui["source"]: shown["source_url"].where(shown["source_url"].str.startswith("http"), ""),
            }
        ),
        hide_index=True,
        use_container_width=True,
        column_config={ui["source"]: st.column_config.LinkColumn()},
    )
    st.subheader(ui["governments"])
    counts = pd.Series([c for cs in prec["lg_codes"] for c in split_codes(cs)]).value_counts()
    table = lgs.assign(cases=lgs["code"].map(counts).fillna(0).astype(int))
    table = table[table["cases"] > 0].sort_values("cases", ascending=False)
    st.map(table.assign(size=table["cases"] * 3000), latitude="lat", longitude="lon", size="size")
    st.dataframe(
        pd.DataFrame(
            {
                ui["government"]: table[name],
                "code": table["code"],
                ui["level"]: table["level"],
                ui["cases"]: table["cases"],
            }
        ),
        hide_index=True,
        use_container_width=True,
    )


def main() -> None:
    st.set_page_config(page_title="KOICA city-to-city matching", layout="wide")
    require_access()  # a shared server shows only its password form until this session gives it
    lang = st.sidebar.radio(
        "언어 / Language", ["ko", "en"], format_func=lambda x: "한국어" if x == "ko" else "English", key="lang"
    )
    ui = ui_labels(lang)
    page = st.sidebar.radio(ui["page"], ["draft", "screen", "explore"], format_func=lambda p: ui[p], key="page")
    st.title(ui["title"])
    st.caption(ui["caption"])
    with st.spinner(ui["loading"]):
        try:
            rec = load_recommender()
        except RecommenderError as exc:
            st.error(str(exc))
            st.stop()
    {"draft": page_draft, "screen": page_screen, "explore": page_explore}[page](rec, ui, lang)
    st.caption(footer(lang))


if __name__ == "__main__":  # streamlit runs the file as __main__; tests import its pure helpers
    main()
