"""Text out of an uploaded proposal document: .txt, .pdf, .docx and .hwpx (Hangul's open format).

Uploaded files are untrusted: archives are checked for size and compression ratio before anything
is decompressed (zip bombs), XML is parsed with defusedxml (no entity expansion, no external
entities), and nothing in a document is ever executed.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from .errors import InputError

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_MEMBER_RATIO = 100  # a member that expands more than this is treated as a bomb
MAX_PDF_PAGES = 200
SUFFIXES = (".txt", ".pdf", ".docx", ".hwpx")


def _check_zip(archive: zipfile.ZipFile, name: str) -> None:
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if info.compress_size and info.file_size / info.compress_size > MAX_MEMBER_RATIO and info.file_size > 1 << 20:
            raise InputError(
                f"{name}: member {info.filename!r} expands {info.file_size // info.compress_size}-fold "
                "(a zip bomb?); the file is refused"
            )
        if total > MAX_UNPACKED_BYTES:
            raise InputError(f"{name}: unpacks to more than {MAX_UNPACKED_BYTES // 2**20} MB; the file is refused")


def _xml_text(data: bytes, name: str, paragraph_tags: tuple[str, ...], text_tags: tuple[str, ...]) -> str:
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    try:
        root = ElementTree.fromstring(data)
    except DefusedXmlException as exc:
        raise InputError(
            f"{name}: the document's XML declares entities or external references ({type(exc).__name__}),"
            " which are refused; save it again from the word processor"
        ) from exc
    except ElementTree.ParseError as exc:
        raise InputError(f"{name}: the document's XML is damaged ({exc})") from exc
    paragraphs = []
    for element in root.iter():
        if element.tag.rsplit("}", 1)[-1] in paragraph_tags:
            text = "".join(t.text or "" for t in element.iter() if t.tag.rsplit("}", 1)[-1] in text_tags)
            if text.strip():
                paragraphs.append(text.strip())
    return "\n".join(paragraphs)


def _zip_members(data: bytes, name: str) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise InputError(f"{name}: not a valid {Path(name).suffix} file (damaged, truncated or renamed)") from exc
    _check_zip(archive, name)
    return archive


def _docx(data: bytes, name: str) -> str:
    archive = _zip_members(data, name)
    try:
        xml = archive.read("word/document.xml")
    except KeyError:
        raise InputError(f"{name}: no word/document.xml inside; is it really a .docx?") from None
    return _xml_text(xml, name, ("p",), ("t",))


def _hwpx(data: bytes, name: str) -> str:
    archive = _zip_members(data, name)
    sections = sorted(
        (n for n in archive.namelist() if re.fullmatch(r"Contents/section\d+\.xml", n)),
        key=lambda n: int(re.search(r"\d+", n).group()),
    )
    if not sections:
        raise InputError(f"{name}: no Contents/section*.xml inside; is it really a .hwpx?")
    return "\n".join(_xml_text(archive.read(s), name, ("p",), ("t",)) for s in sections)


def _pdf(data: bytes, name: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = reader.pages[:MAX_PDF_PAGES]
        text = "\n".join((page.extract_text() or "") for page in pages)
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{name}: the PDF cannot be read ({type(exc).__name__}: {exc})") from exc
    if not re.search(r"[^\W\d_]", text):
        raise InputError(f"{name}: the PDF has no text layer (a scan?); run OCR on it or paste the text instead")
    return text


def _txt(data: bytes, name: str) -> str:
    from .io import decode_text

    return decode_text(data, name)


def extract_text(data: bytes, name: str) -> str:
    """The document's text; InputError says what is wrong with an unusable file."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(f"{name}: documents must be {', '.join(SUFFIXES)}; received {suffix or 'no extension'}")
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"{name}: {len(data) / 2**20:.1f} MB is over the {MAX_FILE_BYTES // 2**20} MB limit")
    text = {".txt": _txt, ".pdf": _pdf, ".docx": _docx, ".hwpx": _hwpx}[suffix](data, name)
    text = re.sub(r"[ \t]+", " ", text).strip()
    if not text:
        raise InputError(f"{name}: no text found in the document")
    return text
