"""A real browser: Streamlit served on 127.0.0.1, Debian's Chromium driven by Playwright."""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from io import BytesIO
from pathlib import Path

import pytest
from conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.model,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (apt-get install chromium)"
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(recommender, tmp_path):
    port = _free_port()
    env = dict(os.environ, RECOMMENDER_MODELS_DIR=str(recommender.models_dir), HF_HUB_OFFLINE="1")
    log = (tmp_path / "streamlit.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--browser.gatherUsageStats",
            "false",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail(f"streamlit did not start; log: {(tmp_path / 'streamlit.log').read_text()[-2000:]}")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


ARTIFACTS = ROOT / "tests" / "artifacts"  # screenshots, kept by CI; not committed
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-gl=swiftshader",
    "--enable-unsafe-swiftshader",
]


def _shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    return path


def _call_cp949() -> bytes:
    """A call as Excel exports it: Korean headers, CP949, an exact duplicate, a 500억 budget and one written
    in Korean units."""
    import pandas as pd

    fire = "캄보디아 바탐방주 소방본부에 소방차를 지원하고 소방관을 교육하는 사업"
    rows = [
        ("P1", "바탐방 소방 역량 강화", fire, "캄보디아", "300000000"),
        ("P2", "바탐방 소방 역량 강화", fire, "캄보디아", "300000000"),
        ("P3", "락사오 상수도", "라오스 락사오 지역 상수도 보급 및 정수장 건설", "라오스", "50000000000"),
        ("P4", "울란바토르 대기질", "몽골 울란바토르 대기오염 측정망 구축과 난방 개선", "몽골", "4억 원"),
        ("P5", "빈 행", "", "라오스", ""),
    ]
    frame = pd.DataFrame(rows, columns=["번호", "사업명", "사업내용", "대상국가", "예산"])
    return frame.to_csv(index=False).encode("cp949")


LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]"}


def _outside(urls: list[str]) -> list[str]:
    """The requests that left this computer (data: and blob: URLs never do)."""
    from urllib.parse import urlsplit

    return [u for u in urls if urlsplit(u).scheme not in ("data", "blob") and urlsplit(u).hostname not in LOCAL_HOSTS]


def _grid_rows(page) -> list[list[list[str]]]:
    """The cells of every table on the page as the grid's accessible copy holds them (the grid paints
    on a canvas), table by table."""
    return page.locator("[data-testid='stDataFrame']").evaluate_all("grids => grids.map(grid => " + _CELLS + ")")


_CELLS = """Array.from(grid.querySelectorAll("table[role=grid] tr[role=row]")).map(
    row => Array.from(row.querySelectorAll("[role=gridcell], [role=columnheader]")).map(
        cell => (cell.textContent || "").trim()))"""


def _summary(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(data)).worksheets[0]
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def _download(page, name: str) -> bytes:
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name=name).click()
    return Path(download.value.path()).read_bytes()  # the path has no .xlsx


def _worklist_on_screen(page, first_headers: list[str]) -> list[list[str]]:
    """The worklist's rows as drawn (header first), read before anything makes the page run again."""
    shown = []
    for _ in range(60):  # a grid fills its accessible copy once it has painted
        tables = [t for t in _grid_rows(page) if t and t[0][: len(first_headers)] == first_headers]
        shown = tables[0] if tables else []
        if len(shown) > 1 and all(len(r) >= len(first_headers) for r in shown):
            return shown
        page.wait_for_timeout(500)
    raise AssertionError(f"the worklist was not drawn: {_grid_rows(page)}")


def _same_as_the_grid(shown: list[list[str]], summary: list[list[str]]) -> None:
    """The workbook's summary is the worklist on screen: same headers, same rows in the same order,
    the same cells, for the columns the grid has drawn (it draws those in view; the score, drawn as a
    bar, aside)."""
    header, rows = shown[0], shown[1:]
    width = min(len(header), len(summary[0]) - 1)
    assert width >= 6 and header[:width] == summary[0][:width]
    assert [r[0] for r in rows] == [r[0] for r in summary[1:]]
    for got, want in zip(rows, summary[1:]):
        assert got[:width] == want[:width], (got, want)


def test_korean_officer_and_reviewer_in_a_real_browser(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1100}, accept_downloads=True)
        context.on("request", lambda request: requests.append(request.url))
        context.on("websocket", lambda socket: requests.append(socket.url))
        page = context.new_page()
        page.goto(server, timeout=120_000)
        # the officer: a Korean draft, end to end, with a budget in Korean units
        area = page.get_by_label("사업 내용")
        area.wait_for(timeout=120_000)
        expect(page.get_by_text("Deploy")).to_have_count(0)
        area.fill("캄보디아 바탐방주 소방본부에 소방차와 구급차를 지원하고 소방관 역량을 강화하는 사업")
        page.get_by_label("예산(원)").fill("1억 2천만원")
        page.get_by_role("button", name="매칭하기").click()
        line = page.get_by_text("SDG 11 세부목표 (순위)")
        expect(line).to_be_visible(timeout=120_000)
        expect(page.get_by_role("tab", name="SDG 세부목표")).to_be_visible()
        expect(page.locator("[data-testid='stAlert']").filter(has_text="예산")).to_have_count(0)  # accepted
        page.locator("[data-testid='stDataFrame'] canvas").first.wait_for(timeout=60_000)
        page.wait_for_timeout(1500)  # let the grid paint before the screenshot
        text = line.locator("xpath=..").inner_text()
        assert "11.5" in text or "11.b" in text
        expect(page.get_by_role("button", name="한 장 요약 (.pdf)")).to_be_visible(timeout=60_000)
        with page.expect_download(timeout=120_000) as download:  # the draft design matrix, made when clicked
            page.get_by_role("button", name="사업설계매트릭스 초안 (.docx)").click()
        from docx import Document

        pdm = Document(BytesIO(Path(download.value.path()).read_bytes()))
        assert pdm.paragraphs[0].text.startswith("[초안] 사업설계매트릭스(PDM)")
        assert "사업 모델: 소방차·구급차 기증과 운용 교육" in [p.text for p in pdm.paragraphs]
        expect(page.get_by_text("Choose an option")).to_have_count(0)
        # Hangul is drawn in the font the app serves itself: CI hides every Korean system font
        faces = page.evaluate(
            "Array.from(document.fonts).filter(f => f.family.includes('nanum-gothic')).map(f => f.status)"
        )
        assert "loaded" in faces and "error" not in faces, faces
        assert any(u.endswith("/app/static/NanumGothic.ttf") for u in requests)
        shot = _shot(page, "01_draft_ko")
        if os.environ.get("SAVE_SCREENSHOT"):  # used to refresh the README's picture
            shutil.copy(shot, os.environ["SAVE_SCREENSHOT"])
        # the map of the governments tab: land drawn from the shipped base layer, no tiles
        page.get_by_role("tab", name="지방정부").click()
        deck = page.locator("[data-testid='stDeckGlJsonChart']")
        expect(deck).to_be_visible(timeout=60_000)
        page.wait_for_timeout(2500)
        deck.scroll_into_view_if_needed()
        picture = deck.screenshot(path=str(ARTIFACTS / "02_map_ko.png"))
        from PIL import Image

        colours = Image.open(BytesIO(picture)).convert("RGB").getcolors(maxcolors=1 << 20) or []
        land = sum(n for n, (r, g, b) in colours if abs(r - 233) < 12 and abs(g - 230) < 12 and abs(b - 218) < 12)
        assert land > 2_000, "no land drawn under the points"
        # the draft survives a page change
        page.get_by_text("둘러보기").click()
        expect(page.get_by_text("선례 목록")).to_be_visible(timeout=60_000)
        page.get_by_text("제안서 작성").click()
        expect(page.get_by_label("사업 내용")).to_have_value(
            "캄보디아 바탐방주 소방본부에 소방차와 구급차를 지원하고 소방관 역량을 강화하는 사업", timeout=60_000
        )
        # language switch: English throughout
        page.get_by_text("English").click()
        expect(page.get_by_role("tab", name="SDG targets")).to_be_visible(timeout=120_000)
        expect(page.get_by_text("대상 국가")).to_have_count(0)
        _shot(page, "03_draft_en")
        page.get_by_text("한국어").click()
        expect(page.get_by_role("tab", name="SDG 세부목표")).to_be_visible(timeout=120_000)
        # the reviewer: a CP949 call with a duplicate, a budget outlier and a budget in Korean units
        page.get_by_text("공모 심사").click()
        call = tmp_path / "call_2026.csv"
        call.write_bytes(_call_cp949())
        page.get_by_label("공모 제안 목록 (.csv, .xlsx, .jsonl, .parquet)").wait_for(timeout=60_000)
        with page.expect_file_chooser(timeout=60_000) as chooser:
            page.get_by_role("button", name="파일 선택").first.click()
        chooser.value.set_files(str(call))
        expect(page.get_by_text("4건 분석, 1건 제외")).to_be_visible(timeout=180_000)
        grid = page.locator("[data-testid='stDataFrame']").first
        grid.wait_for(timeout=60_000)
        page.wait_for_timeout(1500)
        html = grid.inner_html()  # the grid paints on a canvas; its accessible copy holds the cells
        (ARTIFACTS / "04_screen_grid.html").write_text(html, encoding="utf-8")
        for header in ("번호", "사업명", "협력국", "예산", "검토 표시"):  # columns in view
            assert header in html, header
        _shot(page, "04_screen_ko")
        # the call stays when the reviewer looks at another page and comes back
        page.get_by_text("둘러보기").click()
        expect(page.get_by_text("선례 목록")).to_be_visible(timeout=60_000)
        page.get_by_text("공모 심사").click()
        expect(page.get_by_text("4건 분석, 1건 제외")).to_be_visible(timeout=60_000)
        expect(page.get_by_text("call_2026.csv")).to_be_visible()
        page.locator("[data-testid='stDataFrame'] canvas").first.wait_for(timeout=60_000)
        page.wait_for_timeout(1500)
        # the workbook's summary is the worklist, in Korean
        shown = _worklist_on_screen(page, ["번호", "사업명", "협력국", "대상도시", "예산", "검토 표시"])
        summary = _summary(_download(page, "심사 결과 내려받기 (.xlsx)"))
        assert summary[0][:6] == ["번호", "사업명", "협력국", "대상도시", "예산", "검토 표시"]
        by_id = {r[0]: r for r in summary[1:]}
        assert set(by_id) == {"P1", "P2", "P3", "P4", "P5"} and summary[-1][0] == "P5"  # rejected, last
        assert "P2" in by_id["P1"][5] and by_id["P4"][4] == "4억 원"  # the duplicate flagged; the budget as written
        assert "제외" in by_id["P5"][5]  # the rejected row's reason in view
        _same_as_the_grid(shown, summary)
        # and in English, the same call (scored again in English, nothing uploaded again)
        page.get_by_text("English").click()
        expect(page.get_by_text("4 scored, 1 rejected")).to_be_visible(timeout=180_000)
        page.locator("[data-testid='stDataFrame'] canvas").first.wait_for(timeout=60_000)
        page.wait_for_timeout(1500)
        shown = _worklist_on_screen(page, ["No.", "Title", "Partner country", "Partner city", "Budget", "Flags"])
        summary = _summary(_download(page, "Download screening results (.xlsx)"))
        _same_as_the_grid(shown, summary)
        _shot(page, "05_screen_en")
        browser.close()
    # offline means offline: every request the browser made went to this computer
    assert requests and _outside(requests) == []


def test_our_government_page_in_both_languages_in_a_real_browser(server):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.goto(server, timeout=120_000)
        page.get_by_text("우리 지자체").click()
        box = page.get_by_role("combobox", name="지방정부 (이름을 입력해 찾기)")
        box.wait_for(timeout=120_000)
        box.click()
        page.keyboard.type("경기도 수원")
        page.get_by_role("option", name="경기도 수원시").click()
        expect(page.get_by_role("heading", name="경기도 수원시")).to_be_visible(timeout=120_000)
        expect(page.get_by_text("추천 기회")).to_be_visible(timeout=60_000)
        deck = page.locator("[data-testid='stDeckGlJsonChart']")
        expect(deck).to_be_visible(timeout=60_000)
        page.locator("[data-testid='stDataFrame'] canvas").first.wait_for(timeout=60_000)
        headers = ("순위", "협력국", "대상 지역", "분야", "근거")
        for _ in range(60):  # the grid fills its accessible copy once it has painted (after the web font)
            html = page.locator("[data-testid='stDataFrame']").first.inner_html()
            if all(header in html for header in headers):
                break
            page.wait_for_timeout(500)
        for header in headers:
            assert header in html, header
        _shot(page, "05_our_government_ko")
        page.get_by_text("English").click()
        expect(page.get_by_role("heading", name="Suwon-si, Gyeonggi-do")).to_be_visible(timeout=120_000)
        expect(page.get_by_text("Opportunities", exact=True)).to_be_visible(timeout=60_000)
        expect(page.get_by_text("추천 기회")).to_have_count(0)
        _shot(page, "06_our_government_en")
        browser.close()


def test_a_typed_partner_district_is_read_back_in_korean(server):
    """The officer types a district the drop-down lacks, in Korean; the page says which place it read."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.goto(server, timeout=120_000)
        page.get_by_label("사업 내용").wait_for(timeout=120_000)
        for label, typed in (
            ("대상 국가", "몽골"),
            ("대상 지역 (주·도·도시, 직접 입력 가능)", "울란바토르시 수흐바타르구"),
        ):
            box = page.get_by_role("combobox", name=label)
            box.click()
            box.fill(typed)
            page.keyboard.press("Enter")
            expect(box).to_have_value(re.compile(typed.split("시 ")[0]), timeout=30_000)
            page.wait_for_timeout(1500)  # the rerun the choice starts
        expect(page.get_by_text("대상지로 읽은 곳: 울란바토르 Sükhbaatar")).to_be_visible(timeout=60_000)
        _shot(page, "typed_partner_place")
        browser.close()
