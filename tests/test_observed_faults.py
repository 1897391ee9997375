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
