"""Pure helpers of the app (recommender/ui.py) and the localised workbook, without Streamlit."""

import io
import zipfile

import pytest
from openpyxl import load_workbook

from recommender.explain import MESSAGES, flag_text, message
from recommender.io import write_results
from recommender.results import GoalDecision, GovernmentMatch, Recommendation, RowError, ScoredProposal
from recommender.ui import (
    FontMissing,
    budget_text,
    call_documents,
    error_text,
    fallback_font,
    fit_view,
    install_web_fonts,
    korean_font,
    map_deck,
    sniff,
    summary_pdf,
    upload_problem,
)

PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


def _result() -> Recommendation:
    goals = tuple(GoalDecision(g, g == 6, 0.8 if g == 6 else 0.1) for g in range(1, 18))
    lg = GovernmentMatch("11", "Seoul", "서울특별시", "upper", 0.5, "이유", {}, None, 37.5, 127.0)
    return Recommendation(goals, (), (), (lg,), "ko", "LA", None, 1)


def test_every_message_has_both_languages():
    assert all(set(texts) == {"ko", "en"} for texts in MESSAGES.values())


def test_flags_read_as_words():
    assert flag_text("low_sdg11_alignment", "ko") == "SDG 11 연관성 낮음"
    assert flag_text("near_duplicate_of:P2", "en") == "near duplicate of P2"
    assert flag_text("something_new:x", "ko") == "기타 검토 표시 (something_new)"


def test_known_errors_are_translated_and_others_keep_their_detail():
    shown = error_text("partner country 'Atlantis' is not known: expected an ISO 3166 code", "ko")
    assert shown.text.startswith("협력국 'Atlantis'") and not shown.detail
    assert error_text("p.hwp: the .hwp is password-protected (암호가 걸린 문서)", "en").text.startswith("The .hwp is")
    other = error_text("something unexpected", "ko")
    assert other.text == message("err.other", "ko") and other.detail == "something unexpected"


def test_file_kinds_by_their_first_bytes():
    assert sniff(PNG) == "png" and sniff(b"%PDF-1.7") == "pdf" and sniff("번호,사업내용".encode("cp949")) == "text"
    assert upload_problem(PNG, "call.csv", "ko") == "call.csv: 이 파일은 이미지(PNG)이며 CSV 파일이 아닙니다."
    assert upload_problem(PNG, "p.pdf", "en") == "p.pdf: this is an image (PNG), not a PDF file."
    assert upload_problem(b"%PDF-1.4", "p.pdf", "ko") is None
    assert "20 MB" in upload_problem(bytes(21 * 2**20), "big.csv", "ko", 20 * 2**20)


def test_a_zip_bomb_among_documents_is_refused():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("bomb.txt", b"a" * (30 * 2**20))
    frame, errors = call_documents([("call.zip", archive.getvalue())], "ko")
    assert frame.empty and len(errors) == 1 and "압축 폭탄" in errors[0].reason


def test_budget_text():
    assert budget_text(3e8, "ko") == "3억 원" and budget_text(5e10, "en") == "50,000,000,000 KRW"
    assert budget_text(9.9e13, "ko") == "99조 원"  # not 990,000억 원
    assert budget_text(None, "ko") == "" and budget_text(float("nan"), "en") == ""


def test_the_map_shows_every_point_on_a_shipped_base_layer():
    points = [
        {"lat": 13.1, "lon": 103.2, "name": "Battambang", "color": [1, 2, 3], "radius": 1},
        {"lat": 37.5, "lon": 127.0, "name": "서울", "color": [1, 2, 3], "radius": 1},
    ]
    view = fit_view(points)
    assert 13.1 < view["latitude"] < 37.5 and 103.2 < view["longitude"] < 127.0 and 2 < view["zoom"] < 6
    deck = map_deck(points)
    spec = deck.to_json()
    assert '"countries"' in spec and '"korea"' in spec and "Battambang" in spec
    assert deck.map_provider is None  # no tiles from the internet
    # pydeck's "no style" marker: Streamlit then draws no base map (with no style at all, it would
    # fetch a public Carto style)
    assert '"mapStyle": "__MAP_STYLE__"' in spec


def test_the_pdf_summary_embeds_a_korean_font():
    pdf = summary_pdf("락사오 상수도", "라오스 락사오 지역 상수도 보급", _result(), "ko")
    assert pdf.startswith(b"%PDF") and b"NanumGothic" in pdf


def test_the_pdf_fonts_come_from_installed_packages_not_the_system():
    for path in (korean_font(), korean_font(bold=True), fallback_font(), fallback_font(bold=True)):
        assert "site-packages" in path.parts and not str(path).startswith("/usr/share/fonts"), path


def test_the_pdf_renders_vietnamese_and_other_latin_letters_with_the_fallback_font():
    from pypdf import PdfReader

    title, text = "Huế 상수도", "베트남 Thừa Thiên Huế성 Đà Nẵng, Hội An; São Tomé, Curaçao, Ñuñoa 상수도 보급"
    pdf = summary_pdf(title, text, _result(), "ko")
    assert b"NanumGothic" in pdf and b"DejaVuSans" in pdf
    extracted = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for word in ("Huế", "Thừa", "Đà", "Nẵng", "Hội", "São", "Curaçao", "Ñuñoa", "상수도"):
        assert word in extracted, word


def test_the_web_fonts_are_written_without_the_table_browsers_refuse(tmp_path):
    from fontTools.ttLib import TTFont

    static = tmp_path / "static"
    install_web_fonts(static)
    for name, bold in (("NanumGothic.ttf", False), ("NanumGothicBold.ttf", True)):
        written, packaged = TTFont(static / name), TTFont(korean_font(bold))
        # the package's font carries an empty TSI3 (Chromium: "OTS parsing error: TSI3: zero-length table");
        # the served one has no TSI table and every other table, and still draws Hangul
        assert packaged.reader.tables["TSI3"].length == 0
        assert not [t for t in written.keys() if t.startswith("TSI")]
        assert set(written.keys()) == {t for t in packaged.keys() if not t.startswith("TSI")}
        assert ord("상") in written.getBestCmap()
    kept = (static / "NanumGothic.ttf").stat().st_mtime_ns
    install_web_fonts(static)  # a copy newer than the package's is kept
    assert (static / "NanumGothic.ttf").stat().st_mtime_ns == kept
    assert not list(static.glob("*.part"))


def test_a_broken_install_is_told_in_the_page_language_without_commands(monkeypatch):
    import re

    monkeypatch.setattr("importlib.util.find_spec", lambda name, *args: None)
    with pytest.raises(FontMissing):
        korean_font()
    for lang in ("ko", "en"):
        text = message("ui.pdf_font_missing", lang)
        assert not re.search(r"apt|pip |fonts-|install [a-z]|`", text), text
    assert re.search("[가-힣]", message("ui.pdf_font_missing", "ko"))


def test_workbook_in_korean_and_the_machine_workbook_unchanged():
    results = [ScoredProposal("P1", 2, _result(), ("low_sdg11_alignment",))]
    errors = [RowError(3, "P2", "사업 내용이 비어 있습니다")]
    korean, plain = io.BytesIO(), io.BytesIO()
    write_results(results, errors, korean, fmt="xlsx", lang="ko")
    write_results(results, errors, plain, fmt="xlsx")
    book = load_workbook(korean)
    assert book.sheetnames == ["요약", "SDG 세부목표", "선례", "지방정부", "공동 추진 제안", "제외된 행"]
    header = [c.value for c in book["요약"][1]]
    assert header[:2] == ["번호", "사업명"] and "검토 표시" in header
    row = dict(zip(header, [c.value for c in book["요약"][2]]))
    assert row["검토 표시"] == "SDG 11 연관성 낮음" and row["추천 지방정부"] == "서울특별시"
    rejected = dict(zip(header, [c.value for c in book["요약"][3]]))  # the rejected row, with its reason in view
    assert rejected["번호"] == "P2" and rejected["검토 표시"] == "제외: 사업 내용이 비어 있습니다"
    assert [c.value for c in book["제외된 행"][1]] == ["행", "번호", "근거"]
    book = load_workbook(plain)
    assert book.sheetnames == ["summary", "sdg_targets", "precedents", "local_governments", "teams", "errors"]
    assert [c.value for c in book["summary"][1]][:2] == ["id", "row"]
    assert [c.value for c in book["summary"][2]][-1] == "low_sdg11_alignment"
