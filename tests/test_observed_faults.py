"""Faults netcheck used to name wrong, each against a real local peer.

Each runs real conda first (what it does is recorded beside the expected
diagnosis), then netcheck as `python -m conda_netcheck` and `conda netcheck`.
"""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

import pytest
from conftest import needs_conda
from support.proxies import tinyproxy_proxy
from support.servers import channel_server, server_tls_context
from test_last_failure import channels, conda, conda_env

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = needs_conda


def netcheck(env: dict[str, str], *argv: str) -> list[subprocess.CompletedProcess]:
    """`python -m conda_netcheck` and `conda netcheck` with the same arguments."""
    runs = []
    for front in (("conda_netcheck",), ("conda", "netcheck")):
        runs.append(
            subprocess.run(
                [sys.executable, "-m", *front, "--timeout", "3", *argv],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                stdin=subprocess.DEVNULL,
            )
        )
    return runs


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


def test_proxy_url_without_a_port_is_probed_where_urllib3_connects(
    home, tmp_path, channel_root, ca, ca_bundle
):
    """ "http://127.0.0.1" as a proxy is port 80 for urllib3: netcheck tunnels there too."""
    tls = server_tls_context(ca.issue_cert("127.0.0.1"))
    with (
        channel_server(channel_root, tls=tls) as server,
        tinyproxy_proxy(tmp_path, port=80) as proxy,
    ):
        settings = channels(server.url)
        settings["proxy_servers"] = {
            "http": "http://127.0.0.1",
            "https": "http://127.0.0.1",
        }
        settings["ssl_verify"] = ca_bundle
        env = conda_env(home, settings)
        searched = conda(env, "search", "--override-channels", "-c", server.url, "x")
        runs = netcheck(env)
        log = proxy.wait_for_log(f"CONNECT 127.0.0.1:{server.port}")
    # conda works through the proxy on port 80 ...
    assert "PackagesNotFound" in searched.stderr, searched.stderr
    assert f"CONNECT 127.0.0.1:{server.port}" in log
    # ... and netcheck, probing the same port, agrees.
    for run in runs:
        assert run.returncode == 0, run.stdout + run.stderr
        assert "127.0.0.1:8080" not in run.stdout
        assert "reachable" in run.stdout.splitlines()[-1]


# -- DNS answers that mean "blocked" -------------------------------------------------


def in_netns(env: dict[str, str], dns_map: dict, *argv: str) -> str:
    from support.netns import run_in_netns

    proc = run_in_netns(
        [sys.executable, "-m", *argv], env=env, dns_map=dns_map, timeout=90
    )
    return proc.stdout + proc.stderr


@pytest.mark.parametrize(
    ("answer", "shown"),
    [(["0.0.0.0"], "0.0.0.0"), (["::"], "::"), (["127.0.0.1"], "127.0.0.1")],
    ids=["pihole-v4", "pihole-v6", "loopback-for-a-public-name"],
)
def test_dns_filter_answer_is_named_at_the_dns_layer(home, answer, shown):
    from support.netns import netns_available

    available, why = netns_available()
    if not available:
        pytest.skip(f"needs a network namespace: {why}")
    url = "https://repo.anaconda.com/pkgs/main"
    env = conda_env(home, channels(url))
    dns_map = {"repo.anaconda.com": answer}
    # conda: the connection to the filter's address fails like any other.
    searched = in_netns(
        env, dns_map, "conda", "search", "--override-channels", "-c", url, "x"
    )
    assert "CONNECTION FAILED" in searched or "CondaHTTPError" in searched, searched
    for front in (("conda_netcheck",), ("conda", "netcheck")):
        out = in_netns(env, dns_map, *front, "--timeout", "3")
        assert "dns-blocked (dns)" in out, out
        assert f"answers {shown} for repo.anaconda.com" in out
        assert "DNS filter" in out
        assert "check the port" not in out and "connection-refused" not in out


# -- no route ----------------------------------------------------------------------


@pytest.fixture
def unreachable_route():
    """198.18.0.0/24 (benchmarking, RFC 2544) as an "unreachable" route: EHOSTUNREACH."""
    net = "198.18.0.0/24"
    subprocess.run(["ip", "route", "add", "unreachable", net], check=True, timeout=10)
    try:
        yield "198.18.0.1"
    finally:
        subprocess.run(["ip", "route", "del", "unreachable", net], timeout=10)


@pytest.mark.parametrize("errno_name", ["ENETUNREACH", "EHOSTUNREACH"])
def test_missing_route_is_named_not_refused(home, errno_name, request):
    if errno_name == "EHOSTUNREACH":
        address = request.getfixturevalue("unreachable_route")
    else:
        address = "10.255.0.1"  # the tests' namespace has no default route
    url = f"http://{address}:8000/chan"
    env = conda_env(home, channels(url))
    searched = conda(env, "search", "--override-channels", "-c", url, "x")
    assert searched.returncode != 0
    for run in netcheck(env):
        out = run.stdout
        assert "no-route (tcp)" in out, out
        assert errno_name in out
        assert "VPN" in out
        assert "check the port" not in out and "connection-refused" not in out


# -- hostile input --------------------------------------------------------------------


def test_conda_channels_variable_that_stops_conda_is_an_error(home, channel):
    env = conda_env(home, channels(channel.url), CONDA_CHANNELS="http://[bad")
    # conda: every command that expands the channels crashes on it.
    searched = conda(env, "search", "x")
    assert searched.returncode != 0
    assert "Invalid IPv6 URL" in searched.stdout + searched.stderr
    for run in netcheck(env):
        out = run.stdout
        assert "http://[bad (from the CONDA_CHANNELS variable)" in out, out
        assert "conda stops on it too" in out
        assert "unset CONDA_CHANNELS" in out
        assert "configuration has 1 error" in out.splitlines()[-1]
        assert run.returncode != 0


@pytest.mark.parametrize("key", ["ssl_verify", "client_ssl_cert"])
def test_nul_byte_in_a_path_setting_is_a_finding_and_the_run_goes_on(
    home, channel, key
):
    settings = channels(channel.url)
    settings[key] = str(home / "ca.pem\x00.pem")
    env = conda_env(home, settings)
    searched = conda(env, "search", "--override-channels", "-c", channel.url, "x")
    conda_says = searched.stdout + searched.stderr
    for run in netcheck(env):
        out = run.stdout + run.stderr
        assert "internal-error" not in out and "embedded null byte" not in out, out
        assert run.returncode == 1, out
        # The run went on to the channel, and the setting is named.
        assert channel.url in out
        assert key in out
    if key == "ssl_verify":  # conda rejects it when it loads the setting
        assert "ssl_verify" in conda_says and "is invalid" in conda_says


def test_large_condarc_is_netchecks_limit_not_condas(home, channel):
    env = conda_env(home, channels(channel.url))
    rc = home / "condarc.yml"
    padding = "".join(f"# padding {i:07d} {'x' * 80}\n" for i in range(110_000))
    rc.write_text(rc.read_text() + "\n" + padding)
    assert rc.stat().st_size > 9 * 1024 * 1024
    # conda reads the whole file: the channel it names is the one it searches.
    searched = conda(env, "search", "--override-channels", "-c", channel.url, "x")
    assert "PackagesNotFound" in searched.stderr, searched.stderr
    for run in netcheck(env):
        out = run.stdout
        assert "config-unread" in out or "netcheck did not read" in out, out
        assert f"netcheck did not read {rc} itself" in out
        assert "conda reads it and its settings apply" in out
        assert "ignores" not in out
        assert run.returncode == 0, out


# -- the wrong protocol on the port ---------------------------------------------------


@pytest.mark.parametrize("direction", ["https-to-plain", "http-to-tls"])
def test_scheme_that_the_port_does_not_speak_is_named(
    home, channel_root, ca, ca_bundle, direction
):
    tls = server_tls_context(ca.issue_cert("127.0.0.1"))
    plain = direction == "https-to-plain"
    with channel_server(channel_root, tls=None if plain else tls) as server:
        url = server.url.replace(
            *(("http:", "https:") if plain else ("https:", "http:"))
        )
        settings = channels(url)
        settings["ssl_verify"] = ca_bundle
        env = conda_env(home, settings)
        searched = conda(env, "search", "--override-channels", "-c", url, "x")
        runs = netcheck(env)
    conda_says = searched.stdout + searched.stderr
    assert searched.returncode != 0
    if plain:  # conda: an SSLError naming the record, not the port
        assert "WRONG_VERSION_NUMBER" in conda_says or "SSL" in conda_says, conda_says
    for run in runs:
        out = run.stdout
        assert "wrong-protocol (tls)" in out, out
        if plain:
            assert f"127.0.0.1:{server.port} speaks plain HTTP, not TLS" in out
            assert "write the channel with http://" in out
            assert "which TLS versions it accepts" not in out
            # Never a command that sends the channel in clear.
            assert "--prepend channels http://" not in out
        else:
            assert f"127.0.0.1:{server.port} speaks TLS, not plain HTTP" in out
            assert "write the channel with https://" in out
            assert "connection-reset" not in out
            https = url.replace("http:", "https:")
            assert f"--prepend channels {https}" in out


# -- a TLS handshake that stalls after TCP connected --------------------------------


def test_handshake_that_stalls_is_named_at_the_tls_layer_with_a_test_to_run(home):
    from support.servers import silent_server

    with silent_server() as port:
        url = f"https://127.0.0.1:{port}/chan"
        env = conda_env(home, channels(url))
        searched = conda(env, "search", "--override-channels", "-c", url, "x")
        runs = netcheck(env)
    # conda: a read timeout after its remote_read_timeout_secs, nothing about TLS.
    assert searched.returncode != 0
    for run in runs:
        out = run.stdout
        assert "tls-stalled (tls)" in out, out
        assert "TCP connected and the ClientHello was sent" in out
        assert "ping -M do -s 1472 127.0.0.1" in out and "tracepath 127.0.0.1" in out
        assert out.index("path MTU") < out.index("TLS filter")
        assert "read-timeout" not in out


# -- body claims that are not true ------------------------------------------------------


def _gzip_label(server) -> None:
    server.behaviour.headers = {"Content-Encoding": "gzip"}


def _empty_index(server) -> None:
    def empty(req) -> bool:
        if req.path.endswith(".json"):
            req._reply(200, b"", "application/json")
            return True
        return False

    server.behaviour.handler = empty


def _redirect_loop(server) -> None:
    def loop(req) -> bool:
        req.send_response(302)
        req.send_header("Location", "/b/" if req.path.startswith("/a") else "/a/")
        req.send_header("Content-Length", "0")
        req.end_headers()
        return True

    server.behaviour.handler = loop


@pytest.mark.parametrize(
    ("fault", "code", "says", "never"),
    [
        (
            _gzip_label,
            "encoding-mislabelled (http)",
            "`Content-Encoding: gzip`, but the body is not gzip-encoded",
            " bytes: the connection closed",
        ),
        (
            _empty_index,
            "index-empty (content)",
            "answered repodata.json with an empty body",
            "captive-portal",
        ),
        (
            _redirect_loop,
            "redirect-loop (http)",
            "/a/ -> http://127.0.0.1:{port}/b/ -> http://127.0.0.1:{port}/a/",
            "login",
        ),
    ],
    ids=["gzip-label-on-plain-json", "empty-200-index", "redirect-loop"],
)
def test_body_claims_that_are_not_true(home, channel, fault, code, says, never):
    fault(channel)
    env = conda_env(home, channels(channel.url))
    searched = conda(env, "search", "--override-channels", "-c", channel.url, "x")
    runs = netcheck(env)
    assert searched.returncode != 0, searched.stdout
    for run in runs:
        out = run.stdout
        assert code in out, out
        assert says.format(port=channel.port) in out
        assert never not in out
        assert "download-incomplete" not in out


# -- a proxy password with several reserved characters ---------------------------------

PASSWORD = "a@Top#Sec?ret"


def test_password_with_several_reserved_characters_is_one_finding_and_a_visible_diff(
    home, channel
):
    proxy = f"http://bob:{PASSWORD}@127.0.0.1:{channel.port}"
    settings = channels(channel.url)
    settings["proxy_servers"] = {"http": proxy}
    env = conda_env(home, settings)
    searched = conda(env, "search", "--override-channels", "-c", channel.url, "x")
    assert searched.returncode != 0  # conda goes to a "host" cut out of the password
    for run in netcheck(env, "--fix", "--dry-run"):
        out = run.stdout
        findings = [
            line
            for line in out.splitlines()
            if line.startswith("❌ proxy_servers.http:")
        ]
        assert len(findings) == 1, out
        assert "contains '?', '#' and '@' unencoded" in findings[0]
        assert "'?' as %3F, '#' as %23, '@' as %40" in findings[0]
        lines = out.splitlines()
        removed = [
            x for x in lines if x.startswith("-") and x[:3] not in ("---", "- p")
        ]
        added = [x for x in lines if x.startswith("+") and not x.startswith("+++")]
        assert len(removed) == len(added) == 1, out
        assert removed != added
        assert "<password: 3 characters percent-encoded>" in added[0]
        for piece in ("TopSecret", "Top#", "Sec?ret", "topsec"):
            assert piece.lower() not in out.lower()
