"""A hint names what bears on the URL that failed, not every warning of the configuration."""

from __future__ import annotations

import pytest
from conftest import needs_conda, needs_hints
from support.proxies import squid_proxy
from support.servers import channel_server, closed_port, server_tls_context
from test_last_failure import channels, conda, conda_env

pytestmark = [needs_conda, needs_hints]

NO_HTTPS_PROXY = "sets a proxy for http but none is set for https"
NO_HTTP_PROXY = "sets a proxy for https but none is set for http"


@pytest.fixture
def home(tmp_path):
    path = tmp_path / "home"
    path.mkdir()
    return path


def test_a_407_on_an_https_channel_leaves_out_the_http_proxy_warning(
    home, tmp_path, channel_root, ca, ca_bundle
):
    tls = server_tls_context(ca.issue_cert("127.0.0.1"))
    with channel_server(channel_root, tls=tls) as server:
        with squid_proxy(
            tmp_path, users={"alice": "right"}, connect_ports=[server.port]
        ) as proxy:
            settings = {**channels(server.url), "ssl_verify": ca_bundle}
            settings["proxy_servers"] = {"https": proxy.url_with("alice", "wrong")}
            env = conda_env(home, settings)
            env.pop("CURL_CA_BUNDLE", None)
            proc = conda(env, "search", "--override-channels", "-c", server.url, "x")
            shown = conda(env, "netcheck", "--timeout", "2")
    assert "(netcheck_proxy_auth_failed) proxy layer:" in proc.stderr, proc.stderr
    assert NO_HTTP_PROXY not in proc.stderr
    assert NO_HTTP_PROXY in shown.stdout  # the run itself still says it


def test_an_https_channel_that_fails_keeps_the_https_proxy_warning(home):
    url = f"https://127.0.0.1:{closed_port()}/demo"
    settings = channels(url)
    settings["proxy_servers"] = {"http": f"http://127.0.0.1:{closed_port()}"}
    env = conda_env(home, settings)
    proc = conda(env, "search", "--override-channels", "-c", url, "x")
    assert proc.returncode != 0
    assert NO_HTTPS_PROXY in proc.stderr, proc.stderr


def test_the_public_roots_warning_is_left_out_for_an_internal_host(
    home, tmp_path, channel_root, ca, ca_bundle
):
    import trustme

    other = trustme.CA()  # the server's CA: not the one in the bundle
    tls = server_tls_context(other.issue_cert("127.0.0.1"))
    with channel_server(channel_root, tls=tls) as server:
        settings = {**channels(server.url), "ssl_verify": ca_bundle}
        env = conda_env(home, settings)
        env.pop("CURL_CA_BUNDLE", None)
        proc = conda(env, "search", "--override-channels", "-c", server.url, "x")
        shown = conda(env, "netcheck", "--timeout", "2")
    assert "(netcheck_tls_untrusted) tls layer:" in proc.stderr, proc.stderr
    assert "corporate root" not in proc.stderr
    assert "corporate root" in shown.stdout  # the run itself still says it


def test_the_public_roots_warning_concerns_public_hosts():
    from conda_netcheck.failure.hints import concerns
    from conda_netcheck.model import Code, Finding

    finding = Finding("ssl_verify", Code.CA_BUNDLE_INVALID, "x", public_hosts=True)
    assert concerns(finding, "https://conda.anaconda.org/conda-forge/noarch/x")
    assert concerns(finding, "https://repo.anaconda.com/pkgs/main/noarch/x")
    assert not concerns(finding, "https://mirror.corp.example/conda/noarch/x")
    assert concerns(finding, None)  # nothing recorded: every finding may matter


@pytest.mark.parametrize("scheme", ["https", "http"])
def test_a_web_server_named_as_the_proxy_is_named_by_the_hint(
    home, channel_root, ca, ca_bundle, scheme
):
    tls = server_tls_context(ca.issue_cert("127.0.0.1"))
    with (
        channel_server(channel_root, tls=tls) as server,
        channel_server(channel_root) as web,
    ):
        settings = {**channels(server.url), "ssl_verify": ca_bundle}
        settings["proxy_servers"] = {scheme: web.url}
        env = conda_env(home, settings)
        proc = conda(env, "search", "--override-channels", "-c", server.url, "x")
    if scheme == "http":  # an https channel does not use it: no tunnel was asked
        assert "netcheck_proxy_misconfigured" not in proc.stderr
        return
    port = web.url.rsplit(":", 1)[1]
    # http.server answers CONNECT with 501: a web server, not a proxy.
    assert "(netcheck_proxy_misconfigured) proxy layer:" in proc.stderr, proc.stderr
    assert f"127.0.0.1:{port} is a web server, not a proxy" in proc.stderr
