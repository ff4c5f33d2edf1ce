"""The committed catalogues pass their schema; each kind of damage is named by file, row and column."""

import pandas as pd
import pytest

from recommender.catalogue import load_catalogues
from recommender.errors import CatalogueError


def test_shipped_catalogues_are_complete(data_copy):
    cat = load_catalogues(data_copy)
    assert len(cat.sdg_targets) == 169 and cat.sdg_targets["goal"].nunique() == 17
    assert cat.sdg_targets["is_sdg11"].sum() == 10
    assert (cat.sdg_targets[cat.sdg_targets["is_sdg11"]]["text_ko"] != "").all()
    assert len(cat.sdg_goals) == 17 and (cat.sdg_goals["name_ko"] != "").all()
    lgs = cat.local_governments
    assert (lgs["level"] == "upper").sum() == 17 and (lgs["level"] == "basic").sum() == 226
    assert lgs.loc[lgs["code"] == "36", "name_en"].item() == "Sejong"
    assert len(cat.precedents) == 255 and cat.precedents["domestic"].sum() == 3
    assert cat.countries.set_index("iso2").loc["KH", "name_ko"] == "캄보디아"


def _edit(path, fn):
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    result = fn(frame)  # edits in place, or returns a new frame
    (frame if result is None else result).to_csv(path, index=False)


def test_unknown_local_government_code_names_row_and_column(data_copy):
    _edit(data_copy / "precedents.csv", lambda f: f.__setitem__("lg_codes", f["lg_codes"].where(f.index != 4, "99")))
    with pytest.raises(CatalogueError) as err:
        load_catalogues(data_copy)
    assert (err.value.row, err.value.column) == (6, "lg_codes")
    assert "'99'" in str(err.value) and "precedents.csv" in str(err.value)


def test_unknown_target_names_row_and_column(data_copy):
    _edit(
        data_copy / "precedents.csv",
        lambda f: f.__setitem__("sdg_targets_hint", f["sdg_targets_hint"].where(f.index != 0, "11.5;18.1")),
    )
    with pytest.raises(CatalogueError) as err:
        load_catalogues(data_copy)
    assert (err.value.row, err.value.column) == (2, "sdg_targets_hint") and "18.1" in str(err.value)


def test_duplicate_id_names_row(data_copy):
    _edit(data_copy / "precedents.csv", lambda f: f.__setitem__("id", f["id"].where(f.index != 9, "C001")))
    with pytest.raises(CatalogueError) as err:
        load_catalogues(data_copy)
    assert (err.value.row, err.value.column) == (11, "id") and "duplicate" in str(err.value)


def test_missing_column_is_named(data_copy):
    _edit(data_copy / "sdg_targets.csv", lambda f: f.drop(columns=["text_en"]))
    with pytest.raises(CatalogueError) as err:
        load_catalogues(data_copy)
    assert err.value.column == "text_en" and "sdg_targets.csv" in str(err.value)


def test_ties_and_profiles_cover_the_governments(data_copy):
    cat = load_catalogues(data_copy)
    assert set(cat.lg_ties["licence"]) == {"CC BY-SA 4.0", "facts, source URL"}
    osan = cat.lg_ties[(cat.lg_ties["code"] == "41370") & (cat.lg_ties["partner_iso2"] == "VN")]
    assert "Quang Nam" in set(osan["partner_city"])
    profiles = cat.lg_profiles.set_index("code")
    assert len(profiles) == 243 and profiles.loc["26", "coastal"] and not profiles.loc["11", "coastal"]
    assert profiles["population_2025"].gt(0).all()


def test_a_tie_with_an_unknown_government_is_refused(data_copy):
    _edit(data_copy / "lg_ties_sourced.csv", lambda f: f.__setitem__("code", f["code"].where(f.index != 2, "77")))
    with pytest.raises(CatalogueError) as err:
        load_catalogues(data_copy)
    assert (err.value.row, err.value.column) == (4, "code") and "lg_ties_sourced.csv" in str(err.value)
