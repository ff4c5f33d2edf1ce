"""Issue 23: the edges of `score` and `match` found by an adversarial round. Each test is one input that
lost a row, an id or a whole call, with the answer it must now give. The readers, the batch code and the
CLI are the real ones; the recommender is the stub (tests/stub.py), so these run in seconds."""

import csv
import io
import json
import logging
import os
import unicodedata
import zipfile

import pandas as pd
import pytest
from openpyxl import Workbook
from stub import StubRecommender

from recommender import cli
from recommender import io as rio
from recommender.batch import score_file
from recommender.documents import extract_text
from recommender.errors import InputError
from recommender.io import read_table
from recommender.sheets import cell_text

TEXTS = [
    "Fire trucks and training for firefighters in Battambang",
    "Water supply and a treatment plant for villages in Laos",
    "Port administration training for Tanzanian officials",
    "Solid waste collection and recycling in Ulaanbaatar",
    "Smart traffic signals for Hanoi intersections",
]


def run(path, out, **kwargs):
    return score_file(StubRecommender(), path, out, **kwargs)


def scored_ids(out):
    return [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()]


def listed(out):
    """The errors file as a reader gets it back: (row, id, reason) per line."""
    with rio.errors_path(out).open(encoding="utf-8-sig", newline="") as handle:
        return [(int(r["row"]), r["id"], r["reason"]) for r in csv.DictReader(handle)]


@pytest.fixture
def stub_cli(monkeypatch):
    """The real CLI over the stub recommender: exit codes and messages without loading models."""
    monkeypatch.setattr(cli, "_open", lambda args: StubRecommender())
    return cli.main


# ------------------------------------------------------------------ rows silently lost
def test_a_quote_that_never_closes_costs_its_row_only(tmp_path):
    src = tmp_path / "call.csv"
    src.write_text(f'id,text\nP1,{TEXTS[0]}\nP2,"{TEXTS[1]}\nP3,{TEXTS[2]}\nP4,{TEXTS[3]}\n', encoding="utf-8")
    out = tmp_path / "o.jsonl"
    scored, errors, _ = run(src, out)
    assert scored_ids(out) == ["P1", "P3", "P4"]
    assert [(e.row, e.id) for e in errors] == [(3, "P2")] and "never closed" in errors[0].reason


def test_a_stray_quote_closed_rows_later_does_not_merge_them(tmp_path):
    src = tmp_path / "call.csv"
    src.write_text(f'id,text\nP1,"{TEXTS[0]}\nP2,{TEXTS[1]}\nP3,"ends" here,{TEXTS[2]}\n', encoding="utf-8")
    scored, errors, _ = run(src, tmp_path / "o.jsonl")
    assert scored_ids(tmp_path / "o.jsonl") == ["P2"]
    assert [(e.row, e.id) for e in errors] == [(2, "P1"), (4, "P3")]


def test_a_quoted_value_over_several_lines_is_still_one_value(tmp_path):
    src = tmp_path / "call.csv"
    src.write_bytes(f'id,text\r\nP1,"{TEXTS[0]}\r\nsecond line"\r\nP2,{TEXTS[1]}\r\n'.encode())
    out = tmp_path / "o.jsonl"
    scored, errors, _ = run(src, out)
    assert scored == 2 and not errors
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["row"] for r in rows] == [2, 4] and "second line" in rows[0]["input"]["text"]


def test_every_visible_sheet_with_proposals_is_named(tmp_path, caplog):
    book = Workbook()
    first = book.active
    first.title = "Seoul"
    first.append(["id", "text"])
    first.append(["S1", TEXTS[0]])
    second = book.create_sheet("Busan")
    second.append(["id", "text"])
    second.append(["B1", TEXTS[1]])
    src = tmp_path / "call.xlsx"
    book.save(src)
    with caplog.at_level(logging.WARNING):
        scored, errors, _ = run(src, tmp_path / "o.jsonl")
    assert scored_ids(tmp_path / "o.jsonl") == ["S1"]
    assert "'Busan'" in caplog.text and "NOT read" in caplog.text and "--sheet" in caplog.text
    run(src, tmp_path / "b.jsonl", sheet="Busan")
    assert scored_ids(tmp_path / "b.jsonl") == ["B1"]


def _folder_with_links(tmp_path):
    folder = tmp_path / "call"
    folder.mkdir()
    (folder / "a.txt").write_text(f"Fire\n{TEXTS[0]}", encoding="utf-8")
    (folder / "dangling.txt").symlink_to(folder / "gone.txt")
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "b.txt").write_text(f"Water\n{TEXTS[1]}", encoding="utf-8")
    (folder / "linked").symlink_to(outside, target_is_directory=True)
    (folder / "back").symlink_to(folder, target_is_directory=True)
    os.mkfifo(folder / "pipe.txt")
    return folder


def test_every_entry_of_a_folder_is_accounted_for_links_included(tmp_path, caplog):
    folder = _folder_with_links(tmp_path)
    out = tmp_path / "o.jsonl"
    with caplog.at_level(logging.WARNING):
        scored, errors, _ = run(folder, out)
    assert scored_ids(out) == ["a.txt"]
    reasons = {e.id: e.reason for e in errors}
    assert set(reasons) == {"dangling.txt", "loop.txt", "pipe.txt"}
    assert "points to nothing" in reasons["dangling.txt"] and "loops" in reasons["loop.txt"]
    assert "not a regular file" in reasons["pipe.txt"]
    assert "back" in caplog.text and "linked" in caplog.text and "--recursive" in caplog.text

    scored, errors, _ = run(folder, out, recursive=True)
    assert scored_ids(out) == ["a.txt", "linked/b.txt"]  # a linked folder is read, once
    reasons = {e.id: e.reason for e in errors}
    assert set(reasons) == {"back", "dangling.txt", "loop.txt", "pipe.txt"}
    assert "already read" in reasons["back"]


def test_a_rerun_into_the_folder_does_not_read_its_own_output(tmp_path):
    folder = tmp_path / "call"
    folder.mkdir()
    (folder / "a.txt").write_text(f"Fire\n{TEXTS[0]}", encoding="utf-8")
    (folder / "b.docx").write_bytes(b"not a zip")
    out = folder / "ranked.csv"
    for _ in range(2):
        scored, errors, _ = run(folder, out)
        assert scored == 1 and [e.id for e in errors] == ["b.docx"]


def test_nfd_file_names_match_nfc_meta_names(tmp_path):
    folder = tmp_path / "call"
    folder.mkdir()
    name = unicodedata.normalize("NFD", "소방.txt")
    (folder / name).write_text(f"Fire\n{TEXTS[0]}", encoding="utf-8")
    meta = tmp_path / "meta.csv"
    meta.write_text("파일명,대상국가\n" + unicodedata.normalize("NFC", "소방.txt") + ",캄보디아\n", encoding="utf-8")
    out = tmp_path / "o.jsonl"
    assert run(folder, out, meta=meta)[0] == 1
    assert json.loads(out.read_text(encoding="utf-8"))["input"]["partner_country"] == "KH"


# ------------------------------------------------------------------ the rejection report
def test_a_call_whose_every_row_is_rejected_gets_its_errors_file(tmp_path, stub_cli, capsys):
    out = tmp_path / "o.xlsx"
    rio.errors_path(out).write_text("row,id,reason,code\n9,OLD,stale,input\n", encoding="utf-8")
    src = tmp_path / "call.csv"
    src.write_text("id,text\nA,\nB,   \nC,\n", encoding="utf-8")
    assert stub_cli(["score", str(src), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "no row of call.csv could be scored (3 rejected, every one listed in" in err and "o.errors.csv" in err
    assert [(row, pid) for row, pid, _ in listed(out)] == [(2, "A"), (3, "B"), (4, "C")]
    assert out.exists()  # an output without rows, not an earlier run's


def test_ctrl_c_while_the_errors_file_is_written_leaves_both_old_files(tmp_path, monkeypatch):
    src = tmp_path / "call.csv"
    src.write_text(f"id,text\nP1,{TEXTS[0]}\nP2,\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    out.write_text("old output", encoding="utf-8")
    rio.errors_path(out).write_text("old errors", encoding="utf-8")

    def interrupted(errors, handle):
        handle.write(b"row,id")
        raise KeyboardInterrupt

    monkeypatch.setattr(rio, "_write_errors_csv", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run(src, out)
    assert out.read_text(encoding="utf-8") == "old output"
    assert rio.errors_path(out).read_text(encoding="utf-8") == "old errors"
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_an_id_with_a_lone_cr_survives_the_errors_file(tmp_path):
    src = tmp_path / "call.jsonl"
    src.write_text(json.dumps({"id": "A\rB", "text": ""}) + "\n" + json.dumps({"id": "C", "text": TEXTS[0]}) + "\n")
    out = tmp_path / "o.jsonl"
    run(src, out)
    assert [(row, pid) for row, pid, _ in listed(out)] == [(1, "A\rB")]


def test_an_id_longer_than_a_cell_is_listed_whole_and_never_cut_silently(tmp_path):
    long_id = "X" * 40_000
    src = tmp_path / "call.jsonl"
    src.write_text(json.dumps({"id": long_id, "text": TEXTS[0]}) + "\n" + json.dumps({"id": "P2", "text": TEXTS[1]}))
    out = tmp_path / "o.xlsx"
    scored, errors, _ = run(src, out)
    assert scored == 1 and "40,000 characters" in errors[0].reason
    assert listed(out)[0][1] == long_id
    shown = pd.read_excel(out, sheet_name=None, dtype=str)["errors"]["id"][0]
    assert len(shown) == 32_767 and shown.endswith("[cut: 40,000 characters]")


# ------------------------------------------------------------------ a whole call lost to one input
def _pdf_bytes(text: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, text, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _encrypted_pdf(user_password: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf_bytes(TEXTS[1]))))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_pdfs_that_parsers_fail_on_are_listed_rows_and_the_call_goes_on(tmp_path):
    folder = tmp_path / "call"
    folder.mkdir()
    plain = _pdf_bytes(TEXTS[0])
    (folder / "a_plain.pdf").write_bytes(plain)
    (folder / "b_restricted.pdf").write_bytes(_encrypted_pdf(""))  # opens without a password in any viewer
    (folder / "c_locked.pdf").write_bytes(_encrypted_pdf("secret"))
    (folder / "d_jbig2.pdf").write_bytes(plain.replace(b"/FlateDecode", b"/JBIG2Decode"))
    (folder / "e_filter.pdf").write_bytes(plain.replace(b"/FlateDecode", b"/NoSuchDecode"))
    out = tmp_path / "o.jsonl"
    scored, errors, _ = run(folder, out)
    assert scored_ids(out) == ["a_plain.pdf", "b_restricted.pdf"]
    reasons = {e.id: e.reason for e in errors}
    assert "password" in reasons["c_locked.pdf"]
    assert "JBIG2" in reasons["d_jbig2.pdf"] or "jbig2" in reasons["d_jbig2.pdf"]
    assert "Unsupported filter" in reasons["e_filter.pdf"]


def test_match_file_on_a_pdf_no_parser_reads_exits_2(tmp_path, stub_cli, capsys):
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(_pdf_bytes(TEXTS[0]).replace(b"/FlateDecode", b"/JBIG2Decode"))
    assert stub_cli(["match", "--file", str(bad)]) == 2
    assert "scan.pdf" in capsys.readouterr().err


def test_a_parser_that_fails_in_its_own_way_is_a_listed_row(tmp_path, monkeypatch):
    import recommender.documents as documents

    def broken(data, name):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(documents, "_txt", broken)
    with pytest.raises(InputError, match="RecursionError"):
        extract_text(b"text", "a.txt")


def test_jsonl_lone_surrogate_and_deep_nesting_are_row_errors(tmp_path, stub_cli):
    src = tmp_path / "call.jsonl"
    lines = [
        json.dumps({"id": "P1", "text": TEXTS[0]}),
        '{"id": "\\ud800x", "text": "' + TEXTS[1] + '"}',
        '{"id": "P3", "text": ' + "[" * 100_000 + "]" * 100_000 + "}",
        json.dumps({"id": "P4", "text": TEXTS[2]}),
        '{"id": "P5", "text": "half \\udc80 a character"}',
    ]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "o.jsonl"
    assert stub_cli(["score", str(src), "-o", str(out)]) == 0
    assert scored_ids(out) == ["P1", "P4"]
    rows = listed(out)
    assert [row for row, _, _ in rows] == [2, 3, 5]
    assert "surrogate" in rows[0][2] and "too deeply" in rows[1][2] and "surrogate" in rows[2][2]


def test_match_with_an_argument_that_is_not_utf8_exits_2(stub_cli, capsys):
    assert stub_cli(["match", "water supply \udcff in Laos"]) == 2
    assert "not UTF-8" in capsys.readouterr().err


# ------------------------------------------------------------------ text decoded wrongly
def test_utf8_lines_in_a_cp949_file_are_not_read_as_cp949(tmp_path):
    utf8 = "G1,경기 교육 강원 경제 교통 개발\n".encode()
    utf8.decode("cp949")  # the trap: these UTF-8 bytes are valid CP949 too
    src = tmp_path / "call.csv"
    src.write_bytes("번호,사업내용\n".encode("cp949") + utf8 + "C1,캄보디아 소방차 지원\n".encode("cp949"))
    frame = read_table(src)
    assert frame["번호"].tolist() == ["G1", "C1"]
    assert frame["사업내용"].tolist() == ["경기 교육 강원 경제 교통 개발", "캄보디아 소방차 지원"]


def test_a_line_in_no_encoding_is_a_listed_row(tmp_path):
    src = tmp_path / "call.csv"
    src.write_bytes(f"id,text\nP1,{TEXTS[0]}\n".encode() + b"P2,\xff\xfe\xfa bad\n" + f"P3,{TEXTS[1]}\n".encode())
    scored, errors, _ = run(src, tmp_path / "o.jsonl")
    assert scored_ids(tmp_path / "o.jsonl") == ["P1", "P3"]
    assert [(e.row, e.id) for e in errors] == [(3, "P2")] and "neither UTF-8 nor CP949" in errors[0].reason


def test_a_doubled_bom_does_not_hide_the_id_column(tmp_path):
    src = tmp_path / "call.csv"
    src.write_bytes(b"\xef\xbb\xbf\xef\xbb\xbfid,text\nP1," + TEXTS[0].encode() + b"\n")
    run(src, tmp_path / "o.jsonl")
    assert scored_ids(tmp_path / "o.jsonl") == ["P1"]
    src.write_bytes(b"\xef\xbb\xbf" + "번호,사업내용\nP1,캄보디아 소방차 지원\n".encode("cp949"))  # BOM on a CP949 file
    assert read_table(src)["번호"].tolist() == ["P1"]


# ------------------------------------------------------------------ ids as written or shown
@pytest.mark.parametrize(
    ("value", "fmt", "shown"),
    [
        (1234567890, "000-00-00000", "123-45-67890"),  # 사업자등록번호
        (202401, "0000-00", "2024-01"),
        (0.5, "# ?/?", " 1/2"),
        (1234567, "#,##0,", "1,235"),
        (1e20, "General", "1E+20"),
        (1e20, "0.00E+00", "1.00E+20"),
        (7, "000", "007"),
        (12345, "#,##0", "12,345"),
        (2024.5, "0.0", "2024.5"),
        (45000, 'yyyy"년" m"월" d"일"', "2023년 3월 15일"),
        (1234567890123, "General", "1234567890123"),
    ],
)
def test_xlsx_numbers_as_excel_shows_them(value, fmt, shown):
    assert cell_text(value, fmt) == shown


def test_xlsx_ids_are_never_stripped_and_serial_60_is_excel_s_leap_day(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["id", "text"])
    sheet.append([" A1", TEXTS[0]])
    sheet.append(["A1 ", TEXTS[1]])
    sheet.append([60, TEXTS[2]])
    sheet["A4"].number_format = "yyyy-mm-dd"
    sheet.append([59, TEXTS[3]])
    sheet["A5"].number_format = "yyyy-mm-dd"
    src = tmp_path / "call.xlsx"
    book.save(src)
    run(src, tmp_path / "o.jsonl")
    assert scored_ids(tmp_path / "o.jsonl") == [" A1", "A1 ", "1900-02-29", "1900-02-28"]


def test_a_jsonl_id_key_first_seen_late_is_a_column(tmp_path):
    src = tmp_path / "call.jsonl"
    lines = [json.dumps({"text": f"{TEXTS[n % 5]} {n}"}) for n in range(1100)]
    lines.append(json.dumps({"text": TEXTS[0] + " late", "id": "LATE"}))
    src.write_text("\n".join(lines), encoding="utf-8")
    out = tmp_path / "o.jsonl"
    run(src, out, chunk_rows=256)
    ids = scored_ids(out)
    assert len(ids) == 1101 and ids[-1] == "LATE" and ids[0] == "row1"


def test_duplicate_json_keys_are_reported(tmp_path):
    src = tmp_path / "call.jsonl"
    src.write_text(
        f'{{"id": "P1", "text": "{TEXTS[0]}", "id": "P9"}}\n{{"id": "P2", "text": "{TEXTS[1]}"}}\n', encoding="utf-8"
    )
    scored, errors, _ = run(src, tmp_path / "o.jsonl")
    assert scored_ids(tmp_path / "o.jsonl") == ["P2"]
    assert errors[0].row == 1 and "'id' more than once" in errors[0].reason


# ------------------------------------------------------------------ unclear or partial handling
def test_a_password_protected_xlsx_is_named_as_such(tmp_path, stub_cli, capsys):
    from msoffcrypto.format.ooxml import OOXMLFile

    book = Workbook()
    book.active.append(["id", "text"])
    book.active.append(["P1", TEXTS[0]])
    plain = io.BytesIO()
    book.save(plain)
    plain.seek(0)
    src = tmp_path / "call.xlsx"
    with src.open("wb") as handle:
        OOXMLFile(plain).encrypt("secret", handle)
    assert stub_cli(["score", str(src), "-o", str(tmp_path / "o.csv")]) == 2
    err = capsys.readouterr().err
    assert "password-protected" in err and "BadZipFile" not in err


def test_a_workbook_renamed_csv_is_named_by_its_real_type(tmp_path):
    book = Workbook()
    book.active.append(["id", "text"])
    src = tmp_path / "call.csv"
    book.save(src)
    with pytest.raises(InputError, match=r"zip archive \(an Excel \.xlsx workbook.*rename it to call\.xlsx"):
        read_table(src)


def test_a_header_below_many_title_rows_is_found(tmp_path):
    book = Workbook()
    sheet = book.active
    for n in range(45):
        sheet.append([f"2026년 공모 안내 {n}"])
    sheet.append(["번호", "사업내용"])
    sheet.append(["P1", TEXTS[0]])
    src = tmp_path / "call.xlsx"
    book.save(src)
    run(src, tmp_path / "o.jsonl")
    assert json.loads((tmp_path / "o.jsonl").read_text(encoding="utf-8"))["row"] == 47


def test_an_error_value_is_not_scored_as_a_description(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["id", "title", "text"])
    sheet.append(["P1", "", "#DIV/0!"])
    sheet.append(["P2", "#N/A", TEXTS[1]])
    src = tmp_path / "call.xlsx"
    book.save(src)
    out = tmp_path / "o.jsonl"
    scored, errors, _ = run(src, out)
    assert [(e.row, e.id) for e in errors] == [(2, "P1")] and "#DIV/0!" in errors[0].reason
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["id"] == "P2" and result["input"]["title"] == "" and any("B3" in w for w in result["warnings"])


def test_openpyxl_warnings_stay_off_stderr(tmp_path, stub_cli, capsys):
    book = Workbook()
    book.active.append(["id", "text"])
    book.active.append(["P1", TEXTS[0]])
    plain = tmp_path / "plain.xlsx"
    book.save(plain)
    src = tmp_path / "call.xlsx"
    with zipfile.ZipFile(plain) as old, zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            if item.filename != "xl/styles.xml":  # openpyxl warns "Workbook contains no default style"
                new.writestr(item, old.read(item.filename))
    assert stub_cli(["score", str(src), "-o", str(tmp_path / "o.csv")]) == 0
    err = capsys.readouterr().err
    assert "Warning" not in err and "openpyxl" not in err


def test_an_inflating_xlsx_member_is_refused_before_it_is_inflated(tmp_path, stub_cli, capsys):
    book = Workbook()
    book.active.append(["id", "text"])
    book.active.append(["P1", "x"])
    plain = tmp_path / "plain.xlsx"
    book.save(plain)
    src = tmp_path / "bomb.xlsx"
    big = '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>' + "a" * 30_000_000
    with zipfile.ZipFile(plain) as old, zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            new.writestr(item, old.read(item.filename))
        new.writestr("xl/sharedStrings.xml", big + "</t></si></sst>")
    assert src.stat().st_size < 200_000
    assert stub_cli(["score", str(src), "-o", str(tmp_path / "o.csv")]) == 2
    assert "decompression bomb" in capsys.readouterr().err


@pytest.mark.parametrize(
    "content",
    [
        b'id,text\nP1,"never closed\n',
        b"\xef\xbb\xbf\xef\xbb\xbfid,text\nP1,\xff\xff\n",
        b'{"id": "\\ud800", "text": "x"}\n[[[[[[[[[[]]]]]]]]]]\n{"a": 1, "a": 2}\n',
    ],
)
def test_score_never_exits_1_on_user_input(tmp_path, stub_cli, content):
    src = tmp_path / ("call.jsonl" if content.startswith(b"{") else "call.csv")
    src.write_bytes(content)
    assert stub_cli(["score", str(src), "-o", str(tmp_path / "o.xlsx")]) == 2  # nothing scorable: exit 2
