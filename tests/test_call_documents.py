"""Issue 18 (command line): proposals as documents, one file (`match --file`) or a folder (`score FOLDER`);
and issue 15's artefact and environment errors that need the real models."""

import json
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from stub import StubRecommender

from recommender.batch import score_file
from recommender.cli import main
from recommender.documents import document_files
from recommender.errors import CatalogueError
from recommender.goal_model import FILE_NAME, GoalDecisionModel

FIXTURES = Path(__file__).parent / "fixtures"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _docx(title: str, body: str) -> bytes:
    import io

    xml = (
        f'<w:document xmlns:w="{W}"><w:body>'
        f'<w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr><w:r><w:t>{title}</w:t></w:r></w:p>'
        f"<w:p><w:r><w:t>{body}</w:t></w:r></w:p></w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", xml)
    return buffer.getvalue()


def _pdf(title: str, body: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 10, body, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _call_folder(folder: Path) -> Path:
    folder.mkdir()
    shutil.copy(FIXTURES / "sample_document.hwp", folder / "a_sample.hwp")
    shutil.copy(FIXTURES / "sample_document.hwpx", folder / "b_sample.hwpx")
    shutil.copy(FIXTURES / "protected_document.hwp", folder / "c_protected.hwp")
    (folder / "d_fire.docx").write_bytes(_docx("Battambang fire services", "Fire trucks and firefighter training"))
    (folder / "e_water.pdf").write_bytes(_pdf("Lak Sao water supply", "Water supply and a treatment plant in Laos"))
    (folder / "f_port.txt").write_text("# 항만 연수\n탄자니아 항만 공무원 대상 항만 행정 연수", encoding="utf-8")
    (folder / "notes.csv").write_text("not a document", encoding="utf-8")  # not a proposal: listed as such
    (folder / ".hidden.txt").write_text("an editor's file", encoding="utf-8")
    sub = folder / "later"
    sub.mkdir()
    (sub / "g_roads.txt").write_text("Roads\nRoad paving in Dodoma", encoding="utf-8")
    return folder


def test_a_folder_of_documents_is_a_call(tmp_path):
    folder = _call_folder(tmp_path / "call")
    meta = tmp_path / "meta.csv"
    meta.write_text("파일명,대상국가,대상도시\nd_fire.docx,캄보디아,Battambang\ne_water.pdf,LA,\n", encoding="utf-8")
    out = tmp_path / "ranked.jsonl"
    scored, errors, paths = score_file(StubRecommender(), folder, out, meta=meta)
    results = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert sorted(results) == ["a_sample.hwp", "b_sample.hwpx", "d_fire.docx", "e_water.pdf", "f_port.txt"]
    assert results["d_fire.docx"]["input"]["title"] == "Battambang fire services"
    assert results["d_fire.docx"]["input"]["partner_country"] == "KH"
    assert results["e_water.pdf"]["input"]["partner_country"] == "LA"
    assert results["f_port.txt"]["input"]["title"] == "항만 연수"
    assert results["f_port.txt"]["input"]["partner_country"] is None  # no meta row: left empty, never guessed
    assert "Water supply" in results["e_water.pdf"]["input"]["text"]
    assert [(e.id, e.row) for e in errors] == [("c_protected.hwp", 3), ("notes.csv", 7)]
    assert "password" in errors[0].reason and "not a proposal document" in errors[1].reason
    assert pd.read_csv(tmp_path / "ranked.errors.csv")["id"].tolist() == ["c_protected.hwp", "notes.csv"]

    scored, errors, _ = score_file(StubRecommender(), folder, tmp_path / "all.jsonl", recursive=True)
    assert scored == 6 and "later/g_roads.txt" in (tmp_path / "all.jsonl").read_text(encoding="utf-8")


def test_document_files_skip_hidden_files_and_list_only_documents(tmp_path):
    folder = _call_folder(tmp_path / "call")
    assert [p.name for p in document_files(folder)] == [
        "a_sample.hwp",
        "b_sample.hwpx",
        "c_protected.hwp",
        "d_fire.docx",
        "e_water.pdf",
        "f_port.txt",
    ]


def test_meta_without_a_file_column_is_refused(tmp_path):
    folder = _call_folder(tmp_path / "call")
    meta = tmp_path / "meta.csv"
    meta.write_text("대상국가\nKH\n", encoding="utf-8")
    with pytest.raises(Exception, match="needs exactly one file-name column"):
        score_file(StubRecommender(), folder, tmp_path / "o.csv", meta=meta)


def test_goal_model_with_nan_is_refused_with_the_refit_command(tmp_path):
    raw = json.loads((Path(__file__).resolve().parents[1] / "data" / FILE_NAME).read_text(encoding="utf-8"))
    raw["classifier"]["coef"][3][5] = float("nan")
    path = tmp_path / FILE_NAME
    path.write_text(json.dumps(raw), encoding="utf-8")  # json writes NaN
    with pytest.raises(CatalogueError, match=r"not finite .*--fit-goal-model"):
        GoalDecisionModel.load(path)


def test_goal_classifier_of_the_wrong_width_is_refused(tmp_path):
    import numpy as np

    decision = GoalDecisionModel.load(Path(__file__).resolve().parents[1] / "data" / FILE_NAME)
    with pytest.raises(CatalogueError, match="refit"):
        decision.classifier.scores(np.zeros((1, 7)))


def test_bad_catalogue_value_is_named(data_copy):
    from recommender.catalogue import load_catalogues

    path = data_copy / "local_governments.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[2, "lat"] = "north"
    frame.to_csv(path, index=False)
    with pytest.raises(CatalogueError, match=r"row 4, column 'lat': 'north' is not a number"):
        load_catalogues(data_copy)


@pytest.mark.model
def test_match_reads_a_document(recommender, models_dir, capsys):
    code = main(["match", "--file", str(FIXTURES / "sample_document.hwp"), "--json", "--models-dir", str(models_dir)])
    assert code == 0
    assert len(json.loads(capsys.readouterr().out)["sdg_goals"]) == 17
    assert main(["match", "--file", str(FIXTURES / "protected_document.hwp"), "--models-dir", str(models_dir)]) == 2
    assert "password" in capsys.readouterr().err


@pytest.mark.model
def test_cli_scores_a_folder(recommender, models_dir, tmp_path, capsys):
    folder = _call_folder(tmp_path / "call")
    out = tmp_path / "ranked.xlsx"
    assert main(["score", str(folder), "-o", str(out), "--models-dir", str(models_dir)]) == 0
    assert "scored 5 proposal(s), rejected 2" in capsys.readouterr().out  # the protected .hwp and notes.csv
    sheets = pd.read_excel(out, sheet_name=None, dtype=str)
    assert sheets["제외된 행"]["번호"].tolist() == ["c_protected.hwp", "notes.csv"]
    assert len(sheets["요약"]) == 7  # five scored, and the two rejected ones with their reason


@pytest.mark.model
def test_index_of_another_embedder_is_treated_alike_by_info_build_and_match(recommender, models_dir, tmp_path, capsys):
    models = tmp_path / "models"
    shutil.copytree(models_dir, models)
    manifest = models / "precedents" / "manifest.json"
    body = json.loads(manifest.read_text(encoding="utf-8"))
    body["embedder"] = "use-m3"
    manifest.write_text(json.dumps(body), encoding="utf-8")
    assert main(["info", "--models-dir", str(models)]) == 2
    assert "recommender build" in capsys.readouterr().err
    assert main(["build", "--if-needed", "--models-dir", str(models)]) == 0
    assert "rebuilding" in capsys.readouterr().out
    assert main(["info", "--models-dir", str(models)]) == 0
