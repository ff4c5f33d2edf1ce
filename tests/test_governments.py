"""The government ranker: features with known answers on the shipped catalogue, ties, teams."""

import numpy as np
import pytest

from recommender.governments import FEATURES, GovernmentModel

OSAN = "41370"  # Osan-si: no catalogued case; friendship/sister tie with Quang Nam, Viet Nam (lg_ties_sourced.csv)
QUANG_NAM_TEXT = "Build a public library and train librarians in Quang Nam Province, Viet Nam"
BUSAN = "26"  # sister city of Yangon since 2013 (lg_ties_sourced.csv, Busan's own page)
SEOUL = "11"  # sister city of Ulaanbaatar since 1995
YANGON_TEXT = "상수도 시설을 개선하고 수도국 기술자를 교육하여 도시 주민에게 깨끗한 물을 공급한다"


def feature(evidence, code_position: int, name: str) -> float:
    return float(evidence.features[code_position, FEATURES.index(name)])


def test_a_case_never_sees_itself(recommender):
    cat = recommender.catalogues
    codes = cat.local_governments["code"].tolist()
    case = cat.precedents.set_index("id").loc["C001"]  # Sejong, fire trucks for Battambang
    sejong = codes.index("36")
    seen, unseen = recommender.government_evidence(
        [case["description_en"]] * 2, ["KH", "KH"], ["Battambang", "Battambang"], [[], ["C001"]]
    )
    assert seen.n_cases[sejong] == unseen.n_cases[sejong] + 1
    assert seen.n_country[sejong] == unseen.n_country[sejong] + 1
    best_seen = recommender.catalogues.precedents["id"].iloc[seen.best_case[sejong]]
    best_unseen = recommender.catalogues.precedents["id"].iloc[unseen.best_case[sejong]]
    assert best_seen == "C001" and best_unseen != "C001"
    assert feature(seen, sejong, "best") > feature(unseen, sejong, "best")


def test_a_known_tie_lifts_its_government(recommender):
    codes = recommender.catalogues.local_governments["code"].tolist()
    osan = codes.index(OSAN)
    with_city, without_city = recommender.government_evidence(
        [QUANG_NAM_TEXT, "Build a public library and train librarians"], ["VN", "VN"], ["Quang Nam", None], [[], []]
    )
    assert feature(with_city, osan, "tie_place") > 0.6 and feature(without_city, osan, "tie_place") == 0.0
    assert feature(with_city, osan, "no_cases") == 1.0  # Osan has no catalogued case
    model = GovernmentModel.load(recommender.data_dir / "government_model.json")
    assert model.score(with_city.features)[osan] > model.score(without_city.features)[osan]


def test_a_government_without_cases_reaches_the_top_ten_through_its_tie(recommender):
    result = recommender.recommend(
        {"text": QUANG_NAM_TEXT, "partner_country": "VN", "partner_city": "Quang Nam"}, top_k=10, lang="ko"
    )
    ranked = {g.code: g for g in result.local_governments}
    assert OSAN in ranked
    assert "꽝남" in ranked[OSAN].reason and "목록에 사례 없음" in ranked[OSAN].reason


@pytest.mark.parametrize("written", ["Yangon", "양곤", "양곤시", "Yangon (Yangon City Development Committee)"])
def test_yangon_however_written_lifts_its_sister_city(recommender, written):
    result = recommender.recommend(
        {"text": YANGON_TEXT, "partner_country": "MM", "partner_city": written}, top_k=3, lang="ko"
    )
    assert result.partner_places[0].id == "1298824"
    ranked = {g.code: g for g in result.local_governments}
    assert BUSAN in ranked, [g.name_ko for g in result.local_governments]
    assert "자매도시 양곤" in ranked[BUSAN].reason


def test_the_place_is_read_from_a_korean_text_when_the_field_is_blank(recommender):
    result = recommender.recommend(
        {"text": "미얀마 양곤시 개발위원회의 요청에 따라 " + YANGON_TEXT, "partner_country": "MM"}, top_k=3, lang="ko"
    )
    assert [(p.id, p.origin) for p in result.partner_places] == [("1298824", "text")]
    assert BUSAN in [g.code for g in result.local_governments]


def test_a_tie_with_ulaanbaatar_counts_for_a_district_of_it(recommender):
    codes = recommender.catalogues.local_governments["code"].tolist()
    seoul = codes.index(SEOUL)
    text = "Build a health centre and train nurses for residents of a ger district"
    district, country = recommender.government_evidence(
        [text] * 2, ["MN", "MN"], ["Sukhbaatar District, Ulaanbaatar", None], [[], []]
    )
    assert feature(district, seoul, "tie_place") == pytest.approx(0.9)  # the city the district lies in; sister
    assert feature(country, seoul, "tie_place") == 0.0 and feature(country, seoul, "tie_country") == 1.0


def test_reasons_name_what_lifted_a_government(recommender):
    result = recommender.recommend(
        {
            "text": "Donate used fire trucks to the provincial fire department and train firefighters",
            "partner_country": "KH",
            "partner_city": "Battambang",
        },
        top_k=5,
        lang="en",
    )
    top = result.local_governments[0]
    assert top.components["lifted_by"], top
    assert "similar case" in top.reason or "case(s) in Cambodia" in top.reason


def test_teams_pair_governments_with_a_reason(recommender):
    result = recommender.recommend(
        {
            "text": "경상북도와 시군이 함께 베트남 농촌 마을에 새마을운동 시범마을을 조성하고 주민 역량을 강화한다",
            "partner_country": "VN",
        },
        top_k=5,
    )
    assert result.teams
    team = result.teams[0]
    assert len(team.codes) == 2 and team.codes[0] != team.codes[1] and team.reason
    assert result.to_dict()["teams"][0]["codes"] == list(team.codes)


def test_the_model_file_is_validated(tmp_path):
    path = tmp_path / "government_model.json"
    model = GovernmentModel([0.0] * len(FEATURES), 0.0, [0.0] * len(FEATURES), [1.0] * len(FEATURES))
    model.save(path)
    assert GovernmentModel.load(path) == model
    path.write_text(path.read_text().replace('"intercept": 0.0', '"intercept": NaN'))
    from recommender.errors import CatalogueError

    with pytest.raises(CatalogueError, match="fit-government-model"):
        GovernmentModel.load(path)


def test_contributions_add_up_to_the_logit():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, len(FEATURES)))
    y = (x[:, 0] + 0.5 * x[:, 5] > 0).astype(int)
    model = GovernmentModel.fit(x, y)
    logit = model.contributions(x).sum(axis=1) + model.intercept
    assert np.allclose(1 / (1 + np.exp(-logit)), model.score(x))
    assert model.coef[0] > 0 and model.coef[5] > 0
