"""From signals to a typed `Recommendation`: ranking order, top-k cut, reasons in the asked language."""

from __future__ import annotations

import numpy as np

from . import ranking
from .explain import government_reason, message, precedent_reason, target_reason
from .proposal import Proposal
from .results import GoalDecision, GovernmentMatch, PrecedentMatch, Recommendation, TargetMatch
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
                    view.precedent_ids[via] if via >= 0 else None,
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


def governments(
    view: CatalogueView, sig: Signals, iso: str | None, lang: str, top_k: int, weights: ranking.PortfolioWeights
) -> tuple[GovernmentMatch, ...]:
    codes = view.lg_codes
    port = ranking.rank_governments(
        sig.precedent_all,
        view.precedent_lgs,
        view.precedent_countries,
        codes,
        iso,
        weights,
        pairs=view.portfolio_pairs,
        in_country=view.country_mask(iso),
    )
    country = view.resolver.name(iso, lang) if iso else ""
    out = []
    for i in ranking.rank_order(port["score"], codes)[:top_k]:
        row = view.lg_rows[i]
        best = int(port["best_index"][i])
        best_id = view.precedent_ids[best] if best >= 0 else None
        out.append(
            GovernmentMatch(
                code=row["code"],
                name_en=row["name_en"],
                name_ko=row["name_ko"],
                level=row["level"],
                score=round(float(port["score"][i]), 4),
                reason=government_reason(
                    best_id=best_id,
                    best_title=view.precedent_rows[best]["title_ko" if lang == "ko" else "title_en"]
                    if best >= 0
                    else "",
                    best=float(port["best"][i]),
                    n_cases=int(port["n_cases"][i]),
                    n_country=int(port["n_country"][i]),
                    country=country,
                    weights=weights,
                    lang=lang,
                ),
                components={
                    "best_precedent": round(float(port["best"][i]), 4),
                    "country_experience": round(float(port["country_experience"][i]), 4),
                    "n_cases": int(port["n_cases"][i]),
                    "n_cases_in_country": int(port["n_country"][i]),
                },
                best_precedent=best_id,
                lat=float(row["lat"]),
                lon=float(row["lon"]),
            )
        )
    return tuple(out)


def recommendation(
    view: CatalogueView,
    sig: Signals,
    proposal: Proposal,
    probability: np.ndarray,
    present: np.ndarray,
    *,
    lang: str,
    top_k: int,
    config,
    passages: int,
) -> Recommendation:
    query = Terms(proposal.query_text)
    iso = proposal.partner_country
    city = view.resolver.find_city(iso, proposal.partner_city)
    warnings = []
    if proposal.partner_city and city is None:
        where = message("warning.city_where", lang, country=view.resolver.name(iso, lang)) if iso else ""
        warnings.append(message("warning.city", lang, city=proposal.partner_city, where=where))
    return Recommendation(
        sdg_goals=tuple(
            GoalDecision(goal=g, present=bool(present[g - 1]), score=round(float(probability[g - 1]), 4))
            for g in range(1, 18)
        ),
        sdg_targets=targets(view, sig, query, lang, top_k),
        precedents=precedents(view, sig, query, iso, lang, top_k),
        local_governments=governments(view, sig, iso, lang, top_k, config.portfolio),
        language=lang,
        partner_country=iso,
        partner_city=city or proposal.partner_city or None,
        passages=passages,
        warnings=tuple(warnings),
    )
