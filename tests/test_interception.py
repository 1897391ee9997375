"""TLS interception through a real TLS-intercepting proxy (mitmproxy), end to end."""

from __future__ import annotations

import pytest
import trustme
from support.mitm import ensure_mitmproxy, mitm_proxy
from support.servers import channel_server, make_channel, server_tls_context

from conda_netcheck.config.commands import Commands
from conda_netcheck.config.routes import standalone_route
from conda_netcheck.config.targets import urls_targets
from conda_netcheck.diagnosis.runner import diagnose
from conda_netcheck.evidence import PerStore
from conda_netcheck.model import Options

pytestmark = pytest.mark.skipif(
    ensure_mitmproxy(install=False) is None,
    reason="mitmproxy is not installed: run `python tests/support/mitm.py install`",
)


@pytest.fixture(scope="module")
def site_ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def site_bundle(site_ca, tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("site") / "ca.pem"
    site_ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture(scope="module")
def upstream(site_ca, tmp_path_factory):
    root = make_channel(tmp_path_factory.mktemp("channel"))
    tls = server_tls_context(site_ca.issue_cert("127.0.0.1"))
    with channel_server(root, tls) as server:
        yield server


@pytest.fixture(scope="module")
def mitm(site_bundle, upstream, tmp_path_factory):
    with mitm_proxy(tmp_path_factory.mktemp("mitm"), site_bundle) as running:
        yield running


def check(upstream, mitm, monkeypatch, *, bundle: str, os_store: str):
    """conda trusts `bundle` (REQUESTS_CA_BUNDLE); the OS store is `os_store`."""
    monkeypatch.setenv("HTTPS_PROXY", mitm.url)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", bundle)
    monkeypatch.setenv("SSL_CERT_FILE", os_store)  # what truststore reads on Linux
    options = Options(
        commands=Commands(), connect_timeout=2, read_timeout=3, try_direct=False
    )
    (result,) = diagnose(
        urls_targets([upstream.url], ("noarch",)), standalone_route, options
    )
    return result


def test_intercepted_and_trusted_by_nobody(upstream, mitm, site_bundle, monkeypatch):
    result = check(
        upstream, mitm, monkeypatch, bundle=site_bundle, os_store=site_bundle
    )
    problem = result.problem
    assert problem.code.value == "tls-intercepted"
    assert "inspected by your organisation's proxy" in problem.summary
    assert "mitmproxy" in problem.summary
    assert problem.details.trusted_by == PerStore(conda=False, certifi=False, os=False)
    assert "conda config --set ssl_verify ~/conda-ca-bundle.pem" in problem.fix
    assert "ssl_verify false" not in problem.fix
    issuers = [cert["issuer"] for cert in problem.details.chain]
    assert any("mitmproxy" in issuer for issuer in issuers)


def test_intercepted_with_the_proxy_ca_in_the_os_store(
    upstream, mitm, site_bundle, monkeypatch
):
    result = check(
        upstream, mitm, monkeypatch, bundle=site_bundle, os_store=mitm.ca_pem
    )
    assert result.problem.code.value == "tls-intercepted"
    assert result.problem.details.trusted_by.os is True
    assert "conda config --set ssl_verify truststore" in result.problem.fix


def test_trusted_through_ssl_verify_path(upstream, mitm, monkeypatch):
    result = check(
        upstream, mitm, monkeypatch, bundle=mitm.ca_pem, os_store=mitm.ca_pem
    )
    assert result.status.value == "ok", result.problem


def _conda_uses_truststore_through_proxies() -> bool:
    try:
        from conda.gateways.connection.adapters.http import HTTPAdapter

        from conda_netcheck.config.routes import truststore_through_proxy
    except ImportError:
        return False
    return truststore_through_proxy(HTTPAdapter())


@pytest.mark.skipif(not __import__("conftest").HAS_CONDA, reason="needs conda")
def test_old_conda_is_not_offered_truststore_behind_a_proxy(
    upstream, mitm, site_bundle, tmp_path, monkeypatch, conda_cli
):
    """conda < 26.7 gives truststore to direct connections only (no proxy_manager_for)."""
    if _conda_uses_truststore_through_proxies():
        pytest.skip("this conda uses truststore through proxies (>= 26.7)")
    home = _home_with_condarc(tmp_path, monkeypatch, upstream, mitm, site_bundle)
    out, err, code = conda_cli(
        "netcheck", "--fix", "--yes", "--no-direct", "--timeout", "3"
    )
    assert "ignores ssl_verify: truststore behind a proxy" in out
    assert "ssl_verify: truststore" not in (home / ".condarc").read_text()


def _home_with_condarc(tmp_path, monkeypatch, upstream, mitm, site_bundle):
    from conda.base.context import reset_context

    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("CONDA_PKGS_DIRS", str(tmp_path / "pkgs"))
    monkeypatch.delenv("CONDARC", raising=False)
    monkeypatch.setenv("SSL_CERT_FILE", mitm.ca_pem)  # the OS store trusts the proxy
    (home / ".condarc").write_text(
        f"channels: [{upstream.url}]\n"
        f"default_channels: [{upstream.url}]\n"
        f"channel_alias: {upstream.url}\n"
        f"ssl_verify: {site_bundle}  # the site CA only\n"
        f"proxy_servers:\n  https: {mitm.url}\n"
    )
    reset_context()
    return home


@pytest.mark.skipif(
    not _conda_uses_truststore_through_proxies(),
    reason="needs conda >= 26.7 (older conda ignores truststore behind a proxy)",
)
def test_fix_switches_to_truststore_when_the_os_trusts_the_inspecting_ca(
    upstream, mitm, site_bundle, tmp_path, monkeypatch, conda_cli
):
    from conda.base.context import reset_context

    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("CONDA_PKGS_DIRS", str(tmp_path / "pkgs"))
    monkeypatch.delenv("CONDARC", raising=False)
    monkeypatch.setenv("SSL_CERT_FILE", mitm.ca_pem)  # the OS store trusts the proxy
    condarc = home / ".condarc"
    condarc.write_text(
        f"channels: [{upstream.url}]\n"
        f"default_channels: [{upstream.url}]\n"
        f"channel_alias: {upstream.url}\n"
        f"ssl_verify: {site_bundle}  # the site CA only\n"
        f"proxy_servers:\n  https: {mitm.url}\n"
    )
    reset_context()
    out, err, code = conda_cli(
        "netcheck", "--fix", "--yes", "--no-direct", "--timeout", "3"
    )
    reset_context()
    assert "tls-intercepted" in out
    assert "ssl_verify: truststore" in condarc.read_text()
    assert "After the fixes: Verdict: all 2 targets are reachable." in out, out
    assert code == 0
