"""The allowlist and the Markdown report for the network team, from hand-built reports."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from conda_netcheck.config.netconfig import NetConfig
from conda_netcheck.config.sources import ProxySource, ProxySourceKind, SettingSource
from conda_netcheck.model import (
    Code,
    Details,
    Finding,
    Layer,
    Problem,
    Report,
    Target,
    TargetResult,
    Timings,
)
from conda_netcheck.output.allowlist import (
    DIRECT,
    PROXY,
    THROUGH_PROXY,
    Endpoint,
    allowlist,
    allowlist_json,
    allowlist_text,
)
from conda_netcheck.output.report import markdown_report
from conda_netcheck.redact import REDACTOR

TOKEN = "tk-Planted"
PROXY_PASSWORD = "Pr0xy-Planted-pw"
NETRC_PASSWORD = "Netrc-Planted-pw"
PROXY_URL = f"http://alice:{PROXY_PASSWORD}@proxy.corp.test:3128"
SECRETS = (TOKEN, PROXY_PASSWORD, NETRC_PASSWORD)
NOW = datetime(2025, 5, 1, 12, 30, tzinfo=timezone.utc)


def through_proxy(url: str, channel: str) -> Target:
    source = ProxySource(ProxySourceKind.SETTING, "https")
    return Target(url, channel, "noarch", proxy=PROXY_URL, proxy_source=source)


def sample() -> Report:
    """One target per verdict, a proxy with a password, redirects across two hosts."""
    refused = TargetResult(
        through_proxy("https://repo.anaconda.com/pkgs/main/noarch", "defaults"),
        Problem(
            Code.PROXY_REFUSED,
            Layer.PROXY,
            "the proxy refused (403 Forbidden); the proxy says: ERR_ACCESS_DENIED 0",
            "ask your network team to allow CONNECT to repo.anaconda.com:443",
            Details(status=403, method="CONNECT repo.anaconda.com:443"),
        ),
        timings=Timings(connect=3.2, total=5.0),
    )
    also_proxied = TargetResult(
        through_proxy("https://repo.anaconda.com/pkgs/main/linux-64", "defaults"),
        timings=Timings(connect=3.0, total=90.0),
    )
    redirected = TargetResult(
        Target(
            f"https://conda.anaconda.org/t/{TOKEN}/conda-forge/noarch",
            "conda-forge",
            "noarch",
            source="channels in /home/u/.condarc",
        ),
        timings=Timings(dns=1.0, connect=12.5, tls=30.2, first_byte=80.0, total=140),
        redirects=[
            f"https://conda.anaconda.org/t/{TOKEN}/conda-forge/noarch/repodata.json",
            "https://cdn-a.example.test/conda-forge/noarch/repodata.json",
        ],
        fetched="https://cdn-b.example.test:8443/conda-forge/noarch/repodata.json",
        notes=[f"netrc: sent password {NETRC_PASSWORD} for conda.anaconda.org"],
    )
    timeout = TargetResult(
        Target(
            "https://mirror.corp.test/conda/noarch",
            f"https://mirror.corp.test/t/{TOKEN}/conda",
            "noarch",
        ),
        Problem(
            Code.CONNECT_TIMEOUT,
            Layer.TCP,
            "mirror.corp.test:443 did not accept a connection within 5 s",
        ),
    )
    unresolved = TargetResult(
        Target("https://nope.corp.test/c/noarch", "c", "noarch"),
        Problem(Code.DNS_FAILURE, Layer.DNS, "nope.corp.test does not resolve"),
    )
    return Report(
        targets=[refused, also_proxied, redirected, timeout, unresolved],
        findings=[
            Finding("proxy", Code.PROXY_MISCONFIGURED, f"the proxy {PROXY_URL} is odd")
        ],
        conda_version="26.7.1",
        netcheck_version="0.3.0",
    )


def sample_config() -> NetConfig:
    return NetConfig(
        proxy_servers={"https": PROXY_URL, "http": f"bob:{PROXY_PASSWORD}@proxy2:8080"},
        channels=["conda-forge", f"https://conda.anaconda.org/t/{TOKEN}/x"],
        env={"HTTPS_PROXY": PROXY_URL, "NO_PROXY": "localhost,.corp.test"},
        sources={
            "proxy_servers": SettingSource.file("/home/u/.condarc"),
            "channels": SettingSource.file("/home/u/.condarc"),
        },
    )


@pytest.fixture
def planted_netrc_password():
    """What the credentials code does when it reads .netrc: register the password."""
    REDACTOR.add(NETRC_PASSWORD)


def test_direct_targets_and_every_redirect_hop_are_allowed_directly():
    endpoints = allowlist(sample())
    direct = {e.address for e in endpoints if e.kind == DIRECT}
    assert direct == {
        "conda.anaconda.org:443",
        "cdn-a.example.test:443",
        "cdn-b.example.test:8443",
        "mirror.corp.test:443",
        "nope.corp.test:443",
    }
    hop = next(e for e in endpoints if e.host == "cdn-b.example.test")
    assert hop.why == "redirect from cdn-a.example.test, for channel conda-forge"


def test_a_proxied_target_needs_the_proxy_and_a_connect_on_it_not_a_direct_path():
    endpoints = allowlist(sample())
    assert [e for e in endpoints if e.kind == PROXY] == [
        Endpoint(
            "proxy.corp.test",
            3128,
            "the proxy (from proxy_servers.https), for channel defaults",
            PROXY,
        )
    ]
    (connect,) = [e for e in endpoints if e.kind == THROUGH_PROXY]
    assert (connect.address, connect.via) == (
        "repo.anaconda.com:443",
        "proxy.corp.test:3128",
    )
    assert "CONNECT repo.anaconda.com:443" in connect.why
    assert not any(
        e.host == "repo.anaconda.com" for e in endpoints if e.kind != THROUGH_PROXY
    )


def test_allowlist_is_deduplicated_and_sorted():
    endpoints = allowlist(sample())
    keys = [(e.kind, e.host, e.port, e.via) for e in endpoints]
    assert len(keys) == len(set(keys))
    kinds = [DIRECT, PROXY, THROUGH_PROXY]
    assert keys == sorted(keys, key=lambda k: (kinds.index(k[0]), k[1], k[2]))
    # Two subdirs of one channel through one proxy: one line each, not two.
    assert sum(e.host == "proxy.corp.test" for e in endpoints) == 1


def test_allowlist_text_and_json_forms():
    endpoints = allowlist(sample())
    text = allowlist_text(endpoints)
    assert (
        text.splitlines()[0]
        == "cdn-a.example.test:443  # redirect from conda.anaconda.org, for channel conda-forge"
    )
    assert len(text.splitlines()) == len(endpoints)
    document = json.loads(json.dumps(allowlist_json(endpoints)))
    assert document[0] == {
        "host": "cdn-a.example.test",
        "port": 443,
        "address": "cdn-a.example.test:443",
        "kind": "direct",
        "via": None,
        "why": "redirect from conda.anaconda.org, for channel conda-forge",
        "caveat": None,
    }


def test_ipv6_hosts_and_default_proxy_ports():
    result = TargetResult(
        Target("http://[fd00::1]/c/noarch", "c", "noarch", proxy="proxy.test")
    )
    endpoints = allowlist(Report(targets=[result]))
    assert [(e.kind, e.address) for e in endpoints] == [
        (PROXY, "proxy.test:80"),
        (THROUGH_PROXY, "[fd00::1]:80"),
    ]
    assert "GET http://[fd00::1]:80" in endpoints[1].why


def render() -> str:
    return markdown_report(sample(), sample_config(), {"requests": "2.32.3"}, now=NOW)


def test_report_has_every_section():
    document = render()
    for heading in (
        "# conda network report",
        "## Verdict",
        "### For the network team",
        "## Targets",
        "## Allowlist",
        "## Findings",
        "## Configuration",
        "## Environment variables",
        "## Versions",
    ):
        assert f"\n{heading}\n" in f"\n{document}"
    assert "Generated 2025-05-01 12:30 UTC by conda-netcheck 0.3.0" in document
    for component in ("conda-netcheck", "conda", "Python", "OpenSSL", "OS", "requests"):
        assert f"\n| {component} | `" in document


def test_report_lists_every_target_url_redacted_with_its_diagnosis():
    document = render()
    for url in (
        "https://repo.anaconda.com/pkgs/main/noarch",
        "https://repo.anaconda.com/pkgs/main/linux-64",
        "https://conda.anaconda.org/t/<TOKEN>/conda-forge/noarch",
        "https://mirror.corp.test/conda/noarch",
        "https://nope.corp.test/c/noarch",
    ):
        assert f"| `{url}` |" in document
        assert f". `{url}`\n" in document  # its own section
    for code in ("proxy-refused", "connect-timeout", "dns-failure"):
        assert f"| `{code}` |" in document
    assert (
        "**Redirect chain:** `https://conda.anaconda.org/t/<TOKEN>/conda-forge/noarch/"
        "repodata.json` → `https://cdn-a.example.test/conda-forge/noarch/repodata.json`"
        " → `https://cdn-b.example.test:8443/conda-forge/noarch/repodata.json`"
    ) in document
    assert "**Timings:** DNS 1 ms · connect 12.5 ms · TLS 30.2 ms" in document
    assert (
        "through the proxy `http://alice:<redacted>@proxy.corp.test:3128`" in document
    )


def test_report_includes_the_allowlist():
    document = render()
    assert (
        allowlist_text([e for e in allowlist(sample()) if e.kind == DIRECT]) in document
    )
    assert "proxy.corp.test:3128  # the proxy (from proxy_servers.https)" in document
    assert (
        "repo.anaconda.com:443  # through the proxy proxy.corp.test:3128: CONNECT"
        in document
    )


def test_verdict_says_what_the_network_team_does():
    document = render()
    verdict = document.split("## Verdict")[1].split("## Targets")[0]
    assert "**3 of 5 channel URLs cannot be used from this machine.**" in verdict
    assert (
        "- allow CONNECT to repo.anaconda.com:443 for proxy proxy.corp.test:3128 "
        "— affects channel defaults"
    ) in verdict
    assert "- allow outbound TCP to mirror.corp.test:443 (or via the proxy)" in verdict
    assert "- nope.corp.test does not resolve from this machine" in verdict


@pytest.mark.parametrize(
    ("problem", "proxy", "expected"),
    [
        pytest.param(
            Problem(
                Code.TLS_INTERCEPTED,
                Layer.TLS,
                "re-signed",
                details=Details(certificate={"issuer": "CN=Corp Inspection CA"}),
            ),
            PROXY_URL,
            "the proxy proxy.corp.test:3128 re-signs TLS with CA CN=Corp Inspection "
            "CA: conda needs that CA (ssl_verify: truststore, or a bundle)",
            id="tls-intercepted-by-the-proxy",
        ),
        pytest.param(
            Problem(
                Code.TLS_UNTRUSTED,
                Layer.TLS,
                "untrusted",
                details=Details(issuer="CN=Corp Inspection CA"),
            ),
            PROXY_URL,
            "the proxy proxy.corp.test:3128 re-signs TLS with CA CN=Corp Inspection CA",
            id="tls-untrusted-with-issuer",
        ),
        pytest.param(
            Problem(
                Code.PROXY_REFUSED,
                Layer.PROXY,
                "the proxy could not reach the server (502 Bad Gateway)",
                details=Details(status=502, method="CONNECT h.test:443"),
            ),
            PROXY_URL,
            "the proxy proxy.corp.test:3128 cannot reach h.test:443 itself",
            id="proxy-upstream-failure",
        ),
        pytest.param(
            Problem(
                Code.PROXY_AUTH_FAILED,
                Layer.PROXY,
                "the proxy wants authentication",
                details=Details(auth_schemes=("NTLM", "Negotiate")),
            ),
            PROXY_URL,
            "accepts only NTLM, Negotiate and conda speaks only Basic",
            id="proxy-ntlm-only",
        ),
    ],
)
def test_verdict_sentence_per_diagnosis(problem, proxy, expected):
    target = Target("https://h.test/c/noarch", "c", "noarch", proxy=proxy)
    report = Report(targets=[TargetResult(target, problem)])
    verdict = markdown_report(report, NetConfig(), {}, now=NOW).split("## Targets")[0]
    assert expected in verdict


def test_verdict_when_everything_works():
    report = Report(
        targets=[TargetResult(Target("https://h.test/c/noarch", "c", "noarch"))]
    )
    document = markdown_report(report, NetConfig(), {}, now=NOW)
    assert (
        "**The channel URL is reachable.** Nothing on the network needs to change."
        in document
    )
    assert "h.test:443  # channel c" in document


def test_planted_secrets_never_appear(planted_netrc_password):
    document = render()
    for secret in SECRETS:
        assert secret not in document
    assert "`bob:<redacted>@proxy2:8080`" in document
    assert "`https://conda.anaconda.org/t/<TOKEN>/x`" in document
    text = allowlist_text(allowlist(sample()))
    assert TOKEN not in text
    assert "channel https://mirror.corp.test/t/<TOKEN>/conda" in text


def test_masks_stay_visible_when_rendered():
    # "<redacted>" in prose would be an unknown HTML tag, and vanish.
    report = sample()
    first = report.targets[0]
    first.problem = first.problem.amended(summary=f"the proxy {PROXY_URL} refused")
    document = markdown_report(report, sample_config(), {}, now=NOW)
    assert (
        "the proxy http://alice:\\<redacted>@proxy.corp.test:3128 refused" in document
    )
    assert PROXY_PASSWORD not in document


def test_a_laid_out_fix_is_a_sentence_and_numbered_steps_with_no_secret():
    from conda_netcheck.fixtext import Fix

    report = sample()
    first = report.targets[0]
    fix = Fix(
        "give the proxy your user and password",
        (f"conda config --set proxy_servers.https {PROXY_URL}", "conda clean --all"),
        why="the proxy answers 407",
        otherwise="ask your network team",
    )
    first.problem = first.problem.amended(fix=fix)
    document = markdown_report(report, sample_config(), {}, now=NOW)
    assert "- **Fix:** give the proxy your user and password\n" in document
    assert (
        "\n  1. conda config --set proxy_servers.https "
        "http://alice:\\<redacted>@proxy.corp.test:3128\n"
    ) in document
    assert "\n  2. conda clean --all\n" in document
    assert "\n  - else: ask your network team\n" in document
    assert "\n  - why: the proxy answers 407\n" in document
    assert PROXY_PASSWORD not in document
