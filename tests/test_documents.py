"""Uploaded documents: text comes out of good files; bombs, entities and scans are refused clearly."""

import io
import random
import re
import struct
import zipfile
from pathlib import Path

import pytest
from hwp_builder import (
    DISTRIBUTION,
    PARA_HEADER,
    PARA_TEXT,
    deflate,
    hwp,
    paragraph,
    record,
)

from recommender.documents import (
    MAX_TITLE_CHARS,
    MAX_UNPACKED_BYTES,
    extract_text,
    inflate_bounded,
    split_title,
    title_and_body,
)
from recommender.errors import InputError

FIXTURES = Path(__file__).parent / "fixtures"
ANTHEM_FIRST = "동해 물과 백두산이 마르고 닳도록"
ANTHEM_LAST = "길이 보전하세"

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx(body: str) -> bytes:
    return zipped({"word/document.xml": f'<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'.encode()})


def test_text_files_in_utf8_and_cp949():
    assert extract_text("라오스 상수도 사업".encode(), "a.txt") == "라오스 상수도 사업"
    assert extract_text("라오스 상수도 사업".encode("cp949"), "a.txt") == "라오스 상수도 사업"


def test_docx_paragraphs():
    body = (
        "<w:p><w:r><w:t>캄보디아 소방차 </w:t></w:r><w:r><w:t>지원</w:t></w:r></w:p>"
        "<w:p><w:r><w:t>2단계</w:t></w:r></w:p>"
    )
    assert extract_text(docx(body), "p.docx") == "캄보디아 소방차 지원\n2단계"


def test_hwpx_sections_in_order():
    ns = "http://www.hancom.co.kr/hwpml/2011/paragraph"

    def section(text):
        return (
            f'<hs:sec xmlns:hp="{ns}" xmlns:hs="x"><hp:p><hp:run><hp:t>{text}</hp:t></hp:run></hp:p></hs:sec>'.encode()
        )

    data = zipped(
        {
            "Contents/section1.xml": section("둘째"),
            "Contents/section0.xml": section("첫째"),
            "mimetype": b"application/hwp+zip",
        }
    )
    assert extract_text(data, "p.hwpx") == "첫째\n둘째"


def test_zip_bomb_is_refused():
    with pytest.raises(InputError, match="zip bomb"):
        extract_text(zipped({"word/document.xml": b"\0" * (60 * 1024 * 1024)}), "bomb.docx")


def test_entity_expansion_is_refused():
    laughs = (
        f'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;">]>'
        f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>'
    )
    with pytest.raises(InputError, match="entities"):
        extract_text(zipped({"word/document.xml": laughs.encode()}), "laughs.docx")


def test_renamed_or_truncated_files_are_named():
    with pytest.raises(InputError, match="not a valid .docx"):
        extract_text(b"PK\x03\x04 truncated", "cut.docx")
    with pytest.raises(InputError, match="no word/document.xml"):
        extract_text(zipped({"xl/workbook.xml": b"<x/>"}), "renamed.docx")
    with pytest.raises(InputError, match=r"must be .txt, .pdf, .docx, .hwpx, .hwp; received .doc"):
        extract_text(b"x", "proposal.doc")


def _pdf(stream: bytes) -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def test_pdf_with_and_without_a_text_layer():
    text = extract_text(_pdf(b"BT /F1 12 Tf 20 100 Td (Water supply for Lak Sao) Tj ET"), "p.pdf")
    assert "Water supply for Lak Sao" in text
    with pytest.raises(InputError, match="no text layer"):
        extract_text(_pdf(b"0 0 m 100 100 l S"), "scan.pdf")


# --- .hwp (HWP 5.0) -----------------------------------------------------------------------------------------------


def test_real_hwp_gives_its_text():
    text = extract_text((FIXTURES / "sample_document.hwp").read_bytes(), "sample_document.hwp")
    lines = text.splitlines()
    assert lines[0] == ANTHEM_FIRST and lines[-1] == ANTHEM_LAST and "무궁화 삼천리" in lines
    assert text.replace("\n\n", "\n") == extract_text((FIXTURES / "sample_document.hwpx").read_bytes(), "s.hwpx")


def test_built_hwp_sections_in_order_compressed_or_not():
    sections = [["라오스 상수도 사업", "Water supply for Lak Sao"], ["둘째 구역"]]
    expected = "라오스 상수도 사업\nWater supply for Lak Sao\n둘째 구역"
    assert extract_text(hwp(sections), "built.hwp") == expected
    assert extract_text(hwp(sections, flags=0), "plain.hwp") == expected


def test_password_protected_hwp_says_so():
    with pytest.raises(
        InputError,
        match=r"protected_document.hwp: the .hwp is password-protected .*remove the "
        r"document password",
    ):
        extract_text((FIXTURES / "protected_document.hwp").read_bytes(), "protected_document.hwp")


def test_distribution_document_says_so():
    with pytest.raises(InputError, match=r"a distribution document \(배포용 문서\).*original file"):
        extract_text(hwp([["본문"]], flags=1 | DISTRIBUTION), "dist.hwp")
    with pytest.raises(InputError, match=r"distribution document"):  # flag cleared, but the body is in ViewText
        extract_text(hwp([["본문"]], extra={"ViewText/Section0": b"\x01" * 300}), "view.hwp")


@pytest.mark.parametrize(
    "data, message",
    [
        (
            random.Random(1).randbytes(5000),
            r"not a valid .hwp file \(expected an HWP 5.0 compound document, received 5,000 bytes",
        ),
        ((FIXTURES / "sample_document.hwp").read_bytes()[:3000], r"damaged or truncated \(incorrect OLE FAT"),
        (b"HWP Document File V3.00 \x1a\x01\x02\x03\x04\x05" + b"\0" * 100, r"HWP 3.x file .*save it as .hwp or .hwpx"),
        (zipped({"mimetype": b"application/hwp+zip"}), r"zip archive, not an HWP 5.0 file; .*rename it to .hwpx"),
        (
            hwp([["본문"]], extra={"BodyText/Section0": b"not deflate at all" * 20}),
            r"BodyText/Section0 stream of the .hwp is damaged or truncated \(it does not decompress\); "
            r"open it in Hangul",
        ),
        (hwp(bodies=[paragraph("잘린 문단")[:-6]]), r"ends inside a record \(damaged\)"),
        (
            hwp(bodies=[record(PARA_TEXT, "홀수".encode("utf-16-le") + b"\0", 1)]),
            r"a paragraph in BodyText/Section0 of the .hwp ends in half a character \(damaged\)",
        ),
        (
            hwp([["본문"], ["둘째"]], extra={"DocInfo": deflate(record(16, b"\1" + b"\0" * 25))}),
            r"DocInfo declares 1 sections but it holds BodyText/Section0, BodyText/Section1 \(damaged or incomplete\)",
        ),
    ],
)
def test_damaged_or_foreign_hwp_is_named(data, message):
    with pytest.raises(InputError, match=message):
        extract_text(data, "bad.hwp")


def test_every_truncation_of_a_real_hwp_is_refused_clearly():
    data = (FIXTURES / "sample_document.hwp").read_bytes()
    whole = extract_text(data, "whole.hwp")
    for size in range(0, len(data), 509):
        try:  # the last sectors hold the preview image, which is never read: the text is then complete
            assert extract_text(data[:size], "cut.hwp") == whole and size > len(data) - 512
        except InputError as exc:
            assert re.search(r"damaged|truncated|not a valid .hwp", str(exc)), str(exc)


def test_compound_file_that_is_not_hwp():
    from hwp_builder import compound_file

    with pytest.raises(InputError, match=r"a compound document but not an HWP one"):
        extract_text(compound_file({"WordDocument": b"\0" * 5000, "1Table": b"\0" * 600}), "renamed.hwp")


def test_hwp_without_text():
    no_text = record(PARA_HEADER, b"\0" * 12) * 3  # paragraphs without PARA_TEXT records (a page of drawings)
    with pytest.raises(InputError, match=r"no paragraphs of text .*Paste the text instead"):
        extract_text(hwp(bodies=[no_text]), "empty.hwp")
    # what Hangul writes for an empty page: a paragraph holding only the section and column definitions
    controls = b"".join(
        struct.pack("<H", code) + ctrl + b"\0" * 8 + struct.pack("<H", code)
        for code, ctrl in ((2, b"dces"), (2, b"dloc"))
    ) + struct.pack("<H", 13)
    with pytest.raises(InputError, match=r"no text found in the .hwp .*Paste the text instead"):
        extract_text(hwp(bodies=[record(PARA_HEADER, b"\0" * 12) + record(PARA_TEXT, controls, 1)]), "blank.hwp")


def test_hwp_decompression_bomb_is_refused():
    # 60 MB of zeros deflate to about 60 KB: over the total cap, and far over the ratio
    with pytest.raises(InputError, match=r"BodyText/Section0 stream expands .*decompression bomb"):
        extract_text(hwp(bodies=[b"\0" * (60 * 2**20)]), "bomb.hwp")
    # the cap alone: incompressible bytes are never a ratio bomb, but the budget still stops them
    noise = random.Random(2).randbytes(3 * 2**20)
    assert inflate_bounded(deflate(noise), "n.hwp", "s", len(noise)) == noise
    with pytest.raises(InputError, match=r"expands past the 50 MB"):
        inflate_bounded(deflate(noise), "n.hwp", "s", len(noise) - 1)
    with pytest.raises(InputError, match=r"expands more than 100-fold"):
        inflate_bounded(deflate(b"\0" * (2 * 2**20)), "n.hwp", "s", MAX_UNPACKED_BYTES)


# --- title and body ------------------------------------------------------------------------------------------------


def test_split_title():
    assert split_title("제목\n\n첫 문단\n둘째 문단") == ("제목", "첫 문단\n둘째 문단")
    assert split_title("  한 줄뿐인 제안서  \n") == ("한 줄뿐인 제안서", "한 줄뿐인 제안서")
    assert split_title("## Water supply\nbody") == ("Water supply", "body")
    assert split_title("머리말\n진짜 제목\n본문", heading="진짜  제목") == ("진짜 제목", "머리말\n본문")
    long = "소방차 " * 100
    title, body = split_title(long + "\n본문")
    assert len(title) <= MAX_TITLE_CHARS and title.endswith("…") and title.startswith("소방차 소방차")
    assert body == long.strip() + "\n본문"  # the title was shortened, so the body keeps the whole text
    with pytest.raises(InputError, match="no text"):
        split_title(" \n ")


def test_title_and_body_of_each_format():
    assert title_and_body("라오스 상수도 사업\n비엔티안 급수 확대".encode("cp949"), "a.txt") == (
        "라오스 상수도 사업",
        "비엔티안 급수 확대",
    )
    assert title_and_body("대외비\n# 캄보디아 소방차 지원\n2단계".encode(), "b.txt") == (
        "캄보디아 소방차 지원",
        "대외비\n2단계",
    )

    styles = zipped(
        {
            "word/styles.xml": f'<w:styles xmlns:w="{W}"><w:style w:styleId="1"><w:name w:val="heading 1"/>'
            f"</w:style></w:styles>".encode()
        }
    )
    body = (
        '<w:p><w:r><w:t>초안</w:t></w:r></w:p><w:p><w:pPr><w:pStyle w:val="1"/></w:pPr><w:r><w:t>캄보디아 소방차 '
        "</w:t></w:r><w:r><w:t>지원</w:t></w:r></w:p><w:p><w:r><w:t>2단계</w:t></w:r></w:p>"
    )
    document = f'<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'.encode()
    with zipfile.ZipFile(io.BytesIO(styles)) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    assert title_and_body(zipped({**members, "word/document.xml": document}), "c.docx") == (
        "캄보디아 소방차 지원",
        "초안\n2단계",
    )
    assert title_and_body(docx(body.replace('<w:pPr><w:pStyle w:val="1"/></w:pPr>', "")), "d.docx") == (
        "초안",
        "캄보디아 소방차 지원\n2단계",
    )

    for name in ("sample_document.hwp", "sample_document.hwpx"):  # real files from Hangul, no heading styles
        title, rest = title_and_body((FIXTURES / name).read_bytes(), name)
        assert title == ANTHEM_FIRST and rest.startswith("하느님이 보우하사") and rest.endswith(ANTHEM_LAST)

    ns = "http://www.hancom.co.kr/hwpml/2011/paragraph"
    header = (
        '<hh:head xmlns:hh="h"><hh:styles><hh:style id="0" name="바탕글" engName="Normal"/>'
        '<hh:style id="2" name="개요 1" engName="Outline 1"/></hh:styles></hh:head>'
    ).encode()
    paragraphs = "".join(
        f'<hp:p styleIDRef="{style}"><hp:run><hp:t>{text}</hp:t></hp:run></hp:p>'
        for style, text in [(0, "붙임 1"), (2, "몽골 울란바토르 대기질 개선"), (0, "본문")]
    )
    section = f'<hs:sec xmlns:hp="{ns}" xmlns:hs="x">{paragraphs}</hs:sec>'.encode()
    assert title_and_body(zipped({"Contents/header.xml": header, "Contents/section0.xml": section}), "e.hwpx") == (
        "몽골 울란바토르 대기질 개선",
        "붙임 1\n본문",
    )

    pdf = _pdf(b"BT /F1 12 Tf 20 150 Td (Water supply for Lak Sao) Tj 0 -20 Td (Phase two) Tj ET")
    assert title_and_body(pdf, "f.pdf") == ("Water supply for Lak Sao", "Phase two")
    assert title_and_body(hwp([["몽골 대기질", "1단계"], ["2단계"]]), "g.hwp") == ("몽골 대기질", "1단계\n2단계")
    with pytest.raises(InputError, match="password-protected"):
        title_and_body((FIXTURES / "protected_document.hwp").read_bytes(), "p.hwp")
