"""Reasons say what matched, in the chosen language."""

from recommender.explain import precedent_reason, target_reason


def test_target_reason_lists_the_lending_precedent_keywords_and_words():
    en = target_reason(["disaster*", "fire"], ["fire"], 0.4213, "Sejong: Fire services", "en")
    assert (
        en == "target of similar precedent ‘Sejong: Fire services’; target keywords matched: disaster, fire; "
        "shared words: fire; meaning similarity 0.42"
    )
    ko = target_reason([], ["소방차"], 0.3, None, "ko")
    assert ko == "공통 단어: 소방차; 의미 유사도 0.30"
    # no engine names and no English search terms in a Korean reason
    assert target_reason(["disaster*", "fire"], [], 0.0, None, "ko") == "세부목표 핵심어 2개 일치"


def test_precedent_reason_mentions_the_partner_country():
    assert (
        precedent_reason(["water"], 0.5, True, "Laos", "en")
        == "shared words: water; same partner country (Laos); meaning similarity 0.50"
    )
    assert precedent_reason([], 0.5, False, "", "ko") == "의미 유사도 0.50"
