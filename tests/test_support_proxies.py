"""The loopback proxies in tests/support/proxies.py work, and answer as documented.

These tests pin the status codes and headers that the proxy diagnosis will be
written against. Every proxy and upstream listens on 127.0.0.1, on ephemeral
ports, and every request has a timeout.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import ssl
import subprocess

import pytest
import requests

try:
    from tests.support import proxies as px
except ImportError:  # tests/ on sys.path instead of the project root
    from support import proxies as px  # type: ignore[no-redef]

TIMEOUT = (3, 5)
USER, PASSWORD = "alice", "s3cret"
AT_PASSWORD = "p@ss:w/rd %"  # percent-encoded: p%40ss%3Aw%2Frd%20%25

STARTERS = {
    "squid": px.squid_proxy,
    "tinyproxy": px.tinyproxy_proxy,
    "proxypy": px.proxypy_proxy,
}

# The contract: what each proxy answers (see the table in proxies.py).
EXPECTED = {
    "squid": {
        "no_creds": (407, "Proxy-Authenticate", 'Basic realm="netcheck-squid"'),
        "wrong_creds": (407, "Proxy-Authenticate", 'Basic realm="netcheck-squid"'),
        "refused_upstream": 503,
        "foreign_target": 403,
    },
    "tinyproxy": {
        "no_creds": (407, "Proxy-Authenticate", 'Basic realm="Tinyproxy"'),
        "wrong_creds": (401, "WWW-Authenticate", 'Basic realm="Tinyproxy"'),
        "refused_upstream": 500,
        "foreign_target": 403,
    },
    "proxypy": {
        "no_creds": (407, "Proxy-Authenticate", "Basic"),
        "wrong_creds": (407, "Proxy-Authenticate", "Basic"),
        "refused_upstream": 502,
        "foreign_target": 403,
    },
}


def session() -> requests.Session:
    s = requests.Session()
    s.trust_env = False  # ignore *_proxy / NO_PROXY from the environment
    return s


def get(proxy_url: str, url: str, verify: str | bool = True) -> requests.Response:
    with session() as s:
        return s.get(
            url,
            proxies={"http": proxy_url, "https": proxy_url},
            timeout=TIMEOUT,
            verify=verify,
        )


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[ssl.SSLContext, str]:
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(ctx)
    ca_file = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return ctx, str(ca_file)


@pytest.fixture
def upstream():
    with px.http_upstream() as up:
        yield up


@pytest.fixture
def tls_upstream(tls):
    with px.http_upstream(tls[0]) as up:
        yield up


@pytest.fixture
def start(tmp_path):
    """start(kind, **kwargs) -> running proxy, stopped at teardown."""
    with contextlib.ExitStack() as stack:
        yield lambda kind, **kw: stack.enter_context(STARTERS[kind](tmp_path, **kw))


def start_auth(start, kind: str, tls_upstream=None, password: str = PASSWORD):
    kw = (
        {"connect_ports": [tls_upstream.port]}
        if kind == "squid" and tls_upstream
        else {}
    )
    return start(kind, users={USER: password}, **kw)


# -- authentication, for all three --------------------------------------------


@pytest.mark.parametrize("kind", STARTERS)
def test_right_credentials_get_and_connect(start, kind, upstream, tls_upstream, tls):
    proxy = start_auth(start, kind, tls_upstream)
    r = get(proxy.url_with(USER, PASSWORD), upstream.url)
    assert (r.status_code, r.text) == (200, "netcheck upstream ok\n")
    r = get(proxy.url_with(USER, PASSWORD), tls_upstream.url, verify=tls[1])
    assert r.status_code == 200
    assert upstream.seen == ["/"] and tls_upstream.seen == ["/"]
    # Daemons write their access log after answering: poll, bounded.
    wanted = (f"127.0.0.1:{upstream.port}", f"127.0.0.1:{tls_upstream.port}")
    log = proxy.wait_for_log(*wanted)
    assert all(w in log for w in wanted), log


@pytest.mark.parametrize("kind", STARTERS)
def test_no_credentials(start, kind, upstream, tls_upstream):
    proxy = start_auth(start, kind, tls_upstream)
    status, header, value = EXPECTED[kind]["no_creds"]
    r = get(proxy.url, upstream.url)
    assert r.status_code == status
    assert r.headers.get(header) == value
    reply = px.raw_proxy_request(proxy, "CONNECT", f"127.0.0.1:{tls_upstream.port}")
    assert (reply.status, reply.header(header)) == (status, value)
    if kind == "squid":
        assert r.headers["X-Squid-Error"] == "ERR_CACHE_ACCESS_DENIED 0"
        assert reply.header("X-Squid-Error") == "ERR_CACHE_ACCESS_DENIED 0"
    with pytest.raises(
        requests.exceptions.ProxyError, match=f"Tunnel connection failed: {status}"
    ):
        get(proxy.url, tls_upstream.url, verify=False)
    assert upstream.seen == [] and tls_upstream.seen == []


@pytest.mark.parametrize("kind", STARTERS)
def test_wrong_credentials(start, kind, upstream, tls_upstream):
    proxy = start_auth(start, kind, tls_upstream)
    status, header, value = EXPECTED[kind]["wrong_creds"]
    r = get(proxy.url_with(USER, "wrong"), upstream.url)
    assert (r.status_code, r.headers.get(header)) == (status, value)
    reply = px.raw_proxy_request(
        proxy, "CONNECT", f"127.0.0.1:{tls_upstream.port}", auth=(USER, "wrong")
    )
    assert (reply.status, reply.header(header)) == (status, value)
    assert upstream.seen == [] and tls_upstream.seen == []


@pytest.mark.parametrize("kind", ["squid", "proxypy"])
def test_at_sign_password_percent_encoded(start, kind, upstream, tls_upstream, tls):
    proxy = start_auth(start, kind, tls_upstream, password=AT_PASSWORD)
    url = proxy.url_with(USER, AT_PASSWORD)
    assert url == f"http://alice:p%40ss%3Aw%2Frd%20%25@127.0.0.1:{proxy.port}"
    assert get(url, upstream.url).status_code == 200
    assert get(url, tls_upstream.url, verify=tls[1]).status_code == 200


def test_tinyproxy_rejects_password_it_cannot_parse(tmp_path):
    if shutil.which("tinyproxy") is None:
        pytest.skip("tinyproxy not installed")
    with (
        pytest.raises(ValueError, match="A-Za-z0-9"),
        px.tinyproxy_proxy(tmp_path, users={USER: AT_PASSWORD}),
    ):
        pass


# -- upstream errors and the loopback-only rule -------------------------------


@pytest.mark.parametrize("kind", STARTERS)
def test_refused_upstream(start, kind):
    proxy = start(kind)
    with px.closed_port() as port:
        r = get(proxy.url, f"http://127.0.0.1:{port}/")
    assert r.status_code == EXPECTED[kind]["refused_upstream"]
    if kind == "squid":
        assert r.headers["X-Squid-Error"] == "ERR_CONNECT_FAIL 111"


@pytest.mark.parametrize("kind", STARTERS)
def test_only_loopback_targets(start, kind):
    proxy = start(kind)
    assert (
        get(proxy.url, "http://127.0.0.2:9/").status_code
        == EXPECTED[kind]["foreign_target"]
    )
    assert px.raw_proxy_request(proxy, "CONNECT", "127.0.0.2:443").status == 403


# -- squid specifics ----------------------------------------------------------


def test_squid_plain_get_is_logged(start, upstream):
    proxy = start("squid")
    r = get(proxy.url, upstream.url)
    assert r.status_code == 200 and "squid" in r.headers["Via"]
    log = proxy.wait_for_log("TCP_MISS/200 ", f"GET {upstream.url}")
    assert "TCP_MISS/200 " in log and f"GET {upstream.url}" in log, log


def test_squid_denies_connect_to_non_443_port(start, tls_upstream):
    proxy = start("squid", users={USER: PASSWORD})
    target = f"127.0.0.1:{tls_upstream.port}"
    for auth in (None, (USER, PASSWORD)):  # checked before authentication
        reply = px.raw_proxy_request(proxy, "CONNECT", target, auth=auth)
        assert (reply.status, reply.header("X-Squid-Error")) == (
            403,
            "ERR_ACCESS_DENIED 0",
        )
    with pytest.raises(
        requests.exceptions.ProxyError, match="Tunnel connection failed: 403 Forbidden"
    ):
        get(proxy.url_with(USER, PASSWORD), tls_upstream.url, verify=False)
    assert tls_upstream.seen == []
    assert "TCP_DENIED/403 " in proxy.wait_for_log("TCP_DENIED/403 ")


def test_squid_connect_ports_allow_the_tunnel(start, tls_upstream, tls):
    proxy = start("squid", connect_ports=[tls_upstream.port])
    assert get(proxy.url, tls_upstream.url, verify=tls[1]).status_code == 200
    wanted = f"CONNECT 127.0.0.1:{tls_upstream.port}"
    assert wanted in proxy.wait_for_log(wanted)


def test_htpasswd_file_is_accepted_by_squid_helper(tmp_path):
    helper = px.find_ncsa_auth()
    if helper is None:
        pytest.skip("squid's basic_ncsa_auth not installed")
    path = px.write_htpasswd(tmp_path / "passwd", {USER: AT_PASSWORD})
    out = subprocess.run(
        [helper, str(path)],
        input="alice p%40ss%3Aw%2Frd%20%25\nalice wrong\n",
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert out.stdout.split("\n")[:2] == ["OK ", "ERR Wrong password"]
    if shutil.which("htpasswd"):
        check = subprocess.run(
            ["htpasswd", "-vb", str(path), USER, AT_PASSWORD],
            capture_output=True,
            timeout=10,
        )
        assert check.returncode == 0


def test_apr1_matches_reference_vector():
    assert px.apr1_hash("hello", "abcdefgh") == "$apr1$abcdefgh$cy3DSYyOwfhsyu7QOMQzd."


# -- stalls, closed ports, lifecycle ------------------------------------------


def test_stalling_proxy_never_answers():
    with px.stalling_proxy() as proxy:
        with pytest.raises(requests.exceptions.ReadTimeout), session() as s:
            s.get("http://127.0.0.1:9/", proxies={"http": proxy.url}, timeout=(1, 0.5))
        wanted = "GET http://127.0.0.1:9/ HTTP/1.1"
        assert wanted in proxy.wait_for_log(wanted)
    with pytest.raises(OSError):
        px.raw_proxy_request(proxy, "GET", "http://127.0.0.1:9/", timeout=1)


def test_closed_port_refuses():
    with (
        px.closed_port() as port,
        pytest.raises(requests.exceptions.ProxyError, match="Connection refused"),
    ):
        get(f"http://127.0.0.1:{port}", "http://127.0.0.1:9/")


@pytest.mark.parametrize("kind", STARTERS)
def test_stop_leaves_nothing_running(tmp_path, kind):
    with STARTERS[kind](tmp_path, users={USER: PASSWORD}) as proxy:
        assert proxy.running and proxy.url == f"http://127.0.0.1:{proxy.port}"
        pgid, workdir = proxy.proc.pid, proxy.workdir
    assert not proxy.running and proxy.stopped_in is not None
    with pytest.raises(ProcessLookupError):
        os.killpg(pgid, 0)
    assert not workdir.exists()
    assert proxy.log_text() == (proxy.keep_dir / proxy._access_log).read_text()
    with pytest.raises(OSError):
        px.raw_proxy_request(proxy, "GET", "http://127.0.0.1:9/", timeout=1)


def test_daemon_that_never_listens_is_killed(tmp_path, monkeypatch):
    monkeypatch.setattr(px, "READY_TIMEOUT", 0.5)
    workdir = px._make_workdir("sleeper", None)
    with pytest.raises(RuntimeError, match="not listening after"):
        px._launch(
            kind="sleeper",
            argv=["sleep", "30"],
            port=px.free_port(),
            workdir=workdir,
            keep_dir=tmp_path / "k",
            access_log="none",
            other_logs=(),
            stop_grace=0.1,
        )
    assert not workdir.exists()


def test_daemon_that_exits_reports_its_output(tmp_path):
    workdir = px._make_workdir("failer", None)
    with pytest.raises(RuntimeError, match="(?s)exited with 3.*boom"):
        px._launch(
            kind="failer",
            argv=["sh", "-c", "echo boom; exit 3"],
            port=px.free_port(),
            workdir=workdir,
            keep_dir=tmp_path / "k",
            access_log="none",
            other_logs=(),
            stop_grace=0.1,
        )
