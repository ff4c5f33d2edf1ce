"""The Streamlit pages, driven in-process with AppTest."""

import pandas as pd
import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.model


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
    assert len(app.dataframe) == 3
    targets = app.dataframe[0].value
    assert len(targets) == 10 and targets["점수"].between(0, 1).all()
    assert app.dataframe[1].value["사례"].iloc[0] in {"C001", "C002", "C084"}
    assert app.dataframe[2].value["지방정부"].iloc[0] in {"세종특별자치시", "서울특별시"}


def test_english_proposal_and_language_switch(app):
    submit(app, "Water supply and a treatment plant for a town in Laos", "LA")
    app.sidebar.radio(key="lang").set_value("en").run()
    assert not app.exception
    assert [t.label for t in app.tabs] == ["SDG targets", "Precedents", "Local governments"]
    assert app.dataframe[0].value["Target"].iloc[0].startswith("6.")
    assert "similarity" in app.dataframe[1].value["Why"].iloc[0]


def test_city_choices_follow_the_country(app):
    app.selectbox(key="partner_country").set_value("KH").run()
    options = app.selectbox(key="partner_city").options
    assert any("Phnom Penh" in o for o in options) and not any("Vientiane" in o for o in options)


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
    app.multiselect(key="explore_country").set_value(["MN"]).run()
    assert set(app.dataframe[0].value["협력국"].str.contains("MN")) == {True}


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
    table = app.dataframe[1].value  # [0] is the rejected rows
    flags = dict(zip(table["id"], table["flags"]))
    assert "near_duplicate_of:P2" in flags["P1"] and "low_sdg11_alignment" in flags["P3"]
    app.multiselect(key="filter_flags").set_value(["low_sdg11_alignment"]).run()
    assert app.dataframe[1].value["id"].tolist() == ["P3"]


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
