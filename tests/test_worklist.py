"""The reviewer's worklist and the workbook made from it: same rows, same order, names not codes."""

import io

import pytest
from conftest import DATA
from openpyxl import load_workbook

from recommender.catalogue import load_catalogues
from recommender.io import write_results
from recommender.results import (
    GoalDecision,
    GovernmentMatch,
    PrecedentMatch,
    Recommendation,
    RowError,
    ScoredProposal,
    TargetMatch,
    TeamSuggestion,
)
from recommender.worklist import COLUMNS, CatalogueNames, column_header, worklist_rows


@pytest.fixture(scope="module")
def catalogues():
    return load_catalogues(DATA)


def _result(score: float) -> Recommendation:
    goals = tuple(GoalDecision(g, g == 11, 0.8 if g == 11 else 0.1) for g in range(1, 18))
    target = TargetMatch("11.5", 11, score, True, "disasters", "why", {})
    precedent = PrecedentMatch("C001", ("36",), "KH", "Sejong: fire", 0.7, "why", {}, "", "", False, None, "")
    seo_gu = GovernmentMatch("26140", "Seo-gu", "서구", "basic", 0.6, "why", {}, None, 35.1, 129.0)
    team = TeamSuggestion(("26", "26140"), ("Busan", "Seo-gu"), ("부산광역시", "서구"), 0.5, "why")
    return Recommendation(goals, (target,), (precedent,), (seo_gu,), "ko", "KH", None, 1, teams=(team,))


def _call():
    results = [
        ScoredProposal("P1", 2, _result(0.9), ("low_sdg11_alignment",), title="소방", partner_country="KH"),
        ScoredProposal(
            "P2",
            3,
            _result(0.5),
            ("low_sdg11_alignment", "duplicate_of:P3"),
            title="소방 2",
            partner_country="KH",
            budget=1.2e8,
            written={"budget": "1억 2천만원", "partner_city": "바탐방"},
        ),
        ScoredProposal("P3", 4, _result(0.7), (), title="상수도", partner_country="LA"),
    ]
    errors = [RowError(5, "P4", "사업 내용이 비어 있습니다")]
    return results, errors


def test_the_most_severe_flag_comes_first_then_the_score(catalogues):
    results, errors = _call()
    rows = worklist_rows(results, errors, CatalogueNames.from_catalogues(catalogues, "ko"))
    # a duplicate outranks a weak SDG 11 fit however the scores stand; rejected rows last
    assert [r["id"] for r in rows] == ["P2", "P1", "P3", "P4"]
    first = rows[0]
    assert first["flags"].startswith("P3와(과) 똑같음")  # the most severe flag first within the row too
    assert first["budget"] == "1억 2천만원" and first["partner_city"] == "바탐방"  # as the call wrote them
    assert first["partner_country"] == "캄보디아"
    assert first["top_governments"] == "부산광역시 서구"  # a basic government with its upper one
    assert first["team"] == "부산광역시 + 부산광역시 서구"
    assert first["top_precedents"] == catalogues.precedents.set_index("id").loc["C001", "title_ko"]
    assert rows[-1]["flags"] == "제외: 사업 내용이 비어 있습니다" and rows[-1]["score"] is None


def test_english_names(catalogues):
    results, errors = _call()
    rows = worklist_rows(results, errors, CatalogueNames.from_catalogues(catalogues, "en"))
    assert rows[0]["top_governments"] == "Seo-gu (Busan)" and rows[0]["partner_country"] == "Cambodia"
    assert rows[0]["flags"].startswith("exact duplicate of P3")
    assert rows[-1]["flags"].startswith("rejected: ")


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_workbook_summary_is_the_worklist(catalogues, lang):
    results, errors = _call()
    names = CatalogueNames.from_catalogues(catalogues, lang)
    buffer = io.BytesIO()
    write_results(results, errors, buffer, fmt="xlsx", lang=lang, names=names)
    book = load_workbook(buffer)
    summary = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    assert summary[0] == [column_header(c, lang) for c in COLUMNS]
    expected = worklist_rows(results, errors, names)
    assert [r[0] for r in summary[1:]] == [r["id"] for r in expected]
    for got, want in zip(summary[1:], expected):
        assert got[:-1] == [want[c] or None for c in COLUMNS[:-1]]
    governments = [list(r) for r in book.worksheets[3].iter_rows(values_only=True)]
    level = governments[0].index("구분" if lang == "ko" else "Level")
    assert governments[1][level] == ("기초" if lang == "ko" else "city, county or district")  # not "basic"


def test_the_csv_is_the_worklist_too(catalogues):
    import pandas as pd

    results, errors = _call()
    buffer = io.BytesIO()
    write_results(results, errors, buffer, fmt="csv", lang="ko", names=CatalogueNames.from_catalogues(catalogues, "ko"))
    frame = pd.read_csv(io.BytesIO(buffer.getvalue()), dtype=str, encoding="utf-8-sig")
    assert frame["번호"].tolist() == ["P2", "P1", "P3", "P4"] and frame.columns[0] == "번호"
