"""The real recommender on the shipped catalogues: answers known from the catalogue itself."""

import json

import pytest

from recommender import Recommender, StaleIndexError
from recommender.cli import main

pytestmark = pytest.mark.model


def ids(items):
    return [i["id"] for i in items]


@pytest.mark.parametrize(
    "text, case",
    [
        ("Seoul exported its bus management system and transport card fare collection to Ulaanbaatar", "C021"),
        (
            "Renewing the urban water network of Dodoma and building spring-fed water supply for four rural villages "
            "in Arusha, Tanzania, funded by a KOICA grant",
            "C065",
        ),
        ("세종시가 캄보디아 바탐방주 소방관 두 명을 세종소방본부와 중앙소방학교에서 초청 연수", "C002"),
    ],
)
def test_a_paraphrased_precedent_ranks_first(recommender, text, case):
    assert ids(recommender.recommend(text).to_dict()["precedents"])[0] == case


def test_korean_paraphrase_finds_an_english_precedent(recommender):
    # C019 is described in English only as Incheon's forest in Bulgan Province, Mongolia
    result = recommender.recommend(
        "몽골 불간 아이막의 솜 지역에 나무를 심어 숲을 만들고 사막화를 막는 인천시 사업"
    ).to_dict()
    assert "C019" in ids(result["precedents"])[:3]


@pytest.mark.parametrize(
    "text",
    [
        "Donating fire trucks and ambulances to a Cambodian province and training its firefighters",
        "캄보디아 지방 소방본부에 소방차와 구급차를 기증하고 소방관을 교육하는 사업",
    ],
)
def test_fire_trucks_for_cambodia(recommender, text):
    result = recommender.recommend({"text": text, "partner_country": "KH"}).to_dict()
    assert {"11.5", "11.b"} & set(ids(result["sdg_targets"])[:3])
    top = result["precedents"][:3]
    catalogue = recommender.catalogues.precedents.set_index("id")
    assert any(catalogue.loc[p["id"], "dac_code"] == "74020" for p in top)  # a fire-service case


def test_a_proposal_and_its_translation_meet_the_same_precedents(recommender):
    # the example: in Korean the marine-plastic proposal once got an agriculture case first
    # and none of the catalogue's waste cases in its top 10
    korean = (
        "잔지바르 해안의 해양 플라스틱 쓰레기를 수거하고 주민에게 분리배출과 재활용을 교육하며 "
        "수거 차량과 선별장을 지원한다."
    )
    english = (
        "Collect marine plastic waste on the coast of Zanzibar, train residents in waste separation and "
        "recycling, and provide collection vehicles and a sorting facility."
    )
    cases = recommender.catalogues.precedents.set_index("id")["sector"]
    lists = [ids(recommender.recommend(text).to_dict()["precedents"])[:5] for text in (korean, english)]
    for top in lists:
        assert "waste" in cases[top[0]]
        assert sum("waste" in cases[c] for c in top) >= 4
    assert len(set(lists[0]) & set(lists[1])) >= 4


def test_result_contract(recommender):
    result = recommender.recommend(
        {"text": "Water supply for Lak Sao, Laos", "partner_country": "LA"}, top_k=7
    ).to_dict()
    assert [g["goal"] for g in result["sdg_goals"]] == list(range(1, 18))
    for key in ("sdg_targets", "precedents", "local_governments"):
        items = result[key]
        assert len(items) == 7
        scores = [i["score"] for i in items]
        assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
        assert all(i["reason"] for i in items)
    assert set(result["local_governments"][0]) >= {"code", "name_en", "name_ko", "score", "reason"}
    assert set(result["precedents"][0]) >= {"id", "lg_codes", "partner_iso2", "title", "score", "reason"}
    # Seoul carried out the Lak Sao water project (C007)
    assert result["local_governments"][0]["code"] == "11"
    assert result["local_governments"][0]["best_precedent"] == "C007"
    assert "Lak Sao" in result["local_governments"][0]["reason"]  # the reason names the case by its title


def test_reasons_follow_the_language(recommender):
    ko = recommender.recommend("라오스 상수도 보급 사업", lang="ko").to_dict()
    en = recommender.recommend("라오스 상수도 보급 사업", lang="en").to_dict()
    assert "유사도" in ko["precedents"][0]["reason"] and "similarity" in en["precedents"][0]["reason"]


def test_every_government_is_scored_and_one_without_cases_says_so(recommender):
    result = recommender.recommend("Fire trucks", top_k=243, lang="en").to_dict()
    assert len(result["local_governments"]) == 243
    without = [g for g in result["local_governments"] if g["components"]["n_cases"] == 0]
    assert without and all("no case in the catalogue" in g["reason"] for g in without)
    assert any(g["score"] > 0 for g in without)  # ties, family and profile still count


def test_stale_index_is_refused_and_open_rebuilds(recommender, data_copy, tmp_path):
    models = tmp_path / "models"
    Recommender(data_copy, models, embedder=recommender.embedder).build()
    path = data_copy / "precedents.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("refurbished fire pump truck", "used fire pump truck"),
        encoding="utf-8",
    )
    with pytest.raises(StaleIndexError, match="recommender build"):
        Recommender(data_copy, models, embedder=recommender.embedder).load()
    rebuilt = Recommender.open(data_copy, models, embedder=recommender.embedder)
    assert rebuilt.recommend("used fire pump truck for Battambang").to_dict()["precedents"][0]["id"] == "C001"


def test_cli_match_json_follows_the_contract(recommender, models_dir, capsys):
    code = main(
        ["match", "캄보디아 소방차 지원", "--country", "KH", "--json", "--top-k", "3", "--models-dir", str(models_dir)]
    )
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert len(result["sdg_goals"]) == 17 and len(result["sdg_targets"]) == 3
    assert result["partner_country"] == "KH"


def test_cli_errors_are_one_line(models_dir, capsys):
    assert main(["match", "   ", "--models-dir", str(models_dir)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: proposal text is empty") and "\n" not in err


def test_cli_score_keeps_good_rows_and_reports_bad_ones(recommender, models_dir, tmp_path, capsys):
    src = tmp_path / "call.csv"
    src.write_text(
        "번호,사업명,사업내용,대상국가\n"
        "P1,소방 역량 강화,캄보디아 소방차 지원과 소방관 교육,캄보디아\n"
        "P2,빈 사업,,라오스\n"
        'P3,=HYPERLINK("x"),Water supply for a town in Laos,Atlantis\n'
        "P4,상수도,라오스 상수도 보급,LA\n",
        encoding="cp949",
    )
    out = tmp_path / "ranked.csv"
    assert main(["score", str(src), "-o", str(out), "--models-dir", str(models_dir)]) == 0
    import pandas as pd

    ranked = pd.read_csv(out, dtype=str)
    errors = pd.read_csv(tmp_path / "ranked.errors.csv", dtype=str)
    # a Korean call gets the Korean worklist: every row, the rejected ones with nothing found
    found = ranked.set_index("번호")["1순위 세부목표"].notna()
    assert (
        sorted(found.index) == ["P1", "P2", "P3", "P4"] and found[["P1", "P4"]].all() and not found[["P2", "P3"]].any()
    )
    assert errors["id"].tolist() == ["P2", "P3"] and errors["row"].tolist() == ["3", "4"]
    assert "Atlantis" in errors.loc[1, "reason"]


def test_cli_build_if_needed_and_info(recommender, models_dir, capsys):
    assert main(["build", "--if-needed", "--models-dir", str(models_dir)]) == 0
    assert "up to date" in capsys.readouterr().out
    assert main(["info", "--models-dir", str(models_dir)]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["precedents"]["items"] == 255 and info["sdg_targets"]["items"] == 169
    assert info["precedents"]["embedder"] == recommender.embedder.id
    assert (
        info["goal_model"]["classifier_reads"] == "use-m3" and "keyword" in info["goal_model"]["language_blind"]["ko"]
    )


def test_index_is_stale_when_the_passages_are_composed_differently(recommender, data_copy, tmp_path, monkeypatch):
    import recommender.core as core

    models = tmp_path / "models"
    Recommender(data_copy, models, embedder=recommender.embedder).build()
    compose = core.index_passages

    def with_modality_dropped(cat, name):
        ids_, texts, langs = compose(cat, name)
        return ids_, [t.rsplit(". ", 1)[0] if name == "precedents" else t for t in texts], langs

    monkeypatch.setattr(core, "index_passages", with_modality_dropped)
    with pytest.raises(StaleIndexError, match="recommender build"):
        Recommender(data_copy, models, embedder=recommender.embedder).load()


def test_korean_target_scores_follow_the_korean_weights(recommender):
    from recommender import RankingConfig

    shipped = recommender.config
    try:
        recommender.config = RankingConfig(
            language_target_weights={"ko": {"dense": 1.0, "lexical": 0.0, "keyword": 0.0, "precedent": 0.0}}
        )
        korean = recommender.recommend(
            "라오스 농촌 마을에 안전한 식수를 공급하는 상수도 시설을 짓는다", top_k=5
        ).to_dict()
        english = recommender.recommend("Build a piped water supply for rural villages in Laos", top_k=5).to_dict()
    finally:
        recommender.config = shipped
    # Korean: the score is the dense signal alone; English still fuses all four signals
    assert all(t["score"] == pytest.approx(t["signals"]["dense"], abs=1e-4) for t in korean["sdg_targets"])
    assert korean["sdg_targets"][0]["goal"] == 6 and "6.1" in ids(korean["sdg_targets"][:3])
    assert any(abs(t["score"] - t["signals"]["dense"]) > 0.01 for t in english["sdg_targets"])


def test_an_embedder_without_use_still_gets_goal_decisions(data_copy, tmp_path):
    # The goal classifier reads USE vectors; with MiniLM alone the recommender encodes them itself.
    rec = Recommender(data_copy, tmp_path / "models", embedder="minilm").build()
    result = rec.recommend(
        "Build a piped drinking water supply and treatment plant for rural villages in Laos", top_k=3
    ).to_dict()
    assert result["sdg_targets"][0]["goal"] == 6
    assert [g["goal"] for g in result["sdg_goals"] if g["present"]] == [6]
    assert rec.goal_encoder_loaded_separately
