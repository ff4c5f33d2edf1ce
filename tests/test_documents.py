"""Uploaded documents: text comes out of good files; bombs, entities and scans are refused clearly."""

import io
import zipfile

import pytest

from recommender.documents import extract_text
from recommender.errors import InputError

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
    body = "<w:p><w:r><w:t>캄보디아 소방차 </w:t></w:r><w:r><w:t>지원</w:t></w:r></w:p><w:p><w:r><w:t>2단계</w:t></w:r></w:p>"
    assert extract_text(docx(body), "p.docx") == "캄보디아 소방차 지원\n2단계"


def test_hwpx_sections_in_order():
    ns = "http://www.hancom.co.kr/hwpml/2011/paragraph"
    section = lambda text: (
        f'<hs:sec xmlns:hp="{ns}" xmlns:hs="x"><hp:p><hp:run><hp:t>{text}</hp:t></hp:run></hp:p></hs:sec>'.encode()
    )  # noqa: E731
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
    with pytest.raises(InputError, match="must be .txt, .pdf, .docx, .hwpx"):
        extract_text(b"x", "proposal.hwp")


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
