"""Typed results. `to_dict()` gives the JSON contract (README "Library"; pinned by tests/test_contract.py).

Every reader in the package (CLI, batch writers, app, evaluation) reads these, so a renamed field
fails loudly at the first reader instead of silently leaving a cell empty.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class GoalDecision:
    goal: int
    present: bool
    score: float


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

    def to_dict(self) -> dict:
        out = asdict(self)
        out["keywords"] = list(self.keywords)
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
        }

    @classmethod
    def from_dict(cls, d: dict) -> Recommendation:
        """The inverse of to_dict (batch results are spooled as JSON lines and read back)."""

        def build(kind, item):
            names = {f.name for f in fields(kind)}
            return kind(**{k: tuple(v) if isinstance(v, list) else v for k, v in item.items() if k in names})

        return cls(
            sdg_goals=tuple(GoalDecision(**g) for g in d["sdg_goals"]),
            sdg_targets=tuple(build(TargetMatch, t) for t in d["sdg_targets"]),
            precedents=tuple(build(PrecedentMatch, p) for p in d["precedents"]),
            local_governments=tuple(build(GovernmentMatch, g) for g in d["local_governments"]),
            teams=tuple(build(TeamSuggestion, t) for t in d.get("teams", [])),
            language=d["language"],
            partner_country=d["partner_country"],
            partner_city=d["partner_city"],
            passages=d["passages"],
            warnings=tuple(d.get("warnings", [])),
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
