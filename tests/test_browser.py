"""A real browser: Streamlit served on 127.0.0.1, Debian's Chromium driven by Playwright."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.model,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (apt-get install chromium fonts-nanum)"
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


def test_korean_proposal_in_a_real_browser(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.goto(server, timeout=120_000)
        area = page.get_by_label("사업 내용")
        area.wait_for(timeout=120_000)
        area.fill("캄보디아 바탐방주 소방본부에 소방차와 구급차를 지원하고 소방관 역량을 강화하는 사업")
        page.get_by_role("button", name="매칭하기").click()
        line = page.get_by_text("SDG 11 세부목표 (순위)")
        expect(line).to_be_visible(timeout=120_000)
        expect(page.get_by_role("tab", name="SDG 세부목표")).to_be_visible()
        page.locator("[data-testid='stDataFrame'] canvas").first.wait_for(timeout=60_000)
        page.wait_for_timeout(1500)  # let the grid paint before the screenshot
        text = line.locator("xpath=..").inner_text()
        assert "11.5" in text or "11.b" in text
        shot = tmp_path / "results.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        if os.environ.get("SAVE_SCREENSHOT"):  # used once to refresh the README's picture
            shutil.copy(shot, os.environ["SAVE_SCREENSHOT"])
        browser.close()
