"""Property tests: any text scores or raises the documented error; index round trips keep everything."""

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from recommender.errors import InputError
from recommender.index import VectorIndex


@pytest.mark.model
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(min_size=0, max_size=400))
def test_any_unicode_text_scores_or_raises_input_error(recommender, text):
    try:
        result = recommender.recommend(text, top_k=5).to_dict()
    except InputError:
        return
    for key in ("sdg_targets", "precedents", "local_governments"):
        scores = [item["score"] for item in result[key]]
        assert scores == sorted(scores, reverse=True) and all(0.0 <= s <= 1.0 for s in scores)
    assert all(0.0 <= g["score"] <= 1.0 for g in result["sdg_goals"]) and len(result["sdg_goals"]) == 17


@settings(max_examples=25, deadline=None)
@given(
    vectors=arrays(np.float32, st.tuples(st.integers(1, 40), st.integers(2, 12)), elements=st.floats(-1, 1, width=32)),
    names=st.lists(
        st.text(st.characters(blacklist_characters="\x00"), min_size=1, max_size=8), min_size=40, max_size=40
    ),
)
def test_index_round_trip_keeps_ids_and_scores(tmp_path_factory, vectors, names):
    ids = names[: len(vectors)]
    index = VectorIndex.build(vectors, ids, ["en"] * len(ids), catalogue="c", embedder_id="e", fingerprint="f")
    folder = index.save(tmp_path_factory.mktemp("idx") / "c")
    loaded = VectorIndex.load(folder, expect={"embedder": "e", "catalogue_fingerprint": "f"})
    assert loaded.item_ids.tolist() == list(ids)
    k = len(ids)
    assert np.allclose(index.search(vectors, k)[0], loaded.search(vectors, k)[0])


def test_ids_that_would_not_survive_a_round_trip_are_refused():
    import pytest

    for bad in ("", "a\x00"):
        with pytest.raises(ValueError, match="NUL"):
            VectorIndex.build(
                np.ones((2, 3), dtype=np.float32),
                ["ok", bad],
                ["en", "en"],
                catalogue="c",
                embedder_id="e",
                fingerprint="f",
            )


# ------------------------------------------------------------------ conservation of a call's rows
WORDS = ["water", "fire", "training", "port", "roads", "상수도", "소방", "교육", "항만", "도로"]
ID_KINDS = st.one_of(
    st.just(""),
    st.sampled_from(["007", "7", "10", "1.5", "1e3", "row3", "row5", "row5~2", "P1", "P1", "-1"]),
    st.text(alphabet="ABCxyz0123456789-_가나", min_size=1, max_size=6),
)
ROW_KIND = st.sampled_from(["good", "good", "good", "no_text", "blank", "bad"])


@st.composite
def calls(draw):
    fmt = draw(st.sampled_from(["csv", "jsonl", "xlsx"]))
    encoding = draw(st.sampled_from(["utf-8", "cp949"])) if fmt != "xlsx" else "utf-8"
    rows = draw(
        st.lists(
            st.tuples(ID_KINDS, ROW_KIND, st.lists(st.sampled_from(WORDS), min_size=1, max_size=4)),
            min_size=1,
            max_size=8,
        )
    )
    return fmt, encoding, rows


def _write_call(path, fmt, encoding, rows) -> dict[int, str]:
    """Write the call; return {line or sheet row: id as written} for every row that is not blank."""
    import csv
    import io as _io
    import json

    expected: dict[int, str] = {}
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.append(["id", "text"])
        for pid, kind, words in rows:
            number = sheet.max_row + 1
            text = " ".join(words) if kind == "good" else ""
            sheet.append([pid or None, '=CONCAT("a","b")' if kind == "bad" else text])
            if kind == "blank" or (kind == "no_text" and not pid):
                sheet.cell(row=number, column=1).value = None
                sheet.cell(row=number, column=2).value = None
                continue
            expected[number] = pid
        book.save(path)
        return expected
    lines = []
    if fmt == "csv":
        lines.append("id,text")
    for pid, kind, words in rows:
        number = len(lines) + 1
        text = " ".join(words) if kind == "good" else ""
        if kind == "blank" or (kind == "no_text" and not pid):
            lines.append("" if kind == "blank" else "," if fmt == "csv" else '{"id": "", "text": ""}')
            continue
        expected[number] = pid
        if fmt == "csv":
            buffer = _io.StringIO()
            csv.writer(buffer, lineterminator="").writerow([pid, text])
            lines.append(buffer.getvalue() + (",an unquoted, comma" if kind == "bad" else ""))
        elif kind == "bad":
            lines.append(json.dumps([pid, text], ensure_ascii=False))
            expected[number] = ""  # a line that is not an object has no id to keep: it gets a generated one
        else:
            number_like = pid not in ("", "-1") and pid.lstrip("-").replace(".", "", 1).isdigit() and pid[0] != "0"
            value = pid if number_like else json.dumps(pid, ensure_ascii=False)
            lines.append(f'{{"id": {value or chr(34) * 2}, "text": {json.dumps(text, ensure_ascii=False)}}}')
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return expected


@settings(max_examples=30, deadline=None)
@given(call=calls())
@example(call=("jsonl", "utf-8", [("", "blank", ["water"])]))  # found in CI: a call of blank lines only
@example(call=("jsonl", "utf-8", [("P1", "bad", ["water"])]))  # only a line that is not an object
def test_every_row_of_a_call_comes_back_scored_or_listed(call):
    """For any call file: scored rows + rejected rows = input rows, each once, with the id as written
    (a blank id gets a generated name no real id holds; a reused id with other content is renamed
    and flagged)."""
    import json
    import tempfile
    from pathlib import Path

    from stub import StubRecommender

    from recommender.batch import score_file

    fmt, encoding, rows = call
    with tempfile.TemporaryDirectory() as folder:
        src = Path(folder) / f"call.{fmt}"
        expected = _write_call(src, fmt, encoding, rows)
        out = Path(folder) / "o.jsonl"
        scored, errors, _ = score_file(StubRecommender(), src, out)
        results = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] if scored else []
    came_back = [(r["row"], r["id"], r["flags"]) for r in results] + [(e.row, e.id, []) for e in errors]
    assert sorted(row for row, _, _ in came_back) == sorted(expected)
    real = {pid for pid in expected.values() if pid.strip()}
    for row, pid, flags in came_back:
        written = expected[row]
        if written.strip():
            renamed = f"duplicate_id:{written}" in flags and pid.startswith(written + "~")
            assert pid == written or renamed, (row, written, pid)
        else:
            assert (pid == f"row{row}" or pid.startswith(f"row{row}~")) and pid not in real, (row, pid)
    generated = [pid for row, pid, _ in came_back if not expected[row].strip()]
    assert len(set(generated)) == len(generated)


# ------------------------------------------------------------------ the hard cases, generated (issue 23)
# Each generator writes a call in one format with the cases an adversarial round found, and returns what must
# come back: {line or sheet row: (id as written, scored?)} for every row that is not blank. Conservation is
# then checked the same way for every format: scored + rejected = the rows written, each once, at its line,
# with its id exactly as written (a blank id: a generated name no real id holds).
HARD_WORDS = [
    "교육",
    "경기",
    "강원",
    "개발",
    "교통",
    "경제",
    "water",
    "fire",
    "port",
]  # 교육..경제: UTF-8 bytes valid CP949
ID_CHARS = st.sampled_from([*"AZaz09", " ", "\t", '"', ",", ";", "|", "\r", "\n", "\x01", "\x1f", "가", "힣", "é"])
HARD_IDS = st.one_of(st.text(ID_CHARS, max_size=6), st.sampled_from(["007", "1e3", " P1", "P1 ", "P1", "row3"]))


def _line_breaks(text: str) -> int:
    import re

    return len(re.findall(r"\r\n|\r|\n", text))


def _cp949_line(text: str) -> bytes | None:
    """The line in CP949, or None when it cannot be (a character outside CP949) or would also be valid UTF-8
    (then it is UTF-8 by definition, as in any line-by-line reader)."""
    try:
        raw = text.encode("cp949")
    except UnicodeEncodeError:
        return None
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw
    return None if any(b > 127 for b in raw) else raw


@st.composite
def hard_csv(draw):
    import csv
    import io as _io

    sep = draw(st.sampled_from([",", ";", "\t", "|"]))
    rows = draw(
        st.lists(
            st.tuples(
                HARD_IDS,
                st.sampled_from(["good", "good", "good", "no_text", "extra", "unclosed", "blank"]),
                st.lists(st.sampled_from(HARD_WORDS), min_size=1, max_size=3),
                st.sampled_from(["\n", "\r\n", "\r"]),
                st.sampled_from(["utf-8", "cp949"]),
            ),
            min_size=1,
            max_size=7,
        )
    )
    chunks, expected, line, previous_end = [f"id{sep}text\r\n".encode()], {}, 2, "\r\n"
    unclosed_seen = False
    for pid, kind, words, end, encoding in rows:
        if unclosed_seen or kind == "unclosed":  # after a quote that never closes, no line holds a quote
            pid = "".join("_" if c in f'"{sep}\r\n' else c for c in pid)
        text = " ".join(words)
        if kind == "blank":
            row = previous_end  # a blank line ends as the line before it ("\r" then "\n" would be one break)
        else:
            buffer = _io.StringIO()
            csv.writer(buffer, delimiter=sep, lineterminator="\r\n").writerow([pid, "" if kind == "no_text" else text])
            row = buffer.getvalue()[:-2]
            if kind == "extra":
                row += f"{sep}an unquoted{sep} extra"
            elif kind == "unclosed":
                row = f'{pid}{sep}"{text}'
                unclosed_seen = True
            row += end
            previous_end = end
        raw = _cp949_line(row) if encoding == "cp949" else None
        chunks.append(raw if raw is not None else row.encode("utf-8"))
        blank = kind == "blank" or (kind == "no_text" and not pid.strip())
        if not blank:
            expected[line] = (pid, kind == "good")
        line += _line_breaks(row)
    return b"".join(chunks), expected


@st.composite
def hard_jsonl(draw):
    import json

    rows = draw(
        st.lists(
            st.tuples(
                st.one_of(st.none(), HARD_IDS, st.sampled_from(["7", "1.50", "-0", "1e400"])),
                st.sampled_from(["good", "good", "good", "no_text", "array", "twice", "surrogate", "deep", "blank"]),
                st.lists(st.sampled_from(HARD_WORDS), min_size=1, max_size=3),
                st.booleans(),  # text key first
                st.sampled_from(["\n", "\r\n"]),
                st.sampled_from(["utf-8", "cp949"]),
            ),
            min_size=1,
            max_size=8,
        )
    )
    late = draw(st.integers(0, len(rows)))  # rows before this one have no id key at all
    chunks, expected = [], {}
    for line, (pid, kind, words, text_first, end, encoding) in enumerate(rows, start=1):
        text = " ".join(words)
        if line <= late:
            pid = None
        number = isinstance(pid, str) and pid in ("7", "1.50", "-0", "1e400")
        written = pid if number else json.dumps(pid, ensure_ascii=False)
        fields = [f'"text": {json.dumps("" if kind == "no_text" else text, ensure_ascii=False)}']
        if pid is not None:
            fields.insert(0 if not text_first else 1, f'"id": {written}')
        if kind == "twice":
            fields.append('"text": "again"')
        if kind == "surrogate":
            fields.append('"note": "half \\ud83d of a character"')
        if kind == "deep":
            fields.append('"note": ' + "[" * 5000 + "]" * 5000)
        content = "{" + ", ".join(fields) + "}"
        if kind == "array":
            content = json.dumps([pid, text], ensure_ascii=False)
        if kind == "blank":
            content = ""
        row = content + end
        raw = _cp949_line(row) if encoding == "cp949" else None
        chunks.append(raw if raw is not None else row.encode("utf-8"))
        written_id = pid or ""
        if kind in ("array", "twice", "surrogate", "deep"):
            expected[line] = ("", False)  # a line that cannot be read has no id to keep
        elif kind == "good":
            expected[line] = (written_id, True)
        elif kind == "no_text" and written_id.strip():
            expected[line] = (written_id, False)
    return b"".join(chunks), expected


# Known answers: a number, its format, what Excel shows (tests/test_edges.py checks more).
SHOWN = [
    (1234567890, "000-00-00000", "123-45-67890"),
    (202401, "0000-00", "2024-01"),
    (0.5, "# ?/?", " 1/2"),
    (1234567, "#,##0,", "1,235"),
    (1e20, "General", "1E+20"),
    (7, "000", "007"),
    (60, "yyyy-mm-dd", "1900-02-29"),
    (8.0, "General", "8"),
]


@st.composite
def hard_xlsx(draw):
    from openpyxl import Workbook

    titles = draw(st.integers(0, 3))
    rows = draw(
        st.lists(
            st.tuples(
                st.one_of(
                    st.text(st.sampled_from([*"AZ09", " ", "\t", "\n", "가", '"', ","]), max_size=5),
                    st.sampled_from(SHOWN),
                ),
                st.sampled_from(["good", "good", "good", "no_text", "error", "formula_title", "blank"]),
                st.lists(st.sampled_from(HARD_WORDS), min_size=1, max_size=3),
            ),
            min_size=1,
            max_size=7,
        )
    )
    book = Workbook()
    sheet = book.active
    for n in range(titles):
        sheet.append([f"2026 공모 {n}"])
    sheet.append(["번호", "사업명", "사업내용"])
    expected = {}
    for pid, kind, words in rows:
        number = sheet.max_row + 1
        if kind == "blank":
            sheet.append([None, None, None])
            sheet.cell(row=number, column=3).value = " "  # a row of spaces is blank too
            continue
        text = {"good": " ".join(words), "formula_title": " ".join(words), "no_text": "", "error": "#DIV/0!"}[kind]
        title = '=HYPERLINK("http://x.example","t")' if kind == "formula_title" else ""
        shown = pid
        if isinstance(pid, tuple):
            value, fmt, shown = pid
            sheet.append([value, title, text])
            sheet.cell(row=number, column=1).number_format = fmt
        else:
            sheet.append([pid or None, title, text])
        if kind == "no_text" and not shown.strip():
            continue
        expected[number] = (shown, kind in ("good", "formula_title"))
    buffer = __import__("io").BytesIO()
    book.save(buffer)
    return buffer.getvalue(), expected


@st.composite
def hard_parquet(draw):
    import io as _io

    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = draw(
        st.lists(
            st.tuples(
                st.one_of(st.none(), HARD_IDS),
                st.sampled_from(["good", "good", "no_text"]),
                st.sampled_from(HARD_WORDS),
            ),
            min_size=1,
            max_size=7,
        )
    )
    table = pa.table({"id": [pid for pid, _, _ in rows], "text": ["" if k == "no_text" else w for _, k, w in rows]})
    buffer = _io.BytesIO()
    pq.write_table(table, buffer)
    expected = {}
    for row, (pid, kind, _) in enumerate(rows, start=2):
        if kind == "good" or (pid or "").strip():
            expected[row] = (pid or "", kind == "good")
    return buffer.getvalue(), expected


def _conserved(data: bytes, suffix: str, expected: dict[int, tuple[str, bool]]) -> None:
    import csv
    import json
    import tempfile
    from pathlib import Path

    from stub import StubRecommender

    from recommender.batch import score_file
    from recommender.io import cell, errors_path, visible

    with tempfile.TemporaryDirectory() as folder:
        src = Path(folder) / f"call{suffix}"
        src.write_bytes(data)
        out = Path(folder) / "o.jsonl"
        try:
            scored, errors, _ = score_file(StubRecommender(), src, out, chunk_rows=3)
        except InputError as exc:  # only a call with no data row at all may be refused whole
            assert not any(good for _, good in expected.values()), exc
            return
        results = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] if scored else []
        listed = []
        if errors:
            with errors_path(out).open(encoding="utf-8-sig", newline="") as handle:
                listed = [(int(r["row"]), r["id"]) for r in csv.DictReader(handle)]
    assert listed == [(e.row, cell(visible(e.id))) for e in errors]  # the errors file parses back row for row
    came_back = [(r["row"], r["id"], r["flags"], True) for r in results] + [(e.row, e.id, [], False) for e in errors]
    assert sorted(row for row, *_ in came_back) == sorted(expected), (came_back, expected)
    real = {pid for pid, _ in expected.values() if pid.strip()}
    for row, pid, flags, scored_row in came_back:
        written, good = expected[row]
        assert scored_row == good, (row, written, pid)
        if written.strip() and scored_row:
            renamed = f"duplicate_id:{written}" in flags and pid.startswith(written + "~")
            assert pid == written or renamed, (row, written, pid)
        elif written.strip():
            assert pid == visible(written), (row, written, pid)
        else:
            assert (pid == f"row{row}" or pid.startswith(f"row{row}~")) and pid not in real, (row, pid)


HARD = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@HARD
@given(call=hard_csv())
def test_hard_csv_calls_conserve_every_row_and_id(call):
    _conserved(call[0], ".csv", call[1])


@HARD
@given(call=hard_jsonl())
def test_hard_jsonl_calls_conserve_every_row_and_id(call):
    _conserved(call[0], ".jsonl", call[1])


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(call=hard_xlsx())
def test_hard_xlsx_calls_conserve_every_row_and_id(call):
    _conserved(call[0], ".xlsx", call[1])


@HARD
@given(call=hard_parquet())
def test_hard_parquet_calls_conserve_every_row_and_id(call):
    _conserved(call[0], ".parquet", call[1])
