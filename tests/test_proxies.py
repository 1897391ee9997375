"""Proxy diagnoses against real proxies on loopback: squid, tinyproxy, proxy.py."""

from __future__ import annotations

import pytest
from support.proxies import (
    closed_port,
    find_squid,
    squid_proxy,
    stalling_proxy,
    tinyproxy_proxy,
)
from support.servers import channel_server, server_tls_context

from conda_netcheck.config.commands import Commands
from conda_netcheck.config.routes import standalone_route
from conda_netcheck.config.targets import urls_targets
from conda_netcheck.diagnosis.runner import diagnose
from conda_netcheck.model import Options

PASSWORD = "pr0xy-Secret"

needs_squid = pytest.mark.skipif(
    find_squid() is None, reason="squid is not installed (apt-get install squid)"
)


@pytest.fixture
def https_channel(channel_root, ca, ca_bundle, monkeypatch):
    """The tiny channel over HTTPS, trusted through REQUESTS_CA_BUNDLE."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", ca_bundle)
    tls = server_tls_context(ca.issue_cert("127.0.0.1"))
    with channel_server(channel_root, tls=tls) as server:
        yield server


def check(url: str, proxy_url: str, monkeypatch, **options):
    scheme = url.split("://")[0].upper()
    monkeypatch.setenv(f"{scheme}_PROXY", proxy_url)
    options = Options(commands=Commands(), connect_timeout=2, read_timeout=2, **options)
    (result,) = diagnose(urls_targets([url], ("noarch",)), standalone_route, options)
    return result


@needs_squid
def test_squid_with_right_credentials_tunnels(https_channel, tmp_path, monkeypatch):
    with squid_proxy(
        tmp_path, users={"bob": PASSWORD}, connect_ports=[https_channel.port]
    ) as proxy:
        result = check(https_channel.url, proxy.url_with("bob", PASSWORD), monkeypatch)
        log = proxy.wait_for_log("CONNECT 127.0.0.1")
    assert result.status.value == "ok", result.problem
    assert "CONNECT 127.0.0.1" in log
    assert any("tunnel" in note for note in result.notes)


@needs_squid
@pytest.mark.parametrize(
    ("user", "sent"),
    [("bob:wrong-password", "sent and refused"), (None, "no credentials were sent")],
    ids=["wrong-credentials", "no-credentials"],
)
def test_squid_407_says_what_was_sent(user, sent, https_channel, tmp_path, monkeypatch):
    with squid_proxy(
        tmp_path, users={"bob": PASSWORD}, connect_ports=[https_channel.port]
    ) as proxy:
        url = proxy.url_with(*user.split(":")) if user else proxy.url
        result = check(https_channel.url, url, monkeypatch, try_direct=False)
    assert result.problem.code.value == "proxy-auth-failed"
    assert result.problem.layer.value == "proxy"
    assert sent in result.problem.summary
    assert "Basic" in result.problem.summary
    assert "USER:<password>" in result.problem.fix


def test_tinyproxy_answers_bad_credentials_with_401(
    https_channel, tmp_path, monkeypatch
):
    with tinyproxy_proxy(tmp_path, users={"bob": "rightpass"}) as proxy:
        result = check(
            https_channel.url, proxy.url_with("bob", "wrongpass"), monkeypatch
        )
    assert result.problem.code.value == "proxy-auth-failed"
    assert "401" in result.problem.summary


@needs_squid
def test_squid_denies_connect_to_other_ports(https_channel, tmp_path, monkeypatch):
    # squid's stock configuration allows CONNECT to 443 only.
    with squid_proxy(tmp_path) as proxy:
        result = check(https_channel.url, proxy.url, monkeypatch, try_direct=False)
    assert result.problem.code.value == "proxy-refused"
    assert "ERR_ACCESS_DENIED" in result.problem.summary
    assert result.problem.fix == (
        f"ask your network team to allow CONNECT to 127.0.0.1:{https_channel.port} "
        "through the proxy"
    )


@needs_squid
def test_squid_cannot_reach_upstream_is_the_proxys_side(tmp_path, monkeypatch):
    with closed_port() as port, squid_proxy(tmp_path) as proxy:
        result = check(f"http://127.0.0.1:{port}/chan", proxy.url, monkeypatch)
    assert result.problem.code.value == "proxy-refused"
    assert "ERR_CONNECT_FAIL" in result.problem.summary
    assert "not this machine's" in result.problem.summary


def test_proxy_down_and_direct_works(channel, monkeypatch):
    with closed_port() as port:
        result = check(channel.url, f"http://127.0.0.1:{port}", monkeypatch)
    assert result.problem.code.value == "proxy-unreachable"
    assert result.problem.details.direct == "works"
    assert "so the proxy is the problem" in result.problem.summary


def test_proxy_down_and_direct_fails_too(monkeypatch):
    with closed_port() as proxy_port, closed_port() as port:
        result = check(
            f"http://127.0.0.1:{port}/chan",
            f"http://127.0.0.1:{proxy_port}",
            monkeypatch,
        )
    assert result.problem.code.value == "proxy-unreachable"
    assert "this network needs the proxy" in result.problem.summary


def test_no_direct_attempt_when_disabled(channel, monkeypatch):
    with closed_port() as port:
        result = check(
            channel.url, f"http://127.0.0.1:{port}", monkeypatch, try_direct=False
        )
    assert result.problem.details.direct is None


@pytest.mark.parametrize(
    ("conda_waits", "code", "status"),
    [(60.0, "no-answer-yet", "warning"), (2.0, "read-timeout", "error")],
    ids=["conda-waits-longer", "conda-waits-as-long"],
)
def test_stalling_proxy_is_bounded(
    https_channel, monkeypatch, conda_waits, code, status
):
    """A proxy slow to answer CONNECT (to resolve the upstream name): unreachable
    only once netcheck has waited as long as conda would."""
    with stalling_proxy() as proxy:
        result = check(
            https_channel.url,
            proxy.url,
            monkeypatch,
            try_direct=False,
            conda_read_timeout=conda_waits,
        )
    assert result.problem.code.value == code
    assert result.status.value == status
    assert result.problem.layer.value == "proxy"
    assert "did not answer CONNECT" in result.problem.summary


@needs_squid
def test_unencoded_at_in_password_still_works(https_channel, tmp_path, monkeypatch):
    # urllib splits the user info at the last "@", so this works with requests.
    with squid_proxy(
        tmp_path, users={"bob": "p@ss"}, connect_ports=[https_channel.port]
    ) as proxy:
        raw = f"http://bob:p@ss@127.0.0.1:{proxy.port}"
        result = check(https_channel.url, raw, monkeypatch)
    assert result.status.value == "ok", result.problem


@needs_squid
def test_plain_http_through_squid_with_wrong_password(channel, tmp_path, monkeypatch):
    with squid_proxy(tmp_path, users={"bob": PASSWORD}) as proxy:
        result = check(channel.url, proxy.url_with("bob", "nope"), monkeypatch)
    assert result.problem.code.value == "proxy-auth-failed"
    assert "sent and refused" in result.problem.summary


@pytest.mark.parametrize(
    ("proxy_url", "says"),
    [
        ("proxy:8080", "scheme"),
        ("http://bob:pa/ss@127.0.0.1:3128", "%2F"),
        ("http://127.0.0.1:3128 ", "whitespace"),
    ],
    ids=["no-scheme-word-host", "slash-in-password", "trailing-space"],
)
def test_unusable_proxy_url_is_named_before_any_traffic(
    proxy_url, says, channel, monkeypatch
):
    result = check(channel.url, proxy_url, monkeypatch)
    assert result.problem.code.value == "proxy-misconfigured"
    assert result.problem.layer.value == "config"
    assert says in result.problem.summary + (result.problem.fix or "")
    assert "pa/ss" not in result.problem.summary + (result.problem.fix or "")
    assert channel.behaviour.requests == []


def test_scheme_less_ip_proxy_works_as_requests_does(channel, tmp_path, monkeypatch):
    from support.proxies import proxypy_proxy

    with proxypy_proxy(tmp_path) as proxy:
        result = check(channel.url, f"127.0.0.1:{proxy.port}", monkeypatch)
    assert result.status.value == "ok", result.problem


def _rendered(result) -> str:
    from conda_netcheck.model import Report
    from conda_netcheck.output import render
    from conda_netcheck.output.text import text

    report = Report(targets=[result])
    return text(report, verbose=True) + render.to_json(report)


PLANTED = "Planted-Pr0xy-Pw"


@pytest.mark.parametrize(
    "scenario",
    [
        "squid-wrong",
        "squid-right",
        "tinyproxy-wrong",
        "proxy-down",
        "stalling",
        "bad-url",
    ],
)
def test_planted_proxy_password_never_printed(
    scenario, https_channel, tmp_path, monkeypatch
):
    from contextlib import ExitStack

    with ExitStack() as stack:
        if scenario.startswith("squid"):
            if find_squid() is None:
                pytest.skip("squid is not installed (apt-get install squid)")
            users = {"bob": PLANTED if scenario == "squid-right" else "other"}
            proxy = stack.enter_context(
                squid_proxy(tmp_path, users=users, connect_ports=[https_channel.port])
            )
            url = proxy.url_with("bob", PLANTED)
        elif scenario == "tinyproxy-wrong":
            proxy = stack.enter_context(
                tinyproxy_proxy(tmp_path, users={"bob": "other"})
            )
            url = proxy.url_with("bob", "Planted-Pr0xy-Pw")
        elif scenario == "proxy-down":
            url = f"http://bob:{PLANTED}@127.0.0.1:{stack.enter_context(closed_port())}"
        elif scenario == "stalling":
            proxy = stack.enter_context(stalling_proxy())
            url = f"http://bob:{PLANTED}@127.0.0.1:{proxy.port}"
        else:
            url = f"http://bob:{PLANTED}/x@127.0.0.1:3128"
        result = check(https_channel.url, url, monkeypatch)
    text = _rendered(result)
    assert PLANTED not in text
    assert "<redacted>" in text or result.status.value == "ok"


def test_proxy_source_is_the_key_requests_picks():
    from conda_netcheck.config.routes import proxy_source
    from conda_netcheck.config.sources import ProxySource, ProxySourceKind

    configured = {
        "http": "http://p:1",
        "https": "http://p:1",
        "all://h.test": "http://q:2",
    }
    assert proxy_source("https://x.test/c", "http://p:1", configured) == ProxySource(
        ProxySourceKind.SETTING, "https"
    )
    assert proxy_source("https://h.test/c", "http://q:2", configured) == ProxySource(
        ProxySourceKind.SETTING, "all://h.test"
    )


#: URLs one run asks routes for, and what NO_PROXY=direct.test,10.0.0.0/8 makes
#: requests do with each: go direct, or through the proxy.
ROUTED_URLS = [
    pytest.param("http://direct.test/c/noarch/repodata.json", None, id="no-proxy-host"),
    pytest.param(
        "http://direct.test/c/noarch/pkg.conda", None, id="same-host-other-path"
    ),
    pytest.param("http://direct.test:8080/c", None, id="no-proxy-host-other-port"),
    pytest.param("http://sub.direct.test/c", None, id="no-proxy-subdomain"),
    pytest.param("http://10.1.2.3/c", None, id="no-proxy-cidr"),
    pytest.param(
        "http://other.test/c/noarch/repodata.json",
        "http://p.test:3128",
        id="other-host",
    ),
    pytest.param("http://u:pw@other.test/c", "http://p.test:3128", id="userinfo"),
    pytest.param("http://11.1.2.3/c", "http://p.test:3128", id="outside-cidr"),
    pytest.param("https://other.test/c", "http://s.test:3128", id="https-scheme"),
    pytest.param("https://direct.test/c", None, id="https-no-proxy-host"),
]


@pytest.mark.parametrize(("url", "proxy"), ROUTED_URLS)
def test_a_run_merges_the_environment_once_per_host_as_requests_does(
    url, proxy, monkeypatch
):
    """One run's routes (kept per host) give each URL the proxy requests would use."""
    import requests

    from conda_netcheck.config.routes import _route

    monkeypatch.setenv("HTTP_PROXY", "http://p.test:3128")
    monkeypatch.setenv("HTTPS_PROXY", "http://s.test:3128")
    monkeypatch.setenv("NO_PROXY", "direct.test,10.0.0.0/8")
    session = requests.Session()
    merged: dict = {}
    every = [u.values[0] for u in ROUTED_URLS]
    # The run has asked for every other URL first, twice: what it kept for
    # them must not answer for this one.
    for other in every * 2:
        _route(session, other, {}, merged)
    assert _route(session, url, {}, merged).proxy == proxy
    # requests' own answer when it sends the request.
    settings = session.merge_environment_settings(url, {}, None, None, None)
    assert requests.utils.select_proxy(url, settings["proxies"]) == proxy
    assert len(merged) == len({u.split("/")[0] + u.split("/")[2] for u in every})


@pytest.mark.parametrize("kind", ["tinyproxy", "proxypy"])
def test_https_scheme_on_a_plain_http_proxy(kind, https_channel, tmp_path, monkeypatch):
    # tinyproxy answers the ClientHello with a plain-HTTP error (wrong version
    # number); proxy.py waits for a request line (the handshake times out).
    from support.proxies import proxypy_proxy

    start = tinyproxy_proxy if kind == "tinyproxy" else proxypy_proxy
    monkeypatch.setenv("SHELL", "/bin/bash")
    with start(tmp_path) as proxy:
        result = check(
            https_channel.url,
            f"https://127.0.0.1:{proxy.port}",
            monkeypatch,
            try_direct=False,
        )
    assert result.problem.code.value == "proxy-misconfigured"
    assert "plain HTTP" in result.problem.summary
    # Set by HTTPS_PROXY: the fix is the variable line, not a conda setting.
    assert result.problem.fix == f"export HTTPS_PROXY=http://127.0.0.1:{proxy.port}"


def test_proxy_offering_only_ntlm_points_at_a_local_helper():
    from conda_netcheck.config.commands import Commands
    from conda_netcheck.config.sources import (
        ProxySource,
        ProxySourceKind,
        SettingSource,
    )
    from conda_netcheck.diagnosis.catalogue import fix_for
    from conda_netcheck.diagnosis.proxy import answer_problem
    from conda_netcheck.model import Target

    problem = answer_problem(
        407,
        "Proxy Authentication Required",
        {"Proxy-Authenticate": "NTLM, Negotiate"},
        None,
        sent_credentials=True,
        source=ProxySource(ProxySourceKind.SETTING, "https"),
    )
    assert "it offers NTLM, Negotiate" in problem.summary
    # The catalogue writes the fix, with the command for where the proxy is set.
    target = Target(
        "https://conda.example/c/noarch",
        "c",
        "noarch",
        proxy="http://proxy.test:3128",
        proxy_source=ProxySource(ProxySourceKind.SETTING, "https"),
    )
    fix = fix_for(
        problem, target, Commands({"proxy_servers": SettingSource.file("/e/.condarc")})
    )
    assert "conda speaks only Basic: run a local helper such as cntlm or px" in fix
    assert (
        "conda config --file /e/.condarc --set proxy_servers.https http://127.0.0.1:3128"
        in fix
    )
    assert "USER:<password>" not in fix  # a password is never the fix here


# -- The Basic scheme of a 407/401 challenge, in any case ----------------------

_BASIC_CHALLENGES = [
    'Basic realm="corp"',
    'basic realm="corp"',
    'BASIC realm="corp"',
    'bAsIc realm="corp"',
    'NTLM, Basic realm="corp"',
    'Negotiate, basic realm="corp"',
    "Basic",
]
_NO_BASIC_CHALLENGES = [
    "NTLM",
    "Negotiate",
    "negotiate, ntlm",
    'Digest realm="corp", nonce="abc"',
    'Bearer realm="corp"',
    'BasicAuth realm="corp"',
]


@pytest.mark.parametrize("header", ["Proxy-Authenticate", "WWW-Authenticate"])
@pytest.mark.parametrize("status", [407, 401])
@pytest.mark.parametrize("challenge", _BASIC_CHALLENGES + _NO_BASIC_CHALLENGES)
def test_a_challenge_offering_basic_in_any_case_gets_the_credentials_fix(
    challenge, status, header
):
    from conda_netcheck.config.commands import Commands
    from conda_netcheck.diagnosis.catalogue import Subject, action_for, fix_for
    from conda_netcheck.diagnosis.proxy import answer_problem
    from conda_netcheck.model import Code, Target

    problem = answer_problem(status, "Auth Required", {header: challenge}, None, False)
    assert problem.code is Code.PROXY_AUTH_FAILED
    target = Target(
        "https://conda.example/c/noarch", "c", "noarch", proxy="http://proxy.test:3128"
    )
    # What the user reads: the problem's own fix, else the catalogue's.
    fix = problem.fix or fix_for(problem, target, Commands())
    action = action_for(Subject(target, problem, Commands()))
    if challenge in _BASIC_CHALLENGES:
        # conda can answer: the fix is the user and password in the proxy URL.
        assert "http://USER:<password>@proxy.test:3128" in fix
        assert "speaks only Basic" not in action.sentence
        assert "wants credentials" in action.sentence
    else:
        assert "conda speaks only Basic" in fix
        assert "speaks only Basic" in action.sentence


# -- A web server at the proxy address: CONNECT not implemented -----------------------

#: (status, method): True when the answer shows no proxy listens there.
_CONNECT_ANSWERS = [
    (501, "CONNECT h:443", True),  # Not Implemented: the method is unknown there
    (405, "CONNECT h:443", True),  # Method Not Allowed: a web server's usual answer
    (403, "CONNECT h:443", False),  # a proxy's policy (squid: not an SSL port)
    (400, "CONNECT h:443", False),  # a proxy may say it of a host it cannot parse
    (502, "CONNECT h:443", False),  # a proxy that could not reach the server
    (503, "CONNECT h:443", False),
    (500, "CONNECT h:443", False),
    (501, None, False),  # an answer to a GET: a proxy may forward the server's 501
    (405, None, False),
]


@pytest.mark.parametrize(("status", "method", "web"), _CONNECT_ANSWERS)
def test_a_connect_answered_405_or_501_says_no_proxy_listens_there(status, method, web):
    from conda_netcheck.config.commands import Commands
    from conda_netcheck.diagnosis.catalogue import fix_for
    from conda_netcheck.diagnosis.proxy import answer_problem
    from conda_netcheck.model import Target

    problem = answer_problem(status, "Odd", {}, None, False, method=method)
    said = (problem.code.value, problem.details.proxy_speaks)
    assert said == (("proxy-misconfigured", "web") if web else (said[0], None))
    if not web:
        return
    assert f"it answered CONNECT with {status} Odd, as a web server does" in (
        problem.summary
    )
    target = Target(
        "https://conda.example/c/noarch", "c", "noarch", proxy="http://web.test:80"
    )
    # Nothing to start there: point the setting at the proxy, keep no web server.
    fix = fix_for(problem, target, Commands())
    assert fix.startswith("web.test:80 is a web server, not a proxy: point"), fix
    assert "start it" not in fix


# -- A scheme left without a proxy is not given a broken one ---------------------------

#: (the proxy the warning would copy, the failing channel's proxy, its layer): copied?
_COPIES = [
    ("http://127.0.0.1:3128", "http://127.0.0.1:3128", "proxy", False),
    # the same address, written another way
    ("127.0.0.1:3128", "http://alice:pw@127.0.0.1:3128", "proxy", False),
    ("http://alice:s3cret@127.0.0.1:3128", "http://127.0.0.1:3128", "proxy", False),
    ("http://127.0.0.1:3128", "http://127.0.0.1:3129", "proxy", True),  # another port
    ("http://127.0.0.1:3128", "http://127.0.0.2:3128", "proxy", True),  # another host
    (
        "http://127.0.0.1:3128",
        "http://127.0.0.1:3128",
        "http",
        True,
    ),  # the server's fault
    ("http://127.0.0.1:3128", None, "tcp", True),  # a direct channel
    # a port that does not parse: no address to compare, so no claim (the
    # proxy lint already makes it an error of its own)
    ("http://127.0.0.1:99999", "http://127.0.0.1:99999", "proxy", True),
]


@pytest.mark.parametrize(("copies", "via", "layer", "copied"), _COPIES)
def test_a_missing_scheme_keeps_its_line_unless_the_proxy_it_copies_failed(
    copies, via, layer, copied
):
    from conda_netcheck.diagnosis.findings import with_broken_proxy_not_copied
    from conda_netcheck.fixtext import FixLines
    from conda_netcheck.model import (
        Code,
        Finding,
        Layer,
        Problem,
        Target,
        TargetResult,
    )

    line = f"export HTTPS_PROXY={copies}"
    finding = Finding(
        "HTTP_PROXY",
        Code.PROXY_MISCONFIGURED,
        "sets a proxy for http but none is set for https",
        line,
        scheme="https",
        copies_proxy=copies,
        commands=FixLines((line,)),
    )
    target = Target("http://c.example/c/noarch", "c", "noarch", proxy=via)
    failed = TargetResult(
        target, Problem(Code.PROXY_MISCONFIGURED, Layer(layer), "it fails")
    )
    (after,) = with_broken_proxy_not_copied([finding], [failed])
    if copied:
        assert after is finding
    else:
        assert after.commands.lines == ()
        assert "s3cret" not in after.fix and "alice" not in after.fix
        assert after.fix == (
            "none: the proxy it would copy, 127.0.0.1:3128, fails itself "
            "(proxy-misconfigured for c)"
        )
