"""Proxy URL lint, checked against what requests itself does with each URL."""

from __future__ import annotations

import base64
import importlib.util

import pytest
import requests
from requests.adapters import HTTPAdapter

from conda_netcheck.config import proxylint
from conda_netcheck.config.commands import Commands
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
