"""Text out of an uploaded proposal document: .txt, .pdf, .docx, .hwpx (Hangul's open format) and .hwp
(Hangul's binary HWP 5.0 format).

Uploaded files are untrusted: archives are checked for size and compression ratio before anything
is decompressed (zip bombs), XML is parsed with defusedxml (no entity expansion, no external
entities), the zlib streams of an .hwp are inflated in bounded steps under the same caps, and
nothing in a document is ever executed (an .hwp's Scripts streams are never read).
"""

from __future__ import annotations

import errno
import io
import logging
import os
import re
import struct
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

from .errors import InputError

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_MEMBER_RATIO = 100  # a member that expands more than this is treated as a bomb
MAX_PDF_PAGES = 200
MAX_TITLE_CHARS = 200
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
SUFFIXES = (".txt", ".pdf", ".docx", ".hwpx", ".hwp")


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


def check_archive(archive: zipfile.ZipFile, name: str) -> None:
    """The zip-bomb checks every archive passes before anything in it is decompressed (also used for
    a .zip of documents uploaded as a call)."""
    _check_zip(archive, name)


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
    # a paragraph's own text only: a table or text box inside it holds paragraphs of its own, each read once
    paragraphs: list[list[str]] = []
    stack: list[tuple[object, list[str] | None]] = [(root, None)]
    while stack:
        element, own = stack.pop()
        local = element.tag.rsplit("}", 1)[-1]
        if local in paragraph_tags:
            own = []
            paragraphs.append(own)
        elif local in text_tags and own is not None:
            own.append(element.text or "")
        stack.extend((child, own) for child in reversed(element))
    return "\n".join(text for text in ("".join(p).strip() for p in paragraphs) if text)


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
    from pypdf import PasswordType, PdfReader

    reader = PdfReader(io.BytesIO(data))
    # A "restricted" PDF is encrypted with an empty user password: every viewer opens it without asking, so
    # its text is read the same way (AES needs the cryptography package, a dependency).
    if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
        raise InputError(
            f"{name}: the PDF is encrypted with a password (password-protected), so its text cannot be read; save "
            "a copy without the password, or paste the text instead"
        )
    text = "\n".join((page.extract_text() or "") for page in reader.pages[:MAX_PDF_PAGES])
    if not re.search(r"[^\W\d_]", text):
        raise InputError(f"{name}: the PDF has no text layer (a scan?); run OCR on it or paste the text instead")
    return text


# HWP 5.0: an OLE compound file. FileHeader (256 bytes) holds the signature, the version and the property flags;
# DocInfo and BodyText/Section0, Section1, ... are sequences of tagged records, zlib-compressed (raw deflate) when
# flag bit 0 is set. The text is in the PARA_TEXT records; extract-hwp decodes them (its control-character table,
# section-count check and surrogate handling), after the checks below have classified and bounded the file.
_HWP_SIGNATURE = b"HWP Document File"
_HWP_COMPRESSED, _HWP_PASSWORD, _HWP_DISTRIBUTION, _HWP_DRM = 1 << 0, 1 << 1, 1 << 2, 1 << 4
_HWP_CERTIFICATE_ENCRYPTED, _HWP_CERTIFICATE_DRM = 1 << 8, 1 << 10
_HWP_PARA_TEXT, _HWP_DOCUMENT_PROPERTIES = 67, 16
_HWP_RESAVE = "open it in Hangul and save it again (as .hwp or .hwpx), or paste the text instead"
_INFLATE_STEP = 1 << 20


def inflate_bounded(raw: bytes, name: str, stream: str, budget: int) -> bytes:
    """`raw` (a zlib or raw-deflate stream) decompressed, at most `budget` bytes and at most MAX_MEMBER_RATIO-fold
    beyond 1 MB, decompressing 1 MB at a time so a bomb is refused before it is expanded; InputError otherwise."""
    for wbits in (-15, 15):  # Hangul writes raw deflate; some other producers write zlib-wrapped streams
        inflater, chunks, produced, tail = zlib.decompressobj(wbits), [], 0, raw
        try:
            while not inflater.eof:
                chunk = inflater.decompress(tail, _INFLATE_STEP)
                tail = inflater.unconsumed_tail
                produced += len(chunk)
                if produced > budget:
                    raise InputError(
                        f"{name}: the {stream} stream expands past the {MAX_UNPACKED_BYTES // 2**20} MB "
                        "the document may unpack to (a decompression bomb?); the file is refused"
                    )
                if produced > 1 << 20 and produced > MAX_MEMBER_RATIO * len(raw):
                    raise InputError(
                        f"{name}: the {stream} stream expands more than {MAX_MEMBER_RATIO}-fold "
                        "(a decompression bomb?); the file is refused"
                    )
                chunks.append(chunk)
                if not chunk and not tail:
                    break
        except zlib.error:
            continue
        if inflater.eof:
            return b"".join(chunks)
    raise InputError(
        f"{name}: the {stream} stream of the .hwp is damaged or truncated (it does not decompress); " + _HWP_RESAVE
    )


def _hwp_records(data: bytes, name: str, stream: str) -> list[tuple[int, int, int]]:
    """(tag, payload offset, payload size) of each record; InputError if one runs past the end (damaged)."""
    records, offset = [], 0
    while offset < len(data):
        if offset + 4 > len(data):
            raise InputError(f"{name}: the {stream} stream of the .hwp ends inside a record (damaged); " + _HWP_RESAVE)
        word = struct.unpack_from("<I", data, offset)[0]
        tag, size, offset = word & 0x3FF, word >> 20, offset + 4
        if size == 0xFFF and offset + 4 <= len(data):
            size, offset = struct.unpack_from("<I", data, offset)[0], offset + 4
        if offset + size > len(data):
            raise InputError(f"{name}: the {stream} stream of the .hwp ends inside a record (damaged); " + _HWP_RESAVE)
        records.append((tag, offset, size))
        offset += size
    return records


def _hwp_not_ole(data: bytes, name: str) -> InputError:
    if data.startswith(b"HWP Document File V"):
        return InputError(
            f"{name}: an HWP 3.x file (Hangul 97 or older); expected HWP 5.0 (Hangul 2002 or later). "
            "Open it in Hangul and save it as .hwp or .hwpx, or paste the text instead"
        )
    if data.startswith(b"PK\x03\x04"):
        return InputError(f"{name}: this is a zip archive, not an HWP 5.0 file; if it is an .hwpx, rename it to .hwpx")
    return InputError(
        f"{name}: not a valid .hwp file (expected an HWP 5.0 compound document, received "
        f"{len(data):,} bytes that are not one: damaged, truncated or renamed); " + _HWP_RESAVE
    )


def _hwp_check(data: bytes, name: str) -> None:
    """Classifies and bounds an .hwp before its text is decoded: InputError for anything but an unprotected,
    undamaged HWP 5.x file whose DocInfo and BodyText streams unpack to at most MAX_UNPACKED_BYTES."""
    import olefile

    if not olefile.isOleFile(data=data):
        raise _hwp_not_ole(data, name)
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception as exc:  # olefile raises OSError mostly, but struct/index errors on some malformed headers
        raise InputError(
            f"{name}: the .hwp's compound-file structure is damaged ({type(exc).__name__}: {exc}); " + _HWP_RESAVE
        ) from exc
    with ole:

        def read(stream: str) -> bytes:
            if ole.get_size(stream) > len(data):
                raise InputError(
                    f"{name}: the .hwp declares a {stream} stream larger than the file (damaged); " + _HWP_RESAVE
                )
            try:
                with ole.openstream(stream) as handle:
                    content = handle.read()
            except Exception as exc:
                raise InputError(
                    f"{name}: the {stream} stream of the .hwp cannot be read ({type(exc).__name__}: "
                    f"{exc}); " + _HWP_RESAVE
                ) from exc
            if len(content) != ole.get_size(stream):  # olefile returns what sectors there are of a cut-off file
                raise InputError(
                    f"{name}: the .hwp is damaged or truncated (its {stream} stream has "
                    f"{len(content):,} of {ole.get_size(stream):,} bytes); " + _HWP_RESAVE
                )
            return content

        names = ["/".join(entry) for entry in ole.listdir()]
        if ole.parsing_issues and not ({"FileHeader", "DocInfo", "BodyText/Section0"} <= set(names)):
            raise InputError(
                f"{name}: the .hwp is damaged or truncated ({ole.parsing_issues[0][1]}; "
                f"{len(data):,} bytes); " + _HWP_RESAVE
            )
        if (
            "FileHeader" not in names
            or ole.get_size("FileHeader") != 256
            or not (header := read("FileHeader")).startswith(_HWP_SIGNATURE)
        ):
            raise InputError(
                f"{name}: a compound document but not an HWP one (no valid FileHeader; a renamed .doc, "
                ".xls or .msg?); expected an HWP 5.0 file from Hangul"
            )
        version, flags = header[32:36][::-1], struct.unpack_from("<I", header, 36)[0]
        if version[0] != 5:
            raise InputError(
                f"{name}: HWP version {'.'.join(map(str, version))}; expected HWP 5.x. "
                "Open it in Hangul and save it as .hwp or .hwpx, or paste the text instead"
            )
        if flags & _HWP_PASSWORD:
            raise InputError(
                f"{name}: the .hwp is password-protected (암호가 걸린 문서), so its text cannot be read; "
                "expected an unprotected document. Open it in Hangul, remove the document password, "
                "save it and upload it again, or paste the text instead"
            )
        if flags & _HWP_DISTRIBUTION or any(n.startswith("ViewText/") for n in names):
            raise InputError(
                f"{name}: a distribution document (배포용 문서), whose text is encrypted for viewing "
                "only; expected an ordinary .hwp. Ask its author for the original file, or paste the "
                "text instead"
            )
        if flags & (_HWP_DRM | _HWP_CERTIFICATE_ENCRYPTED | _HWP_CERTIFICATE_DRM):
            raise InputError(
                f"{name}: the .hwp is protected by DRM or certificate encryption, so its text cannot be "
                "read; expected an unprotected document. Save an unprotected copy, or paste the text"
            )
        sections = sorted((int(m.group(1)), n) for n in names if (m := re.fullmatch(r"BodyText/Section(\d+)", n)))
        if "DocInfo" not in names or not sections:
            raise InputError(
                f"{name}: the .hwp has no {'DocInfo' if 'DocInfo' in names else 'BodyText'} stream "
                "(damaged); " + _HWP_RESAVE
            )
        budget, paragraphs, declared = MAX_UNPACKED_BYTES, 0, None
        for stream in ["DocInfo"] + [n for _, n in sections]:
            raw = read(stream)
            body = inflate_bounded(raw, name, stream, budget) if flags & _HWP_COMPRESSED else raw
            budget -= len(body)
            if budget < 0:
                raise InputError(f"{name}: unpacks to more than {MAX_UNPACKED_BYTES // 2**20} MB; the file is refused")
            for tag, offset, size in _hwp_records(body, name, stream):
                if stream == "DocInfo" and tag == _HWP_DOCUMENT_PROPERTIES and size >= 2 and declared is None:
                    declared = struct.unpack_from("<H", body, offset)[0]
                elif stream != "DocInfo" and tag == _HWP_PARA_TEXT:
                    if size % 2:
                        raise InputError(
                            f"{name}: a paragraph in {stream} of the .hwp ends in half a character "
                            "(damaged); " + _HWP_RESAVE
                        )
                    paragraphs += 1
        if declared != len(sections) or [i for i, _ in sections] != list(range(len(sections))):
            raise InputError(
                f"{name}: the .hwp's DocInfo declares {declared if declared is not None else 'no'} "
                f"sections but it holds {', '.join(n for _, n in sections)} (damaged or incomplete); " + _HWP_RESAVE
            )
    if not paragraphs:
        raise InputError(
            f"{name}: the .hwp has no paragraphs of text (an empty document, or only images or "
            "drawings); expected a document with text. Paste the text instead"
        )


def _hwp(data: bytes, name: str) -> str:
    from extract_hwp import HwpReadLimitError, extract_text_from_hwp5

    _hwp_check(data, name)
    # extract-hwp reads a path (its documented API); the checks above have bounded what it will unpack
    with tempfile.TemporaryDirectory(prefix="recommender-hwp-") as folder:
        path = Path(folder) / "upload.hwp"
        path.write_bytes(data)
        try:
            text = extract_text_from_hwp5(str(path))
        except HwpReadLimitError as exc:
            raise InputError(
                f"{name}: the .hwp unpacks past the reader's limit (a decompression bomb?); the file is refused"
            ) from exc
    if not text.strip():  # only controls (tables without text, section settings), or records extract-hwp refused
        raise InputError(
            f"{name}: no text found in the .hwp (its paragraphs hold only tables, pictures or "
            "other objects without text); expected a document with text. Paste the text instead"
        )
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
    reader = {".txt": _txt, ".pdf": _pdf, ".docx": _docx, ".hwpx": _hwpx, ".hwp": _hwp}[suffix]
    try:
        text = reader(data, name)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf, extract-hwp, zipfile... fail in ways of their own (an
        # unsupported filter, a JBIG2 scan, a recursion): the file is reported, never the whole call lost
        raise InputError(
            f"{name}: the {suffix} file cannot be read ({type(exc).__name__}: {str(exc)[:200]}); save it again "
            "from the program that made it, or paste the text instead"
        ) from exc
    text = re.sub(r"[ \t]+", " ", text).strip()
    if not text:
        raise InputError(f"{name}: no text found in the document")
    return text


_HEADING_STYLE = re.compile(r"title|heading ?[1-9]|outline ?[1-9]|제목|개요 ?[1-9]", re.IGNORECASE)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _parse_quietly(xml: bytes | None):
    """The XML's root, or None: a damaged styles part only costs the heading (extract_text judged the document)."""
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    try:
        return ElementTree.fromstring(xml) if xml else None
    except (DefusedXmlException, ElementTree.ParseError):
        return None


def _first_heading(xml: bytes, is_heading) -> str | None:
    """The text of the first non-empty paragraph that `is_heading(paragraph)` accepts."""
    root = _parse_quietly(xml)
    for element in root.iter() if root is not None else ():
        if _local(element.tag) == "p" and is_heading(element):
            text = "".join(t.text or "" for t in element.iter() if _local(t.tag) == "t").strip()
            if text:
                return text
    return None


def _docx_heading(data: bytes, name: str) -> str | None:
    """The first paragraph in a Title or Heading N style (the style's name from styles.xml, else its id)."""
    archive = _zip_members(data, name)
    names = archive.namelist()
    styles = {}
    root = _parse_quietly(archive.read("word/styles.xml") if "word/styles.xml" in names else None)
    for style in root.iter(f"{{{_W}}}style") if root is not None else ():
        label = style.find(f"{{{_W}}}name")
        styles[style.get(f"{{{_W}}}styleId")] = label.get(f"{{{_W}}}val", "") if label is not None else ""

    def is_heading(paragraph) -> bool:
        style = paragraph.find(f"{{{_W}}}pPr/{{{_W}}}pStyle")
        style_id = style.get(f"{{{_W}}}val", "") if style is not None else None
        return style_id is not None and bool(_HEADING_STYLE.fullmatch(styles.get(style_id) or style_id))

    return _first_heading(archive.read("word/document.xml"), is_heading)


def _hwpx_heading(data: bytes, name: str) -> str | None:
    """The first paragraph in a 제목 (title) or 개요 N (outline N) style, from the style table in
    Contents/header.xml."""
    archive = _zip_members(data, name)
    names = archive.namelist()
    root = _parse_quietly(archive.read("Contents/header.xml") if "Contents/header.xml" in names else None)
    headings = {
        style.get("id")
        for style in (root.iter() if root is not None else ())
        if _local(style.tag) == "style"
        and any(_HEADING_STYLE.fullmatch(style.get(a) or "") for a in ("name", "engName"))
    }
    for section in sorted(
        (n for n in names if re.fullmatch(r"Contents/section\d+\.xml", n)),
        key=lambda n: int(re.search(r"\d+", n).group()),
    ):
        heading = _first_heading(archive.read(section), lambda p: p.get("styleIDRef") in headings)
        if heading:
            return heading
    return None


def _shorten(line: str) -> str:
    if len(line) <= MAX_TITLE_CHARS:
        return line
    cut = line[: MAX_TITLE_CHARS - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > MAX_TITLE_CHARS // 2 else cut).rstrip() + "…"


def split_title(text: str, heading: str | None = None) -> tuple[str, str]:
    """(title, body) of a document's text: the title is `heading` (when it is one of the lines) or else the first
    non-empty line, without Markdown's leading #s, shortened to MAX_TITLE_CHARS; the body is the other lines,
    or the whole text when there is only one line or the title had to be shortened (so nothing is lost)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise InputError("the document has no text to take a title from")
    at = 0
    if heading:
        key = " ".join(heading.split())
        at = next((i for i, line in enumerate(lines) if " ".join(line.split()) == key), 0)
    line = re.sub(r"^#{1,6}\s+", "", lines[at]).strip() or lines[at]
    title = _shorten(line)
    if len(lines) == 1 or title != line:
        return title, "\n".join(lines)
    return title, "\n".join(lines[:at] + lines[at + 1 :])


def title_and_body(data: bytes, name: str) -> tuple[str, str]:
    """(title, body) of a document, for turning a folder of documents into proposal rows: the title is the first
    heading (a Title/Heading style in .docx, a 제목/개요 style in .hwpx, a Markdown '#' line in .txt) or else the
    first non-empty line, at most MAX_TITLE_CHARS long; the body is the rest (see split_title). Same checks and
    InputErrors as extract_text."""
    text = extract_text(data, name)
    suffix = Path(name).suffix.lower()
    heading = None
    try:
        if suffix == ".docx":
            heading = _docx_heading(data, name)
        elif suffix == ".hwpx":
            heading = _hwpx_heading(data, name)
    except Exception:  # noqa: BLE001 - the heading is a nicety: the text was read, the first line will do
        heading = None
    if suffix == ".txt":
        heading = next((line for line in text.splitlines() if re.match(r"#{1,6}\s+\S", line.strip())), None)
    try:
        return split_title(text, heading)
    except InputError as exc:
        raise InputError(f"{name}: {exc}") from None


# ------------------------------------------------------------------ a folder of documents as a call
META_FILE_COLUMNS = ("file", "filename", "file_name", "파일", "파일명", "name")


def _skipped(name: str) -> bool:
    """Hidden files and folders (a leading '.') and Office lock files ('~$') are not proposals."""
    return name.startswith((".", "~$"))


def folder_entries(
    folder: str | Path, recursive: bool = False, exclude: Iterable[Path] = (), *, notify: bool = True
) -> list[tuple[str, Path, str]]:
    """Every entry under a folder, accounted for: (name, path, problem) in name order, where `problem` is ''
    for a document to read and otherwise says why the entry is listed instead (a link to nothing, a link
    that loops, a link back to a folder already read, a file of another type, something that is not a
    file, a folder that cannot be opened). Names are paths under the folder when `recursive`. Hidden and
    lock files are passed over; so are subfolders without `recursive` (a notice names them), and `exclude`
    (the --meta table, the output and its errors file when they sit in the folder)."""
    folder = Path(folder)
    excluded = {os.path.realpath(p) for p in exclude}
    entries: list[tuple[str, Path, str]] = []
    subfolders: list[str] = []
    seen = {os.path.realpath(folder)}  # realpath, unlike resolve(), never raises on a loop
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            children = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError as exc:
            entries.append((str(current.relative_to(folder)), current, f"the folder cannot be opened ({exc.strerror})"))
            continue
        for child in children:
            path = Path(child.path)
            name = str(path.relative_to(folder)) if recursive else child.name
            if _skipped(child.name) or os.path.realpath(path) in excluded:
                continue
            link = f" (a link to {os.readlink(path)})" if child.is_symlink() else ""
            try:
                is_dir, is_file = child.is_dir(), child.is_file()
                exists = path.exists()
            except OSError as exc:  # ELOOP: a link whose target leads back to the link
                entries.append((name, path, f"{name}: a link that loops back on itself ({exc.strerror})"))
                continue
            if child.is_symlink() and not exists:
                loop = _link_loops(path)
                entries.append(
                    (
                        name,
                        path,
                        f"{name}{link}: " + ("the link loops back on itself" if loop else "the link points to nothing"),
                    )
                )
            elif is_dir:
                if not recursive:
                    subfolders.append(child.name)
                elif os.path.realpath(path) in seen:
                    entries.append(
                        (name, path, f"{name}{link}: leads back to a folder already read (a loop); not read twice")
                    )
                else:
                    seen.add(os.path.realpath(path))
                    pending.append(path)
            elif not is_file:
                entries.append((name, path, f"{name}: not a regular file (a device, a pipe or a socket); not read"))
            elif path.suffix.lower() not in SUFFIXES:
                entries.append(
                    (
                        name,
                        path,
                        f"{name}: not a proposal document (expected {', '.join(SUFFIXES)}; received "
                        f"{path.suffix or 'no extension'}); not read",
                    )
                )
            else:
                entries.append((name, path, ""))
    if subfolders and notify:
        log.warning(
            "%s: subfolder(s) %s not read (give --recursive to read the documents in them)",
            folder,
            ", ".join(subfolders[:5]) + (f" and {len(subfolders) - 5} more" if len(subfolders) > 5 else ""),
        )
    return sorted(entries, key=lambda entry: entry[0])


def _link_loops(path: Path) -> bool:
    try:
        path.resolve(strict=True)
    except RuntimeError:
        return True
    except OSError as exc:
        return exc.errno == errno.ELOOP
    return False


def document_files(folder: str | Path, recursive: bool = False) -> list[Path]:
    """The readable documents in a folder (and its subfolders when `recursive`), in name order."""
    return [path for _, path, problem in folder_entries(folder, recursive, notify=False) if not problem]


def _read_meta(meta: str | Path) -> dict[str, dict[str, str]]:
    """File name -> {field: value} from a side table with a file-name column and any of the usual
    columns (partner country and city, sector, budget, title)."""
    from .io import read_table
    from .table_schema import ALIASES, RESERVED

    frame = read_table(meta)
    columns = [c for c in frame.columns if c not in RESERVED]
    file_columns = [c for c in columns if str(c).strip().lower() in META_FILE_COLUMNS]
    if len(file_columns) != 1:
        raise InputError(
            f"--meta {Path(meta).name} needs exactly one file-name column (one of {list(META_FILE_COLUMNS)}); "
            f"it has columns {list(map(str, columns))}"
        )
    fields = {}
    for field_name in ("partner_country", "partner_city", "sector", "budget", "title"):
        hits = [c for c in columns if str(c).strip().lower() in ALIASES[field_name]]
        if len(hits) > 1:
            raise InputError(f"--meta {Path(meta).name}: columns {hits} could all hold the {field_name}; keep one")
        if hits:
            fields[field_name] = hits[0]
    out: dict[str, dict[str, str]] = {}
    for record in frame.to_dict("records"):
        key = str(record[file_columns[0]]).strip()
        if key:
            if key in out:
                raise InputError(f"--meta {Path(meta).name} names {key!r} twice")
            out[key] = {f: str(record.get(c, "") or "") for f, c in fields.items()}
    return out


def _nfc(name: str) -> str:
    """A file name in one Unicode form: macOS writes Hangul names decomposed (NFD), a typed table composed."""
    return unicodedata.normalize("NFC", name)


def iter_documents(
    folder: str | Path,
    *,
    recursive: bool = False,
    meta: str | Path | None = None,
    chunk_rows: int = 64,
    exclude: Iterable[Path] = (),
):
    """A folder of proposal documents as chunks of a call: one row per entry of `folder_entries` (id = its file
    name, or its path under the folder when `recursive`; title = its first heading or line; text = the rest),
    partner country and city from `meta` when given, else empty (never guessed). An entry that is not a
    readable document is a row with the reserved ERROR column saying why. Row numbers count entries from 1
    in name order. File names are matched to `meta`'s in one Unicode form (NFC)."""
    from .table_schema import ERROR, ROW

    folder = Path(folder)
    details = {_nfc(key): value for key, value in (_read_meta(meta) if meta else {}).items()}
    entries = folder_entries(folder, recursive, exclude=[*exclude, *([meta] if meta else [])])
    known = {_nfc(name) for name, _, _ in entries} | {_nfc(path.name) for _, path, _ in entries}
    unknown = sorted(set(details) - known)
    if unknown:
        log.warning("--meta names %d file(s) not in %s: %s", len(unknown), folder, ", ".join(unknown[:5]))
    columns = ["id", "title", "text", "partner_country", "partner_city", "sector", "budget"]
    rows: list[dict] = []
    for number, (name, path, problem) in enumerate(entries, start=1):
        extra = details.get(_nfc(name)) or details.get(_nfc(path.name)) or {}
        row = {"id": name, ROW: number, ERROR: problem}
        if not problem:
            try:
                title, body = title_and_body(path.read_bytes(), path.name)
            except InputError as exc:
                row[ERROR] = str(exc)
            except OSError as exc:
                row[ERROR] = f"{name}: cannot be read ({exc.strerror})"
            except Exception as exc:  # noqa: BLE001 - whatever a parser does, one document is one listed row
                row[ERROR] = f"{name}: cannot be read ({type(exc).__name__}: {str(exc)[:200]})"
            else:
                row.update(title=title, text=body)
                row.update({k: v for k, v in extra.items() if v})
        rows.append(row)
        if len(rows) >= chunk_rows:
            yield _documents_frame(rows, columns)
            rows = []
    if rows or not entries:
        yield _documents_frame(rows, columns)


def _documents_frame(rows: list[dict], columns: list[str]):
    import pandas as pd

    from .table_schema import ERROR, ROW

    frame = pd.DataFrame(rows, columns=[*columns, ROW, ERROR], dtype=object)
    return frame.astype(object).where(frame.notna(), "")
