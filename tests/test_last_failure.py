"""Real conda fails against local peers; the observer leaves a redacted record netcheck starts from."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import struct
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest
from conftest import has_plugin_type, needs_conda, needs_hints, needs_observers
from support.channel_faults import conda_package
from support.proxies import squid_proxy
from support.servers import channel_server, closed_port, server_tls_context

from conda_netcheck.config.commands import Commands
from conda_netcheck.failure.replay import (
    LastFailureCheck,
    Pending,
    command_channels,
    conda_files,
    plan,
)
from conda_netcheck.failure.replay import check as recheck
from conda_netcheck.failure.replay import lines as recheck_lines
from conda_netcheck.model import Target
from conda_netcheck.output.render import marks

X_MARK = marks()[1]

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

pytestmark = needs_conda

SECRET = "Pr0xy-Secret-42"
TOKEN = "tk-0123456789abcdef0123"
RECORD = "netcheck-last-failure.json"


@pytest.fixture
def local_channels(monkeypatch):
    """conda's context with a local channel: conda 24.11 adds the public defaults otherwise."""
    from conda.base.context import reset_context

    monkeypatch.setenv("CONDA_CHANNELS", "http://127.0.0.1:9/netcheck-test")
    reset_context()
    yield
    monkeypatch.delenv("CONDA_CHANNELS")
    reset_context()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


def conda_env(home: Path, condarc: dict, **extra: str) -> dict[str, str]:
    """A private HOME and .condarc; conda retries nothing and waits little."""
    rc = home / "condarc.yml"
    rc.write_text(json.dumps(condarc))
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env.pop("REQUESTS_CA_BUNDLE", None)
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_CACHE_HOME=str(home / "cache"),
        CONDARC=str(rc),
        CONDA_PKGS_DIRS=str(home / "pkgs"),
        CONDA_REMOTE_MAX_RETRIES="0",
        CONDA_REMOTE_CONNECT_TIMEOUT_SECS="3",
        CONDA_REMOTE_READ_TIMEOUT_SECS="5",
        NETRC=str(home / "no-netrc"),
        CONDA_SOLVER="classic",  # conda-libmamba-solver may be absent
        **extra,
    )
    return env


def conda(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "conda", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def channels(url: str) -> dict:
    """Only this channel, never a public one."""
    return {"channels": [url], "default_channels": [url], "channel_alias": url}


def record_of(home: Path) -> dict:
    path = home / "data" / "conda" / RECORD
    assert path.exists(), f"no record at {path}"
    if os.name != "nt":
        assert path.stat().st_mode & 0o777 == 0o600
    return json.loads(path.read_text())


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        assert SECRET not in text
        assert TOKEN not in text


@contextmanager
def reset_server(reset: bool = True) -> Iterator[int]:
    """Accepts, reads what the client sends first, then resets (RST, SO_LINGER 0).

    With reset=False it closes normally instead (FIN): a TLS client sees EOF
    in the middle of its handshake.
    """
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            # Read all the client sends first (a ClientHello may come in two
            # segments): unread data would turn a clean close into a reset.
            conn.settimeout(0.3)
            for _ in range(8):
                try:
                    if not conn.recv(65536):
                        break
                except OSError:
                    break
            if reset:
                linger = struct.pack("ii", 1, 0)
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(2)
        listener.close()


BLOCK_PAGE = (
    b"<html><head><title>Access denied by policy</title></head>"
    b"<body>This download is blocked.</body></html>"
)


def blocked_package_channel(root: Path) -> str:
    """A channel listing one real-looking package; returns its file name."""
    name = "netcheck-blocked-1.0-0.conda"
    real = b"PK\x03\x04" + b"\0" * 60
    record = {
        "name": "netcheck-blocked",
        "version": "1.0",
        "build": "0",
        "build_number": 0,
        "depends": [],
        "subdir": "noarch",
        "sha256": hashlib.sha256(real).hexdigest(),
        "md5": hashlib.md5(real).hexdigest(),
        "size": len(real),
    }
    for subdir in ("noarch", "linux-64"):
        (root / subdir).mkdir(parents=True, exist_ok=True)
        packages = {name: record} if subdir == "noarch" else {}
        (root / subdir / "repodata.json").write_text(
            json.dumps(
                {
                    "info": {"subdir": subdir},
                    "packages": {},
                    "packages.conda": packages,
                    "repodata_version": 1,
                }
            )
        )
    return name


def serve_block_page(server, name: str) -> None:
    def handler(request) -> bool:
        if not request.path.endswith(name):
            return False
        request._reply(200, BLOCK_PAGE, "text/html")
        return True

    server.behaviour.handler = handler


# -- the failures, through real conda ------------------------------------------


@needs_observers
def test_refused_channel_leaves_a_redacted_record(home):
    port = closed_port()
    url = f"http://user:{SECRET}@127.0.0.1:{port}/t/{TOKEN}/demo"
    env = conda_env(home, channels(url))
    proc = conda(env, "search", "--override-channels", "-c", url, "numpy")
    assert proc.returncode != 0
    assert "(netcheck_connection_refused) tcp layer:" in proc.stderr

    record = record_of(home)
    assert record["command"].startswith("conda search --override-channels -c ")
    assert f"127.0.0.1:{port}" in record["url"]
    assert record["url"].endswith(("repodata.json", ".zst", ".msgpack.zst"))
    assert "ConnectionRefusedError" in [link["type"] for link in record["chain"]]
    assert record["conda_version"]
    assert_no_secret(json.dumps(record))


@needs_observers
def test_reset_during_the_handshake_is_recorded_and_hinted(home):
    with reset_server() as port:
        url = f"https://user:{SECRET}@127.0.0.1:{port}/demo"
        env = conda_env(home, channels(url))
        proc = conda(env, "search", "--override-channels", "-c", url, "numpy")
    assert proc.returncode != 0
    record = record_of(home)
    assert f"127.0.0.1:{port}" in record["url"]
    assert "reset" in json.dumps(record["chain"]).lower()
    assert "(netcheck_connection_reset) tls layer:" in proc.stderr
    assert_no_secret(json.dumps(record))


@needs_observers
def test_proxy_407_is_recorded_without_the_password(home, tmp_path, channel_root, ca):
    cert = ca.issue_cert("127.0.0.1")
    with channel_server(channel_root, tls=server_tls_context(cert)) as server:
        with squid_proxy(
            tmp_path, users={"alice": "right-password"}, connect_ports=[server.port]
        ) as proxy:
            proxy_url = proxy.url_with("alice", SECRET)
            settings = channels(server.url)
            settings["proxy_servers"] = {"http": proxy_url, "https": proxy_url}
            env = conda_env(home, settings)
            proc = conda(env, "search", "--override-channels", "-c", server.url, "x")
    assert proc.returncode != 0
    record = record_of(home)
    assert record["chain"][0]["type"] == "ProxyError"
    assert "407" in json.dumps(record["chain"])
    assert f"127.0.0.1:{server.port}" in record["url"]
    assert "(netcheck_proxy_auth_failed) proxy layer:" in proc.stderr
    # The fix edits the file that sets the key ($CONDARC here), and the value
    # is quoted: `<password>` would be a shell redirection otherwise.
    rc = home / "condarc.yml"
    assert (
        f"conda config --file {rc} --set proxy_servers.https "
        f"'http://USER:<password>@127.0.0.1:{proxy.port}'"
    ) in proc.stderr
    assert_no_secret(json.dumps(record), proc.stderr, proc.stdout)


@needs_observers
def test_checksum_mismatch_records_the_package_url_and_netcheck_sees_the_block_page(
    home, tmp_path
):
    root = tmp_path / "blocked"
    name = blocked_package_channel(root / "t" / TOKEN)
    with channel_server(root) as server:
        serve_block_page(server, name)
        channel_url = f"{server.url}/t/{TOKEN}"
        env = conda_env(home, channels(channel_url))
        proc = conda(
            env,
            "create",
            "--download-only",
            "--yes",
            "-p",
            str(tmp_path / "env"),
            "--override-channels",
            "-c",
            channel_url,
            "netcheck-blocked",
        )
        assert proc.returncode != 0
        assert "(netcheck_download_mismatch) content layer:" in proc.stderr
        record = record_of(home)
        assert record["url"] == f"{server.url}/t/<TOKEN>/noarch/{name}"
        assert record["chain"][0]["type"] == "ChecksumMismatchError"
        assert_no_secret(json.dumps(record))

        check = conda(env, "netcheck", "--json", "--timeout", "2")
        plain = conda(env, "netcheck", "--timeout", "2")
    # One cause, said once: the channel's package check and the last failure.
    assert "the last failure is this same cause (download-mismatch)" in plain.stdout
    assert_no_secret(check.stdout)
    document = json.loads(check.stdout)
    last = document["last_failure"]
    assert last["url"] == f"{server.url}/t/<TOKEN>/noarch/{name}"
    assert last["command"].startswith("conda create --download-only")
    # The same cause and code as the channel's own package check gives.
    assert last["target"]["diagnosis"] == "download-mismatch"
    assert last["target"]["layer"] == "content"
    assert "Access denied by policy" in last["target"]["summary"]
    assert last["target"]["resource"] == "package"
    assert last["target"]["url_failed"] == f"{server.url}/t/<TOKEN>/noarch/{name}"
    assert last["still_failing"] is True


@needs_observers
def test_netcheck_starts_from_the_failure_then_forget_clears_it(home):
    port = closed_port()
    url = f"http://127.0.0.1:{port}/demo"
    env = conda_env(home, channels(url))
    conda(env, "search", "--override-channels", "-c", url, "numpy")

    text = conda(env, "netcheck", "--timeout", "1")
    lines = text.stdout.splitlines()
    # After the channel blocks, before the verdict: the same cause is pointed at.
    (start,) = [i for i, line in enumerate(lines) if line.startswith("The last")]
    assert lines[start].startswith(
        "The last failure (`conda search --override-channels -c "
    ), text.stdout
    assert (
        "just now): CondaHTTPError: HTTP 000 CONNECTION FAILED for url <"
        in (lines[start])
    )
    assert "it still fails at the tcp layer" in lines[start + 1]
    assert lines[start + 2] == (
        f"    connection-refused (tcp): the same cause as {url} above"
    )
    assert lines[start + 3].startswith("Verdict: ")
    assert lines.index(f"{X_MARK} {url}  (linux-64, noarch)") < start
    assert text.returncode == 1

    document = json.loads(conda(env, "netcheck", "--json", "--timeout", "1").stdout)
    assert document["last_failure"]["target"]["diagnosis"] == "connection-refused"
    assert document["last_failure"]["when"].endswith("+00:00")

    forgot = conda(env, "netcheck", "--forget")
    assert forgot.stdout.strip() == "The last failure was forgotten."
    document = json.loads(conda(env, "netcheck", "--json", "--timeout", "1").stdout)
    assert document["last_failure"] is None


@needs_observers
def test_remember_failures_false_records_nothing(home):
    url = f"http://127.0.0.1:{closed_port()}/demo"
    env = conda_env(
        home, channels(url), CONDA_PLUGINS_NETCHECK_REMEMBER_FAILURES="false"
    )
    proc = conda(env, "search", "--override-channels", "-c", url, "numpy")
    assert proc.returncode != 0
    assert not (home / "data" / "conda" / RECORD).exists()


def test_a_non_network_error_is_not_recorded(home):
    env = conda_env(home, channels("http://127.0.0.1:9/none"))
    proc = conda(env, "install", "--this-flag-does-not-exist")
    assert proc.returncode != 0
    assert not (home / "data" / "conda" / RECORD).exists()


# -- the hints conda prints, from real failures --------------------------------


@needs_hints
def test_untrusted_certificate_hint_is_at_the_tls_layer(home, channel_root, ca):
    with channel_server(
        channel_root, tls=server_tls_context(ca.issue_cert("127.0.0.1"))
    ) as server:
        env = conda_env(home, channels(server.url))  # the test CA is not trusted
        proc = conda(env, "search", "--override-channels", "-c", server.url, "x")
    assert "CondaSSLError" in proc.stderr
    assert "(netcheck_tls_untrusted) tls layer:" in proc.stderr
    assert "conda config --set ssl_verify truststore" in proc.stderr
    assert "ssl_verify: false" not in proc.stderr
    assert "never set ssl_verify to false" in proc.stderr


@needs_hints
def test_tls_eof_hint_names_the_handshake(home):
    with reset_server(reset=False) as port:
        url = f"https://127.0.0.1:{port}/demo"
        env = conda_env(home, channels(url))
        proc = conda(env, "search", "--override-channels", "-c", url, "x")
    assert "EOF occurred in violation of protocol" in proc.stderr
    # A close during the handshake is the catalogue's connection-reset.
    assert (
        "(netcheck_connection_reset) tls layer: the connection was closed during "
        "the TLS handshake"
    ) in proc.stderr


@needs_hints
@pytest.mark.parametrize(
    "userinfo, shown",
    [("", "http://127.0.0.1:{port})"), (f"alice:{SECRET}@", None)],
    ids=["no-credentials", "credentials-kept-as-placeholders"],
)
def test_https_proxy_url_for_a_plain_proxy_gets_the_http_fix(
    home, tmp_path, channel, userinfo, shown
):
    with squid_proxy(tmp_path) as proxy:
        https_proxy = f"https://{userinfo}127.0.0.1:{proxy.port}"
        settings = channels(channel.url)
        settings["proxy_servers"] = {"http": https_proxy, "https": https_proxy}
        env = conda_env(home, settings)
        proc = conda(env, "search", "--override-channels", "-c", channel.url, "x")
    assert proc.returncode != 0
    expected = (
        "(netcheck_proxy_misconfigured) proxy layer: the TLS handshake with the "
        "proxy failed"
    )
    assert expected in proc.stderr, proc.stderr
    # The channel is http://: its proxy is proxy_servers.http. Without the
    # user and password the fixed proxy would answer 407.
    shown = shown or "'http://USER:<password>@127.0.0.1:{port}')"
    assert f"proxy_servers.http {shown.format(port=proxy.port)}" in proc.stderr, (
        proc.stderr
    )
    assert_no_secret(proc.stderr)


@needs_hints
def test_a_proxy_whose_name_does_not_resolve_is_named_not_the_channel(home):
    """urllib3 resolves the proxy's name, not the channel's: the hint is at the proxy."""
    url = f"http://127.0.0.1:{closed_port()}/demo"
    settings = channels(url)
    settings["proxy_servers"] = {"http": "http://proxy.netcheck-hints.invalid:3128"}
    env = conda_env(home, settings)
    proc = conda(env, "search", "--override-channels", "-c", url, "x")
    assert (
        "(netcheck_proxy_unreachable) proxy layer: the proxy's host name could not "
        "be resolved (proxy.netcheck-hints.invalid:3128)"
    ) in proc.stderr, proc.stderr
    assert "--remove-key proxy_servers.http" in proc.stderr
    assert "check the host name 127.0.0.1" not in proc.stderr


@needs_hints
def test_socks_without_pysocks_hint_unsets_the_variable_for_one_install(home, tmp_path):
    # Hide PySocks wherever it is installed: urllib3 then lacks SOCKS support.
    shim = tmp_path / "no-pysocks"
    (shim / "socks").mkdir(parents=True)
    (shim / "socks" / "__init__.py").write_text("raise ImportError('hidden')\n")
    url = f"http://127.0.0.1:{closed_port()}/demo"
    env = conda_env(
        home, channels(url), ALL_PROXY=f"socks5://127.0.0.1:{closed_port()}"
    )
    env["PYTHONPATH"] = os.pathsep.join([str(shim), env.get("PYTHONPATH", "")])
    proc = conda(env, "search", "--override-channels", "-c", url, "x")
    assert "(netcheck_proxy_misconfigured) proxy layer:" in proc.stderr
    assert "`env -u ALL_PROXY conda install pysocks`" in proc.stderr


@pytest.mark.skipif(
    has_plugin_type("CondaExceptionObserver"),
    reason="for the conda releases before exception observers (conda >= 26.7 has them)",
)
def test_older_conda_fails_as_usual_and_records_nothing(home):
    url = f"http://127.0.0.1:{closed_port()}/demo"
    env = conda_env(home, channels(url))
    proc = conda(env, "search", "--override-channels", "-c", url, "numpy")
    assert "CondaHTTPError: HTTP 000 CONNECTION FAILED" in proc.stderr
    assert "netcheck" not in proc.stderr  # no plugin error, no hint hook there
    assert not (home / "data" / "conda" / RECORD).exists()
    document = json.loads(conda(env, "netcheck", "--json", "--timeout", "1").stdout)
    assert document["last_failure"] is None
    assert document["targets"][0]["diagnosis"] == "connection-refused"


def test_plugin_settings_come_from_condarc_and_variables(home):
    url = f"http://127.0.0.1:{closed_port()}/demo"
    settings = channels(url)
    settings["plugins"] = {"netcheck_timeout": 2, "netcheck_extra_urls": [url + "2"]}
    env = conda_env(home, settings, CONDA_PLUGINS_NETCHECK_PACKAGE_BYTES="65536")
    code = (
        "from conda.base.context import context, reset_context; reset_context();"
        "from conda_netcheck.config.settings import current; s = current();"
        "print(s.timeout, s.package_bytes, list(s.extra_urls))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.stdout.split(maxsplit=2) == ["2.0", "65536", f"['{url}2']\n"]
    document = json.loads(conda(env, "netcheck", "--json").stdout)
    extra = [
        t for t in document["targets"] if t["source"] == "plugins.netcheck_extra_urls"
    ]
    assert {t["url"] for t in extra} >= {f"{url}2/noarch"}


@needs_observers
def test_conda_config_show_lists_the_settings(home):
    url = f"http://127.0.0.1:{closed_port()}/demo"
    settings = channels(url)
    settings["plugins"] = {"netcheck_timeout": 2}
    env = conda_env(home, settings, CONDA_PLUGINS_NETCHECK_REMEMBER_FAILURES="false")
    out = conda(env, "config", "--show").stdout
    assert "  netcheck_timeout: 2\n" in out
    assert "  netcheck_remember_failures: False\n" in out
    assert "  netcheck_last_failure_hours: 24.0\n" in out


@needs_observers
def test_a_requests_error_conda_lets_escape_is_recorded_with_its_url(
    tmp_path, monkeypatch
):
    """What the shards fetch can let through: requests' own ConnectionError."""
    import requests
    from conda.plugins.types import CondaExceptionEvent

    from conda_netcheck.failure import record as lastfailure
    from conda_netcheck.plugin import conda_exception_observers

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    url = f"http://user:{SECRET}@127.0.0.1:{closed_port()}/demo/noarch/repodata_shards.msgpack.zst"
    with pytest.raises(requests.ConnectionError) as caught:
        requests.get(url, timeout=2)
    (observer,) = conda_exception_observers()
    assert "ConnectionError" in observer.watch_for
    observer.hook(
        CondaExceptionEvent(
            type(caught.value),
            caught.value,
            caught.value.__traceback__,
            argv=("/usr/bin/conda", "install", "numpy"),
            conda_version="26.7.1",
        )
    )
    failure = lastfailure.load(lastfailure.record_path(), max_age=0)
    assert failure.command == "conda install numpy"
    assert failure.url.endswith("/demo/noarch/repodata_shards.msgpack.zst")
    assert failure.error.startswith("ConnectionError: ")
    assert_no_secret(lastfailure.record_path().read_text())


# -- Whose record is believed: owner and mode (POSIX) --------------------------


def _saved_record(path: Path) -> Path:
    from conda_netcheck.failure.record import LastFailure, Link, save

    failure = LastFailure(
        when=time.time(),
        command="conda install numpy",
        url="http://127.0.0.1:8080/chan/noarch/repodata.json",
        chain=(Link("CondaHTTPError", "HTTP 000 CONNECTION FAILED"),),
    )
    save(failure, path)
    return path


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes")
@pytest.mark.parametrize(
    ("mode", "believed"),
    [
        pytest.param(0o600, True, id="0600-owner-only"),
        pytest.param(0o400, True, id="0400-read-only"),
        pytest.param(0o640, True, id="0640-group-reads"),
        pytest.param(0o644, True, id="0644-all-read"),
        pytest.param(0o620, False, id="0620-group-writes"),
        pytest.param(0o660, False, id="0660-group-writes"),
        pytest.param(0o602, False, id="0602-others-write"),
        pytest.param(0o622, False, id="0622-both-write"),
        pytest.param(0o666, False, id="0666-all-write"),
    ],
)
def test_a_record_others_or_the_group_can_write_is_ignored(tmp_path, mode, believed):
    from conda_netcheck.failure.record import load

    path = _saved_record(tmp_path / RECORD)
    path.chmod(mode)
    loaded = load(path)
    assert (loaded is not None) is believed
    if believed:
        assert loaded.url == "http://127.0.0.1:8080/chan/noarch/repodata.json"


@pytest.mark.skipif(
    os.name == "nt" or os.geteuid() != 0, reason="changing a file's owner needs root"
)
def test_a_record_owned_by_another_user_is_ignored(tmp_path):
    from conda_netcheck.failure.record import load

    path = _saved_record(tmp_path / RECORD)
    assert load(path) is not None
    os.chown(path, os.getuid() + 1000, -1)
    assert load(path) is None


# -- The re-check asks the recorded URL again: same host, port and path --------


@pytest.mark.parametrize(
    ("recorded", "directory", "filename"),
    [
        pytest.param(
            "http://127.0.0.1:8080/chan/noarch/repodata.json",
            "http://127.0.0.1:8080/chan/noarch",
            "repodata.json",
            id="ipv4-port",
        ),
        pytest.param(
            "https://mirror.example:8443/conda-forge/linux-64/x-1-0.conda",
            "https://mirror.example:8443/conda-forge/linux-64",
            "x-1-0.conda",
            id="name-port",
        ),
        pytest.param(
            "http://[::1]:9000/c/noarch/repodata.json",
            "http://[::1]:9000/c/noarch",
            "repodata.json",
            id="ipv6-port",
        ),
        pytest.param(
            "https://conda.example/c/noarch/repodata.json",
            "https://conda.example/c/noarch",
            "repodata.json",
            id="no-port",
        ),
        pytest.param(
            "http://<redacted>:<redacted>@127.0.0.1:3128/c/noarch/repodata.json",
            "http://127.0.0.1:3128/c/noarch",
            "repodata.json",
            id="redacted-userinfo-dropped-port-kept",
        ),
    ],
)
def test_the_recheck_rebuilds_the_recorded_url_with_its_port(
    recorded, directory, filename
):

    channel = directory.rsplit("/", 1)[0]
    found = plan(recorded, [], ("repodata.json",), f"conda install -c {channel} x")
    if "<redacted>" in recorded:  # never sent as its redacted text
        assert found is None
        return
    target, name = found.target, found.files[-1]
    assert (target.url, name) == (directory, filename)
    assert f"{target.url}/{name}" == recorded.replace("<redacted>:<redacted>@", "")
    assert [target.channel, target.subdir] == directory.rsplit("/", 1)


# -- The re-check of a package: a block page is one, title or not --------------


@pytest.fixture(scope="module")
def page_server(tmp_path_factory):
    """One server whose answer each case sets."""
    with channel_server(tmp_path_factory.mktemp("pages")) as server:
        yield server


@pytest.mark.parametrize(
    ("content_type", "page", "title"),
    [
        pytest.param(
            "text/html",
            b"<html><title>Blocked</title></html>",
            "Blocked",
            id="html-title",
        ),
        pytest.param(
            "text/html", b"<html><body>Blocked</body></html>", None, id="html-no-title"
        ),
        pytest.param(
            "application/octet-stream",
            b"<html><body>Blocked</body></html>",
            None,
            id="octet-no-title",
        ),
        pytest.param(
            "application/octet-stream",
            b"<html><title>Blocked</title></html>",
            "Blocked",
            id="octet-title",
        ),
        pytest.param(
            "application/octet-stream", b"Blocked by policy", False, id="octet-text"
        ),
        # Labelled HTML, whatever the body: a page, not the package.
        pytest.param("text/html", b"Blocked by policy", None, id="html-label-text"),
        pytest.param(
            "Text/HTML; charset=utf-8", b"Blocked by policy", None, id="html-label-case"
        ),
    ],
)
def test_the_recheck_calls_a_page_in_place_of_a_package_a_block_page(
    page_server, content_type, page, title
):
    from conda_netcheck.config.routes import standalone_route
    from conda_netcheck.failure.record import LastFailure
    from conda_netcheck.model import Code, Options, Target

    channel = page_server
    channel.behaviour.status = 200
    channel.behaviour.body = page
    channel.behaviour.content_type = content_type
    url = f"{channel.url}/noarch/x-1-0.conda"
    failure = LastFailure(when=time.time(), command="conda install x", url=url)
    options = Options(commands=Commands(), connect_timeout=1, read_timeout=1)
    # The configured channel, written with a trailing slash, is the one checked.
    configured = [Target(f"{channel.url}/noarch/", channel.url, "noarch")]
    checked = recheck(
        failure, standalone_route, options, configured, package_bytes=4096
    )
    problem = checked.result.problem
    assert problem.code is Code.DOWNLOAD_MISMATCH
    assert checked.result.url_failed == url
    head = (
        f"the package x-1-0.conda ({url}) is not the file the index describes: "
        "it is not a conda package"
    )
    assert problem.details.content_type == content_type
    if title is False:  # not markup: no block page is claimed
        assert problem.summary == head
        return
    words = f"it is an HTML page titled {title!r}" if title else "it is an HTML page"
    assert problem.summary == f"{head}; {words} (a block page)"
    assert "replaces package downloads" in problem.fix


# -- The record itself: what from_exception keeps, bounds, age, reading ---------


class _NetError(ConnectionError):
    """A network error as conda raises it: `_kwargs` holds the URL."""

    def __init__(self, message: str, url: str | None = None, caused_by=None):
        super().__init__(message)
        self._kwargs = {"url": url} if url else {}
        if caused_by is not None:
            self._caused_by = caused_by


def test_a_non_network_error_makes_no_record():
    from conda_netcheck.failure.record import from_exception

    assert from_exception(ValueError("bad spec"), ["conda", "install"], "26.7") is None


@pytest.mark.usefixtures("local_channels")  # conda 24.11 adds defaults otherwise
def test_the_record_keeps_the_chain_command_url_and_version_redacted():
    from conda_netcheck.failure.record import from_exception

    inner = OSError(f"proxy http://bob:{SECRET}@proxy.test:3128 refused")
    error = _NetError(
        "HTTP 000 CONNECTION FAILED\nsecond line",
        url=f"https://conda.example/t/{TOKEN}/c/noarch/repodata.json",
        caused_by=inner,
    )
    argv = ["/opt/conda/bin/conda", "install", "-c", f"https://u:{SECRET}@h/c", "a b"]
    failure = from_exception(error, argv, "26.7.1", now=1000.0)
    assert failure.when == 1000.0
    assert failure.conda_version == "26.7.1"
    assert failure.url == "https://conda.example/t/<TOKEN>/c/noarch/repodata.json"
    assert failure.command.startswith("conda install -c https://")
    assert failure.command.endswith("<redacted>@h/c 'a b'")
    assert [link.type for link in failure.chain] == ["_NetError", "OSError"]
    assert failure.error == "_NetError: HTTP 000 CONNECTION FAILED"
    text = json.dumps(failure.to_dict())
    assert SECRET not in text and TOKEN not in text
    assert failure.to_dict()["schema"] == 1


def test_the_url_comes_from_the_request_of_a_requests_error():
    import requests

    from conda_netcheck.failure.record import failing_url

    request = requests.Request("GET", "http://127.0.0.1:9/c/noarch/x.conda").prepare()
    error = requests.ConnectionError("refused", request=request)
    assert failing_url(error) == "http://127.0.0.1:9/c/noarch/x.conda"
    assert failing_url(_NetError("x", url="http://h/c/f")) == "http://h/c/f"
    assert failing_url(_NetError("x")) is None


@pytest.mark.usefixtures("local_channels")  # conda 24.11 adds defaults otherwise
@pytest.mark.parametrize(
    ("message", "error"),
    [
        ("first\nsecond", "_NetError: first"),
        ("\n  \n  indented first  \nsecond", "_NetError: indented first"),
        ("", "_NetError"),
        ("   \n  ", "_NetError"),
    ],
)
def test_the_error_line_is_the_first_non_blank_line(message, error):
    from conda_netcheck.failure.record import from_exception

    failure = from_exception(_NetError(message), ["conda"], None, now=0.0)
    assert failure.error == error


def test_a_record_without_a_chain_says_unknown_error():
    from conda_netcheck.failure.record import LastFailure

    assert LastFailure(0.0, "conda", None).error == "unknown error"


def test_the_chain_follows_cause_then_caused_by_then_context_and_stops():
    from conda_netcheck.failure.record import MAX_LINKS, chain

    a, b, c = OSError("a"), OSError("b"), OSError("c")
    top = _NetError("top", caused_by=b)
    top.__cause__ = a
    top.__context__ = c
    assert [str(e) for e in chain(top)] == ["top", "a"]
    top.__cause__ = None
    assert [str(e) for e in chain(top)] == ["top", "b"]
    top._caused_by = None
    assert [str(e) for e in chain(top)] == ["top", "c"]
    # A cycle ends; a long chain stops at MAX_LINKS.
    c.__context__ = top
    assert [str(e) for e in chain(top)] == ["top", "c"]
    errors = [OSError(str(i)) for i in range(MAX_LINKS + 3)]
    for outer, inner in zip(errors, errors[1:]):
        outer.__cause__ = inner
    assert len(list(chain(errors[0]))) == MAX_LINKS


@pytest.mark.usefixtures("local_channels")  # conda 24.11 adds defaults otherwise
@pytest.mark.parametrize("length", [399, 400, 401, 5000])
def test_a_long_message_is_cut_to_the_bound_with_an_ellipsis(length):
    from conda_netcheck.failure.record import MAX_MESSAGE, from_exception

    failure = from_exception(_NetError("x" * length), ["conda"], None, now=0.0)
    message = failure.chain[0].message
    if length <= MAX_MESSAGE:
        assert message == "x" * length
    else:
        assert message == "x" * (MAX_MESSAGE - 1) + "…"


@pytest.mark.usefixtures("local_channels")  # conda 24.11 adds defaults otherwise
def test_a_long_command_is_cut_to_the_bound():
    from conda_netcheck.failure.record import MAX_COMMAND, from_exception

    argv = ["conda", "install", *(f"pkg{i}" for i in range(200))]
    command = from_exception(_NetError("x"), argv, None, now=0.0).command
    assert len(command) == MAX_COMMAND and command.endswith("…")
    assert command.startswith("conda install pkg0 pkg1")


def test_the_saved_record_never_exceeds_its_bound_and_keeps_the_outermost(tmp_path):
    from conda_netcheck.failure.record import (
        MAX_BYTES,
        MAX_LINKS,
        LastFailure,
        Link,
        load,
        save,
    )

    links = tuple(Link(f"Error{i}", "é" * 399) for i in range(MAX_LINKS + 4))
    url = "http://h.test/" + "p" * 5000
    failure = LastFailure(time.time(), "conda " + "x" * 1000, url, links)
    path = tmp_path / RECORD
    save(failure, path)
    data = path.read_bytes()
    assert len(data) <= MAX_BYTES
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)
    loaded = load(path)
    assert 1 <= len(loaded.chain) < MAX_LINKS
    assert [link.type for link in loaded.chain] == [
        f"Error{i}" for i in range(len(loaded.chain))
    ]
    assert len(loaded.url) == 2000 and loaded.url.endswith("…")
    assert len(loaded.command) == 300
    assert [p.name for p in tmp_path.iterdir()] == [RECORD]  # no temporary file left


def test_a_small_record_is_saved_whole(tmp_path):
    from conda_netcheck.failure.record import LastFailure, Link, load, save

    failure = LastFailure(
        123.5,
        "conda search x",
        "http://h.test/c/noarch/repodata.json",
        (Link("A", "a"), Link("B", "b")),
        "26.7.1",
    )
    path = tmp_path / "sub" / RECORD
    save(failure, path)
    assert oct(path.parent.stat().st_mode & 0o777) == oct(0o700)
    assert load(path, max_age=0) == failure


@pytest.mark.parametrize(
    ("age", "max_age", "kept"),
    [
        (10, 60, True),
        (59, 60, True),
        (61, 60, False),
        (10**7, 0, True),  # no age limit
        (10**7, 24 * 3600, False),
    ],
)
def test_an_old_record_is_not_shown(tmp_path, age, max_age, kept):
    from conda_netcheck.failure.record import LastFailure, load, save

    path = tmp_path / RECORD
    save(LastFailure(time.time() - age, "conda", None), path)
    assert (load(path, max_age=max_age) is not None) is kept


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not json",
        "[]",
        '{"when": 1}',
        '{"when": "x", "command": "c", "chain": []}',
        '{"when": 1, "command": "c", "chain": [{"type": "A"}]}',
    ],
)
def test_a_broken_record_is_ignored(tmp_path, text):
    from conda_netcheck.failure.record import load

    path = tmp_path / RECORD
    path.write_text(text)
    path.chmod(0o600)
    assert load(path, max_age=0) is None


def test_a_missing_record_is_none_and_forget_says_whether_there_was_one(tmp_path):
    from conda_netcheck.failure.record import forget, load

    path = _saved_record(tmp_path / RECORD)
    assert forget(path) is True
    assert load(path) is None
    assert forget(path) is False


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (-5, "just now"),
        (0, "just now"),
        (9, "just now"),
        (10, "10 seconds ago"),
        (59, "59 seconds ago"),
        (60, "1 minute ago"),
        (119, "1 minute ago"),
        (120, "2 minutes ago"),
        (3599, "59 minutes ago"),
        (3600, "1 hour ago"),
        (7200, "2 hours ago"),
        (86399, "23 hours ago"),
        (86400, "1 day ago"),
        (3 * 86400, "3 days ago"),
    ],
)
def test_ago_says_the_age_in_its_largest_unit(seconds, said):
    from conda_netcheck.failure.record import ago

    assert ago(1000.0, now=1000.0 + seconds) == said


@pytest.mark.usefixtures("local_channels")  # conda 24.11 adds defaults otherwise
def test_messages_lose_schemeless_user_info_and_tokens():
    from conda_netcheck.failure.record import from_exception

    error = _NetError(
        f"fetching 'http//bob:{SECRET}@proxy.test/t/{TOKEN}/c' failed (/t/{TOKEN}/x)"
    )
    message = from_exception(error, ["conda"], None, now=0.0).chain[0].message
    assert SECRET not in message and TOKEN not in message
    assert "'http//<redacted>@proxy.test/t/<TOKEN>/c'" in message


# -- What the re-check says, and when it checks at all ---------------------------


def _recorded(url: str | None):
    from conda_netcheck.failure.record import LastFailure, Link

    return LastFailure(
        time.time() - 120,
        "conda install x",
        url,
        (Link("CondaHTTPError", f"HTTP 000 for url <http://u:{SECRET}@h/>\nmore"),),
    )


@pytest.mark.parametrize(
    "url",
    [None, "", "ftp://h.test/c/noarch/x.conda", "file:///tmp/c/noarch/x.conda"],
)
def test_a_record_without_an_http_url_is_not_checked_again(url):

    def no_route(url):  # never called: nothing is fetched
        raise AssertionError(url)

    recorded = _recorded(url)
    checked = recheck(recorded, no_route, None, [], package_bytes=1)
    assert checked.result is None and checked.still_failing is None
    assert checked.failure is recorded


def test_the_recheck_lines_say_whether_it_still_fails():
    from conda_netcheck.failure.replay import LastFailureCheck
    from conda_netcheck.model import Code, Layer, Problem, Target, TargetResult
    from conda_netcheck.redact import REDACTOR

    REDACTOR.add(SECRET)
    url = "http://h.test:8080/c/noarch/x-1-0.conda"
    failure = _recorded(url)
    head = (
        "The last failure (`conda install x`, 2 minutes ago): CondaHTTPError: HTTP 000"
    )
    target = Target("http://h.test:8080/c/noarch", "c", "noarch")

    unchecked = LastFailureCheck(_recorded(None))
    assert recheck_lines(unchecked)[0].startswith(head)
    assert (
        recheck_lines(unchecked)[1]
        == "    (no URL was recorded: the channels are checked above)"
    )
    assert SECRET not in "\n".join(recheck_lines(unchecked))

    fixed = LastFailureCheck(failure, TargetResult(target))
    assert fixed.still_failing is False
    assert recheck_lines(fixed)[1].endswith(f" it no longer fails: {url} answers now")
    assert recheck_lines(fixed)[2:] == [
        "    `conda netcheck --forget` clears this record"
    ]

    problem = Problem(Code.CONNECTION_REFUSED, Layer.TCP, "refused", "start it")
    failing = LastFailureCheck(failure, TargetResult(target, problem))
    assert failing.still_failing is True
    out = recheck_lines(failing)
    assert out[1].endswith(f" it still fails at the tcp layer: {url}")
    assert out[2:] == ["    connection-refused (tcp): refused", "    fix: start it"]
    verbose = recheck_lines(failing, verbose=True)
    assert verbose[:4] == out and len(verbose) > len(out)


def test_the_recheck_uses_the_configured_channel_the_record_redacts_to():
    from conda_netcheck.failure.replay import plan
    from conda_netcheck.model import Target

    configured = [
        Target("http://u:pw-Conf1g@h.test:8080/other/noarch", "other", "noarch"),
        Target("http://u:pw-Conf1g@h.test:8080/c/noarch/", "c", "noarch"),
    ]
    recorded = "http://u:<redacted>@h.test:8080/c/noarch/repodata.json"
    found = plan(recorded, configured, ("repodata.json",))
    assert found.target is configured[1] and found.files == ("repodata.json",)
    rebuilt = plan(
        "http://h.test:8080/a/b/linux-64/x-1-0.conda", configured, ("repodata.json",)
    ).target
    assert (rebuilt.url, rebuilt.channel, rebuilt.subdir, rebuilt.source) == (
        "http://h.test:8080/a/b/linux-64",
        "http://h.test:8080/a/b",
        "linux-64",
        "the command that failed",
    )


def _recheck_alone(failure):
    """The recorded failure checked with nothing configured, 1 s timeouts, 4 KiB of a package."""
    from conda_netcheck.config.routes import standalone_route
    from conda_netcheck.model import Options

    options = Options(commands=Commands(), connect_timeout=1, read_timeout=1)
    return recheck(failure, standalone_route, options, [], 4096)


@pytest.mark.parametrize(
    ("path", "package", "code"),
    [
        ("noarch/x-1-0.conda", True, "http-not-found"),
        ("noarch/x-1-0.tar.bz2", True, "http-not-found"),
        ("noarch/repodata.json", False, "http-not-found"),
    ],
)
def test_the_recheck_of_a_package_names_the_package_request(
    page_server, path, package, code
):
    from conda_netcheck.model import Resource

    page_server.behaviour.status = 404
    page_server.behaviour.body = b"not here"
    page_server.behaviour.content_type = "text/plain"
    url = f"{page_server.url}/{path}"
    from conda_netcheck.failure.record import LastFailure

    failure = LastFailure(time.time(), f"conda install -c {page_server.url} x", url)
    checked = _recheck_alone(failure)
    assert checked.failure is failure and checked.still_failing
    result = checked.result
    assert result.problem.code.value == code
    if package:
        assert (result.resource, result.url_failed) == (Resource.PACKAGE, url)
    else:
        assert result.resource is not Resource.PACKAGE


def test_an_https_record_is_rechecked(page_server):
    from conda_netcheck.failure.record import LastFailure

    channel = f"https://127.0.0.1:{closed_port()}/c"
    url = f"{channel}/noarch/repodata.json"
    failure = LastFailure(time.time(), f"conda install -c {channel} x", url)
    checked = _recheck_alone(failure)
    assert checked.failure is failure and checked.still_failing
    assert checked.result.problem.code.value == "connection-refused"


def test_the_observer_keeps_a_network_failure_and_never_raises(
    tmp_path, monkeypatch, local_channels
):
    from types import SimpleNamespace

    from conda_netcheck.failure import record as lastfailure

    path = tmp_path / "data" / RECORD
    monkeypatch.setattr(lastfailure, "record_path", lambda: path)
    lastfailure.observe(
        SimpleNamespace(exc_value=ValueError("x"), argv=["conda"], conda_version="1")
    )
    assert not path.exists()  # not a network error
    event = SimpleNamespace(
        exc_value=_NetError("HTTP 000", url="http://h.test/c/noarch/repodata.json"),
        argv=None,  # conda gave none: sys.argv is used
        conda_version="26.7.1",
    )
    before = time.time()
    lastfailure.observe(event)
    record = lastfailure.load(path)
    assert record.url == "http://h.test/c/noarch/repodata.json"
    assert record.conda_version == "26.7.1"
    assert record.command.startswith("conda")
    assert before <= record.when <= time.time()
    lastfailure.observe(object())  # a broken event is let go
    lastfailure.observe(
        SimpleNamespace(exc_value=_NetError("x"), argv=1, conda_version=None)
    )


# Only conda >= 26.7 calls the observer; 24.11 also keeps context.plugins
# across reset_context, so the setting cannot be changed in-process there.
@needs_observers
@pytest.mark.parametrize(("value", "recorded"), [("false", False), ("true", True)])
def test_the_observer_keeps_nothing_when_remembering_is_off(
    tmp_path, monkeypatch, value, recorded, local_channels
):
    from types import SimpleNamespace

    from conda.base.context import reset_context

    from conda_netcheck.failure import record as lastfailure

    path = tmp_path / RECORD
    monkeypatch.setattr(lastfailure, "record_path", lambda: path)
    monkeypatch.setenv("CONDA_PLUGINS_NETCHECK_REMEMBER_FAILURES", value)
    reset_context()
    try:
        assert lastfailure._enabled() is recorded
        event = SimpleNamespace(
            exc_value=_NetError("x", url="http://h/c/f"),
            argv=["conda"],
            conda_version=None,
        )
        lastfailure.observe(event)
    finally:
        monkeypatch.delenv("CONDA_PLUGINS_NETCHECK_REMEMBER_FAILURES")
        reset_context()
    assert path.exists() is recorded


def test_the_record_lives_in_condas_user_data_directory(tmp_path, monkeypatch):
    from conda_netcheck.failure.record import FILE_NAME, record_path

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    if sys.platform.startswith("linux"):
        assert record_path() == tmp_path / "share" / "conda" / FILE_NAME
    assert record_path().name == FILE_NAME


@pytest.mark.usefixtures("local_channels")  # conda 24.11 adds defaults otherwise
def test_a_record_is_stamped_now_and_survives_a_broken_str():
    from conda_netcheck.failure.record import from_exception

    class Unprintable(_NetError):
        def __str__(self) -> str:
            raise RuntimeError("no")

    before = time.time()
    failure = from_exception(Unprintable("x"), ["conda"], None)
    assert before <= failure.when <= time.time()
    assert failure.chain[0].message == "" and failure.error == "Unprintable"


def test_the_chain_ignores_a_caused_by_that_is_not_an_exception():
    from conda_netcheck.failure.record import chain

    top = _NetError("top", caused_by="just text")
    top.__context__ = OSError("context")
    assert [str(e) for e in chain(top)] == ["top", "context"]


def test_the_url_comes_from_the_response_when_the_request_has_none():
    import requests

    from conda_netcheck.failure.record import failing_url

    response = requests.Response()
    response.url = "http://h.test/c/noarch/repodata.json"
    request = requests.Request("GET", "http://x").prepare()
    request.url = ""
    error = requests.HTTPError("404", request=request, response=response)
    assert failing_url(error) == "http://h.test/c/noarch/repodata.json"


def test_the_recheck_of_a_package_asks_for_the_package_itself(page_server):
    from conda_netcheck.config.routes import standalone_route
    from conda_netcheck.failure.record import LastFailure
    from conda_netcheck.model import Options

    def index_fine_package_gone(req) -> bool:
        if req.path.endswith("repodata.json"):
            body = b'{"info": {}, "packages": {}}'
            req.send_response(200)
            req.send_header("Content-Type", "application/json")
        else:
            body = b"gone"
            req.send_response(404)
            req.send_header("Content-Type", "text/plain")
        req.send_header("Content-Length", str(len(body)))
        req.end_headers()
        req.wfile.write(body)
        return True

    page_server.behaviour.handler = index_fine_package_gone
    options = Options(commands=Commands(), connect_timeout=1, read_timeout=1)
    try:
        for name, failing in (("x-1-0.conda", True), ("repodata.json", False)):
            url = f"{page_server.url}/noarch/{name}"
            failure = LastFailure(
                time.time(), f"conda install -c {page_server.url} x", url
            )
            checked = recheck(failure, standalone_route, options, [], 4096)
            assert checked.still_failing is failing, name
    finally:
        page_server.behaviour.handler = None


# -- The re-check's rules, one table each ----------------------------------------

_SHARDED_RUN = ("repodata_shards.msgpack.zst", "repodata.json.zst", "repodata.json")


@pytest.mark.parametrize(
    ("recorded", "run_files", "files"),
    [
        ("repodata.json", _SHARDED_RUN, _SHARDED_RUN),
        ("repodata.json.zst", ("repodata.json.zst", "repodata.json"), None),
        ("repodata_shards.msgpack.zst", _SHARDED_RUN, _SHARDED_RUN),
        (
            "current_repodata.json",
            _SHARDED_RUN,
            (
                "current_repodata.json.zst",
                "current_repodata.json",
                "repodata.json.zst",
                "repodata.json",
            ),
        ),
        (
            "current_repodata.json",
            ("repodata.json",),
            ("current_repodata.json", "repodata.json"),
        ),
    ],
    ids=["json", "zst", "shards", "current-sharded-run", "current-plain-run"],
)
def test_the_recheck_asks_the_index_files_conda_would_in_its_order(
    recorded, run_files, files
):
    """current_repodata.json falls back to repodata.json (.zst first); shards never."""
    assert conda_files(recorded, run_files) == (files or run_files)


@pytest.mark.parametrize(
    ("command", "found"),
    [
        ("conda install -c http://h.test/c x", ["http://h.test/c"]),
        ("conda install --channel http://h.test/c/ x", ["http://h.test/c"]),
        ("conda install --channel=https://h.test:8443/c x", ["https://h.test:8443/c"]),
        ("conda install -chttp://h.test/c x", ["http://h.test/c"]),
        ("conda install -c conda-forge x", []),  # a name is not expanded
        ("conda install x -c", []),  # nothing after -c
        ("conda install --channels http://h.test/c x", []),
        ("conda install --c=http://h.test/c x", []),
        (
            "conda install -c http://a.test/c -c 'http://b.test/d' x",
            ["http://a.test/c", "http://b.test/d"],
        ),
        ("conda install -c 'http://h.test/c x", ["'http://h.test/c"]),  # unbalanced
    ],
)
def test_the_recheck_reads_the_channels_the_command_named(command, found):
    assert command_channels(command) == found


_CONFIGURED = [Target("http://u:pw-Conf1g@h.test:8080/c/noarch", "c", "noarch")]
_FAILED = "the command that failed"


@pytest.mark.parametrize(
    ("url", "command", "planned"),
    [
        pytest.param(
            "http://h.test:8080/c/noarch/repodata.json",
            "",
            ("configured", ("repodata.json.zst", "repodata.json"), False),
            id="index-configured",
        ),
        pytest.param(
            "http://h.test:8080/c/noarch/current_repodata.json/",
            "",
            (
                "configured",
                (
                    "current_repodata.json.zst",
                    "current_repodata.json",
                    "repodata.json.zst",
                    "repodata.json",
                ),
                False,
            ),
            id="current-index-configured-trailing-slash",
        ),
        pytest.param(
            "http://h.test:8080/c/noarch/x-1-0.conda",
            "",
            ("configured", ("x-1-0.conda",), True),
            id="package-configured",
        ),
        pytest.param(
            "http://h.test:9090/c/noarch/repodata.json",
            "",
            None,
            id="index-other-port-not-configured",
        ),
        pytest.param(
            "http://h.test:9090/c/noarch/repodata.json",
            "conda install -c http://h.test:9090/c x",
            (
                "http://h.test:9090/c/noarch",
                ("repodata.json.zst", "repodata.json"),
                False,
            ),
            id="index-named-by-the-command",
        ),
        pytest.param(
            "http://h.test:9090/c/noarch/x-1-0.conda",
            "conda install -c http://h.test:9090/c x",
            ("http://h.test:9090/c/noarch", ("x-1-0.conda",), True),
            id="package-named-by-the-command",
        ),
        pytest.param(
            "http://h.test:9090/c/t/<TOKEN>/noarch/repodata.json",
            "conda install -c http://h.test:9090/c/t/<TOKEN> x",
            None,
            id="redacted-index-named-by-the-command",
        ),
        pytest.param(
            "http://h.test:9090/d/noarch/repodata.json",
            "conda install -c http://h.test:9090/c x",
            None,
            id="index-of-another-channel-than-the-command-named",
        ),
        pytest.param(
            "http://cdn.test/pkgs/noarch/x-1-0.conda",
            "",
            ("http://cdn.test/pkgs/noarch", ("x-1-0.conda",), True),
            id="package-on-a-cdn",
        ),
        *[
            pytest.param(
                f"http://cdn.test/{marker}/noarch/x-1-0.conda",
                f"conda install -c http://cdn.test/{marker} x",
                None,
                id=f"package-with-{marker.strip('<>')}",
            )
            for marker in ("<redacted>", "<TOKEN>", "<password>")
        ],
    ],
)
def test_the_recheck_plans_what_conda_would_ask_again(url, command, planned):
    """The configured channel first, then one the command named, then a package host."""
    run_files = ("repodata.json.zst", "repodata.json")
    found = plan(url, _CONFIGURED, run_files, command)
    if planned is None:
        assert found is None
        return
    where, files, package = planned
    assert (found.files, found.package) == (files, package)
    if where == "configured":
        assert found.target is _CONFIGURED[0]
        return
    target = found.target
    channel, subdir = where.rsplit("/", 1)
    assert (target.url, target.channel, target.subdir, target.source) == (
        where,
        channel,
        subdir,
        _FAILED,
    )


def _result(url: str, code=None, summary: str = "refused", port: int = 8080):
    """A result for a subdir of h.test:port, failing with code (None: no problem)."""
    from conda_netcheck.model import Layer, Problem, TargetResult

    target = Target(f"http://h.test:{port}/{url}", f"http://h.test:{port}/c", "noarch")
    if code is None:
        return TargetResult(target)
    return TargetResult(target, Problem(code, Layer.TCP, summary, "start it"))


@pytest.mark.parametrize(
    ("channel", "pointed_at"),
    [
        pytest.param(("c/noarch", "REFUSED", "refused", 8080), True, id="same"),
        pytest.param(("d/linux-64", "REFUSED", "refused", 8080), True, id="same-host"),
        pytest.param(("c/noarch", "REFUSED", "other words", 8080), False, id="summary"),
        pytest.param(("c/noarch", "RESET", "refused", 8080), False, id="code"),
        pytest.param(("c/noarch", "REFUSED", "refused", 9090), False, id="port"),
        pytest.param(("c/noarch", None, "refused", 8080), False, id="no-problem"),
    ],
)
def test_the_recheck_points_at_a_channel_showing_the_same_cause(channel, pointed_at):
    """Same code, same words, same host:port: said once, pointed at; else said in full."""
    from conda_netcheck.model import Code

    codes = {"REFUSED": Code.CONNECTION_REFUSED, "RESET": Code.CONNECTION_RESET}
    path, code, summary, port = channel
    other = _result(path, codes.get(code), summary, port)
    failing = LastFailureCheck(
        _recorded("http://h.test:8080/c/noarch/x-1-0.conda"),
        _result("c/noarch", Code.CONNECTION_REFUSED),
    )
    out = recheck_lines(failing, channels=[other])
    assert out[1].endswith(
        "it still fails at the tcp layer: http://h.test:8080/c/noarch/x-1-0.conda"
    )
    if pointed_at:
        assert out[2:] == [
            "    connection-refused (tcp): the same cause as "
            f"{other.target.channel_url} above"
        ]
    else:
        assert out[2:] == ["    connection-refused (tcp): refused", "    fix: start it"]


def test_the_recheck_lines_of_a_channel_no_longer_configured_say_so_redacted():
    from conda_netcheck.redact import REDACTOR

    REDACTOR.add(SECRET)
    url = f"http://u:{SECRET}@h.test/c/noarch/repodata.json"
    out = recheck_lines(LastFailureCheck(_recorded(url), configured=False))
    assert out[0].startswith("The last failure (`conda install x`, 2 minutes ago): ")
    assert out[1:] == [
        f"{marks()[0]} http://u:<redacted>@h.test/c/noarch/repodata.json is no "
        "longer configured: conda does not ask for it any more",
        "    `conda netcheck --forget` clears this record",
    ]
    assert SECRET not in "\n".join(out)


def test_the_recheck_lines_of_a_cause_that_is_only_a_warning_say_not_known_to_fail():
    """No answer within netcheck's wait where conda waits longer: not said to fail."""
    from conda_netcheck.model import Code, Layer, Problem, TargetResult

    url = "http://h.test:8080/c/noarch/x-1-0.conda"
    target = Target("http://h.test:8080/c/noarch", "c", "noarch")
    problem = Problem(Code.NO_ANSWER_YET, Layer.HTTP, "slow", "wait")
    assert problem.status.value == "warning"
    checked = LastFailureCheck(_recorded(url), TargetResult(target, problem))
    assert checked.still_failing is False
    out = recheck_lines(checked)
    assert out[1] == f"{marks()[2]} not known to fail: {url}"
    assert out[-1] == "    `conda netcheck --forget` clears this record"
    assert any("slow" in line for line in out[2:-1])
    verbose = recheck_lines(checked, verbose=True)
    assert verbose[:2] == out[:2] and len(verbose) > len(out)


def test_a_recheck_of_a_channel_no_longer_configured_fetches_nothing():
    def no_route(url):  # never called: nothing is fetched
        raise AssertionError(url)

    from conda_netcheck.model import Options

    recorded = _recorded("http://gone.test/c/noarch/repodata.json")
    options = Options(commands=Commands(), connect_timeout=1, read_timeout=1)
    checked = recheck(recorded, no_route, options, [], package_bytes=1)
    assert checked.failure is recorded
    assert checked.configured is False
    assert checked.result is None and checked.still_failing is None


_PACKAGE = conda_package(padding=20_000)


@pytest.mark.parametrize(
    ("name", "package_bytes", "read"),
    [
        ("x-1-0.conda", 10**6, len(_PACKAGE)),  # a package: up to the package bound
        ("x-1-0.conda", 100, 100),
        ("x-1-0.conda", 5000, 5000),  # more than the run's bound for an index
    ],
    # Ids without the package's size: its random padding makes it vary by a
    # few bytes, and parallel workers must collect the same ids.
    ids=["whole-package", "100-bytes", "5000-bytes"],
)
def test_the_recheck_reads_a_package_up_to_the_package_bound(
    page_server, name, package_bytes, read
):
    from conda_netcheck.config.routes import standalone_route
    from conda_netcheck.failure.record import LastFailure
    from conda_netcheck.model import Options

    page_server.behaviour.status = 200
    page_server.behaviour.body = _PACKAGE  # a real package of about 20 KB
    page_server.behaviour.content_type = "application/octet-stream"
    url = f"{page_server.url}/noarch/{name}"
    failure = LastFailure(time.time(), f"conda install -c {page_server.url} x", url)
    options = Options(
        commands=Commands(),
        connect_timeout=1,
        read_timeout=1,
        filenames=("repodata.json",),
        max_bytes=4096,
    )
    checked = recheck(failure, standalone_route, options, [], package_bytes)
    assert f"{name}: 200, {read} bytes read" in checked.result.notes


def _pending(url: str, configured, on_result=None) -> LastFailureCheck:
    from conda_netcheck.config.routes import standalone_route
    from conda_netcheck.failure.record import LastFailure
    from conda_netcheck.model import Options

    failure = LastFailure(time.time(), "conda install x", url)
    options = Options(commands=Commands(), connect_timeout=1, read_timeout=1)
    pending = Pending(failure, standalone_route, options, configured, 4096, on_result)
    checked = pending.wait()
    assert checked.failure is failure
    return checked


@pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")
@pytest.mark.parametrize("told", [True, False], ids=["on-result", "no-callback"])
def test_the_pending_recheck_hands_over_what_it_found(page_server, told):
    page_server.behaviour.status = 404
    page_server.behaviour.body = b"not here"
    page_server.behaviour.content_type = "text/plain"
    seen: list = []
    url = f"{page_server.url}/c/noarch/x-1-0.conda"
    checked = _pending(url, [], seen.append if told else None)
    assert checked.still_failing is True
    assert checked.result.problem.code.value == "http-not-found"
    assert checked.result.url_failed == url
    assert seen == ([checked.result] if told else [])


class _Unreadable(list):
    """A configuration that raises when read (a bug in the re-check's input)."""

    def __iter__(self):
        raise RuntimeError("broken configuration")


@pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_pending_recheck_that_raises_is_unchecked_not_a_traceback():
    seen: list = []
    checked = _pending("http://h.test/c/noarch/x-1-0.conda", _Unreadable(), seen.append)
    assert checked.result is None and checked.still_failing is None
    assert seen == []


@pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_pending_recheck_with_nothing_to_check_tells_nothing():
    seen: list = []
    checked = _pending("ftp://h.test/c/noarch/x-1-0.conda", [], seen.append)
    assert checked.result is None and checked.configured
    assert seen == []
