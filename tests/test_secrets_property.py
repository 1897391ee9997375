"""Property tests: a random secret, planted anywhere a secret can live, is never printed.

Secrets carry the characters that break URL parsing (``? # / @ : % +``,
space, unicode). Redaction must not depend on parsing: the structural rules
find user info up to the last "@" before the host, and every secret the
configuration holds is also scrubbed by value.
"""

from __future__ import annotations

import json
import logging
import string
from typing import TYPE_CHECKING
from urllib.parse import quote, quote_plus

import pytest
from conftest import needs_conda
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from conda_netcheck.redact import Redactor

if TYPE_CHECKING:
    from pathlib import Path

RESERVED = "?#/@:%+ "
ALPHABET = string.ascii_letters + string.digits + RESERVED + "é✓-_.~"


@st.composite
def secrets(draw) -> str:
    """A password-like secret with reserved characters, recognisable in output."""
    core = draw(st.text(alphabet=ALPHABET, min_size=4, max_size=14))
    assume(sum(c.isalnum() for c in core) >= 3)
    return f"Pw{core}Zq"


def leaked(secret: str, text: str) -> str | None:
    """The form in which secret appears in text, if any."""
    forms = {secret, quote(secret, safe=""), quote(secret), quote_plus(secret)}
    for form in forms:
        if form in text:
            return form
    return None


# -- structural rules, no registration ---------------------------------------------


@given(
    password=secrets().filter(lambda s: not any(c.isspace() for c in s)),
    user=st.sampled_from(["bob", "DOMAIN%5Cbob", "a.b"]),
    scheme=st.sampled_from(["http", "https", "socks5h"]),
    encoded=st.booleans(),
)
@example(password="Pwse?cr#etZq", user="bob", scheme="http", encoded=False)
@example(password="Pwa/b@cZq", user="bob", scheme="https", encoded=False)
@settings(max_examples=300, deadline=None)
def test_userinfo_is_redacted_whatever_it_holds(password, user, scheme, encoded):
    shown = quote(password, safe="") if encoded else password
    url = f"{scheme}://{user}:{shown}@proxy.example:3128/path"
    text = Redactor().text(f"the proxy {url} refused")
    assert leaked(password, text) is None, text
    assert "proxy.example:3128" in text


@given(password=secrets(), encoded=st.booleans())
@settings(max_examples=200, deadline=None)
def test_scheme_relative_channel_is_redacted(password, encoded):
    assume(not any(c.isspace() for c in password))
    shown = quote(password, safe="") if encoded else password
    text = Redactor().text(f"channel //carol:{shown}@host/chan?token=abc123 fails")
    assert leaked(password, text) is None, text


# -- the second net: every secret of the configuration, by value --------------


@given(secret=secrets(), encoded=st.booleans())
@settings(max_examples=200, deadline=None)
def test_configured_secret_is_scrubbed_from_any_message(secret, encoded):
    from conda_netcheck.config.secrets import register_text

    redactor = Redactor()
    shown = quote(secret, safe="") if encoded else secret
    proxy = json.dumps(f"http://bob:{shown}@proxy:3128")
    channel = json.dumps(f"https://h/t/{quote(secret, safe='')}/c")
    condarc = f"proxy_servers:\n  https: {proxy}\nchannels:\n  - {channel}\n"
    register_text(condarc, redactor)
    # Messages that quote a piece of a URL no parser could split.
    for message in (
        f"ValueError: Port could not be cast to integer value as {secret!r}",
        f"proxy http://bob:{secret}@proxy:3128 failed",
        f"token {quote(secret, safe='')} rejected",
        f"sent {quote_plus(secret)}",
    ):
        assert leaked(secret, redactor.text(message)) is None, message


# -- end to end: every place a secret lives, every output --------------------------

PLACES = [
    "proxy_servers",
    "HTTPS_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "channel-password",
    "channel-token",
    "token-query",
    "netrc",
    "anaconda-token",
    "channel_alias",
    "custom_channels",
]


def plant(place: str, secret: str, encoded: bool, port: int, tmp: Path) -> tuple:
    """(.condarc settings, variables) with secret planted in place."""
    shown = quote(secret, safe="") if encoded else secret
    local = f"http://127.0.0.1:{port}"
    settings: dict = {"channels": [f"{local}/chan"]}
    env: dict[str, str] = {}
    proxy = f"http://bob:{shown}@127.0.0.1:9"
    if place == "proxy_servers":
        settings["proxy_servers"] = {"http": proxy, "https": proxy}
    elif place in ("HTTPS_PROXY", "http_proxy", "ALL_PROXY"):
        env[place] = proxy
    elif place == "channel-password":
        settings["channels"] = [f"http://carol:{shown}@127.0.0.1:{port}/chan"]
    elif place == "channel-token":
        settings["channels"] = [f"{local}/t/{quote(secret, safe='')}/chan"]
    elif place == "token-query":
        settings["channels"] = [f"{local}/chan?token={quote(secret, safe='')}"]
    elif place == "netrc":
        netrc = tmp / "netrc"
        netrc.write_text(f'machine 127.0.0.1 login alice password "{secret}"\n')
        netrc.chmod(0o600)
        env["NETRC"] = str(netrc)
    elif place == "anaconda-token":
        data = tmp / "binstar" / "data"
        data.mkdir(parents=True, exist_ok=True)
        (data / (quote_plus(local + "/") + ".token")).write_text(secret)
        env["BINSTAR_CONFIG_DIR"] = str(tmp / "binstar")
    elif place == "channel_alias":
        settings["channel_alias"] = f"http://carol:{shown}@127.0.0.1:{port}"
        settings["channels"] = ["chan"]
    elif place == "custom_channels":
        settings["custom_channels"] = {"chan": f"http://carol:{shown}@127.0.0.1:{port}"}
        settings["channels"] = ["chan"]
    settings.setdefault("channel_alias", local)
    settings["default_channels"] = [f"{local}/chan"]
    return settings, env


def every_output(conda_cli, tmp: Path) -> dict[str, str]:
    """Text, -v, --json, --report, --allowlist, --fix --dry-run, doctor, logs."""
    outputs: dict[str, str] = {}
    logs = _LogCapture()
    logging.getLogger().addHandler(logs)
    try:
        for name, argv in (
            ("text", ()),
            ("-v", ("-v",)),
            ("--json --report", ("--json", "--report", str(tmp / "report.md"))),
            ("--allowlist", ("--allowlist",)),
            ("--fix --dry-run", ("--fix", "--dry-run")),
        ):
            out, err, _ = conda_cli("netcheck", "--timeout", "1", *argv)
            outputs[name] = out + err
    finally:
        logging.getLogger().removeHandler(logs)
    outputs["report file"] = (tmp / "report.md").read_text()
    outputs["logs"] = logs.text()
    prefix = tmp / "env"
    (prefix / "conda-meta").mkdir(parents=True, exist_ok=True)
    (prefix / "conda-meta" / "history").touch()
    out, err, _ = conda_cli("doctor", "--prefix", str(prefix))
    outputs["conda doctor"] = out + err
    outputs["error hints"] = _hints()
    return outputs


class _LogCapture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def text(self) -> str:
        return "\n".join(self.lines)


def _hints() -> str:
    from conda.base.context import context
    from conda.exceptions import CondaHTTPError, CondaSSLError

    manager = context.plugin_manager
    if not hasattr(manager, "get_error_hints"):
        return ""  # conda < 26.7 has no error hints
    texts = []
    for error in (
        CondaHTTPError(
            "HTTP 000 CONNECTION FAILED", "http://127.0.0.1:9/", 0, "", 0, 0
        ),
        CondaSSLError("certificate verify failed"),
    ):
        texts += [hint.text for hint in manager.get_error_hints(error)]
    return "\n".join(texts)


@needs_conda
@pytest.mark.parametrize("place", PLACES)
@given(secret=secrets(), encoded=st.booleans())
@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_planted_secret_appears_in_no_output(
    place, secret, encoded, channel, conda_cli, tmp_path_factory, monkeypatch
):
    from conda.base.context import reset_context

    tmp = tmp_path_factory.mktemp("secret")
    channel.behaviour.status = 401  # every target fails and shows its error
    settings, env = plant(place, secret, encoded, channel.port, tmp)
    condarc = tmp / "condarc.yml"
    condarc.write_text(json.dumps(settings))
    with monkeypatch.context() as patch:
        patch.setenv("HOME", str(tmp))
        patch.setenv("CONDA_PKGS_DIRS", str(tmp / "pkgs"))
        patch.setenv("CONDARC", str(condarc))
        patch.setenv("BINSTAR_CONFIG_DIR", str(tmp / "no-binstar"))
        for name, value in env.items():
            patch.setenv(name, value)
        reset_context()
        try:
            outputs = every_output(conda_cli, tmp)
        finally:
            patch.delenv("CONDARC")
            reset_context()
    for name, text in outputs.items():
        form = leaked(secret, text)
        assert form is None, f"{place}: {form!r} in {name}:\n{text}"
    if place not in ("netrc", "anaconda-token"):
        # The URL holding the secret was shown (masked): redaction was exercised.
        assert any("<redacted>" in t or "<TOKEN>" in t for t in outputs.values())
