"""A dual-stack name with one broken family: a warning with the delay, not a timeout."""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path

import pytest
from conftest import needs_conda
from support.netns import netns_available, run_in_netns
from support.servers import channel_server, full_backlog_server

from conda_netcheck.config.commands import Commands
from conda_netcheck.config.routes import standalone_route
from conda_netcheck.config.targets import urls_targets
from conda_netcheck.diagnosis.runner import diagnose
from conda_netcheck.model import Options

PEER = str(Path(__file__).parent / "support" / "dualstack.py")
NAME = "dual.netcheck.test"

available, why = netns_available()
in_netns = pytest.mark.skipif(not available, reason=f"needs a network namespace: {why}")


def run_peer(
    tmp_path: Path, command: list[str], no_conda: bool, gai: str | None = None
) -> tuple[dict, int]:
    """Run `command` inside a namespace where NAME is [2001:db8::1] (dead) and 127.0.0.1."""
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    paths = [str(Path(__file__).parent.parent)]
    if no_conda:
        shim = tmp_path / "shim" / "conda"
        shim.mkdir(parents=True)
        (shim / "__init__.py").write_text("raise ImportError('no conda here')\n")
        paths.insert(0, str(shim.parent))
    env["PYTHONPATH"] = os.pathsep.join(paths)
    options = ["--gai-conf", gai] if gai else []
    proc = run_in_netns(
        [sys.executable, PEER, NAME, *options, "--", *command], env=env, timeout=90
    )
    return json.loads(proc.stdout), proc.returncode


def assert_ipv6_broken(document: dict, code: int, timeout: float) -> None:
    targets = document["targets"]
    assert {t["diagnosis"] for t in targets} == {"ipv6-broken"}
    assert {t["status"] for t in targets} == {"warning"}
    for target in targets:
        assert "works over IPv4, but IPv6 is broken here" in target["summary"]
        assert f"waits about {timeout:g} s" in target["summary"]
        assert "precedence ::ffff:0:0/96 100" in target["fix"]
        by_family = {a["family"]: a for a in target["details"]["addresses"]}
        assert by_family["ipv6"]["outcome"] == "timeout"
        assert by_family["ipv4"]["outcome"] == "connected"
    assert document["ok"] is True
    assert code == 0


@in_netns
def test_a_black_holed_ipv6_address_is_a_warning_without_conda(tmp_path):
    command = [sys.executable, "-m", "conda_netcheck", "--json", "--timeout", "1"]
    document, code = run_peer(tmp_path, [*command, "{url}"], no_conda=True)
    # Without conda the delay is for conda's default connect timeout.
    assert_ipv6_broken(document, code, 9.15)


@in_netns
@needs_conda
def test_a_black_holed_ipv6_address_is_a_warning_through_conda(tmp_path):
    command = [sys.executable, "-m", "conda", "netcheck", "--json", "--timeout", "1"]
    document, code = run_peer(tmp_path, command, no_conda=False)
    assert_ipv6_broken(document, code, 9.15)


@in_netns
@needs_conda
def test_the_delay_follows_condas_connect_timeout(tmp_path):
    # The peer's .condarc is replaced by one with a shorter connect timeout.
    command = [
        sys.executable,
        "-c",
        "import json, os, subprocess, sys; "
        "p = os.environ['CONDARC']; d = json.load(open(p)); "
        "d['remote_connect_timeout_secs'] = 3; json.dump(d, open(p, 'w')); "
        "sys.exit(subprocess.run([sys.executable, '-m', 'conda', 'netcheck', "
        "'--json', '--timeout', '1']).returncode)",
    ]
    document, code = run_peer(tmp_path, command, no_conda=False)
    assert_ipv6_broken(document, code, 3)


@in_netns
@needs_conda
@pytest.mark.skipif(
    not Path("/etc/gai.conf").exists(),
    reason="no /etc/gai.conf on this machine to mount over",
)
def test_the_gai_conf_fix_removes_the_delay(tmp_path):
    command = [sys.executable, "-m", "conda", "netcheck", "--json", "--timeout", "1"]
    document, code = run_peer(tmp_path, command, no_conda=False)
    fix = document["targets"][0]["fix"]
    line = fix.split("add the line '", 1)[1].split("'", 1)[0]
    assert line == "precedence ::ffff:0:0/96 100"

    document, code = run_peer(tmp_path / "again", command, no_conda=False, gai=line)
    assert {t["diagnosis"] for t in document["targets"]} == {"ok"}
    assert all(t["warnings"] == [] for t in document["targets"])
    assert code == 0


def has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not has_ipv6_loopback(), reason="no IPv6 on loopback as root")
def test_a_black_holed_ipv4_address_first_is_ipv4_broken(channel_root):
    # The resolver puts IPv4 first (as /etc/gai.conf's precedence line does):
    # IPv4 goes to a full accept queue, IPv6 to the channel.
    with (
        full_backlog_server() as dead_port,
        channel_server(channel_root, host="::1") as server,
    ):

        def resolver(host: str, port: int) -> list:
            return [
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", dead_port)),
                (
                    socket.AF_INET6,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    ("::1", server.port, 0, 0),
                ),
            ]

        options = Options(
            commands=Commands(), connect_timeout=1, read_timeout=2, resolver=resolver
        )
        options.try_direct = False
        # requests resolves "localhost" itself (::1 answers); the probes use
        # the resolver above.
        results = diagnose(
            urls_targets([f"http://localhost:{server.port}"], ("noarch",)),
            standalone_route,
            options,
        )
    (result,) = results
    (warning,) = result.warnings
    assert warning.code.value == "ipv4-broken"
    assert "works over IPv6, but IPv4 is broken here" in warning.summary
    assert f"127.0.0.1:{dead_port} did not answer" in warning.summary
    # -v shows the timings per address.
    assert any(
        note.startswith(f"127.0.0.1:{dead_port} (ipv4): timeout")
        for note in result.notes
    )


def test_a_name_without_a_working_family_is_still_a_connect_timeout():
    with full_backlog_server() as port:

        def resolver(host: str, port_: int) -> list:
            return [
                (
                    socket.AF_INET6,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    ("2001:db8::7", port, 0, 0),
                ),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
            ]

        options = Options(
            commands=Commands(), connect_timeout=1, read_timeout=1, resolver=resolver
        )
        (result,) = diagnose(
            urls_targets([f"http://{NAME}:{port}"], ("noarch",)),
            standalone_route,
            options,
        )
    assert result.problem.code.value == "connect-timeout"
    assert result.warnings == []
