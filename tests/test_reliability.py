"""Issue 15: every row comes back (scored or listed with its reason) with the id as written, and
nothing else is touched. The readers and the batch code are the real ones; the recommender is a
stub (tests/stub.py) so that these run in seconds."""

import json
import logging
import os
import threading
import time
import zipfile

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook
from stub import StubRecommender

from recommender import io as rio
from recommender.batch import score_file, score_frame
from recommender.cli import main
from recommender.errors import InputError
from recommender.flags import FlagConfig, call_budget_outliers
from recommender.io import find_columns, read_table
from recommender.table_schema import ERROR, ROW

TEXTS = [
    "Fire trucks and training for firefighters in Battambang",
    "Water supply and a treatment plant for villages in Laos",
    "Port administration training for Tanzanian officials",
    "Solid waste collection and recycling in Ulaanbaatar",
    "Smart traffic signals for Hanoi intersections",
    "Flood early warning for Dhaka neighbourhoods",
    "Vocational training centre for young people in Kigali",
    "Rural health clinics and ambulances in Cambodia",
    "School meals and kitchens in Vientiane",
    "Street lighting with solar panels in Dodoma",
]


def run(path, out, **kwargs):
    return score_file(StubRecommender(), path, out, **kwargs)


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def errors_of(out):
    return pd.read_csv(rio.errors_path(out), dtype=str, keep_default_na=False)


# ------------------------------------------------------------------ .xlsx
def _sheet_xml_dimension(path, ref):
    """Rewrite the <dimension> element of every sheet of an .xlsx, as some exporters write it."""
    import re

    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'<dimension ref="[^"]*" ?/>', f'<dimension ref="{ref}"/>'.encode(), data)
                assert f'<dimension ref="{ref}"/>'.encode() in data
            dst.writestr(item, data)
    tmp.replace(path)


def _ten_rows(path):
    book = Workbook()
    sheet = book.active
    sheet.append(["id", "text", "country"])
    for n, text in enumerate(TEXTS, start=1):
        sheet.append([f"P{n}", text, "KH"])
    book.save(path)


@pytest.mark.parametrize("dimension", ["A1", "A1:C4"])
def test_xlsx_dimension_that_understates_the_sheet_is_not_trusted(tmp_path, dimension):
    src = tmp_path / "call.xlsx"
    _ten_rows(src)
    _sheet_xml_dimension(src, dimension)
    scored, errors, _ = run(src, tmp_path / "o.jsonl")
    assert (scored, errors) == (10, [])


def test_xlsx_header_below_title_rows_and_cover_and_hidden_sheets(tmp_path, caplog):
    book = Workbook()
    cover = book.active
    cover.title = "표지"
    cover.append(["2026년 도시간 협력사업 공모"])
    cover.append(["작성: KOICA"])
    hidden = book.create_sheet("old")
    hidden.append(["번호", "사업내용"])
    hidden.append(["X1", "an old hidden row that must not be read"])
    hidden.sheet_state = "hidden"
    data = book.create_sheet("제안")
    data.append(["2026 공모 제안 목록"])
    data.append([])
    data.append(["번호", "사업명", "사업내용"])
    data.append(["P1", "소방", TEXTS[0]])
    data.append(["P2", "상수도", TEXTS[1]])
    src = tmp_path / "call.xlsx"
    book.save(src)
    with caplog.at_level(logging.WARNING):
        frame = read_table(src)
    assert frame["번호"].tolist() == ["P1", "P2"] and frame[ROW].tolist() == [4, 5]
    notice = caplog.text
    assert "'제안'" in notice and "old" in notice and "표지" in notice and "--sheet" in notice


def test_xlsx_ids_as_excel_shows_them(tmp_path):
    import datetime as dt

    book = Workbook()
    sheet = book.active
    sheet.append(["id", "text", "budget"])
    rows = [(7, "000"), (8.0, "General"), (dt.datetime(2024, 1, 1), "yyyy-mm-dd"), (1.5, "General"), (12345, "#,##0")]
    for n, (value, fmt) in enumerate(rows):
        sheet.append([value, TEXTS[n], 100_000_000.0])
        sheet.cell(row=n + 2, column=1).number_format = fmt
    src = tmp_path / "call.xlsx"
    book.save(src)
    out = tmp_path / "o.jsonl"
    run(src, out)
    assert [r["id"] for r in read_jsonl(out)] == ["007", "8", "2024-01-01", "1.5", "12,345"]
    assert read_table(src)["budget"].tolist() == ["100000000"] * 5  # integers without .0


def test_xlsx_formula_without_a_saved_value_is_reported(tmp_path):
    """Only a description that cannot be read rejects its row; an id, a title or another field without a
    value to read is said in the row's warnings and the row is scored."""
    book = Workbook()
    sheet = book.active
    sheet.append(["id", "title", "text", "country", "note"])
    sheet.append(["P1", "", TEXTS[0], '=IF(1,"KH","LA")', ""])  # openpyxl saves formulas without values
    sheet.append(["P2", "", TEXTS[1], "LA", "=1+1"])  # a formula in a column we do not read
    sheet.append(['="P"&3', "", TEXTS[2], "TZ", ""])
    sheet.append(["P4", '=HYPERLINK("http://x.example/4","Port")', TEXTS[3], "", ""])
    sheet.append(["P5", "", '=CONCAT("a","b")', "", ""])
    src = tmp_path / "call.xlsx"
    book.save(src)
    out = tmp_path / "o.jsonl"
    scored, errors, _ = run(src, out)
    results = {r["id"]: r for r in read_jsonl(out)}
    assert list(results) == ["P1", "P2", "row4", "P4"]
    assert [(e.row, e.id) for e in errors] == [(6, "P5")]
    assert "C6" in errors[0].reason and "formula saved without its value" in errors[0].reason
    assert results["P1"]["input"]["partner_country"] is None
    assert any("D2" in w for w in results["P1"]["warnings"])
    assert any("A4" in w for w in results["row4"]["warnings"])
    assert results["P4"]["input"]["title"].startswith("=HYPERLINK(")
    assert any("B5" in w and "formula" in w for w in results["P4"]["warnings"])
    assert rio.cell(results["P4"]["input"]["title"]).startswith("'=HYPERLINK(")  # as any output writes it


def test_xlsx_cells_a_sheet_cannot_hold_are_escaped(tmp_path):
    src = tmp_path / "call.jsonl"
    src.write_text(json.dumps({"id": "A\x01B", "text": TEXTS[0]}) + "\n", encoding="utf-8")
    out = tmp_path / "o.xlsx"
    assert run(src, out)[0] == 1
    assert pd.read_excel(out, sheet_name="summary", dtype=str)["id"].tolist() == ["A\\x01B"]


# ------------------------------------------------------------------ ids as written, every format
def test_csv_ids_are_kept_as_written(tmp_path):
    src = tmp_path / "call.csv"
    src.write_text("id,text\n007," + TEXTS[0] + "\n1.50," + TEXTS[1] + "\n10," + TEXTS[2] + "\n", encoding="utf-8")
    out = tmp_path / "o.jsonl"
    run(src, out)
    assert [r["id"] for r in read_jsonl(out)] == ["007", "1.50", "10"]


def test_jsonl_ids_are_kept_as_written(tmp_path):
    src = tmp_path / "call.jsonl"
    lines = [
        '{"id": 7, "text": "%s"}',
        '{"id": 1.5, "text": "%s"}',
        '{"id": null, "text": "%s"}',
        '{"id": "007", "text": "%s"}',
    ]
    src.write_text("\n".join(line % t for line, t in zip(lines, TEXTS)) + "\n", encoding="utf-8")
    out = tmp_path / "o.jsonl"
    run(src, out)
    assert [r["id"] for r in read_jsonl(out)] == ["7", "1.5", "row3", "007"]


def test_parquet_integer_ids_with_nulls_stay_integers(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    src = tmp_path / "call.parquet"
    table = pa.table(
        {
            "id": pa.array([7, None, 10], type=pa.int64()),
            "text": TEXTS[:3],
            "budget": pa.array([1.5e8, None, 2e8]),
        }
    )
    pq.write_table(table, src)
    out = tmp_path / "o.jsonl"
    run(src, out)
    results = read_jsonl(out)
    assert [r["id"] for r in results] == ["7", "row3", "10"]
    assert read_table(src)["budget"].tolist() == ["150000000", "", "200000000"]


def test_generated_ids_never_collide_with_real_ones(tmp_path):
    src = tmp_path / "call.csv"
    src.write_text(f"id,text\nrow3,{TEXTS[0]}\n,{TEXTS[1]}\nrow3~2,{TEXTS[2]}\n", encoding="utf-8")
    out = tmp_path / "o.jsonl"
    run(src, out)
    ids = [r["id"] for r in read_jsonl(out)]
    assert ids == ["row3", "row3~3", "row3~2"] and len(set(ids)) == 3


# ------------------------------------------------------------------ row-level isolation
def test_csv_row_with_an_unquoted_comma_is_isolated_with_its_true_line(tmp_path):
    src = tmp_path / "call.csv"
    src.write_text(
        f"id,text,country\nP1,{TEXTS[0]},KH\n\n\nP2,Water, sanitation in Laos,LA\nP3,{TEXTS[2]},TZ\n",
        encoding="utf-8",
    )
    out = tmp_path / "o.jsonl"
    scored, errors, _ = run(src, out)
    assert [r["id"] for r in read_jsonl(out)] == ["P1", "P3"]
    assert [r["row"] for r in read_jsonl(out)] == [2, 6]  # blank lines counted
    assert [(e.row, e.id) for e in errors] == [(5, "P2")] and "double quotes" in errors[0].reason


@pytest.mark.parametrize("bad", ['["P2", "an array"]', '"a string"', "42", '{"id": "P2", "text": '])
def test_jsonl_line_that_is_not_an_object_is_isolated(tmp_path, bad):
    src = tmp_path / "call.jsonl"
    good = [json.dumps({"id": f"P{n}", "text": t}) for n, t in ((1, TEXTS[0]), (3, TEXTS[2]))]
    src.write_text(f"{good[0]}\n\n{bad}\n{good[1]}\n", encoding="utf-8")
    out = tmp_path / "o.jsonl"
    scored, errors, _ = run(src, out)
    assert [r["id"] for r in read_jsonl(out)] == ["P1", "P3"]
    assert [e.row for e in errors] == [3] and errors[0].code == "unreadable"
    assert [r["row"] for r in read_jsonl(out)] == [1, 4]


def test_a_long_first_cell_with_semicolons_does_not_fool_the_delimiter(tmp_path):
    long_cell = "; ".join(["a note; with; many; semicolons"] * 40)
    src = tmp_path / "call.csv"
    src.write_text(f'id,text,note\nP1,{TEXTS[0]},"{long_cell}"\nP2,{TEXTS[1]},x\n', encoding="utf-8")
    frame = read_table(src)
    assert list(frame.columns[:3]) == ["id", "text", "note"] and frame["id"].tolist() == ["P1", "P2"]
    plain = "id,text\n" + f"{long_cell},{TEXTS[0]}\n"
    assert rio.choose_delimiter(plain) == ","


# ------------------------------------------------------------------ duplicates
def test_exact_duplicates_are_flagged_and_reused_ids_renamed(tmp_path):
    src = tmp_path / "call.csv"
    src.write_text(
        f"id,text\nP1,{TEXTS[0]}\nP2,{TEXTS[1]}\nP1,{TEXTS[0]}\nP1,{TEXTS[2]}\nP1~2,{TEXTS[3]}\n", encoding="utf-8"
    )
    out = tmp_path / "o.jsonl"
    scored, errors, _ = run(src, out)
    results = read_jsonl(out)
    assert (scored, errors) == (5, [])
    assert [r["id"] for r in results] == ["P1", "P2", "P1", "P1~3", "P1~2"]
    assert "duplicate_of:P1" in results[2]["flags"] and not any("duplicate" in f for f in results[0]["flags"])
    assert "duplicate_id:P1" in results[3]["flags"]
    assert not any(f.startswith("near_duplicate_of:P1") for f in results[0]["flags"])  # never itself


# ------------------------------------------------------------------ budgets
def test_budget_far_from_the_call_is_flagged_without_precedents(tmp_path):
    budgets = [100, 150, 200, 250, 300, 400, 500]
    src = tmp_path / "call.csv"
    lines = [f"P{n},{TEXTS[n]},{b * 1_000_000}" for n, b in enumerate(budgets)]
    lines.append(f"BIG,{TEXTS[8]},50000000000")
    src.write_text("id,text,budget\n" + "\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "o.jsonl"
    run(src, out)
    flagged = [r["id"] for r in read_jsonl(out) if "budget_outlier" in r["flags"]]
    assert flagged == ["BIG"]
    # fewer than five budgets: no call-level judgement
    assert call_budget_outliers({1: 1e8, 2: 2e8, 3: 5e10}, FlagConfig()) == set()
    with pytest.raises(ValueError):
        FlagConfig(budget_mad=0)


# ------------------------------------------------------------------ columns
def test_two_columns_for_one_field_are_refused_with_both_names():
    with pytest.raises(InputError, match=r"'사업내용' \(column 2\) and '사업내용' \(column 3\)"):
        find_columns(["번호", "사업내용", "사업내용"])
    with pytest.raises(InputError, match="사업개요"):
        find_columns(["사업내용", "사업개요"])
    assert find_columns(["사업내용", "사업개요"], {"text": "사업개요"})["text"] == "사업개요"


def test_duplicate_header_in_a_csv_is_refused_naming_both(tmp_path, capsys):
    src = tmp_path / "call.csv"
    src.write_text(f"번호,사업내용,사업내용\nP1,{TEXTS[0]},비고\n", encoding="utf-8")
    assert main(["score", str(src), "-o", str(tmp_path / "o.csv")]) == 2
    err = capsys.readouterr().err
    assert "'사업내용' (column 2) and '사업내용' (column 3)" in err


# ------------------------------------------------------------------ outputs
def test_output_that_is_an_input_is_refused(tmp_path):
    src = tmp_path / "call.csv"
    src.write_text(f"id,text\nP1,{TEXTS[0]}\n", encoding="utf-8")
    before = src.read_bytes()
    with pytest.raises(InputError, match="destroy the call"):
        run(src, src)
    errors_named = tmp_path / "o.errors.csv"
    errors_named.write_text(f"id,text\nP1,{TEXTS[0]}\n", encoding="utf-8")
    with pytest.raises(InputError, match="destroy the call"):
        run(errors_named, tmp_path / "o.csv")
    assert src.read_bytes() == before


def test_rerun_without_errors_removes_the_stale_errors_file(tmp_path):
    src = tmp_path / "call.csv"
    src.write_text(f"id,text\nP1,{TEXTS[0]}\nP2,\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    run(src, out)
    assert rio.errors_path(out).exists()
    src.write_text(f"id,text\nP1,{TEXTS[0]}\n", encoding="utf-8")
    run(src, out)
    assert not rio.errors_path(out).exists()


def test_interrupted_write_leaves_the_previous_output_whole(tmp_path, monkeypatch):
    src = tmp_path / "call.csv"
    src.write_text("id,text\n" + "".join(f"P{n},{t}\n" for n, t in enumerate(TEXTS)), encoding="utf-8")
    out = tmp_path / "o.jsonl"
    run(src, out)
    before = out.read_bytes()

    def interrupted(results, handle):
        for n, _r in enumerate(results):
            handle.write(b"half a line")
            if n == 3:
                raise KeyboardInterrupt

    monkeypatch.setattr(rio, "_write_jsonl", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run(src, out)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".o.jsonl.lock", "call.csv", "o.jsonl"]


def test_two_runs_writing_one_output_take_turns(tmp_path):
    src = tmp_path / "call.csv"
    src.write_text("id,text\n" + "".join(f"P{n},{t}\n" for n, t in enumerate(TEXTS)), encoding="utf-8")
    out = tmp_path / "o.jsonl"
    held = threading.Event()
    release = threading.Event()

    def holder():
        with rio.output_lock(out):
            held.set()
            release.wait(5)

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(5)
    with pytest.raises(InputError, match="another run is writing"):
        run(src, out, lock_wait=0.3)
    started = time.monotonic()
    threading.Timer(0.5, release.set).start()
    scored, _, _ = run(src, out, lock_wait=10)  # waits for the other run, then writes
    thread.join()
    assert scored == 10 and time.monotonic() - started >= 0.4
    assert len(read_jsonl(out)) == 10


def test_two_processes_writing_one_output_never_interleave(tmp_path):
    import subprocess
    import sys

    src = tmp_path / "call.csv"
    src.write_text("id,text\n" + "".join(f"P{n},{t}\n" for n, t in enumerate(TEXTS * 30)), encoding="utf-8")
    out = tmp_path / "o.jsonl"
    root = str(rio.Path(__file__).resolve().parents[1])
    code = (
        f"import sys; sys.path.insert(0, {root!r}); from tests.stub import StubRecommender; "
        "from recommender.batch import score_file; "
        f"score_file(StubRecommender(), {str(src)!r}, {str(out)!r}, chunk_rows=16)"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(2)]
    assert [p.wait(120) for p in procs] == [0, 0]
    results = read_jsonl(out)  # every line whole JSON
    assert len(results) == 300


def test_lock_path_that_is_a_folder_is_named(tmp_path):
    src = tmp_path / "call.csv"
    src.write_text(f"id,text\nP1,{TEXTS[0]}\n", encoding="utf-8")
    (tmp_path / ".o.csv.lock").mkdir()
    with pytest.raises(InputError, match="is a folder; remove it"):
        run(src, tmp_path / "o.csv")


@pytest.mark.parametrize(
    "make_output, message",
    [
        (lambda tmp: tmp / "missing" / "o.csv", "does not exist"),
        (lambda tmp: tmp / "folder.csv", "is a folder"),
        (lambda tmp: tmp / "ro" / "o.csv", "not writable"),
        (lambda tmp: tmp / "o.txt", "output must end in"),
    ],
)
def test_unusable_outputs_exit_2_before_scoring(tmp_path, capsys, monkeypatch, make_output, message):
    (tmp_path / "folder.csv").mkdir()
    (tmp_path / "ro").mkdir()
    os.chmod(tmp_path / "ro", 0o500)
    src = tmp_path / "call.csv"
    src.write_text(f"id,text\nP1,{TEXTS[0]}\n", encoding="utf-8")

    def never(*args, **kwargs):
        raise AssertionError("the recommender was opened before the output was checked")

    monkeypatch.setattr("recommender.cli._open", never)
    try:
        if message == "not writable" and os.access(tmp_path / "ro", os.W_OK):
            pytest.skip("running as a user who can write anywhere")
        assert main(["score", str(src), "-o", str(make_output(tmp_path))]) == 2
        err = capsys.readouterr().err
        assert message in err and "internal error" not in err
    finally:
        os.chmod(tmp_path / "ro", 0o700)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["match", "소방차 지원", "--top-k", "0"], "--top-k must be between 1"),
        (["match", "소방차 지원", "--embedder", "bogus"], "--embedder must be one of"),
        (["match"], "text argument or with --file"),
        (["match", "x", "--file", "nowhere.hwp"], "one of them"),
        (["match", "--file", "nowhere.hwp"], "does not exist"),
        (["score", "call.csv", "-o", "o.csv", "--top-k", "0"], "--top-k must be between 1"),
        (["score", "call.csv", "-o", "o.csv", "--budget-mad", "0"], "budget_mad must be a positive"),
        (["info", "--embedder", "bogus"], "--embedder must be one of"),
        (["build", "--if-needed", "--embedder", "bogus"], "--embedder must be one of"),
    ],
)
def test_user_errors_exit_2_with_the_option_named(tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "call.csv").write_text(f"id,text\nP1,{TEXTS[0]}\n", encoding="utf-8")
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "internal error" not in err and err.count("\n") == 1


def test_an_os_error_is_the_machines_not_a_bug(monkeypatch, capsys):
    def full(args):
        raise OSError(28, "No space left on device", "/tmp/x")

    monkeypatch.setattr("recommender.cli.run", full)
    assert main(["info"]) == 2
    err = capsys.readouterr().err
    assert "No space left on device (/tmp/x)" in err and "internal error" not in err


# ------------------------------------------------------------------ the app's path
def test_score_frame_reports_reader_errors_with_their_lines():
    raw = f'{{"id": "P1", "text": "{TEXTS[0]}"}}\n[1, 2]\n{{"id": "P3", "text": "{TEXTS[2]}"}}\n'.encode()
    frame = read_table(raw, name="upload.jsonl")
    batch = score_frame(StubRecommender(), frame)
    assert [r.id for r in batch.results] == ["P1", "P3"]
    assert [(e.row, e.id) for e in batch.errors] == [(2, "row2")]
    assert frame[ERROR].tolist()[1].startswith("line 2 is an array")
    assert np.all(rio.user_columns(frame).columns == ["id", "text"])


def test_build_lock_that_is_a_folder_exits_2_naming_it(tmp_path, capsys):
    models = tmp_path / "models"
    (models / ".build.lock").mkdir(parents=True)
    assert main(["build", "--models-dir", str(models)]) == 2
    err = capsys.readouterr().err
    assert ".build.lock" in err and "internal error" not in err
