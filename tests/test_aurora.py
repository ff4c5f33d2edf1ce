import pytest

from recommender.aurora import AuroraMatcher, QuerySyntaxError, compile_query


def run(query, text):
    return AuroraMatcher({"t": query}).match(text).get("t")


def test_proximity_counts_words_between_terms():
    q = '( "safe" OR "affordab*" ) W/3 ( "housing" )'
    assert run(q, "We build affordable social housing for families") == ["affordab*", "housing"]
    assert run(q, "affordable food, and after many other words, housing") is None


def test_phrase_wildcard_and_not():
    assert run('"missing person*"', "the number of missing persons fell") == ["missing person*"]
    assert run('"disaster*" AND NOT "film"', "a disaster film") is None
    assert run('"disaster*" AND NOT "film"', "disaster relief") == ["disaster*"]


def test_or_binds_tighter_than_and():
    q = '"water" AND "sanitation" OR "toilet*"'
    assert run(q, "water and toilets") == ["toilet*", "water"]
    assert run(q, "sanitation only") is None


def test_every_shipped_query_parses():
    import pandas as pd
    from conftest import DATA

    targets = pd.read_csv(DATA / "sdg_targets.csv", dtype=str, keep_default_na=False)
    matcher = AuroraMatcher(dict(zip(targets["id"], targets["aurora_query"])))
    assert sum(tree is not None for tree in matcher.trees.values()) == 168  # 3.c has no Aurora query
    assert "11.5" in matcher.match("Disaster deaths and economic losses from floods")


def test_bad_query_raises():
    with pytest.raises(QuerySyntaxError):
        compile_query('( "a" OR ')
