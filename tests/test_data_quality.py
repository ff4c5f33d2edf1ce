"""Checks on the shipped catalogues that would have caught the errors a check against the sources
found (issue 19): footnote digits, programme labels in sector names, cut titles, years, status."""

import re

import pandas as pd
import pytest
from conftest import DATA, ROOT

PLANNED_EN = r"plan|propos|select|agree|will |to be |intend|expected|scheduled|MOU|memorandum|prepar|design|pledg|aim"
PLANNED_KO = r"계획|예정|제안|선정|추진|협약|구상|검토|MOU|양해각서|준비|설계"


@pytest.fixture(scope="module")
def precedents() -> pd.DataFrame:
    return pd.read_csv(DATA / "precedents.csv", dtype=str, keep_default_na=False)


def test_no_digit_is_glued_to_the_end_of_a_word_in_target_texts():
    targets = pd.read_csv(DATA / "sdg_targets.csv", dtype=str, keep_default_na=False)
    glued = [(r.id, m.group()) for r in targets.itertuples() for m in re.finditer(r"\b[a-z]+\d+\b", r.text_en)]
    assert glued == []
    assert targets.set_index("id").loc["14.6", "text_en"].endswith("negotiation")


def test_no_programme_label_in_sector_names(precedents):
    dac = pd.read_csv(DATA / "dac_sectors.csv", dtype=str, keep_default_na=False)
    labels = ("새마을", "Saemaul", "KOICA")
    assert not [n for n in dac["name_ko"] if any(label in n for label in labels)]
    assert not [n for n in precedents["dac_name_ko"] if any(label in n for label in labels)]
    # a Saemaul label appears in a Korean title only when the case itself is about Saemaul
    for r in precedents.itertuples():
        if "새마을" in r.title_ko:
            assert "새마을" in r.description_ko or "saemaul" in r.sector.lower(), r.id


def test_titles_contain_every_listed_locality(precedents):
    missing = [
        (r.id, place)
        for r in precedents.itertuples()
        for place in (p.strip() for p in r.partner_locality.split(";"))
        if place and place not in r.title_en
    ]
    assert missing == []


def test_korean_titles_name_the_place_and_the_point(precedents):
    rows = precedents.set_index("id")
    # as specific as the English title ("Sejong: Fire & emergency services — Battambang Province")
    assert rows.loc["C001", "title_ko"] == "세종특별자치시: 캄보디아 바탐방주 소방·응급"
    assert rows.loc["C111", "title_ko"] == "경기도: 몽골 다르항올주 소방·응급(소방차·구급차)"
    # a district is named under its province, and its city is not named again
    assert rows.loc["C069", "title_ko"].startswith("경기도: 몽골 울란바토르 날라이흐구 ")
    # no romanised name in a Korean title (acronyms aside)
    latin = [
        r.id
        for r in precedents.itertuples()
        if re.search(r"[A-Za-z]{3,}", re.sub(r"\b(ICT|ITS|GIS|IT)\b", "", r.title_ko))
    ]
    assert latin == []
    # the category line the index reads keeps the government and the country of the title
    assert (precedents["title_ko"].str.split(": ").str[0] == precedents["category_ko"].str.split(": ").str[0]).all()


def test_years_are_in_order_and_plausible(precedents):
    start = pd.to_numeric(precedents["year_start"], errors="coerce")
    end = pd.to_numeric(precedents["year_end"], errors="coerce")
    assert not precedents[(start > end)].id.tolist()
    assert start.dropna().between(1990, 2030).all() and end.dropna().between(1990, 2035).all()


def test_both_languages_agree_that_a_planned_case_is_planned(precedents):
    planned = precedents[precedents["status"] == "planned"]
    assert len(planned) > 20
    assert not [r.id for r in planned.itertuples() if not re.search(PLANNED_EN, r.description_en, re.I)]
    assert not [r.id for r in planned.itertuples() if not re.search(PLANNED_KO, r.description_ko)]
    assert planned["title_en"].str.endswith("(planned)").all() and planned["title_ko"].str.endswith("(계획)").all()


def test_rows_the_source_check_corrected(precedents):
    rows = precedents.set_index("id")
    assert rows.loc["C020", "dac_code"] == "14022" and "폐수" in rows.loc["C020", "dac_name_ko"]
    assert (rows.loc["C031", "year_start"], rows.loc["C031", "year_end"]) == ("2014", "2018")
    assert rows.loc["C042", "year_end"] == "2019"
    assert (rows.loc["C010", "year_start"], rows.loc["C010", "year_end"]) == ("2020", "2025")
    assert "0.9" in rows.loc["C010", "funding"]
    assert rows.loc["C065", "status"] == "planned" and re.search(PLANNED_KO, rows.loc["C065", "description_ko"])
    assert "새마을" not in rows.loc["C054", "title_ko"]


def test_the_unseen_cases_are_not_in_the_catalogue(precedents):
    unseen = pd.read_csv(ROOT / "eval/unseen_government_cases.csv", dtype=str, keep_default_na=False)
    assert len(unseen) >= 40
    assert not set(unseen["id"]) & set(precedents["found_as"])
    assert not set(unseen["text_en"]) & set(precedents["description_en"])
