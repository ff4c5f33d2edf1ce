"""Streamlit workbench: draft a proposal, screen a call, explore what the recommendations stand on.

A thin shell over `recommender`: the model and indexes load once per process, user text is shown
as text (never as HTML), and every label comes in the chosen language.
"""
from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from recommender import InputError, Recommender, RecommenderError
from recommender.core import DEFAULT_DATA_DIR, DEFAULT_MODELS_DIR
from recommender.documents import extract_text
from recommender.io import BatchResult, find_columns, long_rows, neutralise, read_table, score_frame, summary_rows

MAX_UPLOAD_MB = 20
MAX_CALL_ROWS = 2_000

LABELS = {
    "ko": {
        "title": "도시 간 협력 제안 매칭", "page": "화면", "draft": "제안서 작성", "screen": "공모 심사", "explore": "둘러보기",
        "caption": "제안 사업을 입력하면 관련 SDG 세부목표, 유사한 선례, 적합한 지방정부를 찾아 드립니다. (오프라인)",
        "upload_doc": "제안서 파일에서 불러오기 (.txt, .pdf, .docx, .hwpx, .hwp)", "loaded": "파일의 본문을 사업 내용에 넣었습니다. 확인해 주세요.",
        "p_title": "사업명", "p_text": "사업 내용", "p_country": "대상 국가", "p_city": "대상 도시",
        "p_sector": "분야", "p_budget": "예산(원)", "p_years": "사업 기간", "submit": "매칭하기",
        "empty": "사업 내용을 입력해 주세요.",
        "tab_targets": "SDG 세부목표", "tab_precedents": "선례", "tab_lgs": "지방정부",
        "goals_present": "관련 SDG 목표", "sdg11_in_list": "SDG 11 세부목표 (순위)", "none": "없음", "score": "점수",
        "no_goal": "기준을 넘은 목표 없음 (가장 가까운 목표: SDG {goal}, 확률 {p:.2f})",
        "reason": "근거", "target": "세부목표", "goal": "목표", "text": "내용", "precedent": "사례", "government": "지방정부",
        "country": "협력국", "place": "지역", "years": "기간", "budget": "예산(원)", "source": "출처",
        "components": "구성 (사례 / 협력국 경험)", "best": "가장 가까운 사례", "in_country": "협력국 사례 수",
        "download": "결과 내려받기 (.xlsx)", "summary": "한 장 요약 (.md)", "loading": "모델과 색인을 불러오는 중…",
        "no_choice": "(선택 안 함)", "error": "입력 오류", "map": "지도: 대상 도시(빨강)와 후보 지방정부(파랑)",
        "placeholder": "예: 캄보디아 바탐방주 소방본부에 소방차를 지원하고 소방관 역량을 강화하는 사업",
        "upload_call": "공모 제안 목록 (.csv, .xlsx, .jsonl, .parquet)", "scored": "{n}건 분석, {e}건 제외",
        "rejected": "분석하지 못한 행", "flag": "검토 표시", "filter_flag": "검토 표시로 거르기",
        "filter_country": "협력국으로 거르기", "detail": "제안 상세 보기", "download_call": "심사 결과 내려받기 (.xlsx)",
        "too_big": "파일이 {mb} MB를 넘습니다. 나누어 올려 주세요.", "too_many": "행이 {n}개를 넘습니다. 명령줄의 `recommender score`를 쓰세요.",
        "precedents": "선례 목록", "governments": "지방정부", "cases": "사례 수", "sector": "분야",
        "filter_sector": "분야로 거르기", "filter_lg": "지방정부로 거르기", "level": "구분",
    },
    "en": {
        "title": "City-to-city proposal matching", "page": "Page", "draft": "Draft a proposal", "screen": "Screen a call",
        "explore": "Explore",
        "caption": "Describe a proposed project to see the SDG targets it serves, similar precedents and the "
                   "Korean local governments best placed to carry it out. (Offline)",
        "upload_doc": "Load from a document (.txt, .pdf, .docx, .hwpx, .hwp)",
        "loaded": "The document's text is in the description; please check it.",
        "p_title": "Title", "p_text": "Description", "p_country": "Partner country", "p_city": "Partner city",
        "p_sector": "Sector", "p_budget": "Budget (KRW)", "p_years": "Years", "submit": "Match",
        "empty": "Please enter a description.",
        "tab_targets": "SDG targets", "tab_precedents": "Precedents", "tab_lgs": "Local governments",
        "goals_present": "SDGs served", "sdg11_in_list": "SDG 11 targets (rank)", "none": "none", "score": "Score",
        "no_goal": "none above the threshold (closest: SDG {goal}, probability {p:.2f})",
        "reason": "Why", "target": "Target", "goal": "Goal", "text": "Text", "precedent": "Case",
        "government": "Government", "country": "Partner", "place": "Place", "years": "Years", "budget": "Budget (KRW)",
        "source": "Source", "components": "Components (case / partner-country experience)", "best": "Best precedent",
        "in_country": "Cases in partner country", "download": "Download results (.xlsx)",
        "summary": "One-page summary (.md)", "loading": "Loading model and indexes…", "no_choice": "(none)",
        "error": "Input error", "map": "Map: partner city (red) and candidate governments (blue)",
        "placeholder": "e.g. Fire trucks and firefighter training for Battambang Province, Cambodia",
        "upload_call": "Proposals of a call (.csv, .xlsx, .jsonl, .parquet)", "scored": "{n} scored, {e} rejected",
        "rejected": "Rows that could not be scored", "flag": "Flags", "filter_flag": "Filter by flag",
        "filter_country": "Filter by partner country", "detail": "Open one proposal",
        "download_call": "Download screening results (.xlsx)",
        "too_big": "The file is over {mb} MB; split it.", "too_many": "Over {n} rows; use `recommender score` on the command line.",
        "precedents": "Precedent catalogue", "governments": "Local governments", "cases": "Cases", "sector": "Sector",
        "filter_sector": "Filter by sector", "filter_lg": "Filter by government", "level": "Level",
    },
}


@st.cache_resource(show_spinner=False)
def load_recommender() -> Recommender:
    # The folders can be moved with environment variables (tests use a temporary models folder).
    return Recommender.open(os.environ.get("RECOMMENDER_DATA_DIR", DEFAULT_DATA_DIR),
                            os.environ.get("RECOMMENDER_MODELS_DIR", DEFAULT_MODELS_DIR))


@st.cache_data(show_spinner=False)
def country_options(_rec: Recommender, lang: str) -> dict[str, str]:
    c = _rec.catalogues_.countries
    local = c["name_ko"].where(c["name_ko"] != "", c["name_en"]) if lang == "ko" else c["name_en"]
    labels = local + " · " + c["name_en"] + " (" + c["iso2"] + ")"
    return dict(sorted(zip(c["iso2"], labels), key=lambda x: x[1]))


@st.cache_data(show_spinner=False)
def city_options(_rec: Recommender, iso2: str, lang: str) -> dict[str, str]:
    cities = _rec.catalogues_.cities
    cities = cities[cities["iso2"] == iso2].assign(pop=lambda f: pd.to_numeric(f["population"], errors="coerce"))
    cities = cities.sort_values("pop", ascending=False).head(300)
    return {row["name"]: (f"{row['name_ko']} · {row['name']}" if lang == "ko" and row["name_ko"] else row["name"])
            for row in cities.to_dict("records")}


def goal_colours(rec: Recommender) -> dict[int, str]:
    return dict(zip(rec.catalogues_.sdg_goals["goal"], rec.catalogues_.sdg_goals["colour"]))


def score_column(L: dict) -> dict:
    return {L["score"]: st.column_config.ProgressColumn(L["score"], min_value=0.0, max_value=1.0, format="%.2f")}


def goals_line(result: dict, L: dict) -> str:
    """The goals marked present; when none is, say so and name the closest, so the officer still has
    a goal to weigh (the model's threshold, not the proposal, decided there is none)."""
    goals = [str(g["goal"]) for g in result["sdg_goals"] if g["present"]]
    if goals:
        return ", ".join(goals)
    closest = max(result["sdg_goals"], key=lambda g: g["score"])
    return L["no_goal"].format(goal=closest["goal"], p=closest["score"])


def render_targets(rec: Recommender, result: dict, L: dict) -> None:
    st.write(f"**{L['goals_present']}:** " + goals_line(result, L))
    sdg11 = [f"{t['id']} ({rank})" for rank, t in enumerate(result["sdg_targets"], 1) if t["is_sdg11"]]
    st.write(f"**{L['sdg11_in_list']}:** " + (", ".join(sdg11) if sdg11 else L["none"]))
    frame = pd.DataFrame([{L["target"]: t["id"] + (" ★" if t["is_sdg11"] else ""), L["goal"]: t["goal"],
                           L["text"]: t["title"], L["score"]: t["score"], L["reason"]: t["reason"]}
                          for t in result["sdg_targets"]])
    colours = goal_colours(rec)
    styled = frame.style.map(lambda g: f"background-color: {colours.get(g, '#fff')}; color: white; font-weight: bold",
                             subset=[L["goal"]])
    st.dataframe(styled, hide_index=True, use_container_width=True, column_config=score_column(L))


def render_precedents(rec: Recommender, result: dict, L: dict, lang: str) -> None:
    lg_names = dict(zip(rec.catalogues_.local_governments["code"],
                        rec.catalogues_.local_governments["name_ko" if lang == "ko" else "name_en"]))
    frame = pd.DataFrame([{
        L["precedent"]: p["id"], L["text"]: p["title"], L["government"]: ", ".join(lg_names[c] for c in p["lg_codes"]),
        L["country"]: p["partner_iso2"], L["place"]: p["partner_locality"], L["years"]: p["years"],
        L["budget"]: p["budget_krw"], L["score"]: p["score"], L["reason"]: p["reason"],
        L["source"]: p["source_url"] if p["source_url"].startswith("http") else ""} for p in result["precedents"]])
    st.dataframe(frame, hide_index=True, use_container_width=True,
                 column_config={**score_column(L), L["source"]: st.column_config.LinkColumn(L["source"]),
                                L["budget"]: st.column_config.NumberColumn(L["budget"], format="localized")})


def render_governments(result: dict, L: dict, lang: str) -> None:
    frame = pd.DataFrame([{
        L["government"]: g["name_ko"] if lang == "ko" else g["name_en"], "code": g["code"], L["score"]: g["score"],
        L["components"]: f"{g['components']['best_precedent']:.2f} / {g['components']['country_experience']:.2f}",
        L["best"]: g["best_precedent"] or "", L["in_country"]: g["components"]["n_cases_in_country"],
        L["reason"]: g["reason"]} for g in result["local_governments"]])
    st.dataframe(frame, hide_index=True, use_container_width=True, column_config=score_column(L))
    points = [{"lat": g["lat"], "lon": g["lon"], "color": "#1f77b4", "size": 6000} for g in result["local_governments"]
              if g["score"] > 0]
    city = result.get("partner_city")
    if isinstance(city, dict):
        points.append({"lat": city["lat"], "lon": city["lon"], "color": "#d62728", "size": 30000})
    if points:
        st.caption(L["map"])
        st.map(pd.DataFrame(points), color="color", size="size")


def render_result(rec: Recommender, result: dict, L: dict, lang: str) -> None:
    tab_t, tab_p, tab_g = st.tabs([L["tab_targets"], L["tab_precedents"], L["tab_lgs"]])
    with tab_t:
        render_targets(rec, result, L)
    with tab_p:
        render_precedents(rec, result, L, lang)
    with tab_g:
        render_governments(result, L, lang)


def result_workbook(results: list[dict]) -> bytes:
    buffer = io.BytesIO()
    batch = BatchResult(results=results)
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        summary_rows(results).map(neutralise).to_excel(writer, sheet_name="summary", index=False)
        for key in ("sdg_targets", "precedents", "local_governments"):
            long_rows(batch.results, key).map(neutralise).to_excel(writer, sheet_name=key, index=False)
    return buffer.getvalue()


def summary_markdown(proposal: dict, result: dict, L: dict, lang: str) -> str:
    """A one-page summary to attach to a draft. Plain text: the user's words are not interpreted."""
    lines = [f"# {proposal.get('title') or L['title']}", "", proposal["text"][:1500], "",
             f"**{L['goals_present']}:** " + goals_line(result, L), "", f"## {L['tab_targets']}"]
    lines += [f"{i}. {t['id']} {t['title']} ({t['score']:.2f}) — {t['reason']}"
              for i, t in enumerate(result["sdg_targets"][:5], 1)]
    lines += ["", f"## {L['tab_precedents']}"]
    lines += [f"{i}. {p['id']} {p['title']} ({p['score']:.2f}) — {p['source_url']}"
              for i, p in enumerate(result["precedents"][:5], 1)]
    lines += ["", f"## {L['tab_lgs']}"]
    lines += [f"{i}. {g['name_ko'] if lang == 'ko' else g['name_en']} ({g['score']:.2f}) — {g['reason']}"
              for i, g in enumerate(result["local_governments"][:5], 1)]
    return "\n".join(lines) + "\n"


def page_draft(rec: Recommender, L: dict, lang: str) -> None:
    upload = st.file_uploader(L["upload_doc"], type=["txt", "pdf", "docx", "hwpx", "hwp"], key="proposal_file")
    if upload is not None and st.session_state.get("_loaded_file") != upload.file_id:
        st.session_state["_loaded_file"] = upload.file_id
        try:
            st.session_state["proposal_text"] = extract_text(upload.getvalue(), upload.name)
            st.info(L["loaded"])
        except InputError as exc:
            st.error(f"{L['error']}: {exc}")

    title = st.text_input(L["p_title"], key="proposal_title")
    text = st.text_area(L["p_text"], key="proposal_text", height=180, placeholder=L["placeholder"])
    col1, col2, col3 = st.columns(3)
    countries = country_options(rec, lang)
    country = col1.selectbox(L["p_country"], [None] + list(countries), key="partner_country",
                             format_func=lambda iso: L["no_choice"] if iso is None else countries[iso])
    cities = city_options(rec, country, lang) if country else {}
    city = col2.selectbox(L["p_city"], [None] + list(cities), key="partner_city",
                          format_func=lambda c: L["no_choice"] if c is None else cities[c])
    sector = col3.text_input(L["p_sector"], key="sector")
    col4, col5 = st.columns(2)
    budget = col4.text_input(L["p_budget"], key="budget")
    years = col5.slider(L["p_years"], 2020, 2035, (2026, 2028), key="years")
    if st.button(L["submit"], type="primary", key="submit"):
        if not text.strip():
            st.warning(L["empty"])
            st.session_state.pop("proposal", None)
        else:
            st.session_state["proposal"] = {"text": text, "title": title, "partner_country": country,
                                            "partner_city": city or "", "sector": sector, "budget": budget or None,
                                            "years": f"{years[0]}–{years[1]}"}
    proposal = st.session_state.get("proposal")
    if not proposal:
        return
    try:  # re-ranking is cheap, so a language switch simply asks again
        result = rec.recommend(proposal, lang=lang)
    except InputError as exc:
        st.error(f"{L['error']}: {exc}")
        return
    for warning in result.get("warnings", []):
        st.info(warning)
    render_result(rec, result, L, lang)
    col_a, col_b = st.columns(2)
    col_a.download_button(L["download"], result_workbook([{"id": "proposal", "row": 1, **result}]),
                          file_name="matches.xlsx", key="download_xlsx",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    col_b.download_button(L["summary"], summary_markdown(proposal, result, L, lang), file_name="summary.md",
                          mime="text/markdown", key="download_md")


def read_call(upload) -> pd.DataFrame:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(upload.name).name
        path.write_bytes(upload.getvalue())
        return read_table(path)


def page_screen(rec: Recommender, L: dict, lang: str) -> None:
    upload = st.file_uploader(L["upload_call"], type=["csv", "xlsx", "jsonl", "parquet"], key="call_file")
    if upload is None:
        return
    if upload.size > MAX_UPLOAD_MB * 2 ** 20:
        st.error(L["too_big"].format(mb=MAX_UPLOAD_MB))
        return
    key = (upload.file_id, lang)
    if st.session_state.get("_call_key") != key:
        try:
            frame = read_call(upload)
            if len(frame) > MAX_CALL_ROWS:
                st.error(L["too_many"].format(n=MAX_CALL_ROWS))
                return
            batch = score_frame(rec, frame, columns=find_columns(frame.columns))
        except InputError as exc:
            st.error(f"{L['error']}: {exc}")
            return
        st.session_state["_call_key"], st.session_state["call_batch"] = key, batch
    batch: BatchResult = st.session_state["call_batch"]
    st.success(L["scored"].format(n=len(batch.results), e=len(batch.errors)))
    if batch.errors:
        with st.expander(L["rejected"]):
            st.dataframe(pd.DataFrame(batch.errors), hide_index=True, use_container_width=True)
    table = summary_rows(batch.results)
    table["country"] = [r["partner_country"] or "" for r in batch.results]
    flags = sorted({f.split(":")[0] for r in batch.results for f in r["flags"]})
    chosen = st.multiselect(L["filter_flag"], flags, key="filter_flags")
    countries = sorted({c for c in table["country"] if c})
    chosen_countries = st.multiselect(L["filter_country"], countries, key="filter_countries")
    shown = table
    if chosen:
        shown = shown[[any(f.split(":")[0] in chosen for f in fl.split(";") if f) for fl in shown["flags"]]]
    if chosen_countries:
        shown = shown[shown["country"].isin(chosen_countries)]
    st.dataframe(shown, hide_index=True, use_container_width=True)
    pick = st.selectbox(L["detail"], list(shown["id"]), key="detail_id")
    if pick is not None:
        result = next(r for r in batch.results if r["id"] == pick)
        render_result(rec, result, L, lang)
    st.download_button(L["download_call"], result_workbook(batch.results), file_name="screening.xlsx",
                       key="download_call", mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def page_explore(rec: Recommender, L: dict, lang: str) -> None:
    cat = rec.catalogues_
    prec = cat.precedents
    lgs = cat.local_governments
    name = "name_ko" if lang == "ko" else "name_en"
    lg_names = dict(zip(lgs["code"], lgs[name]))
    st.subheader(L["precedents"])
    col1, col2, col3 = st.columns(3)
    sectors = sorted(set(prec["dac_name_ko" if lang == "ko" else "dac_name"]))
    sector = col1.multiselect(L["filter_sector"], sectors, key="explore_sector")
    countries = sorted({c for cs in prec["partner_iso2"] for c in cs.split(";") if c})
    country = col2.multiselect(L["filter_country"], countries, key="explore_country")
    with_cases = sorted({c for cs in prec["lg_codes"] for c in cs.split(";")}, key=lambda c: lg_names[c])
    government = col3.multiselect(L["filter_lg"], with_cases, format_func=lambda c: lg_names[c], key="explore_lg")
    shown = prec
    if sector:
        shown = shown[shown["dac_name_ko" if lang == "ko" else "dac_name"].isin(sector)]
    if country:
        shown = shown[[any(c in country for c in cs.split(";")) for cs in shown["partner_iso2"]]]
    if government:
        shown = shown[[any(c in government for c in cs.split(";")) for cs in shown["lg_codes"]]]
    st.dataframe(pd.DataFrame({
        L["precedent"]: shown["id"], L["text"]: shown["title_ko" if lang == "ko" else "title_en"],
        L["government"]: [", ".join(lg_names[c] for c in cs.split(";")) for cs in shown["lg_codes"]],
        L["country"]: shown["partner_iso2"], L["years"]: shown["year_start"].astype(str).str.replace("<NA>", ""),
        L["sector"]: shown["dac_name_ko" if lang == "ko" else "dac_name"],
        L["reason"]: shown["description_ko" if lang == "ko" else "description_en"],
        L["source"]: shown["source_url"].where(shown["source_url"].str.startswith("http"), "")}),
        hide_index=True, use_container_width=True, column_config={L["source"]: st.column_config.LinkColumn()})
    st.subheader(L["governments"])
    counts = pd.Series([c for cs in prec["lg_codes"] for c in cs.split(";")]).value_counts()
    table = lgs.assign(cases=lgs["code"].map(counts).fillna(0).astype(int))
    table = table[table["cases"] > 0].sort_values("cases", ascending=False)
    st.map(table.assign(size=table["cases"] * 3000), latitude="lat", longitude="lon", size="size")
    st.dataframe(pd.DataFrame({L["government"]: table[name], "code": table["code"], L["level"]: table["level"],
                               L["cases"]: table["cases"]}), hide_index=True, use_container_width=True)


def main() -> None:
    st.set_page_config(page_title="KOICA city-to-city matching", layout="wide")
    lang = st.sidebar.radio("언어 / Language", ["ko", "en"], format_func=lambda x: "한국어" if x == "ko" else "English",
                            key="lang")
    L = LABELS[lang]
    page = st.sidebar.radio(L["page"], ["draft", "screen", "explore"], format_func=lambda p: L[p], key="page")
    st.title(L["title"])
    st.caption(L["caption"])
    with st.spinner(L["loading"]):
        try:
            rec = load_recommender()
        except RecommenderError as exc:
            st.error(str(exc))
            st.stop()
    {"draft": page_draft, "screen": page_screen, "explore": page_explore}[page](rec, L, lang)


if __name__ == "__main__":  # streamlit runs the file as __main__; tests import its pure helpers
    main()
