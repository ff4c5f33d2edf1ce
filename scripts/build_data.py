"""Build the committed catalogues in data/ from the raw public sources.

Run from the repository root:

    python scripts/build_data.py --sources ../shared/data-candidates

The raw sources (UN indicator framework, Aurora queries, KOSTAT/NGII local governments,
the precedent case file, IATI DAC codes, GeoNames) are read once here; the package never
reads them at run time. Korean country names come from CLDR through Babel (build-time only).
The Korean goal and target texts (SDG 11 below, the other 159 targets in
scripts/translations/sdg_targets_ko.tsv) are our own unofficial translations: Korean is not a UN
language and no official Korean text of the 169 targets is published in machine-readable form.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]

# Official SDG goal colours (UN SDG communications guidelines), used by the app.
GOALS = {
    1: ("No poverty", "빈곤 퇴치", "모든 곳에서 모든 형태의 빈곤 종식", "#E5243B"),
    2: ("Zero hunger", "기아 종식", "기아 종식, 식량 안보 확보, 영양 개선 및 지속가능한 농업 증진", "#DDA63A"),
    3: ("Good health and well-being", "건강과 웰빙", "모든 연령층의 건강한 삶 보장과 웰빙 증진", "#4C9F38"),
    4: (
        "Quality education",
        "양질의 교육",
        "포용적이고 공평한 양질의 교육 보장 및 모두를 위한 평생학습 기회 증진",
        "#C5192D",
    ),
    5: ("Gender equality", "성평등", "성평등 달성과 모든 여성 및 여아의 역량 강화", "#FF3A21"),
    6: (
        "Clean water and sanitation",
        "깨끗한 물과 위생",
        "모두를 위한 물과 위생의 이용가능성 및 지속가능한 관리 보장",
        "#26BDE2",
    ),
    7: (
        "Affordable and clean energy",
        "적정 가격의 깨끗한 에너지",
        "모두를 위한 적정 가격의 신뢰할 수 있고 지속가능한 현대적 에너지에 대한 접근 보장",
        "#FCC30B",
    ),
    8: (
        "Decent work and economic growth",
        "양질의 일자리와 경제성장",
        "지속적·포용적·지속가능한 경제성장 및 완전하고 생산적인 고용과 양질의 일자리 증진",
        "#A21942",
    ),
    9: (
        "Industry, innovation and infrastructure",
        "산업, 혁신, 인프라",
        "회복력 있는 인프라 구축, 포용적이고 지속가능한 산업화 증진 및 혁신 장려",
        "#FD6925",
    ),
    10: ("Reduced inequalities", "불평등 감소", "국가 내 및 국가 간 불평등 감소", "#DD1367"),
    11: (
        "Sustainable cities and communities",
        "지속가능한 도시와 공동체",
        "포용적이고 안전하며 회복력 있고 지속가능한 도시와 정주지 조성",
        "#FD9D24",
    ),
    12: (
        "Responsible consumption and production",
        "책임 있는 소비와 생산",
        "지속가능한 소비 및 생산 양식 보장",
        "#BF8B2E",
    ),
    13: ("Climate action", "기후변화 대응", "기후변화와 그 영향에 대처하기 위한 긴급 조치", "#3F7E44"),
    14: (
        "Life below water",
        "해양 생태계",
        "지속가능발전을 위한 대양, 바다, 해양자원의 보전과 지속가능한 이용",
        "#0A97D9",
    ),
    15: (
        "Life on land",
        "육상 생태계",
        "육상 생태계의 보호·복원·지속가능한 이용 증진, 산림의 지속가능한 관리, 사막화 방지, 토지 황폐화 중단 및 복원, 생물다양성 손실 중단",
        "#56C02B",
    ),
    16: (
        "Peace, justice and strong institutions",
        "평화, 정의, 강력한 제도",
        "지속가능발전을 위한 평화롭고 포용적인 사회 증진, 모두에게 사법 접근성 제공, 모든 수준에서 효과적이고 책임 있으며 포용적인 제도 구축",
        "#00689D",
    ),
    17: (
        "Partnerships for the goals",
        "목표를 위한 파트너십",
        "이행수단 강화와 지속가능발전을 위한 글로벌 파트너십 활성화",
        "#19486A",
    ),
}

# SDG 11 short titles as in the seed talk (UN SDG communications wording); Korean ours.
SDG11 = {
    "11.1": (
        "Safe and affordable housing",
        "안전하고 적정 가격의 주거",
        "2030년까지 모두에게 적절하고 안전하며 적정 가격의 주거와 기본 서비스에 대한 접근을 보장하고 빈민가를 개선한다.",
    ),
    "11.2": (
        "Affordable and sustainable transport systems",
        "적정 가격의 지속가능한 교통체계",
        "2030년까지 취약계층, 여성, 아동, 장애인, 노인의 필요에 특별히 유의하면서, 특히 대중교통 확대를 통해 도로 안전을 개선하고 모두에게 안전하고 적정 가격이며 접근 가능하고 지속가능한 교통체계에 대한 접근을 제공한다.",
    ),
    "11.3": (
        "Inclusive and sustainable urbanization",
        "포용적이고 지속가능한 도시화",
        "2030년까지 모든 국가에서 포용적이고 지속가능한 도시화와 참여적·통합적·지속가능한 인간 정주지 계획 및 관리 역량을 강화한다.",
    ),
    "11.4": (
        "Protect the world's cultural and natural heritage",
        "세계 문화·자연유산 보호",
        "세계의 문화유산과 자연유산을 보호하고 지키기 위한 노력을 강화한다.",
    ),
    "11.5": (
        "Reduce the adverse effects of natural disasters",
        "재난 피해 감소",
        "2030년까지 빈곤층과 취약계층 보호에 중점을 두어, 물 관련 재해를 포함한 재난으로 인한 사망자와 피해자 수를 크게 줄이고 세계 국내총생산 대비 직접적인 경제 손실을 상당히 줄인다.",
    ),
    "11.6": (
        "Reduce the environmental impact of cities",
        "도시의 환경 영향 감소",
        "2030년까지 대기질과 생활폐기물 및 기타 폐기물 관리에 특별히 유의하는 등 도시의 1인당 환경 악영향을 줄인다.",
    ),
    "11.7": (
        "Provide access to safe and inclusive green and public spaces",
        "안전하고 포용적인 녹지·공공공간 제공",
        "2030년까지 특히 여성과 아동, 노인, 장애인을 위해 안전하고 포용적이며 접근 가능한 녹지와 공공공간에 대한 보편적 접근을 제공한다.",
    ),
    "11.a": (
        "Strong national and regional development planning",
        "국가 및 지역 개발계획 강화",
        "국가 및 지역 개발계획을 강화하여 도시, 도시 근교, 농촌 지역 간의 긍정적인 경제·사회·환경적 연계를 지원한다.",
    ),
    "11.b": (
        "Implement policies for inclusion, resource efficiency and disaster risk reduction",
        "포용·자원효율·재난위험 경감 정책 이행",
        "2020년까지 포용, 자원 효율성, 기후변화 완화와 적응, 재난 회복력을 지향하는 통합 정책과 계획을 채택·이행하는 도시와 정주지의 수를 크게 늘리고, 「센다이 재난위험경감 프레임워크 2015-2030」에 따라 모든 수준에서 총체적인 재난위험 관리를 개발·이행한다.",
    ),
    "11.c": (
        "Support least developed countries in sustainable and resilient building",
        "최빈개도국의 지속가능하고 회복력 있는 건축 지원",
        "재정적·기술적 지원 등을 통해 최빈개도국이 현지 자재를 활용하여 지속가능하고 회복력 있는 건물을 짓도록 지원한다.",
    ),
}

# Precedent sector text -> OECD-DAC purpose code. First match wins; ordered from the most
# specific wording to the broadest. Korean labels are ours.
SECTOR_RULES = [
    (r"fire|emergency", "74020"),
    (r"disaster", "43060"),
    (r"waste-to-energy|solid waste|waste management|collection vehicle", "14050"),
    (r"river basin", "14015"),
    (r"wastewater|sewage|sludge", "14022"),
    (r"water management|water supply|drinking-water|water$|^water", "14030"),
    (r"saemaul|rural community|integrated village|rural development|community development", "43040"),
    (r"forestry|desertification", "31220"),
    (r"scholarship", "11420"),
    (r"librar|education facilities|school facilities|education \(korean", "11120"),
    (r"smart farming|agricultur|rice|horticulture|seed potato", "31120"),
    (r"paediatric|medical|health equipment|ambulance", "12191"),
    (r"health administration", "12110"),
    (r"^health|health education", "12261"),
    (r"transport|fare|e-mobility", "21020"),
    (r"maritime|port", "21040"),
    (r"urban planning|urban management|urban development|green smart city", "43030"),
    (r"e-government|public administration", "15110"),
    (r"human rights", "15160"),
    (r"women", "15170"),
    (r"energy", "23210"),
    (r"ict|innovation", "22040"),
    (r"vocational", "11330"),
    (r"entrepreneurship|local economic", "25030"),
    (r"tourism", "33210"),
    (r"housing", "16040"),
    (r"education", "11120"),
    (r"aquaculture|fisher", "31320"),
    (r"livestock", "31163"),
    (r"police", "15130"),
    (r"climate|wetland|air-quality|air quality", "41010"),
    (r"culture heritage|heritage|sport", "16061"),
    (r"multi-sector", "43010"),
]
DAC_KO = {
    "74020": "재난 대응 역량(소방·응급)",
    "43060": "재난위험 경감",
    "14050": "폐기물 관리",
    "14015": "수자원 보전",
    "14030": "식수 공급 및 기초 위생",
    "14022": "하수·폐수 처리",
    "31320": "수산업 개발",
    "31163": "축산",
    "15130": "치안·사법 제도",
    "41010": "환경 정책·기후 대응",
    "16061": "문화·체육",
    "43040": "농촌 개발",
    "31220": "산림 조성·사막화 방지",
    "11420": "고등교육·장학",
    "11120": "교육시설 및 훈련",
    "31120": "농업 개발",
    "12191": "의료 서비스",
    "12110": "보건 행정",
    "12261": "보건 교육",
    "21020": "도로·대중교통",
    "21040": "해운·항만",
    "43030": "도시 개발 및 관리",
    "15110": "공공행정·전자정부",
    "15160": "인권",
    "15170": "여성 권익",
    "23210": "재생에너지",
    "22040": "정보통신기술(ICT)",
    "11330": "직업훈련",
    "25030": "창업·기업 지원",
    "33210": "관광 정책",
    "16040": "저소득층 주거",
    "43010": "다분야 지원",
}

DAC_SHORT_EN = {
    "74020": "fire and emergency services",
    "14030": "water supply",
    "43040": "rural development",
    "12191": "medical services",
}


def clean(text: str) -> str:
    return re.sub(r"\s+", " ", str(text or "")).strip()


def short_title(text: str, max_words: int = 9) -> str:
    """A target's short English title: its first clause without the deadline."""
    text = re.sub(r"^By 20\d\d,\s*", "", clean(text))
    words = re.split(r"[;:]| and by 20\d\d", text)[0].split()
    title = " ".join(words[:max_words]).rstrip(",.") + ("…" if len(words) > max_words else "")
    return title[:1].upper() + title[1:]


def read_un_framework(path: Path) -> pd.DataFrame:
    rows = list(csv.reader(path.open(encoding="utf-8")))
    targets: dict[str, dict] = {}
    current = None
    for row in rows:
        cells = (row + ["", "", "", ""])[:4]
        target_cell, indicator_cell = clean(cells[1]), clean(cells[2])
        m = re.match(r"^(\d{1,2})\.([0-9]{1,2}|[a-z])\s+(.*)$", target_cell)
        if m:
            current = f"{m.group(1)}.{m.group(2)}"
            targets[current] = {"id": current, "goal": int(m.group(1)), "text_en": m.group(3), "indicators": []}
        elif target_cell.startswith("Goal ") or not (target_cell or indicator_cell):
            if target_cell.startswith("Goal "):
                current = None
            continue
        if current and indicator_cell:
            targets[current]["indicators"].append(indicator_cell)
    frame = pd.DataFrame(targets.values())
    frame["indicators"] = frame["indicators"].map(" | ".join)
    return frame


def read_aurora(folder: Path) -> dict[str, str]:
    ns = {
        "aqd": "http://aurora-network.global/queries/namespace/",
        "dc": "http://dublincore.org/documents/dcmi-namespace/",
    }
    queries: dict[str, str] = {}
    for xml_path in sorted(folder.glob("query_SDG*.xml")):
        root = ET.parse(xml_path).getroot()
        for definition in root.iter(f"{{{ns['aqd']}}}query-definition"):
            uri = definition.find("dc:identifier", ns)
            if uri is None or "/sdg/" not in (uri.text or ""):
                continue
            target = uri.text.strip().rsplit("/", 1)[-1]
            lines = [
                f"({clean(line.text)})" for line in definition.iter(f"{{{ns['aqd']}}}query-line") if clean(line.text)
            ]
            if lines:
                queries[target] = (queries[target] + " OR " if target in queries else "") + " OR ".join(lines)
    return queries


def read_korean_targets(path: Path) -> dict[str, tuple[str, str]]:
    """Our own Korean short titles and texts of the targets outside SDG 11 (id, title_ko, text_ko)."""
    table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    return {r["id"]: (r["title_ko"].strip(), r["text_ko"].strip()) for r in table.to_dict("records")}


def build_sdg(src: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    targets = read_un_framework(src / "sdg/un_global_indicator_framework_after_2025_review_A.RES.71.313_annex.csv")
    aurora = read_aurora(src / "sdg/aurora_sdg_queries_v5")
    missing = sorted(set(targets["id"]) - set(aurora))
    if missing:
        print(f"note: no Aurora query for {missing}", file=sys.stderr)
    # footnote markers the UN annex glues to a word ("...fisheries subsidies negotiation3")
    targets["text_en"] = targets["text_en"].str.replace(r"(?<=[a-z])\d+(?=[\s.;,)]|$)", "", regex=True)
    targets["title_en"] = [
        SDG11[t][0] if t in SDG11 else short_title(x) for t, x in zip(targets["id"], targets["text_en"])
    ]
    korean = read_korean_targets(ROOT / "scripts/translations/sdg_targets_ko.tsv")
    korean.update({t: (v[1], v[2]) for t, v in SDG11.items()})
    untranslated = sorted(set(targets["id"]) - set(korean))
    if untranslated:
        raise SystemExit(
            f"no Korean text for targets {untranslated}: add them to scripts/translations/sdg_targets_ko.tsv"
        )
    targets["title_ko"] = [korean[t][0] for t in targets["id"]]
    targets["text_ko"] = [korean[t][1] for t in targets["id"]]
    targets["is_sdg11"] = targets["goal"] == 11
    targets["aurora_query"] = targets["id"].map(aurora).fillna("")
    targets["translation_ko"] = "unofficial"
    goals = pd.DataFrame(
        [
            {
                "goal": g,
                "name_en": v[0],
                "name_ko": v[1],
                "title_ko": v[2],
                "colour": v[3],
                "translation_ko": "unofficial",
            }
            for g, v in GOALS.items()
        ]
    )
    targets = targets.merge(
        goals[["goal", "name_en", "name_ko"]].rename(columns={"name_en": "goal_name_en", "name_ko": "goal_name_ko"}),
        on="goal",
    )
    cols = [
        "id",
        "goal",
        "title_en",
        "text_en",
        "indicators",
        "is_sdg11",
        "goal_name_en",
        "goal_name_ko",
        "title_ko",
        "text_ko",
        "translation_ko",
        "aurora_query",
    ]
    return targets[cols], goals


def build_local_governments(src: Path) -> pd.DataFrame:
    raw = pd.read_csv(src / "korea/kr_local_governments_17_226_derived.csv", dtype=str)
    frame = pd.DataFrame(
        {
            "code": raw["std_code_2025"],
            "level": raw["level"],
            "parent": [None if lvl == "upper" else s for lvl, s in zip(raw["level"], raw["sido_code"])],
            "name_ko": raw["name_ko"],
            "name_en": raw["name_en"],
            "parent_name_ko": raw["sido_ko"],
            "type": raw["type"],
            "area_km2": raw["area_km2"],
            "lat": raw["lat"],
            "lon": raw["lon"],
        }
    )
    frame.loc[frame["level"] == "upper", "parent_name_ko"] = ""
    return frame


def build_countries(src: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    from babel import Locale

    ko = Locale("ko").territories
    countries = pd.read_csv(src / "world/geonames_countries.csv", dtype=str, keep_default_na=False)
    countries = pd.DataFrame(
        {
            "iso2": countries["iso"],
            "iso3": countries["iso3"],
            "name_en": countries["name"],
            "name_ko": [ko.get(c, "") for c in countries["iso"]],
            "continent": countries["continentcode"],
            "capital": countries["capital"],
            "population": countries["population"],
        }
    )
    countries = pd.concat(
        [
            countries,
            pd.DataFrame(
                [
                    {
                        "iso2": "KR",
                        "iso3": "KOR",
                        "name_en": "South Korea",
                        "name_ko": "대한민국",
                        "continent": "AS",
                        "capital": "Seoul",
                        "population": "",
                    }
                ]
            ),
        ]
    ).drop_duplicates("iso2", keep="first")
    cities = pd.read_csv(
        src / "world/geonames_cities15000_trimmed_with_korean_names.csv", dtype=str, keep_default_na=False
    )
    cities = cities.rename(columns={"countrycode": "iso2", "latitude": "lat", "longitude": "lon"})
    cities = cities[["geonameid", "name", "name_ko", "iso2", "admin1code", "lat", "lon", "population"]]
    return countries.sort_values("iso2"), cities


def dac_code_for(sector: str) -> str:
    low = sector.lower()
    for pattern, code in SECTOR_RULES:
        if re.search(pattern, low):
            return code
    raise ValueError(f"no DAC purpose code rule matches sector {sector!r}: add one to SECTOR_RULES")


CASES = ROOT / "scripts/sources"
# Share of the newly found cases kept out of the catalogue and out of fitting, as a final check of
# the government ranking on real projects the system has never seen (eval/unseen_government_cases.csv).
# Chosen by a hash of the case id, so the split does not move when other rows are added.
HOLDOUT_PER_MILLE = 215


def is_holdout(case_id: str) -> bool:
    import hashlib

    return int(hashlib.sha256(case_id.encode()).hexdigest(), 16) % 1000 < HOLDOUT_PER_MILLE


def read_cases() -> pd.DataFrame:
    """The corrected base catalogue (C001-C103) and the cases found since (scripts/sources/cases/),
    with a `holdout` flag for the new cases drawn into the unseen set."""
    base = pd.read_csv(CASES / "precedent_cases.csv", dtype=str, keep_default_na=False)
    base["holdout"] = False
    frames = [base]
    for path in sorted((CASES / "cases").glob("cases_*.csv")):
        found = pd.read_csv(path, dtype=str, keep_default_na=False)
        found["holdout"] = found["case_id"].map(is_holdout)
        frames.append(found)
    cases = pd.concat(frames, ignore_index=True)
    duplicated = cases["case_id"].duplicated()
    if duplicated.any():
        raise SystemExit(f"duplicate case ids in scripts/sources: {sorted(cases.loc[duplicated, 'case_id'])}")
    return cases


def localities(value: str) -> list[str]:
    return [clean(p) for p in str(value or "").split(";") if clean(p)]


def case_title_parts(r: dict, lg_by_code: pd.DataFrame, name_en: dict, name_ko: dict) -> tuple[str, str, str, str]:
    """(government names en, ko, place en, place ko): every government and every locality, uncut."""
    codes = split(r["lg_code"])
    isos = split(r["partner_iso2"])

    def english(code: str) -> str:
        row = lg_by_code.loc[code]
        return (
            row["name_en"]
            if row["level"] == "upper"
            else f"{row['name_en']} ({lg_by_code.loc[row['parent'], 'name_en']})"
        )

    lg_en = " & ".join(english(c) for c in codes[:3]) + (f" + {len(codes) - 3} more" if len(codes) > 3 else "")
    lg_ko = "·".join(lg_by_code.loc[c, "name_ko"] for c in codes[:3]) + (
        f" 외 {len(codes) - 3}곳" if len(codes) > 3 else ""
    )
    where_en = ", ".join(localities(r["partner_locality"])) or ", ".join(name_en.get(i, i) for i in isos)
    where_ko = "·".join(name_ko.get(i, i) for i in isos) or "여러 협력국"
    return lg_en, lg_ko, where_en or "several partner countries", where_ko


def split(value: str) -> list[str]:
    return [c.strip() for c in str(value or "").split(";") if c.strip()]


STATUS_EN = {"planned": " (planned)", "ongoing": "", "completed": ""}
STATUS_KO = {"planned": " (계획)", "ongoing": "", "completed": ""}


SECTORS_KO = ROOT / "scripts/translations/precedent_sectors_ko.tsv"


def read_korean_sectors(path: Path = SECTORS_KO) -> dict[str, str]:
    """Our Korean for each case's sector (the point of its title): sector_en -> sector_ko."""
    table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, quoting=csv.QUOTE_NONE)
    return {r["sector_en"]: r["sector_ko"].strip() for r in table.to_dict("records") if r["sector_ko"].strip()}


def build_precedents(
    lgs: pd.DataFrame, countries: pd.DataFrame, dac: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(catalogue, unseen cases): the held-out new cases go to the second frame only."""
    cases = read_cases()
    sectors_ko = read_korean_sectors()
    untranslated = sorted({clean(r["sector"]) for r in cases.to_dict("records") if not r["holdout"]} - set(sectors_ko))
    if untranslated:
        raise SystemExit(f"no Korean for the sectors {untranslated}: add them to {SECTORS_KO.relative_to(ROOT)}")
    lg_by_code = lgs.set_index("code")
    name_en = countries.set_index("iso2")["name_en"].to_dict()
    name_ko = countries.set_index("iso2")["name_ko"].to_dict()
    dac_names = dac.set_index("code")["name"].to_dict()
    out, unseen = [], []
    next_id = 1 + max(int(i[1:]) for i in cases["case_id"] if re.fullmatch(r"C\d+", i))
    for r in cases.to_dict("records"):
        code = dac_code_for(r["sector"])
        status = r["status"] or "completed"
        if status not in STATUS_EN:
            raise SystemExit(f"{r['case_id']}: status must be planned, ongoing or completed; received {status!r}")
        lg_en, lg_ko, where_en, where_ko = case_title_parts(r, lg_by_code, name_en, name_ko)
        sector_en = clean(r["sector"])
        if r["holdout"]:
            unseen.append(
                {
                    "id": r["case_id"],
                    "lg_codes": ";".join(split(r["lg_code"])),
                    "partner_iso2": ";".join(split(r["partner_iso2"])),
                    "partner_city": clean(r["partner_city"]),
                    "year_start": r["year_start"],
                    "dac_code": code,
                    "text_en": clean(r["summary_en"]),
                    "text_ko": clean(r["summary_ko"]),
                    "source_url": clean(r["source_url"]),
                }
            )
            continue
        case_id = r["case_id"]
        if not re.fullmatch(r"C\d+", case_id):
            case_id, next_id = f"C{next_id:03d}", next_id + 1
        out.append(
            {
                "id": case_id,
                "lg_codes": ";".join(split(r["lg_code"])),
                "domestic": r["domestic"] == "true",
                "partner_iso2": ";".join(split(r["partner_iso2"])),
                "partner_locality": "; ".join(localities(r["partner_locality"])),
                "partner_city": clean(r["partner_city"]),
                "year_start": r["year_start"],
                "year_end": r["year_end"],
                "status": status,
                "sector": sector_en,
                "dac_code": code,
                "dac_name": dac_names.get(code, ""),
                "dac_name_ko": DAC_KO[code],
                "budget_krw": r["budget_krw"],
                "funding": clean(r["funding"]),
                "modality": clean(r["modality"]),
                "is_oda_confirmed": r["is_oda_confirmed"] == "true",
                "title_en": f"{lg_en}: {sector_en[:1].upper() + sector_en[1:]} — {where_en}{STATUS_EN[status]}",
                # the Korean title names the point as the English one does; link_places adds the place
                "title_ko": f"{lg_ko}: {where_ko} {sectors_ko[sector_en]}{STATUS_KO[status]}",
                # what the Korean version of the case is indexed with (recommender.catalogue.precedent_passage)
                "category_ko": f"{lg_ko}: {where_ko} {DAC_KO[code]}{STATUS_KO[status]}",
                "description_en": clean(r["summary_en"]),
                "description_ko": clean(r["summary_ko"]),
                "sdg_targets_hint": r["sdg_targets_hint"],
                "source_url": clean(r["source_url"]),
                "source_url_2": clean(r["source_url_2"]),
                "source_type": r["source_type"],
                "found_as": r["case_id"],
            }
        )
    return pd.DataFrame(out), pd.DataFrame(unseen)


WIKIPEDIA_TIES = "korea/lg_profile_and_ties/kr_sister_cities_wikipedia_dedup.csv"
COUNTRY_NAMES = {
    "England": "GB",
    "Scotland": "GB",
    "Wales": "GB",
    "Russia": "RU",
    "Vietnam": "VN",
    "Laos": "LA",
    "Czech Republic": "CZ",
    "Turkey": "TR",
    "South Korea": "KR",
    "Iran": "IR",
    "Syria": "SY",
    "Bolivia": "BO",
    "Venezuela": "VE",
    "Tanzania": "TZ",
    "Moldova": "MD",
    "Brunei": "BN",
    "Macau": "MO",
    "Palestine": "PS",
    "Ivory Coast": "CI",
    "East Timor": "TL",
    "Burma": "MM",
}


def build_ties(src: Path, countries: pd.DataFrame, cities: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(Wikipedia-derived ties, CC BY-SA; ties our case sources state, with their URLs)."""
    iso_by_name = {**countries.set_index("name_en")["iso2"].to_dict(), **COUNTRY_NAMES}
    populous = (
        cities.assign(pop=pd.to_numeric(cities["population"], errors="coerce"))
        .sort_values("pop", ascending=False)
        .drop_duplicates("name")
    )
    iso_by_city = populous.set_index("name")["iso2"].to_dict()
    raw = pd.read_csv(src / WIKIPEDIA_TIES, dtype=str, keep_default_na=False)
    rows, unresolved = [], 0
    for r in raw.to_dict("records"):
        iso = iso_by_name.get(r["partner_country"]) or iso_by_city.get(r["partner_city"], "")
        if not iso:
            unresolved += 1
            continue
        rows.append(
            {
                "code": r["std_code_2025"],
                "partner_city": clean(r["partner_city"]),
                "partner_iso2": iso,
                "tie_type": "",
                "year": "",
                "source": "wikipedia:" + r["sources"],
                "partner_city_ko": "",
                "partner_admin": "",
            }
        )
    if unresolved:
        print(f"note: {unresolved} Wikipedia ties without a resolvable country were left out", file=sys.stderr)
    wikipedia = pd.DataFrame(rows).drop_duplicates(["code", "partner_city", "partner_iso2"])
    stated = pd.concat([read_stated_ties(p) for p in sorted(CASES.glob("*/ties_*.csv"))], ignore_index=True)
    stated = pd.DataFrame(
        {
            "code": stated["lg_code"].str.strip(),
            "partner_city": stated["partner_city"].map(clean),
            "partner_iso2": stated["partner_iso2"].str.strip(),
            "tie_type": stated["tie_type"].str.strip(),
            "year": stated["year"].str.strip(),
            "source": stated["source_url"].map(clean),
            "partner_city_ko": stated["partner_city_ko"].map(clean),
            "partner_admin": stated["partner_admin"].map(clean),
        }
    )
    # a tie upgraded from friendship to sister keeps its latest type (the same tie found twice, once)
    # one row per agreement: a friendship later raised to sister is two agreements, each with its year
    stated = (
        stated.assign(has_year=stated["year"] != "")
        .sort_values(["code", "partner_iso2", "partner_city", "tie_type", "has_year"])
        .drop_duplicates(["code", "partner_city", "partner_iso2", "tie_type"], keep="last")
        .drop(columns="has_year")
    )
    return wikipedia.sort_values(["code", "partner_iso2", "partner_city"]), stated.sort_values(["code", "partner_iso2"])


def read_stated_ties(path: Path) -> pd.DataFrame:
    """A ties file of our sources: the first ones (`scripts/sources/cases/ties_*.csv`: partner_city) or
    the sourced lists of every government (`scripts/sources/ties/ties_*.csv`: partner_place_en and
    _ko, the parent province partner_admin_en, tie_type sister / friendship / mou)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    if "partner_place_en" in frame.columns:
        frame = frame.rename(
            columns={
                "partner_place_en": "partner_city",
                "partner_place_ko": "partner_city_ko",
                "partner_admin_en": "partner_admin",
            }
        )
    for column in ("partner_city_ko", "partner_admin"):
        if column not in frame.columns:
            frame[column] = ""
    bad = frame[~frame["tie_type"].str.strip().isin(["sister", "friendship", "mou"])]
    if len(bad):
        raise SystemExit(
            f"{path}: tie_type must be sister, friendship or mou; row {bad.index[0] + 2} has {bad.iloc[0]['tie_type']!r}"
        )
    return frame


def korean_place_name(gazetteer, iso2: str, place_id: str) -> str:
    """A place's Korean name for a title: a district or village under its Korean-named province
    ("칸달주 끄언스바이군"), a place without a Korean name by its nearest Korean-named parent; '' when
    neither has one, or for a place outside the gazetteer."""
    if place_id.startswith("name:"):
        return ""
    places = gazetteer.country(iso2)
    row = places.row_of(place_id)
    if row is None:
        return ""

    def name(r: int) -> str:  # "바탐방 주" as Korean writes it in a title: "바탐방주"
        return re.sub(r"\s+([주도성시군구현])$", r"\1", places.name_ko[r].strip())

    chain = places.chain(row)
    parents = [r for r in chain if places.name_ko[r]]
    own = name(row) if places.name_ko[row] else ""
    if not own:
        return name(parents[0]) if parents else ""
    province = next((r for r in chain if places.level[r] == "province" and places.name_ko[r]), None)
    if places.level[row] in ("district", "village") and province is not None and name(province) != own:
        return f"{name(province)} {own}"
    return own


def korean_title_with_places(title: str, isos: str, place_ids: str, gazetteer, names_ko: dict) -> str:
    """The Korean title with its partner places after the country, when the case has one partner
    country: "세종특별자치시: 캄보디아 바탐방주 소방·응급"; several countries keep their names alone."""
    countries = split(isos)
    if len(countries) != 1:
        return title
    iso = countries[0]
    found = list(dict.fromkeys(n for n in (korean_place_name(gazetteer, iso, i) for i in split(place_ids)) if n))
    # a place already named with its district ("울란바토르 날라이흐구") is not named again alone
    found = [n for n in found if not any(n != m and n in m.split(" ") + [m.rsplit(" ", 1)[0]] for m in found)]
    if not found:
        return title
    country = names_ko.get(iso, iso)
    where = " ".join([country, "·".join(found[:3]) + (f" 외 {len(found) - 3}곳" if len(found) > 3 else "")])
    head, sep, rest = title.partition(f": {country} ")
    return f"{head}: {where} {rest}" if sep else title


def link_places(out: Path, countries: pd.DataFrame, precedents: pd.DataFrame, ties: list[pd.DataFrame]) -> None:
    """Resolve every partner place of the cases and ties with the product's own linker (data/places.csv,
    built by scripts/build_places.py): `partner_place_ids` of a case (`;`-separated), `place_id` of a tie
    (empty when nothing resolves). The recommender compares these ids, not spellings."""
    from recommender.places import Gazetteer, PlaceLinker

    linker = PlaceLinker(
        Gazetteer(out / "places.csv"), dict(zip(countries["iso2"], zip(countries["name_en"], countries["name_ko"])))
    )

    def case_places(locality: str, isos: str) -> str:
        found = []
        countries_of_case = split(isos)
        for part in localities(locality):
            tag = re.search(r"\(([A-Z]{2})\)\s*$", part)
            candidates = [tag.group(1)] if tag else countries_of_case
            part = re.sub(r"\s*\([A-Z]{2}\)\s*$", "", part)
            best: list = []
            for iso in candidates:  # the country where the most of it resolves (exactly, then at all)
                places = [p for p in linker.link(part, iso) if p.match != "named" or p.parents]
                score = (sum(p.match == "exact" for p in places), sum(p.match != "named" for p in places))
                if places and (not best or score > best[0]):
                    best = [score, places]
            if best:
                found.extend(p.id for p in best[1])
        return ";".join(dict.fromkeys(found))

    precedents["partner_place_ids"] = [
        case_places(loc, iso) for loc, iso in zip(precedents["partner_locality"], precedents["partner_iso2"])
    ]
    # A Korean title names the partner place as the English one does ("바탐방주", not only "캄보디아"), in
    # Korean: a place without a Korean name is named by its nearest Korean-named province or city.
    names_ko = countries.set_index("iso2")["name_ko"].to_dict()
    precedents["title_ko"] = [
        korean_title_with_places(title, isos, ids, linker.gazetteer, names_ko)
        for title, isos, ids in zip(precedents["title_ko"], precedents["partner_iso2"], precedents["partner_place_ids"])
    ]
    unresolved = sum(
        1 for loc, ids in zip(precedents["partner_locality"], precedents["partner_place_ids"]) if loc and not ids
    )
    print(f"precedents: {unresolved} partner localities without a resolved place", file=sys.stderr)
    for frame in ties:
        ids = []
        for r in frame.to_dict("records"):
            value = r["partner_city"] + (f", {r['partner_admin']}" if r.get("partner_admin") else "")
            places = linker.link(value, r["partner_iso2"]) if r["partner_iso2"] else []
            if not [p for p in places if p.match != "named"] and r.get("partner_city_ko"):
                korean = linker.link(r["partner_city_ko"], r["partner_iso2"])
                if [p for p in korean if p.match != "named"] or not places:
                    places = korean
            ids.append(places[0].id if places else "")
        frame["place_id"] = ids
        if "tie_type" in frame.columns and frame["tie_type"].ne("").any():  # one agreement found under two spellings
            frame.drop_duplicates(["code", "place_id", "tie_type"], keep="first", inplace=True)
        named = sum(1 for i in ids if i.startswith("name:"))
        print(
            f"ties: {len(ids)}, {named} kept as named places (not in the gazetteer), {ids.count('')} unresolved",
            file=sys.stderr,
        )


PROFILE = "korea/lg_profile_and_ties/kr_lg_profile.csv"
SHARES = (
    "share_agri_forestry_fishing",
    "share_manufacturing",
    "share_accommodation_food",
    "share_transport_storage",
    "share_health_social",
    "share_education",
)


def build_profiles(src: Path, lgs: pd.DataFrame) -> pd.DataFrame:
    """Population, industry shares (an upper government's are its basic governments' GRDP-weighted
    mean), coast, airports and seaports of every government."""
    raw = pd.read_csv(src / PROFILE, dtype=str, keep_default_na=False).rename(columns={"std_code_2025": "code"})
    num = lambda c: pd.to_numeric(raw[c], errors="coerce")  # noqa: E731
    frame = pd.DataFrame(
        {
            "code": raw["code"],
            "population_2025": num("pop_census_2025"),
            "density_2025": num("pop_density_2025_per_km2"),
            "grdp_2020": num("grdp2020_mkrw"),
            **{c: num(c) for c in SHARES},
            "top_industry_2020": raw["top_industry_2020"],
            "coast_km": num("coast_km"),
            "coastal": raw["coastal"] == "1",
            "has_airport": raw["has_airport_iata"] == "1",
            "has_seaport": raw["has_seaport_unlocode"] == "1",
            "airports": raw["airports_iata"],
            "ports": raw["ports_unlocode"],
        }
    )
    parent = lgs.set_index("code")["parent"]
    frame["parent"] = frame["code"].map(parent).fillna("")
    for upper in frame.loc[frame["parent"] == "", "code"]:
        children = frame[frame["parent"] == upper]
        weights = children["grdp_2020"].fillna(0)
        if weights.sum() > 0:
            for c in SHARES:
                frame.loc[frame["code"] == upper, c] = float((children[c].fillna(0) * weights).sum() / weights.sum())
    missing = set(lgs["code"]) - set(frame["code"])
    if missing:
        raise SystemExit(f"no profile for governments {sorted(missing)}")
    for c in SHARES:
        frame[c] = frame[c].round(4)
    return frame.drop(columns=["parent", "grdp_2020"]).sort_values("code")


def build_dac(src: Path) -> pd.DataFrame:
    sectors = pd.read_csv(src / "oda/iati_oecd_dac_Sector.csv", dtype=str, keep_default_na=False)
    categories = pd.read_csv(src / "oda/iati_oecd_dac_SectorCategory.csv", dtype=str, keep_default_na=False)
    sectors = sectors.merge(
        categories[["code", "name"]].rename(columns={"code": "category", "name": "category_name"}),
        on="category",
        how="left",
    )
    sectors["name_ko"] = sectors["code"].map(DAC_KO).fillna("")
    return sectors[["code", "name", "name_ko", "category", "category_name", "description", "status"]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=Path, default=ROOT.parent / "shared" / "data-candidates")
    parser.add_argument("--out", type=Path, default=ROOT / "data")
    args = parser.parse_args(argv)
    src, out = args.sources, args.out
    out.mkdir(parents=True, exist_ok=True)
    targets, goals = build_sdg(src)
    lgs = build_local_governments(src)
    countries, cities = build_countries(src)
    dac = build_dac(src)
    precedents, unseen = build_precedents(lgs, countries, dac)
    ties_wikipedia, ties_stated = build_ties(src, countries, cities)
    profiles = build_profiles(src, lgs)
    sys.path.insert(0, str(ROOT))
    link_places(out, countries, precedents, [ties_wikipedia, ties_stated])
    unseen.to_csv(ROOT / "eval/unseen_government_cases.csv", index=False, encoding="utf-8", lineterminator="\n")
    print(f"eval/unseen_government_cases.csv: {len(unseen)} rows (kept out of the catalogue)")
    for name, frame in [
        ("sdg_targets", targets),
        ("sdg_goals", goals),
        ("local_governments", lgs),
        ("countries", countries),
        ("cities", cities),
        ("dac_sectors", dac),
        ("precedents", precedents),
        ("lg_ties_wikipedia", ties_wikipedia),
        ("lg_ties_sourced", ties_stated),
        ("lg_profiles", profiles),
    ]:
        frame.to_csv(out / f"{name}.csv", index=False, encoding="utf-8", lineterminator="\n")
        print(f"{name}.csv: {len(frame)} rows")
    # The schema check the package runs at load time must accept what we just wrote.
    sys.path.insert(0, str(ROOT))
    from recommender.catalogue import load_catalogues

    load_catalogues(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
