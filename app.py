"""Streamlit front end: draft a proposal and see the SDG targets, precedents and governments that match.

A thin shell over `recommender`: the model and indexes load once per process, user text is shown
as text (never as HTML), and every label comes in the chosen language.
"""
from __future__ import annotations

import io
import os

import pandas as pd
import streamlit as st

from recommender import InputError, Recommender, RecommenderError
from recommender.core import DEFAULT_DATA_DIR, DEFAULT_MODELS_DIR

LABELS = {
    "ko": {
        "title": "도시 간 협력 제안 매칭", "lang": "언어", "draft": "제안서 작성",
        "caption": "제안 사업을 입력하면 관련 SDG 세부목표, 유사한 선례, 적합한 지방정부를 찾아 드립니다. (오프라인)",
        "p_title": "사업명", "p_text": "사업 내용", "p_country": "대상 국가", "p_city": "대상 도시",
        "p_sector": "분야", "p_budget": "예산(원)", "submit": "매칭하기", "empty": "사업 내용을 입력해 주세요.",
        "tab_targets": "SDG 세부목표", "tab_precedents": "선례", "tab_lgs": "지방정부",
        "goals_present": "관련 SDG 목표", "none": "없음", "score": "점수", "reason": "근거", "target": "세부목표",
        "goal": "목표", "precedent": "사례", "government": "지방정부", "country": "협력국", "years": "기간",
        "source": "출처", "download": "결과 내려받기 (.xlsx)", "loading": "모델과 색인을 불러오는 중…",
        "no_country": "(선택 안 함)", "sdg11_in_list": "SDG 11 세부목표 (순위)", "sdg11": "SDG 11", "map": "지도", "error": "입력 오류",
        "placeholder": "예: 캄보디아 바탐방주 소방본부에 소방차를 지원하고 소방관 역량을 강화하는 사업",
    },
    "en": {
        "title": "City-to-city proposal matching", "lang": "Language", "draft": "Draft a proposal",
        "caption": "Describe a proposed project to see the SDG targets it serves, similar precedents and the "
                   "Korean local governments best placed to carry it out. (Offline)",
        "p_title": "Title", "p_text": "Description", "p_country": "Partner country", "p_city": "Partner city",
        "p_sector": "Sector", "p_budget": "Budget (KRW)", "submit": "Match", "empty": "Please enter a description.",
        "tab_targets": "SDG targets", "tab_precedents": "Precedents", "tab_lgs": "Local governments",
        "goals_present": "SDGs served", "none": "none", "score": "Score", "reason": "Why", "target": "Target",
        "goal": "Goal", "precedent": "Case", "government": "Government", "country": "Partner", "years": "Years",
        "source": "Source", "download": "Download results (.xlsx)", "loading": "Loading model and indexes…",
        "no_country": "(none)", "sdg11_in_list": "SDG 11 targets (rank)", "sdg11": "SDG 11", "map": "Map", "error": "Input error",
        "placeholder": "e.g. Fire trucks and firefighter training for Battambang Province, Cambodia",
    },
}


@st.cache_resource(show_spinner=False)
def load_recommender() -> Recommender:
    # The folders can be moved with environment variables (tests use a temporary models folder).
    return Recommender.open(os.environ.get("RECOMMENDER_DATA_DIR", DEFAULT_DATA_DIR),
                            os.environ.get("RECOMMENDER_MODELS_DIR", DEFAULT_MODELS_DIR))


@st.cache_data(show_spinner=False)
def country_options(_rec: Recommender, lang: str) -> list[tuple[str, str]]:
    countries = _rec.catalogues_.countries
    name = countries["name_ko"].where(countries["name_ko"] != "", countries["name_en"]) if lang == "ko" \
        else countries["name_en"]
    options = sorted(zip(countries["iso2"], name + " · " + countries["name_en"] + " (" + countries["iso2"] + ")"),
                     key=lambda x: x[1])
    return options


def render_targets(result: dict, L: dict) -> None:
    goals = [str(g["goal"]) for g in result["sdg_goals"] if g["present"]]
    st.write(f"**{L['goals_present']}:** " + (", ".join(goals) if goals else L["none"]))
    sdg11 = [f"{t['id']} ({rank})" for rank, t in enumerate(result["sdg_targets"], 1) if t["is_sdg11"]]
    st.write(f"**{L['sdg11_in_list']}:** " + (", ".join(sdg11) if sdg11 else L["none"]))
    frame = pd.DataFrame([{L["target"]: t["id"] + (" ★" if t["is_sdg11"] else ""), L["goal"]: t["goal"],
                           "": t["title"], L["score"]: t["score"], L["reason"]: t["reason"]}
                          for t in result["sdg_targets"]])
    st.dataframe(frame, hide_index=True, use_container_width=True, column_config={
        L["score"]: st.column_config.ProgressColumn(L["score"], min_value=0.0, max_value=1.0, format="%.2f")})


def render_precedents(result: dict, L: dict) -> None:
    frame = pd.DataFrame([{L["precedent"]: p["id"], "": p["title"], L["country"]: p["partner_iso2"],
                           L["years"]: p["years"], L["score"]: p["score"], L["reason"]: p["reason"],
                           L["source"]: p["source_url"] if p["source_url"].startswith("http") else ""}
                          for p in result["precedents"]])
    st.dataframe(frame, hide_index=True, use_container_width=True, column_config={
        L["score"]: st.column_config.ProgressColumn(L["score"], min_value=0.0, max_value=1.0, format="%.2f"),
        L["source"]: st.column_config.LinkColumn(L["source"])})


def render_governments(result: dict, L: dict, lang: str) -> None:
    frame = pd.DataFrame([{L["government"]: g["name_ko"] if lang == "ko" else g["name_en"], "code": g["code"],
                           L["score"]: g["score"], L["reason"]: g["reason"]} for g in result["local_governments"]])
    st.dataframe(frame, hide_index=True, use_container_width=True, column_config={
        L["score"]: st.column_config.ProgressColumn(L["score"], min_value=0.0, max_value=1.0, format="%.2f")})
    points = pd.DataFrame([{"lat": g["lat"], "lon": g["lon"]} for g in result["local_governments"]
                           if g["score"] > 0])
    if not points.empty:
        st.map(points, size=2000)


def result_workbook(result: dict) -> bytes:
    from recommender.io import BatchResult, long_rows, neutralise

    buffer = io.BytesIO()
    batch = BatchResult(results=[{"id": "proposal", "row": 1, **result}])
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for key in ("sdg_targets", "precedents", "local_governments"):
            long_rows(batch.results, key).map(neutralise).to_excel(writer, sheet_name=key, index=False)
    return buffer.getvalue()


def main() -> None:
    st.set_page_config(page_title="KOICA city-to-city matching", layout="wide")
    lang = st.sidebar.radio("언어 / Language", ["ko", "en"], format_func=lambda x: "한국어" if x == "ko" else "English",
                            key="lang")
    L = LABELS[lang]
    st.title(L["title"])
    st.caption(L["caption"])
    with st.spinner(L["loading"]):
        try:
            rec = load_recommender()
        except RecommenderError as exc:
            st.error(str(exc))
            st.stop()

    options = country_options(rec, lang)
    with st.form("draft"):
        title = st.text_input(L["p_title"], key="proposal_title")
        text = st.text_area(L["p_text"], key="proposal_text", height=180, placeholder=L["placeholder"])
        col1, col2, col3, col4 = st.columns(4)
        country = col1.selectbox(L["p_country"], [None] + [iso for iso, _ in options], key="partner_country",
                                 format_func=lambda iso: L["no_country"] if iso is None else dict(options)[iso])
        city = col2.text_input(L["p_city"], key="partner_city")
        sector = col3.text_input(L["p_sector"], key="sector")
        budget = col4.text_input(L["p_budget"], key="budget")
        submitted = st.form_submit_button(L["submit"], type="primary")

    if submitted:
        if not text.strip():
            st.warning(L["empty"])
            st.session_state.pop("proposal", None)
        else:
            st.session_state["proposal"] = {"text": text, "title": title, "partner_country": country,
                                            "partner_city": city, "sector": sector, "budget": budget or None}

    proposal = st.session_state.get("proposal")
    if proposal:
        try:  # re-ranking is cheap, so a language switch simply asks again
            result = rec.recommend(proposal, lang=lang)
        except InputError as exc:
            st.error(f"{L['error']}: {exc}")
            return
        for warning in result.get("warnings", []):
            st.info(warning)
        tab_t, tab_p, tab_g = st.tabs([L["tab_targets"], L["tab_precedents"], L["tab_lgs"]])
        with tab_t:
            render_targets(result, L)
        with tab_p:
            render_precedents(result, L)
        with tab_g:
            render_governments(result, L, lang)
        st.download_button(L["download"], result_workbook(result), file_name="matches.xlsx",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


main()
