"""Words people read: one message catalogue for both languages, the reasons of each match, and the
renderings of a result (plain text for the CLI, Markdown for a draft, rows for tables).

Messages are keyed by id (the gettext idea): core, CLI and app ask `message(id, lang, **values)`
and never branch on the language themselves.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from .results import Recommendation, ScoredProposal

LANGUAGES = ("ko", "en")

MESSAGES: dict[str, dict[str, str]] = {
    # reasons of a target
    "target.via": {"ko": "유사 사례 ‘{case}’의 목표", "en": "target of similar precedent ‘{case}’"},
    # the words are the SDG target's search terms, in English: a Korean reader is told how many matched
    "target.keywords": {"ko": "세부목표 핵심어 {n}개 일치", "en": "target keywords matched: {words}"},
    "shared.words": {"ko": "공통 단어: {words}", "en": "shared words: {words}"},
    "meaning": {"ko": "의미 유사도 {value:.2f}", "en": "meaning similarity {value:.2f}"},
    # reasons of a precedent
    "precedent.same_country": {"ko": "같은 협력국({country})", "en": "same partner country ({country})"},
    # reasons of a government
    # what lifted a government (learned ranker), and teams
    "gov.similar_case": {"ko": "유사 사례 ‘{case}’ ({score:.2f})", "en": "similar case ‘{case}’ ({score:.2f})"},
    "gov.cases": {"ko": "국제협력 사례 {n}건", "en": "{n} cooperation case(s)"},
    "gov.country_cases": {"ko": "{country} 사례 {n}건", "en": "{n} case(s) in {country}"},
    "gov.place_case": {"ko": "{place} 사업 경험", "en": "has worked in {place}"},
    "gov.tie_place": {"ko": "{kind} {place}{relation}", "en": "{kind} {place}{relation}"},
    "gov.tie_country": {"ko": "{country}에 {kind}({place})", "en": "{kind} in {country} ({place})"},
    "gov.ties_country": {"ko": "{country}와 교류 {n}건", "en": "{n} agreement(s) in {country}"},
    "gov.log_ties": {"ko": "해외 교류 협약 {n}건", "en": "{n} agreement(s) with foreign places"},
    "tie.sister": {"ko": "자매도시", "en": "sister city"},
    "tie.friendship": {"ko": "우호도시", "en": "friendship city"},
    "tie.mou": {"ko": "교류협약", "en": "exchange agreement with"},
    "tie.": {"ko": "자매·우호도시", "en": "sister/friendship city"},
    "relation.same": {"ko": "", "en": ""},
    "relation.contains": {"ko": " (대상지가 속한 도시)", "en": " (the city the partner place lies in)"},
    "relation.province": {"ko": " (대상지가 속한 주)", "en": " (the partner place's province)"},
    "relation.within": {"ko": " (대상 지역 안)", "en": " (within the partner area)"},
    "relation.province_mate": {"ko": " (같은 주)", "en": " (in the same province)"},
    "gov.tie_place_unnamed": {"ko": "대상지와 {kind} 관계{relation}", "en": "{kind} of the partner place{relation}"},
    "gov.tie_country_unnamed": {"ko": "{country}에 {kind}", "en": "{kind} in {country}"},
    "gov.sector": {"ko": "같은 분야 사업 경험", "en": "experience in the same sector"},
    "gov.family_best_upper": {"ko": "소속 시·군·구의 유사 사례", "en": "similar cases of its basic governments"},
    "gov.family_best_basic": {"ko": "상위 지자체({name})의 유사 사례", "en": "similar cases of its province ({name})"},
    "gov.family_country": {
        "ko": "같은 권역 지자체의 {country} 경험",
        "en": "its province or districts have worked in {country}",
    },
    "gov.coastal": {"ko": "해안 지자체", "en": "coastal government"},
    "gov.farming": {"ko": "농림어업 비중 {share:.0%}", "en": "farming share {share:.0%}"},
    "gov.size": {"ko": "대도시 행정 규모", "en": "large urban administration"},
    "gov.no_case": {"ko": "목록에 사례 없음", "en": "no case in the catalogue"},
    "gov.weak": {"ko": "뚜렷한 근거 없음 (점수 {score:.2f})", "en": "no strong evidence (score {score:.2f})"},
    "team.family": {
        "ko": "{upper}와 소속 {basic}의 공동 추진 (광역의 {a}, 기초의 {b})",
        "en": "{upper} with its {basic} ({a}; {b})",
    },
    "team.complement": {"ko": "{first}의 {a}와 {second}의 {b}를 결합", "en": "{first} brings {a}; {second} brings {b}"},
    # result texts
    "goals.present": {"ko": "관련 SDG 목표", "en": "SDG goals present"},
    "goals.none": {
        "ko": "기준을 넘은 목표 없음 (가장 가까운 목표: SDG {goal}, 확률 {p:.2f})",
        "en": "none above the threshold (closest: SDG {goal}, probability {p:.2f})",
    },
    "heading.targets": {"ko": "SDG 세부목표", "en": "SDG targets"},
    "heading.precedents": {"ko": "선례", "en": "Precedents"},
    "heading.governments": {"ko": "지방정부", "en": "Local governments"},
    "heading.teams": {"ko": "공동 추진 제안", "en": "Suggested teams"},
    "sdg11.mark": {"ko": " (SDG 11)", "en": " (SDG 11)"},
    "warning": {"ko": "주의", "en": "warning"},
    "warning.city": {
        "ko": "대상지 '{city}'{where}를 지명 목록에서 찾지 못해 적힌 대로 두고 지도에 표시하지 않습니다",
        "en": "partner place {city!r} is not in the gazetteer{where}; it is kept as written but not placed on the map",
    },
    "warning.country_from_text": {
        "ko": "협력국을 본문에서 읽었습니다: {country}",
        "en": "partner country read from the text: {country}",
    },
    "places.label": {"ko": "대상지", "en": "Partner place"},
    "places.from_text": {"ko": " (본문에서)", "en": " (from the text)"},
    "warning.city_where": {"ko": " ({country})", "en": " for {country}"},
    # .xlsx cells without a value to read, in a row that is still scored ("=" stands for a formula saved without its value)
    "warning.cell_id": {
        "ko": "번호 셀 {cell}에 읽을 값이 없어({value}) 행 번호로 이름을 붙였습니다",
        "en": "the id cell {cell} has no value to read ({value}); the row is named by its number",
    },
    "warning.cell_formula": {
        "ko": "셀 {cell}({column})에 값 없이 저장된 수식이 있어 수식 글자를 그대로 읽었습니다",
        "en": "cell {cell} ({column}) holds a formula saved without its value; its formula text was read",
    },
    "warning.cell_blank": {
        "ko": "셀 {cell}({column})에 읽을 값이 없어({value}) 비워 두었습니다",
        "en": "cell {cell} ({column}) has no value to read ({value}); it was left empty",
    },
    "precedents.none_close": {
        "ko": "가까운 선례 없음 (최고 {best:.2f})",
        "en": "no close precedent (best {best:.2f})",
    },
}


# The project model a proposal falls in (typology.py) and its SDG indicators.
MESSAGES.update(
    {
        "heading.model": {"ko": "한국형 사업 모델", "en": "Korean project model"},
        "heading.indicators": {"ko": "SDG 지표", "en": "SDG indicators"},
        "model.reason": {
            "ko": "가장 가까운 사례 {cases} (모델 사례 {n}건, 점수 {score:.2f})",
            "en": "closest cases {cases} ({n} cases in the model, score {score:.2f})",
        },
        "model.none": {
            "ko": "정립된 모델 없음 (가장 가까운 모델: {name}, 점수 {score:.2f})",
            "en": "no established model (closest: {name}, score {score:.2f})",
        },
        "model.usually": {
            "ko": "유사 사업은 보통 {name}{particle} 포함합니다 ({n}건 중 {k}건)",
            "en": "similar projects usually include {name} ({k} of {n} cases)",
        },
        "model.often": {
            "ko": "유사 사업 {n}건 중 {k}건은 {name}{particle} 포함했습니다",
            "en": "{k} of {n} similar projects included {name}",
        },
        "indicator.unofficial": {"ko": " (비공식 번역)", "en": ""},
    }
)

# The draft project design matrix (pdm.py): every text of the document, in the page's language.
MESSAGES.update(
    {
        "pdm.title": {
            "ko": "[초안] 사업설계매트릭스(PDM): {title}",
            "en": "[DRAFT] Project design matrix (PDM): {title}",
        },
        "pdm.untitled": {"ko": "제목 없는 제안", "en": "untitled proposal"},
        "pdm.draft_note": {
            "ko": "이 문서는 유사한 한국 지방정부 사업과 SDG 지표에서 자동으로 만든 초안입니다. 모든 칸을 검토하고 고쳐 쓰세요.",
            "en": "This is a draft made automatically from similar Korean local-government projects and the SDG indicators. Check and rewrite every cell.",
        },
        "pdm.footer": {"ko": "초안 — 검토 후 수정하세요", "en": "Draft — check and edit before use"},
        "pdm.overview": {"ko": "개요", "en": "Overview"},
        "pdm.partner": {"ko": "협력국·도시: {place}", "en": "Partner country and city: {place}"},
        "pdm.unknown_place": {"ko": "미정", "en": "not given"},
        "pdm.model": {"ko": "사업 모델: {name}", "en": "Project model: {name}"},
        "pdm.model_basis": {
            "ko": "근거: 모델 사례 {n}건 중 가장 가까운 사례 {cases}",
            "en": "Basis: of the model's {n} cases, the closest are {cases}",
        },
        "pdm.matrix": {"ko": "사업설계매트릭스", "en": "Design matrix"},
        "pdm.col_level": {"ko": "구분", "en": "Level"},
        "pdm.col_summary": {"ko": "내용", "en": "Narrative summary"},
        "pdm.col_indicators": {"ko": "성과지표", "en": "Indicators"},
        "pdm.col_verification": {"ko": "검증 수단", "en": "Means of verification"},
        "pdm.col_assumptions": {"ko": "외부 조건", "en": "Assumptions"},
        "pdm.goal": {"ko": "상위 목표", "en": "Goal"},
        "pdm.outcome": {"ko": "사업 목표(성과)", "en": "Outcome"},
        "pdm.outputs": {"ko": "산출물", "en": "Outputs"},
        "pdm.activities": {"ko": "활동", "en": "Activities"},
        "pdm.inputs": {"ko": "투입(예산·기간)", "en": "Inputs (budget and duration)"},
        "pdm.goal_text": {"ko": "SDG 세부목표 {id} {title}에 기여", "en": "Contribute to SDG target {id}: {title}"},
        "pdm.goal_indicators": {
            "ko": "협력국의 SDG 지표 {codes} 추이",
            "en": "The partner country's SDG indicators {codes}",
        },
        "pdm.goal_verification": {
            "ko": "협력국 SDG 국가보고서, 유엔 SDG 글로벌 데이터베이스",
            "en": "The partner's national SDG reports, the UN SDG Global Database",
        },
        "pdm.outcome_verification": {
            "ko": "사업 시작·종료 시점 조사, 협력 기관 행정 통계",
            "en": "Baseline and end-line surveys, the partner's administrative statistics",
        },
        "pdm.indicator_local": {"ko": "{code} {text} (사업 지역 기준)", "en": "{code} {text} (in the project area)"},
        "pdm.model_result": {"ko": "{text} (유사 사업의 성과)", "en": "{text} (a result of similar projects)"},
        "pdm.from_model": {
            "ko": "{name} — 제안서에 없음: 유사 사업 {n}건 중 {k}건이 포함 (검토)",
            "en": "{name} — not in the proposal: {k} of {n} similar projects included it (review)",
        },
        "pdm.to_write": {"ko": "(작성 필요)", "en": "(to be written)"},
        "pdm.budget": {"ko": "사업비: {given}", "en": "Budget: {given}"},
        "pdm.budget_given": {"ko": "제안 {amount}", "en": "proposed {amount}"},
        "pdm.budget_none": {"ko": "제안서에 없음", "en": "not in the proposal"},
        "pdm.budget_range": {
            "ko": "유사 사업 예산 중앙값 {median} (사분위 범위 {q1}–{q3}, 예산이 밝혀진 {n}건)",
            "en": "similar projects' median budget {median} (interquartile range {q1}–{q3}, {n} cases stating one)",
        },
        "pdm.budget_no_range": {
            "ko": "유사 사업 가운데 예산을 밝힌 사례 없음 (0건)",
            "en": "no similar project states a budget (n = 0)",
        },
        "pdm.duration": {"ko": "사업 기간: {given}", "en": "Duration: {given}"},
        "pdm.duration_range": {
            "ko": "유사 사업 기간 중앙값 {median}년 (사분위 범위 {q1}–{q3}년, 기간이 밝혀진 {n}건)",
            "en": "similar projects' median duration {median} years (interquartile range {q1}–{q3}, {n} cases stating it)",
        },
        "pdm.duration_no_range": {
            "ko": "유사 사업 가운데 기간을 밝힌 사례 없음 (0건)",
            "en": "no similar project states its years (n = 0)",
        },
        "pdm.money": {"ko": "{amount:,.0f}원", "en": "KRW {amount:,.0f}"},
        "pdm.verification_inputs": {"ko": "사업비 집행 내역, 사업 일정표", "en": "Expenditure records, work plan"},
        "pdm.risks": {
            "ko": "외부 조건과 위험 (유사 사업에서 본 것)",
            "en": "Assumptions and risks seen in similar projects",
        },
        "pdm.risk": {
            "ko": "{risk} (사례 {cases}) → 외부 조건: {assumption}",
            "en": "{risk} (cases {cases}) → assumption: {assumption}",
        },
        "pdm.planned": {
            "ko": "이 모델의 사례 {n}건 중 {k}건은 출처 시점에 아직 계획 단계였습니다 → 외부 조건: 착수 전에 사업비와 협력 기관의 동의가 확정된다",
            "en": "{k} of the model's {n} cases were still plans at their source date → assumption: funding and the partner's agreement are confirmed before work starts",
        },
        "pdm.no_risks": {
            "ko": "유사 사업에서 확인된 위험 없음 — 직접 작성하세요",
            "en": "No risk recorded in similar projects — write them yourself",
        },
        "pdm.precedents": {"ko": "근거 사례와 출처", "en": "Precedents cited and their sources"},
        "pdm.precedent": {"ko": "{id} {title} ({years}) — {source}", "en": "{id} {title} ({years}) — {source}"},
        "pdm.no_source": {"ko": "출처 미상", "en": "no source"},
        "pdm.sources": {
            "ko": "SDG 지표: 유엔 글로벌 지표 체계(A/RES/71/313 부속서, 2025 종합 검토 반영), 한국어 지표명은 통계청 SDG 데이터 플랫폼 번역(‘비공식 번역’ 표시는 우리 번역).",
            "en": "SDG indicators: UN global indicator framework (annex to A/RES/71/313, after the 2025 review); Korean names from Statistics Korea's SDG platform (ours where marked unofficial).",
        },
        "pdm.no_model": {
            "ko": "정립된 모델 없음 — 가장 가까운 모델({name})의 구성은 참고만 하세요",
            "en": "No established model — use the closest model ({name}) for reference only",
        },
    }
)


def object_particle(word: str) -> str:
    """The object particle after a Korean word: 을 after a final consonant, 를 after a vowel (the last
    Hangul syllable outside a closing parenthesis decides; a word without one takes 을(를))."""
    word = re.sub(r"\s*\([^()]*\)\s*$", "", word) or word
    for char in reversed(word):
        if "가" <= char <= "힣":
            return "을" if (ord(char) - 0xAC00) % 28 else "를"
    return "을(를)"


def message(key: str, lang: str, **values) -> str:
    """The message `key` in `lang` (Korean or English), formatted with `values`."""
    try:
        texts = MESSAGES[key]
    except KeyError:
        raise KeyError(f"no message {key!r} in explain.MESSAGES") from None
    return texts["ko" if lang == "ko" else "en"].format(**values)


def _words(words: Iterable[str], limit: int = 4) -> str:
    return ", ".join(list(words)[:limit])


# ---------------------------------------------------------------- reasons


def target_reason(keywords: Iterable[str], words: Sequence[str], dense: float, via: str | None, lang: str) -> str:
    """via: the title of the precedent that lent the target (in `lang`), or None."""
    keywords = list(dict.fromkeys(k.rstrip("*") for k in keywords))
    parts = [message("target.via", lang, case=via)] if via else []
    if keywords:
        parts.append(message("target.keywords", lang, words=_words(keywords), n=len(keywords)))
    if words:
        parts.append(message("shared.words", lang, words=_words(words)))
    if dense >= 0.005 or not parts:  # "meaning similarity 0.00" says nothing
        parts.append(message("meaning", lang, value=dense))
    return "; ".join(parts)


def precedent_reason(words: Sequence[str], dense: float, same_country: bool, country: str, lang: str) -> str:
    parts = [message("shared.words", lang, words=_words(words))] if words else []
    if same_country:
        parts.append(message("precedent.same_country", lang, country=country))
    if dense >= 0.005 or not parts:
        parts.append(message("meaning", lang, value=dense))
    return "; ".join(parts)


# ---------------------------------------------------------------- renderings


def goals_line(result: Recommendation, lang: str) -> str:
    """The goals marked present; when none is, say so and name the closest."""
    present = result.present_goals
    if present:
        return ", ".join(map(str, present))
    closest = max(result.sdg_goals, key=lambda g: g.score)
    return message("goals.none", lang, goal=closest.goal, p=closest.score)


def government_name(g, lang: str) -> str:
    return g.name_ko if lang == "ko" else g.name_en


def places_line(result: Recommendation, lang: str) -> str:
    """ "울란바토르 수흐바타르구; 다낭 (본문에서)": the partner places in the reader's language."""
    return "; ".join(
        p.label(lang) + (message("places.from_text", lang) if p.origin == "text" else "") for p in result.partner_places
    )


def render_text(result: Recommendation, lang: str = "en") -> str:
    """The plain-text table `recommender match` prints."""
    lines = [f"{message('goals.present', lang)}: {goals_line(result, lang)}"]
    if result.partner_places:
        lines.append(f"{message('places.label', lang)}: {places_line(result, lang)}")
    lines += [""] + model_lines(result, lang) + indicator_lines(result, lang) + [message("heading.targets", lang)]
    for i, t in enumerate(result.sdg_targets, 1):
        mark = message("sdg11.mark", lang) if t.is_sdg11 else ""
        lines.append(f"{i:>3}. {t.id:<6} {t.score:.2f}  {t.title}{mark}\n       {t.reason}")
        if t.indicators:
            lines.append(f"       {message('heading.indicators', lang)}: {', '.join(x.code for x in t.indicators)}")
    lines += ["", message("heading.precedents", lang)]
    for i, p in enumerate(result.precedents, 1):
        lines.append(f"{i:>3}. {p.id:<6} {p.score:.2f}  {p.title}\n       {p.reason}")
    lines += ["", message("heading.governments", lang)]
    for i, g in enumerate(result.local_governments, 1):
        lines.append(f"{i:>3}. {g.code:<6} {g.score:.2f}  {g.name_ko} ({g.name_en})\n       {g.reason}")
    if result.teams:
        lines += ["", message("heading.teams", lang)]
        for i, team in enumerate(result.teams, 1):
            names = team.names_ko if lang == "ko" else team.names_en
            lines.append(f"{i:>3}. {' + '.join(names)} {team.score:.2f}\n       {team.reason}")
    lines += ["", message("needs.heading", lang)]
    lines += [f"  - {line}" for line in needs_lines(result, lang)]
    if result.country_fit is not None:
        lines.append(f"  {message('needs.fit', lang)}: {result.country_fit.summary}")
    lines += [f"\n{message('warning', lang)}: {w}" for w in result.warnings]
    return "\n".join(lines)


def model_text(result: Recommendation, lang: str | None) -> str:
    """The model in one cell: its name (`lang`) or id (None), or "no established model" with the closest."""
    model = result.model
    if model is None:
        return ""
    if lang is None:
        return model.id if model.established else f"no_established_model:{model.id}"
    return model.name(lang) if model.established else model.reason


def model_lines(result: Recommendation, lang: str) -> list[str]:
    """The model a proposal falls in, why, and what similar projects included that it does not mention."""
    model = result.model
    if model is None:
        return []
    head = f"{model.name(lang)} ({model.id}, {model.score:.2f})" if model.established else model.reason
    lines = [f"{message('heading.model', lang)}: {head}"]
    if model.established:
        lines.append(f"       {model.reason}")
    lines += [f"       - {s.text}" for s in model.suggestions]
    return lines + [""]


def indicator_lines(result: Recommendation, lang: str) -> list[str]:
    """The indicators most relevant to the proposal, most relevant first."""
    if not result.indicators:
        return []
    lines = [message("heading.indicators", lang)]
    for i, x in enumerate(result.indicators, 1):
        unofficial = message("indicator.unofficial", lang) if x.ko_source == "ours" else ""
        lines.append(f"{i:>3}. {x.code:<8} {x.text(lang)}{unofficial}")
    return lines + [""]


NO_CLOSE_PRECEDENT = 0.4  # a best precedent below this score is "not close"


def render_markdown(title: str, text: str, result: Recommendation, lang: str, top: int = 5) -> str:
    """A one-page summary to attach to a draft. Plain text: the user's words are not interpreted."""
    lines = [
        f"# {title}",
        "",
        text[:1500],
        "",
        f"**{message('goals.present', lang)}:** " + goals_line(result, lang),
        "",
    ]
    if result.model is not None:
        lines += [f"## {message('heading.model', lang)}", "", *[x.strip() for x in model_lines(result, lang)[:-1]], ""]
    if result.indicators:
        lines += [f"## {message('heading.indicators', lang)}", ""]
        lines += [f"{i}. {x.code} {x.text(lang)}" for i, x in enumerate(result.indicators, 1)] + [""]
    lines += [f"## {message('heading.targets', lang)}"]
    lines += [f"{i}. {t.id} {t.title} ({t.score:.2f}) — {t.reason}" for i, t in enumerate(result.sdg_targets[:top], 1)]
    lines += ["", f"## {message('heading.precedents', lang)}"]
    best = max((p.score for p in result.precedents), default=0.0)
    if best < NO_CLOSE_PRECEDENT:
        lines.append(message("precedents.none_close", lang, best=best))
    lines += [
        f"{i}. {p.id} {p.title} ({p.score:.2f})" + (f" — {p.source_url}" if p.source_url.startswith("http") else "")
        for i, p in enumerate(result.precedents[:top], 1)
    ]
    lines += ["", f"## {message('heading.governments', lang)}"]
    lines += [
        f"{i}. {government_name(g, lang)} ({g.score:.2f}) — {g.reason}"
        for i, g in enumerate(result.local_governments[:top], 1)
    ]
    if result.teams:
        lines += ["", f"## {message('heading.teams', lang)}"]
        lines += [
            f"{i}. {' + '.join(t.names_ko if lang == 'ko' else t.names_en)} — {t.reason}"
            for i, t in enumerate(result.teams[:3], 1)
        ]
    return "\n".join(lines) + "\n"


def summary_row(r: ScoredProposal, top_n: int = 3, lang: str | None = None) -> dict:
    """One row per proposal of a call (the `summary` sheet and the `.csv` output). With `lang`, the
    cells a person reads (government names, flags) are in that language; the keys stay the same
    (`column_label` names them)."""
    rec = r.recommendation
    if lang is None:
        governments = ";".join(f"{g.code} {g.name_en}" for g in rec.local_governments[:top_n])
        flags = ";".join(r.flags)
    else:
        governments = ";".join(government_name(g, lang) for g in rec.local_governments[:top_n])
        flags = flags_text(r.flags, lang)
    return {
        "id": r.id,
        "row": r.row,
        "present_goals": ";".join(str(g) for g in rec.present_goals),
        "top_targets": ";".join(t.id for t in rec.sdg_targets[:top_n]),
        "top_precedents": ";".join(p.id for p in rec.precedents[:top_n]),
        "top_local_governments": governments,
        "target_1_score": rec.sdg_targets[0].score if rec.sdg_targets else None,
        "suggested_team": " + ".join(f"{c} {n}" for c, n in zip(rec.teams[0].codes, rec.teams[0].names_en))
        if rec.teams
        else "",
        "partner_places": places_line(rec, lang or "en"),
        "model": model_text(rec, lang),
        "model_suggestions": "; ".join(
            (s.text if lang else s.component) for s in (rec.model.suggestions if rec.model else ())
        ),
        "top_indicators": ";".join(x.code for x in rec.indicators[:top_n]),
        "partner_needs": "; ".join(f"{n.id} {n.need}" for n in rec.partner_needs)
        or message("needs.none_short", lang or rec.language),
        "country_fit": rec.country_fit.summary if rec.country_fit else "",
        "flags": flags,
    }


# Reviewer flags as people read them: "name" or "name:other id" -> message "flag.<name>".
MESSAGES.update(
    {
        "flag.near_duplicate_of": {"ko": "{other}와(과) 거의 같음", "en": "near duplicate of {other}"},
        "flag.duplicate_of": {"ko": "{other}와(과) 똑같음", "en": "exact duplicate of {other}"},
        "flag.exact_duplicate_of": {"ko": "{other}와(과) 똑같음", "en": "exact duplicate of {other}"},
        "flag.similar_to_precedent": {"ko": "선례 ‘{other}’와(과) 매우 비슷함", "en": "very like precedent ‘{other}’"},
        "flag.low_sdg11_alignment": {"ko": "SDG 11 연관성 낮음", "en": "weak SDG 11 fit"},
        "flag.budget_outlier": {"ko": "예산 이상치", "en": "unusual budget"},
        "flag.budget_outlier_call": {"ko": "예산 이상치 (공모 내 비교)", "en": "unusual budget for this call"},
        "flag.duplicate_id": {"ko": "번호 {other} 중복 (내용은 다름)", "en": "reuses id {other} (other content)"},
        "flag.other": {"ko": "기타 검토 표시 ({name})", "en": "other flag ({name})"},
    }
)


# How much a flag asks of a reviewer: the worklist orders rows by their most severe flag, so a
# duplicate comes before a budget to check, and both before a weak SDG 11 fit.
FLAG_SEVERITY = {
    "duplicate_of": 5,
    "exact_duplicate_of": 5,
    "near_duplicate_of": 4,
    "duplicate_id": 4,
    "similar_to_precedent": 3,
    "budget_outlier": 3,
    "budget_outlier_call": 3,
    "low_sdg11_alignment": 1,
}


def flag_severity(flag: str) -> int:
    """5 (a duplicate) down to 1 (a weak SDG 11 fit); 2 for a flag this version does not know."""
    return FLAG_SEVERITY.get(flag.partition(":")[0], 2)


def flag_text(flag: str, lang: str) -> str:
    """A reviewer flag in words: `low_sdg11_alignment` -> "SDG 11 연관성 낮음"."""
    name, _, other = flag.partition(":")
    key = f"flag.{name}"
    if key not in MESSAGES:
        return message("flag.other", lang, name=name)
    return message(key, lang, other=other)


def flag_name(flag: str, lang: str) -> str:
    """The kind of a flag in words, without the other proposal or precedent (for filters)."""
    name = flag.partition(":")[0]
    return flag_text(name + (":…" if name.endswith(("_of", "_precedent")) else ""), lang)


def flags_text(flags: Iterable[str], lang: str) -> str:
    return "; ".join(flag_text(f, lang) for f in flags)


# Partner needs and country fit (needs.py), and the officer's view of a government (opportunities.py).
MESSAGES.update(
    {
        "evidence.case_summary": {
            "ko": "우리 사례 요약에 적힌 요청 (출처 인용, 원문 재확인 안 함)",
            "en": "stated in our case summary, source page cited, not re-read",
        },
        "evidence.policy_statement": {
            "ko": "제3기 중점 분야: 정책협의·협약에서 밝힘 (언론 보도)",
            "en": "3rd-period priorities stated in a policy dialogue or agreement (reported in news)",
        },
        "evidence.portfolio_news": {
            "ko": "현지 KOICA 사업 분야 (언론 보도, 전략 원문 아님)",
            "en": "KOICA's portfolio there as described in news, not the strategy text",
        },
        "evidence.older_strategy": {
            "ko": "이전(1·2기) 국가협력전략 (2차 자료)",
            "en": "an older (1st or 2nd period) country strategy, reported second-hand",
        },
        "fit.no_country": {"ko": "협력국이 정해지지 않음", "en": "no partner country given"},
        "fit.not_priority": {
            "ko": "{country}: 중점협력국 아님 (제3기 2021~2025 목록)",
            "en": "{country} is not one of Korea's priority partner countries (2021–2025 list)",
        },
        "fit.priority_no_sectors": {
            "ko": "{country}: 중점협력국 (2021~2025 목록); 우리 자료에 중점 분야 없음",
            "en": "{country} is a priority partner country (2021–2025 list); no priority sectors in our sources",
        },
        "fit.priority_matched": {
            "ko": "{country}: 중점협력국 (2021~2025 목록); 제안 분야가 중점 분야에 해당: {sectors} ({evidence})",
            "en": "{country} is a priority partner country (2021–2025 list); the proposal's sector is among its "
            "priorities: {sectors} ({evidence})",
        },
        "fit.priority_unmatched": {
            "ko": "{country}: 중점협력국 (2021~2025 목록); 제안 분야는 중점 분야({sectors})에 없음 ({evidence})",
            "en": "{country} is a priority partner country (2021–2025 list); the proposal's sector is not among its "
            "stated priorities ({sectors}; {evidence})",
        },
        "needs.heading": {"ko": "협력국의 요청·중점 분야", "en": "Partner needs"},
        "needs.fit": {"ko": "국가 적합성", "en": "Country fit"},
        "needs.none": {
            "ko": "기록된 요청 없음 (요청 자료는 일부뿐이므로 문제 표시가 아닙니다)",
            "en": "no recorded need (our needs are partial; this is not a flag)",
        },
        "needs.kind.request": {"ko": "요청", "en": "request"},
        "needs.kind.country_priority": {"ko": "국가 중점 분야", "en": "country priority"},
        "needs.item": {"ko": "{need}{place} — {kind}, {evidence}", "en": "{need}{place} — {kind}, {evidence}"},
        "needs.at": {"ko": " ({place})", "en": " ({place})"},
        "needs.none_short": {"ko": "기록된 요청 없음", "en": "no recorded need"},
        "opp.tie": {"ko": "{kind} {place}{year}{more}", "en": "{kind} {place}{year}{more}"},
        "opp.more": {"ko": " 외 {n}건", "en": " and {n} more"},
        "opp.own": {"ko": "{country}에서 사업 {n}건 ({cases})", "en": "{n} past case(s) in {country} ({cases})"},
        "opp.request": {"ko": "{place}의 요청: {need}{year}", "en": "{place} asked for {need}{year}"},
        "opp.priority": {"ko": "{country}: 중점협력국", "en": "{country} is a priority partner country"},
        "opp.priority_line": {
            "ko": "{country}: 중점협력국, 중점 분야에 {sector} 포함",
            "en": "{country} is a priority partner country with {sector} among its priorities",
        },
        "opp.experience": {
            "ko": "{sector} 분야 경험 (사례의 {share:.0%})",
            "en": "its experience in {sector} ({share:.0%} of its cases)",
        },
        "opp.family": {
            "ko": "상위·소속 지자체의 사례 {n}건, 교류 {m}건",
            "en": "its province or districts: {n} case(s), {m} agreement(s) there",
        },
        "opp.demand": {
            "ko": "다른 지자체의 {country} 사례 {n}건",
            "en": "{n} case(s) of other Korean governments in {country}",
        },
        "opp.profile": {"ko": "지역 특성에 맞는 분야: {sector}", "en": "its profile speaks for {sector}"},
        "team.line_cases": {"ko": "{country} {sector} 사례", "en": "{sector} cases in {country}"},
        "team.country_cases": {"ko": "{country} 사례", "en": "cases in {country}"},
        "team.tie": {"ko": "{kind} {place}", "en": "{kind} {place}"},
    }
)


MESSAGES.update(
    {
        "view.level.upper": {"ko": "광역", "en": "upper-level"},
        "view.level.basic": {"ko": "기초", "en": "basic"},
        "view.profile": {
            "ko": "인구 {population} · {coast} · 농림어업 {farming} · 사례 {cases}건 · 교류 협약 {agreements}건",
            "en": "population {population} · {coast} · farming {farming} · {cases} case(s) · {agreements} agreement(s)",
        },
        "view.coastal": {"ko": "해안", "en": "coastal"},
        "view.inland": {"ko": "내륙", "en": "inland"},
        "view.cases": {"ko": "사례", "en": "Cases"},
        "view.no_cases": {
            "ko": "목록에 사례 없음 (교류, 상위·소속 지자체, 지역 특성으로 추천)",
            "en": "no case in the catalogue (opportunities from its agreements, its family and its profile)",
        },
        "view.ties": {"ko": "교류 (국가·도시별)", "en": "Agreements (by country and place)"},
        "view.no_ties": {"ko": "기록된 교류 없음", "en": "no recorded agreement"},
        "view.opportunities": {"ko": "추천 기회", "en": "Opportunities"},
        "view.why": {"ko": "근거", "en": "why"},
        "view.targets": {"ko": "SDG", "en": "SDG targets"},
        "view.precedents": {"ko": "참고 선례", "en": "precedents"},
        "view.needs": {"ko": "협력국 요청·중점 분야", "en": "partner needs"},
        "view.partners": {"ko": "공동 추진 후보", "en": "possible team partners"},
    }
)


def render_government(view, lang: str) -> str:
    """The plain text `recommender for-government` prints (`results.GovernmentView`)."""
    name = view.name_ko if lang == "ko" else view.name_en
    parent = f"{view.parent_name} · " if view.parent_name else ""
    p = view.profile
    population = f"{p['population']:,}" if p.get("population") is not None else "?"
    farming = f"{p['share_agri_forestry_fishing']:.1%}" if p.get("share_agri_forestry_fishing") is not None else "?"
    lines = [
        f"{name} ({view.code}) — {parent}{message(f'view.level.{view.level}', lang)}",
        message(
            "view.profile",
            lang,
            population=population,
            coast=message("view.coastal" if p.get("coastal") else "view.inland", lang),
            farming=farming,
            cases=p.get("cases", 0),
            agreements=p.get("agreements", 0),
        ),
        "",
        message("view.cases", lang),
    ]
    lines += [f"  {c.id:<6} {c.years or '-':<10} {c.country}: {c.title}" for c in view.cases] or [
        "  " + message("view.no_cases", lang)
    ]
    lines += ["", message("view.ties", lang)]
    by_country: dict[str, list[str]] = {}
    for t in view.ties:
        year = f" {t.year}" if t.year else ""
        by_country.setdefault(t.country, []).append(f"{t.place} ({t.kind_text}{year})")
    lines += [f"  {country}: {', '.join(places)}" for country, places in by_country.items()] or [
        "  " + message("view.no_ties", lang)
    ]
    lines += ["", message("view.opportunities", lang)]
    for i, o in enumerate(view.opportunities, 1):
        places = ", ".join((pl.name_ko or pl.name_en) if lang == "ko" else pl.name_en for pl in o.partner_places)
        lines.append(f"{i:>3}. {o.country_name}" + (f" — {places}" if places else "") + f" · {o.sector} {o.score:.2f}")
        lines.append(f"       {message('view.why', lang)}: " + "; ".join(r.text for r in o.reasons))
        if o.targets:
            lines.append(
                f"       {message('view.targets', lang)}: " + ", ".join(f"{t.id} {t.title}" for t in o.targets)
            )
        if o.precedents:
            lines.append(
                f"       {message('view.precedents', lang)}: " + ", ".join(f"{r.id} {r.title}" for r in o.precedents)
            )
        if o.needs:
            lines.append(f"       {message('view.needs', lang)}: " + "; ".join(n.need for n in o.needs))
        if o.team_partners:
            names = [f"{t.name_ko if lang == 'ko' else t.name_en} ({t.reason})" for t in o.team_partners]
            lines.append(f"       {message('view.partners', lang)}: " + "; ".join(names))
    return "\n".join(lines)


def needs_lines(result: Recommendation, lang: str) -> list[str]:
    """The partner needs a result answers, one line each ("no recorded need" when none), and its fit."""
    lines = []
    for n in result.partner_needs:
        place = message("needs.at", lang, place=n.place) if n.place else ""
        kind = message(f"needs.kind.{n.kind}", lang)
        lines.append(message("needs.item", lang, need=n.need, place=place, kind=kind, evidence=n.evidence))
    return lines or [message("needs.none", lang)]


LONG_SHEETS = ("sdg_targets", "precedents", "local_governments", "teams")


# Sheet and column names of a results workbook in each language (io.write_results(lang=...)).
SHEET_KEYS = ("summary", *LONG_SHEETS, "errors")
MESSAGES.update(
    {
        "sheet.summary": {"ko": "요약", "en": "summary"},
        "sheet.sdg_targets": {"ko": "SDG 세부목표", "en": "sdg_targets"},
        "sheet.precedents": {"ko": "선례", "en": "precedents"},
        "sheet.local_governments": {"ko": "지방정부", "en": "local_governments"},
        "sheet.teams": {"ko": "공동 추진 제안", "en": "teams"},
        "sheet.errors": {"ko": "제외된 행", "en": "errors"},
    }
)
COLUMN_NAMES = {
    "id": ("번호", "ID"),
    "row": ("행", "Row"),
    "present_goals": ("관련 SDG 목표", "SDGs served"),
    "top_targets": ("상위 세부목표", "Top targets"),
    "top_precedents": ("상위 선례", "Top precedents"),
    "top_local_governments": ("상위 지방정부", "Top governments"),
    "target_1_score": ("1순위 세부목표 점수", "Score of the top target"),
    "suggested_team": ("공동 추진 제안", "Suggested team"),
    "flags": ("검토 표시", "Flags"),
    "model": ("사업 모델", "Project model"),
    "model_suggestions": ("유사 사업에 있으나 제안에 없는 구성", "What similar projects included"),
    "top_indicators": ("주요 SDG 지표", "Top SDG indicators"),
    "indicators": ("SDG 지표", "SDG indicators"),
    "partner_places": ("대상지", "Partner places"),
    "proposal_id": ("제안 번호", "Proposal"),
    "rank": ("순위", "Rank"),
    "goal": ("목표", "Goal"),
    "score": ("점수", "Score"),
    "is_sdg11": ("SDG 11 여부", "SDG 11"),
    "title": ("제목", "Title"),
    "reason": ("근거", "Why"),
    "keywords": ("키워드", "Keywords"),
    "lg_codes": ("지방정부 코드", "Government codes"),
    "partner_iso2": ("협력국", "Partner country"),
    "governments": ("지방정부", "Governments"),
    "name": ("이름", "Name"),
    "names": ("이름", "Names"),
    "partner_locality": ("지역", "Place"),
    "years": ("기간", "Years"),
    "domestic": ("국내 사례", "Domestic"),
    "budget_krw": ("예산(원)", "Budget (KRW)"),
    "source_url": ("출처", "Source"),
    "code": ("코드", "Code"),
    "name_en": ("영문 이름", "English name"),
    "name_ko": ("한글 이름", "Korean name"),
    "level": ("구분", "Level"),
    "best_precedent": ("가장 가까운 사례", "Best precedent"),
    "lat": ("위도", "Latitude"),
    "lon": ("경도", "Longitude"),
    "names_en": ("영문 이름", "English names"),
    "names_ko": ("한글 이름", "Korean names"),
    "codes": ("코드", "Codes"),
    "partner_needs": ("협력국 요청·중점 분야", "Partner needs"),
    "country_fit": ("국가 적합성", "Country fit"),
}


def sheet_label(key: str, lang: str | None) -> str:
    """A workbook sheet's name; `None` keeps the machine name the CLI writes."""
    return key if lang is None or f"sheet.{key}" not in MESSAGES else message(f"sheet.{key}", lang)


def column_label(key: str, lang: str | None) -> str:
    """A column's header; `None` keeps the machine name the CLI writes."""
    if lang is None or key not in COLUMN_NAMES:
        return key
    return COLUMN_NAMES[key][0 if lang == "ko" else 1]


def long_items(r: ScoredProposal, key: str) -> list[dict]:
    """One row per ranked item of one list (`sdg_targets`, `precedents` or `local_governments`)."""
    items = getattr(r.recommendation, key)
    rows = []
    for rank, item in enumerate(items, start=1):
        flat = {
            k: (";".join(x["code"] if isinstance(x, dict) else x for x in v) if isinstance(v, list) else v)
            for k, v in item.to_dict().items()
            if not isinstance(v, dict)
        }
        rows.append({"proposal_id": r.id, "rank": rank, **flat})
    return rows


# Texts of the app, keyed "ui.<name>"; `ui_labels(lang)` gives them as one dict for a page.
MESSAGES["ui.title"] = {"ko": "도시 간 협력 제안 매칭", "en": "City-to-city proposal matching"}
MESSAGES["ui.page"] = {"ko": "화면", "en": "Page"}
MESSAGES["ui.draft"] = {"ko": "제안서 작성", "en": "Draft a proposal"}
MESSAGES["ui.screen"] = {"ko": "공모 심사", "en": "Screen a call"}
MESSAGES["ui.explore"] = {"ko": "둘러보기", "en": "Explore"}
MESSAGES["ui.caption"] = {
    "ko": "제안 사업을 입력하면 관련 SDG 세부목표, 유사한 선례, 적합한 지방정부를 찾아 드립니다. (오프라인)",
    "en": "Describe a proposed project to see the SDG targets it serves, similar precedents and the Korean local governments best placed to carry it out. (Offline)",
}
MESSAGES["ui.upload_doc"] = {
    "ko": "제안서 파일에서 불러오기 (.txt, .pdf, .docx, .hwpx, .hwp)",
    "en": "Load from a document (.txt, .pdf, .docx, .hwpx, .hwp)",
}
MESSAGES["ui.loaded"] = {
    "ko": "파일의 본문을 사업 내용에 넣었습니다. 확인해 주세요.",
    "en": "The document's text is in the description; please check it.",
}
MESSAGES["ui.p_title"] = {"ko": "사업명", "en": "Title"}
MESSAGES["ui.p_text"] = {"ko": "사업 내용", "en": "Description"}
MESSAGES["ui.p_country"] = {"ko": "대상 국가", "en": "Partner country"}
MESSAGES["ui.p_city"] = {"ko": "대상 도시", "en": "Partner city"}
MESSAGES["ui.p_sector"] = {"ko": "분야", "en": "Sector"}
MESSAGES["ui.p_budget"] = {"ko": "예산(원)", "en": "Budget (KRW)"}
MESSAGES["ui.p_years"] = {"ko": "사업 기간", "en": "Years"}
MESSAGES["ui.submit"] = {"ko": "매칭하기", "en": "Match"}
MESSAGES["ui.empty"] = {"ko": "사업 내용을 입력해 주세요.", "en": "Please enter a description."}
MESSAGES["ui.tab_targets"] = {"ko": "SDG 세부목표", "en": "SDG targets"}
MESSAGES["ui.tab_precedents"] = {"ko": "선례", "en": "Precedents"}
MESSAGES["ui.tab_lgs"] = {"ko": "지방정부", "en": "Local governments"}
MESSAGES["ui.goals_present"] = {"ko": "관련 SDG 목표", "en": "SDGs served"}
MESSAGES["ui.sdg11_in_list"] = {"ko": "SDG 11 세부목표 (순위)", "en": "SDG 11 targets (rank)"}
MESSAGES["ui.none"] = {"ko": "없음", "en": "none"}
MESSAGES["ui.score"] = {"ko": "점수", "en": "Score"}
MESSAGES["ui.no_goal"] = {
    "ko": "기준을 넘은 목표 없음 (가장 가까운 목표: SDG {goal}, 확률 {p:.2f})",
    "en": "none above the threshold (closest: SDG {goal}, probability {p:.2f})",
}
MESSAGES["ui.reason"] = {"ko": "근거", "en": "Why"}
MESSAGES["ui.target"] = {"ko": "세부목표", "en": "Target"}
MESSAGES["ui.goal"] = {"ko": "목표", "en": "Goal"}
MESSAGES["ui.text"] = {"ko": "내용", "en": "Text"}
MESSAGES["ui.precedent"] = {"ko": "사례", "en": "Case"}
MESSAGES["ui.government"] = {"ko": "지방정부", "en": "Government"}
MESSAGES["ui.country"] = {"ko": "협력국", "en": "Partner"}
MESSAGES["ui.place"] = {"ko": "지역", "en": "Place"}
MESSAGES["ui.years"] = {"ko": "기간", "en": "Years"}
MESSAGES["ui.budget"] = {"ko": "예산(원)", "en": "Budget (KRW)"}
MESSAGES["ui.source"] = {"ko": "출처", "en": "Source"}
MESSAGES["ui.components"] = {"ko": "구성 (사례 / 협력국 경험)", "en": "Components (case / partner-country experience)"}
MESSAGES["ui.best"] = {"ko": "가장 가까운 사례", "en": "Best precedent"}
MESSAGES["ui.in_country"] = {"ko": "협력국 사례 수", "en": "Cases in partner country"}
MESSAGES["ui.download"] = {"ko": "결과 내려받기 (.xlsx)", "en": "Download results (.xlsx)"}
MESSAGES["ui.summary"] = {"ko": "한 장 요약 (.md)", "en": "One-page summary (.md)"}
MESSAGES["ui.loading"] = {"ko": "모델과 색인을 불러오는 중…", "en": "Loading model and indexes…"}
MESSAGES["ui.no_choice"] = {"ko": "(선택 안 함)", "en": "(none)"}
MESSAGES["ui.error"] = {"ko": "입력 오류", "en": "Input error"}
MESSAGES["ui.map"] = {
    "ko": "지도: 대상 도시(빨강)와 후보 지방정부(파랑)",
    "en": "Map: partner city (red) and candidate governments (blue)",
}
MESSAGES["ui.placeholder"] = {
    "ko": "예: 캄보디아 바탐방주 소방본부에 소방차를 지원하고 소방관 역량을 강화하는 사업",
    "en": "e.g. Fire trucks and firefighter training for Battambang Province, Cambodia",
}
MESSAGES["ui.upload_call"] = {
    "ko": "공모 제안 목록 (.csv, .xlsx, .jsonl, .parquet)",
    "en": "Proposals of a call (.csv, .xlsx, .jsonl, .parquet)",
}
MESSAGES["ui.scored"] = {"ko": "{n}건 분석, {e}건 제외", "en": "{n} scored, {e} rejected"}
MESSAGES["ui.rejected"] = {"ko": "분석하지 못한 행", "en": "Rows that could not be scored"}
MESSAGES["ui.flag"] = {"ko": "검토 표시", "en": "Flags"}
MESSAGES["ui.filter_flag"] = {"ko": "검토 표시로 거르기", "en": "Filter by flag"}
MESSAGES["ui.filter_country"] = {"ko": "협력국으로 거르기", "en": "Filter by partner country"}
MESSAGES["ui.detail"] = {"ko": "제안 상세 보기", "en": "Open one proposal"}
MESSAGES["ui.download_call"] = {"ko": "심사 결과 내려받기 (.xlsx)", "en": "Download screening results (.xlsx)"}
MESSAGES["ui.too_big"] = {
    "ko": "파일이 {mb} MB를 넘습니다. 나누어 올려 주세요.",
    "en": "The file is over {mb} MB; split it.",
}
MESSAGES["ui.too_many"] = {
    "ko": "행이 {n}개를 넘습니다. 명령줄의 `recommender score`를 쓰세요.",
    "en": "Over {n} rows; use `recommender score` on the command line.",
}
MESSAGES["ui.precedents"] = {"ko": "선례 목록", "en": "Precedent catalogue"}
MESSAGES["ui.governments"] = {"ko": "지방정부", "en": "Local governments"}
MESSAGES["ui.cases"] = {"ko": "사례 수", "en": "Cases"}
MESSAGES["ui.sector"] = {"ko": "분야", "en": "Sector"}
MESSAGES["ui.filter_sector"] = {"ko": "분야로 거르기", "en": "Filter by sector"}
MESSAGES["ui.filter_lg"] = {"ko": "지방정부로 거르기", "en": "Filter by government"}
MESSAGES["ui.level"] = {"ko": "구분", "en": "Level"}
# Access (recommender/access.py): the password form is shown in both languages, before the language switch.
MESSAGES["ui.access_title"] = {"ko": "공유 서버: 비밀번호가 필요합니다", "en": "Shared server: password required"}
MESSAGES["ui.access_password"] = {"ko": "비밀번호", "en": "Password"}
MESSAGES["ui.access_submit"] = {"ko": "열기", "en": "Open"}
MESSAGES["ui.access_wrong"] = {"ko": "비밀번호가 맞지 않습니다", "en": "Wrong password"}
MESSAGES["ui.access_refused"] = {
    "ko": "다른 컴퓨터에서 열 수 있는 주소로 실행되었지만 비밀번호가 설정되지 않았습니다. {env}를 설정하거나 127.0.0.1로 실행하세요",
    "en": "The app listens on an address other computers can reach, but no password is set. Set {env} or serve on 127.0.0.1",
}
MESSAGES["ui.access_local"] = {"ko": "이 컴퓨터에서만 열립니다", "en": "Only this computer can open this page"}
MESSAGES["ui.access_shared"] = {
    "ko": "공유 서버({address}): 비밀번호를 아는 사람만 열 수 있습니다",
    "en": "Shared server ({address}): only people with the password can open this page",
}


# Headers of the worklist (recommender/worklist.py): the app's table and the workbook's summary.
MESSAGES.update(
    {
        "col.id": {"ko": "번호", "en": "No."},
        "col.title": {"ko": "사업명", "en": "Title"},
        "col.partner_country": {"ko": "협력국", "en": "Partner country"},
        "col.partner_city": {"ko": "대상도시", "en": "Partner city"},
        "col.budget": {"ko": "예산", "en": "Budget"},
        "col.partner_places": {"ko": "대상지 (읽은 곳)", "en": "Partner place (as read)"},
        "col.model": {"ko": "사업 모델", "en": "Project model"},
        "col.partner_needs": {"ko": "상대 측 요청·중점 분야", "en": "Partner needs answered"},
        "col.flags": {"ko": "검토 표시", "en": "Flags"},
        "col.main_goal": {"ko": "주요 목표", "en": "Main goal"},
        "col.top_target": {"ko": "1순위 세부목표", "en": "Top target"},
        "col.top_precedents": {"ko": "유사 선례", "en": "Closest precedents"},
        "col.top_governments": {"ko": "추천 지방정부", "en": "Suggested governments"},
        "col.team": {"ko": "공동 추진 제안", "en": "Suggested team"},
        "col.score": {"ko": "점수", "en": "Score"},
        "level.upper": {"ko": "광역", "en": "province or metropolitan city"},
        "level.basic": {"ko": "기초", "en": "city, county or district"},
    }
)


MESSAGES.update(
    {
        "ui.col_id": {"ko": "번호", "en": "No."},
        "ui.main_goal": {"ko": "주요 목표", "en": "Main goal"},
        "ui.top_target": {"ko": "1순위 세부목표", "en": "Top target"},
        "ui.top_government": {"ko": "1순위 지방정부", "en": "Top government"},
        "ui.status": {"ko": "상태", "en": "Status"},
        "ui.status_scored": {"ko": "분석함", "en": "scored"},
        "ui.status_rejected": {"ko": "제외: {reason}", "en": "rejected: {reason}"},
        "ui.closest_goal": {
            "ko": "(기준 미달, 가장 가까운 목표 SDG {goal})",
            "en": "(none passes; closest SDG {goal})",
        },
        "ui.no_close": {"ko": "가까운 선례 없음 (최고 {best:.2f})", "en": "No close precedent (best {best:.2f})"},
        "ui.upload_hint": {
            "ko": "파일을 끌어다 놓거나 누르세요. 파일당 {mb} MB까지.",
            "en": "Drag a file here or click. Up to {mb} MB per file.",
        },
        "ui.drop_here": {"ko": "파일을 여기에 끌어다 놓으세요", "en": "Drag and drop files here"},
        "ui.browse": {"ko": "파일 선택", "en": "Browse files"},
        "ui.limit": {"ko": "파일당 {mb} MB까지", "en": "Up to {mb} MB per file"},
        "ui.choose": {"ko": "선택하세요", "en": "Choose"},
        "ui.upload_docs": {
            "ko": "또는 제안서 문서 여러 개나 .zip 묶음 (.txt, .pdf, .docx, .hwpx, .hwp)",
            "en": "Or several proposal documents, or a .zip of them (.txt, .pdf, .docx, .hwpx, .hwp)",
        },
        "ui.documents_read": {
            "ko": "문서 {n}개를 제안으로 읽었고 {e}개는 읽지 못했습니다.",
            "en": "{n} documents read as proposals; {e} could not be read.",
        },
        "ui.detail_text": {"ko": "제안 내용", "en": "Proposal text"},
        "ui.detail_flags": {"ko": "검토 표시", "en": "Flags"},
        "ui.no_flags": {"ko": "검토 표시 없음", "en": "No flags"},
        "ui.pdf": {"ko": "한 장 요약 (.pdf)", "en": "One-page summary (.pdf)"},
        "ui.pdf_font_missing": {
            "ko": "이 설치본에 PDF용 글꼴이 빠져 있어 PDF를 만들 수 없습니다. .md 요약을 내려받으세요.",
            "en": "This installation lacks the PDF's font, so no PDF can be made; download the .md summary instead.",
        },
        "ui.stale": {
            "ko": "입력이 바뀌었습니다. '매칭하기'를 눌러 다시 분석하세요.",
            "en": "The inputs changed; press 'Match' to run it again.",
        },
        "ui.error_detail": {"ko": "원래 메시지", "en": "Original message"},
        "ui.city_point": {"ko": "대상 도시", "en": "Partner city"},
        "ui.map_explore": {
            "ko": "지도: 거른 선례의 지방정부 (원 크기 = 사례 수)",
            "en": "Map: governments of the filtered precedents (size = number of cases)",
        },
        "ui.map_none": {"ko": "지도에 표시할 위치가 없습니다.", "en": "Nothing to place on the map."},
        "ui.unknown": {"ko": "미상", "en": "unknown"},
        "ui.domestic": {"ko": "국내", "en": "domestic"},
        "ui.teams": {"ko": "공동 추진 제안", "en": "Suggested teams"},
        "ui.tie": {"ko": "자매·우호도시", "en": "Sister/friendship city"},
        "ui.model": {"ko": "한국형 사업 모델", "en": "Korean project model"},
        "ui.indicators": {"ko": "SDG 지표 (제안과 관련이 큰 순)", "en": "SDG indicators (most relevant first)"},
        "ui.indicator": {"ko": "지표", "en": "Indicator"},
        "ui.code": {"ko": "코드", "en": "Code"},
        "ui.pdm": {"ko": "사업설계매트릭스 초안 (.docx)", "en": "Draft design matrix (.docx)"},
        "ui.call_kept": {
            "ko": "심사 중인 공모: {name} (다른 파일을 올리면 바뀝니다)",
            "en": "Call under review: {name} (upload another file to replace it)",
        },
        "ui.call_clear": {"ko": "공모 닫기", "en": "Close the call"},
        "ui.read_in_full": {"ko": "근거 전체 보기", "en": "Read in full"},
    }
)
# Errors the app shows (ui.error_text maps the library's English InputError texts to these).
MESSAGES.update(
    {
        "err.country": {
            "ko": "협력국 '{value}'을(를) 알 수 없습니다. 국가 코드(예: KH)나 한국어 국가 이름(예: 캄보디아)으로 적어 주세요.",
            "en": "Partner country '{value}' is not known: give an ISO code (e.g. KH), an English name (Cambodia) or a Korean name (캄보디아).",
        },
        "err.empty_text": {
            "ko": "사업 내용이 비어 있거나 글자가 없습니다. 무엇을, 어디서, 누구를 위해 하는지 적어 주세요.",
            "en": "The description is empty or has no words: say what, where and for whom.",
        },
        "err.too_long": {
            "ko": "사업 내용이 {n}자로 너무 깁니다. {most}자까지만 읽으니 사업 설명만 남겨 주세요.",
            "en": "The description has {n} characters; at most {most} are read. Keep the project description only.",
        },
        "err.binary": {
            "ko": "사업 내용이 글이 아니라 이진 데이터로 보입니다. 글로 적거나 문서 파일을 올려 주세요.",
            "en": "The description looks like binary data, not text; type it or upload the document.",
        },
        "err.budget_number": {
            "ko": "예산은 금액으로 적어 주세요 (예: 300000000, 3억 원, 1억 2천만 원).",
            "en": "The budget must be an amount in KRW (e.g. 300000000, 300,000,000 KRW or 3억 원).",
        },
        "err.budget_negative": {"ko": "예산은 0 이상이어야 합니다.", "en": "The budget must be zero or more."},
        "err.no_text_column": {
            "ko": "사업 내용 열을 찾지 못했습니다. 열 이름을 '사업내용' 또는 '사업개요'로 해 주세요.",
            "en": "No description column: name it 'text' or 'description' (or 사업내용).",
        },
        "err.encoding": {
            "ko": "파일의 글자 인코딩을 읽을 수 없습니다 (UTF-8이나 CP949가 아님). UTF-8로 저장해 주세요.",
            "en": "The file is neither UTF-8 nor CP949 text; save it as UTF-8.",
        },
        "err.table_type": {
            "ko": "표 파일은 .csv, .xlsx, .jsonl, .parquet이어야 합니다.",
            "en": "A table must be .csv, .xlsx, .jsonl or .parquet.",
        },
        "err.doc_type": {
            "ko": "지원하지 않는 문서 형식입니다 (.txt, .pdf, .docx, .hwpx, .hwp만 읽습니다).",
            "en": "Not a supported document (.txt, .pdf, .docx, .hwpx and .hwp are read).",
        },
        "err.file_password": {
            "ko": "암호가 걸린 파일이라 읽을 수 없습니다. 암호를 풀고 다시 저장해 올려 주세요.",
            "en": "The file is password-protected; remove the password, save it and upload it again.",
        },
        "err.hwp_password": {
            "ko": "암호가 걸린 한글 문서라 읽을 수 없습니다. 한글에서 문서 암호를 풀고 다시 저장해 주세요.",
            "en": "The .hwp is password-protected; remove the password in Hangul and save it again.",
        },
        "err.hwp_distribution": {
            "ko": "배포용 문서라 본문이 암호화되어 있습니다. 원본 파일을 받아 주세요.",
            "en": "A distribution document (text encrypted for viewing only); ask for the original file.",
        },
        "err.hwp_drm": {
            "ko": "DRM이나 인증서로 보호된 문서라 읽을 수 없습니다. 보호를 푼 사본을 올려 주세요.",
            "en": "The document is protected by DRM or a certificate; upload an unprotected copy.",
        },
        "err.hwp_version": {
            "ko": "HWP 5 형식이 아닌 오래된 한글 문서입니다. 한글에서 .hwp나 .hwpx로 다시 저장해 주세요.",
            "en": "Not an HWP 5 document; save it again in Hangul as .hwp or .hwpx.",
        },
        "err.bomb": {
            "ko": "압축을 풀면 지나치게 커지는 파일이라 거부했습니다 (압축 폭탄 의심).",
            "en": "The file unpacks to far more than it holds (a decompression bomb?); refused.",
        },
        "err.pdf_scan": {
            "ko": "PDF에 글자 층이 없습니다 (스캔본?). OCR을 하거나 내용을 붙여 넣어 주세요.",
            "en": "The PDF has no text layer (a scan?); run OCR or paste the text.",
        },
        "err.too_big_file": {"ko": "파일이 {mb} MB를 넘습니다.", "en": "The file is over {mb} MB."},
        "err.xml_entities": {
            "ko": "문서의 XML에 외부 참조가 있어 거부했습니다. 워드프로세서에서 다시 저장해 주세요.",
            "en": "The document's XML declares entities or external references; save it again.",
        },
        "err.no_text": {"ko": "문서에서 글을 찾지 못했습니다.", "en": "No text found in the document."},
        "err.damaged": {
            "ko": "파일이 손상되었거나 잘렸거나, 이름과 다른 형식입니다. 원본을 다시 저장해 올려 주세요.",
            "en": "The file is damaged, truncated or not of the type its name says; save it again and upload it.",
        },
        "err.other": {"ko": "이 입력은 처리할 수 없습니다.", "en": "This input cannot be used."},
        "err.upload_too_big": {
            "ko": "{name}: {size:.1f} MB로 {mb} MB 한도를 넘습니다. 나누어 올리거나 명령줄의 'recommender score'를 쓰세요.",
            "en": "{name}: {size:.1f} MB is over the {mb} MB limit; split it or use 'recommender score'.",
        },
        "err.wrong_kind": {
            "ko": "{name}: 이 파일은 {kind}이며 {expected} 파일이 아닙니다.",
            "en": "{name}: this is {kind}, not a {expected} file.",
        },
        "err.too_many_documents": {
            "ko": "문서가 {n}개를 넘습니다. 명령줄의 'recommender score 폴더'를 쓰세요.",
            "en": "Over {n} documents; use 'recommender score FOLDER' on the command line.",
        },
        "kind.png": {"ko": "이미지(PNG)", "en": "an image (PNG)"},
        "kind.jpeg": {"ko": "이미지(JPEG)", "en": "an image (JPEG)"},
        "kind.gif": {"ko": "이미지(GIF)", "en": "an image (GIF)"},
        "kind.webp": {"ko": "이미지(WebP)", "en": "an image (WebP)"},
        "kind.pdf": {"ko": "PDF 문서", "en": "a PDF document"},
        "kind.zip": {"ko": "ZIP 묶음(또는 .xlsx/.docx/.hwpx)", "en": "a ZIP archive (or .xlsx/.docx/.hwpx)"},
        "kind.ole": {"ko": "MS Office 97 또는 HWP 문서", "en": "an Office 97 or HWP document"},
        "kind.parquet": {"ko": "Parquet 표", "en": "a Parquet table"},
        "kind.gzip": {"ko": "gzip 압축 파일", "en": "a gzip archive"},
        "kind.rar": {"ko": "RAR 압축 파일", "en": "a RAR archive"},
        "kind.7z": {"ko": "7z 압축 파일", "en": "a 7z archive"},
        "kind.text": {"ko": "글(텍스트) 파일", "en": "a text file"},
    }
)


MESSAGES.update(
    {
        "ui.our_government": {"ko": "우리 지자체", "en": "Our government"},
        "ui.pick_government": {
            "ko": "지방정부 (이름을 입력해 찾기)",
            "en": "Local government (type to search)",
        },
        "ui.gov_caption": {
            "ko": "우리 지자체의 사례·교류·특성과, 다음에 제안할 만한 협력국·지역·분야입니다.",
            "en": "Your government's cases, agreements and profile, and where and on what it could propose next.",
        },
        "ui.population": {"ko": "인구", "en": "Population"},
        "ui.agreements": {"ko": "교류 협약", "en": "Agreements"},
        "ui.coast": {"ko": "해안 여부", "en": "Coast"},
        "ui.yes": {"ko": "예", "en": "yes"},
        "ui.no": {"ko": "아니요", "en": "no"},
        "ui.opportunities": {"ko": "추천 기회", "en": "Opportunities"},
        "ui.rank": {"ko": "순위", "en": "Rank"},
        "ui.places": {"ko": "대상 지역", "en": "Places"},
        "ui.kind": {"ko": "구분", "en": "Kind"},
        "ui.year": {"ko": "연도", "en": "Year"},
        "ui.cases_of": {"ko": "우리 사례", "en": "Our cases"},
        "ui.ties_of": {"ko": "교류 도시", "en": "Agreements"},
        "ui.opportunity_detail": {"ko": "기회 자세히 보기", "en": "Open one opportunity"},
        "ui.targets_served": {"ko": "기여할 SDG 세부목표", "en": "SDG targets it would serve"},
        "ui.learn_from": {"ko": "참고할 선례", "en": "Precedents to learn from"},
        "ui.team_partners": {"ko": "공동 추진 후보", "en": "Possible team partners"},
        "ui.partner_needs": {"ko": "협력국의 요청·중점 분야", "en": "Partner needs"},
        "ui.country_fit": {"ko": "국가 적합성", "en": "Country fit"},
        "ui.map_government": {
            "ko": "지도: 우리 지자체(파랑), 교류 도시(초록), 추천 지역(빨강)",
            "en": "Map: the government (blue), its agreements (green), suggested places (red)",
        },
        "ui.no_cases_of": {
            "ko": "목록에 사례가 없습니다. 교류, 상위·소속 지자체, 지역 특성으로 추천합니다.",
            "en": "No case in the catalogue; opportunities come from its agreements, its family and its profile.",
        },
    }
)


def ui_labels(lang: str) -> dict[str, str]:
    """Every app text in one language, by its short name (the part after "ui.")."""
    code = "ko" if lang == "ko" else "en"
    return {key[3:]: texts[code] for key, texts in MESSAGES.items() if key.startswith("ui.")}
