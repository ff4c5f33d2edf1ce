"""The partner-needs catalogue and what a proposal answers of it (`partner_needs`, `country_fit`)."""

import csv
import subprocess
import sys

import pytest
from conftest import DATA, ROOT

from recommender.catalogue import load_catalogues
from recommender.errors import CatalogueError, StaleIndexError
from recommender.explain import render_text
from recommender.lines import lines_named, lines_of_code
from recommender.needs import EVIDENCE_WEIGHT, load_needs


def _needs(data_dir=DATA):
    cat = load_catalogues(data_dir)
    return load_needs(data_dir, set(cat.countries["iso2"]), set(cat.local_governments["code"]))


# ---------------------------------------------------------------- the catalogue


def test_every_need_is_sourced_and_graded_and_requests_say_they_were_not_re_read():
    needs = _needs().needs
    assert len(needs) > 90 and set(needs["kind"]) == {"request", "country_priority"}
    assert (needs["evidence_level"].isin(EVIDENCE_WEIGHT)).all()
    requests = needs[needs["kind"] == "request"]
    assert (requests["evidence"] == "stated in our case summary, source page cited, not re-read").all()
    assert requests["source_url"].str.startswith("http").all()
    # every request that names a place has it linked by the partner-place linker
    named = requests[(requests["place_en"] != "") | (requests["place_ko"] != "")]
    assert (named["place_id"] != "").all()
    # "Bayannuur soum (Bulgan Province)": the Bayannuur of Bulgan, where Gangbuk-gu's friendship city is
    assert requests.loc[requests["place_en"].str.startswith("Bayannuur"), "place_id"].tolist() == ["6618892"]
    # no row without a stated need (the five priority countries without sectors are left out)
    assert not needs["need_en"].str.startswith("(").any()


def test_priority_countries_are_the_27_of_the_period_with_or_without_sectors():
    priorities = _needs().priorities
    assert len(priorities) == 27
    assert set(priorities.loc[priorities["sectors_en"] == "", "iso2"]) == {"MM", "IN", "EG", "PY", "UA"}
    levels = dict(zip(priorities["iso2"], priorities["evidence_level"]))
    assert levels["KH"] == "policy_statement" and levels["GH"] == "older_strategy" and levels["VN"] == "portfolio_news"


def test_the_build_script_rebuilds_the_shipped_files(tmp_path):
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_needs.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "descriptions stating a partner request" in done.stderr
    for name in ("partner_needs.csv", "priority_countries.csv"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_a_bad_row_is_named_by_file_row_and_column(data_copy):
    path = data_copy / "partner_needs.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    rows[2]["kind"] = "wish"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(CatalogueError, match=r"partner_needs.csv, row 4, column 'kind'.*'wish'"):
        _needs(data_copy)


def test_sector_phrases_and_dac_codes_meet_in_lines_of_work():
    assert lines_named("fire & emergency services (forest fires)") == ("fire",)  # fire-fighting, not forestry
    assert lines_named("agriculture & rural development") == ("rural", "agriculture")
    assert lines_named("wastewater") == ("water",)  # not solid waste
    assert {"fire", "disaster"} <= set(lines_of_code("74020"))  # a fire engine answers a disaster priority
    assert lines_of_code("43010") == ()  # multisector aid is no line


# ---------------------------------------------------------------- what a proposal answers


@pytest.mark.model
def test_a_request_of_the_partner_place_is_answered_by_a_proposal_on_it(recommender):
    result = recommender.recommend(
        {
            "text": "Renewal of the ageing water network of Dodoma with district metering to cut leakage",
            "partner_country": "TZ",
            "partner_city": "Dodoma",
        }
    )
    first = result.partner_needs[0]
    assert (first.id, first.kind, first.relation, first.place) == ("N001", "request", "same", "Dodoma")
    assert first.source_url.startswith("http") and first.evidence_level == "case_summary"
    fit = result.country_fit
    assert fit.priority_country and "safe drinking water" in fit.matched_sectors


@pytest.mark.model
def test_a_proposal_in_a_priority_sector_of_a_priority_country_gets_that_sector(recommender):
    result = recommender.recommend(
        {"text": "몽골 고비알타이주 농민과 공무원에게 스마트농업 기술과 가축 사육을 교육", "partner_country": "MN"}
    )
    fit = result.country_fit
    assert fit.priority_country and fit.partner_iso2 == "MN"
    assert fit.matched_sectors == ("농목축업",)  # "agriculture and livestock", in the result's language
    assert fit.evidence_level == "policy_statement" and fit.source_url.startswith("http")
    assert "농목축업" in fit.summary and "중점협력국" in fit.summary
    assert any(n.kind == "country_priority" and "agriculture" in n.lines for n in result.partner_needs)


@pytest.mark.model
def test_no_recorded_need_is_said_and_not_a_flag(recommender):
    result = recommender.recommend(
        {"text": "캄보디아 바탐방주 소방본부에 소방차를 지원하고 소방관을 교육", "partner_country": "KH"}
    )
    assert result.partner_needs == ()  # fire-fighting is not among Cambodia's stated priorities
    assert result.country_fit.priority_country and result.country_fit.matched_sectors == ()
    assert "기록된 요청 없음" in render_text(result, "ko")
    japan = recommender.recommend({"text": "Youth football exchange with Kobe", "partner_country": "JP"})
    assert japan.partner_needs == () and not japan.country_fit.priority_country


@pytest.mark.model
def test_a_changed_needs_file_makes_the_index_stale(recommender, data_copy):
    from recommender import Recommender

    path = data_copy / "partner_needs.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("water-supply cooperation", "water cooperation"), "utf-8")
    with pytest.raises(StaleIndexError, match="partner_needs"):
        Recommender(data_copy, recommender.models_dir).load()
