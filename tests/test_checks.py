"""Configuration findings, without the network and without conda."""

from __future__ import annotations

import pytest

from conda_netcheck.config.checks import bundle_problem, config_findings
from conda_netcheck.config.netconfig import NetConfig
from conda_netcheck.config.sources import COMMAND_LINE, DEFAULT_SOURCE, SettingSource


def codes(cfg: NetConfig) -> dict[str, str]:
    return {f.check: f.code.value for f in config_findings(cfg)}


def test_clean_configuration_has_no_finding():
    assert config_findings(NetConfig(channels=["conda-forge"])) == []


@pytest.mark.parametrize(
    ("source", "fix"),
    [
        (
            SettingSource.file("/home/u/.condarc"),
            "conda config --file /home/u/.condarc --set offline false",
        ),
        (SettingSource.variable("CONDA_OFFLINE"), "unset CONDA_OFFLINE"),
        (COMMAND_LINE, "run the command without --offline"),
    ],
    ids=["condarc", "env", "cli"],
)
def test_offline_fix_depends_on_where_it_is_set(source, fix):
    cfg = NetConfig(offline=True, channels=["x"], sources={"offline": source})
    (finding,) = config_findings(cfg)
    assert finding.code.value == "offline-mode"
    assert finding.fix == fix


def test_missing_ca_bundle_variable_names_the_variable(tmp_path):
    cfg = NetConfig(
        channels=["x"], env={"REQUESTS_CA_BUNDLE": str(tmp_path / "gone.pem")}
    )
    (finding,) = config_findings(cfg)
    assert finding.check == "REQUESTS_CA_BUNDLE"
    assert finding.code.value == "ca-bundle-invalid"
    assert finding.fix.startswith("unset REQUESTS_CA_BUNDLE")


def test_ssl_verify_path_without_certificates(tmp_path):
    empty = tmp_path / "empty.pem"
    empty.write_text("")
    cfg = NetConfig(
        channels=["x"],
        ssl_verify=str(empty),
        sources={"ssl_verify": SettingSource.file("/etc/condarc")},
    )
    (finding,) = config_findings(cfg)
    assert finding.code.value == "ca-bundle-invalid"
    assert "holds no PEM certificate" in finding.summary
    assert "/etc/condarc" in finding.summary


def test_ssl_verify_false_is_a_warning_with_the_safe_alternative():
    (finding,) = config_findings(NetConfig(channels=["x"], ssl_verify=False))
    assert finding.status.value == "warning"
    assert "ssl_verify truststore" in finding.fix
    assert "false" not in finding.fix


def test_no_fix_ever_disables_verification(tmp_path):
    cfg = NetConfig(
        channels=[],
        offline=True,
        ssl_verify=str(tmp_path / "missing.pem"),
        client_cert=str(tmp_path / "c.pem"),
        connect_timeout=0.1,
        env={"REQUESTS_CA_BUNDLE": "/nope", "CURL_CA_BUNDLE": "/nope"},
    )
    findings = config_findings(cfg)
    assert len(findings) == 6
    for finding in findings:
        assert "ssl_verify false" not in (finding.fix or "")
        assert "ssl_verify: false" not in (finding.fix or "")


def test_loadable_bundle_passes(ca_bundle):
    assert bundle_problem(ca_bundle) is None


def test_timeouts_too_low_are_warnings():
    cfg = NetConfig(channels=["x"], connect_timeout=0.2, read_timeout=1)
    assert codes(cfg) == {
        "remote_connect_timeout_secs": "timeout-too-low",
        "remote_read_timeout_secs": "timeout-too-low",
    }


def test_requests_ca_bundle_overriding_ssl_verify_is_named(ca_bundle):
    cfg = NetConfig(
        channels=["x"],
        ssl_verify=ca_bundle,
        sources={"ssl_verify": SettingSource.file("/home/u/.condarc")},
        env={"REQUESTS_CA_BUNDLE": "/etc/ssl/certs/ca-certificates.crt"},
    )
    (finding,) = [
        f for f in config_findings(cfg) if f.code.value == "ca-bundle-override"
    ]
    assert finding.status.value == "warning"
    assert "overrides ssl_verify" in finding.summary
    # The fix is the variable gone, a line the proof can try as printed.
    assert finding.fix.steps == ("unset REQUESTS_CA_BUNDLE",)
    assert finding.commands.lines == ("unset REQUESTS_CA_BUNDLE",)


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        ("*.corp.example", "no wildcards"),
        ("https://mirror.corp.example", "not URLs"),
        ("10.0.0.0/8", "CIDR range"),
    ],
    ids=["wildcard", "url", "cidr"],
)
def test_no_proxy_entries_requests_never_matches(entry, says):
    cfg = NetConfig(channels=["x"], env={"NO_PROXY": f"localhost,{entry}"})
    (finding,) = config_findings(cfg)
    assert finding.check == "NO_PROXY"
    assert says in finding.summary
    assert finding.status.value == "warning"


def test_no_proxy_does_not_exclude_hosts_from_proxy_servers():
    cfg = NetConfig(
        channels=["x"],
        proxy_servers={"https": "http://proxy.corp.example:3128"},
        env={"no_proxy": ".corp.example"},
    )
    findings = config_findings(cfg, ["https://conda.corp.example/main/noarch"])
    (finding,) = [f for f in findings if f.check == "no_proxy"]
    assert "conda.corp.example" in finding.summary
    assert "still sends it through proxy_servers" in finding.summary
    assert "--remove-key proxy_servers" in finding.fix


def test_anaconda_auth_proxy_disagreement_is_reported(tmp_path, monkeypatch):
    from conda_netcheck.config.netconfig import anaconda_auth_proxies

    config = tmp_path / "config.toml"
    config.write_text(
        '[plugin.auth]\nproxy_servers = { https = "http://bob:s3cret-Pw@auth-proxy:3128" }\n'
    )
    monkeypatch.setenv("ANACONDA_CONFIG_TOML", str(config))
    cfg = NetConfig(
        channels=["x"],
        proxy_servers={"https": "http://proxy.corp:8080"},
        anaconda_auth_proxies=anaconda_auth_proxies(),
    )
    (finding,) = [f for f in config_findings(cfg) if f.check == "anaconda-auth"]
    assert "[plugin.auth]" in finding.summary
    assert "https=http://proxy.corp:8080" in finding.summary

    from conda_netcheck.redact import REDACTOR

    assert "s3cret-Pw" not in REDACTOR.text(finding.summary)


def test_anaconda_auth_agreeing_is_quiet(tmp_path, monkeypatch):
    from conda_netcheck.config.netconfig import anaconda_auth_proxies

    config = tmp_path / "config.toml"
    config.write_text(
        '[plugin.auth]\nproxy_servers = { https = "http://proxy.corp:8080" }\n'
    )
    monkeypatch.setenv("ANACONDA_CONFIG_TOML", str(config))
    cfg = NetConfig(
        channels=["x"],
        proxy_servers={"https": "http://proxy.corp:8080"},
        anaconda_auth_proxies=anaconda_auth_proxies(),
    )
    assert [f for f in config_findings(cfg) if f.check == "anaconda-auth"] == []


def test_defaults_left_on_repo_anaconda_com_while_channels_use_a_mirror():
    from conda_netcheck.diagnosis.mirrors import defaults_bypass_mirror
    from conda_netcheck.model import Target

    targets = [
        Target("https://mirror.corp/conda-forge/noarch", "conda-forge", "noarch"),
        Target("https://repo.anaconda.com/pkgs/main/noarch", "defaults", "noarch"),
    ]
    (finding,) = defaults_bypass_mirror(targets)
    assert "mirror.corp" in finding.summary
    assert finding.status.value == "warning"
    assert defaults_bypass_mirror(targets[:1]) == []


@pytest.mark.parametrize(
    ("where", "shell", "fix"),
    [
        (
            SettingSource.variable("CONDA_REMOTE_READ_TIMEOUT_SECS"),
            "/usr/bin/fish",
            "set -e CONDA_REMOTE_READ_TIMEOUT_SECS (or set it right)",
        ),
        (
            SettingSource.file("/home/u/my files/.condarc"),
            "/bin/bash",
            "conda config --file '/home/u/my files/.condarc' --remove-key "
            "remote_read_timeout_secs (or set it right)",
        ),
        (
            DEFAULT_SOURCE,
            "/bin/bash",
            "conda config --show-sources (then fix remote_read_timeout_secs where "
            "it is set)",
        ),
    ],
    ids=["variable-fish", "file-with-a-space", "nowhere"],
)
def test_an_unusable_setting_is_removed_where_it_is_set(where, shell, fix, monkeypatch):
    from conda_netcheck.config.checks import setting_finding
    from conda_netcheck.config.netconfig import SettingProblem

    monkeypatch.setenv("SHELL", shell)
    problem = SettingProblem("remote_read_timeout_secs", where, "not a number")
    assert setting_finding(problem).fix == fix


def test_only_empty_defaults_is_fixed_in_the_file_that_empties_them(monkeypatch):
    monkeypatch.setenv("SHELL", "/bin/bash")
    cfg = NetConfig(
        channels=["defaults"],
        default_channels=[],
        sources={"default_channels": SettingSource.file("/etc/conda/.condarc")},
    )
    (finding,) = [f for f in config_findings(cfg) if f.check == "channels"]
    assert finding.fix == (
        "conda config --file /etc/conda/.condarc --remove-key default_channels (or "
        "add your mirror's URLs to it)"
    )


# -- NO_PROXY wildcards, judged as requests (and urllib) judge them -------------

_NO_PROXY_HOSTS = (
    "http://a.corp.example/",
    "https://b.a.corp.example:8443/",
    "http://corp.example/",
    "http://localhost/",
    "http://other.test/",
)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("*", id="lone-star"),
        pytest.param("localhost,*", id="star-last-in-a-list"),
        pytest.param("*,localhost", id="star-first-in-a-list"),
        pytest.param(" * ", id="star-with-spaces"),
        pytest.param("*.corp.example", id="star-dot"),
        pytest.param("*corp.example", id="star-glued"),
        pytest.param("localhost,*.corp.example", id="star-dot-in-a-list"),
        pytest.param(".corp.example", id="leading-dot"),
        pytest.param("corp.example", id="bare-domain"),
        pytest.param("localhost, .corp.example", id="list-with-space"),
    ],
)
def test_no_proxy_wildcards_are_judged_as_requests_judges_them(value, monkeypatch):
    from requests.utils import should_bypass_proxies

    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    cfg = NetConfig(channels=["x"], env={"NO_PROXY": value})
    flagged = {
        f.summary.split("'")[1]
        for f in config_findings(cfg)
        if f.check == "NO_PROXY" and "never matches" in f.summary
    }
    entries = [e.strip() for e in value.split(",") if e.strip()]
    for entry in entries:
        # The entry as requests reads it in this value: alone, or within a list.
        probe = value if len(entries) == 1 else f"{entry},unused.invalid"
        counts = any(should_bypass_proxies(url, probe) for url in _NO_PROXY_HOSTS)
        assert (entry in flagged) is (not counts), (entry, flagged)
    for finding in config_findings(cfg):
        assert "write it as  " not in finding.fix  # never an empty suggestion


# -- the fix's shell lines, for --json's `commands` ----------------------------------


@pytest.mark.parametrize(
    ("source", "lines"),
    [
        (
            SettingSource.file("/home/u/.config/conda/.condarc"),
            ("conda config --file /home/u/.config/conda/.condarc --set offline false",),
        ),
        (SettingSource.variable("CONDA_OFFLINE"), ("unset CONDA_OFFLINE",)),
        (COMMAND_LINE, ()),  # advice: nothing to run
    ],
    ids=["condarc", "env", "cli"],
)
def test_the_offline_finding_gives_the_line_it_prints(source, lines, monkeypatch):
    monkeypatch.setenv("SHELL", "/bin/bash")
    cfg = NetConfig(offline=True, channels=["x"], sources={"offline": source})
    (finding,) = config_findings(cfg)
    assert finding.commands.lines == lines
    assert finding.commands.needs == ()
    if lines:
        assert finding.fix == lines[0]


def test_each_timeout_finding_gives_the_line_it_prints(monkeypatch):
    monkeypatch.setenv("SHELL", "/bin/bash")
    rc = SettingSource.file("/etc/conda/.condarc")
    cfg = NetConfig(
        channels=["x"],
        connect_timeout=0.2,
        read_timeout=1,
        sources={"remote_connect_timeout_secs": rc, "remote_read_timeout_secs": rc},
    )
    lines = {f.check: f.commands.lines for f in config_findings(cfg)}
    assert lines == {
        "remote_connect_timeout_secs": (
            "conda config --file /etc/conda/.condarc --set remote_connect_timeout_secs 10",
        ),
        "remote_read_timeout_secs": (
            "conda config --file /etc/conda/.condarc --set remote_read_timeout_secs 50",
        ),
    }
    for finding in config_findings(cfg):
        assert finding.fix == finding.commands.lines[0]


def test_the_channel_and_setting_findings_give_the_lines_they_print(monkeypatch):
    from conda_netcheck.config.checks import setting_finding
    from conda_netcheck.config.netconfig import SettingProblem

    monkeypatch.setenv("SHELL", "/bin/bash")
    nothing = [f for f in config_findings(NetConfig()) if f.check == "channels"]
    assert [f.commands.lines for f in nothing] == [
        ("conda config --add channels conda-forge",)
    ]
    where = SettingSource.file("/etc/conda/.condarc")
    problem = SettingProblem("remote_read_timeout_secs", where, "not a number")
    assert setting_finding(problem).commands.lines == (
        "conda config --file /etc/conda/.condarc --remove-key remote_read_timeout_secs",
    )
    assert (
        setting_finding(
            SettingProblem("remote_read_timeout_secs", DEFAULT_SOURCE, "not a number")
        ).commands.lines
        == ()
    )


#: Every way a proxy reaches the lint, and the settings beside the boundary
#: (empty values, variables that name no proxy): (proxy_servers, env, linted).
PROXY_SETTINGS = {
    "proxy_servers": ({"http": "proxy.corp:3128"}, {}, True),
    "proxy_servers, a bad key": ({"HTTPS": "http://proxy.corp:3128"}, {}, True),
    "HTTP_PROXY": ({}, {"HTTP_PROXY": "proxy.corp:3128"}, True),
    "http_proxy": ({}, {"http_proxy": "http://proxy.corp:3128"}, True),
    "HTTPS_PROXY": ({}, {"HTTPS_PROXY": " http://proxy.corp:3128"}, True),
    "https_proxy": ({}, {"https_proxy": "'http://proxy.corp:3128'"}, True),
    "ALL_PROXY": ({}, {"ALL_PROXY": "proxy.corp"}, True),
    "all_proxy": ({}, {"all_proxy": "http://proxy.corp:3128/x y"}, True),
    "upper and lower differ": (
        {},
        {"HTTP_PROXY": "http://a.corp:1", "http_proxy": "http://b.corp:1"},
        True,
    ),
    "a variable overrides proxy_servers": (
        {"https": "http://a.corp:1", "http": "http://a.corp:1"},
        {"HTTPS_PROXY": "http://b.corp:1", "HTTP_PROXY": "http://b.corp:1"},
        True,
    ),
    "nothing": ({}, {}, False),
    "empty variables": (
        {},
        {"HTTP_PROXY": "", "https_proxy": "", "ALL_PROXY": ""},
        False,
    ),
    "NO_PROXY only": ({}, {"NO_PROXY": "localhost"}, False),
    "another scheme": ({}, {"FTP_PROXY": "http://proxy.corp:3128"}, False),
}


@pytest.mark.parametrize(
    ("proxy_servers", "env", "linted"),
    list(PROXY_SETTINGS.values()),
    ids=list(PROXY_SETTINGS),
)
def test_the_proxy_lint_runs_whenever_a_proxy_is_set(proxy_servers, env, linted):
    """The checks skip the proxy lint only where it would find nothing."""
    from conda_netcheck.config.proxylint import lint_proxies, os_overridden

    cfg = NetConfig(channels=["x"], proxy_servers=proxy_servers, env=env)
    expected = lint_proxies(cfg) + os_overridden(cfg)
    assert bool(expected) is linted
    found = config_findings(cfg)
    assert [f for f in found if f in expected] == expected
