"""The reviewer's worklist of a call: one row per proposal, in the reader's language, in the order a
reviewer works through it. The app's table and the workbook's summary sheet are both made here, so
they cannot disagree.

Order: the most severe flag first (a duplicate before a weak SDG 11 fit), then the top target's
score; rejected rows last, with their reason in the flags column. Names, not codes: countries,
targets, precedents and governments by name ("부산광역시 서구"), teams by their members' names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .explain import flag_severity, flag_text, message, model_text
from .money import format_krw
from .results import RowError, ScoredProposal

# The worklist's columns, in order: the call's own fields first (as written), then what the
# recommender found. Their headers are messages "col.<name>".
COLUMNS = (
    "id",
    "title",
    "partner_country",
    "partner_city",
    "budget",
    "flags",
    "main_goal",
    "top_target",
    "partner_places",
    "model",
    "partner_needs",
    "top_precedents",
    "top_governments",
    "team",
    "score",
)
TOP_N = 3  # precedents and governments named per proposal


@dataclass(frozen=True)
class CatalogueNames:
    """What codes and ids are called in one language: countries, SDG targets, precedents and
    governments (a basic government with its upper one: "부산광역시 서구", "Seo-gu (Busan)")."""

    lang: str
    countries: Mapping[str, str]
    targets: Mapping[str, str]
    precedents: Mapping[str, str]
    governments: Mapping[str, str]

    @classmethod
    def from_catalogues(cls, catalogues, lang: str) -> CatalogueNames:
        ko = lang == "ko"
        countries = catalogues.countries
        names = countries["name_ko"].where(countries["name_ko"].fillna("") != "", countries["name_en"])
        targets = catalogues.sdg_targets
        precedents = catalogues.precedents
        return cls(
            lang="ko" if ko else "en",
            countries=dict(zip(countries["iso2"], names if ko else countries["name_en"])),
            targets=dict(zip(targets["id"], targets["title_ko" if ko else "title_en"])),
            precedents=dict(zip(precedents["id"], precedents["title_ko" if ko else "title_en"])),
            governments=government_names(catalogues.local_governments, lang),
        )

    def country(self, iso: str | None) -> str:
        return self.countries.get(iso or "", iso or "")

    def government(self, code: str) -> str:
        return self.governments.get(code, code)


def government_names(governments, lang: str) -> dict[str, str]:
    """Code -> the name a reader can place: upper governments by name, basic ones with their upper
    government (부산광역시 서구; Seo-gu (Busan)), since several basic governments share a name."""
    column = "name_ko" if lang == "ko" else "name_en"
    own = dict(zip(governments["code"], governments[column]))
    out = {}
    for code, parent in zip(governments["code"], governments["parent"]):
        name = own[code]
        if parent and parent in own:
            name = f"{own[parent]} {name}" if lang == "ko" else f"{name} ({own[parent]})"
        out[code] = name
    return out


def main_goal(result, lang: str) -> str:
    if result.present_goals:
        return "SDG " + ", ".join(map(str, result.present_goals[:2]))
    closest = max(result.sdg_goals, key=lambda g: g.score)
    return message("ui.closest_goal", lang, goal=closest.goal)


def needs_count(needs, lang: str) -> str:
    """The partner needs a proposal answers, counted by kind ("요청 1 · 국가 중점 분야 2"); the needs
    themselves are in the result's language, so the worklist names only how many."""
    if not needs:
        return message("needs.none_short", lang)
    kinds = [n.kind for n in needs]
    return " · ".join(
        f"{message(f'needs.kind.{kind}', lang)} {kinds.count(kind)}"
        for kind in ("request", "country_priority")
        if kind in kinds
    )


def ordered_flags(flags: Iterable[str]) -> list[str]:
    """Flags most severe first (stable among equals)."""
    return sorted(flags, key=flag_severity, reverse=True)


def flags_in_words(flags: Iterable[str], names: CatalogueNames) -> str:
    """A row's flags as words, most severe first; a precedent is named by its title."""
    words = []
    for flag in ordered_flags(flags):
        kind, _, other = flag.partition(":")
        if kind == "similar_to_precedent" and other in names.precedents:
            flag = f"{kind}:{names.precedents[other]}"
        words.append(flag_text(flag, names.lang))
    return "; ".join(words)


def _row(r: ScoredProposal, names: CatalogueNames) -> dict:
    rec = r.recommendation
    lang = names.lang
    top = rec.sdg_targets[0] if rec.sdg_targets else None
    written = r.written or {}
    team = rec.teams[0] if rec.teams else None
    return {
        "id": r.id,
        "title": r.title or r.text[:60],
        "partner_country": names.country(r.partner_country)
        if r.partner_country
        else written.get("partner_country", ""),
        "partner_city": written.get("partner_city", r.partner_city or ""),
        "budget": written.get("budget") or format_krw(r.budget, lang),
        "partner_places": "; ".join(p.label(lang) for p in rec.partner_places),
        "flags": flags_in_words(r.flags, names),
        "main_goal": main_goal(rec, lang),
        "top_target": f"{top.id} {names.targets.get(top.id, top.title)}" if top else "",
        "model": model_text(rec, lang),
        "partner_needs": needs_count(rec.partner_needs, lang),
        "top_precedents": "; ".join(names.precedents.get(p.id, p.title) for p in rec.precedents[:TOP_N]),
        "top_governments": "; ".join(names.government(g.code) for g in rec.local_governments[:TOP_N]),
        "team": " + ".join(names.government(c) for c in team.codes) if team else "",
        "score": top.score if top else 0.0,
        # not shown: what filters the list
        "_severity": max((flag_severity(f) for f in r.flags), default=0),
        "_flags": sorted({f.partition(":")[0] for f in r.flags}),
        "_country": r.partner_country or "",
        "_row": r.row,
        "_scored": True,
    }


def worklist_key(r: ScoredProposal) -> tuple:
    """Where a scored row stands in the worklist: the most severe flag first, then the top target's
    score, then the row."""
    top = r.recommendation.sdg_targets[0].score if r.recommendation.sdg_targets else 0.0
    return (-max((flag_severity(f) for f in r.flags), default=0), -top, r.row)


def worklist_rows(
    results: Iterable[ScoredProposal], errors: Iterable[RowError], names: CatalogueNames, *, ordered: bool = False
) -> list[dict]:
    """The worklist's rows (keys: COLUMNS, and `_severity`, `_flags`, `_country`, `_row`, `_scored`
    for ordering and filters), in the order a reviewer works (`worklist_key`; `ordered`: the results
    come in that order already); rejected rows last, by row, with their reason as the flag."""
    if not ordered:
        results = sorted(results, key=worklist_key)
    scored = [_row(r, names) for r in results]
    rejected = [
        {
            **{c: "" for c in COLUMNS},
            "id": e.id,
            "flags": message("ui.status_rejected", names.lang, reason=e.reason),
            "score": None,
            "_severity": 0,
            "_flags": [],
            "_country": "",
            "_row": e.row,
            "_scored": False,
        }
        for e in sorted(errors, key=lambda e: e.row)
    ]
    return scored + rejected


def column_header(name: str, lang: str) -> str:
    return message(f"col.{name}", lang)


def names_from_results(results: Iterable[ScoredProposal], lang: str) -> CatalogueNames:
    """Names taken from the results themselves, for a writer given no catalogue (basic governments
    then go without their upper government)."""
    ko = lang == "ko"
    precedents, governments = {}, {}
    for r in results:
        for p in r.recommendation.precedents:
            precedents[p.id] = p.title
        for g in r.recommendation.local_governments:
            governments[g.code] = g.name_ko if ko else g.name_en
    return CatalogueNames("ko" if ko else "en", {}, {}, precedents, governments)
