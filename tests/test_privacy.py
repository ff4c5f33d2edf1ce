"""Private by default: the app listens on this computer only; a shared server asks for a password."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib

import psutil
import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest

from recommender import access
from recommender.explain import MESSAGES

PASSWORD = "correct horse battery staple"


def clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k != access.PASSWORD_ENV and not k.startswith("STREAMLIT_")}
    return {**env, **extra}


# ---------------------------------------------------------------- pure functions


@pytest.mark.parametrize(
    "address, loopback",
    [
        ("127.0.0.1", True),
        ("127.0.1.1", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("", False),
        (None, False),
        ("192.168.0.10", False),
        ("team-server.example", False),
    ],
)
def test_loopback_addresses(address, loopback):
    assert access.is_loopback(address) is loopback


def test_password_comes_from_the_environment_then_the_secrets():
    assert access.configured_password({}, {}) is None
    assert access.configured_password({access.PASSWORD_ENV: ""}, {"shared_password": ""}) is None
    assert access.configured_password({}, {"shared_password": "s"}) == "s"
    assert access.configured_password({access.PASSWORD_ENV: "e"}, {"shared_password": "s"}) == "e"


def test_password_compare_and_session_token():
    assert access.password_matches(PASSWORD, PASSWORD)
    assert not access.password_matches(PASSWORD[:-1], PASSWORD)
    assert not access.password_matches("", PASSWORD)
    token = access.session_token(PASSWORD)
    assert PASSWORD not in token and access.token_valid(token, PASSWORD)
    assert not access.token_valid(token, "another password") and not access.token_valid(None, PASSWORD)


def test_failures_wait_longer_up_to_a_limit():
    assert [access.failure_delay(n) for n in range(6)] == [0.0, 1.0, 2.0, 4.0, 8.0, 8.0]
    waited = []
    access.wait_after_failure(2, sleep=waited.append)
    assert waited == [2.0]


def test_access_texts_are_in_both_languages():
    keys = [k for k in MESSAGES if k.startswith("ui.access_")]
    assert len(keys) >= 7 and all(MESSAGES[k]["ko"] and MESSAGES[k]["en"] for k in keys)
    assert MESSAGES["ui.access_local"] == {
        "ko": "이 컴퓨터에서만 열립니다",
        "en": "Only this computer can open this page",
    }


# ---------------------------------------------------------------- configuration


def test_streamlit_config_keeps_protections_and_privacy():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["address"] == "127.0.0.1"
    assert config["server"]["enableCORS"] is True
    assert config["server"]["enableXsrfProtection"] is True
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["fileWatcherType"] == "none"  # no inotify overflow lines in the log
    assert config["client"]["toolbarMode"] in {"minimal", "viewer"}  # no Deploy button


# ---------------------------------------------------------------- scripts/app.sh


@pytest.fixture
def bare_copy(tmp_path):
    """app.sh, env.sh and access.py alone, without .venv: what a fresh clone has before its first run."""
    (tmp_path / "scripts").mkdir()
    (tmp_path / "recommender").mkdir()
    for name in ("scripts/app.sh", "scripts/env.sh", "recommender/access.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "home").mkdir()
    return tmp_path


@pytest.mark.parametrize("args", [["--server.address", "0.0.0.0"], ["--server.address=10.1.2.3", "--server.port", "9"]])
def test_shared_address_without_password_is_refused_before_installing(bare_copy, args):
    start = time.perf_counter()
    run = subprocess.run(
        ["bash", str(bare_copy / "scripts" / "app.sh"), *args],
        env=clean_env(HOME=str(bare_copy / "home")),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert run.returncode != 0
    assert run.stdout == ""
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --server.address") and access.PASSWORD_ENV in lines[0]
    assert time.perf_counter() - start < 5
    assert not (bare_copy / ".venv").exists()  # nothing installed, nothing built


def test_the_real_script_refuses_too():
    run = subprocess.run(
        ["bash", str(ROOT / "scripts" / "app.sh"), "--server.address", "0.0.0.0"],
        env=clean_env(HOME=str(ROOT / "tests" / "fixtures")),  # a home without ~/.streamlit/secrets.toml
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert run.returncode != 0 and "RECOMMENDER_SHARED_PASSWORD" in run.stderr


def preflight(address, cwd, **env):
    return subprocess.run(
        [sys.executable, "-I", str(ROOT / "recommender" / "access.py"), "preflight", address],
        cwd=cwd,
        env=clean_env(HOME=str(cwd), **env),
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_preflight_lets_loopback_or_a_password_through(tmp_path):
    assert preflight("127.0.0.1", tmp_path).returncode == 0
    assert preflight("0.0.0.0", tmp_path).returncode == 2
    assert preflight("0.0.0.0", tmp_path, RECOMMENDER_SHARED_PASSWORD=PASSWORD).returncode == 0
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(f'shared_password = "{PASSWORD}"\n')
    assert preflight("0.0.0.0", tmp_path).returncode == 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port: int) -> set[str]:
    return {
        c.laddr.ip
        for c in psutil.net_connections(kind="inet")
        if c.status == psutil.CONN_LISTEN and c.laddr.port == port
    }


@pytest.mark.model
def test_app_sh_listens_on_this_computer_only():
    """The issue's check, for real: `bash scripts/app.sh --server.port N` binds 127.0.0.1 and nothing else."""
    if not (ROOT / ".venv" / "bin" / "streamlit").exists():
        pytest.skip("no .venv with streamlit yet (bash scripts/app.sh or scripts/test.sh makes it)")
    port = free_port()
    proc = subprocess.Popen(
        ["bash", str(ROOT / "scripts" / "app.sh"), "--server.port", str(port)],
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, ended below
    )
    try:
        deadline = time.monotonic() + 120  # includes `recommender build --if-needed` on a fresh clone
        while not listening(port) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.5)
        assert proc.poll() is None, proc.stdout.read()
        time.sleep(1)  # let every socket it means to open be open
        assert listening(port) == {"127.0.0.1"}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


# ---------------------------------------------------------------- the pages behind the password


@pytest.fixture
def locked_app(recommender, monkeypatch):
    monkeypatch.chdir(ROOT)  # .streamlit/config.toml (address 127.0.0.1) is read from here
    monkeypatch.setenv("RECOMMENDER_MODELS_DIR", str(recommender.models_dir))
    monkeypatch.setenv(access.PASSWORD_ENV, PASSWORD)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception
    return at


def assert_only_the_password_form(at):
    assert [t.label for t in at.text_input] == ["비밀번호 / Password"]
    assert len(at.sidebar.radio) == 0 and len(at.text_area) == 0 and len(at.title) == 0
    assert len(at.dataframe) == 0 and len(at.get("file_uploader")) == 0 and len(at.caption) == 0


def session_text(at) -> str:
    """Every key and value the session holds, widget values without a key included."""
    return repr(at.session_state._state)


@pytest.mark.model
def test_password_form_first_then_the_draft_page(locked_app):
    at = locked_app
    assert_only_the_password_form(at)
    at.text_input[0].input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    assert at.text_area(key="proposal_text") is not None and at.title[0].value == "도시 간 협력 제안 매칭"
    assert len(at.text_input(key="proposal_title").value) == 0
    assert at.caption[-1].value == "이 컴퓨터에서만 열립니다"
    assert PASSWORD not in session_text(at) and access.SESSION_TOKEN in session_text(at)
    at.sidebar.radio(key="page").set_value("explore").run()  # stays open across pages
    assert not at.exception and len(at.dataframe[0].value) == 255


@pytest.mark.model
def test_wrong_password_stays_locked_after_a_delay(locked_app):
    at = locked_app
    at.text_input[0].input("guess")
    start = time.perf_counter()
    at.button[0].click().run()
    assert time.perf_counter() - start >= access.failure_delay(1)
    assert_only_the_password_form(at)
    assert at.error[0].value == "비밀번호가 맞지 않습니다 / Wrong password"
    assert "guess" not in session_text(at) and at.text_input[0].value == ""
    at.run()  # asking again without a password does not open it either
    assert_only_the_password_form(at)


def test_password_from_streamlit_secrets(monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv(access.PASSWORD_ENV, raising=False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["shared_password"] = PASSWORD
    at.run()
    assert not at.exception
    assert_only_the_password_form(at)


def test_shared_address_without_password_shows_only_a_refusal(monkeypatch):
    from streamlit import config

    monkeypatch.chdir(ROOT)
    monkeypatch.delenv(access.PASSWORD_ENV, raising=False)
    before = config.get_option("server.address")
    config.set_option("server.address", "0.0.0.0")
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.run()
    finally:
        config.set_option("server.address", before)
    assert not at.exception
    assert len(at.error) == 1 and access.PASSWORD_ENV in at.error[0].value
    assert len(at.text_input) == 0 and len(at.sidebar.radio) == 0 and len(at.title) == 0


@pytest.mark.model
def test_footer_names_a_shared_server(locked_app):
    from streamlit import config

    at = locked_app
    before = config.get_option("server.address")
    config.set_option("server.address", "0.0.0.0")
    try:
        at.text_input[0].input(PASSWORD)
        at.button[0].click().run()
    finally:
        config.set_option("server.address", before)
    assert not at.exception
    assert at.caption[-1].value == "공유 서버(0.0.0.0): 비밀번호를 아는 사람만 열 수 있습니다"


def test_a_shared_server_never_looks_up_its_public_address(monkeypatch):
    """Streamlit prints an "External URL" for a wildcard address, looked up on an outside service,
    unless told the address to print: app.sh tells it (this machine's name)."""
    from streamlit import config, net_util
    from streamlit.web import bootstrap

    assert '--browser.serverAddress "$(hostname)"' in (ROOT / "scripts" / "app.sh").read_text(encoding="utf-8")
    looked_up = []
    monkeypatch.setattr(net_util, "get_external_ip", lambda: looked_up.append(1))
    saved = {k: config.get_option(k) for k in ("server.address", "server.headless", "browser.serverAddress")}
    try:
        config.set_option("server.address", "0.0.0.0")
        config.set_option("server.headless", True)
        bootstrap._print_url(False)
        assert looked_up  # what Streamlit does by itself
        looked_up.clear()
        config.set_option("browser.serverAddress", "team-server")  # what app.sh adds for a wildcard address
        bootstrap._print_url(False)
        assert not looked_up
    finally:
        for key, value in saved.items():
            config.set_option(key, value, where_defined="<default>")
