"""`python -m conda_netcheck` where conda is missing or broken."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def no_conda(tmp_path: Path) -> dict[str, str]:
    """An environment in which `import conda` fails, as on a broken install."""
    shim = tmp_path / "shim" / "conda"
    shim.mkdir(parents=True)
    (shim / "__init__.py").write_text("raise ImportError('conda is broken here')\n")
    import os

    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env["PYTHONPATH"] = str(shim.parent)
    return env


def run(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "conda_netcheck", "--timeout", "1", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_says_conda_config_was_not_read_and_checks_the_url(no_conda, channel):
    proc = run(no_conda, channel.url)
    assert "conda's configuration was not read" in proc.stdout
    assert "(no conda)" in proc.stdout.splitlines()[0]
    assert proc.stdout.splitlines()[-1] == "Verdict: all 2 targets are reachable."
    assert proc.returncode == 0


def test_json_and_exit_1_on_failure(no_conda):
    from support.servers import closed_port

    proc = run(no_conda, "--json", f"http://127.0.0.1:{closed_port()}/chan")
    document = json.loads(proc.stdout)
    assert document["conda_config_read"] is False
    assert document["conda_version"] is None
    assert {t["diagnosis"] for t in document["targets"]} == {"connection-refused"}
    assert proc.returncode == 1


def test_honours_requests_ca_bundle_and_ssl_cert_file(
    no_conda, channel_root, ca, ca_bundle
):
    from support.servers import channel_server, server_tls_context

    tls = server_tls_context(ca.issue_cert("127.0.0.1"))
    with channel_server(channel_root, tls=tls) as server:
        untrusted = run(no_conda, "--json", server.url)
        with_variable = run(
            {**no_conda, "REQUESTS_CA_BUNDLE": ca_bundle}, "--json", server.url
        )
        with_cert_file = run(
            {**no_conda, "SSL_CERT_FILE": ca_bundle}, "--json", server.url
        )
    assert {t["diagnosis"] for t in json.loads(untrusted.stdout)["targets"]} == {
        "tls-untrusted"
    }
    assert json.loads(with_variable.stdout)["ok"] is True
    assert json.loads(with_cert_file.stdout)["ok"] is True


def test_honours_http_proxy_and_no_proxy(no_conda, channel, tmp_path):
    from support.proxies import proxypy_proxy

    with proxypy_proxy(tmp_path) as proxy:
        env = {**no_conda, "HTTP_PROXY": proxy.url}
        proxied = json.loads(run(env, "--json", channel.url).stdout)
        bypassed = json.loads(
            run({**env, "NO_PROXY": "127.0.0.1"}, "--json", channel.url).stdout
        )
    assert {t["proxy_source"] for t in proxied["targets"]} == {
        "the HTTP_PROXY environment variable"
    }
    assert proxied["ok"] is True
    assert {t["proxy"] for t in bypassed["targets"]} == {None}


def test_without_urls_is_a_usage_error(no_conda):
    proc = run(no_conda)
    assert proc.returncode == 2
    assert "give the channel URLs" in proc.stderr


def test_without_conda_proxy_fixes_are_variable_lines(no_conda):
    from support.servers import closed_port

    env = {**no_conda, "SHELL": "/usr/bin/fish"}
    refused = json.loads(
        run(env, "--json", f"http://127.0.0.1:{closed_port()}/chan").stdout
    )
    fix = refused["targets"][0]["fix"]
    assert "set -gx HTTP_PROXY http://PROXY_HOST:PORT" in fix
    assert "conda config" not in fix

    env["HTTP_PROXY"] = f"http://127.0.0.1:{closed_port()}"
    unreachable = json.loads(run(env, "--json", "http://127.0.0.1:1/chan").stdout)
    (target, *_) = unreachable["targets"]
    assert target["diagnosis"] == "proxy-unreachable"
    assert "set -gx HTTP_PROXY http://PROXY_HOST:PORT" in target["fix"]
    # 127.0.0.1:1 refuses a direct connection too: dropping the proxy is no fix.
    assert "set -e HTTP_PROXY" not in target["fix"]
