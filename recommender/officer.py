"""The officer's view of one government (`recommender for-government`, the app's "우리 지자체" page):
its cases, agreements and profile, and its ranked opportunities (`opportunities.py`) with the why,
the SDG targets, the precedents to learn from and possible team partners, in one language.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from .assemble import years as case_years
from .catalogue import Catalogues, split_codes
from .explain import message
from .government_names import GovernmentResolver
from .governments import Tie
from .lines import BY_KEY
from .needs import NeedMatcher, NeedScore, need_matches
from .opportunities import Facts, OpportunityRanker, ScoredOpportunity
from .places import has_hangul
from .results import (
    GovernmentCase,
    GovernmentTie,
    GovernmentView,
    Opportunity,
    OpportunityPlace,
    PrecedentRef,
    Reason,
    TargetRef,
    TeamPartner,
)

TARGETS_PER_OPPORTUNITY = 3
PRECEDENTS_PER_OPPORTUNITY = 3
TEAM_PARTNERS = 3
KIND_ORDER = {"sister": 3, "friendship": 2, "mou": 1, "": 0}


class OfficerView:
    """Made once per recommender (lazily); `view` answers for any of the governments."""

    def __init__(self, cat: Catalogues, context, needs: NeedMatcher, resolver):
        self.cat = cat
        self.context = context
        self.needs = needs
        self.country_resolver = resolver
        self.names = GovernmentResolver(cat.local_governments)
        self.facts = Facts.from_catalogues(cat, context, needs)
        self.ranker = OpportunityRanker(
            self.facts, cat.precedents["id"].tolist(), priority_countries=list(needs.priorities)
        )
        self.case_rows = cat.precedents.to_dict("records")
        self.lg_rows = cat.local_governments.to_dict("records")
        self.position = {r["code"]: i for i, r in enumerate(self.lg_rows)}
        self.profiles = cat.lg_profiles.set_index("code")
        targets = cat.sdg_targets
        self.target_titles = {
            "en": dict(zip(targets["id"], targets["title_en"])),
            "ko": dict(zip(targets["id"], targets["title_ko"].where(targets["title_ko"] != "", targets["title_en"]))),
        }
        self.target_sdg11 = dict(zip(targets["id"], targets["is_sdg11"]))
        self.tie_rows = cat.lg_ties.to_dict("records")
        self.dac_codes = cat.precedents["dac_code"].astype(str).tolist()

    # ------------------------------------------------------------ words and places
    def country(self, iso: str, lang: str) -> str:
        return self.country_resolver.name(iso, lang) if iso else ""

    def place_point(self, iso: str, place_id: str) -> tuple[str, str, str, float | None, float | None]:
        """(English name, Korean name, level, lat, lon) of a gazetteer place; a named place (not in the
        gazetteer) is placed at the place it lies in."""
        gaz = self.facts.gazetteer
        if gaz is None or not place_id:
            return place_id, "", "", None, None
        places = gaz.country(iso)
        own = place_id
        if place_id.startswith("name:"):  # a place the gazetteer lacks, kept by its folded name
            own, _, anchor = place_id.split(":", 2)[2].partition("@")
            row = places.row_of(anchor) if anchor else None
            name = own if has_hangul(own) else own.title()
            if row is None:
                return name, name if has_hangul(own) else "", "village", None, None
            return name, name if has_hangul(own) else "", "village", _number(places.lat[row]), _number(places.lon[row])
        row = places.row_of(place_id)
        if row is None:
            return place_id, "", "", None, None
        return (
            places.name[row],
            places.name_ko[row],
            places.level[row],
            _number(places.lat[row]),
            _number(places.lon[row]),
        )

    def place_name(self, iso: str, place_id: str, lang: str, fallback: str = "") -> str:
        en, ko, _, _, _ = self.place_point(iso, place_id)
        if lang == "ko":
            return ko or fallback or en
        return en if en != place_id or not fallback else fallback

    # ------------------------------------------------------------ the view
    def view(self, code: str, *, top_k: int = 10, lang: str = "ko") -> GovernmentView:
        g = self.position[code]
        row = self.lg_rows[g]
        ranked = self.ranker.rank(g, top_k=top_k)
        parent = row["parent"]
        return GovernmentView(
            code=code,
            name_en=row["name_en"],
            name_ko=row["name_ko"],
            level=row["level"],
            parent_code=parent,
            parent_name=(
                self.lg_rows[self.position[parent]]["name_ko" if lang == "ko" else "name_en"] if parent else ""
            ),
            lat=float(row["lat"]),
            lon=float(row["lon"]),
            profile=self.profile(code),
            cases=self.cases(g, lang),
            ties=self.ties(code, lang),
            opportunities=tuple(self.opportunity(g, o, lang) for o in ranked),
            language=lang,
        )

    def profile(self, code: str) -> dict:
        p = self.profiles.loc[code]

        def value(name):
            v = p.get(name)
            if v is None or (isinstance(v, float) and math.isnan(v)):
                return None
            return v.item() if hasattr(v, "item") else v

        return {
            "population": value("population_2025"),
            "density": value("density_2025"),
            "share_agri_forestry_fishing": value("share_agri_forestry_fishing"),
            "share_manufacturing": value("share_manufacturing"),
            "coastal": bool(value("coastal")),
            "has_airport": bool(value("has_airport")),
            "has_seaport": bool(value("has_seaport")),
            "cases": len([c for c in self.facts.cases_of[self.position[code]] if not self.facts.domestic[c]]),
            "agreements": len(self.facts.ties_of[self.position[code]]),
        }

    def cases(self, g: int, lang: str) -> tuple[GovernmentCase, ...]:
        out = []
        for c in self.facts.cases_of[g]:
            r = self.case_rows[c]
            out.append(
                GovernmentCase(
                    id=r["id"],
                    title=r["title_ko"] if lang == "ko" and r["title_ko"] else r["title_en"],
                    partner_iso2=r["partner_iso2"],
                    country=", ".join(self.country(i, lang) for i in split_codes(r["partner_iso2"])),
                    place=r["partner_locality"],
                    years=case_years(r),
                    sector=r["dac_name_ko"] if lang == "ko" and r.get("dac_name_ko") else r["dac_name"],
                    source_url=r["source_url"],
                )
            )
        return tuple(sorted(out, key=lambda c: (c.years or "9999", c.id), reverse=True))

    def ties(self, code: str, lang: str) -> tuple[GovernmentTie, ...]:
        """Its agreements, by country and place; a place listed more than once (by both tie files, or a
        friendship later made a sister city) shows once, with its strongest kind and that one's year."""
        seen: dict[tuple[str, str], GovernmentTie] = {}
        for r in self.tie_rows:
            if r["code"] != code or not r["partner_iso2"]:
                continue
            iso, place = r["partner_iso2"], r["place_id"]
            key = (iso, place or r["partner_city"])
            year = int(r["year"]) if str(r["year"]).isdigit() else None
            fallback = r.get("partner_city_ko", "") if lang == "ko" else r["partner_city"]
            _, _, _, lat, lon = self.place_point(iso, place)
            tie = GovernmentTie(
                partner_iso2=iso,
                country=self.country(iso, lang),
                place_id=place,
                place=self.place_name(iso, place, lang, fallback or r["partner_city"]) if place else r["partner_city"],
                kind=r["tie_type"],
                kind_text=message(f"tie.{r['tie_type']}", lang),
                year=year,
                source=r["source"],
                lat=lat,
                lon=lon,
            )
            if key not in seen or KIND_ORDER[tie.kind] > KIND_ORDER[seen[key].kind]:
                seen[key] = tie  # a sister city signed after a friendship agreement shows as the sister city
        return tuple(sorted(seen.values(), key=lambda t: (t.country, t.place)))

    # ------------------------------------------------------------ one opportunity
    def opportunity(self, g: int, o: ScoredOpportunity, lang: str) -> Opportunity:
        iso = o.iso2
        places = []
        for p in o.places:
            en, ko, level, lat, lon = self.place_point(iso, p.id)
            if p.tie is not None and (not ko or en == p.id):
                en, ko = p.tie.name_en or en, p.tie.name_ko or ko
            places.append(OpportunityPlace(p.id, level, en, ko, lat, lon, p.why))
        line = BY_KEY.get(o.line)
        needs = need_matches(
            self.needs,
            [
                NeedScore(n, "same" if self.needs.place[n] else "country", 0.0, 1.0, float(self.needs.weight[n]))
                for n in o.needs
            ],
            lang,
        )
        return Opportunity(
            partner_country=iso,
            country_name=self.country(iso, lang),
            partner_places=tuple(places),
            sector=line.name(lang) if line else "",
            line=o.line,
            dac_code=self._dac(o.line, iso),
            targets=self._targets(o, lang),
            precedents=self._precedents(g, o, lang),
            needs=needs,
            reasons=self._reasons(g, o, lang),
            team_partners=self._partners(g, o, lang),
            score=o.score,
            features=dict(o.features),
        )

    def _line_cases(self, line: str) -> list[int]:
        return [c for c, lines in enumerate(self.facts.case_lines) if line in lines and not self.facts.domestic[c]]

    def _dac(self, line: str, iso: str) -> str:
        """The DAC code our cases of that line use most (in the country first)."""
        cases = self._line_cases(line)
        here = [self.dac_codes[c] for c in cases if iso in self.facts.case_countries[c]]
        counts = Counter(here) or Counter(self.dac_codes[c] for c in cases)
        if counts:
            return counts.most_common(1)[0][0]
        return sorted(BY_KEY[line].codes)[0] if line in BY_KEY and BY_KEY[line].codes else ""

    def _targets(self, o: ScoredOpportunity, lang: str) -> tuple[TargetRef, ...]:
        votes: Counter = Counter()
        for c in self._line_cases(o.line):
            weight = 2 if o.iso2 in self.facts.case_countries[c] else 1
            for t in split_codes(self.case_rows[c]["sdg_targets_hint"]):
                votes[t] += weight
        for n in o.needs:
            for t in split_codes(self.needs.rows[n]["sdg_targets"]):
                votes[t] += 2
        ranked = sorted(votes, key=lambda t: (-votes[t], t))[:TARGETS_PER_OPPORTUNITY]
        return tuple(
            TargetRef(t, self.target_titles["ko" if lang == "ko" else "en"].get(t, t), bool(self.target_sdg11.get(t)))
            for t in ranked
            if t in self.target_sdg11
        )

    def _precedents(self, g: int, o: ScoredOpportunity, lang: str) -> tuple[PrecedentRef, ...]:
        place_ids = {p.id for p in o.places}
        gaz = self.facts.gazetteer

        def value(c: int) -> tuple:
            here = o.iso2 in self.facts.case_countries[c]
            at_place = here and any(
                p == q or (gaz is not None and gaz.relation(o.iso2, p, q)[0] >= 0.6)
                for p in place_ids
                for q in self.facts.case_places[c]
            )
            own = g in self.facts.case_lgs[c]
            return (-(2 * at_place + here + 0.5 * (not own)), -int(self.facts.case_year[c]), self.case_rows[c]["id"])

        chosen = sorted(self._line_cases(o.line), key=value)[:PRECEDENTS_PER_OPPORTUNITY]
        out = []
        for c in chosen:
            r = self.case_rows[c]
            out.append(
                PrecedentRef(
                    id=r["id"],
                    title=r["title_ko"] if lang == "ko" and r["title_ko"] else r["title_en"],
                    lg_codes=tuple(split_codes(r["lg_codes"])),
                    partner_iso2=r["partner_iso2"],
                    years=case_years(r),
                    source_url=r["source_url"],
                )
            )
        return tuple(out)

    def _partners(self, g: int, o: ScoredOpportunity, lang: str) -> tuple[TeamPartner, ...]:
        """Other governments that bring what this one lacks there: cases in the country (in the line
        above all), agreements with its places, or family ties."""
        f = self.facts
        value: Counter = Counter()
        why: dict[int, list[str]] = {}
        country = self.country(o.iso2, lang)
        sector = BY_KEY[o.line].name(lang) if o.line in BY_KEY else ""
        for c in range(len(f.case_lgs)):
            if f.domestic[c] or o.iso2 not in f.case_countries[c]:
                continue
            in_line = o.line in f.case_lines[c]
            for h in f.case_lgs[c]:
                if h == g:
                    continue
                value[h] += 1.0 if in_line else 0.4
                text = (
                    message("team.line_cases", lang, country=country, sector=sector)
                    if in_line
                    else message("team.country_cases", lang, country=country)
                )
                why.setdefault(h, [])
                if text not in why[h]:
                    why[h].append(text)
        place_ids = {p.id for p in o.places}
        for t in f.ties:
            if t.iso2 == o.iso2 and t.government != g and t.place_id in place_ids:
                value[t.government] += 0.8
                text = message("team.tie", lang, kind=message(f"tie.{t.kind}", lang), place=self._tie_name(t, lang))
                why.setdefault(t.government, [])
                if text not in why[t.government]:
                    why[t.government].append(text)
        for h in f.family(g):
            if value[h] > 0:
                value[h] += 0.2
        ranked = sorted((h for h in value if value[h] > 0), key=lambda h: (-value[h], f.codes[h]))[:TEAM_PARTNERS]
        return tuple(
            TeamPartner(
                f.codes[h], self.lg_rows[h]["name_en"], self.lg_rows[h]["name_ko"], "; ".join(why.get(h, [])[:2])
            )
            for h in ranked
        )

    def _tie_name(self, t: Tie, lang: str) -> str:
        name = self.place_name(t.iso2, t.place_id, lang, (t.name_ko or t.name_en) if lang == "ko" else t.name_en)
        return name if name and not name.startswith("name:") else (t.name_ko or t.name_en)

    def _reasons(self, g: int, o: ScoredOpportunity, lang: str) -> tuple[Reason, ...]:
        f = self.facts
        country = self.country(o.iso2, lang)
        sector = BY_KEY[o.line].name(lang) if o.line in BY_KEY else ""
        out: list[Reason] = []
        if o.ties:
            best = max(o.ties, key=lambda t: (t.kind == "sister", t.kind == "friendship", -(t.year or 9999)))
            year = f" ({best.year})" if best.year else ""
            more = message("opp.more", lang, n=len(o.ties) - 1) if len(o.ties) > 1 else ""
            out.append(
                Reason(
                    "tie",
                    message(
                        "opp.tie",
                        lang,
                        kind=message(f"tie.{best.kind}", lang),
                        place=self._tie_name(best, lang),
                        year=year,
                        more=more,
                    ),
                )
            )
        if o.own_cases:
            ids = ", ".join(self.case_rows[c]["id"] for c in o.own_cases[:3])
            out.append(Reason("past_work", message("opp.own", lang, n=len(o.own_cases), country=country, cases=ids)))
        for n in o.needs:
            row = self.needs.rows[n]
            if row["kind"] != "request":
                continue
            where = (
                self.place_name(o.iso2, row["place_id"], lang, row["place_ko"] or row["place_en"])
                if row["place_id"]
                else country
            )
            need = row["need_ko"] if lang == "ko" and row["need_ko"] else row["need_en"]
            year = f" ({row['year']})" if row["year"] else ""
            out.append(Reason("need", message("opp.request", lang, place=where, need=need, year=year)))
        if o.iso2 in self.ranker.priority:
            stated = {k for n in self.needs.priority_lines(o.iso2) for k in self.needs.lines[n]}
            key = "opp.priority_line" if o.line in stated else "opp.priority"
            out.append(Reason("priority", message(key, lang, country=country, sector=sector)))
        experience = o.line_parts.get("experience", 0.0)
        if experience > 0 and o.features.get("own", 0) == 0 and f.cases_of[g]:
            out.append(Reason("experience", message("opp.experience", lang, sector=sector, share=experience)))
        if o.family_cases or o.family_ties:
            out.append(Reason("family", message("opp.family", lang, n=len(o.family_cases), m=len(o.family_ties))))
        if o.demand_cases:
            out.append(Reason("demand", message("opp.demand", lang, n=o.demand_cases, country=country)))
        if o.line_parts.get("profile", 0) > 0 and experience == 0:
            out.append(Reason("profile", message("opp.profile", lang, sector=sector)))
        return tuple(out)


def _number(value) -> float | None:
    value = float(value)
    return None if np.isnan(value) else value
