"""Reasons say what matched, in the chosen language."""

from recommender.explain import government_reason, precedent_reason, target_reason
from recommender.ranking import PortfolioWeights


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


def test_government_reason_shows_its_components():
    text = government_reason(
        best_id="C007",
        best_title="Seoul: Water supply",
        best=0.41,
        n_cases=23,
        n_country=3,
        country="Laos",
        weights=PortfolioWeights(),
        lang="en",
    )
    assert (
        text == "best precedent C007 'Seoul: Water supply' (0.41); 23 case(s) in all; 3 in Laos "
        "(score = 0.8×precedent + 0.2×country experience)"
    )
