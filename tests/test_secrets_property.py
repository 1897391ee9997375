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

from conda_netcheck.redact import MIN_SECRET_LENGTH, Redactor

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
    """The form in which secret appears in text, in any case, if any."""
    forms = {secret, quote(secret, safe=""), quote(secret), quote_plus(secret)}
    forms |= idna_forms(secret)
    lowered = text.lower()
    for form in forms:
        if form.lower() in lowered:
            return form
    return None


def idna_forms(text: str) -> set[str]:
    """text as urllib3 prints it when a parser took it for a host name."""
    import idna

    if text.isascii():
        return set()
    try:
        return {idna.encode(text.lower(), strict=True, std3_rules=True).decode()}
    except idna.IDNAError:
        return set()


#: Characters a piece of a password can hold and still read as a host name.
HOSTISH = string.ascii_letters + string.digits + "é✓-"


@st.composite
def host_pieces(draw) -> str:
    """A piece of a password that urllib3 takes for the proxy host."""
    core = draw(st.text(alphabet=HOSTISH, min_size=4, max_size=14))
    assume(sum(c.isalnum() for c in core) >= 3)
    return f"Pw{core}Zq"


#: Every printable ASCII character but the ones that end a path segment.
PRINTABLE = "".join(c for c in string.printable if c.isprintable() and c not in "/?#")


@st.composite
def odd_tokens(draw) -> str:
    """A /t/ token over the whole printable range, recognisable in output."""
    core = draw(st.text(alphabet=PRINTABLE, min_size=6, max_size=24))
    assume(core.strip() == core)
    return f"Tk{core}Zq"


def conda_token_tail(token: str) -> str:
    """The piece of a /t/ token conda's pattern ([a-zA-Z0-9-]*) leaves in the URL."""
    import re

    return token[re.match(r"[a-zA-Z0-9-]*", token).end() :]


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


@given(piece=host_pieces(), before=secrets(), after=secrets())
@example(piece="PwTopSecretValueZq", before="a", after="b")
@settings(max_examples=200, deadline=None)
def test_password_piece_that_becomes_the_host_is_scrubbed(piece, before, after):
    """requests/urllib3 split "bob:a@PIECE#b@proxy" at "#": PIECE is the host, lowercased."""
    from urllib3.exceptions import LocationParseError
    from urllib3.util import parse_url

    from conda_netcheck.config.secrets import register_text
    from conda_netcheck.urls import shown_address

    assume(not any(c in before for c in "/?#@") and " " not in before + after)
    url = f"http://bob:{before}@{piece}#{after}@127.0.0.1:3128"
    redactor = Redactor()
    register_text(f"proxy_servers:\n  http: {json.dumps(url)}\n", redactor)
    messages = []
    try:
        host = parse_url(url).host or piece
    except LocationParseError as exc:  # quotes the piece: "Name '...' is not ..."
        host = piece
        messages.append(str(exc))
    for message in (
        *messages,
        f"HTTPConnectionPool(host='{host}', port=80): Max retries exceeded",
        f"Failed to resolve '{host}' ([Errno -2] Name or service not known)",
        f"proxy-misconfigured at {shown_address(url)}",
        f"proxy at {host.upper()}:80",
    ):
        text = redactor.text(message)
        assert leaked(piece, text) is None, text
        assert host.lower() not in text.lower(), text


@given(token=odd_tokens())
@example(token="Tok$en!Secret1")
@settings(max_examples=300, deadline=None)
def test_token_over_the_printable_range_is_scrubbed_with_what_conda_leaves(token):
    """conda strips /t/ and [a-zA-Z0-9-]*: the rest of the token stays in its URL."""
    from urllib.parse import urlsplit

    from conda.common.url import split_anaconda_token

    from conda_netcheck.config.secrets import register_text

    redactor = Redactor()
    url = f"http://127.0.0.1:9/t/{token}/chan"
    register_text(f"channels:\n  - {json.dumps(url)}\n", redactor)
    left, _ = split_anaconda_token(url)
    messages = [f"fix: conda config --add channels {url}", f"url {left}", repr(url)]
    try:
        assert urlsplit(left).port is None or token[:1].isalnum()
    except ValueError as exc:  # what conda prints: the tail read as the port
        messages.append(str(exc))
    tail = conda_token_tail(token)
    for message in messages:
        text = redactor.text(message)
        assert leaked(token, text) is None, text
        if len(tail) > MIN_SECRET_LENGTH:  # one character is always the separator
            assert tail[1:] not in text, text


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
    "channel_alias-user",
    "custom_channels",
    "proxy-host-piece",
    "channel-token-printable",
]


def host_piece(secret: str) -> str:
    """The secret cut down to what urllib3 reads as a host name."""
    return "".join(c for c in secret if c in HOSTISH)


def printable_token(secret: str) -> str:
    """The secret as one /t/ path segment (what would end it replaced)."""
    return secret.translate(str.maketrans("/?# %", "!$*~^"))


def hidden_forms(place: str, secret: str) -> list[str]:
    """What must never be printed for a secret planted in place."""
    if place == "proxy-host-piece":
        return [host_piece(secret)]
    if place == "channel-token-printable":
        token = printable_token(secret)
        tail = conda_token_tail(token)[1:]
        return [token, *([tail] if len(tail) >= MIN_SECRET_LENGTH else [])]
    return [secret]


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
    elif place == "channel_alias-user":
        # a password written where the user goes (no "user:" before it)
        settings["channel_alias"] = f"http://{shown}@127.0.0.1:{port}"
        settings["channels"] = ["chan"]
    elif place == "proxy-host-piece":
        # requests splits at "#": the host is a lowercased piece of the password.
        url = f"http://bob:x@{host_piece(secret)}#{shown}@127.0.0.1:9"
        settings["proxy_servers"] = {"http": url, "https": url}
    elif place == "channel-token-printable":
        settings["channels"] = [f"{local}/t/{printable_token(secret)}/chan"]
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
    outputs["last-failure record"] = _record(tmp)
    return outputs


def _record(tmp: Path) -> str:
    """The record conda's exception observer writes for a failed index download."""
    from conda.base.context import context
    from conda.gateways.connection.session import get_session
    from conda.models.channel import Channel

    from conda_netcheck.failure import record as lastfailure
    from conda_netcheck.redact import REDACTOR

    try:
        url = Channel(context.channels[0]).urls(with_credentials=True)[0]
    except ValueError:  # conda cannot build the URL: it fails before downloading
        return ""
    try:
        get_session(url).get(f"{url}/repodata.json", timeout=1)
    except Exception as exc:  # what conda would raise, and its observer record
        REDACTOR.clear()  # a fresh conda process knows no secret beforehand
        failure = lastfailure.from_exception(exc, ["conda", "search"], "26.7")
        if failure is not None:
            lastfailure.save(failure, tmp / "record.json")
            return (tmp / "record.json").read_text()
    return ""


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
        for hidden in hidden_forms(place, secret):
            form = leaked(hidden, text)
            assert form is None, f"{place}: {form!r} in {name}:\n{text}"
    if place not in ("netrc", "anaconda-token"):
        # The URL holding the secret was shown (masked): redaction was exercised.
        assert any("<redacted>" in t or "<TOKEN>" in t for t in outputs.values())
