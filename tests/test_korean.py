"""Korean analysis with known answers: the lexicon's longest match, the gloss of a known sentence,
the keyword queries it fires, the top-goal rule, hubness scores and the gloss blend."""

import numpy as np
import pandas as pd
import pytest
from conftest import DATA

from recommender.aurora import AuroraMatcher
from recommender.embedders import FusedEmbedder, blend_glosses, blend_renderings, mix_multilingual
from recommender.goal_model import apply_top_goal_rule
from recommender.korean import Lexicon, Morpheme, PlaceNames, lexicon_terms
from recommender.ranking import hub_scores

SENTENCE = "필리핀 세부시 해안의 해양 플라스틱 쓰레기를 수거하고 분리배출 교육을 실시한다"


def morphemes(*pairs):
    out, start = [], 0
    for form, tag in pairs:
        out.append(Morpheme(form, tag, start, start + len(form)))
        start += len(form)
    return out


def test_longest_match_wins_and_particles_break_compounds():
    entries = {"해양": ("marine",), "쓰레기": ("waste",), "해양쓰레기": ("marine debris",), "수거": ("collection",)}
    lexicon = Lexicon(entries)
    found = lexicon_terms(morphemes(("해양", "NNG"), ("쓰레기", "NNG"), ("를", "JKO"), ("수거", "NNG")), lexicon)
    assert [(t.korean, t.english[0]) for t in found] == [("해양쓰레기", "marine debris"), ("수거", "collection")]
    # a particle between two nouns keeps them apart
    found = lexicon_terms(morphemes(("해양", "NNG"), ("의", "JKG"), ("쓰레기", "NNG")), lexicon)
    assert [t.korean for t in found] == ["해양", "쓰레기"]


def test_unknown_words_are_dropped_and_latin_words_kept():
    found = lexicon_terms(morphemes(("세부", "NNP"), ("GIS", "SL"), ("2030", "SN")), Lexicon({}))
    assert [t.english for t in found] == [("GIS",), ("2030",)]


def test_shipped_lexicon_loads():
    lexicon = Lexicon.load(DATA / "lexicon_ko_en.tsv")
    assert len(lexicon.entries) > 4000
    assert lexicon.get("분리배출")[0] == "waste separation"


@pytest.mark.model
def test_known_sentence_gloss_fires_marine_debris_query():
    from recommender.korean import default_reader

    reader = default_reader()
    gloss = reader.gloss(SENTENCE)
    for term in ("marine plastic", "waste", "collection", "waste separation", "education"):
        assert term in gloss
    targets = pd.read_csv(DATA / "sdg_targets.csv", dtype=str, keep_default_na=False)
    matcher = AuroraMatcher(dict(zip(targets["id"], targets["aurora_query"])))
    hits = matcher.match(reader.gloss(SENTENCE, alternatives=True))
    assert "14.1" in hits
    assert not matcher.match(SENTENCE)  # the queries cannot read the Korean itself


def test_top_goal_rule_marks_at_least_one_goal():
    none = np.zeros(17, dtype=bool)
    assert np.flatnonzero(apply_top_goal_rule(none, 13, "when_none")).tolist() == [12]
    some = none.copy()
    some[5] = True
    assert np.flatnonzero(apply_top_goal_rule(some, 13, "when_none")).tolist() == [5]
    assert np.flatnonzero(apply_top_goal_rule(some, 13, "always")).tolist() == [5, 12]
    assert not apply_top_goal_rule(none, 13, "never").any()


def test_hub_scores_find_the_item_close_to_everything():
    reference = np.eye(4, dtype=np.float32)
    hub = np.full(4, 0.5, dtype=np.float32)  # equally close to every reference text
    items = np.vstack([np.eye(4, dtype=np.float32)[:2], hub / np.linalg.norm(hub)])
    scores = hub_scores(reference, items, k=2)
    np.testing.assert_allclose(scores, [0.5, 0.5, 0.5], atol=1e-6)
    scores = hub_scores(reference, items, k=3)
    assert scores[2] > scores[0] == pytest.approx(1 / 3)


class _Part:
    def __init__(self, languages, value):
        self.languages, self.value, self.dim, self.id = languages, value, 2, "part"

    def encode(self, texts, kind="query"):
        return np.tile(np.asarray(self.value, dtype=np.float32), (len(texts), 1))


def test_blend_glosses_weights_the_english_reading():
    embedder = FusedEmbedder([_Part(frozenset({"en"}), [1.0, 0.0]), _Part(None, [0.0, 1.0])], [0.75, 0.25])
    korean = np.array([[0.0, 0.0, 0.0, 1.0], [0.0, 0.0, 0.6, 0.8]], dtype=np.float32)
    out = blend_glosses(embedder, korean, ["marine debris", None], 0.7)
    np.testing.assert_allclose(out[0], [0.7, 0.0, 0.0, 0.3], atol=1e-6)
    np.testing.assert_allclose(out[1], korean[1])
    assert blend_glosses(embedder, korean, ["x", None], 0.0) is korean


def test_blend_renderings_weights_the_multilingual_reading_of_an_english_text():
    embedder = FusedEmbedder([_Part(frozenset({"en"}), [1.0, 0.0]), _Part(None, [0.0, 1.0])], [0.75, 0.25])
    english = np.array([[0.75, 0.0, 0.0, 0.25], [0.6, 0.0, 0.0, 0.4]], dtype=np.float32)
    out = blend_renderings(embedder, english, ["해양쓰레기", None], 0.2)
    # the original keeps 0.8 of its weight; USE's block gains 0.2 of its reading of the rendering
    np.testing.assert_allclose(out[0], [0.6, 0.0, 0.0, 0.2 + 0.2], atol=1e-6)
    np.testing.assert_allclose(out[1], english[1])
    assert blend_renderings(embedder, english, ["x", None], 0.0) is english


def test_mix_multilingual_mixes_the_gloss_into_the_multilingual_block_at_its_length():
    embedder = FusedEmbedder([_Part(frozenset({"en"}), [1.0, 0.0]), _Part(None, [1.0, 0.0])], [0.75, 0.25])
    # a Korean query after blend_glosses: MiniLM reads the gloss (0.7), USE the Korean (0.3, along [0, 1])
    korean = np.array([[0.7, 0.0, 0.0, 0.3], [0.7, 0.0, 0.0, 0.3]], dtype=np.float32)
    out = mix_multilingual(embedder, korean, ["marine debris", None], 0.5)
    # USE's block: the unit mix of its Korean reading [0, 1] and its gloss reading [1, 0], at length 0.3;
    # MiniLM's block and the row without a gloss are left alone
    half = 0.3 / np.sqrt(2.0)
    np.testing.assert_allclose(out[0], [0.7, 0.0, half, half], atol=1e-6)
    np.testing.assert_allclose(out[1], korean[1])
    np.testing.assert_allclose(mix_multilingual(embedder, korean, ["x", None], 1.0)[0], [0.7, 0.0, 0.3, 0.0], atol=1e-6)
    assert mix_multilingual(embedder, korean, ["x", None], 0.0) is korean


def test_render_korean_reads_the_lexicon_backwards():
    lexicon = Lexicon(
        {
            "해양쓰레기": ("marine debris", "marine litter"),
            "쓰레기": ("waste", "garbage"),
            "생활폐기물": ("waste",),
            "소방차": ("fire trucks",),
            "시설": ("facilities",),
            "수거": ("collection",),
        }
    )
    text = "Collection of marine litter and garbage; 2 fire trucks, a facility for waste (Cebu)."
    # the longest phrase first; an alternative rendering is read too; a singular finds its plural;
    # numbers are kept and words the lexicon lacks (a, of, Cebu) are left out; "waste" is the
    # preferred rendering of two terms and goes to the shorter one
    assert lexicon.render_korean(text) == "수거 해양쓰레기 쓰레기 2 소방차 시설 쓰레기"
    assert lexicon.render_korean("") == ""


def _names():
    governments = pd.DataFrame(
        [
            {"code": "36", "level": "upper", "name_ko": "세종특별자치시", "name_en": "Sejong", "type": "특별자치시"},
            {"code": "48", "level": "upper", "name_ko": "경상남도", "name_en": "Gyeongsangnam-do", "type": "도"},
            {"code": "48120", "level": "basic", "name_ko": "창원시", "name_en": "Changwon-si", "type": "시"},
        ]
    )
    countries = pd.DataFrame(
        [
            {"name_ko": "캄보디아", "name_en": "Cambodia"},
            {"name_ko": "인도네시아", "name_en": "Indonesia"},
            {"name_ko": "수단", "name_en": "Sudan"},
        ]
    )
    cities = pd.DataFrame(
        [
            {"name": "Siem Reap", "name_ko": "시엠레아프|시엠립", "population": "139458"},
            {"name": "Shiraz", "name_ko": "시라즈|시라지", "population": "1249942"},
            {"name": "Da Nang", "name_ko": "다낭", "population": "752493"},
        ]
    )
    return PlaceNames.from_tables(governments, countries, cities)


def test_place_names_with_their_particles_and_short_forms():
    names = _names()
    found = lambda text: [(ko, en) for _, _, ko, en in names.spans(text)]  # noqa: E731
    assert found("세종시는 캄보디아 시엠립주에") == [
        ("세종시", "Sejong"),
        ("캄보디아", "Cambodia"),
        ("시엠립", "Siem Reap"),
    ]
    assert found("경남 창원시와 인도네시아의") == [
        ("경남", "Gyeongsangnam-do"),
        ("창원시", "Changwon-si"),
        ("인도네시아", "Indonesia"),
    ]
    assert found("다낭시 하수 처리") == [("다낭시", "Da Nang")]  # a two-syllable city only with its suffix
    # the start of a longer word is not the place; a country name that is an everyday word is not read
    assert found("시라지간지 지역") == [] and found("수단으로 삼아") == [] and found("다낭 하수") == []


@pytest.mark.model
def test_gloss_reads_names_where_the_lexicon_has_none():
    from recommender.korean import default_reader

    gloss = default_reader().gloss("세종특별자치시는 캄보디아 시엠립주 소방본부에 소방차를 지원한다", names=_names())
    assert gloss.startswith("Sejong Cambodia Siem Reap") and "fire" in gloss
    assert "Sejong" not in default_reader().gloss("세종특별자치시는 소방차를 지원한다")  # names only when asked
