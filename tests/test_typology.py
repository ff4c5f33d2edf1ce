"""The typology of Korean project models, the SDG indicators, and placing a proposal in a model:
the shipped tables against the issue's rules, then known answers."""

import numpy as np
import pandas as pd
import pytest
from conftest import DATA

from recommender.explain import object_particle
from recommender.indicators import IndicatorCatalogue
from recommender.typology import MODEL_MIN_SCORE, UNIQUE, Typology, model_match


@pytest.fixture(scope="module")
def typology():
    return Typology.load(DATA)


def test_every_case_is_in_a_model_or_unique_and_most_are_in_models(typology):
    precedents = pd.read_csv(DATA / "precedents.csv", dtype=str, keep_default_na=False)
    # a catalogue that grew without `python scripts/build_typology.py` fails here
    assert sorted(typology.assignment) == sorted(precedents["id"])
    in_models = [c for c, m in typology.assignment.items() if m != UNIQUE]
    assert len(in_models) / len(precedents) >= 0.80
    for model in typology.models:
        assert len(model.cases) >= 3, model.id
        assert all(typology.assignment[c] == model.id for c in model.cases)
    assert sum(len(m.cases) for m in typology.models) == len(in_models)


def test_each_model_states_its_ranges_with_the_cases_behind_them(typology):
    precedents = pd.read_csv(DATA / "precedents.csv", dtype=str, keep_default_na=False).set_index("id")
    for model in typology.models:
        stated = precedents.loc[list(model.cases), "budget_krw"].ne("").sum()
        assert model.budget.n <= stated, model.id
        if model.budget.n:
            assert model.budget.q1 <= model.budget.median <= model.budget.q3
        assert model.duration.n <= len(model.cases)
        assert model.name_en and model.name_ko and model.description_ko
        assert sum(n for _, n in model.countries) >= len(model.cases) - sum(
            precedents.loc[c, "partner_iso2"] == "" for c in model.cases
        )
    fire = typology.by_id["fire_equipment_training"]
    assert fire.budget.n == 0  # no fire donation in the catalogue states its budget in won
    assert dict(fire.components)["vehicle_donation"] == len(fire.cases)


def test_the_models_the_issue_names_are_found(typology):
    names = {m.id: m.name_en for m in typology.models}
    for model, cases in {
        "fire_equipment_training": {"C001", "C003", "C141"},
        "invited_training_courses": {"C037", "C079", "C183"},
        "saemaul_village": {"C014", "C215", "C223"},
        "urban_forests": {"C019", "C040", "C109"},
        "water_supply": {"C007", "C066"},
        "waste_management": {"C016", "C029"},
        "urban_policy_sharing": {"C021", "C194"},
        "medical_missions": {"C121", "C125"},
        "schools_libraries": {"C068", "C086"},
    }.items():
        assert model in names
        assert cases <= set(typology.by_id[model].cases), model


def test_a_proposal_goes_to_the_model_of_its_closest_cases(typology):
    fire = typology.by_id["fire_equipment_training"]
    scores = {c: 0.2 for c in typology.assignment}
    scores.update({fire.cases[0]: 0.7, fire.cases[1]: 0.6, fire.cases[2]: 0.5})
    placed = typology.place(scores, "en")
    assert placed.model.id == "fire_equipment_training" and placed.established
    assert placed.score == pytest.approx(0.6) and placed.closest_cases[0] == fire.cases[0]
    assert not typology.place({c: 0.2 for c in typology.assignment}, "en").established
    # a Korean text meets the cases through one encoder and scores lower: its floor is lower
    between = {c: (MODEL_MIN_SCORE["ko"] + MODEL_MIN_SCORE["en"]) / 2 for c in fire.cases}
    assert typology.place(between, "ko").established and not typology.place(between, "en").established


def test_what_similar_projects_include_is_suggested_when_the_text_lacks_it(typology):
    fire = typology.by_id["fire_equipment_training"]
    scores = {c: 0.8 for c in fire.cases}
    bare = model_match(typology, scores, "캄보디아 시엠립주에 중고 소방차 3대를 기증한다", "", "ko", "ko")
    assert "om_training" in [s.component for s in bare.suggestions]
    text = next(s.text for s in bare.suggestions if s.component == "om_training")
    assert text.startswith("유사 사업") and "현지 인력 운용·정비 교육을" in text and "28건" in text
    trained = model_match(
        typology,
        scores,
        "캄보디아 시엠립주에 중고 소방차 3대를 기증하고 소방관에게 운용·정비를 교육한다",
        "",
        "ko",
        "ko",
    )
    assert "om_training" not in [s.component for s in trained.suggestions]
    english = model_match(typology, scores, "Donate three used fire engines to Siem Reap", "", "en", "en")
    assert "on-site training of local staff in operation and maintenance" in [s.name_en for s in english.suggestions]
    assert "vehicle_donation" not in [s.component for s in english.suggestions]  # the proposal says it


def test_no_established_model_names_the_closest_and_suggests_nothing(typology):
    low = {c: 0.1 for c in typology.assignment}
    low["C001"] = 0.3
    match = model_match(typology, low, "A lunar observatory", "", "en", "en")
    assert not match.established and match.id == "fire_equipment_training"
    assert match.reason.startswith("no established model (closest: Fire engines")
    assert match.suggestions == ()


def test_object_particle_follows_the_last_syllable():
    assert object_particle("현지 인력 운용·정비 교육") == "을"
    assert object_particle("마을회관·주민센터") == "를"
    assert object_particle("행정·기술 시스템 도입(전자정부·교통카드)") == "을"


# ---------------------------------------------------------------- indicators


@pytest.fixture(scope="module")
def indicators():
    return IndicatorCatalogue.load(DATA)


def test_every_target_has_its_official_indicators_in_both_languages(indicators):
    targets = pd.read_csv(DATA / "sdg_targets.csv", dtype=str, keep_default_na=False)
    frame = pd.read_csv(DATA / "sdg_indicators.csv", dtype=str, keep_default_na=False)
    assert frame["code"].is_unique and len(frame) >= 240
    for target in targets["id"]:
        assert indicators.of(target), target
    assert all(frame["text_ko"].str.contains("[가-힣]")) and set(frame["ko_source"]) == {"kostat", "ours"}
    waste = {i.code: i for i in indicators.of("11.6")}
    assert waste["11.6.1"].text_en.startswith("Proportion of municipal solid waste collected")
    assert waste["11.6.1"].ko_source == "kostat" and "폐기물" in waste["11.6.1"].text_ko
    # the 2025 review split 11.5.2: the new 11.5.3 has our Korean, marked as ours
    assert {i.code: i.ko_source for i in indicators.of("11.5")}["11.5.3"] == "ours"
    # the UN's text, as the build parses it for sdg_targets.csv, is the same indicator list
    listed = targets.set_index("id").loc["6.1", "indicators"]
    assert [i.code for i in indicators.of("6.1")] == [part.split()[0] for part in listed.split(" | ")]


def test_indicator_that_names_what_the_proposal_does_comes_first(indicators):
    # 7.1 and 7.2 scored alike; the proposal is about bringing electricity, which 7.1.1 names
    ranked = indicators.rank(
        [("7.2", 0.30), ("7.1", 0.295)], "a micro-hydropower plant bringing electricity to 400 households"
    )
    assert ranked[0].code == "7.1.1"
    assert 3 <= len(ranked) <= 5 and list(np.diff([i.score for i in ranked]) <= 0) == [True] * (len(ranked) - 1)
    # no more than two of one target, so the list spans targets
    many = indicators.rank([("17.18", 0.5), ("6.1", 0.1), ("11.6", 0.1)], "statistics")
    assert sum(i.target == "17.18" for i in many) <= 2
