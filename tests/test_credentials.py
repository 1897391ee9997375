"""Which credential conda would send, by source and never by value; 401/403/429 advice."""

from __future__ import annotations

import base64
import json
import os
from dataclasses import asdict
from urllib.parse import quote_plus

import pytest
from conftest import needs_conda

from conda_netcheck.config.commands import Commands, Shell
from conda_netcheck.config.credentials import (
    Credential,
    CredentialKind,
    anaconda_client_token,
    credentials_for,
    netrc_credential,
    netrc_path,
    url_credentials,
)
from conda_netcheck.config.sources import SettingSource
from conda_netcheck.diagnosis.refusals import (
    advice_for_status,
    server_reason,
    tos_or_rate_fix,
)

TOKEN = "tk-Planted7Token9"
CLIENT_TOKEN = "ct-Planted4Client2"
URL_PASSWORD = "url-Planted3Pass"
NETRC_PASSWORD = "n3trc-Planted1Pw"
OTHER_NETRC_PASSWORD = "0ther-Planted8Pw"
KEYRING_TOKEN = "kr-Planted6Keyring"
SECRETS = (
    TOKEN,
    CLIENT_TOKEN,
    URL_PASSWORD,
    NETRC_PASSWORD,
    OTHER_NETRC_PASSWORD,
    KEYRING_TOKEN,
)

PRIVATE = "https://private.example.com/chan/linux-64"
NETRC_TEXT = (
    f"machine private.example.com login alice password {NETRC_PASSWORD}\n"
    f"machine other.example.com login bob password {OTHER_NETRC_PASSWORD}\n"
)


def write_netrc(path, text=NETRC_TEXT, mode=0o600):
    path.write_text(text)
    path.chmod(mode)
    return path


def texts(credentials: list[Credential]) -> str:
    return "\n".join(json.dumps(asdict(c)) + c.describe() for c in credentials)


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text
        assert base64.b64encode(secret.encode()).decode()[:12] not in text


# --- .netrc -------------------------------------------------------------------------


def test_netrc_entry_named_by_file_and_machine_never_by_password(tmp_path, monkeypatch):
    path = write_netrc(tmp_path / "netrc")
    monkeypatch.setenv("NETRC", str(path))

    credential = netrc_credential(PRIVATE)

    assert credential is not None and credential.sent
    assert credential.kind is CredentialKind.NETRC
    assert credential.source == str(path)
    assert "'machine private.example.com' entry, login alice" in credential.detail
    assert "NETRC" in credential.detail
    assert credential.warnings == []
    assert_no_secret(texts([credential]))


def test_netrc_readable_by_others_is_warned_with_the_chmod(tmp_path, monkeypatch):
    path = write_netrc(tmp_path / "netrc", mode=0o644)
    monkeypatch.setenv("NETRC", str(path))

    credential = netrc_credential(PRIVATE)

    assert credential.warnings == [
        f"{path} is open to group or others (mode 0644): chmod 600 {path}"
    ]


def test_netrc_default_entry_is_used_and_warned(tmp_path, monkeypatch):
    path = write_netrc(
        tmp_path / "netrc", NETRC_TEXT + f"default login dave password {TOKEN}\n"
    )
    monkeypatch.setenv("NETRC", str(path))

    credential = netrc_credential("https://elsewhere.example.org/c")

    assert credential.sent and "'default' entry, login dave" in credential.detail
    assert "every host" in credential.warnings[0]
    assert_no_secret(texts([credential]))


def test_netrc_without_entry_for_the_host_sends_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("NETRC", str(write_netrc(tmp_path / "netrc")))

    credential = netrc_credential("https://elsewhere.example.org/c")

    assert not credential.sent
    assert "no 'machine elsewhere.example.org' entry" in credential.detail


def test_unparsable_netrc_names_the_line_not_the_content(tmp_path, monkeypatch):
    path = write_netrc(
        tmp_path / "netrc", f"machine private.example.com\n  bogus {NETRC_PASSWORD}\n"
    )
    monkeypatch.setenv("NETRC", str(path))

    credential = netrc_credential(PRIVATE)

    assert not credential.sent
    assert credential.detail.startswith("cannot be parsed (line 2)")
    _, fix = advice_for_status(
        401, "private.example.com", [credential], None, Commands()
    )
    assert fix.startswith(f"fix the syntax of {path} at line 2")
    assert_no_secret(texts([credential]) + fix)


@pytest.mark.parametrize(
    "files, netrc_var, expected",
    [
        ((".netrc", "_netrc"), None, ".netrc"),
        (("_netrc",), None, "_netrc"),
        ((".netrc",), "custom", "custom"),
        ((".netrc",), "missing", None),
        ((), None, None),
    ],
    ids=[
        "dot-netrc-before-underscore",
        "underscore-netrc-alone",
        "NETRC-wins",
        "NETRC-missing-hides-home-netrc",
        "no-file",
    ],
)
def test_netrc_lookup_order_agrees_with_requests(
    files, netrc_var, expected, tmp_path, monkeypatch
):
    from requests.utils import get_netrc_auth

    home = tmp_path / "home"
    home.mkdir()
    for name in files:
        write_netrc(home / name, f"machine h.example login {name} password pw-{name}\n")
    write_netrc(tmp_path / "custom", "machine h.example login custom password pw-c\n")
    monkeypatch.setenv("HOME", str(home))
    if netrc_var is None:
        monkeypatch.delenv("NETRC", raising=False)
    else:
        monkeypatch.setenv("NETRC", str(tmp_path / netrc_var))
    env = dict(os.environ)

    path = netrc_path(env)
    credential = netrc_credential("https://h.example/c", env)

    if expected is None:
        assert path is None and credential is None
        assert get_netrc_auth("https://h.example/c") is None
    else:
        assert os.path.basename(path) == expected
        login = get_netrc_auth("https://h.example/c")[0]
        assert f"login {login}" in credential.detail


# --- the URL itself -------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, kinds, shown",
    [
        (f"https://conda.anaconda.org/t/{TOKEN}/private/noarch", ["url-token"], ""),
        (
            f"https://carol:{URL_PASSWORD}@private.example.com/c",
            ["url-userinfo"],
            "user carol with a password",
        ),
        (
            f"https://{TOKEN}ABCDEFGH@private.example.com/c",
            ["url-userinfo"],
            "user <redacted> without a password",
        ),
        (
            f"https://carol:{URL_PASSWORD}@h.example/t/{TOKEN}/c",
            ["url-token", "url-userinfo"],
            "",
        ),
        ("https://conda.anaconda.org/conda-forge/noarch", [], ""),
        ("https://conda.anaconda.org/t//conda-forge/noarch", [], ""),
    ],
    ids=[
        "t-token",
        "user-password",
        "token-as-user",
        "both",
        "nothing",
        "empty-t-segment",
    ],
)
def test_url_credentials_say_what_the_url_carries(url, kinds, shown):
    found = url_credentials(url)

    assert [c.kind for c in found] == kinds
    if shown:
        assert shown in found[-1].detail
    assert_no_secret(texts(found))


# --- anaconda-client tokens -------------------------------------------------------


def plant_client_token(directory, url="https://api.anaconda.org", token=CLIENT_TOKEN):
    data = directory / "data"
    data.mkdir(parents=True, exist_ok=True)
    path = data / f"{quote_plus(url)}.token"
    path.write_text(token)
    return path


def test_anaconda_login_token_is_named_by_its_file(tmp_path, monkeypatch):
    path = plant_client_token(tmp_path / "binstar")
    monkeypatch.setenv("BINSTAR_CONFIG_DIR", str(tmp_path / "binstar"))

    # The file is for api.anaconda.org; conda also applies it to conda.anaconda.org.
    credential = anaconda_client_token("https://conda.anaconda.org/private/noarch")

    assert credential.sent and credential.source == str(path)
    assert "add_anaconda_token is true" in credential.detail
    assert_no_secret(texts([credential]))


def test_anaconda_login_token_is_not_sent_when_add_anaconda_token_is_false(
    tmp_path, monkeypatch
):
    plant_client_token(tmp_path / "binstar")
    monkeypatch.setenv("BINSTAR_CONFIG_DIR", str(tmp_path / "binstar"))

    credential = anaconda_client_token(
        "https://conda.anaconda.org/private/noarch", add_anaconda_token=False
    )

    assert not credential.sent
    assert "not sent: add_anaconda_token is false" in credential.detail


def test_a_token_in_the_url_keeps_the_anaconda_login_token_out(tmp_path, monkeypatch):
    plant_client_token(tmp_path / "binstar")
    monkeypatch.setenv("BINSTAR_CONFIG_DIR", str(tmp_path / "binstar"))

    assert anaconda_client_token(f"https://conda.anaconda.org/t/{TOKEN}/p") is None
    assert anaconda_client_token("https://private.example.com/p") is None


@needs_conda
@pytest.mark.parametrize(
    "token_file_url, url",
    [
        ("https://api.anaconda.org", "https://conda.anaconda.org/private/noarch"),
        ("https://repo.anaconda.cloud/repo/", "https://repo.anaconda.cloud/repo/main"),
        ("https://api.anaconda.org", "https://private.example.com/private/noarch"),
        ("https://api.anaconda.org", f"https://conda.anaconda.org/t/{TOKEN}/p"),
    ],
    ids=["api-to-conda", "conda-token-file", "other-host", "url-has-token"],
)
def test_token_injection_agrees_with_conda(token_file_url, url, tmp_path, monkeypatch):
    from conda.gateways.connection.session import CondaHttpAuth

    plant_client_token(tmp_path / "binstar", token_file_url)
    monkeypatch.setenv("BINSTAR_CONFIG_DIR", str(tmp_path / "binstar"))

    conda_injects = CLIENT_TOKEN in CondaHttpAuth.add_binstar_token(url)
    credential = anaconda_client_token(url)

    assert (credential is not None and credential.sent) == conda_injects


# --- channel_settings through conda's context ------------------------------------------


@pytest.fixture
def conda_config(tmp_path):
    """Write a condarc read through CONDARC with HOME in tmp_path; restore after."""
    from conda.base.context import reset_context
    from conda.gateways.connection.session import CondaSession, get_session

    def write(settings: dict) -> None:
        (tmp_path / "condarc").write_text(json.dumps(settings))
        reset_context()

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CONDARC", str(tmp_path / "condarc"))
        patch.setenv("HOME", str(tmp_path))
        patch.setenv("BINSTAR_CONFIG_DIR", str(tmp_path / "binstar"))
        yield write
    reset_context()
    # Sessions built under the temporary config must not serve later tests.
    get_session.cache_clear()
    CondaSession.cache_clear()


@pytest.fixture
def auth_handler_plugin():
    """Register a conda plugin providing the auth handler 'netcheck-test'."""
    from conda import plugins
    from conda.base.context import context
    from conda.plugins.types import ChannelAuthBase, CondaAuthHandler

    class NetcheckTestAuth(ChannelAuthBase):
        def __call__(self, request):
            return request

    class Plugin:
        @plugins.hookimpl
        def conda_auth_handlers(self):
            yield CondaAuthHandler(name="netcheck-test", handler=NetcheckTestAuth)

    plugin = Plugin()
    context.plugin_manager.register(plugin)
    yield "netcheck-test"
    context.plugin_manager.unregister(plugin)


@needs_conda
def test_unknown_auth_handler_falls_back_to_netrc(conda_config, tmp_path, monkeypatch):
    monkeypatch.setenv("NETRC", str(write_netrc(tmp_path / "netrc")))
    conda_config(
        {
            "channel_settings": [
                {"channel": "https://private.example.com/*", "auth": "no-such-auth"}
            ]
        }
    )

    found = credentials_for(PRIVATE)

    assert [(c.kind, c.sent) for c in found] == [
        ("auth-handler", False),
        ("netrc", True),
    ]
    assert "no installed plugin provides the auth handler 'no-such-auth'" in (
        found[0].detail
    )
    assert "channel https://private.example.com/*" in found[0].source


@needs_conda
def test_resolvable_auth_handler_replaces_netrc_and_url_userinfo(
    conda_config, auth_handler_plugin, tmp_path, monkeypatch
):
    monkeypatch.setenv("NETRC", str(write_netrc(tmp_path / "netrc")))
    conda_config(
        {
            "channel_settings": [
                {
                    "channel": "https://private.example.com/*",
                    "auth": auth_handler_plugin,
                }
            ]
        }
    )
    url = f"https://carol:{URL_PASSWORD}@private.example.com/chan/linux-64"

    found = credentials_for(url)

    assert [(c.kind, c.sent) for c in found] == [
        ("url-userinfo", False),
        ("auth-handler", True),
        ("netrc", False),
    ]
    assert "installed and resolvable" in found[1].detail
    assert "NetcheckTestAuth" in found[1].detail
    assert_no_secret(texts(found))


@needs_conda
@pytest.mark.parametrize(
    "channel, matches",
    [
        ("conda-forge", True),
        ("https://conda.anaconda.org/*", True),
        ("http://conda.anaconda.org/*", False),
        ("*", False),
        ("bioconda", False),
    ],
    ids=["exact-name", "url-pattern", "other-scheme", "scheme-less-star", "other-name"],
)
def test_channel_settings_match_like_get_session(
    channel, matches, conda_config, auth_handler_plugin
):
    from conda.gateways.connection.session import get_session

    conda_config(
        {"channel_settings": [{"channel": channel, "auth": auth_handler_plugin}]}
    )
    url = "https://conda.anaconda.org/conda-forge/linux-64"
    get_session.cache_clear()

    found = credentials_for(url)
    conda_uses_handler = type(get_session(url).auth).__name__ == "NetcheckTestAuth"
    get_session.cache_clear()

    assert (
        any(c.kind is CredentialKind.AUTH_HANDLER for c in found)
        == matches
        == conda_uses_handler
    )


@needs_conda
def test_anaconda_auth_handler_token_state_is_reported(
    conda_config, tmp_path, monkeypatch
):
    conda_config(
        {
            "channel_settings": [
                {"channel": "https://repo.anaconda.cloud/*", "auth": "anaconda-auth"}
            ]
        }
    )

    found = credentials_for("https://repo.anaconda.cloud/repo/main/linux-64")

    handler = next(c for c in found if c.kind is CredentialKind.AUTH_HANDLER)
    try:
        import anaconda_auth  # noqa: F401
    except ImportError:
        assert not handler.sent and "conda install anaconda-auth" in handler.warnings[0]
        _, fix = advice_for_status(401, "repo.anaconda.cloud", found, None, Commands())
        assert fix == (
            "install the auth handler, then your token: conda install anaconda-auth, "
            "then anaconda token install"
        )
    else:
        assert "token " in handler.detail


@needs_conda
def test_nothing_configured_says_none(conda_config):
    conda_config({})

    found = credentials_for("https://private.example.com/c/noarch")

    assert [(c.kind, c.sent) for c in found] == [("none", False), ("netrc", False)]
    assert "does not exist" in found[1].detail  # conftest's NETRC points nowhere


@pytest.fixture
def fake_anaconda_auth(monkeypatch):
    """A stand-in anaconda_auth exposing the public API the check uses."""
    import sys
    import types

    class TokenNotFoundError(Exception):
        pass

    class RepoToken:
        def __init__(self, token):
            self.token = token

    class TokenInfo:
        keyring: dict = {}

        def __init__(self, api_key=None, repo_tokens=()):
            self.api_key, self.repo_tokens = api_key, list(repo_tokens)

        @classmethod
        def load(cls, domain):
            if domain not in cls.keyring:
                raise TokenNotFoundError
            return cls.keyring[domain]

    package = types.ModuleType("anaconda_auth")
    token = types.ModuleType("anaconda_auth.token")
    token.TokenInfo, token.RepoToken, token.MIGRATIONS = TokenInfo, RepoToken, {}
    exceptions = types.ModuleType("anaconda_auth.exceptions")
    exceptions.TokenNotFoundError = TokenNotFoundError
    for name, module in (
        ("anaconda_auth", package),
        ("anaconda_auth.token", token),
        ("anaconda_auth.exceptions", exceptions),
    ):
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.delitem(sys.modules, "anaconda_auth._conda.config", raising=False)
    return token


@pytest.mark.parametrize(
    "keyring, conda_token_file, expected",
    [
        (
            {"anaconda.com": (KEYRING_TOKEN, [])},
            False,
            "present: in the anaconda-auth keyring for anaconda.com",
        ),
        (
            {"anaconda.com": (None, [KEYRING_TOKEN])},
            False,
            "present: in the anaconda-auth keyring",
        ),
        ({}, True, "present: in the conda-token file"),
        ({}, False, "absent: no token for anaconda.com"),
    ],
    ids=["keyring-api-key", "keyring-repo-token", "conda-token-file", "absent"],
)
def test_anaconda_auth_token_presence_without_printing_it(
    keyring, conda_token_file, expected, fake_anaconda_auth, tmp_path, monkeypatch
):
    from conda_netcheck.config.credentials import anaconda_auth_token_state
    from conda_netcheck.redact import REDACTOR

    fake = fake_anaconda_auth
    fake.TokenInfo.keyring = {
        domain: fake.TokenInfo(api_key, [fake.RepoToken(t) for t in repo])
        for domain, (api_key, repo) in keyring.items()
    }
    monkeypatch.setenv("BINSTAR_CONFIG_DIR", str(tmp_path / "binstar"))
    if conda_token_file:
        plant_client_token(tmp_path / "binstar", "https://repo.anaconda.cloud/repo/")

    state, where = anaconda_auth_token_state("repo.anaconda.cloud")

    assert f"{state}: {where}".startswith(expected)
    assert_no_secret(where)
    if keyring:  # read, so registered for redaction
        assert REDACTOR.text(KEYRING_TOKEN) == "<redacted>"


def test_anaconda_auth_state_is_unknown_without_the_package(monkeypatch):
    import sys

    from conda_netcheck.config.credentials import anaconda_auth_token_state

    monkeypatch.setitem(sys.modules, "anaconda_auth", None)

    assert anaconda_auth_token_state("repo.anaconda.cloud")[0] == "unknown"


# --- what the server said ------------------------------------------------------------


@pytest.mark.parametrize(
    "body, content_type, expected",
    [
        (b'{"reason": "Terms of Service not accepted"}', "application/json", None),
        (b'{"message": "rate limit exceeded"}', "application/json", None),
        (b'{"detail": "Invalid token"}', "application/problem+json", None),
        (b'{"error": {"message": "nested"}}', "application/json", "nested"),
        (
            b'{"detail": [{"msg": "x", "message": "first"}]}',
            "application/json",
            "first",
        ),
        (b'{"reason": "a\\n\\u001b[31mb"}', "application/json", "a [31mb"),
        (b'{"status": 403}', "application/json", "NONE"),
        (b"<html>Forbidden</html>", "text/html", "NONE"),
        (b'{"message": "not json', "application/json", "NONE"),
        (b'{"message": "x"}', "text/plain", "x"),
    ],
    ids=[
        "reason",
        "message",
        "detail",
        "nested-error",
        "list",
        "control-chars",
        "no-reason-key",
        "html",
        "broken-json",
        "json-without-type",
    ],
)
def test_server_reason_from_json_bodies(body, content_type, expected):
    reason = server_reason(body, content_type)

    if expected == "NONE":
        assert reason is None
    else:
        assert reason == (expected or json.loads(body).popitem()[1])


def test_server_reason_is_trimmed_and_redacted():
    body = json.dumps(
        {"message": f"bad token https://h.example/t/{TOKEN}/c " + "x" * 400}
    ).encode()

    reason = server_reason(body, "application/json")

    assert len(reason) == 200 and reason.endswith("…")
    assert "/t/<TOKEN>/c" in reason
    assert_no_secret(reason)


@pytest.mark.parametrize(
    "status, reason, retry_after, expected",
    [
        (
            403,
            "Terms of Service have not been accepted",
            None,
            "conda tos accept --override-channels --channel "
            "https://repo.anaconda.com/pkgs/main",
        ),
        (429, "too many requests", "30", "wait 30 s, then try again"),
        (429, None, None, "wait a minute, then try again"),
        (429, None, "Wed, 21 Oct 2015 07:28:00 GMT", "wait 0 s, then try again"),
        (403, "forbidden", None, None),
    ],
    ids=["tos", "429-seconds", "429-no-header", "429-past-date", "plain-403"],
)
def test_tos_or_rate_fix(status, reason, retry_after, expected):
    fix = tos_or_rate_fix(
        status, reason, retry_after, channel="https://repo.anaconda.com/pkgs/main"
    )

    assert (fix is None) if expected is None else (expected in fix)


# --- advice for 401 and 403 ---------------------------------------------------------

NETRC_SENT = Credential(
    CredentialKind.NETRC, "/home/u/.netrc", "the 'machine h' entry, login u"
)
URL_TOKEN = Credential(
    CredentialKind.URL_TOKEN, "the channel URL", "a /t/<TOKEN>/ segment"
)
CLIENT = Credential(
    CredentialKind.ANACONDA_CLIENT_TOKEN,
    "/home/u/.config/binstar/https%3A%2F%2Fapi.token",
)
AUTH = Credential(
    CredentialKind.AUTH_HANDLER,
    "auth handler 'anaconda-auth' (channel_settings: channel https://repo.anaconda.cloud/*)",
    "installed and resolvable; token present",
)
NOTHING = Credential(CredentialKind.NONE, "", "conda sends no credential")

ADVICE = [
    # status, host, credentials, channel, in summary suffix, in fix
    (
        401,
        "repo.anaconda.cloud",
        [NOTHING],
        None,
        "no credential was sent",
        "anaconda token install",
    ),
    (
        401,
        "conda.anaconda.org",
        [NOTHING],
        "private",
        "no credential was sent",
        "anaconda login",
    ),
    (
        401,
        "pkgs.corp.example",
        [NOTHING],
        None,
        "no credential was sent",
        "machine pkgs.corp.example login USER password <password>",
    ),
    (
        401,
        "repo.anaconda.cloud",
        [AUTH],
        None,
        "sent: the auth handler 'anaconda-auth'",
        "it is wrong or expired: renew it: anaconda token install",
    ),
    (
        401,
        "conda.anaconda.org",
        [CLIENT],
        "private",
        "sent: the anaconda-client token in",
        "it is wrong or expired: renew it: anaconda login",
    ),
    (
        403,
        "pkgs.corp.example",
        [NETRC_SENT],
        None,
        "sent: the .netrc entry in /home/u/.netrc",
        "or may not read this channel: renew it: edit /home/u/.netrc",
    ),
    (
        401,
        "conda.anaconda.org",
        [CLIENT],
        "conda-forge",
        "conda-forge is public and rejects the token",
        "conda config --set add_anaconda_token false",
    ),
    (
        401,
        "repo.anaconda.com",
        [URL_TOKEN],
        "https://repo.anaconda.com/t/x/pkgs/main",
        "is public and rejects the token",
        "remove the /t/<TOKEN>/ segment from the channel URL",
    ),
]


@pytest.mark.parametrize(
    "status, host, credentials, channel, suffix_part, fix_part",
    ADVICE,
    ids=[
        "cloud-none-token-install",
        "anaconda-org-none-login",
        "private-none-netrc-line",
        "cloud-handler-refused",
        "anaconda-org-client-token-refused",
        "private-netrc-refused-403",
        "conda-forge-rejects-client-token",
        "repo-anaconda-com-rejects-url-token",
    ],
)
def test_advice_for_401_and_403(
    status, host, credentials, channel, suffix_part, fix_part
):
    suffix, fix = advice_for_status(
        status, host, credentials, None, Commands(), channel=channel
    )

    assert suffix_part in suffix
    assert fix_part in fix


@pytest.mark.parametrize(
    "commands, line",
    [
        pytest.param(
            Commands({"add_anaconda_token": SettingSource.file("/envs/x/.condarc")}),
            "conda config --file /envs/x/.condarc --set add_anaconda_token false",
            id="set-in-an-environments-condarc",
        ),
        pytest.param(
            Commands(
                {
                    "add_anaconda_token": SettingSource.variable(
                        "CONDA_ADD_ANACONDA_TOKEN"
                    )
                },
                shell=Shell.FISH,
            ),
            "set -gx CONDA_ADD_ANACONDA_TOKEN false",
            id="set-by-a-variable-in-fish",
        ),
    ],
)
def test_a_refusals_fix_changes_the_setting_where_the_runs_commands_say(commands, line):
    """The fix is written with the run's commands, not with a guess of its own."""
    _, fix = advice_for_status(
        401, "conda.anaconda.org", [CLIENT], None, commands, channel="conda-forge"
    )

    assert f"stop conda adding your anaconda.org token here: {line} " in fix


def test_advice_quotes_the_server_and_prefers_the_tos_fix():
    suffix, fix = advice_for_status(
        403,
        "repo.anaconda.com",
        [NOTHING],
        "Terms of Service not accepted",
        Commands(),
        channel="https://repo.anaconda.com/pkgs/main",
    )

    assert suffix == (
        '; no credential was sent; the server says: "Terms of Service not accepted"'
    )
    assert fix.startswith("accept the channel's terms of service: conda tos accept")


# --- no secret, anywhere ---------------------------------------------------------------


def test_planted_secrets_never_appear_in_any_returned_text(tmp_path, monkeypatch):
    netrc = write_netrc(tmp_path / "netrc", mode=0o644)
    monkeypatch.setenv("NETRC", str(netrc))
    plant_client_token(tmp_path / "binstar")
    monkeypatch.setenv("BINSTAR_CONFIG_DIR", str(tmp_path / "binstar"))
    urls = [
        f"https://carol:{URL_PASSWORD}@private.example.com/t/{TOKEN}/chan/noarch",
        "https://private.example.com/chan/noarch",
        "https://conda.anaconda.org/private/noarch",
        f"https://{TOKEN}@private.example.com/chan/noarch",
    ]
    outputs = []
    for url in urls:
        found = url_credentials(url)
        for extra in (netrc_credential(url), anaconda_client_token(url)):
            if extra is not None:
                found.append(extra)
        outputs.append(texts(found))
        for status in (401, 403, 429):
            reason = server_reason(
                json.dumps({"message": f"denied {url} {NETRC_PASSWORD}"}).encode(),
                "application/json",
            )
            outputs.extend(
                advice_for_status(
                    status,
                    "private.example.com",
                    found,
                    reason,
                    Commands(),
                    channel=url,
                )
            )
            outputs.append(
                tos_or_rate_fix(status, f"terms of service {url}", "5", channel=url)
            )

    assert_no_secret("\n".join(outputs))


@needs_conda
def test_planted_secrets_never_appear_through_conda(
    conda_config, tmp_path, monkeypatch
):
    monkeypatch.setenv("NETRC", str(write_netrc(tmp_path / "netrc", mode=0o644)))
    plant_client_token(tmp_path / "binstar")
    conda_config(
        {
            "channel_settings": [
                {"channel": f"https://h.example/t/{TOKEN}/*", "auth": "no-such-auth"}
            ]
        }
    )
    outputs = []
    for url in (
        f"https://carol:{URL_PASSWORD}@private.example.com/t/{TOKEN}/chan/noarch",
        f"https://h.example/t/{TOKEN}/chan/noarch",
        "https://conda.anaconda.org/private/noarch",
        "https://private.example.com/chan/noarch",
    ):
        found = credentials_for(url)
        outputs.append(texts(found))
        outputs.extend(
            advice_for_status(401, "private.example.com", found, None, Commands())
        )

    assert_no_secret("\n".join(outputs))
