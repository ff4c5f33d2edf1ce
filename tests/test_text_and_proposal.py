import pandas as pd
import pytest
from conftest import DATA

from recommender.embedders import detect_language
from recommender.errors import InputError
from recommender.proposal import CountryResolver, Proposal
from recommender.text import shared_terms, split_passages


@pytest.fixture(scope="module")
def resolver():
    return CountryResolver(
        pd.read_csv(DATA / "countries.csv", dtype=str, keep_default_na=False),
        pd.read_csv(DATA / "cities.csv", dtype=str, keep_default_na=False),
    )


def test_country_by_code_english_or_korean_name(resolver):
    assert [resolver.resolve(v) for v in ("kh", "KHM", "Cambodia", "캄보디아", "Viet Nam", "라오스", None, "")] == [
        "KH",
        "KH",
        "KH",
        "KH",
        "VN",
        "LA",
        None,
        None,
    ]
    with pytest.raises(InputError, match="not known.*ISO 3166"):
        resolver.resolve("Atlantis")


def test_city_found_within_its_country(resolver):
    city = resolver.find_city("KH", "Phnom Penh")
    assert city["iso2"] == "KH" and 11 < city["lat"] < 12
    assert resolver.find_city("KH", "Ulaanbaatar") is None


def test_proposal_checks(resolver):
    p = Proposal.from_value({"text": "  소방차 지원  ", "partner_country": "캄보디아", "budget": "200,000,000"})
    checked = p.checked(resolver)
    assert (checked.text, checked.partner_country, checked.budget) == ("소방차 지원", "KH", 200_000_000.0)
    for bad, message in [
        ({"text": "   "}, "empty"),
        ({"text": "ok text", "budget": "-5"}, "zero or more"),
        ({"text": "ok text", "budget": "lots"}, "must be a number"),
    ]:
        with pytest.raises(InputError, match=message):
            Proposal.from_value(bad).checked(resolver)


def test_language_detection():
    assert detect_language("캄보디아 소방차 지원 사업") == "ko"
    assert detect_language("Fire trucks for Cambodia") == "en"
    assert detect_language("KOICA 사업: fire trucks 지원") == "ko"


def test_long_text_is_split_into_bounded_passages():
    text = " ".join(f"Sentence number {i} talks about water supply." for i in range(200))
    passages = split_passages(text, max_chars=500)
    assert len(passages) > 10 and all(len(p) <= 500 for p in passages)
    assert "".join(passages).replace(" ", "") == text.replace(" ", "")


def test_shared_terms_handle_korean_particles_and_english_plurals():
    assert shared_terms("소방차를 지원하고 소방관을 교육", "소방차 기증과 소방관 연수") == ["소방차", "소방관"]
    # "provinces" is a stopword here (every proposal has a place), whatever its number
    assert shared_terms("fire trucks for provinces", "a fire truck donated to the province") == ["fire", "trucks"]
