"""The bad-input matrix (docs/robustness.md): each case has its exact behaviour."""

import json
import threading

import pandas as pd
import pytest

from recommender.cli import main
from recommender.errors import InputError
from recommender.io import read_table, user_columns

pytestmark = pytest.mark.model


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "empty or has no words"),
        ("   \n\t ", "empty or has no words"),
        ("12345 !!! ###", "empty or has no words"),
        (bytes([0, 1, 2, 3, 0xFF, 0xFE, 0x80, 0x9F]).decode("utf-8", "replace") + "ab", "looks like binary data"),
        ("a" * 200_001, "at most 200,000 are read"),
    ],
)
def test_unusable_texts_raise_the_documented_error(recommender, text, message):
    with pytest.raises(InputError, match=message):
        recommender.recommend(text)


@pytest.mark.parametrize(
    "text",
    [
        "캄보디아 🚒 소방차 지원 Fire trucks for Cambodia ✨ 消防车",
        "<script>alert('x')</script> <b>Water supply</b> for Lak Sao",
        "Water supply " * 3000,  # about 39,000 characters: read whole, in passages
    ],
)
def test_odd_but_usable_texts_score(recommender, text):
    result = recommender.recommend(text).to_dict()
    scores = [t["score"] for t in result["sdg_targets"]]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)


def test_long_text_is_read_in_passages(recommender):
    result = recommender.recommend(
        ("Water supply for a town in Laos. " * 40) + ("Fire trucks for Cambodia. " * 40)
    ).to_dict()
    assert result["passages"] > 2
    assert {"C007", "C084"} & {p["id"] for p in result["precedents"][:5]}


def test_html_in_text_is_never_interpreted(recommender):
    result = recommender.recommend("<img src=x onerror=alert(1)> water supply").to_dict()
    assert all("<img" not in r["reason"] or "&lt;" not in r["reason"] for r in result["sdg_targets"])


@pytest.mark.parametrize("sep", [";", "|", "\t"])
def test_other_delimiters_are_detected(tmp_path, sep):
    path = tmp_path / "call.csv"
    path.write_text(f"id{sep}text\nP1{sep}water, sanitation and hygiene, for schools\n", encoding="utf-8")
    frame = read_table(path)
    assert (
        list(user_columns(frame).columns) == ["id", "text"]
        and frame["text"][0] == "water, sanitation and hygiene, for schools"
    )


def test_mixed_encodings_are_decoded_line_by_line(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"id,text\n" + "P1,라오스 상수도\n".encode() + "P2,캄보디아 소방\n".encode("cp949"))
    assert read_table(path)["text"].tolist() == ["라오스 상수도", "캄보디아 소방"]


def test_truncated_xlsx_is_reported(tmp_path):
    good = tmp_path / "good.xlsx"
    pd.DataFrame({"id": ["P1"], "text": ["water"]}).to_excel(good, index=False)
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(good.read_bytes()[:300])
    with pytest.raises(InputError, match="cannot read cut.xlsx"):
        read_table(cut)
    renamed = tmp_path / "renamed.xlsx"
    renamed.write_text("id,text\nP1,water\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"renamed.xlsx is a text file .*rename it to renamed\.csv"):
        read_table(renamed)


def test_cli_unexpected_error_is_one_line(monkeypatch, models_dir, capsys):
    import recommender.cli as cli

    def boom(args):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(cli, "run", boom)
    assert main(["info", "--models-dir", str(models_dir)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error (RuntimeError: simulated bug)" in err and "--debug" in err


def test_threads_share_one_recommender(recommender):
    texts = [
        "캄보디아 소방차 지원",
        "Water supply for Laos",
        "몽골 사막화 방지 숲 조성",
        "Bus system for Ulaanbaatar",
    ] * 2
    serial = [recommender.recommend(t).to_dict() for t in texts]
    results = [None] * len(texts)

    def work(i):
        results[i] = recommender.recommend(texts[i]).to_dict()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert json.dumps(results, sort_keys=True) == json.dumps(serial, sort_keys=True)
