"""The officer's view (`recommender for-government`): names resolved or refused, opportunities for any
government, and known answers from the catalogue's ties, requests and cases."""

import json

import numpy as np
import pandas as pd
import pytest
from conftest import DATA

from recommender.cli import main
from recommender.errors import InputError
from recommender.government_names import GovernmentResolver
from recommender.opportunities import Masks
from recommender.opportunity_eval import REPORT_WINDOWS, time_split


@pytest.fixture(scope="module")
def names():
    return GovernmentResolver(pd.read_csv(DATA / "local_governments.csv", dtype=str, keep_default_na=False))


@pytest.mark.parametrize(
    "written, code",
    [
        ("수원시", "41110"),
        ("경기도 수원시", "41110"),
        ("수원", "41110"),
        ("Suwon", "41110"),
        ("Suwon-si", "41110"),
        ("41110", "41110"),
        ("부산광역시 중구", "26110"),
        ("Jung-gu, Busan", "26110"),
        ("강원특별자치도 고성군", "51820"),
        ("Gwangju", "29"),  # the metropolitan city is the one called just that in English
        ("광주시", "41610"),
    ],
)
def test_names_and_codes_find_their_government(names, written, code):
    assert names.resolve(written) == code


@pytest.mark.parametrize("written, count", [("중구", 6), ("서구", 5), ("Jung-gu", 6), ("고성군", 2), ("광주", 2)])
def test_a_name_several_governments_bear_is_refused_with_the_candidates(names, written, count):
    with pytest.raises(InputError) as caught:
        names.resolve(written)
    text = str(caught.value)
    assert f"names {count} local governments" in text
    if written == "중구":
        assert "부산광역시 중구 (26110)" in text and "서울특별시 중구 (11140)" in text


def test_an_unknown_name_says_what_is_expected(names):
    with pytest.raises(InputError, match="no Korean local government is called 'Atlantis'.*41110"):
        names.resolve("Atlantis")


# ---------------------------------------------------------------- the ranked opportunities


@pytest.mark.model
def test_every_government_gets_opportunities_in_both_languages(recommender):
    officer = recommender.officer
    for code in officer.facts.codes:
        view = recommender.for_government(code, top_k=5, lang="en")
        assert len(view.opportunities) == 5, code
        assert all(o.reasons and o.sector and o.score > 0 for o in view.opportunities), code
    korean = recommender.for_government("11305", lang="ko")
    assert korean.name_ko == "강북구" and all(r.text for o in korean.opportunities for r in o.reasons)


@pytest.mark.model
def test_a_government_with_no_case_is_ranked_from_its_ties_family_and_profile(recommender):
    # Gangbuk-gu has no catalogued case; its friendship soum of Bayannuur (Bulgan) asked it to go on
    # planting trees against desertification (2022)
    view = recommender.for_government("서울특별시 강북구", lang="en")
    assert view.cases == () and view.profile["cases"] == 0
    first = view.opportunities[0]
    assert first.partner_country == "MN" and first.partner_places[0].id == "6618892"
    assert first.line == "forestry" and [n.id for n in first.needs][:1] == ["N007"]
    kinds = {r.kind for r in first.reasons}
    assert {"tie", "need", "family", "demand"} <= kinds
    assert any(t.partner_iso2 == "MN" and t.kind == "friendship" for t in view.ties)


@pytest.mark.model
def test_a_sister_city_whose_request_matches_the_government_s_experience_ranks_first_in_its_country(recommender):
    # Seoul's sister city Tashkent asked Seoul (2017) for its e-government and public-transport know-how,
    # lines Seoul has worked in; the case that answered it (C092) is held out
    officer = recommender.officer
    facts, ranker = officer.facts, officer.ranker
    seoul = officer.position["11"]
    cases = ~facts.domestic
    cases[ranker.case_ids.index("C092")] = False
    ties = np.ones(len(facts.ties), dtype=bool)
    requested = [i in ("N003", "N004") for i in facts.needs.ids]
    with_request = Masks(cases, ties, np.ones(len(facts.needs.ids), dtype=bool))
    without = Masks(cases, ties, ~np.array(requested))

    def uzbekistan(masks):
        ranked = ranker.rank(seoul, masks, top_k=100)
        return next(o for o in ranked if o.iso2 == "UZ"), [o.iso2 for o in ranked]

    asked, order = uzbekistan(with_request)
    assert asked.places[0].id == "1512569" and {"tie", "request"} <= set(asked.places[0].why)  # Tashkent first
    assert asked.features["request"] == 1.0 and asked.features["need_fit"] > 0
    assert asked.line in ("governance", "transport")  # what Tashkent asked for, in Seoul's lines
    assert {facts.needs.ids[n] for n in asked.needs} & {"N003", "N004"}
    not_asked, order_without = uzbekistan(without)
    assert asked.score > not_asked.score and asked.places[0].score > not_asked.places[0].score
    assert order.index("UZ") <= order_without.index("UZ") and order.index("UZ") < 10


@pytest.mark.model
def test_the_time_split_hides_later_cases_and_the_needs_read_from_them(recommender):
    facts = recommender.officer.facts
    keep = facts.needs_without(hidden_ids=["C092"])
    hidden = {facts.needs.ids[n] for n in np.flatnonzero(~keep)}
    assert hidden == {"N003", "N004"}
    masks = facts.masks_before(2022)
    assert not masks.cases[facts.case_year >= 2022].any()
    report = time_split(recommender.officer.ranker, REPORT_WINDOWS)
    assert report["pairs"] > 50
    for method, values in report["all"].items():
        assert 0 <= values["country@3"] <= values["country@5"] <= 1, method


@pytest.mark.model
def test_cli_prints_the_view_and_refuses_an_ambiguous_name(recommender, capsys):
    common = ["--models-dir", str(recommender.models_dir)]
    assert main(["for-government", "Suwon", "--json", "--top-k", "3", *common]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["government"]["code"] == "41110" and len(out["opportunities"]) == 3
    assert out["opportunities"][0]["partner_country"] == "KH"  # its sister city Siem Reap and two cases there
    assert main(["for-government", "수원시", *common]) == 0
    text = capsys.readouterr().out
    assert text.startswith("수원시 (41110)") and "추천 기회" in text and "자매도시" in text
    assert main(["for-government", "중구", *common]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: '중구' names 6 local governments") and "26110" in err
    assert main(["for-government", "Suwon", "--top-k", "0", *common]) == 2
