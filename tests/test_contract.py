"""The JSON contract of a result (README "Library"): key names and value types, pinned.

`Recommendation.to_dict()` is what `recommender match --json` prints and what `score -o x.jsonl`
writes per row; downstream spreadsheets and scripts read these keys."""

import json

from recommender.results import Recommendation, ScoredProposal

TOP = {
    "sdg_goals": list,
    "sdg_targets": list,
    "precedents": list,
    "local_governments": list,
    "teams": list,
    "language": str,
    "partner_country": str,
    "partner_city": (dict, str, type(None)),
    "passages": int,
    "warnings": list,
    "model": dict,
    "indicators": list,
    "partner_places": list,
    "partner_needs": list,
    "country_fit": (dict, type(None)),
}
GOAL = {"goal": int, "present": bool, "score": float}
TARGET = {
    "id": str,
    "goal": int,
    "score": float,
    "is_sdg11": bool,
    "title": str,
    "reason": str,
    "signals": dict,
    "keywords": list,
    "indicators": list,
}
INDICATOR = {"code": str, "target": str, "text_en": str, "text_ko": str, "ko_source": str, "score": float}
MODEL = {
    "established": bool,
    "id": str,
    "name_en": str,
    "name_ko": str,
    "score": float,
    "cases": list,
    "reason": str,
    "suggestions": list,
}
SUGGESTION = {"component": str, "name_en": str, "name_ko": str, "cases": int, "of": int, "text": str}
TARGET_SIGNALS = {"dense", "lexical", "keyword", "precedent"}
PRECEDENT = {
    "id": str,
    "lg_codes": list,
    "partner_iso2": str,
    "title": str,
    "score": float,
    "reason": str,
    "signals": dict,
    "partner_locality": str,
    "years": str,
    "domestic": bool,
    "budget_krw": (float, type(None)),
    "source_url": str,
}
PRECEDENT_SIGNALS = {"dense", "lexical", "same_country"}
GOVERNMENT = {
    "code": str,
    "name_en": str,
    "name_ko": str,
    "level": str,
    "score": float,
    "reason": str,
    "components": dict,
    "best_precedent": (str, type(None)),
    "lat": float,
    "lon": float,
}
PLACE = {
    "id": str,
    "level": str,
    "name_en": str,
    "name_ko": str,
    "iso2": str,
    "iso3166_2": str,
    "parents": list,
    "origin": str,
    "written": str,
    "match": str,
    "lat": (float, type(None)),
    "lon": (float, type(None)),
}
PLACE_REF = {"id": str, "level": str, "name_en": str, "name_ko": str}


NEED = {
    "id": str,
    "kind": str,
    "partner_iso2": str,
    "place_id": str,
    "place": str,
    "relation": str,
    "need": str,
    "sector": str,
    "lines": list,
    "year": (int, type(None)),
    "requested_of": str,
    "score": float,
    "similarity": float,
    "sector_match": float,
    "evidence_level": str,
    "evidence": str,
    "source_url": str,
    "sdg_targets": list,
}
COUNTRY_FIT = {
    "partner_iso2": (str, type(None)),
    "priority_country": bool,
    "period": str,
    "priority_sectors": list,
    "matched_sectors": list,
    "evidence_level": str,
    "evidence": str,
    "source_url": str,
    "summary": str,
}
VIEW = {"government": dict, "opportunities": list, "language": str}
VIEW_GOVERNMENT = {
    "code": str,
    "name_en": str,
    "name_ko": str,
    "level": str,
    "parent_code": str,
    "parent_name": str,
    "lat": float,
    "lon": float,
    "profile": dict,
    "cases": list,
    "ties": list,
}
OPPORTUNITY = {
    "partner_country": str,
    "country_name": str,
    "partner_places": list,
    "sector": str,
    "line": str,
    "dac_code": str,
    "targets": list,
    "precedents": list,
    "needs": list,
    "reasons": list,
    "team_partners": list,
    "score": float,
    "features": dict,
}
OPPORTUNITY_PLACE = {
    "id": str,
    "level": str,
    "name_en": str,
    "name_ko": str,
    "lat": (float, type(None)),
    "lon": (float, type(None)),
    "why": list,
}


def _check(item: dict, schema: dict) -> None:
    assert set(item) == set(schema), sorted(set(item) ^ set(schema))
    for key, kind in schema.items():
        assert isinstance(item[key], kind), (key, type(item[key]))


def test_result_dictionary_has_the_documented_shape(recommender):
    result = recommender.recommend(
        {"text": "Water supply and a treatment plant for Lak Sao, Laos", "partner_country": "LA"}, top_k=4
    )
    out = json.loads(json.dumps(result.to_dict()))  # what --json prints
    _check(out, TOP)
    assert len(out["sdg_goals"]) == 17 and [g["goal"] for g in out["sdg_goals"]] == list(range(1, 18))
    for goal in out["sdg_goals"]:
        _check(goal, GOAL)
    assert len(out["sdg_targets"]) == len(out["precedents"]) == len(out["local_governments"]) == 4
    for target in out["sdg_targets"]:
        _check(target, TARGET)
        assert set(target["signals"]) == TARGET_SIGNALS
        assert target["indicators"] and all(i["code"].startswith(target["id"] + ".") for i in target["indicators"])
        for indicator in target["indicators"]:
            _check(indicator, INDICATOR)
    assert 3 <= len(out["indicators"]) <= 5
    for indicator in out["indicators"]:
        _check(indicator, INDICATOR)
    _check(out["model"], MODEL)
    for suggestion in out["model"]["suggestions"]:
        _check(suggestion, SUGGESTION)
    for precedent in out["precedents"]:
        _check(precedent, PRECEDENT)
        assert set(precedent["signals"]) == PRECEDENT_SIGNALS
    for government in out["local_governments"]:
        _check(government, GOVERNMENT)
    assert out["partner_country"] == "LA" and out["language"] == "en"
    assert out["partner_places"], "Lak Sao is named in the text"
    for place in out["partner_places"]:
        _check(place, PLACE)
        for parent in place["parents"]:
            _check(parent, PLACE_REF)
    assert out["partner_needs"], "Laos states water resources among its priorities"
    for need in out["partner_needs"]:
        _check(need, NEED)
    _check(out["country_fit"], COUNTRY_FIT)


def test_government_view_has_the_documented_shape(recommender):
    out = json.loads(json.dumps(recommender.for_government("Suwon", top_k=3).to_dict()))
    _check(out, VIEW)
    _check(out["government"], VIEW_GOVERNMENT)
    assert out["government"]["code"] == "41110" and len(out["opportunities"]) == 3
    for opportunity in out["opportunities"]:
        _check(opportunity, OPPORTUNITY)
        for place in opportunity["partner_places"]:
            _check(place, OPPORTUNITY_PLACE)
        assert all(set(r) == {"kind", "text"} for r in opportunity["reasons"])
        assert all(set(t) == {"id", "title", "is_sdg11"} for t in opportunity["targets"])


def test_a_scored_row_round_trips_through_its_dictionary(recommender):
    result = recommender.recommend("캄보디아 바탐방주 소방차 지원 및 소방관 교육", top_k=3)
    row = ScoredProposal("P1", 2, result, ("low_sdg11_alignment",), title="소방", text="t", budget=3.0)
    again = ScoredProposal.from_dict(json.loads(json.dumps(row.to_dict())))
    assert again == row
    assert Recommendation.from_dict(result.to_dict()) == result
    assert row.to_dict()["id"] == "P1" and row.to_dict()["flags"] == ["low_sdg11_alignment"]
