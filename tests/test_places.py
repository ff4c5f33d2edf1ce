"""The partner-place linker on the shipped gazetteer (data/places.csv): known answers for the forms
officers write, in Korean and English. No embedding model is loaded here."""

import csv

import pytest
from conftest import DATA

from recommender.places import (
    Gazetteer,
    PlaceLinker,
    en_variants,
    hangul_to_latin,
    ko_variants,
    latin_key,
    sound_key,
    split_field,
)

YANGON = "1298824"  # GeoNames: Yangon, the city
ULAANBAATAR_CITY, ULAANBAATAR_PROVINCE = "2028462", "2028461"
LUANG_PRABANG_PROVINCE = "1655558"  # GeoNames: Louangphabang (admin1)
QUANG_NAM = "1905516"
HOVSGOL = "2030469"


@pytest.fixture(scope="module")
def gazetteer():
    return Gazetteer(DATA / "places.csv")


@pytest.fixture(scope="module")
def linker(gazetteer):
    with open(DATA / "countries.csv", encoding="utf-8") as f:
        countries = {r["iso2"]: (r["name_en"], r["name_ko"]) for r in csv.DictReader(f)}
    return PlaceLinker(gazetteer, countries)


def first(linker, value, iso, text=""):
    places = linker.link(value, iso, text)
    assert places, f"nothing linked for {value!r} / {text!r}"
    return places[0]


def test_keys_forget_what_romanisations_disagree_on():
    assert latin_key("Bà Rịa–Vũng Tàu") == latin_key("Ba Ria - Vung Tau") == "bariavungtau"
    assert sound_key("Khuvsgul") == sound_key("Hövsgöl") == sound_key("Khövsgöl")
    assert sound_key(hangul_to_latin("홉스골")) == sound_key("Hovsgol")
    assert sound_key(hangul_to_latin("바양주르흐")) == sound_key("Bayanzurkh")
    assert hangul_to_latin("울란바토르") == "ulanbator"  # ㄹㄹ is one l; the 으 of 르 is not written


def test_level_words_and_korean_suffixes_are_read():
    assert en_variants("Luang Prabang Province")[-1] == ("Luang Prabang", "province")
    assert en_variants("City of Manila")[-1] == ("Manila", "city")
    assert ko_variants("비엔티안주")[-1] == ("비엔티안", "province")
    assert ko_variants("홉스골 아이막") == [("홉스골", "province")]


def test_fields_split_into_places_and_drop_organisations():
    names = [s.name for s in split_field("Vientiane Capital (Nam Papa State Enterprise)")]
    assert names == ["Vientiane Capital", "Nam Papa"]  # the bracket keeps only the words before "State Enterprise"
    assert [s.name for s in split_field("Da Nang; Hue / Hoi An")] == ["Da Nang", "Hue", "Hoi An"]
    assert [s.name for s in split_field("울란바토르시 수흐바타르구")] == ["울란바토르시", "수흐바타르구"]
    # "X district of Y" names X inside Y; "Province of Batangas" is one name
    assert [s.name for s in split_field("Pakngum district of Vientiane")] == ["Pakngum district", "Vientiane"]
    assert [s.name for s in split_field("Province of Batangas")] == ["Province of Batangas"]


def test_a_district_of_a_capital_written_with_of(linker):
    (place,) = linker.link("Pakngum district of Vientiane", "LA")
    assert (latin_key(place.name_en), place.level) == ("pakngum", "district")
    assert "Vientiane Prefecture" in [q.name_en for q in place.parents]


@pytest.mark.parametrize("written", ["양곤", "양곤시", "Yangon (Yangon City Development Committee)", "Yangon City"])
def test_yangon_however_written(linker, written):
    place = first(linker, written, "MM")
    assert (place.id, place.level, place.name_ko) == (YANGON, "city", "양곤")


def test_a_city_and_the_province_named_after_it_are_one_unit(linker, gazetteer):
    province = first(linker, "Rangoon", "MM")  # GeoNames' own name of the Yangon Region
    assert province.level == "province"
    assert gazetteer.relation("MM", YANGON, province.id) == (1.0, "same")


def test_a_district_of_ulaanbaatar_sits_in_ulaanbaatar(linker, gazetteer):
    for written in ("Sukhbaatar District, Ulaanbaatar", "울란바토르시 수흐바타르구"):
        place = first(linker, written, "MN")
        assert place.level == "district" and place.name_en == "Sükhbaatar"
        assert ULAANBAATAR_PROVINCE in place.chain
    # a tie with the city of Ulaanbaatar counts for a project in one of its districts
    strength, kind = gazetteer.relation("MN", place.id, ULAANBAATAR_CITY)
    assert (strength, kind) == (0.9, "contains")
    # and the same name elsewhere (Sükhbaatar Province) is not taken for it
    assert first(linker, "Sukhbaatar Province", "MN").id != place.id


@pytest.mark.parametrize(
    ("written", "iso", "expected"),
    [
        ("Luang Prabang Province", "LA", LUANG_PRABANG_PROVINCE),
        ("루앙프라방주", "LA", LUANG_PRABANG_PROVINCE),
        ("Quang Nam Province", "VN", QUANG_NAM),
        ("꽝남성", "VN", QUANG_NAM),
        ("홉스골 아이막", "MN", HOVSGOL),
        ("Khuvsgul aimag", "MN", HOVSGOL),
    ],
)
def test_a_province_in_korean_and_english(linker, written, iso, expected):
    place = first(linker, written, iso)
    assert place.id == expected and place.level == "province"


def test_a_place_named_only_in_the_text(linker):
    text = "미얀마 양곤시 개발위원회의 요청에 따라 상수도 시설을 개선하고 기술자를 교육한다"
    place = first(linker, "", None, text)  # no city and no country given
    assert (place.id, place.origin) == (YANGON, "text")
    assert linker.country_in(text) == "MM"
    english = first(linker, "", "KH", "Two fire trucks for the provincial fire department of Siem Reap Province.")
    assert (english.name_en, english.level, english.origin) == ("Siem Reap", "province", "text")


def test_a_field_names_several_places(linker):
    places = linker.link("Da Nang; Hoi An", "VN")
    assert [latin_key(p.name_en) for p in places] == ["danang", "hoian"]


def test_a_village_the_gazetteer_lacks_is_kept_with_its_parents(linker):
    place = first(linker, "Ban Nongbua village, Xaythany District, Vientiane Capital", "LA")
    assert place.match == "named" and place.level == "village"
    assert any(p.level == "district" for p in place.parents)


def test_a_common_word_in_english_text_is_not_a_place(linker):
    # "Support" and "Training" are not read as villages of the Philippines
    assert linker.link("", "PH", "Support and Training for teachers.") == []


def test_a_place_picked_from_the_list_is_its_id(linker, gazetteer):
    options = gazetteer.options("MM", "ko")
    assert options[YANGON] == "양곤 (시)" and list(options).index(YANGON) > 0
    assert first(linker, YANGON, "MM").id == YANGON
