"""`recommender score`: every input format and encoding, Korean headers, bad rows, formulas, flags."""

import json

import pandas as pd
import pytest

from recommender.cli import main
from recommender.errors import InputError
from recommender.io import find_columns, neutralise, read_table, user_columns

pytestmark = pytest.mark.model

ROWS = [
    {
        "번호": "P1",
        "사업명": "소방 역량 강화",
        "사업내용": "캄보디아 바탐방주 소방본부에 소방차를 지원하고 소방관을 교육한다",
        "대상국가": "캄보디아",
        "예산": "300000000",
    },
    {
        "번호": "P2",
        "사업명": "소방 역량 강화(중복)",
        "사업내용": "캄보디아 바탐방주 소방본부에 소방차를 지원하고 소방관을 교육한다.",
        "대상국가": "KH",
        "예산": "",
    },
    {
        "번호": "P3",
        "사업명": "항만 연수",
        "사업내용": "Training for Tanzanian port and maritime officials on port administration and ship safety",
        "대상국가": "Tanzania",
        "예산": "",
    },
    {"번호": "P4", "사업명": "=cmd()", "사업내용": "", "대상국가": "LA", "예산": ""},
]


def write(frame, path):
    suffix = path.suffix
    if suffix == ".csv":
        frame.to_csv(path, index=False, encoding="cp949")
    elif suffix == ".xlsx":
        frame.to_excel(path, index=False)
    elif suffix == ".jsonl":
        frame.to_json(path, orient="records", lines=True, force_ascii=False)
    else:
        frame.to_parquet(path)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".jsonl", ".parquet"])
def test_each_format_reads_korean_headers(tmp_path, suffix):
    path = tmp_path / f"call{suffix}"
    write(pd.DataFrame(ROWS), path)
    frame = read_table(path)
    assert find_columns(frame.columns) == {
        "id": "번호",
        "text": "사업내용",
        "title": "사업명",
        "partner_country": "대상국가",
        "budget": "예산",
    }
    assert frame["사업내용"].iloc[0].startswith("캄보디아")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp949"])
def test_csv_encodings_are_detected(tmp_path, encoding):
    path = tmp_path / "call.csv"
    path.write_bytes("번호;사업내용\nP1;라오스 상수도 보급\n".encode(encoding))
    frame = read_table(path)
    assert list(user_columns(frame).columns) == ["번호", "사업내용"] and frame.iloc[0, 1] == "라오스 상수도 보급"


def test_missing_text_column_names_what_was_found():
    with pytest.raises(InputError, match=r"no text column.*\['번호', '제목'\]"):
        find_columns(["번호", "제목"])


def test_formulas_are_neutralised():
    assert [neutralise(v) for v in ["=1+1", "+82", "-x", "@SUM", "plain", 3]] == [
        "'=1+1",
        "'+82",
        "'-x",
        "'@SUM",
        "plain",
        3,
    ]


def test_score_writes_flags_errors_and_safe_cells(recommender, models_dir, tmp_path):
    src = tmp_path / "call.xlsx"
    write(pd.DataFrame(ROWS), src)
    out = tmp_path / "ranked.jsonl"
    assert main(["score", str(src), "-o", str(out), "--models-dir", str(models_dir)]) == 0
    results = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert set(results) == {"P1", "P2", "P3"}
    assert "near_duplicate_of:P2" in results["P1"]["flags"] and "near_duplicate_of:P1" in results["P2"]["flags"]
    assert "low_sdg11_alignment" in results["P3"]["flags"] and "low_sdg11_alignment" not in results["P1"]["flags"]
    errors = pd.read_csv(tmp_path / "ranked.errors.csv", dtype=str)
    assert errors[["row", "id"]].values.tolist() == [["5", "P4"]]

    # a Korean call gets a Korean workbook: the worklist as its summary, rejected rows in it and in their sheet
    xlsx = tmp_path / "ranked.xlsx"
    assert main(["score", str(src), "-o", str(xlsx), "--models-dir", str(models_dir)]) == 0
    sheets = pd.read_excel(xlsx, sheet_name=None, dtype=str)
    assert set(sheets) == {"요약", "SDG 세부목표", "선례", "지방정부", "공동 추진 제안", "제외된 행"}
    assert sheets["제외된 행"][["행", "번호"]].values.tolist() == [["5", "P4"]]
    summary = sheets["요약"]
    assert set(summary["번호"][:3]) == {"P1", "P2", "P3"} and summary["번호"].iloc[-1] == "P4"
    assert summary["번호"].iloc[2] == "P3"  # a near duplicate before a weak SDG 11 fit
    assert "P2와(과) 거의 같음" in summary.set_index("번호").loc["P1", "검토 표시"]
    # --lang en: the same worklist in English
    assert main(["score", str(src), "-o", str(xlsx), "--models-dir", str(models_dir), "--lang", "en"]) == 0
    sheets = pd.read_excel(xlsx, sheet_name=None, dtype=str)
    assert set(sheets) == {"summary", "sdg_targets", "precedents", "local_governments", "teams", "errors"}
    assert sheets["summary"].columns[:3].tolist() == ["No.", "Title", "Partner country"]
    assert "near duplicate of P2" in sheets["summary"].set_index("No.").loc["P1", "Flags"]


def test_score_exits_non_zero_when_nothing_scores(models_dir, tmp_path, capsys):
    src = tmp_path / "empty.csv"
    src.write_text("id,text\nA,\nB,   \n", encoding="utf-8")
    assert main(["score", str(src), "-o", str(tmp_path / "o.csv"), "--models-dir", str(models_dir)]) == 2
    assert "no row of empty.csv could be scored" in capsys.readouterr().err


def test_a_precedent_copy_is_flagged(recommender, models_dir, tmp_path):
    text = recommender.catalogues.precedents.set_index("id").loc["C021", "description_en"]
    src = tmp_path / "call.jsonl"
    src.write_text(json.dumps({"id": "X", "text": text}) + "\n", encoding="utf-8")
    out = tmp_path / "o.jsonl"
    assert main(["score", str(src), "-o", str(out), "--models-dir", str(models_dir)]) == 0
    assert "similar_to_precedent:C021" in json.loads(out.read_text())["flags"]


def _call(tmp_path, n=9):
    texts = [
        "캄보디아 소방차 지원과 소방관 교육",
        "Water supply for Lak Sao, Laos",
        "몽골 사막화 방지 숲 조성",
        "Bus management system for Ulaanbaatar",
    ]
    frame = pd.DataFrame({"id": [f"P{i}" for i in range(n)], "text": [texts[i % 4] for i in range(n)]})
    frame.loc[4, "text"] = ""  # one bad row in the middle
    frame.loc[7, "id"] = "P1"  # a duplicate id in a later chunk
    path = tmp_path / "call.csv"
    frame.to_csv(path, index=False)
    return path


def _same_results(a, b) -> bool:
    """Every id, flag, text and ranked item the same; scores equal up to float noise (an encoder's
    matrix products may differ in the last bits with the batch's size, which the logistic government
    score can carry into the fourth decimal)."""

    def same(x, y) -> bool:
        if isinstance(x, dict):
            return isinstance(y, dict) and x.keys() == y.keys() and all(same(x[k], y[k]) for k in x)
        if isinstance(x, list):
            return isinstance(y, list) and len(x) == len(y) and all(same(p, q) for p, q in zip(x, y))
        if isinstance(x, float) and isinstance(y, float):
            return abs(x - y) <= 1e-3
        return x == y

    rows_a = [json.loads(line) for line in a.read_text(encoding="utf-8").splitlines()]
    rows_b = [json.loads(line) for line in b.read_text(encoding="utf-8").splitlines()]
    return len(rows_a) == len(rows_b) and all(same(x, y) for x, y in zip(rows_a, rows_b))


def test_chunked_scoring_equals_scoring_the_whole_file(recommender, tmp_path):
    from recommender.batch import score_file

    source = _call(tmp_path)
    small = score_file(recommender, source, tmp_path / "small.jsonl", chunk_rows=2)
    whole = score_file(recommender, source, tmp_path / "whole.jsonl", chunk_rows=1000)
    assert small[0] == whole[0] == 8
    assert [e.row for e in small[1]] == [e.row for e in whole[1]] == [6]
    assert _same_results(tmp_path / "small.jsonl", tmp_path / "whole.jsonl")
    # same texts repeat every 4 rows: their proposals are near duplicates of each other
    results = [json.loads(line) for line in (tmp_path / "small.jsonl").read_text().splitlines()]
    assert results[0]["id"] == "P0" and "near_duplicate_of:P8" in results[0]["flags"]
    # the reused id with other content, in a later chunk, is renamed and flagged, not dropped
    assert results[-2]["id"] == "P1~2" and "duplicate_id:P1" in results[-2]["flags"]


def test_dask_engine_gives_the_same_output_on_a_local_cluster(recommender, tmp_path):
    from recommender.batch import score_file
    from recommender.distributed import DaskEngine

    source = _call(tmp_path)
    local = score_file(recommender, source, tmp_path / "local.jsonl", chunk_rows=3)
    dask = score_file(recommender, source, tmp_path / "dask.jsonl", chunk_rows=3, engine=DaskEngine())
    assert local[0] == dask[0] and local[1] == dask[1]
    assert _same_results(tmp_path / "local.jsonl", tmp_path / "dask.jsonl")
