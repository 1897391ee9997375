"""Planted secrets never appear in any output: text, -v, --json, errors."""

from __future__ import annotations

import base64
import json

import pytest
from conftest import needs_conda

from conda_netcheck.config import secrets as config_secrets
from conda_netcheck.redact import REDACTED, Redactor

TOKEN = "tk-Planted7Token9"
URL_PASSWORD = "url-Planted3Pass"
PROXY_PASSWORD = "pr0xy-Planted5Pw"
NETRC_PASSWORD = "n3trc-Planted1Pw"
SECRETS = (TOKEN, URL_PASSWORD, PROXY_PASSWORD, NETRC_PASSWORD)


def assert_no_secret(*outputs: str) -> None:
    text = "\n".join(o or "" for o in outputs)
    for secret in SECRETS:
        assert secret not in text
        assert base64.b64encode(secret.encode()).decode()[:12] not in text
    for user, secret in (("bob", PROXY_PASSWORD), ("alice", NETRC_PASSWORD)):
        assert base64.b64encode(f"{user}:{secret}".encode()).decode() not in text


@pytest.fixture
def netrc(tmp_path, monkeypatch):
    path = tmp_path / "netrc"
    path.write_text(f"machine 127.0.0.1 login alice password {NETRC_PASSWORD}\n")
    path.chmod(0o600)
    monkeypatch.setenv("NETRC", str(path))
    return path


@needs_conda
@pytest.mark.parametrize(
    "proxy_up", [True, False], ids=["proxy-401-upstream", "proxy-down"]
)
@pytest.mark.parametrize("flags", [(), ("-v",), ("--json",), ("--json", "-v")], ids=str)
def test_conda_netcheck_prints_no_secret(
    flags, proxy_up, channel, netrc, tmp_path, conda_cli, monkeypatch
):
    from conda.base.context import reset_context
    from support.proxies import proxypy_proxy
    from support.servers import closed_port

    channel.behaviour.status = 401  # so every target fails and shows its error
    host = channel.url.split("://")[1]
    url = f"http://carol:{URL_PASSWORD}@{host}/t/{TOKEN}/private"
    with proxypy_proxy(tmp_path, users={"bob": PROXY_PASSWORD}) as proxy:
        port = proxy.port if proxy_up else closed_port()
        proxy_url = f"http://bob:{PROXY_PASSWORD}@127.0.0.1:{port}"
        condarc = tmp_path / "condarc"
        condarc.write_text(
            json.dumps(
                {
                    "channels": [url],
                    "default_channels": [url],
                    "channel_alias": channel.url,
                    "proxy_servers": {"http": proxy_url, "https": proxy_url},
                }
            )
        )
        monkeypatch.setenv("CONDARC", str(condarc))
        monkeypatch.setenv("HTTPS_PROXY", proxy_url)
        reset_context()
        out, err, code = conda_cli("netcheck", "--timeout", "1", *flags)
    assert code == 1
    assert_no_secret(out, err)
    assert "<redacted>" in out or "<TOKEN>" in out


def test_standalone_prints_no_secret(channel, netrc, tmp_path):
    import os
    import subprocess
    import sys

    shim = tmp_path / "shim" / "conda"
    shim.mkdir(parents=True)
    (shim / "__init__.py").write_text("raise ImportError\n")
    channel.behaviour.status = 403
    host = channel.url.split("://")[1]
    env = {
        **os.environ,
        "PYTHONPATH": str(shim.parent),
        "HTTP_PROXY": f"http://bob:{PROXY_PASSWORD}@127.0.0.1:9",
    }
    for flags in ((), ("-v",), ("--json",)):
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "conda_netcheck",
                "--timeout",
                "1",
                *flags,
                f"http://carol:{URL_PASSWORD}@{host}/t/{TOKEN}/x",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 1
        assert_no_secret(proc.stdout, proc.stderr)


# -- Setting names that carry secrets, whatever their case --------------------

_VALUE = "Vx7-planted-secret-value"

SECRET_NAMES = [
    "token",
    "TOKEN",
    "Token",
    "anaconda_token",
    "ANACONDA_TOKEN",
    "password",
    "Password",
    "PROXY_PASSWORD",
    "passwd",
    "secret",
    "Client_Secret",
    "api_key",
    "Api_Key",
    "APIKEY",
    "credential",
    "Credentials",
]
PLAIN_NAMES = ["channel_alias", "CHANNELS", "Ssl_Verify", "user", "Monkey"]


@pytest.mark.parametrize("name", SECRET_NAMES)
@pytest.mark.parametrize("form", ["yaml", "toml", "environment"])
def test_a_secret_named_setting_is_registered_whatever_its_case(name, form):
    redactor = Redactor()
    if form == "yaml":
        config_secrets.register_text(f"{name}: {_VALUE}\n", redactor)
    elif form == "toml":
        config_secrets.register_text(f'{name} = "{_VALUE}"\n', redactor)
    else:
        config_secrets.register_environment({f"CONDA_{name}": _VALUE}, redactor)
    assert redactor.text(f"value {_VALUE} seen") == f"value {REDACTED} seen"


@pytest.mark.parametrize("name", PLAIN_NAMES)
@pytest.mark.parametrize("form", ["yaml", "environment"])
def test_a_setting_without_a_secret_name_keeps_its_value(name, form):
    redactor = Redactor()
    if form == "yaml":
        config_secrets.register_text(f"{name}: {_VALUE}\n", redactor)
    else:
        config_secrets.register_environment({f"CONDA_{name}": _VALUE}, redactor)
    assert redactor.text(f"value {_VALUE} seen") == f"value {_VALUE} seen"


@pytest.mark.parametrize("name", SECRET_NAMES)
def test_a_secret_named_key_of_a_document_is_redacted_whatever_its_case(name):
    out = Redactor().obj({name: _VALUE, "channel": "conda-forge"})
    assert out == {name: REDACTED, "channel": "conda-forge"}


# -- What the configuration's text gives up, read line by line ------------------


def _registered(register, *args) -> set[str]:
    redactor = Redactor()
    register(*args, redactor)
    return set(redactor.secrets)


@pytest.mark.parametrize(
    ("text", "secrets"),
    [
        pytest.param("proxy_servers:\n  https: http://bob:pr0xy-pw1@p:3128  # corp\n", {"pr0xy-pw1"}, id="comment-after-value"),
        pytest.param("channels:\n  - https://conda.example/t/tk-abcdef123456/c\n", {"tk-abcdef123456"}, id="list-item-token"),
        pytest.param("channels:\n  - '//u:rel-pw-123@h/c'\n", {"rel-pw-123"}, id="scheme-relative-quoted"),
        pytest.param("channels:\n  - //u:rel-pw-456@h/c\n", {"rel-pw-456"}, id="scheme-relative"),
        pytest.param("channels: [https://u:flow-pw-1@h/c, \"https://v:flow-pw-2@h/d\"]\n", {"flow-pw-1", "flow-pw-2"}, id="flow-list"),
        pytest.param('proxy_servers: {"http": "http://u:pw-one-11@h:1", "https": "http://u:pw-two-22@h:1"}\n', {"pw-one-11", "pw-two-22"}, id="flow-mapping"),
        pytest.param("token: 'quoted-tok-12' # comment\n", {"quoted-tok-12"}, id="quoted-secret-key"),
        pytest.param('api_key = "toml-key-1234"\n', {"toml-key-1234"}, id="toml"),
        pytest.param("url: https://h/c?key=q-secret-9&x=1\n", {"q-secret-9"}, id="query"),
        pytest.param("proxy: http://u:pass word-12@h:1\n", {"pass word-12"}, id="space-in-password"),
    ],
)  # fmt: skip
def test_register_text_finds_each_secret_of_a_configuration(text, secrets):
    registered = _registered(config_secrets.register_text, text)
    assert secrets <= registered
    hosts = {"h", "p", "h:1", "conda.example", "http", "https", "channels", "corp"}
    assert not hosts & registered


@pytest.mark.parametrize(
    "text",
    [
        "channel_alias: https://conda.example\n",
        "channels:\n  - conda-forge\n  - https://conda.example/c\n",
        "ssl_verify: true\n# token: not-a-value-here\n",
        "proxy_servers: {http: 'http://h:1', https: 'http://h:2'}\n",
        "   \n\n",
    ],
)
def test_register_text_registers_nothing_without_a_credential(text):
    assert _registered(config_secrets.register_text, text) == set()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("'quoted-1'", "quoted-1"),
        ('"quoted-2"', "quoted-2"),
        ("plain-3 # a comment", "plain-3"),
        ("plain-4#not-a-comment", "plain-4#not-a-comment"),
        ("[item-5,", "item-5"),
        ("{key-6}", "key-6"),
        ("'mismatched-7\"", "'mismatched-7\""),
    ],
)
def test_a_secret_named_key_registers_its_value_as_yaml_reads_it(value, expected):
    registered = _registered(config_secrets.register_text, f"my_token: {value}\n")
    alone = Redactor()
    alone.add(expected)
    assert registered == set(alone.secrets)


def test_register_value_by_key_and_by_shape():
    def value(text: str, key: str = "") -> set[str]:
        redactor = Redactor()
        config_secrets.register_value(text, redactor, key)
        return set(redactor.secrets)

    assert value("plain-value-1", "my_token") == {"plain-value-1"}
    assert value("plain-value-1", "channel") == set()
    assert "s3cret-pw" in value("https://u:s3cret-pw@h.example/c")
    assert "s3cret-pw" in value("//u:s3cret-pw@h.example/c")
    assert "tk-abcdef0123" in value("https://h.example/t/tk-abcdef0123/c")
    assert "q-s3cret" in value("https://h.example/?token=q-s3cret")
    assert value("https://h.example/c") == set()
    # Two URLs on one line are read one by one: hosts never become secrets.
    two = value("https://u:pw-one-1@a.example/c https://v:pw-two-2@b.example/d")
    assert {"pw-one-1", "pw-two-2"} <= two
    assert not {"a.example", "b.example"} & two


# -- Variables, .netrc, token files -------------------------------------------


@pytest.mark.parametrize(
    ("name", "registered"),
    [
        ("HTTPS_PROXY", True),
        ("https_proxy", True),
        ("CONDA_CHANNELS", True),
        ("ANACONDA_API_KEY_X", True),
        ("BINSTAR_URL", True),
        ("MAMBA_PROXY", True),
        ("GITHUB_TOKEN", True),
        ("DB_PASSWORD", True),
        ("APP_SECRET", True),
        ("AWS_CREDENTIALS", True),
        ("MIRROR_URL", True),
        ("HOME", False),
        ("PATH", False),
        ("URL_HOME", False),
    ],
)
def test_register_environment_reads_the_variables_that_can_hold_a_credential(
    name, registered
):
    found = _registered(
        config_secrets.register_environment, {name: "https://u:env-pw-77@h.example/c"}
    )
    assert ("env-pw-77" in found) is registered


def test_register_netrc_reads_passwords_and_accounts(tmp_path):
    path = tmp_path / "netrc"
    path.write_text(
        "machine a.example login alice password netrc-pw-1\n"
        "machine b.example\n  login bob\n  account acct-s3cret\n"
        "default password dflt-pw-99\n"
    )
    found = _registered(config_secrets.register_netrc, str(path))
    assert {"netrc-pw-1", "acct-s3cret", "dflt-pw-99"} <= found
    assert base64.b64encode(b"alice:netrc-pw-1").decode() in found
    assert base64.b64encode(b"bob:acct-s3cret").decode() in found
    assert not {"alice", "bob", "a.example", "machine", "login"} & found
    assert _registered(config_secrets.register_netrc, None) == set()
    assert _registered(config_secrets.register_netrc, str(tmp_path / "none")) == set()


def test_register_token_files_reads_only_token_files(tmp_path):
    (tmp_path / "https%3A%2F%2Fapi.anaconda.org.token").write_text("tk-file-0123456\n")
    (tmp_path / "notes.txt").write_text("not-a-token-99")
    (tmp_path / "empty.token").write_text("\n")
    found = _registered(config_secrets.register_token_files, str(tmp_path))
    assert found and all("not-a-token" not in s for s in found)
    assert "tk-file-0123456" in found
    assert (
        _registered(config_secrets.register_token_files, str(tmp_path / "no")) == set()
    )


def test_register_files_reads_each_file_and_skips_what_is_not_a_file(tmp_path):
    import os

    first, second = tmp_path / "a.condarc", tmp_path / "b.toml"
    first.write_text("proxy_servers:\n  https: http://u:file-pw-1@h:1\n")
    second.write_text('token = "file-tok-2222"\n')
    os.mkfifo(tmp_path / "fifo")
    paths = [str(first), str(tmp_path / "missing"), str(tmp_path / "fifo"), str(second)]
    found = _registered(config_secrets.register_files, paths)
    assert {"file-pw-1", "file-tok-2222"} <= found


def test_register_all_collects_variables_files_netrc_and_tokens(tmp_path, monkeypatch):
    from conda_netcheck.redact import REDACTOR

    netrc = tmp_path / "netrc"
    netrc.write_text("machine h login u password all-netrc-pw\n")
    tokens = tmp_path / "binstar" / "data"
    tokens.mkdir(parents=True)
    (tokens / "x.token").write_text("all-token-1234")
    condarc = tmp_path / "condarc"
    condarc.write_text("channels:\n  - https://u:all-rc-pw@h/c\n")
    toml = tmp_path / "config.toml"
    toml.write_text('api_key = "all-toml-key"\n')
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("BINSTAR_CONFIG_DIR", str(tmp_path / "binstar"))
    monkeypatch.setenv("HTTPS_PROXY", "http://u:all-env-pw@p:3128")
    REDACTOR.clear()
    try:
        config_secrets.register_all([str(condarc)], str(toml))
        found = set(REDACTOR.secrets)
    finally:
        REDACTOR.clear()
    assert {
        "all-netrc-pw",
        "all-token-1234",
        "all-rc-pw",
        "all-toml-key",
        "all-env-pw",
    } <= found


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        pytest.param("my_token: tok-1234 # one # two\n", "tok-1234", id="first-comment-ends-the-value"),
        pytest.param("my_token: Xtok-1234X\n", "Xtok-1234X", id="no-quotes-to-strip"),
        pytest.param("ssl_verify: true\n\nproxy: http://u:pw-after-blank@h:1\n", "pw-after-blank", id="after-a-blank-line"),
        pytest.param("proxy: http://u:Xpass wordX@h:1\n", "Xpass wordX", id="one-url-with-spaces"),
        pytest.param("channel: conda.example/t/tk-abcdef0123/c\n", "tk-abcdef0123", id="scheme-less-token-path"),
        pytest.param("channel_alias: https://h.example:ghp_abcdefghij0123456789/c\n", "ghp_abcdefghij0123456789", id="token-as-port"),
        pytest.param("channels: https://u:pw-a1@h/c,https://v:pw-b2@h/d\n", "pw-b2", id="comma-joined-urls"),
        pytest.param("channels: [//ghp_abcdefghij0123456789@h/c, https://h/d]\n", "ghp_abcdefghij0123456789", id="flow-scheme-relative-token-user"),
        pytest.param("channel: //ghp_abcdefghij0123456789@h/c\n", "ghp_abcdefghij0123456789", id="scheme-relative-token-user"),
    ],
)  # fmt: skip
def test_each_secret_is_registered_exactly(text, secret):
    registered = _registered(config_secrets.register_text, text)
    alone = Redactor()
    alone.add(secret)
    assert set(alone.secrets) <= registered, sorted(registered)
    redactor = Redactor()
    config_secrets.register_text(text, redactor)
    assert redactor.text(f"[{secret}]") == f"[{REDACTED}]"


def test_a_netrc_password_before_any_login_has_an_empty_user(tmp_path):
    path = tmp_path / "netrc"
    path.write_text("default password pw-only-123\n")
    found = _registered(config_secrets.register_netrc, str(path))
    assert base64.b64encode(b":pw-only-123").decode() in found


def test_at_most_200_token_files_are_read(tmp_path):
    for i in range(201):
        (tmp_path / f"{i:03d}.token").write_text(f"tok-{i:03d}-abcdef")
    redactor = Redactor()
    config_secrets.register_token_files(str(tmp_path), redactor)
    read = [i for i in range(201) if f"tok-{i:03d}-abcdef" in redactor.secrets]
    assert len(read) == 200


#: Not YAML (a tab as indentation, a dangling flow): only the line scan reads it.
_NOT_YAML = "\t: [\n"


@pytest.mark.parametrize(
    ("text", "secrets"),
    [
        pytest.param(
            "proxy_servers:\n  https: http://alice:Passw0rd1@proxy.corp.example:3128\n",
            ["Passw0rd1"],
            id="plain",
        ),
        pytest.param(
            "proxy_servers:\n  https: 'http://alice:Pass''w0rd@proxy.corp.example:3128'\n",
            ["Pass'w0rd"],
            id="single-quoted",
        ),
        pytest.param(
            'proxy_servers:\n  https: "http://alice:P\\u00e9ssw0rd@proxy.corp.example:3128"\n',
            ["Péssw0rd"],
            id="double-quoted-escape",
        ),
        pytest.param(
            'proxy_servers: {https: "http://alice:Flow5ecret@proxy.corp.example:1", '
            "http: http://bob:Other5ecret@proxy.corp.example:2}\n",
            ["Flow5ecret", "Other5ecret"],
            id="flow-mapping",
        ),
        pytest.param(
            "channels: [//alice:L1stSecret@mirror.corp.example/c, https://mirror.corp.example/d]\n",
            ["L1stSecret"],
            id="flow-list",
        ),
        pytest.param(
            "proxy_servers:\n  https: http://alice:C0mmentPw@proxy.corp.example:3128  # the office\n",
            ["C0mmentPw"],
            id="comment-after",
        ),
        pytest.param(
            '{"proxy_servers": {"https": "http://alice:J50nSecret@proxy.corp.example:1"}}',
            ["J50nSecret"],
            id="json",
        ),
        pytest.param(
            "anaconda_token: tk-Abc123456789\n", ["tk-Abc123456789"], id="secret-key"
        ),
        # a value folded over two lines: only the parsed document has it whole
        pytest.param(
            'proxy_servers: {https: "http://alice:Spl1t\n  Secret@proxy.corp.example:1"}\n',
            ["Spl1t Secret"],
            id="folded-in-a-mapping",
        ),
        pytest.param(
            'channels:\n  - "http://alice:L1st\n    P4rtTwo@mirror.corp.example/c"\n',
            ["L1st P4rtTwo"],
            id="folded-in-a-list",
        ),
        # folded, with a bracket: still one scalar, read whole
        pytest.param(
            'proxy_servers:\n  https: "http://alice:Br[ack\n    S3cret@proxy.corp.example:1"\n',
            ["Br[ack S3cret"],
            id="folded-with-a-bracket",
        ),
        # folded under a secret-named key: a secret by its name alone
        pytest.param(
            'anaconda_token: "tk-Spl1t\n  T0ken99"\n',
            ["tk-Spl1t T0ken99"],
            id="folded-secret-key",
        ),
        pytest.param(
            "proxy_servers:\n  https: http://alice:Br0kenYaml@proxy.corp.example:1\n"
            + _NOT_YAML,
            ["Br0kenYaml"],
            id="not-yaml-plain",
        ),
        # a comment and a blank line before: the scan goes on past them
        pytest.param(
            "# the office proxy\n\nproxy_servers:\n"
            "  https: http://alice:Aft3rComment@proxy.corp.example:1\n" + _NOT_YAML,
            ["Aft3rComment"],
            id="not-yaml-after-a-comment",
        ),
        # unquoted, one URL with a space in its password: one value
        pytest.param(
            "proxy_servers:\n  https: http://alice:two w0rdz@proxy.corp.example:1\n"
            + _NOT_YAML,
            ["two w0rdz"],
            id="not-yaml-unquoted-space",
        ),
        pytest.param(
            'proxy_servers:\n  https: "http://alice:two w0rds@proxy.corp.example:1"\n'
            + _NOT_YAML,
            ["two w0rds"],
            id="not-yaml-quoted-space",
        ),
        pytest.param(
            "proxy_servers:\n  https: 'http://alice:Sing1e0ne@proxy.corp.example:1'\n"
            + _NOT_YAML,
            ["Sing1e0ne"],
            id="not-yaml-single-quoted",
        ),
        pytest.param(
            'proxy_servers:\n  https: "http://alice:Esc\\u00e9ped1@proxy.corp.example:1"\n'
            + _NOT_YAML,
            ["Escéped1"],
            id="not-yaml-escape",
        ),
        pytest.param(
            "channels: [//alice:L1stBroken@mirror.corp.example/c, https://mirror.corp.example/d]\n"
            + _NOT_YAML,
            ["L1stBroken"],
            id="not-yaml-flow-list",
        ),
        # one quoted scalar: a bracket and a space in it are part of the password
        pytest.param(
            'proxy_servers:\n  https: "http://alice:Br[ack et5@proxy.corp.example:1"\n'
            + _NOT_YAML,
            ["Br[ack et5"],
            id="not-yaml-quoted-bracket",
        ),
        # two quoted scalars on a line: each its own secret
        pytest.param(
            'channels: "http://alice:Fir5tOne@mirror.corp.example/c", '
            '"http://bob:Sec0ndOne@mirror.corp.example/d"\n' + _NOT_YAML,
            ["Fir5tOne", "Sec0ndOne"],
            id="not-yaml-two-quoted",
        ),
    ],
)
def test_every_form_a_condarc_writes_a_secret_in_is_registered(
    text: str, secrets: list[str]
) -> None:
    """Parsed as conda reads it, and line by line for a file that does not parse."""
    redactor = Redactor()
    config_secrets.register_text(text, redactor)
    for secret in secrets:
        assert redactor.text(f"saw {secret} there") == f"saw {REDACTED} there"
    # hosts, users and comments stay readable
    kept = "proxy.corp.example mirror.corp.example alice the office"
    assert redactor.text(kept) == kept


@pytest.mark.parametrize(
    ("raw", "quoted", "value"),
    [
        ('"abc"', True, "abc"),
        ("'abc'", True, "abc"),
        ('  "abc"  ', True, "abc"),
        ('"abc"  # a comment', True, "abc"),  # a YAML comment after the value
        ('"a#b"', True, "a#b"),  # "#" without a space before it is no comment
        ('""', True, ""),
        ('"', False, '"'),  # one character: no pair of quotes
        ('"abc', False, '"abc'),
        ("\"abc'", False, "\"abc'"),  # quotes that do not match
        ("xabcx", False, "xabcx"),  # the same character, but no quote
        ("abc", False, "abc"),
        ('"a"b"', False, 'a"b'),  # a quote inside: several scalars
        ("'it''s'", False, "it''s"),
        (
            '"a\\u00e9b"',
            True,
            "a\u00e9b",
        ),  # a double-quoted escape, read as conda reads it
        ('"a\\"b"', True, 'a"b'),
        ('"a\\qb"', False, "a\\qb"),  # not an escape YAML knows
        ("'a\\u00e9b'", True, "a\\u00e9b"),  # single quotes escape nothing
        ('["a", "b"]', False, '"a", "b"'),  # a flow list: its brackets go
        ("{abc},", False, "abc"),
        ("abc # note", False, "abc"),
    ],
)
def test_a_line_scan_value_is_unquoted_as_yaml_reads_one_scalar(
    raw: str, quoted: bool, value: str
) -> None:
    assert config_secrets._quoted(raw) is quoted
    assert config_secrets._unquote(raw) == value


@pytest.mark.parametrize(("depth", "found"), [(20, True), (21, False)])
def test_the_strings_of_a_parsed_document_are_read_to_a_bounded_depth(
    depth: int, found: bool
) -> None:
    nested: object = "http://alice:Deep5ecret@proxy.corp.example:1"
    for _ in range(depth):
        nested = [nested]
    assert bool(list(config_secrets._scalars(nested))) is found


def test_the_strings_of_a_parsed_document_keep_the_key_above_them() -> None:
    document = {"a": "x", "b": {"c": ["y", {"d": "z"}, 3, None, True]}, "e": [["w"]]}
    assert list(config_secrets._scalars(document)) == [
        ("a", "x"),
        ("c", "y"),
        ("d", "z"),
        ("e", "w"),
    ]


def test_a_file_conda_has_parsed_is_read_from_conda_s_document(tmp_path) -> None:
    """conda's parse is the one that counts: what it read is registered, not a second parse."""
    path = tmp_path / ".condarc"
    path.write_text("channels: [defaults]\n")
    document = {
        "proxy_servers": {"https": "http://alice:FromC0nda@proxy.corp.example:1"}
    }
    redactor = Redactor()
    config_secrets.register_files(
        [str(path)], redactor, documents={str(path): document}
    )
    assert redactor.text("saw FromC0nda") == f"saw {REDACTED}"
    other = Redactor()
    config_secrets.register_files([str(path)], other)  # parsed here: nothing secret
    assert other.text("saw FromC0nda") == "saw FromC0nda"

    # a file conda did not parse beside one it did: parsed here, folded value whole
    folded = tmp_path / "extra.condarc"
    folded.write_text(
        'channels:\n  - "http://alice:N0t\n    FromC0nda@mirror.corp.example/c"\n'
    )
    both = Redactor()
    config_secrets.register_files(
        [str(path), str(folded)], both, documents={str(path): document}
    )
    assert both.text("saw N0t FromC0nda") == f"saw {REDACTED}"


def test_register_all_reads_condas_documents(tmp_path, monkeypatch) -> None:
    """The run's one call: the .condarc files as conda parsed them."""
    from conda_netcheck import redact

    monkeypatch.setenv("HOME", str(tmp_path))  # no .netrc, no tokens of the machine's
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))
    path = tmp_path / ".condarc"
    path.write_text("channels: [defaults]\n")
    document = {
        "proxy_servers": {"https": "http://alice:FromC0nda@proxy.corp.example:1"}
    }
    redact.REDACTOR.clear()
    try:
        config_secrets.register_all([str(path)], documents={str(path): document})
        assert redact.REDACTOR.text("saw FromC0nda") == f"saw {REDACTED}"
    finally:
        redact.REDACTOR.clear()
