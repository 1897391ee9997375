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
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest
from conftest import has_plugin_type, needs_conda, needs_hints, needs_observers
from support.proxies import squid_proxy
from support.servers import channel_server, closed_port, server_tls_context

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
    assert "(netcheck_proxy_auth) proxy layer:" in proc.stderr
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
        assert "(netcheck_checksum_mismatch) content layer:" in proc.stderr
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
    assert "(netcheck_tls_eof) tls layer: the connection was closed during the TLS" in (
        proc.stderr
    )


@needs_hints
@pytest.mark.parametrize(
    "userinfo, shown",
    [("", "http://127.0.0.1:{port}`"), (f"alice:{SECRET}@", None)],
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
        "(netcheck_proxy_https_scheme) proxy layer: the TLS handshake with the "
        "proxy failed"
    )
    assert expected in proc.stderr, proc.stderr
    # Without the user and password the fixed proxy answers 407.
    shown = shown or "'http://USER:<password>@127.0.0.1:{port}'`"
    assert f"proxy_servers.https {shown.format(port=proxy.port)}" in proc.stderr, (
        proc.stderr
    )
    assert_no_secret(proc.stderr)


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
    assert "(netcheck_socks_without_pysocks) proxy layer:" in proc.stderr
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
        "from conda_netcheck.settings import current; s = current();"
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

    from conda_netcheck import lastfailure
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
