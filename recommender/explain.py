"""Words people read: one message catalogue for both languages, the reasons of each match, and the
renderings of a result (plain text for the CLI, Markdown for a draft, rows for tables).

Messages are keyed by id (the gettext idea): core, CLI and app ask `message(id, lang, **values)`
and never branch on the language themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .results import Recommendation, ScoredProposal

LANGUAGES = ("ko", "en")

MESSAGES: dict[str, dict[str, str]] = {
    # reasons of a target
    "target.via": {"ko": "유사 사례 {case}의 목표", "en": "target of similar precedent {case}"},
    "target.keywords": {"ko": "Aurora 키워드 일치: {words}", "en": "Aurora keywords matched: {words}"},
    "shared.words": {"ko": "공통 단어: {words}", "en": "shared words: {words}"},
    "meaning": {"ko": "의미 유사도 {value:.2f}", "en": "meaning similarity {value:.2f}"},
    # reasons of a precedent
    "precedent.same_country": {"ko": "같은 협력국({country})", "en": "same partner country ({country})"},
    # reasons of a government
    "government.none": {
        "ko": "사례 목록에 이 지자체의 국제협력 사례가 없음",
        "en": "no precedent of this government in the catalogue",
    },
    "government.best": {
        "ko": "가장 가까운 사례 {case} '{title}' ({score:.2f}); 전체 사례 {n}건",
        "en": "best precedent {case} '{title}' ({score:.2f}); {n} case(s) in all",
    },
    "government.country": {
        "ko": "{country} 사례 {n}건 (점수 = {wb:.1f}×사례 + {wc:.1f}×협력국 경험)",
        "en": "{n} in {country} (score = {wb:.1f}×precedent + {wc:.1f}×country experience)",
    },
    # what lifted a government (learned ranker), and teams
    "gov.similar_case": {"ko": "유사 사례 {case} ({score:.2f})", "en": "similar case {case} ({score:.2f})"},
    "gov.cases": {"ko": "국제협력 사례 {n}건", "en": "{n} cooperation case(s)"},
    "gov.country_cases": {"ko": "{country} 사례 {n}건", "en": "{n} case(s) in {country}"},
    "gov.city_case": {"ko": "{city} 사업 경험", "en": "has worked in {city}"},
    "gov.tie_city": {"ko": "자매·우호도시 {city}", "en": "sister/friendship city {city}"},
    "gov.tie_country": {
        "ko": "{country}에 자매·우호도시({city})",
        "en": "sister/friendship city in {country} ({city})",
    },
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
        "ko": "대상 도시 '{city}'{where}는 GeoNames 목록에 없어 지도에 표시하지 않습니다",
        "en": "partner city {city!r} is not in the GeoNames list{where}; it is kept as written but "
        "not placed on the map",
    },
    "warning.city_where": {"ko": " ({country})", "en": " for {country}"},
}


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
    keywords = list(keywords)
    parts = [message("target.via", lang, case=via)] if via else []
    if keywords:
        parts.append(message("target.keywords", lang, words=_words(keywords)))
    if words:
        parts.append(message("shared.words", lang, words=_words(words)))
    parts.append(message("meaning", lang, value=dense))
    return "; ".join(parts)


def precedent_reason(words: Sequence[str], dense: float, same_country: bool, country: str, lang: str) -> str:
    parts = [message("shared.words", lang, words=_words(words))] if words else []
    if same_country:
        parts.append(message("precedent.same_country", lang, country=country))
    parts.append(message("meaning", lang, value=dense))
    return "; ".join(parts)


def government_reason(
    *, best_id: str | None, best_title: str, best: float, n_cases: int, n_country: int, country: str, weights, lang: str
) -> str:
    if best_id is None:
        return message("government.none", lang)
    text = message("government.best", lang, case=best_id, title=best_title, score=best, n=n_cases)
    if country:
        text += "; " + message(
            "government.country",
            lang,
            country=country,
            n=n_country,
            wb=weights.best_precedent,
            wc=weights.country_experience,
        )
    return text


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


def render_text(result: Recommendation, lang: str = "en") -> str:
    """The plain-text table `recommender match` prints."""
    lines = [f"{message('goals.present', lang)}: {goals_line(result, lang)}", "", message("heading.targets", lang)]
    for i, t in enumerate(result.sdg_targets, 1):
        mark = message("sdg11.mark", lang) if t.is_sdg11 else ""
        lines.append(f"{i:>3}. {t.id:<6} {t.score:.2f}  {t.title}{mark}\n       {t.reason}")
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
    lines += [f"\n{message('warning', lang)}: {w}" for w in result.warnings]
    return "\n".join(lines)


def render_markdown(title: str, text: str, result: Recommendation, lang: str, top: int = 5) -> str:
    """A one-page summary to attach to a draft. Plain text: the user's words are not interpreted."""
    lines = [
        f"# {title}",
        "",
        text[:1500],
        "",
        f"**{message('goals.present', lang)}:** " + goals_line(result, lang),
        "",
        f"## {message('heading.targets', lang)}",
    ]
    lines += [f"{i}. {t.id} {t.title} ({t.score:.2f}) — {t.reason}" for i, t in enumerate(result.sdg_targets[:top], 1)]
    lines += ["", f"## {message('heading.precedents', lang)}"]
    lines += [
        f"{i}. {p.id} {p.title} ({p.score:.2f}) — {p.source_url}" for i, p in enumerate(result.precedents[:top], 1)
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


def summary_row(r: ScoredProposal, top_n: int = 3) -> dict:
    """One row per proposal of a call (the `summary` sheet and the `.csv` output)."""
    rec = r.recommendation
    return {
        "id": r.id,
        "row": r.row,
        "present_goals": ";".join(str(g) for g in rec.present_goals),
        "top_targets": ";".join(t.id for t in rec.sdg_targets[:top_n]),
        "top_precedents": ";".join(p.id for p in rec.precedents[:top_n]),
        "top_local_governments": ";".join(f"{g.code} {g.name_en}" for g in rec.local_governments[:top_n]),
        "target_1_score": rec.sdg_targets[0].score if rec.sdg_targets else None,
        "suggested_team": " + ".join(f"{c} {n}" for c, n in zip(rec.teams[0].codes, rec.teams[0].names_en))
        if rec.teams
        else "",
        "flags": ";".join(r.flags),
    }


LONG_SHEETS = ("sdg_targets", "precedents", "local_governments", "teams")


def long_items(r: ScoredProposal, key: str) -> list[dict]:
    """One row per ranked item of one list (`sdg_targets`, `precedents` or `local_governments`)."""
    items = getattr(r.recommendation, key)
    rows = []
    for rank, item in enumerate(items, start=1):
        flat = {
            k: (";".join(v) if isinstance(v, list) else v) for k, v in item.to_dict().items() if not isinstance(v, dict)
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


def ui_labels(lang: str) -> dict[str, str]:
    """Every app text in one language, by its short name (the part after "ui.")."""
    code = "ko" if lang == "ko" else "en"
    return {key[3:]: texts[code] for key, texts in MESSAGES.items() if key.startswith("ui.")}
