"""From signals to a typed `Recommendation`: ranking order, top-k cut, reasons in the asked language."""

from __future__ import annotations

import numpy as np

from . import ranking
from .explain import message, precedent_reason, target_reason
from .governments import FEATURES, SAME_AS, GovernmentEvidence, GovernmentModel
from .governments import rank_order as rank_governments
from .places import PartnerPlace
from .proposal import Proposal
from .results import GoalDecision, GovernmentMatch, PrecedentMatch, Recommendation, TargetMatch, TeamSuggestion
from .signals import CatalogueView, Signals
from .text import Terms, shared


def years(row) -> str:
    start, end = (
        ("" if v is None or str(v) in {"<NA>", "nan", ""} else str(v)) for v in (row["year_start"], row["year_end"])
    )
    if start and end and start != end:
        return f"{start}–{end}"
    return start or end


def targets(view: CatalogueView, sig: Signals, query: Terms, lang: str, top_k: int) -> tuple[TargetMatch, ...]:
    out = []
    for i in ranking.rank_order(sig.target_score, view.target_ids)[:top_k]:
        row = view.target_rows[i]
        via = int(sig.target_via[i])
        keywords = sig.keyword_hits.get(row["id"], [])
        out.append(
            TargetMatch(
                id=row["id"],
                goal=int(row["goal"]),
                score=round(float(sig.target_score[i]), 4),
                is_sdg11=bool(row["is_sdg11"]),
                title=row["title_ko"] if lang == "ko" and row["title_ko"] else row["title_en"],
                reason=target_reason(
                    keywords,
                    shared(query, view.target_terms[i]),
                    float(sig.target_dense[i]),
                    view.precedent_title(via, lang) if via >= 0 else None,
                    lang,
                ),
                signals={
                    "dense": round(float(sig.target_dense[i]), 4),
                    "lexical": round(float(sig.target_lexical[i]), 4),
                    "keyword": float(sig.target_keyword[i]),
                    "precedent": round(float(sig.target_precedent[i]), 4),
                },
                keywords=tuple(keywords),
            )
        )
    return tuple(out)


def precedents(
    view: CatalogueView, sig: Signals, query: Terms, iso: str | None, lang: str, top_k: int
) -> tuple[PrecedentMatch, ...]:
    country = view.resolver.name(iso, lang) if iso else ""
    out = []
    for j in ranking.rank_order(sig.precedent_score, view.precedent_ids[sig.precedent_rows])[:top_k]:
        i = int(sig.precedent_rows[j])
        row = view.precedent_rows[i]
        budget = row["budget_krw"]
        out.append(
            PrecedentMatch(
                id=row["id"],
                lg_codes=view.precedent_lgs[i],
                partner_iso2=row["partner_iso2"],
                title=row["title_ko"] if lang == "ko" else row["title_en"],
                score=round(float(sig.precedent_score[j]), 4),
                reason=precedent_reason(
                    shared(query, view.precedent_terms[i]),
                    float(sig.precedent_dense[j]),
                    bool(sig.precedent_in_country[j]),
                    country,
                    lang,
                ),
                signals={
                    "dense": round(float(sig.precedent_dense[j]), 4),
                    "lexical": round(float(sig.precedent_lexical[j]), 4),
                    "same_country": bool(sig.precedent_in_country[j]),
                },
                partner_locality=row["partner_locality"],
                years=years(row),
                domestic=bool(row["domestic"]),
                budget_krw=None if budget is None or np.isnan(budget) else float(budget),
                source_url=row["source_url"],
            )
        )
    return tuple(out)


# Features that a reason may name, and the message each is told with.
REASON_MIN = 0.15  # contribution to the logit below which a feature is not named


def _feature_text(
    feature: str,
    g: int,
    view: CatalogueView,
    ev: GovernmentEvidence,
    iso: str | None,
    places: tuple[PartnerPlace, ...],
    lang: str,
) -> str | None:
    ctx = view.governments
    feature = SAME_AS.get(feature, feature)
    country = view.resolver.name(iso, lang) if iso else ""
    if feature in ("best", "second") and ev.best_case[g] >= 0:
        case = int(ev.best_case[g])
        return message("gov.similar_case", lang, case=view.precedent_title(case, lang), score=float(ev.features[g, 0]))
    if feature == "log_cases" and ev.n_cases[g]:
        return message("gov.cases", lang, n=int(ev.n_cases[g]))
    if feature == "country_cases" and ev.n_country[g]:
        return message("gov.country_cases", lang, country=country, n=int(ev.n_country[g]))
    if feature == "place_case" and ev.place_case[g]:
        place = next((p for p in places if p.id == ev.place_case[g]), None)
        if place is not None:
            return message(
                "gov.place_case", lang, place=place.name_ko or place.name_en if lang == "ko" else place.name_en
            )
    if feature == "tie_place" and ev.tie_place[g] is not None:
        hit = ev.tie_place[g]
        kind, relation = message(f"tie.{hit.tie.kind}", lang), message(f"relation.{hit.relation}", lang)
        if not hit.name(lang):
            return message("gov.tie_place_unnamed", lang, kind=kind, relation=relation)
        return message("gov.tie_place", lang, kind=kind, place=hit.name(lang), relation=relation)
    if feature == "tie_country" and iso and ev.tie_country[g] is not None:
        hit = ev.tie_country[g]
        kind = message(f"tie.{hit.tie.kind}", lang)
        if not hit.name(lang):
            return message("gov.tie_country_unnamed", lang, country=country, kind=kind)
        return message("gov.tie_country", lang, country=country, kind=kind, place=hit.name(lang))
    if feature == "log_ties" and ctx.log_ties[g] > 0:
        return message("gov.log_ties", lang, n=int(round(np.expm1(ctx.log_ties[g]))))
    if feature == "sector":
        return message("gov.sector", lang)
    if feature == "family_best":
        parent = ctx.parent[g]
        if parent < 0:
            return message("gov.family_best_upper", lang)
        return message("gov.family_best_basic", lang, name=ctx.names[lang if lang == "ko" else "en"][parent])
    if feature == "family_country" and iso:
        return message("gov.family_country", lang, country=country)
    if feature == "coastal_marine":
        return message("gov.coastal", lang)
    if feature == "farming_rural":
        return message("gov.farming", lang, share=float(ctx.farming[g]))
    if feature == "size_urban":
        return message("gov.size", lang)
    return None


def lifted_by(contributions: np.ndarray, features: np.ndarray) -> list[str]:
    """Names of the features that raised a government's score, strongest first."""
    order = np.argsort(-contributions)
    return [
        FEATURES[j]
        for j in order
        if contributions[j] >= REASON_MIN and features[j] != 0 and FEATURES[j] not in ("is_upper", "no_cases")
    ]


def government_reason(
    view: CatalogueView,
    ev: GovernmentEvidence,
    g: int,
    contributions: np.ndarray,
    score: float,
    iso: str | None,
    places: tuple[PartnerPlace, ...],
    lang: str,
) -> str:
    parts = []
    for feature in lifted_by(contributions, ev.features[g]):
        text = _feature_text(feature, g, view, ev, iso, places, lang)
        if text and text not in parts:
            parts.append(text)
        if len(parts) == 4:
            break
    if not ev.n_cases[g]:
        parts.append(message("gov.no_case", lang))
    return "; ".join(parts) if parts else message("gov.weak", lang, score=score)


def governments(
    view: CatalogueView,
    ev: GovernmentEvidence,
    model: GovernmentModel,
    iso: str | None,
    places: tuple[PartnerPlace, ...],
    lang: str,
    top_k: int,
) -> tuple[tuple[GovernmentMatch, ...], np.ndarray]:
    contributions = model.contributions(ev.features)
    scores = model.score(ev.features)
    out = []
    for i in rank_governments(scores, view.lg_codes)[:top_k]:
        row = view.lg_rows[i]
        best = int(ev.best_case[i])
        out.append(
            GovernmentMatch(
                code=row["code"],
                name_en=row["name_en"],
                name_ko=row["name_ko"],
                level=row["level"],
                score=round(float(scores[i]), 4),
                reason=government_reason(view, ev, i, contributions[i], float(scores[i]), iso, places, lang),
                components={
                    "best_precedent": round(float(ev.features[i, 0]), 4),
                    "country_experience": round(min(1.0, ev.n_country[i] / 2), 4),
                    "n_cases": int(ev.n_cases[i]),
                    "n_cases_in_country": int(ev.n_country[i]),
                    "tie": _tie_text(ev.tie_place[i] or ev.tie_country[i], lang),
                    "lifted_by": lifted_by(contributions[i], ev.features[i]),
                },
                best_precedent=view.precedent_ids[best] if best >= 0 else None,
                lat=float(row["lat"]),
                lon=float(row["lon"]),
            )
        )
    return tuple(out), scores


def teams(
    view: CatalogueView,
    ev: GovernmentEvidence,
    model: GovernmentModel,
    scores: np.ndarray,
    iso: str | None,
    places: tuple[PartnerPlace, ...],
    lang: str,
    most: int = 3,
) -> tuple[TeamSuggestion, ...]:
    """Two governments that together cover a proposal: an upper government with one of its basic
    governments, or two with complementary strengths (similar cases / partner-country ties)."""
    ctx = view.governments
    order = list(rank_governments(scores, view.lg_codes))
    top = order[:15]
    contributions = model.contributions(ev.features)
    names = ctx.names["ko" if lang == "ko" else "en"]

    def strength(g: int) -> str:
        for feature in lifted_by(contributions[g], ev.features[g]):
            text = _feature_text(feature, g, view, ev, iso, places, lang)
            if text:
                return text
        return message("gov.weak", lang, score=float(scores[g]))

    candidates = []
    rank = {g: r for r, g in enumerate(order)}
    for g in top:  # an upper government and one of its basic governments, both well placed
        p = ctx.parent[g]
        if p >= 0 and rank[p] < 30:
            candidates.append(((float(scores[g]) + float(scores[p])) / 2, (p, g), "family"))
    case_led = [g for g in top if ev.features[g, FEATURES.index("best")] > 0]
    tie_place, tie_country = FEATURES.index("tie_place"), FEATURES.index("tie_country")
    place_led = [g for g in top if ev.features[g, tie_place] or ev.features[g, tie_country] or ev.n_country[g]]
    if case_led and place_led:
        first = case_led[0]
        second = next((g for g in place_led if g != first and ctx.parent[g] != first and ctx.parent[first] != g), None)
        if second is not None:
            candidates.append(((float(scores[first]) + float(scores[second])) / 2, (first, second), "complement"))
    out, seen = [], set()
    for score, (a, b), kind in sorted(candidates, key=lambda c: -c[0]):
        if (a, b) in seen:
            continue
        seen.add((a, b))
        if kind == "family":
            reason = message("team.family", lang, upper=names[a], basic=names[b], a=strength(a), b=strength(b))
        else:
            reason = message("team.complement", lang, first=names[a], second=names[b], a=strength(a), b=strength(b))
        out.append(
            TeamSuggestion(
                codes=(view.lg_codes[a], view.lg_codes[b]),
                names_en=(ctx.names["en"][a], ctx.names["en"][b]),
                names_ko=(ctx.names["ko"][a], ctx.names["ko"][b]),
                score=round(score, 4),
                reason=reason,
            )
        )
        if len(out) == most:
            break
    return tuple(out)


def _tie_text(hit, lang: str) -> str:
    """The tie behind a government's score in words ("자매도시 양곤"), '' when none."""
    if hit is None:
        return ""
    return f"{message(f'tie.{hit.tie.kind}', lang)} {hit.name(lang) or hit.tie.name_en}"


def _partner_city(view: CatalogueView, proposal: Proposal, places: tuple[PartnerPlace, ...]) -> dict | str | None:
    """The map point of the partner place (the most specific place with coordinates), else the city
    as written."""
    for place in places:
        if place.lat is not None:
            return {
                "name": place.name_en,
                "name_ko": place.name_ko,
                "iso2": place.iso2,
                "lat": place.lat,
                "lon": place.lon,
                "geonameid": place.id,
                "level": place.level,
            }
    return view.resolver.find_city(proposal.partner_country, proposal.partner_city) or proposal.partner_city or None


def recommendation(
    view: CatalogueView,
    sig: Signals,
    proposal: Proposal,
    probability: np.ndarray,
    present: np.ndarray,
    evidence: GovernmentEvidence,
    model: GovernmentModel,
    *,
    lang: str,
    top_k: int,
    passages: int,
    places: tuple[PartnerPlace, ...] = (),
    country_from_text: bool = False,
) -> Recommendation:
    query = Terms(proposal.query_text)
    iso = proposal.partner_country
    ranked_governments, government_scores = governments(view, evidence, model, iso, places, lang, top_k)
    warnings = []
    if country_from_text and iso:
        warnings.append(message("warning.country_from_text", lang, country=view.resolver.name(iso, lang)))
    field_places = [p for p in places if p.origin == "field"]
    if proposal.partner_city and not any(p.match != "named" for p in field_places):
        where = message("warning.city_where", lang, country=view.resolver.name(iso, lang)) if iso else ""
        warnings.append(message("warning.city", lang, city=proposal.partner_city, where=where))
    return Recommendation(
        sdg_goals=tuple(
            GoalDecision(goal=g, present=bool(present[g - 1]), score=round(float(probability[g - 1]), 4))
            for g in range(1, 18)
        ),
        sdg_targets=targets(view, sig, query, lang, top_k),
        precedents=precedents(view, sig, query, iso, lang, top_k),
        local_governments=ranked_governments,
        teams=teams(view, evidence, model, government_scores, iso, places, lang),
        language=lang,
        partner_country=iso,
        partner_city=_partner_city(view, proposal, places),
        passages=passages,
        warnings=tuple(warnings),
        partner_places=places,
    )
