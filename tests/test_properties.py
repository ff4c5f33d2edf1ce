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
