"""Who may open the app: this computer only by default, a password on a shared server.

The pure part (stdlib only) decides whether an address is loopback, where the shared password comes
from, compares a given password in constant time and says how long to wait after a failure.
`scripts/app.sh` runs this file with the system Python before anything is installed
(`python3 -I recommender/access.py preflight ADDRESS`), so it imports nothing from the package at
module level. The two Streamlit functions at the end (`require_access`, `footer`) import Streamlit
and the message catalogue when called.

Nothing here stores or logs a password: the session keeps only an HMAC token derived from the
configured password with a per-process random key, and a count of failed attempts.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import secrets
import sys
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

PASSWORD_ENV = "RECOMMENDER_SHARED_PASSWORD"
SECRET_KEY = "shared_password"  # the entry in .streamlit/secrets.toml
SESSION_TOKEN = "_access_token"  # session-state keys: an HMAC token, never the password
SESSION_FAILURES = "_access_failures"
SESSION_FAILED = "_access_failed"  # the attempt of this run failed
SESSION_INPUT = "_access_input"  # the password field, emptied as soon as it is read
FIRST_DELAY_S = 1.0
MAX_DELAY_S = 8.0

# A per-process key: tokens made by one server process mean nothing to another, or after a restart.
_PROCESS_KEY = secrets.token_bytes(32)
# Failed attempts of every session wait their turn here, so parallel sessions gain no guesses.
_FAILURE_LOCK = threading.Lock()


def is_loopback(address: str | None) -> bool:
    """True when a server bound to `address` can be reached from this computer only.

    None and "" mean Streamlit's default, every interface; a host name other than `localhost`
    counts as shared (it may resolve to anything).
    """
    if address is None:
        return False
    host = address.strip().strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def configured_password(env: Mapping[str, str], secrets_: Mapping[str, object] | None = None) -> str | None:
    """The shared password: the environment variable first, then the secrets entry; None when unset or empty."""
    value = env.get(PASSWORD_ENV) or (secrets_ or {}).get(SECRET_KEY)
    return value if isinstance(value, str) and value else None


def _digest(password: str) -> bytes:
    return hmac.new(_PROCESS_KEY, password.encode("utf-8"), hashlib.sha256).digest()


def password_matches(given: str, expected: str) -> bool:
    """Constant-time comparison (of keyed digests, so the lengths do not show either)."""
    return hmac.compare_digest(_digest(given), _digest(expected))


def session_token(expected: str) -> str:
    """What a session keeps once it gave the right password (an HMAC, not the password)."""
    return hmac.new(_PROCESS_KEY, b"session:" + _digest(expected), hashlib.sha256).hexdigest()


def token_valid(token: object, expected: str) -> bool:
    return isinstance(token, str) and hmac.compare_digest(token, session_token(expected))


def failure_delay(failures: int) -> float:
    """Seconds to wait after the `failures`-th wrong password of a session: 1, 2, 4, then 8 at most."""
    if failures <= 0:
        return 0.0
    return min(FIRST_DELAY_S * 2 ** (failures - 1), MAX_DELAY_S)


def wait_after_failure(failures: int, sleep=time.sleep) -> None:
    with _FAILURE_LOCK:
        sleep(failure_delay(failures))


# ---------------------------------------------------------------- start-up check (scripts/app.sh)


def secrets_files(cwd: Path | None = None, home: Path | None = None) -> list[Path]:
    """Where Streamlit looks for secrets.toml by default (the user's, then the project's)."""
    cwd = cwd or Path.cwd()
    home = home or Path.home()
    return [home / ".streamlit" / "secrets.toml", cwd / ".streamlit" / "secrets.toml"]


def read_secrets(paths: Iterable[Path]) -> dict[str, object]:
    """Top-level entries of the secrets files that exist (later files win, as in Streamlit)."""
    import tomllib

    merged: dict[str, object] = {}
    for path in paths:
        if path.is_file():
            try:
                merged.update(tomllib.loads(path.read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
                raise SystemExit(f"error: cannot read {path}: {exc}") from None
    return merged


def preflight_error(address: str, env: Mapping[str, str], secrets_: Mapping[str, object]) -> str | None:
    """The one-line refusal for a shared address without a password, or None when the start may go on."""
    if is_loopback(address) or configured_password(env, secrets_):
        return None
    shown = address if address else '"" (every interface)'
    return (
        f"error: --server.address {shown} lets other computers open the app; set {PASSWORD_ENV} "
        f"(or {SECRET_KEY} in .streamlit/secrets.toml) to share it, or serve on 127.0.0.1"
    )


def _main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "preflight":
        print("usage: python3 recommender/access.py preflight ADDRESS", file=sys.stderr)
        return 2
    error = preflight_error(argv[1], os.environ, read_secrets(secrets_files()))
    if error:
        print(error, file=sys.stderr)
        return 2
    return 0


# ---------------------------------------------------------------- Streamlit


def _both(key: str, **values) -> str:
    from recommender.explain import message

    return f"{message(key, 'ko', **values)} / {message(key, 'en', **values)}"


def _streamlit_secrets(st) -> Mapping[str, object]:
    try:
        return {SECRET_KEY: st.secrets[SECRET_KEY]} if SECRET_KEY in st.secrets else {}
    except Exception:  # no secrets.toml at all (Streamlit raises), or an unreadable one
        return {}


def _check_password() -> None:
    """The form's callback (it runs before the page): grant the session, or count a failure and wait.
    It reads the password from the configuration itself, so no callback argument holds it, and it
    empties the field, so the typed value does not stay in the session either way."""
    import streamlit as st

    given = st.session_state.get(SESSION_INPUT, "")
    st.session_state[SESSION_INPUT] = ""
    expected = configured_password(os.environ, _streamlit_secrets(st))
    if expected and password_matches(given, expected):
        st.session_state.pop(SESSION_FAILURES, None)
        st.session_state[SESSION_TOKEN] = session_token(expected)
        return
    failures = st.session_state.get(SESSION_FAILURES, 0) + 1
    st.session_state[SESSION_FAILURES] = failures
    st.session_state[SESSION_FAILED] = True
    wait_after_failure(failures)


def require_access() -> None:
    """Call first in the page: returns when this session may see the app, otherwise renders only
    the password form (or, for a shared address without a password, a refusal) and stops the run.
    The texts are in both languages, since the language switch is part of what stays hidden."""
    import streamlit as st

    password = configured_password(os.environ, _streamlit_secrets(st))
    if password is None:
        if is_loopback(st.get_option("server.address")):
            return
        st.error(_both("ui.access_refused", env=PASSWORD_ENV))
        st.stop()
    if token_valid(st.session_state.get(SESSION_TOKEN), password):
        return
    st.subheader(_both("ui.access_title"))
    with st.form("access_form"):
        st.text_input(_both("ui.access_password"), type="password", key=SESSION_INPUT)
        st.form_submit_button(_both("ui.access_submit"), on_click=_check_password)
    if st.session_state.pop(SESSION_FAILED, False):
        st.error(_both("ui.access_wrong"))
    st.stop()


def footer(lang: str) -> str:
    """Who can open this page, for the page footer."""
    import streamlit as st

    from recommender.explain import message

    address = st.get_option("server.address")
    if is_loopback(address):
        return message("ui.access_local", lang)
    return message("ui.access_shared", lang, address=address or "0.0.0.0")


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
