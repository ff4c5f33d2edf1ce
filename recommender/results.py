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

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "row": self.row,
            **self.recommendation.to_dict(),
            "flags": list(self.flags),
            "input": {
                "title": self.title,
                "text": self.text,
                "partner_country": self.partner_country,
                "budget": self.budget,
            },
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
