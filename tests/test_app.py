"""The Streamlit page, driven in-process with AppTest."""
import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT

pytestmark = pytest.mark.model


@pytest.fixture
def app(recommender, monkeypatch):
    monkeypatch.setenv("RECOMMENDER_MODELS_DIR", str(recommender.models_dir))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception
    return at


def test_korean_proposal_gives_three_lists(app):
    app.text_area(key="proposal_text").input("캄보디아 바탐방주 소방본부에 소방차를 지원하고 소방관을 교육하는 사업")
    app.selectbox(key="partner_country").set_value("KH")
    app.button[0].click().run()
    assert not app.exception
    assert [t.label for t in app.tabs] == ["SDG 세부목표", "선례", "지방정부"]
    assert len(app.dataframe) == 3
    targets = app.dataframe[0].value
    assert len(targets) == 10 and targets["점수"].between(0, 1).all()
    assert app.dataframe[1].value["사례"].iloc[0] in {"C001", "C002", "C084"}


def test_switching_language_changes_labels(app):
    app.text_area(key="proposal_text").input("Water supply for a town in Laos")
    app.button[0].click().run()
    app.sidebar.radio(key="lang").set_value("en").run()
    assert not app.exception
    assert [t.label for t in app.tabs] == ["SDG targets", "Precedents", "Local governments"]
    assert "similarity" in app.dataframe[1].value["Why"].iloc[0]


def test_empty_submission_shows_a_message(app):
    app.button[0].click().run()
    assert [w.value for w in app.warning] == ["사업 내용을 입력해 주세요."]
    assert len(app.dataframe) == 0
