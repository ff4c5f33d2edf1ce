"""Typed results. `to_dict()` gives the JSON contract (README "Library"; pinned by tests/test_contract.py).

Every reader in the package (CLI, batch writers, app, evaluation) reads these, so a renamed field
fails loudly at the first reader instead of silently leaving a cell empty.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from .places import PartnerPlace


@dataclass(frozen=True)
class GoalDecision:
    goal: int
    present: bool
    score: float


@dataclass(frozen=True)
class Indicator:
    """An official SDG indicator (UN code, e.g. "11.6.1") of a target, in both languages. `ko_source`
    says whose Korean it is: "kostat" (Statistics Korea's name) or "ours" (our unofficial translation).
    `score` is its relevance to the proposal in `Recommendation.indicators` (0 in a target's list)."""

    code: str
    target: str
    text_en: str
    text_ko: str
    ko_source: str
    score: float = 0.0

    def text(self, lang: str) -> str:
        return self.text_ko if lang == "ko" else self.text_en

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class TargetMatch:
    id: str
    goal: int
    score: float
    is_sdg11: bool
    title: str
    reason: str
    signals: dict[str, float]
    keywords: tuple[str, ...] = ()
    indicators: tuple[Indicator, ...] = ()

    def to_dict(self) -> dict:
        out = asdict(self)
        out["keywords"] = list(self.keywords)
        out["indicators"] = [i.to_dict() for i in self.indicators]
        return out


@dataclass(frozen=True)
class PrecedentMatch:
    id: str
    lg_codes: tuple[str, ...]
    partner_iso2: str
    title: str
    score: float
    reason: str
    signals: dict[str, Any]
    partner_locality: str
    years: str
    domestic: bool
    budget_krw: float | None
    source_url: str

    def to_dict(self) -> dict:
        out = asdict(self)
        out["lg_codes"] = list(self.lg_codes)
        return out


@dataclass(frozen=True)
class GovernmentMatch:
    code: str
    name_en: str
    name_ko: str
    level: str
    score: float
    reason: str
    components: dict[str, Any]
    best_precedent: str | None
    lat: float
    lon: float

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class TeamSuggestion:
    """Two or three governments that together cover a proposal."""

    codes: tuple[str, ...]
    names_en: tuple[str, ...]
    names_ko: tuple[str, ...]
    score: float
    reason: str

    def to_dict(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


@dataclass(frozen=True)
class ComponentSuggestion:
    """Something the model's cases usually include that the proposal does not mention."""

    component: str
    name_en: str
    name_ko: str
    cases: int  # of the model's cases, how many include it
    of: int  # the model's cases
    text: str  # the suggestion in the result's language

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ModelMatch:
    """The Korean project model (data/project_models.csv) nearest to a proposal. When `established`
    is False the proposal has no established model and the fields name the closest one."""

    established: bool
    id: str
    name_en: str
    name_ko: str
    score: float
    cases: tuple[str, ...]  # the model's cases closest to the proposal, best first
    reason: str
    suggestions: tuple[ComponentSuggestion, ...] = ()

    def name(self, lang: str) -> str:
        return self.name_ko if lang == "ko" else self.name_en

    def to_dict(self) -> dict:
        out = asdict(self)
        out["cases"] = list(self.cases)
        out["suggestions"] = [s.to_dict() for s in self.suggestions]
        return out

    @classmethod
    def from_dict(cls, d: dict) -> ModelMatch:
        return cls(
            **{k: v for k, v in d.items() if k not in ("cases", "suggestions")},
            cases=tuple(d.get("cases", [])),
            suggestions=tuple(ComponentSuggestion(**s) for s in d.get("suggestions", [])),
        )


@dataclass(frozen=True)
class NeedMatch:
    """A stated need of the proposal's partner place or country that the proposal answers."""

    id: str
    kind: str  # request (a partner place or country asked) or country_priority (a stated priority sector)
    partner_iso2: str
    place_id: str  # '' for a need of the whole country
    place: str  # the need's place in the result language
    relation: str  # how it bears on the proposal's place: same, contains, province, within, province_mate,
    # country (a need of the whole country) or in_country (the proposal names no place)
    need: str  # what was asked or named, in the result language
    sector: str  # its lines of work in the result language
    lines: tuple[str, ...]
    year: int | None
    requested_of: str
    score: float
    similarity: float  # meaning similarity of the proposal to the need's text
    sector_match: float  # share of the proposal's line of work that is the need's
    evidence_level: str  # case_summary, policy_statement, portfolio_news, older_strategy
    evidence: str  # the evidence level in words
    source_url: str
    sdg_targets: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


@dataclass(frozen=True)
class CountryFit:
    """Whether the partner country is one of Korea's priority partner countries, and whether the
    proposal's line of work is among the priority sectors stated for it."""

    partner_iso2: str | None
    priority_country: bool
    period: str
    priority_sectors: tuple[str, ...]  # the stated priority sectors (result language), () when none stated
    matched_sectors: tuple[str, ...]  # those the proposal's line of work is among
    evidence_level: str
    evidence: str
    source_url: str
    summary: str  # one line in the result language

    def to_dict(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, d: dict | None) -> CountryFit | None:
        if d is None:
            return None
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items()})


@dataclass(frozen=True)
class Recommendation:
    sdg_goals: tuple[GoalDecision, ...]
    sdg_targets: tuple[TargetMatch, ...]
    precedents: tuple[PrecedentMatch, ...]
    local_governments: tuple[GovernmentMatch, ...]
    language: str
    partner_country: str | None
    partner_city: dict | str | None
    passages: int
    warnings: tuple[str, ...] = ()
    teams: tuple[TeamSuggestion, ...] = ()
    model: ModelMatch | None = None
    indicators: tuple[Indicator, ...] = ()  # the indicators most relevant to the proposal, best first
    partner_places: tuple[PartnerPlace, ...] = ()
    partner_needs: tuple[NeedMatch, ...] = ()
    country_fit: CountryFit | None = None

    @property
    def present_goals(self) -> list[int]:
        return [g.goal for g in self.sdg_goals if g.present]

    def goal(self, number: int) -> GoalDecision:
        return self.sdg_goals[number - 1]

    def to_dict(self) -> dict:
        return {
            "sdg_goals": [asdict(g) for g in self.sdg_goals],
            "sdg_targets": [t.to_dict() for t in self.sdg_targets],
            "precedents": [p.to_dict() for p in self.precedents],
            "local_governments": [g.to_dict() for g in self.local_governments],
            "teams": [t.to_dict() for t in self.teams],
            "language": self.language,
            "partner_country": self.partner_country,
            "partner_city": self.partner_city,
            "passages": self.passages,
            "warnings": list(self.warnings),
            "model": self.model.to_dict() if self.model else None,
            "indicators": [i.to_dict() for i in self.indicators],
            "partner_places": [p.to_dict() for p in self.partner_places],
            "partner_needs": [n.to_dict() for n in self.partner_needs],
            "country_fit": self.country_fit.to_dict() if self.country_fit else None,
        }

    @classmethod
    def from_dict(cls, d: dict) -> Recommendation:
        """The inverse of to_dict (batch results are spooled as JSON lines and read back)."""

        def build(kind, item):
            names = {f.name for f in fields(kind)}
            return kind(**{k: tuple(v) if isinstance(v, list) else v for k, v in item.items() if k in names})

        def target(item):
            plain = build(TargetMatch, {k: v for k, v in item.items() if k != "indicators"})
            return replace(plain, indicators=tuple(Indicator(**i) for i in item.get("indicators", [])))

        return cls(
            sdg_goals=tuple(GoalDecision(**g) for g in d["sdg_goals"]),
            sdg_targets=tuple(target(t) for t in d["sdg_targets"]),
            precedents=tuple(build(PrecedentMatch, p) for p in d["precedents"]),
            local_governments=tuple(build(GovernmentMatch, g) for g in d["local_governments"]),
            teams=tuple(build(TeamSuggestion, t) for t in d.get("teams", [])),
            partner_places=tuple(PartnerPlace.from_dict(p) for p in d.get("partner_places", [])),
            language=d["language"],
            partner_country=d["partner_country"],
            partner_city=d["partner_city"],
            passages=d["passages"],
            warnings=tuple(d.get("warnings", [])),
            model=ModelMatch.from_dict(d["model"]) if d.get("model") else None,
            indicators=tuple(Indicator(**i) for i in d.get("indicators", [])),
            partner_needs=tuple(build(NeedMatch, n) for n in d.get("partner_needs", [])),
            country_fit=CountryFit.from_dict(d.get("country_fit")),
        )


@dataclass(frozen=True)
class ScoredProposal:
    """One row of a call: its id and spreadsheet row, what it asked, its recommendation and flags."""

    id: str
    row: int
    recommendation: Recommendation
    flags: tuple[str, ...] = ()
    title: str = ""
    text: str = ""
    partner_country: str | None = None
    budget: float | None = None
    partner_city: str = ""
    sector: str = ""
    # the row's own cells as the call wrote them, by field (title, partner_country, partner_city,
    # sector, budget): the worklist shows them so ("1억 2천만원", not a reformatted number)
    written: dict[str, str] = field(default_factory=dict)

    def to_dict(self, *, everything: bool = False) -> dict:
        """The JSON contract; `everything` also keeps the fields outside it (city, sector, the cells as
        written), for a batch's spool file that is read back with `from_dict`."""
        given = {
            "title": self.title,
            "text": self.text,
            "partner_country": self.partner_country,
            "budget": self.budget,
        }
        if everything:
            given.update(partner_city=self.partner_city, sector=self.sector, written=dict(self.written))
        return {
            "id": self.id,
            "row": self.row,
            **self.recommendation.to_dict(),
            "flags": list(self.flags),
            "input": given,
        }

    @classmethod
    def from_dict(cls, d: dict) -> ScoredProposal:
        given = d.get("input", {})
        return cls(
            id=d["id"],
            row=d["row"],
            recommendation=Recommendation.from_dict(d),
            flags=tuple(d.get("flags", [])),
            title=given.get("title", ""),
            text=given.get("text", ""),
            partner_country=given.get("partner_country"),
            budget=given.get("budget"),
            partner_city=given.get("partner_city", ""),
            sector=given.get("sector", ""),
            written=dict(given.get("written", {})),
        )


@dataclass(frozen=True)
class RowError:
    """A row of a call that could not be scored, with its true line and the reason."""

    row: int
    id: str
    reason: str
    code: str = "input"

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class BatchResult:
    results: list[ScoredProposal] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


# ---------------------------------------------------------------- the officer's view of one government


def _plain(value):
    """Dataclass fields as JSON values: tuples as lists, nested results through their own to_dict."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


class _Plain:
    def to_dict(self) -> dict:
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}


@dataclass(frozen=True)
class Reason(_Plain):
    """Why an opportunity ranks where it does: kind (tie, past_work, family, need, priority, demand,
    experience, profile) and the words."""

    kind: str
    text: str


@dataclass(frozen=True)
class OpportunityPlace(_Plain):
    id: str
    level: str
    name_en: str
    name_ko: str
    lat: float | None
    lon: float | None
    why: tuple[str, ...]  # tie, own, request, family, popularity


@dataclass(frozen=True)
class TargetRef(_Plain):
    id: str
    title: str
    is_sdg11: bool


@dataclass(frozen=True)
class PrecedentRef(_Plain):
    id: str
    title: str
    lg_codes: tuple[str, ...]
    partner_iso2: str
    years: str
    source_url: str


@dataclass(frozen=True)
class TeamPartner(_Plain):
    code: str
    name_en: str
    name_ko: str
    reason: str


@dataclass(frozen=True)
class Opportunity(_Plain):
    """A partner country (and places in it) and a line of work a government could propose next."""

    partner_country: str
    country_name: str
    partner_places: tuple[OpportunityPlace, ...]
    sector: str  # the line of work in the view's language
    line: str  # its key (recommender.lines)
    dac_code: str
    targets: tuple[TargetRef, ...]
    precedents: tuple[PrecedentRef, ...]
    needs: tuple[NeedMatch, ...]
    reasons: tuple[Reason, ...]
    team_partners: tuple[TeamPartner, ...]
    score: float
    features: dict[str, float]


@dataclass(frozen=True)
class GovernmentCase(_Plain):
    id: str
    title: str
    partner_iso2: str
    country: str
    place: str
    years: str
    sector: str
    source_url: str


@dataclass(frozen=True)
class GovernmentTie(_Plain):
    partner_iso2: str
    country: str
    place_id: str
    place: str
    kind: str  # sister, friendship, mou, or '' (not stated by the source)
    kind_text: str
    year: int | None
    source: str
    lat: float | None
    lon: float | None


@dataclass(frozen=True)
class GovernmentView:
    """`recommender for-government`: a government's cases, ties and profile, and its opportunities."""

    code: str
    name_en: str
    name_ko: str
    level: str
    parent_code: str
    parent_name: str
    lat: float
    lon: float
    profile: dict[str, Any]
    cases: tuple[GovernmentCase, ...]
    ties: tuple[GovernmentTie, ...]
    opportunities: tuple[Opportunity, ...]
    language: str

    def to_dict(self) -> dict:
        return {
            "government": {
                "code": self.code,
                "name_en": self.name_en,
                "name_ko": self.name_ko,
                "level": self.level,
                "parent_code": self.parent_code,
                "parent_name": self.parent_name,
                "lat": self.lat,
                "lon": self.lon,
                "profile": dict(self.profile),
                "cases": [c.to_dict() for c in self.cases],
                "ties": [t.to_dict() for t in self.ties],
            },
            "opportunities": [o.to_dict() for o in self.opportunities],
            "language": self.language,
        }
