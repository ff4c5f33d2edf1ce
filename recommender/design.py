"""From a ranked result to the aids for designing the project: the Korean project model it falls in
(with what similar projects included that it does not mention), the official indicators of each
ranked target, and the indicators most relevant to the proposal."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from .indicators import IndicatorCatalogue
from .results import Recommendation
from .typology import Typology, model_match


def english_gloss(text: str, text_lang: str) -> str:
    """A Korean text's English gloss (every rendering of each term), '' for an English text."""
    if text_lang != "ko":
        return ""
    from .korean import default_reader

    return default_reader().gloss(text, alternatives=True)


def with_design(
    result: Recommendation,
    typology: Typology,
    indicators: IndicatorCatalogue,
    case_scores: Mapping[str, float],
    top_targets: Sequence[tuple[str, float]],
    text: str,
    text_lang: str,
) -> Recommendation:
    """`result` with its model, each target's indicators and the proposal's indicators filled in.
    `case_scores`: the proposal's score against every catalogue case; `top_targets`: the best-ranked
    targets with their scores, beyond the result's cut."""
    gloss = english_gloss(text, text_lang)
    targets = tuple(replace(t, indicators=indicators.of(t.id)) for t in result.sdg_targets)
    return replace(
        result,
        sdg_targets=targets,
        model=model_match(typology, case_scores, text, gloss, text_lang, result.language),
        indicators=indicators.rank(top_targets, f"{text} {gloss}"),
    )
