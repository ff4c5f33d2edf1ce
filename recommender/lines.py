"""Lines of work: the sectors people name ("water supply", "소방", "e-government") and the OECD DAC
purpose codes our cases carry, brought to one small vocabulary, so that a partner's stated need, a
country's priority sector, a proposal's sector field and a government's past cases can be compared.

A line holds DAC codes (five digits) and whole DAC categories (three digits); one code may belong to
more than one line (fire-fighting, DAC 74020, is both "fire and emergency services" and "disaster
risk reduction"), which is how a fire-engine project answers a country's disaster priority.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    key: str
    name_en: str
    name_ko: str
    codes: frozenset[str]
    categories: frozenset[str]
    words: str  # a regular expression of the words (English and Korean) that name the line

    def holds(self, dac_code: str) -> bool:
        code = str(dac_code).strip()
        return code in self.codes or code[:3] in self.categories

    def name(self, lang: str) -> str:
        return self.name_ko if lang == "ko" else self.name_en


def _line(key: str, en: str, ko: str, codes: str, categories: str, words: str) -> Line:
    return Line(key, en, ko, frozenset(codes.split()), frozenset(categories.split()), words)


LINES: tuple[Line, ...] = (
    _line(
        "fire",
        "fire and emergency services",
        "소방·응급",
        "74020",
        "",
        r"fire|ambulance|emergency|rescue|소방|구급|구조",
    ),
    _line(
        "disaster",
        "disaster risk reduction",
        "재난위험 경감",
        "43060 74010 74020",
        "740",
        r"disaster|typhoon|flood|earthquake|재난|재해|태풍|홍수|지진",
    ),
    _line(
        "water",
        "water supply and sanitation",
        "상수도·위생",
        "14010 14015 14020 14021 14022 14030 14031 14032 14040 14081",
        "",
        r"water|sanitation|wastewater|sewage|상수|하수|식수|물관리|수자원|위생",
    ),
    _line(
        "waste", "solid waste management", "폐기물 관리", "14050", "", r"\bwaste\b|garbage|recycl|폐기물|쓰레기|재활용"
    ),
    _line(
        "rural",
        "rural and regional development (Saemaul)",
        "농촌·지역 개발(새마을)",
        "43040 43041 43042",
        "",
        r"rural|saemaul|regional development|village|새마을|농촌|지역개발|마을",
    ),
    _line(
        "agriculture",
        "agriculture and livestock",
        "농업·축산",
        "",
        "311",
        r"agricultur|farm|livestock|\bcrop|\brice\b|농업|농기계|축산|영농|벼농사",
    ),
    _line(
        "forestry",
        "forestry and desertification",
        "산림·사막화 방지",
        "41030",
        "312",
        r"forest(?!-?\s*fires?)|desertification|\btrees?\b|산림|사막화|나무|조림",
    ),
    _line(
        "fisheries", "fisheries and aquaculture", "수산·양식", "", "313", r"fisher|aquaculture|seaweed|수산|양식|해조"
    ),
    _line(
        "health",
        "health and medical services",
        "보건의료",
        "",
        "121 122 123 130",
        r"health|medical|hospital|clinic|covid|maternal|infectious|보건|의료|진료|병원|방역|모자보건",
    ),
    _line(
        "education",
        "education and human resources",
        "교육·인재양성",
        "",
        "111 112 113 114",
        r"education|school|human resource|scholarship|library|교육|학교|인재|장학|도서관",
    ),
    _line("vocational", "vocational training", "직업훈련", "11330 11231 11232", "", r"vocational|tvet|직업"),
    _line(
        "transport",
        "transport",
        "교통",
        "",
        "210",
        r"transport|\broads?\b|traffic|\bbus(es)?\b|mobility|교통|도로|버스",
    ),
    _line(
        "urban", "urban planning and development", "도시 개발·계획", "43030 43031 43032", "", r"urban|smart city|도시"
    ),
    _line(
        "governance",
        "public administration and e-government",
        "공공행정·전자정부",
        "15110 15111 15112 15113 15114 15117 15125 15130 15150",
        "",
        r"public administration|governance|e-government|administration|공공행정|거버넌스|전자정부|행정",
    ),
    _line("ict", "ICT and digital", "정보통신·디지털", "22040 22020 15155", "", r"\bict\b|digital|정보통신|디지털"),
    _line("energy", "energy", "에너지", "", "230 231 232 233 234 235 236", r"energy|\bpower\b|electric|에너지|전력"),
    _line(
        "environment",
        "environment and climate",
        "환경·기후",
        "",
        "410",
        r"environment|climate|환경|기후",
    ),
    _line(
        "economy",
        "local economic development",
        "지역경제 개발",
        "25010 25030 32110 32130 33210",
        "250 321",
        r"economic|industry|business|tourism|경제|산업|기업|관광",
    ),
    _line("housing", "housing", "주거", "16040", "", r"housing|shelter|주거|주택"),
    _line(
        "social",
        "social protection, rights and inclusion",
        "사회보호·인권",
        "15160 15170 15180 16010 16011 16020",
        "",
        r"welfare|human rights|women|disab|복지|인권|여성|장애",
    ),
)
BY_KEY = {line.key: line for line in LINES}


def lines_of_code(dac_code: str) -> tuple[str, ...]:
    """The lines a DAC purpose code belongs to (none for multisector aid)."""
    return tuple(line.key for line in LINES if line.holds(dac_code))


def lines_named(text: str) -> tuple[str, ...]:
    """The lines a sector phrase names ("agriculture & rural development" -> agriculture, rural)."""
    text = str(text or "").lower()
    if not text.strip():
        return ()
    return tuple(line.key for line in LINES if re.search(line.words, text))


def line_names(keys: Iterable[str], lang: str) -> str:
    return ", ".join(BY_KEY[k].name(lang) for k in keys if k in BY_KEY)
