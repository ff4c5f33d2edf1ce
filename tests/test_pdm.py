"""Known answers with the real recommender: a fire-engine proposal falls in the equipment-with-training
model and is told that similar projects trained local staff, a Saemaul village proposal in the
Saemaul model, a proposal unlike any case in none; and the draft design matrix (.docx) in each
language, opened by python-docx and by LibreOffice."""

import io
import os
import re
import shutil
import subprocess

import pytest

from recommender.cli import main
from recommender.pdm import local_text

pytestmark = pytest.mark.model

FIRE_KO = {
    "title": "시엠립주 소방 역량 강화",
    "text": "캄보디아 시엠립주 소방본부에 중고 소방펌프차 3대와 구급차 2대를 기증한다.",
    "partner_country": "KH",
    "budget": "250000000",
    "years": "2026–2027",
}
SAEMAUL_KO = (
    "라오스 비엔티안주 농촌 마을에 새마을운동 시범마을을 조성한다. 마을회관을 짓고 마을길을 포장하며 "
    "주민과 마을 지도자에게 새마을 교육을 한다."
)
UNLIKE = "An orbital debris tracking radar network with a satellite data exchange for space agencies"
# Latin a Korean document may carry: indicator and target codes, case ids, abbreviations in capitals
# (SDG, PDM, GDP...), enumerators of official names ((a), (ii)), a document symbol and source addresses.
ALLOWED_LATIN = re.compile(
    r"https?://\S+|\b\d+\.\w+(?:\.\d+)?\b|\bC\d{3}\b|\b[A-Z]{2,6}s?\b|\((?:[a-d]|i{1,3}|iv)\)|\b[a-d]\)|"
    r"A/RES/71/313|\bpH\b"
)


def docx_text(data: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    parts += [p.text for p in document.sections[0].footer.paragraphs]
    return "\n".join(parts)


def english_words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z]{2,}", ALLOWED_LATIN.sub(" ", text)))


def test_fire_engines_without_training_get_the_equipment_model_and_a_training_suggestion(recommender):
    result = recommender.recommend(FIRE_KO, lang="ko")
    assert result.model.established and result.model.id == "fire_equipment_training"
    suggested = {s.component: s.text for s in result.model.suggestions}
    assert "om_training" in suggested and "현지 인력 운용·정비 교육을" in suggested["om_training"]
    assert "vehicle_donation" not in suggested
    trained = recommender.recommend(
        {**FIRE_KO, "text": FIRE_KO["text"] + " 현지 소방관에게 차량 운용과 정비를 교육한다."}
    )
    assert "om_training" not in {s.component for s in trained.model.suggestions}
    # its indicators come from its targets, and each target carries its own
    assert 3 <= len(result.indicators) <= 5
    top = {t.id for t in result.sdg_targets[:5]}
    assert all(i.target in top for i in result.indicators)
    assert all(i.code.startswith(t.id + ".") for t in result.sdg_targets for i in t.indicators)


def test_a_saemaul_village_proposal_gets_the_saemaul_model(recommender):
    result = recommender.recommend({"text": SAEMAUL_KO, "partner_country": "LA"})
    assert result.model.established and result.model.id == "saemaul_village"
    assert set(result.model.cases) <= set(recommender.typology.by_id["saemaul_village"].cases)


def test_a_proposal_unlike_any_case_has_no_established_model(recommender):
    result = recommender.recommend(UNLIKE)
    assert not result.model.established
    assert result.model.reason.startswith("no established model (closest: ")
    assert result.model.suggestions == ()
    data = recommender.pdm(result, UNLIKE, "en")
    assert "No established model" in docx_text(data)


def test_korean_pdm_is_a_korean_draft_with_the_model_ranges_risks_and_sources(recommender):
    result = recommender.recommend(FIRE_KO, lang="ko")
    text = docx_text(recommender.pdm(result, FIRE_KO, "ko"))
    assert text.startswith("[초안] 사업설계매트릭스(PDM): 시엠립주 소방 역량 강화")
    assert "초안 — 검토 후 수정하세요" in text  # on every page
    assert "사업 모델: 소방차·구급차 기증과 운용 교육" in text
    assert "현지 인력 운용·정비 교육 — 제안서에 없음: 유사 사업 28건 중" in text
    assert "제안 250,000,000원" in text and "예산을 밝힌 사례 없음 (0건)" in text
    assert "사업 기간: 2026–2027; 유사 사업 기간 중앙값 1년" in text and "기간이 밝혀진 28건" in text
    assert "중고·불용 장비는 수리·부품·정비 인력이 필요했음" in text  # a risk seen in the model's cases
    assert re.search(r"C\d{3} .+ — https?://", text)  # a precedent with its source
    for indicator in result.indicators:
        assert indicator.code in text
    assert english_words(text) == set()


def test_english_pdm_has_no_korean(recommender):
    proposal = {
        "text": "Donate three used fire engines to Siem Reap Province and train its firefighters",
        "title": "Fire",
    }
    result = recommender.recommend(proposal, lang="en")
    text = docx_text(recommender.pdm(result, proposal, "en"))
    assert text.startswith("[DRAFT] Project design matrix (PDM): Fire")
    assert "Budget: not in the proposal; no similar project states a budget (n = 0)" in text
    assert not re.search("[가-힣]", text)


def test_official_korean_names_lose_their_english_glosses_in_a_korean_document():
    name = "십만 명당 재난으로 인해 사망, 실종, 직접적 피해(affected)를 받은 인구 수"
    assert local_text(name, "ko") == "십만 명당 재난으로 인해 사망, 실종, 직접적 피해를 받은 인구 수"
    assert local_text("(a) 국회의 여성 의석 비율", "ko") == "(a) 국회의 여성 의석 비율"
    assert local_text(name, "en") == name


def test_match_writes_the_pdm_and_refuses_another_suffix(recommender, tmp_path, capsys):
    out = tmp_path / "pdm.docx"
    args = ["match", FIRE_KO["text"], "--country", "KH", "--models-dir", str(recommender.models_dir)]
    assert main([*args, "--pdm", str(out)]) == 0
    assert "한국형 사업 모델: 소방차·구급차 기증과 운용 교육" in capsys.readouterr().out
    assert "사업 모델: 소방차·구급차 기증과 운용 교육" in docx_text(out.read_bytes())
    assert main([*args, "--pdm", str(tmp_path / "pdm.pdf")]) == 2
    assert "--pdm must name a .docx file" in capsys.readouterr().err


def test_the_pdm_opens_in_libreoffice(recommender, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is missing in CI; .ci/run installs libreoffice-writer-nogui")
        pytest.skip("LibreOffice is not installed here (apt-get install libreoffice-writer-nogui)")
    result = recommender.recommend(FIRE_KO, lang="ko")
    source = tmp_path / "pdm.docx"
    source.write_bytes(recommender.pdm(result, FIRE_KO, "ko"))
    subprocess.run(
        [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--convert-to",
            "txt:Text",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    text = (tmp_path / "pdm.txt").read_text(encoding="utf-8-sig")
    assert "[초안] 사업설계매트릭스(PDM)" in text and "소방차·구급차 기증과 운용 교육" in text
    assert "현지 인력 운용·정비 교육" in text  # the matrix's rows came through


def test_the_batch_summary_names_the_model_and_what_similar_projects_included(recommender):
    from openpyxl import load_workbook

    from recommender.io import write_results
    from recommender.results import ScoredProposal

    result = recommender.recommend(FIRE_KO, lang="ko")
    rows = [ScoredProposal("P1", 2, result, title=FIRE_KO["title"], text=FIRE_KO["text"])]
    buffer = io.BytesIO()
    write_results(rows, [], buffer, fmt="xlsx", lang="ko")
    sheet = load_workbook(io.BytesIO(buffer.getvalue()))["요약"]
    row = dict(zip([c.value for c in sheet[1]], [c.value for c in sheet[2]]))
    assert row["사업 모델"] == "소방차·구급차 기증과 운용 교육"
    assert "현지 인력 운용·정비 교육" in row["유사 사업에 있으나 제안에 없는 구성"]
    assert row["주요 SDG 지표"].split(";")[0] == result.indicators[0].code
    buffer = io.BytesIO()
    write_results(rows, [], buffer, fmt="csv")  # the command line's machine names
    summary = buffer.getvalue().decode("utf-8-sig")
    assert "fire_equipment_training" in summary and "om_training" in summary
    unlike = recommender.recommend(UNLIKE)
    buffer = io.BytesIO()
    write_results([ScoredProposal("P2", 3, unlike)], [], buffer, fmt="csv")
    assert f"no_established_model:{unlike.model.id}" in buffer.getvalue().decode("utf-8-sig")
