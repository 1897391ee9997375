"""Proxy URL lint, checked against what requests itself does with each URL."""

from __future__ import annotations

import base64
import importlib.util
import re

import pytest
import requests
from requests.adapters import HTTPAdapter

from conda_netcheck.config import proxylint
from conda_netcheck.config.commands import Commands, placeholders
from conda_netcheck.config.netconfig import NetConfig
from conda_netcheck.config.proxylint import lint_proxies, lint_proxy_url
from conda_netcheck.config.sources import ProxySource, ProxySourceKind, SettingSource
from conda_netcheck.model import Code, Status

FAILS = None  # requests raises before it opens the proxy
#: urllib3 releases differ here (2.7 strips a trailing newline and keeps a
#: space in the host; 2.8 refuses both): the test asks the installed one.
VARIES = "varies with urllib3"

# url, what requests' HTTPAdapter makes of it ("user:password@host:port" as the
# proxy sees it, or FAILS), the worst severity the lint reports (None: clean),
# and a fragment of that finding's summary.
CASES = [
    ("clean", "http://proxy:8080", "proxy:8080", None, ""),
    ("clean-credentials", "http://user:pw@proxy:3128", "user:pw@proxy:3128", None, ""),
    ("clean-ipv6", "http://[::1]:3128", "[::1]:3128", None, ""),
    ("no-scheme-ip", "127.0.0.1:3128", "127.0.0.1:3128", "warning", "assumes http://"),
    (
        "no-scheme-dotted",
        "proxy.corp:8080",
        "proxy.corp:8080",
        "warning",
        "assumes http://",
    ),
    (
        "no-scheme-single-label",
        "proxy:8080",
        FAILS,
        "error",
        "reads 'proxy:' as the scheme",
    ),
    ("no-scheme-credentials", "user:pw@proxy:8080", FAILS, "error", "has no scheme"),
    ("half-scheme", "http:proxy:8080", FAILS, "error", "without '//'"),
    (
        "https-scheme",
        "https://proxy:3128",
        "proxy:3128",
        "warning",
        "wrong version number",
    ),
    ("ftp-scheme", "ftp://proxy:21", FAILS, "error", "unsupported scheme ftp"),
    ("socks5h-no-pysocks", "socks5h://proxy:1080", FAILS, "error", "PySocks"),
    ("socks-no-version", "socks://proxy:1080", FAILS, "error", "no SOCKS version"),
    ("no-port", "http://proxy", "proxy:80", "warning", "connects to port 80"),
    ("no-port-https", "https://proxy", "proxy:443", "warning", "wrong version number"),
    ("empty-port", "http://proxy:", "proxy:80", "warning", "connects to port 80"),
    ("port-zero", "http://proxy:0", VARIES, "error", "has port 0"),
    ("port-not-a-number", "http://proxy:abc", FAILS, "error", "Failed to parse"),
    ("port-too-big", "http://proxy:70000", FAILS, "error", "above 65535"),
    (
        "leading-space",
        " http://proxy:8080",
        VARIES,
        "error",
        "leading whitespace",
    ),
    ("trailing-space", "http://proxy:8080 ", FAILS, "error", "trailing whitespace"),
    ("trailing-newline", "http://proxy:8080\n", VARIES, VARIES, "whitespace"),
    (
        "inner-space",
        "http://pro xy:8080",
        VARIES,
        "error",
        "contains whitespace",
    ),
    ("quoted", '"http://proxy:8080"', "'\"http':80", "error", "wrapped in quotes"),
    ("two-urls", "http://p:1,http://q:2", FAILS, "error", "more than one URL"),
    ("comma-host", "http://a,b:8080", "'a,b':8080", "error", "is not a URL"),
    ("empty", "", "direct", "error", "is empty"),
    ("no-host", "http://:8080", FAILS, "error", "names no proxy host"),
    ("credentials-no-host", "http://user:pw@", FAILS, "error", "names no proxy host"),
    (
        "at-in-password",
        "http://user:p@ss@proxy:8080",
        "user:p@ss@proxy:8080",
        "warning",
        "'@'",
    ),
    (
        "colon-in-password",
        "http://user:p:ss@proxy:8080",
        "user:p:ss@proxy:8080",
        "warning",
        "':'",
    ),
    (
        "slash-in-password",
        "http://user:pa/ss@proxy:8080",
        FAILS,
        "error",
        "'/' as %2F",
    ),
    (
        "question-in-password",
        "http://user:pa?ss@proxy:8080",
        FAILS,
        "error",
        "'?' as %3F",
    ),
    (
        "hash-in-password",
        "http://user:pa#ss@proxy:8080",
        FAILS,
        "error",
        "'#' as %23",
    ),
    (
        "backslash-in-user",
        "http://CORP\\jo:pw@proxy:8080",
        "corp:80",
        "error",
        "'\\' as %5C",
    ),
    (
        "percent-hex-in-password",
        "http://user:p%41ss@proxy:8080",
        "user:pAss@proxy:8080",
        "warning",
        "%25",
    ),
    (
        "encoded-at-in-password",
        "http://user:p%40ss@proxy:8080",
        "user:p@ss@proxy:8080",
        "warning",
        "on purpose",
    ),
    (
        "user-without-password",
        "http://user@proxy:8080",
        "proxy:8080",
        "warning",
        "sends no credentials",
    ),
    (
        "space-in-password",
        "http://user:pa ss@proxy:8080",
        "user:pa ss@proxy:8080",
        "warning",
        "%20",
    ),
]


def requests_view(url: str) -> str | None:
    """What requests' HTTPAdapter opens for this proxy: "auth@host:port", "direct" or FAILS."""
    request = requests.Request("GET", "https://conda.anaconda.org/x").prepare()
    try:
        pool = HTTPAdapter().get_connection_with_tls_context(
            request, True, {"https": url}
        )
    except Exception:
        return FAILS
    if pool.proxy is None:
        return "direct"
    host = pool.proxy.host
    host = host if proxylint._HOST_RE.fullmatch(host) else repr(host)
    header = (pool.proxy_headers or {}).get("Proxy-Authorization")
    auth = base64.b64decode(header.split()[1]).decode() + "@" if header else ""
    return f"{auth}{host}:{pool.proxy.port}"


@pytest.fixture
def no_pysocks(monkeypatch):
    monkeypatch.setattr(proxylint, "_socks_supported", lambda: False)


@pytest.mark.parametrize(
    ("url", "severity", "fragment"),
    [case[1:2] + case[3:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_lint_names_the_problem(no_pysocks, url, severity, fragment):
    issues = lint_proxy_url(url, commands=Commands())
    if severity == VARIES:
        view = requests_view(url)
        severity = "error" if view is FAILS or "'" in view else "warning"
    if severity is None:
        assert issues == []
        return
    worst = "error" if any(i.status is Status.ERROR for i in issues) else "warning"
    assert worst == severity, issues
    assert any(fragment in i.summary for i in issues), issues


@pytest.mark.parametrize(
    ("url", "opened"),
    [case[1:3] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_table_matches_what_requests_does(url, opened):
    if url.startswith("socks") and importlib.util.find_spec("socks"):
        pytest.skip("PySocks is installed here")
    if opened == VARIES:
        # Whatever this urllib3 does, the lint must call it broken exactly
        # when requests cannot open the intended proxy.
        view = requests_view(url)
        # Port 0 is wrong whether urllib3 keeps it or turns it into 80.
        broken = view is FAILS or "'" in view or url.endswith(":0")
        worst = {lint.status for lint in lint_proxy_url(url, commands=Commands())}
        assert (Status.ERROR in worst) == broken, (view, worst)
        return
    assert requests_view(url) == opened


def test_socks_support_is_read_from_requests():
    assert proxylint._socks_supported() is (
        importlib.util.find_spec("socks") is not None
    )


def test_socks_proxy_is_clean_with_pysocks(monkeypatch):
    monkeypatch.setattr(proxylint, "_socks_supported", lambda: True)
    assert lint_proxy_url("socks5h://proxy:1080", commands=Commands()) == []


def test_missing_scheme_fix_is_a_conda_config_command():
    (lint,) = lint_proxy_url("proxy:8080", commands=Commands())
    assert lint.fix == "conda config --set proxy_servers.https http://proxy:8080"


def test_fix_for_a_variable_exports_it():
    variable = ProxySource(ProxySourceKind.VARIABLE, "HTTPS_PROXY")
    (lint,) = lint_proxy_url("https://proxy:3128", source=variable, commands=Commands())
    assert lint.fix.endswith("HTTPS_PROXY=http://proxy:3128")


PASSWORDS = ["pa/ss", "p@ss", "p%41ss", "s3cret"]
SHAPES = [
    "http://user:{pw}@proxy:8080",
    "https://user:{pw}@proxy",
    "user:{pw}@proxy:8080",
    "socks5://user:{pw}@proxy:1080",
    "http://user:{pw}@proxy:99999",
    "http://user:{pw}@proxy:abc",
    " http://user:{pw}@proxy:8080 ",
    '"http://user:{pw}@proxy:8080"',
    "http://user:{pw}@pro xy:8080",
    "http://user:{pw}@proxy;8080",
    "http://CORP\\user:{pw}@proxy:8080",
    "http://{pw}@proxy:8080",
    "http://:{pw}@proxy:8080",
    "http://user:{pw}@",
    "http:user:{pw}@proxy:8080",
]


@pytest.mark.parametrize("password", PASSWORDS)
def test_planted_passwords_never_appear(no_pysocks, password):
    forbidden = {password, password.replace("%41", "A")}
    urls = [shape.format(pw=password) for shape in SHAPES]
    lints = [lint for url in urls for lint in lint_proxy_url(url, commands=Commands())]
    texts = [text for lint in lints for text in (lint.summary, lint.fix or "")]
    cfg = NetConfig(
        proxy_servers={"http": urls[0], "https": urls[1], "all://h": urls[4]},
        env={"HTTPS_PROXY": urls[5], "https_proxy": urls[0], "HTTP_PROXY": urls[2]},
    )
    findings = lint_proxies(cfg)
    texts += [f.summary for f in findings] + [f.fix or "" for f in findings]
    assert texts and len(findings) > 3
    leaks = [text for text in texts if any(secret in text for secret in forbidden)]
    assert leaks == []


def test_upper_and_lower_case_variables_that_differ_name_the_winner():
    cfg = NetConfig(
        env={
            "HTTPS_PROXY": "http://old-proxy:3128",
            "https_proxy": "http://proxy:8080",
            "HTTP_PROXY": "http://proxy:8080",
        }
    )
    (finding,) = lint_proxies(cfg)
    assert finding.check == "HTTPS_PROXY"
    assert finding.code is Code.PROXY_MISCONFIGURED
    assert finding.status is Status.WARNING
    assert "uses https_proxy (http://proxy:8080)" in finding.summary
    assert finding.fix == "unset HTTPS_PROXY, or set both to the same URL"


def test_empty_lower_case_variable_switches_the_upper_case_one_off(monkeypatch):
    env = {
        "HTTPS_PROXY": "http://proxy:8080",
        "https_proxy": "",
        "HTTP_PROXY": "http://proxy:8080",
    }
    # What the warning claims, checked on requests itself.
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert "https" not in requests.utils.get_environ_proxies(
        "https://conda.anaconda.org"
    )
    (finding,) = lint_proxies(NetConfig(env=env))
    assert finding.check == "https_proxy"
    assert "ignore HTTPS_PROXY" in finding.summary


def test_proxy_for_http_only_warns_that_https_goes_direct():
    cfg = NetConfig(
        proxy_servers={"http": "http://proxy:8080"},
        sources={"proxy_servers": SettingSource.file("/home/u/.condarc")},
    )
    (finding,) = lint_proxies(cfg)
    assert finding.check == "proxy_servers.http"
    assert finding.status is Status.WARNING
    assert "none is set for https" in finding.summary
    assert finding.fix == (
        "conda config --file /home/u/.condarc --set proxy_servers.https http://proxy:8080"
    )
    assert finding.copies_proxy == "http://proxy:8080"


def test_the_proxy_a_missing_scheme_would_copy_is_kept_without_its_password():
    cfg = NetConfig(proxy_servers={"http": "alice:s3cret@proxy:8080"})
    (finding,) = [f for f in lint_proxies(cfg) if "none is set for" in f.summary]
    assert finding.copies_proxy == "http://USER:<password>@proxy:8080"


def test_proxy_for_http_in_one_source_and_https_in_the_other_is_fine():
    cfg = NetConfig(
        proxy_servers={"https": "http://proxy:8080"},
        env={"HTTP_PROXY": "http://proxy:8080"},
    )
    assert lint_proxies(cfg) == []


def test_environment_overrides_proxy_servers(monkeypatch):
    cfg = NetConfig(
        proxy_servers={"https": "http://proxy:8080", "http": "http://proxy:8080"},
        env={"HTTPS_PROXY": "http://other:3128"},
    )
    # The claim, on a requests session configured as conda configures its own.
    monkeypatch.setenv("HTTPS_PROXY", "http://other:3128")
    session = requests.Session()
    session.proxies.update(cfg.proxy_servers)
    merged = session.merge_environment_settings("https://x.org/", {}, None, None, None)
    assert merged["proxies"]["https"] == "http://other:3128"
    (finding,) = lint_proxies(cfg)
    assert finding.check == "proxy_servers.https"
    assert "overridden by HTTPS_PROXY" in finding.summary


def test_broken_proxy_servers_value_is_an_error_finding(no_pysocks):
    cfg = NetConfig(
        proxy_servers={"https": "socks5h://proxy:1080", "http": "socks5h://proxy:1080"}
    )
    findings = lint_proxies(cfg)
    assert {f.check for f in findings} == {"proxy_servers.https", "proxy_servers.http"}
    assert all(f.status is Status.ERROR for f in findings)
    assert findings[0].fix.startswith("conda install pysocks")


def test_unknown_key_is_never_used():
    cfg = NetConfig(proxy_servers={"HTTPS": "http://proxy:8080"})
    assert "never uses the key 'HTTPS'" in lint_proxies(cfg)[0].summary


# -- Lower- and upper-case proxy variables: the one urllib picks wins ----------

_A, _B = "http://upper.test:3128", "http://lower.test:3128"
_CASE_TABLE = [
    pytest.param({"HTTPS_PROXY": _A}, id="upper-only"),
    pytest.param({"https_proxy": _B}, id="lower-only"),
    pytest.param({"HTTPS_PROXY": _A, "https_proxy": _B}, id="both"),
    pytest.param({"HTTPS_PROXY": _A, "https_proxy": ""}, id="lower-empty"),
    pytest.param({"HTTPS_PROXY": "", "https_proxy": _B}, id="upper-empty"),
    pytest.param({"HTTPS_PROXY": ""}, id="upper-empty-only"),
    pytest.param({"https_proxy": ""}, id="lower-empty-only"),
    pytest.param({"HTTP_PROXY": _A, "http_proxy": _B, "HTTPS_PROXY": _A}, id="mixed"),
    pytest.param({"ALL_PROXY": _A, "all_proxy": _B}, id="all-both"),
    pytest.param({"ALL_PROXY": _A, "all_proxy": ""}, id="all-lower-empty"),
    pytest.param({"http_proxy": _B, "HTTP_PROXY": ""}, id="http-upper-empty"),
    pytest.param({}, id="none"),
]


@pytest.fixture
def proxy_environment(monkeypatch):
    """os.environ without any *_proxy variable; the test sets its own."""
    import os

    for name in list(os.environ):
        if name.lower().endswith("_proxy") or name == "REQUEST_METHOD":
            monkeypatch.delenv(name)

    def set_all(variables: dict[str, str]) -> dict[str, str]:
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        return variables

    return set_all


@pytest.mark.parametrize("variables", _CASE_TABLE)
def test_the_proxy_variables_are_read_as_urllib_reads_them(
    variables, proxy_environment
):
    import urllib.request

    env = proxy_environment(variables)
    urllib_says = {
        scheme: url
        for scheme, url in urllib.request.getproxies_environment().items()
        if scheme in proxylint.SCHEMES
    }
    assert proxylint.variable_proxies(env) == urllib_says
    for scheme in proxylint.SCHEMES:
        source = proxylint.environment_source(env, scheme)
        if scheme in urllib_says:
            assert env[source.name] == urllib_says[scheme]
            assert source.name.lower() == f"{scheme}_proxy"
        else:
            assert source is None


# -- A proxy for one scheme only: the other goes direct ---------------------------


@pytest.mark.parametrize(
    ("env", "proxy_servers", "check", "summary", "fix"),
    [
        pytest.param({"https_proxy": "http://p.corp:3128"}, {}, "https_proxy", "sets a proxy for https but none is set for http: conda fetches http:// URLs directly, without the proxy", "export http_proxy=http://p.corp:3128", id="lower-variable-keeps-case"),
        pytest.param({"HTTPS_PROXY": "p.corp:3128"}, {}, "HTTPS_PROXY", "sets a proxy for https but none is set for http", "export HTTP_PROXY=http://p.corp:3128", id="upper-variable-scheme-added"),
        pytest.param({}, {"http": "http://p.corp:1"}, "proxy_servers.http", "sets a proxy for http but none is set for https: conda downloads https:// channels (conda-forge, defaults: nearly all repodata) directly, without the proxy", "conda config --set proxy_servers.https http://p.corp:1", id="setting"),
    ],
)  # fmt: skip
def test_a_proxy_for_one_scheme_warns_that_the_other_goes_direct(
    env, proxy_servers, check, summary, fix, monkeypatch
):
    monkeypatch.setenv("SHELL", "/bin/bash")
    findings = lint_proxies(NetConfig(env=env, proxy_servers=proxy_servers))
    (finding,) = [f for f in findings if "none is set for" in f.summary]
    assert (finding.check, finding.status) == (check, Status.WARNING)
    assert finding.summary.startswith(summary)
    assert finding.fix == fix


def test_the_setting_and_the_variable_that_leave_https_direct_are_each_named(
    monkeypatch,
):
    monkeypatch.setenv("SHELL", "/bin/bash")
    cfg = NetConfig(
        env={"HTTP_PROXY": "http://p.corp:3128"},
        proxy_servers={"http": "http://p.corp:3128"},
    )
    findings = [f for f in lint_proxies(cfg) if "none is set for https" in f.summary]
    assert sorted(f.check for f in findings) == ["HTTP_PROXY", "proxy_servers.http"]
    assert {f.scheme for f in findings} == {"https"}


@pytest.mark.parametrize(
    ("env", "proxy_servers"),
    [
        pytest.param({"ALL_PROXY": "http://p:1", "https_proxy": "http://p:1"}, {}, id="all-covers-both"),
        pytest.param({"https_proxy": "http://p:1", "http_proxy": "http://p:1"}, {}, id="both-set"),
        pytest.param({"https_proxy": "http://p:1", "HTTP_PROXY": "http://q:2", "http_proxy": ""}, {}, id="http-switched-off-on-purpose"),
        pytest.param({"HTTP_PROXY": "http://wpad.corp/proxy.pac"}, {}, id="pac-not-copied"),
        pytest.param({"https_proxy": "http://p:1"}, {"http": "http://p:1"}, id="setting-covers-the-other"),
    ],
)  # fmt: skip
def test_no_missing_scheme_warning_when_both_are_covered(env, proxy_servers):
    findings = lint_proxies(NetConfig(env=env, proxy_servers=proxy_servers))
    assert not [f for f in findings if "none is set for" in f.summary]


# -- What the lint says for each URL, word for word, with its fix ------------------

LINT_TEXTS = {
    'clean': ('http://proxy:8080', []),
    'clean-credentials': ('http://user:pw@proxy:3128', []),
    'clean-ipv6': ('http://[::1]:3128', []),
    'no-scheme-ip': ('127.0.0.1:3128', [('warning', 'has no scheme (127.0.0.1:3128): requests assumes http://, other tools may not', 'conda config --set proxy_servers.https http://127.0.0.1:3128')]),
    'no-scheme-dotted': ('proxy.corp:8080', [('warning', 'has no scheme (proxy.corp:8080): requests assumes http://, other tools may not', 'conda config --set proxy_servers.https http://proxy.corp:8080')]),
    'no-scheme-single-label': ('proxy:8080', [('error', "has no scheme (proxy:8080): requests reads 'proxy:' as the scheme and finds no host", 'conda config --set proxy_servers.https http://proxy:8080')]),
    'no-scheme-credentials': ('user:pw@proxy:8080', [('error', 'has no scheme (USER:<password>@proxy:8080): requests cannot find the proxy host without one', "conda config --set proxy_servers.https 'http://USER:<password>@proxy:8080'")]),
    'half-scheme': ('http:proxy:8080', [('error', "writes 'http:' without '//' after the scheme: requests finds no host in it", 'conda config --set proxy_servers.https http://proxy:8080')]),
    'https-scheme': ('https://proxy:3128', [('warning', "uses https:// (https://proxy:3128): requests then speaks TLS to the proxy itself, and most proxies speak plain HTTP, so the handshake fails with 'wrong version number'; with http:// HTTPS downloads are still encrypted end to end (CONNECT tunnel)", 'conda config --set proxy_servers.https http://proxy:3128')]),
    'ftp-scheme': ('ftp://proxy:21', [('error', 'uses ftp://, which requests cannot use for a proxy (urllib3: Proxy URL had unsupported scheme ftp, should use http:// or https://)', 'conda config --set proxy_servers.https http://proxy:21')]),
    'socks5h-no-pysocks': ('socks5h://proxy:1080', [('error', "is a SOCKS proxy (socks5h://proxy:1080) but PySocks is not installed: requests fails with 'Missing dependencies for SOCKS support.'", 'conda install pysocks (or use the HTTP proxy: conda config --set proxy_servers.https http://PROXY_HOST:PORT)')]),
    'socks-no-version': ('socks://proxy:1080', [('error', 'uses socks://, which names no SOCKS version: urllib3 accepts socks5h://, socks5://, socks4a:// and socks4://', 'conda config --set proxy_servers.https socks5h://proxy:1080'), ('error', "is a SOCKS proxy (socks://proxy:1080) but PySocks is not installed: requests fails with 'Missing dependencies for SOCKS support.'", 'conda install pysocks (or use the HTTP proxy: conda config --set proxy_servers.https http://PROXY_HOST:PORT)')]),
    'no-port': ('http://proxy', [('warning', "has no port (http://proxy): requests connects to port 80, the scheme's default; proxies usually listen on 3128 or 8080", "conda config --set proxy_servers.https http://proxy:PORT (your proxy's port)")]),
    'no-port-https': ('https://proxy', [('warning', "uses https:// (https://proxy): requests then speaks TLS to the proxy itself, and most proxies speak plain HTTP, so the handshake fails with 'wrong version number'; with http:// HTTPS downloads are still encrypted end to end (CONNECT tunnel)", 'conda config --set proxy_servers.https http://proxy'), ('warning', "has no port (https://proxy): requests connects to port 443, the scheme's default; proxies usually listen on 3128 or 8080", "conda config --set proxy_servers.https https://proxy:PORT (your proxy's port)")]),
    'empty-port': ('http://proxy:', [('warning', "has no port (http://proxy:): requests connects to port 80, the scheme's default; proxies usually listen on 3128 or 8080", "conda config --set proxy_servers.https http://proxy:PORT (your proxy's port)")]),
    'trailing-space': ('http://proxy:8080 ', [('error', 'has trailing whitespace (http://proxy:8080): urllib3 cannot parse it', 'conda config --set proxy_servers.https http://proxy:8080')]),
    'quoted': ('"http://proxy:8080"', [('error', 'is wrapped in quotes, which become part of the URL: requests takes the host to be \'"http\'', 'conda config --set proxy_servers.https http://proxy:8080')]),
    'two-urls': ('http://p:1,http://q:2', [('error', 'holds more than one URL (http://p:1,http://q:2): urllib3 cannot parse it; it must be one URL', 'conda config --set proxy_servers.https http://PROXY_HOST:PORT')]),
    'comma-host': ('http://a,b:8080', [('error', "is not a URL: requests takes the host to be 'a,b'", 'conda config --set proxy_servers.https http://PROXY_HOST:PORT')]),
    'empty': ('', [('error', 'is empty: requests ignores it and conda connects directly, without a proxy', 'conda config --set proxy_servers.https http://PROXY_HOST:PORT')]),
    'no-host': ('http://:8080', [('error', 'names no proxy host (http://:8080)', 'conda config --set proxy_servers.https http://PROXY_HOST:PORT')]),
    'credentials-no-host': ('http://user:pw@', [('error', 'names no proxy host (http://USER:<password>@)', "conda config --set proxy_servers.https 'http://USER:<password>@PROXY_HOST:PORT'")]),
    'at-in-password': ('http://user:p@ss@proxy:8080', [('warning', "the proxy password contains '@' unencoded: requests copes, but other tools may split at it; percent-encode '@' as %40", "conda config --set proxy_servers.https 'http://USER:<password>@proxy:8080' (with the password percent-encoded: '@' as %40)")]),
    'colon-in-password': ('http://user:p:ss@proxy:8080', [('warning', "the proxy password contains ':' unencoded: requests copes, but other tools may split at it; percent-encode ':' as %3A", "conda config --set proxy_servers.https 'http://USER:<password>@proxy:8080' (with the password percent-encoded: ':' as %3A)")]),
    'slash-in-password': ('http://user:pa/ss@proxy:8080', [('error', "the proxy password contains '/' unencoded: '/' makes urllib3 unable to parse the URL; percent-encode '/' as %2F", "conda config --set proxy_servers.https 'http://USER:<password>@proxy:8080' (with the password percent-encoded: '/' as %2F)")]),
    'question-in-password': ('http://user:pa?ss@proxy:8080', [('error', "the proxy password contains '?' unencoded: '?' makes urllib3 unable to parse the URL; percent-encode '?' as %3F", "conda config --set proxy_servers.https 'http://USER:<password>@proxy:8080' (with the password percent-encoded: '?' as %3F)")]),
    'hash-in-password': ('http://user:pa#ss@proxy:8080', [('error', "the proxy password contains '#' unencoded: '#' makes urllib3 unable to parse the URL; percent-encode '#' as %23", "conda config --set proxy_servers.https 'http://USER:<password>@proxy:8080' (with the password percent-encoded: '#' as %23)")]),
    'backslash-in-user': ('http://CORP\\jo:pw@proxy:8080', [('error', "the proxy user name contains '\\' unencoded: at '\\' requests ends the user info, connects to the wrong host (a piece of the user info) and sends no credentials; percent-encode '\\' as %5C", "conda config --set proxy_servers.https 'http://USER:<password>@proxy:8080' (with the user name percent-encoded: '\\' as %5C)")]),
    'percent-hex-in-password': ('http://user:p%41ss@proxy:8080', [('warning', "the proxy password contains literal '%' unencoded: requests copes, but requests decodes %XX, so the proxy gets a different password (and answers 407) unless it is encoded on purpose; percent-encode literal '%' as %25", "conda config --set proxy_servers.https 'http://USER:<password>@proxy:8080' (with the password percent-encoded: literal '%' as %25)")]),
    'encoded-at-in-password': ('http://user:p%40ss@proxy:8080', [('warning', "the proxy password contains literal '%' unencoded: requests copes, but requests decodes %XX, so the proxy gets a different password (and answers 407) unless it is encoded on purpose; percent-encode literal '%' as %25", "conda config --set proxy_servers.https 'http://USER:<password>@proxy:8080' (with the password percent-encoded: literal '%' as %25)")]),
    'user-without-password': ('http://user@proxy:8080', [('warning', 'has a user name but no password (http://USER@proxy:8080): requests then sends no credentials at all', "conda config --set proxy_servers.https 'http://USER:<password>@proxy:8080'")]),
    'space-in-password': ('http://user:pa ss@proxy:8080', [('warning', 'the proxy password contains space unencoded: requests copes, but other tools may not send it; percent-encode space as %20', "conda config --set proxy_servers.https 'http://USER:<password>@proxy:8080' (with the password percent-encoded: space as %20)")]),
    'socks5-credentials': ('socks5://user:pw@proxy:1080', [('error', "is a SOCKS proxy (socks5://USER:<password>@proxy:1080) but PySocks is not installed: requests fails with 'Missing dependencies for SOCKS support.'", 'conda install pysocks (or use the HTTP proxy: conda config --set proxy_servers.https http://PROXY_HOST:PORT)')]),
    'socks4': ('socks4://proxy:1080', [('error', "is a SOCKS proxy (socks4://proxy:1080) but PySocks is not installed: requests fails with 'Missing dependencies for SOCKS support.'", 'conda install pysocks (or use the HTTP proxy: conda config --set proxy_servers.https http://PROXY_HOST:PORT)')]),
    'https-credentials': ('https://user:pw@proxy:3128', [('warning', "uses https:// (https://USER:<password>@proxy:3128): requests then speaks TLS to the proxy itself, and most proxies speak plain HTTP, so the handshake fails with 'wrong version number'; with http:// HTTPS downloads are still encrypted end to end (CONNECT tunnel)", "conda config --set proxy_servers.https 'http://USER:<password>@proxy:3128'")]),
    'pac-url': ('http://wpad.corp/proxy.pac', [('error', "is a proxy auto-configuration (PAC) script's URL (http://wpad.corp/proxy.pac), not a proxy: conda (requests) would send every request to that web server as if it were the proxy; conda cannot run PAC scripts", "set the proxy the PAC script names for the channel's host: conda config --set proxy_servers.https http://PROXY_HOST:PORT; or run a local helper that understands PAC, such as px (`px --pac=http://wpad.corp/proxy.pac`), and use it: conda config --set proxy_servers.https http://127.0.0.1:3128")]),
    'user-empty-password': ('http://user:@proxy:8080', []),
    'half-scheme-https': ('https:proxy:8080', [('error', "writes 'https:' without '//' after the scheme: requests finds no host in it", 'conda config --set proxy_servers.https https://proxy:8080')]),
    'scheme-one-slash': ('http:/proxy:8080', [('error', "writes 'http:/' without '//' after the scheme: requests finds no host in it", 'conda config --set proxy_servers.https http://proxy:8080')]),
    'uppercase-scheme': ('HTTP://proxy:8080', []),
    'percent-in-user': ('http://us%er:pw@proxy:8080', []),
    'single-quoted': ("'http://proxy:8080'", [('error', 'is wrapped in quotes, which become part of the URL: requests takes the host to be "\'http"', 'conda config --set proxy_servers.https http://proxy:8080')]),
    'whitespace-only': ('   ', [('error', 'holds only whitespace, not a proxy URL', 'conda config --set proxy_servers.https http://PROXY_HOST:PORT')]),
}  # fmt: skip


@pytest.mark.parametrize(("url", "lints"), LINT_TEXTS.values(), ids=list(LINT_TEXTS))
def test_each_lint_says_its_problem_and_fix_in_these_words(
    no_pysocks, url, lints, monkeypatch
):
    monkeypatch.setenv("SHELL", "/bin/bash")
    found = [
        (lint.status.value, lint.summary, lint.fix)
        for lint in lint_proxy_url(url, commands=Commands())
    ]
    assert found == lints


@pytest.mark.parametrize(
    "key",
    ["http", "https", "all", "https://conda.example", "all://conda.example", "http://conda.example",
     "HTTPS", "Http", "ftp", "https//conda.example", "https:/conda.example", "conda.example"],
)  # fmt: skip
def test_a_proxy_servers_key_is_flagged_exactly_when_requests_never_looks_it_up(key):
    from requests.utils import select_proxy

    urls = [f"{scheme}://conda.example/c/noarch" for scheme in ("http", "https")]
    used = any(select_proxy(url, {key: "http://p:1"}) == "http://p:1" for url in urls)
    cfg = NetConfig(
        proxy_servers={key: "http://p:1", "http": "http://p:1", "https": "http://p:1"}
    )
    flagged = any("never uses the key" in f.summary for f in lint_proxies(cfg))
    assert flagged is not used


# -- What the proxy findings say for a configuration, word for word --------------

PROXY_CONFIGS = {
    'variables-differ': ({'HTTPS_PROXY': 'http://a.corp:1', 'https_proxy': 'http://b.corp:2', 'HTTP_PROXY': 'http://b.corp:2', 'http_proxy': 'http://b.corp:2'}, {}, [('HTTPS_PROXY', 'warning', 'differs from https_proxy: requests (so conda) uses https_proxy (http://b.corp:2) and ignores HTTPS_PROXY (http://a.corp:1); programs that read the upper-case one first (Go programs) use the other', 'unset HTTPS_PROXY, or set both to the same URL')]),
    'lower-empty': ({'HTTPS_PROXY': 'http://a.corp:1', 'https_proxy': '', 'http_proxy': 'http://a.corp:1'}, {}, [('https_proxy', 'warning', 'is set but empty, which makes requests ignore HTTPS_PROXY (http://a.corp:1): conda connects without a proxy where HTTPS_PROXY would apply', 'unset https_proxy (or unset HTTPS_PROXY too if no proxy is wanted)')]),
    'unknown-key': ({}, {'https': 'http://a.corp:1', 'http': 'http://a.corp:1', 'HTTPS': 'http://x.corp:1'}, [('proxy_servers.HTTPS', 'warning', "conda never uses the key 'HTTPS': requests looks up http, https, all, and scheme://host (lower-case)", 'rename it in your .condarc: proxy_servers.https or proxy_servers.http')]),
    'per-host-key': ({}, {'https://conda.example': 'http://a.corp:1', 'http': 'http://a.corp:1', 'https': 'http://a.corp:1'}, []),
    'variable-overrides-setting': ({'https_proxy': 'http://b.corp:2', 'http_proxy': 'http://b.corp:2'}, {'https': 'http://u:pw@a.corp:1', 'http': 'http://b.corp:2'}, [('proxy_servers.https', 'warning', "is overridden by https_proxy: requests lets the environment win over the session's proxies, so conda uses http://b.corp:2, not http://USER:<password>@a.corp:1 (except for hosts in NO_PROXY)", 'conda config --file /etc/conda/.condarc --set proxy_servers.https http://b.corp:2 (the proxy conda uses now; or, if http://USER:<password>@a.corp:1 is the one to use, unset https_proxy)')]),
    'empty-setting': ({}, {'https': '', 'http': 'http://a.corp:1'}, [('proxy_servers.https', 'error', 'is empty: requests ignores it and conda connects directly, without a proxy', 'conda config --file /etc/conda/.condarc --set proxy_servers.https http://PROXY_HOST:PORT'), ('proxy_servers.http', 'warning', 'sets a proxy for http but none is set for https: conda downloads https:// channels (conda-forge, defaults: nearly all repodata) directly, without the proxy', 'conda config --file /etc/conda/.condarc --set proxy_servers.https http://a.corp:1')]),
    'variable-without-scheme': ({'https_proxy': 'b.corp:2', 'http_proxy': 'http://b.corp:2'}, {}, [('https_proxy', 'warning', 'has no scheme (b.corp:2): requests assumes http://, other tools may not', 'export https_proxy=http://b.corp:2')]),
}  # fmt: skip
OS_CONFIGS = {
    'os-differs': ({}, {'https': 'http://a.corp:1', 'http': 'http://a.corp:1'}, {'https': 'http://os.corp:8080', 'http': 'http://os.corp:8080'}, [('proxy_servers.http', 'warning', "is overridden by Windows Internet Options: with no *_PROXY variable set, requests lets the operating system's proxy win over the session's proxies, so conda uses http://os.corp:8080, not http://a.corp:1", "set the variable, which wins over the operating system's settings: export HTTP_PROXY=http://a.corp:1; or change the proxy in Windows Internet Options"), ('proxy_servers.https', 'warning', "is overridden by Windows Internet Options: with no *_PROXY variable set, requests lets the operating system's proxy win over the session's proxies, so conda uses http://os.corp:8080, not http://a.corp:1", "set the variable, which wins over the operating system's settings: export HTTPS_PROXY=http://a.corp:1; or change the proxy in Windows Internet Options")]),
    'os-same': ({}, {'https': 'http://a.corp:1'}, {'https': 'http://a.corp:1'}, []),
    'os-all-setting': ({}, {'all': 'http://u:pw@a.corp:1'}, {'https': 'http://os.corp:8080'}, [('proxy_servers.https', 'warning', "is overridden by Windows Internet Options: with no *_PROXY variable set, requests lets the operating system's proxy win over the session's proxies, so conda uses http://os.corp:8080, not http://USER:<password>@a.corp:1", "set the variable, which wins over the operating system's settings: export HTTPS_PROXY='http://USER:<password>@a.corp:1'; or change the proxy in Windows Internet Options")]),
    'variable-set': ({'no_proxy': 'x'}, {'https': 'http://a.corp:1'}, {'https': 'http://os.corp:8080'}, []),
    'os-nothing': ({}, {'https': 'http://a.corp:1'}, {}, []),
}  # fmt: skip


def _condarc_config(env: dict, proxy_servers: dict) -> NetConfig:
    sources = {"proxy_servers": SettingSource.file("/etc/conda/.condarc")}
    return NetConfig(env=env, proxy_servers=proxy_servers, sources=sources)


@pytest.mark.parametrize(
    ("env", "proxy_servers", "findings"),
    PROXY_CONFIGS.values(),
    ids=list(PROXY_CONFIGS),
)
def test_each_proxy_configuration_gets_these_findings(
    no_pysocks, env, proxy_servers, findings, monkeypatch
):
    monkeypatch.setenv("SHELL", "/bin/bash")
    cfg = _condarc_config(env, proxy_servers)
    found = [(f.check, f.status.value, f.summary, f.fix) for f in lint_proxies(cfg)]
    assert found == findings


@pytest.mark.parametrize(
    ("env", "proxy_servers", "os_proxies", "findings"),
    OS_CONFIGS.values(),
    ids=list(OS_CONFIGS),
)
def test_the_os_proxy_that_wins_over_proxy_servers_is_named(
    env, proxy_servers, os_proxies, findings, monkeypatch
):
    from conda_netcheck.config.osproxy import OSProxies

    monkeypatch.setenv("SHELL", "/bin/bash")
    cfg = _condarc_config(env, proxy_servers)
    settings = OSProxies("Windows Internet Options", os_proxies)
    found = [
        (f.check, f.status.value, f.summary, f.fix)
        for f in proxylint.os_overridden(cfg, settings)
    ]
    assert found == findings


# -- the fix's shell line, for --json's `commands` -----------------------------------

#: A fix that starts with a shell line: the line, then a note or the other way.
_LEADING_LINE = re.compile(r"^(?:conda config |export |unset )")


def _assert_commands_are_the_printed_line(finding) -> None:
    """A fix that is a shell line has it as `commands`; advice has none."""
    leading = _LEADING_LINE.match(finding.fix or "")
    if leading is None:
        assert finding.commands.lines == (), finding.fix
        return
    line = re.split(r" \(|, |; ", finding.fix)[0]
    assert finding.commands.lines == (line,), finding.fix
    assert finding.commands.needs == placeholders(line)
    assert finding.commands.checked is False


@pytest.mark.parametrize(
    "url",
    [case[1] for case in CASES if case[3] is not None],
    ids=[case[0] for case in CASES if case[3] is not None],
)
@pytest.mark.parametrize("where", ["proxy_servers", "variable"])
def test_each_proxy_lint_gives_the_line_it_prints_as_commands(
    no_pysocks, url, where, monkeypatch
):
    monkeypatch.setenv("SHELL", "/bin/bash")
    if where == "variable":
        cfg = _condarc_config({"HTTPS_PROXY": url}, {})
        head = "export HTTPS_PROXY="
    else:
        cfg = _condarc_config({}, {"https": url})
        head = "conda config --file /etc/conda/.condarc --set proxy_servers.https "
    findings = [f for f in lint_proxies(cfg) if f.status is not Status.OK]
    # An empty variable is how people switch a proxy off: no finding.
    assert findings or (where == "variable" and not url)
    for finding in findings:
        _assert_commands_are_the_printed_line(finding)
        # The URL's own lint (not the other scheme's missing proxy).
        if "PySocks" not in finding.summary and finding.scheme is None:
            (line,) = finding.commands.lines
            assert line.startswith(head), line


@pytest.mark.parametrize(
    ("env", "proxy_servers", "findings"),
    PROXY_CONFIGS.values(),
    ids=list(PROXY_CONFIGS),
)
def test_each_proxy_configuration_finding_gives_its_line_as_commands(
    no_pysocks, env, proxy_servers, findings, monkeypatch
):
    monkeypatch.setenv("SHELL", "/bin/bash")
    for finding in lint_proxies(_condarc_config(env, proxy_servers)):
        _assert_commands_are_the_printed_line(finding)


def test_the_line_for_a_proxy_without_a_port_asks_only_for_the_port(monkeypatch):
    monkeypatch.setenv("SHELL", "/bin/bash")
    no_port = {"https": "http://u:pw@proxy.corp", "http": "http://proxy.corp:3128"}
    (finding,) = lint_proxies(_condarc_config({}, no_port))
    assert finding.commands.lines == (
        "conda config --file /etc/conda/.condarc --set proxy_servers.https "
        "'http://USER:<password>@proxy.corp:PORT'",
    )
    assert finding.commands.needs == ("USER:<password>", "PORT")


@pytest.mark.parametrize(
    ("env", "proxy_servers", "os_proxies", "findings"),
    OS_CONFIGS.values(),
    ids=list(OS_CONFIGS),
)
def test_the_variable_that_beats_the_os_proxy_is_the_command(
    env, proxy_servers, os_proxies, findings, monkeypatch
):
    from conda_netcheck.config.osproxy import OSProxies

    monkeypatch.setenv("SHELL", "/bin/bash")
    cfg = _condarc_config(env, proxy_servers)
    settings = OSProxies("Windows Internet Options", os_proxies)
    for finding in proxylint.os_overridden(cfg, settings):
        (line,) = finding.commands.lines
        assert f"settings: {line}; or change" in finding.fix
        assert line.startswith("export HTTP")
