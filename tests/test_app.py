"""The Streamlit pages, driven in-process with AppTest."""

import io
import re
import zipfile

import pandas as pd
import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.model
HANGUL = re.compile(r"[가-힣]")
PNG = b"\x89PNG\r\n\x1a\n" + bytes(200)


@pytest.fixture
def app(recommender, monkeypatch):
    monkeypatch.setenv("RECOMMENDER_MODELS_DIR", str(recommender.models_dir))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception
    return at


def submit(app, text, country=None):
    app.text_area(key="proposal_text").input(text)
    if country:
        app.selectbox(key="partner_country").set_value(country)
    app.button(key="submit").click().run()
    assert not app.exception


def test_korean_proposal_gives_three_lists(app):
    submit(app, "캄보디아 바탐방주 소방본부에 소방차를 지원하고 소방관을 교육하는 사업", "KH")
    assert [t.label for t in app.tabs] == ["SDG 세부목표", "선례", "지방정부"]
    assert len(app.dataframe) == 5  # indicators, targets, precedents, governments, suggested teams
    assert "공동 추진 제안" in [s.value for s in app.subheader]
    assert "소방차·구급차 기증과 운용 교육" in [m.value.strip("*") for m in app.markdown]  # the project model
    assert app.dataframe[0].value["코드"].str.match(r"^\d+\.\w+\.\d+$").all()  # its SDG indicators
    targets = app.dataframe[1].value
    assert len(targets) == 10 and targets["점수"].between(0, 1).all()
    assert app.dataframe[2].value["사례"].iloc[0] in {"C001", "C002", "C084"}
    assert app.dataframe[3].value["지방정부"].iloc[0] in {"세종특별자치시", "서울특별시"}


def test_english_proposal_and_language_switch(app):
    submit(app, "Water supply and a treatment plant for a town in Laos", "LA")
    app.sidebar.radio(key="lang").set_value("en").run()
    assert not app.exception
    assert [t.label for t in app.tabs] == ["SDG targets", "Precedents", "Local governments"]
    assert app.dataframe[1].value["Target"].iloc[0].startswith("6.")
    assert "similarity" in app.dataframe[2].value["Why"].iloc[0]


def test_city_choices_follow_the_country(app):
    app.selectbox(key="partner_country").set_value("KH").run()
    options = app.selectbox(key="partner_city").options
    assert any("프놈펜" in o for o in options) and not any("비엔티안" in o for o in options)
    app.sidebar.radio(key="lang").set_value("en").run()
    options = app.selectbox(key="partner_city").options
    assert any("Phnom Penh" in o for o in options) and not any(HANGUL.search(o) for o in options)


def test_empty_submission_shows_a_message(app):
    app.button(key="submit").click().run()
    assert [w.value for w in app.warning] == ["사업 내용을 입력해 주세요."]
    assert len(app.dataframe) == 0


def test_user_html_is_shown_as_text(app):
    submit(app, "<script>alert(1)</script> 라오스 상수도 <b>보급</b>")
    assert not any("<script>" in m.value for m in app.markdown)
    assert app.text_area(key="proposal_text").value.startswith("<script>")


def test_explore_page_lists_the_catalogue(app):
    app.sidebar.radio(key="page").set_value("explore").run()
    assert not app.exception
    precedents = app.dataframe[0].value
    assert len(precedents) == 255
    every_government = set(app.dataframe[1].value["지방정부"])
    app.multiselect(key="explore_country").set_value(["MN"]).run()
    assert set(app.dataframe[0].value["협력국"].str.contains("몽골")) == {True}
    governments = set(app.dataframe[1].value["지방정부"])
    assert governments and governments < every_government  # the map and the table follow the filter
    assert app.get("deck_gl_json_chart")


def _call_csv() -> bytes:
    rows = pd.DataFrame(
        [
            {
                "번호": "P1",
                "사업내용": "캄보디아 바탐방주 소방본부에 소방차를 지원하고 소방관을 교육한다",
                "대상국가": "KH",
            },
            {
                "번호": "P2",
                "사업내용": "캄보디아 바탐방주 소방본부에 소방차를 지원하고 소방관을 교육한다.",
                "대상국가": "KH",
            },
            {
                "번호": "P3",
                "사업내용": "Training for Tanzanian port and maritime officials on ship safety",
                "대상국가": "TZ",
            },
            {"번호": "P4", "사업내용": "", "대상국가": "LA"},
        ]
    )
    return rows.to_csv(index=False).encode("cp949")


def test_screen_page_scores_a_call_with_flags(app):
    app.sidebar.radio(key="page").set_value("screen").run()
    app.get("file_uploader")[0].set_value(("call.csv", _call_csv(), "text/csv"))
    app.run()
    assert not app.exception
    assert app.success[0].value == "3건 분석, 1건 제외"
    table = app.dataframe[0].value
    assert list(table.columns[:6]) == ["번호", "사업명", "협력국", "대상도시", "예산", "검토 표시"]
    flags = dict(zip(table["번호"], table["검토 표시"]))
    assert table["번호"].tolist()[-1] == "P4" and "사업 내용이 비어" in flags["P4"]  # rejected: last, reason in view
    assert "P2와(과) 거의 같음" in flags["P1"] and "SDG 11 연관성 낮음" in flags["P3"]
    assert set(table["협력국"][:3]) == {"캄보디아", "탄자니아"}
    assert table["번호"].tolist()[:2] in (["P1", "P2"], ["P2", "P1"])  # a near duplicate before a weak SDG 11 fit
    app.multiselect(key="filter_flags").set_value(["low_sdg11_alignment"]).run()
    assert app.dataframe[0].value["번호"].tolist() == ["P3"]
    app.selectbox(key="detail_id").set_value("P3").run()
    assert not app.exception
    assert "Tanzanian" in app.text_area[-1].value  # the proposal's own text
    assert [t.label for t in app.tabs] == ["SDG 세부목표", "선례", "지방정부"]


def test_the_call_stays_across_pages_and_languages(app):
    app.sidebar.radio(key="page").set_value("screen").run()
    app.get("file_uploader")[0].set_value(("call.csv", _call_csv(), "text/csv"))
    app.run()
    app.multiselect(key="filter_flags").set_value(["low_sdg11_alignment"]).run()
    app.selectbox(key="detail_id").set_value("P3").run()
    app.sidebar.radio(key="page").set_value("draft").run()
    app.sidebar.radio(key="page").set_value("screen").run()
    assert not app.exception
    # the uploader has forgotten its file; the call, its filter and the open proposal are still here
    assert app.success[0].value == "3건 분석, 1건 제외" and "call.csv" in app.info[0].value
    assert app.dataframe[0].value["번호"].tolist() == ["P3"]
    assert app.selectbox(key="detail_id").value == "P3" and "Tanzanian" in app.text_area[-1].value
    app.sidebar.radio(key="lang").set_value("en").run()
    assert not app.exception
    assert app.success[0].value == "3 scored, 1 rejected"
    assert app.dataframe[0].value["No."].tolist() == ["P3"] and app.selectbox(key="detail_id").value == "P3"
    assert [t.label for t in app.tabs] == ["SDG targets", "Precedents", "Local governments"]
    app.button(key="call_clear").click().run()
    assert not app.exception and len(app.dataframe) == 0 and not app.success


def test_the_detail_scores_what_the_row_scored(app):
    rows = pd.DataFrame(
        [
            {
                "번호": "P1",
                "사업내용": "상수도 보급과 정수장 운영 교육",
                "대상국가": "라오스",
                "대상도시": "Vientiane",
                "분야": "식수 위생",
                "예산": "1억 2천만원",
            }
        ]
    )
    app.sidebar.radio(key="page").set_value("screen").run()
    app.get("file_uploader")[0].set_value(("call.csv", rows.to_csv(index=False).encode(), "text/csv"))
    app.run()
    row = app.dataframe[0].value.iloc[0]
    assert row["예산"] == "1억 2천만원" and row["대상도시"] == "Vientiane"  # as the call wrote them
    app.selectbox(key="detail_id").set_value("P1").run()
    assert not app.exception
    detail_targets = app.dataframe[1].value  # the detail's targets: the row's own top score
    assert detail_targets["점수"].iloc[0] == pytest.approx(row["점수"], abs=1e-4)
    assert any("1억 2,000만 원" in m.value for m in app.markdown)


def test_screen_page_refuses_too_many_rows(app):
    app.sidebar.radio(key="page").set_value("screen").run()
    big = pd.DataFrame({"id": [f"P{i}" for i in range(2_001)], "text": "water supply"}).to_csv(index=False).encode()
    app.get("file_uploader")[0].set_value(("big.csv", big, "text/csv"))
    app.run()
    assert app.error and "2000" in app.error[0].value


def test_document_upload_fills_the_description(app):
    app.get("file_uploader")[0].set_value(("p.txt", "라오스 락사오 상수도 보급 사업".encode("cp949"), "text/plain"))
    app.run()
    assert not app.exception
    assert app.text_area(key="proposal_text").value == "라오스 락사오 상수도 보급 사업"


def test_goals_line_names_the_closest_goal_when_none_passes():
    from recommender.explain import goals_line
    from recommender.results import GoalDecision, Recommendation

    def result(scores, present=()):
        goals = tuple(GoalDecision(g, g in present, scores.get(g, 0.1)) for g in range(1, 18))
        return Recommendation(goals, (), (), (), "ko", None, None, 1)

    line = goals_line(result({6: 0.42}), "ko")
    assert "SDG 6" in line and "0.42" in line and "가장 가까운" in line
    assert goals_line(result({6: 0.42}, present={11, 13}), "en") == "11, 13"


# ---------------------------------------------------------------- one language at a time

# Latin words a Korean page may show: acronyms, file types, units and the language switch.
ALLOWED_LATIN = {"SDG", "MB", "KRW", "txt", "pdf", "docx", "hwpx", "hwp", "csv", "xlsx", "jsonl", "parquet", "zip"}
ALLOWED_LATIN |= {"md", "English", "Language", "PDF", "ID", "ICT"}


def visible_texts(app) -> list[str]:
    """What a person reads on the page: headings, messages, widget labels and table headers."""
    # the reasons read in full under a table are its "Why" cells (the user's own words among them)
    folded = {id(m) for box in app.expander for m in box.markdown}
    texts = [e.value for kind in ("title", "caption", "subheader") for e in app.get(kind)]
    texts += [e.value for e in app.markdown if id(e) not in folded]
    texts += [e.value for kind in ("success", "info", "warning", "error") for e in app.get(kind)]
    texts += [t.label for t in app.tabs]
    for kind in ("text_input", "text_area", "selectbox", "multiselect", "button", "radio", "slider"):
        texts += [w.label for w in app.get(kind)]
    texts += [o for w in app.get("multiselect") for o in w.options]
    for frame in app.dataframe:
        texts += [str(c) for c in frame.value.columns]
    return [t for t in texts if t]


def latin_words(texts, typed=()) -> set[str]:
    words = {w for t in texts for w in re.findall(r"[A-Za-z]{2,}", t)}
    typed_words = {w for t in typed for w in re.findall(r"[A-Za-z]{2,}", t)}
    return words - ALLOWED_LATIN - typed_words


def _every_page(app, lang):
    app.sidebar.radio(key="lang").set_value(lang).run()
    submit(app, "캄보디아 바탐방주 소방본부에 소방차를 지원하고 소방관을 교육하는 사업", "KH")
    yield "draft"
    app.sidebar.radio(key="page").set_value("screen").run()
    app.get("file_uploader")[0].set_value(("call.csv", _call_csv(), "text/csv"))
    app.run()
    app.selectbox(key="detail_id").set_value("P1").run()
    yield "screen"
    app.sidebar.radio(key="page").set_value("explore").run()
    yield "explore"


def test_korean_pages_show_no_english(app):
    typed = ["Training for Tanzanian port and maritime officials on ship safety"]
    for page in _every_page(app, "ko"):
        assert not app.exception, page
        assert latin_words(visible_texts(app), typed) == set(), page


def test_english_pages_show_no_korean(app):
    for page in _every_page(app, "en"):
        assert not app.exception, page
        korean = [t for t in visible_texts(app) if HANGUL.search(t) and t != "언어 / Language"]
        korean = [t for t in korean if t not in ("한국어",)]
        assert korean == [], page
        for frame in app.dataframe:  # names, flags and headers too, except what the user typed
            for column in frame.value.columns:
                if column in ("Title", "Text", "Why", "Government", "Partner", "Sector", "Place"):
                    continue
                cells = [str(v) for v in frame.value[column]]
                assert not any(HANGUL.search(c) for c in cells if "캄보디아 바탐방주" not in c), (page, column)


# ---------------------------------------------------------------- drafts, stale results, errors


def test_draft_survives_a_page_change(app):
    submit(app, "라오스 락사오 상수도 보급 사업", "LA")
    app.text_input(key="budget").input("300000000").run()
    app.sidebar.radio(key="page").set_value("explore").run()
    app.sidebar.radio(key="page").set_value("draft").run()
    assert not app.exception
    assert app.text_area(key="proposal_text").value == "라오스 락사오 상수도 보급 사업"
    assert app.selectbox(key="partner_country").value == "LA"
    assert app.text_input(key="budget").value == "300000000"


def test_changed_inputs_clear_old_results_and_errors(app):
    app.text_input(key="budget").input("삼억")
    submit(app, "라오스 락사오 상수도 보급 사업")
    assert [e.value for e in app.error] == ["예산은 금액으로 적어 주세요 (예: 300000000, 3억 원, 1억 2천만 원)."]
    app.text_input(key="budget").input("300000000").run()
    assert not app.error and len(app.dataframe) == 0
    assert "다시 분석" in app.info[0].value
    app.button(key="submit").click().run()
    assert not app.error and len(app.dataframe) >= 3


def test_a_korean_budget_is_read(app):
    app.text_input(key="budget").input("1억 2천만원")
    submit(app, "라오스 락사오 상수도 보급 사업", "LA")
    assert not app.error and len(app.dataframe) >= 3


def test_a_documents_first_line_is_its_title(app):
    text = "락사오 상수도 개선\n라오스 락사오 지역 상수도 보급 및 정수장 건설"
    app.get("file_uploader")[0].set_value(("p.txt", text.encode("utf-8"), "text/plain")).run()
    assert app.text_input(key="proposal_title").value == "락사오 상수도 개선"
    assert app.text_area(key="proposal_text").value == "라오스 락사오 지역 상수도 보급 및 정수장 건설"


def test_no_close_precedent_is_said(app):
    submit(app, "우주 정거장 궤도 도킹 소프트웨어 국제 표준화 연구")
    infos = [i.value for i in app.info]
    assert any(i.startswith("가까운 선례 없음 (최고 0.") for i in infos) or app.dataframe[2].value["점수"].max() >= 0.4


# ---------------------------------------------------------------- uploads


def test_an_image_renamed_csv_is_called_an_image(app):
    app.sidebar.radio(key="page").set_value("screen").run()
    app.get("file_uploader")[0].set_value(("call.csv", PNG, "text/csv"))
    app.run()
    assert [e.value for e in app.error] == ["call.csv: 이 파일은 이미지(PNG)이며 CSV 파일이 아닙니다."]


def test_an_image_renamed_pdf_is_called_an_image(app):
    app.get("file_uploader")[0].set_value(("p.pdf", PNG, "application/pdf"))
    app.run()
    assert [e.value for e in app.error] == ["p.pdf: 이 파일은 이미지(PNG)이며 PDF 파일이 아닙니다."]


def test_documents_as_a_call_with_a_per_file_report(app):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("call/a.txt", "# 락사오 상수도\n라오스 락사오 지역 상수도 보급 및 정수장 건설")
        z.writestr("call/b.txt", "바탐방 소방\n캄보디아 바탐방주 소방본부에 소방차를 지원하고 소방관을 교육")
        z.writestr("call/picture.pdf", PNG)
        z.writestr("call/notes.xls", b"x")
    app.sidebar.radio(key="page").set_value("screen").run()
    app.get("file_uploader")[1].set_value([("call.zip", archive.getvalue(), "application/zip")])
    app.run()
    assert not app.exception
    assert app.info[0].value == "문서 2개를 제안으로 읽었고 2개는 읽지 못했습니다."
    table = app.dataframe[0].value
    assert table["번호"].tolist()[:2] in (["a.txt", "b.txt"], ["b.txt", "a.txt"])
    assert set(table["사업명"][:2]) == {"락사오 상수도", "바탐방 소방"}
    status = dict(zip(table["번호"], table["검토 표시"]))
    assert "이미지(PNG)" in status["picture.pdf"] and "지원하지 않는 문서" in status["call.zip/call/notes.xls"]


# ---------------------------------------------------------------- 우리 지자체 / Our government


def _open_government(app, lang: str, code: str):
    app.sidebar.radio(key="lang").set_value(lang).run()
    app.sidebar.radio(key="page").set_value("our_government").run()
    app.selectbox(key="government_code").set_value(code).run()
    assert not app.exception


def test_our_government_page_in_korean(app):
    _open_government(app, "ko", "41110")
    assert app.subheader[0].value == "경기도 수원시"
    opportunities = app.dataframe[0].value
    assert list(opportunities.columns) == ["순위", "협력국", "대상 지역", "분야", "근거", "점수"]
    assert opportunities["협력국"].iloc[0] == "캄보디아" and "자매도시" in opportunities["근거"].iloc[0]
    assert app.dataframe[1].value["사례"].tolist() == ["C116", "C053"]  # its cases, latest first
    ties = app.dataframe[2].value
    assert "시엠레아프" in set(ties["지역"]) and "자매도시" in set(ties["구분"])
    assert latin_words(visible_texts(app)) == set()
    app.selectbox(key="opportunity_pick").set_value(1).run()  # the second opportunity, opened
    assert not app.exception and any("참고할 선례" in m.value for m in app.markdown)


def test_our_government_page_in_english_for_a_government_without_cases(app):
    _open_government(app, "en", "11305")
    assert app.subheader[0].value == "Gangbuk-gu, Seoul"
    assert [i.value for i in app.info] == [
        "No case in the catalogue; opportunities come from its agreements, its family and its profile."
    ]
    opportunities = app.dataframe[0].value
    assert list(opportunities.columns) == ["Rank", "Partner", "Places", "Sector", "Why", "Score"]
    assert opportunities["Partner"].iloc[0] == "Mongolia"
    assert opportunities["Sector"].iloc[0] == "forestry and desertification"
    korean = [t for t in visible_texts(app) if HANGUL.search(t) and t != "언어 / Language"]
    assert korean == []
    for column in ("Partner", "Sector", "Why"):
        assert not any(HANGUL.search(str(v)) for v in opportunities[column]), column
