"""What a file is, from its first bytes rather than its name: a workbook renamed .csv is named as a workbook,
a password-protected .xlsx as protected (used by the table readers and the app's upload checks)."""

from __future__ import annotations

import io

from .errors import InputError

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"%PDF", "pdf"),
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
    (b"PAR1", "parquet"),
    (b"\x1f\x8b", "gzip"),
    (b"Rar!", "rar"),
    (b"7z\xbc\xaf", "7z"),
)
HEAD_BYTES = 16

# What each kind is called in an English error (the app words them through explain's kind.* messages).
_KIND_NAMES = {
    "png": "an image (PNG)",
    "jpeg": "an image (JPEG)",
    "gif": "an image (GIF)",
    "webp": "an image (WebP)",
    "pdf": "a PDF document",
    "zip": "a zip archive (an Excel .xlsx workbook, a .docx or another zip)",
    "ole": "an Office 97-2003 compound file (an old .xls or .doc, or an .hwp)",
    "parquet": "a Parquet table",
    "gzip": "a gzip archive",
    "rar": "a RAR archive",
    "7z": "a 7-Zip archive",
    "text": "a text file",
}


def sniff(data: bytes) -> str:
    """The kind of file its first bytes say it is: png, jpeg, gif, pdf, zip, ole, parquet, ... or text."""
    if data[:12].startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "webp"
    return next((kind for magic, kind in _MAGIC if data.startswith(magic)), "text")


def _encrypted_office(data: bytes) -> bool:
    """True for an OOXML file saved with a password: Office wraps it in a compound file holding an
    EncryptedPackage stream (MS-OFFCRYPTO)."""
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            return ole.exists("EncryptedPackage") or ole.exists("EncryptionInfo")
    except Exception:  # noqa: BLE001 - a damaged compound file is not an encrypted workbook
        return False


def check_table_kind(head: bytes, name: str, suffix: str, whole: bytes | None = None) -> None:
    """InputError when a table's first bytes say it is not what its name says (`whole`: the file's bytes, read
    only to tell a password-protected workbook from an old .xls)."""
    kind = sniff(head)
    expected = {".csv": "text", ".jsonl": "text", ".xlsx": "zip", ".parquet": "parquet"}[suffix]
    if kind == expected:
        return
    if suffix == ".xlsx" and kind == "ole":
        if whole is not None and _encrypted_office(whole):
            raise InputError(
                f"{name} is a password-protected (encrypted) Excel workbook, so its cells cannot be read; "
                "open it in Excel, remove the password (File > Info > Protect Workbook > Encrypt with Password) "
                "and save it, or save a copy without a password"
            )
        raise InputError(
            f"{name} is an Excel 97-2003 .xls (or another Office file) renamed .xlsx; open it in Excel and save it "
            "as an Excel workbook (.xlsx)"
        )
    if kind == "zip" and suffix in (".csv", ".jsonl"):
        raise InputError(
            f"{name} is {_KIND_NAMES['zip']}, not a {suffix} text file; if it is an Excel workbook, rename it to "
            f"{name[: -len(suffix)]}.xlsx"
        )
    if kind == "ole" and suffix in (".csv", ".jsonl"):
        raise InputError(
            f"{name} is {_KIND_NAMES['ole']}, not a {suffix} text file (a password-protected or old Excel file?); "
            "open it in Excel and save it as .xlsx or CSV UTF-8"
        )
    if kind == "text" and suffix in (".xlsx", ".parquet"):
        wanted = "an Excel workbook" if suffix == ".xlsx" else "a Parquet table"
        raise InputError(
            f"{name} is a text file (a CSV or JSONL?), not {wanted}; if it is a CSV, rename it to "
            f"{name[: -len(suffix)]}.csv"
        )
    if kind == "parquet" and suffix != ".parquet":
        raise InputError(f"{name} is a Parquet table, not a {suffix} file; rename it to {name[: -len(suffix)]}.parquet")
    raise InputError(
        f"{name} is {_KIND_NAMES.get(kind, kind)}, not a {suffix} file; expected a proposals table "
        "(.csv, .xlsx, .jsonl or .parquet)"
    )
