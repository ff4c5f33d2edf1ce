"""Reasons say what matched, in the chosen language."""

from recommender.explain import precedent_reason, target_reason


def test_target_reason_lists_the_lending_precedent_keywords_and_words():
    en = target_reason(["disaster*"], ["fire"], 0.4213, "C001", "en")
    assert (
        en == "target of similar precedent C001; Aurora keywords matched: disaster*; shared words: fire; "
        "meaning similarity 0.42"
    )
    ko = target_reason([], ["소방차"], 0.3, None, "ko")
    assert ko == "공통 단어: 소방차; 의미 유사도 0.30"


def test_precedent_reason_mentions_the_partner_country():
    assert (
        precedent_reason(["water"], 0.5, True, "Laos", "en")
        == "shared words: water; same partner country (Laos); meaning similarity 0.50"
    )
    assert precedent_reason([], 0.5, False, "", "ko") == "의미 유사도 0.50"
