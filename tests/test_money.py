"""Amounts of money as calls write them, read and written back with known answers."""

import math

import pytest

from recommender.errors import InputError
from recommender.money import format_krw, parse_krw
from recommender.proposal import CountryResolver, Proposal


@pytest.mark.parametrize(
    "written, amount",
    [
        ("5억원", 5e8),
        ("1억 2천만원", 1.2e8),
        ("15억 원", 1.5e9),
        ("3억5천만", 3.5e8),
        ("천만원", 1e7),
        ("1,000만 원", 1e7),
        ("1.5억", 1.5e8),
        ("99조", 9.9e13),
        ("300,000,000", 3e8),
        ("300000000원", 3e8),
        ("KRW 300,000,000", 3e8),
        ("₩5,000", 5e3),
        (" 50 000 000 ", 5e7),
        (3e8, 3e8),
        (7, 7.0),
    ],
)
def test_every_way_a_call_writes_a_budget(written, amount):
    assert parse_krw(written) == pytest.approx(amount)


@pytest.mark.parametrize("empty", [None, "", "   ", float("nan")])
def test_no_budget_is_none(empty):
    assert parse_krw(empty) is None


@pytest.mark.parametrize("bad", ["lots", "삼억", "5억억", "3만 2억", "5 억 원 쯤", "1억원원원x"])
def test_what_is_not_an_amount_says_what_was_expected(bad):
    with pytest.raises(InputError, match=r"budget must be a number \(KRW\), e\.g\. .*3억 원; received"):
        parse_krw(bad)


def test_negative_and_infinite_amounts_are_refused():
    for bad in ("-5", -5, math.inf):
        with pytest.raises(InputError, match="zero or more"):
            parse_krw(bad)


def test_amounts_written_back_in_the_readers_units():
    assert format_krw(9.9e13, "ko") == "99조 원"
    assert format_krw(3.5e8, "ko") == "3억 5,000만 원"
    assert format_krw(1.2e8, "ko") == "1억 2,000만 원"
    assert format_krw(5e10, "ko") == "500억 원"
    assert format_krw(12_345_678, "ko") == "1,234만 5,678원"
    assert format_krw(5_000, "ko") == "5,000원"
    assert format_krw(3.5e8, "en") == "350,000,000 KRW"
    assert format_krw(None, "ko") == "" and format_krw(float("nan"), "en") == ""


def test_a_proposal_accepts_a_korean_budget():
    import pandas as pd

    countries = pd.DataFrame([{"iso2": "KH", "iso3": "KHM", "name_en": "Cambodia", "name_ko": "캄보디아"}])
    checked = Proposal.from_value({"text": "소방차 지원", "budget": "1억 2천만원"}).checked(CountryResolver(countries))
    assert checked.budget == 1.2e8
