"""Whatever the input: a finding that names the setting, no traceback, no hang.

One table of malformed settings and variables, one of misbehaving peers,
and the .condarc files conda itself cannot load.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import needs_conda

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def rc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Write a raw .condarc text (after local channels), make it conda's only one."""
    from conda.base.context import reset_context

    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("CONDA_PKGS_DIRS", str(tmp_path / "pkgs"))
    monkeypatch.setenv("BINSTAR_CONFIG_DIR", str(tmp_path / "binstar"))

    def write(text: str, channel: str = "http://127.0.0.1:9/chan") -> Path:
        path = tmp_path / "condarc.yml"
        # Never let conda fall back to public channels: whatever the text
        # does not set points at a local URL.
        keys = {line.split(":")[0] for line in text.splitlines()}
        for key, value in (
            ("channels", f"[{channel}]"),
            ("default_channels", f"[{channel}]"),
            ("channel_alias", channel),
        ):
            if key not in keys:
                text = f"{key}: {value}\n{text}"
        path.write_text(text)
        monkeypatch.setenv("CONDARC", str(path))
        reset_context()
        return path

    yield write
    monkeypatch.delenv("CONDARC", raising=False)
    reset_context()


def fifo(tmp_path: Path) -> str:
    path = tmp_path / "fifo"
    os.mkfifo(path)
    return str(path)


# (id, .condarc text, variables, the code and words a user must see)
MALFORMED = [
    ("port-out-of-range", "channels: ['http://127.0.0.1:99999/c']\n", {}, "config-invalid", "the channel http://127.0.0.1:99999/c"),
    ("port-not-numeric", "channels: ['http://127.0.0.1:abc/c']\n", {}, "config-invalid", "Port could not be cast"),
    ("ipv6-unclosed", "channels: ['http://[::1/c']\n", {}, "config-invalid", "cannot be turned into URLs"),
    ("ipv6-double-bracket", "channels: ['http://[::1]]:80/c']\n", {}, "config-invalid", "cannot be turned into URLs"),
    ("ipv6-not-an-address", "channels: ['http://[zz::1]:80/c']\n", {}, "config-invalid", "cannot be turned into URLs"),
    ("alias-bad-port", "channels: [mine]\nchannel_alias: 'http://127.0.0.1:abc'\n", {}, "config-invalid", "channel"),
    ("custom-channel-int-key", "channels: [mine]\ncustom_channels: {1: http://127.0.0.1:9}\n", {}, "config-invalid", "custom_channels (set in"),
    ("custom-channel-mapping", "channels: [mine]\ncustom_channels: {mine: {url: x}}\n", {}, "config-invalid", "custom_channels (set in"),
    ("connect-timeout-null", "remote_connect_timeout_secs: null\n", {}, "config-invalid", "remote_connect_timeout_secs (set in"),
    ("connect-timeout-nan", "remote_connect_timeout_secs: .nan\n", {}, "config-invalid", "not a usable timeout"),
    ("read-timeout-negative", "remote_read_timeout_secs: -1\n", {}, "config-invalid", "remote_read_timeout_secs (set in"),
    ("read-timeout-huge", "remote_read_timeout_secs: 1e308\n", {}, "config-invalid", "not a usable timeout"),
    ("read-timeout-string", "remote_read_timeout_secs: abc\n", {}, "config-invalid", "could not convert string to float"),
    ("client-cert-mapping", "client_ssl_cert: {a: 1}\n", {}, "config-invalid", "client_ssl_cert (set in"),
    ("ssl-verify-list", "ssl_verify: [a, b]\n", {}, "config-invalid", "ssl_verify (set in"),
    ("proxy-entry-list", "proxy_servers: {http: [x]}\n", {}, "config-invalid", "proxy_servers"),
    ("defaults-empty", "channels: [defaults]\ndefault_channels: []\n", {}, "no-channels", "default_channels is empty"),
    ("condarc-missing", None, {"CONDARC": "{tmp}/missing.yml"}, "config-invalid", "does not exist: conda silently ignores it"),
    ("condarc-fifo", None, {"CONDARC": "{fifo}"}, "config-invalid", "FIFO"),
    ("condarc-bad-name", None, {"CONDARC": "{tmp}/condarc.txt"}, "config-invalid", "named neither"),
    ("netrc-fifo", "", {"NETRC": "{fifo}"}, "config-invalid", "FIFO"),
    ("netrc-device", "", {"NETRC": "/dev/zero"}, "config-invalid", "character device"),
    ("ca-bundle-device", "", {"REQUESTS_CA_BUNDLE": "/dev/zero"}, "ca-bundle-invalid", "character device"),
    ("ca-bundle-fifo", "", {"REQUESTS_CA_BUNDLE": "{fifo}"}, "ca-bundle-invalid", "FIFO"),
    ("ssl-verify-huge", "ssl_verify: '{tmp}/huge.pem'\n", {}, "ca-bundle-invalid", "larger than"),
    ("client-cert-fifo", "client_ssl_cert: '{fifo}'\n", {}, "client-cert-invalid", "FIFO"),
]  # fmt: skip


@needs_conda
@pytest.mark.parametrize(
    "text, env, code, words", [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED]
)
def test_malformed_setting_is_a_finding_naming_it(
    text, env, code, words, rc, conda_cli, tmp_path, monkeypatch
):
    from conda.base.context import reset_context

    names = {"tmp": str(tmp_path), "fifo": fifo(tmp_path)}
    with open(tmp_path / "huge.pem", "wb") as handle:
        handle.truncate(6 * 1024 * 1024)

    def fill(value: str) -> str:
        for name, path in names.items():
            value = value.replace("{" + name + "}", path)
        return value

    (tmp_path / "condarc.txt").write_text("channels: [http://127.0.0.1:9/c]\n")
    for name, value in env.items():
        monkeypatch.setenv(name, fill(value))
    if text is not None:
        rc(fill(text))
    else:
        # conda skips the broken $CONDARC: never let it fall back to public
        # channels, the variables point at a local URL.
        for name in ("CHANNELS", "DEFAULT_CHANNELS", "CHANNEL_ALIAS"):
            monkeypatch.setenv(f"CONDA_{name}", "http://127.0.0.1:9/chan")
        reset_context()
    started = time.monotonic()
    out, err, status = conda_cli("netcheck", "--json", "--timeout", "1")
    assert time.monotonic() - started < 30
    document = json.loads(out)  # --json prints its document, whatever the input
    assert "Traceback" not in err
    assert status == 1
    said = [(f["diagnosis"], f["summary"]) for f in document["findings"]] + [
        (t["diagnosis"], t["summary"]) for t in document["targets"]
    ]
    assert any(c == code and words in s for c, s in said), said
    # Only local URLs were checked: nothing fell back to a public channel.
    hosts = {t["host"] for t in document["targets"]}
    assert hosts <= {"127.0.0.1"}
    if text is None:
        assert hosts == {"127.0.0.1"}  # the variables' channel, not defaults


@needs_conda
def test_client_key_without_certificate_is_ignored_as_urllib3_does(
    rc, conda_cli, tmp_path, ca
):
    from support.servers import channel_server, make_channel

    key = tmp_path / "key.pem"
    ca.issue_cert("127.0.0.1").private_key_pem.write_to_path(str(key))
    with channel_server(make_channel(tmp_path / "ch")) as server:
        rc(f"client_ssl_cert_key: {key}\n", channel=server.url)
        out, err, status = conda_cli("netcheck", "--json", "--timeout", "1")
    document = json.loads(out)
    assert [t["diagnosis"] for t in document["targets"]] == ["ok", "ok"]


# -- misbehaving peers -------------------------------------------------------


def run_module(*args: str, env: dict | None = None, timeout: float = 60) -> tuple:
    """python -m conda_netcheck from this tree: (status, stdout, stderr, seconds)."""
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "conda_netcheck", "--timeout", "1", *args],
        env={**_clean_env(), **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = proc.communicate(timeout=timeout)
    seconds = time.monotonic() - started
    return proc.returncode, out.decode(), err.decode(), seconds


def _clean_env() -> dict[str, str]:
    """Only what the child needs: nothing another test left in os.environ."""
    keep = ("PATH", "LANG", "LC_ALL", "TMPDIR")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    return {**env, "PYTHONPATH": str(ROOT), "NETRC": os.devnull + "-none"}


def _bad(name: str):
    from support import badpeers

    return getattr(badpeers, name)


@pytest.mark.parametrize(
    "behaviour",
    ["trickle_headers", "trickle_body", "continue_flood"],
)
def test_slow_peer_cannot_outlive_the_run(behaviour, monkeypatch, tmp_path):
    """One byte at a time, or 100 Continue forever: the process exits, JSON printed."""
    from support.badpeers import bad_peer

    with bad_peer(_bad(behaviour)) as peer:
        status, out, err, seconds = run_module(
            "--json", peer.url + "/chan", env=_standalone_env(tmp_path)
        )
    # --timeout 1: each request ends after 2 s; the run's bound is 5 s.
    assert seconds < 15, seconds
    document = json.loads(out)
    # Cut off by netcheck's wait, shorter than conda's: undecided; the run
    # fails all the same on its .condarc conda cannot load.
    assert status == 1
    assert {t["diagnosis"] for t in document["targets"]} == {"no-answer-yet"}


def _standalone_env(tmp_path: Path) -> dict:
    """Without conda's configuration: a .condarc conda cannot load."""
    broken = tmp_path / "broken.yml"
    broken.write_text("- not a mapping\n")
    return {"CONDARC": str(broken), "HOME": str(tmp_path)}


PEERS = [
    ("no_colon_header", "not-a-channel", "has malformed headers (a header line without a colon)"),
    ("garbage", "not-a-channel", "malformed HTTP"),
    ("deep_json_403", "http-forbidden", "HTTP 403"),
]  # fmt: skip


@needs_conda
@pytest.mark.parametrize("behaviour, code, words", PEERS, ids=[p[0] for p in PEERS])
def test_malformed_answer_is_named_at_the_http_layer(
    behaviour, code, words, rc, conda_cli
):
    from support.badpeers import bad_peer

    with bad_peer(_bad(behaviour)) as peer:
        rc("", channel=peer.url + "/chan")
        out, err, status = conda_cli("netcheck", "--json", "--timeout", "1")
    document = json.loads(out)
    assert "Traceback" not in err and "Failed to parse headers" not in err
    for target in document["targets"]:
        assert target["diagnosis"] == code
        assert words in target["summary"]


@needs_conda
@pytest.mark.parametrize(
    "location", ["file:///etc/hostname", "s3://bucket/key", "ftp://127.0.0.1/x"]
)
def test_redirect_to_another_scheme_is_never_followed(location, rc, conda_cli):
    from support.badpeers import bad_peer, redirect

    with bad_peer(redirect(location)) as peer:
        rc("", channel=peer.url + "/chan")
        out, err, status = conda_cli("netcheck", "--json", "--timeout", "1")
    document = json.loads(out)
    scheme = location.split(":")[0]
    for target in document["targets"]:
        assert target["diagnosis"] == "not-a-channel"
        assert f"redirects to a {scheme}: URL" in target["summary"]
        assert "never follows" in target["summary"]
        assert target["fetched"] is None


@pytest.mark.parametrize("behaviour", ["gzip_bomb", "infinite_body", "huge_headers"])
def test_memory_stays_bounded_whatever_the_peer_sends(behaviour, tmp_path):
    """Peak RSS of the whole process under 150 MB (a bomb inflates to 1 GiB)."""
    from support.badpeers import bad_peer

    script = (
        "import runpy, sys\n"
        "sys.argv = ['conda_netcheck', '--json', '--timeout', '1', sys.argv[1]]\n"
        "try:\n"
        "    runpy.run_module('conda_netcheck', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        # VmHWM is this program's own peak: ru_maxrss would keep the peak of
        # the forking pytest process across exec.
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')]\n"
        "print(hwm[0].split()[1], file=sys.stderr)\n"
    )
    with bad_peer(_bad(behaviour)) as peer:
        proc = subprocess.run(
            [sys.executable, "-c", script, peer.url + "/chan"],
            env={**_clean_env(), **_standalone_env(tmp_path)},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert proc.stdout.startswith("{"), proc.stderr[-2000:]
    json.loads(proc.stdout)
    peak_mb = int(proc.stderr.strip().splitlines()[-1]) / 1024
    assert peak_mb < 150, peak_mb


# -- conda cannot load its configuration ---------------------------------------

BROKEN = [
    ("not-yaml", "channels: [a\nssl_verify: true\n", "line 1, column 11",
     "the '[' opened here is never closed (the parser stopped at line 2, column 11: expected ',' or ']'"),
    ("list", "- a\n- b\n", "line 1, column 1", "holds a list, not a mapping"),
    ("scalar", "hello\n", "line 1, column 1", "holds a single value"),
    ("duplicate-key", "channels: [a]\nchannels: [b]\n", "line 2, column 1", "a key is set twice"),
    ("undefined-alias", "channels: [*x]\n", "line 1, column 12", "undefined alias"),
    # An unclosed { or [ is named where it opens, not lines later where the
    # parser stops; a block mapping's error stays where the parser stops.
    ("unclosed-brace", "channels:\n  - defaults\nssl_verify: true\nproxy_servers:\n  http: {a: 1\nremote_max_retries: 2\n",
     "line 5, column 9", "the '{' opened here is never closed (the parser stopped at line 6, column 19"),
    ("bad-indentation", "channels:\n  - a\n bad: 1\n", "line 3, column 2",
     "while parsing a block mapping"),
]  # fmt: skip


@needs_conda
@pytest.mark.parametrize(
    "text, where, what", [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN]
)
def test_condarc_conda_cannot_load_is_named_and_the_check_goes_on(
    text, where, what, tmp_path, channel
):
    path = tmp_path / "broken.yml"
    path.write_text(text)
    env = {"CONDARC": str(path), "HOME": str(tmp_path)}
    status, out, err, _ = run_module(channel.url, env=env)
    assert "Traceback" not in out + err
    assert f"{path}, {where}: " in out
    assert what in out
    assert "no conda command runs until this is fixed" in out
    # The environment-only check still ran.
    assert f"✅ {channel.url}  (linux-64, noarch)" in out
    status, out, err, _ = run_module("--json", channel.url, env=env)
    finding = json.loads(out)["findings"][0]
    assert finding["diagnosis"] == "conda-config-broken"
    assert where in finding["summary"]


@needs_conda
def test_non_utf8_condarc_names_the_byte(tmp_path, channel):
    path = tmp_path / "latin1.yml"
    path.write_bytes(b"channels:\n  - caf\xe9\n")
    status, out, err, _ = run_module(
        "--json", channel.url, env={"CONDARC": str(path), "HOME": str(tmp_path)}
    )
    summary = json.loads(out)["findings"][0]["summary"]
    assert f"{path}, line 2, column 8: byte 0xe9 is not UTF-8 text" in summary


# -- nothing escapes into conda's crash report -----------------------------------


def test_an_exception_becomes_one_redacted_line(capsys):
    import argparse

    from conda_netcheck.cli import guarded
    from conda_netcheck.redact import REDACTOR

    REDACTOR.add("Gu4rded-secret")

    def broken(args):
        raise ValueError("cannot parse http://u:Gu4rded-secret@host:x/")

    args = argparse.Namespace(json=False)
    assert guarded(broken, args) == 2
    captured = capsys.readouterr()
    assert "Gu4rded-secret" not in captured.out + captured.err
    assert (
        "conda-netcheck failed: ValueError: cannot parse http://u:<redacted>@host:x/"
        in captured.err
    )
    args = argparse.Namespace(json=True)
    assert guarded(broken, args) == 2
    document = json.loads(capsys.readouterr().out)
    assert document["findings"][0]["diagnosis"] == "internal-error"
    assert "Gu4rded-secret" not in json.dumps(document)
