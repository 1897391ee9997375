"""OS proxy sources: the Windows registry and macOS System Configuration, faked.

No local peer can play the Windows registry or macOS's SystemConfiguration, so
these tests install a fake `winreg` / `_scproxy` module and force the platform
branch. What is asserted is what conda netcheck says with them.
"""

from __future__ import annotations

import json
import re
import sys
import types

import pytest
from conftest import needs_conda

from conda_netcheck.config import osproxy, proxylint
from conda_netcheck.config.netconfig import NetConfig


class FakeKey:
    def __init__(self, values: dict) -> None:
        self.values = values
        self.closed = False

    def Close(self) -> None:  # noqa: N802 (winreg's naming)
        self.closed = True


def fake_winreg(values: dict) -> types.ModuleType:
    """A winreg with HKCU\\...\\Internet Settings holding `values`."""
    module = types.ModuleType("winreg")
    module.HKEY_CURRENT_USER = object()
    module.opened = []

    def open_key(root, path):
        assert root is module.HKEY_CURRENT_USER
        assert path == osproxy.INTERNET_SETTINGS
        key = FakeKey(values)
        module.opened.append(key)
        return key

    def query_value_ex(key, name):
        if name not in key.values:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        return key.values[name], 1

    module.OpenKey = open_key
    module.QueryValueEx = query_value_ex
    return module


@pytest.fixture
def windows(monkeypatch: pytest.MonkeyPatch):
    """Force the Windows branch; returns a setter for the registry values."""
    monkeypatch.setattr(osproxy, "PLATFORM", "win32")

    def set_values(**values) -> types.ModuleType:
        module = fake_winreg(values)
        monkeypatch.setitem(sys.modules, "winreg", module)
        return module

    return set_values


@pytest.mark.parametrize(
    ("server", "expected"),
    [
        (
            "proxy.corp:8080",
            {
                "http": "http://proxy.corp:8080",
                "https": "http://proxy.corp:8080",
                "ftp": "http://proxy.corp:8080",
            },
        ),
        (
            "http=web.corp:80;https=secure.corp:8443",
            {"http": "http://web.corp:80", "https": "http://secure.corp:8443"},
        ),
        (
            "socks=socks.corp:1080",
            {
                "socks": "socks://socks.corp:1080",
                "http": "socks4://socks.corp:1080",
                "https": "socks4://socks.corp:1080",
            },
        ),
    ],
    ids=["one-for-all", "per-scheme", "socks-only"],
)
def test_registry_proxy_server_is_parsed_as_urllib_does(server, expected):
    assert osproxy.parse_proxy_server(server) == expected


def test_windows_proxy_is_named_internet_options(windows, monkeypatch):
    module = windows(ProxyEnable=1, ProxyServer="proxy.corp:8080")
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    assert (
        osproxy.source_of("http://proxy.corp:8080", "https")
        == "Windows Internet Options"
    )
    assert all(key.closed for key in module.opened)


def test_a_proxy_variable_hides_the_registry(windows, monkeypatch):
    windows(ProxyEnable=1, ProxyServer="proxy.corp:8080")
    monkeypatch.setenv("no_proxy", "example.org")  # any *_proxy variable counts
    assert osproxy.source_of("http://proxy.corp:8080", "https") is None


def test_disabled_registry_proxy_is_not_used(windows):
    windows(ProxyEnable=0, ProxyServer="proxy.corp:8080")
    assert osproxy.os_proxies().proxies == {}


def test_autoconfigurl_is_recognised_with_the_px_fix(windows):
    windows(ProxyEnable=0, AutoConfigURL="http://wpad.corp/proxy.pac")
    (finding,) = osproxy.pac_findings(NetConfig())
    assert finding.check == "Windows Internet Options"
    assert finding.status.value == "warning"
    assert "cannot run PAC scripts: conda connects directly" in finding.summary
    assert "`px --pac=http://wpad.corp/proxy.pac`" in finding.fix
    assert "conda config --set proxy_servers.https http://127.0.0.1:3128" in finding.fix


def test_autoconfigurl_with_a_fixed_proxy_says_which_one_conda_uses(
    windows, monkeypatch
):
    monkeypatch.setenv("SHELL", "/bin/bash")
    windows(
        ProxyEnable=1, ProxyServer="proxy.corp:8080", AutoConfigURL="http://w/p.pac"
    )
    (finding,) = osproxy.pac_findings(NetConfig())
    assert "conda uses only the fixed proxy http://proxy.corp:8080" in finding.summary
    # The fixed proxy wins over proxy_servers: only a variable overrides it.
    assert "export HTTPS_PROXY=http://127.0.0.1:3128" in finding.fix
    assert "proxy_servers" not in finding.fix


def test_autoconfigurl_with_a_fixed_proxy_is_reported_beside_proxy_servers(windows):
    windows(
        ProxyEnable=1, ProxyServer="proxy.corp:8080", AutoConfigURL="http://w/p.pac"
    )
    cfg = NetConfig(proxy_servers={"https": "http://team.corp:3128"})
    (finding,) = osproxy.pac_findings(cfg)
    assert "conda uses only the fixed proxy http://proxy.corp:8080" in finding.summary


def test_autoconfigurl_is_irrelevant_when_conda_has_its_own_proxy(windows):
    windows(AutoConfigURL="http://wpad.corp/proxy.pac")
    cfg = NetConfig(proxy_servers={"https": "http://proxy.corp:8080"})
    assert osproxy.pac_findings(cfg) == []


def test_unreadable_registry_is_no_finding(windows, monkeypatch):
    module = windows()

    def refuse(root, path):
        raise PermissionError(5, "Access is denied")

    module.OpenKey = refuse
    assert osproxy.os_proxies() is None
    assert osproxy.pac_findings(NetConfig()) == []


def test_macos_system_configuration_is_named(monkeypatch):
    module = types.ModuleType("_scproxy")
    module._get_proxies = lambda: {"https": "http://proxy.corp:3128"}
    module._get_proxy_settings = lambda: {"exclude_simple": False, "exceptions": []}
    monkeypatch.setitem(sys.modules, "_scproxy", module)
    monkeypatch.setattr(osproxy, "PLATFORM", "darwin")
    assert osproxy.source_of("http://proxy.corp:3128", "https") == osproxy.MACOS_SOURCE


def test_no_os_source_on_linux(monkeypatch):
    monkeypatch.setattr(osproxy, "PLATFORM", "linux")
    assert osproxy.os_proxies() is None


@needs_conda
def test_pac_url_in_proxy_servers_is_a_proxy_error_with_the_fix(
    tmp_path, monkeypatch, conda_cli, channel
):
    from conda.base.context import reset_context

    rc = tmp_path / "condarc"
    rc.write_text(
        json.dumps(
            {
                "channels": [channel.url],
                "default_channels": [channel.url],
                "channel_alias": channel.url,
                "proxy_servers": {
                    "http": "http://wpad.corp/proxy.pac",
                    "https": "http://wpad.corp/proxy.pac",
                },
            }
        )
    )
    monkeypatch.setenv("CONDARC", str(rc))
    monkeypatch.setenv("HOME", str(tmp_path))
    reset_context()
    try:
        out, _, code = conda_cli("netcheck", "--json", "--timeout", "1")
    finally:
        reset_context()
    findings = {
        f["check"]: f
        for f in json.loads(out)["findings"]
        if f["check"].startswith("proxy_servers")
    }
    assert set(findings) == {"proxy_servers.http", "proxy_servers.https"}
    finding = findings["proxy_servers.https"]
    assert finding["status"] == "error"
    assert "proxy auto-configuration (PAC) script's URL" in finding["summary"]
    assert "px --pac=http://wpad.corp/proxy.pac" in finding["fix"]
    assert "--set proxy_servers.https http://PROXY_HOST:PORT" in finding["fix"]
    # The target is not sent to the PAC server as if it were a proxy.
    (target, *_) = json.loads(out)["targets"]
    assert target["diagnosis"] == "proxy-misconfigured"
    assert target["layer"] == "config"
    assert code == 1


def test_pac_url_in_a_variable_is_one_error_whose_fix_sets_that_variable():
    from conda_netcheck.config.proxylint import lint_proxies

    cfg = NetConfig(env={"HTTPS_PROXY": "http://wpad.corp/wpad.dat"})
    (finding,) = lint_proxies(cfg)
    assert finding.check == "HTTPS_PROXY"
    assert finding.status.value == "error"
    assert "cannot run PAC scripts" in finding.summary
    assert "HTTPS_PROXY=http://PROXY_HOST:PORT" in finding.fix
    assert "HTTPS_PROXY=http://127.0.0.1:3128" in finding.fix
    assert "http://wpad.corp/wpad.dat" not in finding.fix.replace(
        "--pac=http://wpad.corp/wpad.dat", ""
    )


def test_the_route_names_the_registry_as_the_proxy_source(windows, monkeypatch):
    from conda_netcheck.config.routes import proxy_source
    from conda_netcheck.config.sources import ProxySource, ProxySourceKind

    windows(ProxyEnable=1, ProxyServer="http=web.corp:80;https=secure.corp:8443")
    url = "https://conda.example/conda-forge/noarch"
    source = proxy_source(url, "http://secure.corp:8443", configured={})
    assert source == ProxySource(ProxySourceKind.OS, "Windows Internet Options")
    assert source.words() == "Windows Internet Options"
    # proxy_servers still wins when it is the one in effect
    configured = {"https": "http://secure.corp:8443"}
    assert proxy_source(url, "http://secure.corp:8443", configured) == ProxySource(
        ProxySourceKind.SETTING, "https"
    )


# -- which proxy requests really uses: the OS settings, a variable, proxy_servers ----


@pytest.fixture
def windows_requests(windows, monkeypatch: pytest.MonkeyPatch):
    """requests as on Windows: getproxies() is the variables, else the registry.

    That is urllib's own win32 definition; the registry is the fake one.
    """
    import urllib.request

    import requests.utils

    def getproxies() -> dict:
        return (
            urllib.request.getproxies_environment() or osproxy.windows_proxies().proxies
        )

    monkeypatch.setattr(requests.utils, "getproxies", getproxies)
    monkeypatch.setenv("SHELL", "/bin/bash")
    return windows


def chosen_proxy(url: str, proxy_servers: dict[str, str]) -> str | None:
    """The proxy a session with conda's proxy_servers sends url through, as requests picks."""
    import requests
    from requests.utils import select_proxy

    session = requests.Session()
    session.proxies.update(proxy_servers)
    settings = session.merge_environment_settings(url, {}, None, None, None)
    return select_proxy(url, settings["proxies"])


def run_export(fix: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Do what the shell does with the `export NAME=VALUE` line printed in fix."""
    import shlex

    (line,) = re.findall(r"export [^\s;]+", fix)
    name, value = shlex.split(line)[1].split("=", 1)
    monkeypatch.setenv(name, value)


URL = "https://conda.example/conda-forge/noarch/repodata.json"


def test_the_os_proxy_wins_over_proxy_servers_and_the_printed_line_over_it(
    windows_requests, monkeypatch
):
    windows_requests(ProxyEnable=1, ProxyServer="proxy.corp:8080")
    configured = {"https": "http://team.corp:3128"}
    assert chosen_proxy(URL, configured) == "http://proxy.corp:8080"
    (finding,) = proxylint.os_overridden(NetConfig(proxy_servers=configured))
    assert finding.check == "proxy_servers.https"
    assert finding.status.value == "warning"
    assert "is overridden by Windows Internet Options" in finding.summary
    assert "conda uses http://proxy.corp:8080, not http://team.corp:3128" in (
        finding.summary
    )
    run_export(finding.fix, monkeypatch)
    assert chosen_proxy(URL, configured) == "http://team.corp:3128"


def test_a_fix_for_an_os_proxy_works_where_proxy_servers_would_not(
    windows_requests, monkeypatch
):
    from conda_netcheck.config.commands import Commands
    from conda_netcheck.config.sources import ProxySource, ProxySourceKind

    windows_requests(ProxyEnable=1, ProxyServer="proxy.corp:8080")
    source = ProxySource(ProxySourceKind.OS, osproxy.WINDOWS_SOURCE)
    line = Commands().set_proxy(URL, "http://right.corp:3128", source)
    assert line == "export HTTPS_PROXY=http://right.corp:3128"
    # What a proxy_servers fix would have done: nothing.
    assert chosen_proxy(URL, {"https": "http://right.corp:3128"}) == (
        "http://proxy.corp:8080"
    )
    run_export(line, monkeypatch)
    assert chosen_proxy(URL, {}) == "http://right.corp:3128"


def test_dropping_an_os_proxy_names_the_host_in_no_proxy(windows_requests, monkeypatch):
    from conda_netcheck.config.commands import Commands
    from conda_netcheck.config.sources import ProxySource, ProxySourceKind

    windows_requests(ProxyEnable=1, ProxyServer="proxy.corp:8080")
    source = ProxySource(ProxySourceKind.OS, osproxy.WINDOWS_SOURCE)
    line = Commands().drop_proxy(URL, source)
    assert line == "export NO_PROXY=conda.example"
    run_export(line, monkeypatch)
    assert chosen_proxy(URL, {}) is None


def test_no_override_finding_when_a_variable_hides_the_os_settings(windows_requests):
    windows_requests(ProxyEnable=1, ProxyServer="proxy.corp:8080")
    cfg = NetConfig(
        proxy_servers={"https": "http://team.corp:3128"},
        env={"HTTPS_PROXY": "http://team.corp:3128"},
    )
    assert proxylint.os_overridden(cfg) == []


def test_override_finding_never_prints_the_proxy_password(windows_requests):
    from conda_netcheck.model import Report
    from conda_netcheck.output import render

    windows_requests(ProxyEnable=1, ProxyServer="proxy.corp:8080")
    password = "Pl4nted-Pr0xy-Pw"
    cfg = NetConfig(proxy_servers={"https": f"http://bob:{password}@team.corp:3128"})
    (finding,) = proxylint.os_overridden(cfg)
    assert "export HTTPS_PROXY='http://USER:<password>@team.corp:3128'" in finding.fix
    outputs = [
        finding.summary,
        finding.fix,
        "\n".join(render.finding_lines(finding, verbose=True)),
        render.to_json(Report(findings=[finding])),
    ]
    assert not [text for text in outputs if password in text or "bob" in text]


# -- Whether the environment has a proxy, as urllib decides (then the OS's is unread) --


@pytest.mark.parametrize(
    "variables",
    [
        pytest.param({}, id="none"),
        pytest.param({"HTTP_PROXY": ""}, id="upper-empty"),
        pytest.param({"https_proxy": ""}, id="lower-empty"),
        pytest.param(
            {"HTTP_PROXY": "", "https_proxy": "", "ALL_PROXY": ""}, id="all-empty"
        ),
        pytest.param({"HTTP_PROXY": "http://p.test:3128"}, id="upper-set"),
        pytest.param({"https_proxy": "http://p.test:3128"}, id="lower-set"),
        pytest.param({"no_proxy": "example.org"}, id="no-proxy-only"),
        pytest.param({"FTP_PROXY": "http://p.test:3128"}, id="ftp"),
        pytest.param(
            {"HTTPS_PROXY": "http://p.test:3128", "https_proxy": ""},
            id="lower-empty-switches-upper-off",
        ),
        pytest.param(
            {"HTTPS_PROXY": "http://p.test:3128", "https_proxy": "", "http_proxy": "x"},
            id="switched-off-but-another-set",
        ),
        pytest.param({"PROXY": "http://p.test:3128"}, id="not-a-proxy-variable"),
    ],
)
def test_the_environment_has_a_proxy_when_urllib_finds_one(variables, monkeypatch):
    import os
    import urllib.request

    for name in list(os.environ):
        if name.lower().endswith("_proxy") or name == "REQUEST_METHOD":
            monkeypatch.delenv(name)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    urllib_has = bool(urllib.request.getproxies_environment())
    assert osproxy.environment_has_proxy(dict(variables)) is urllib_has
    assert osproxy.environment_has_proxy() is urllib_has


def test_a_pac_script_fix_gives_the_proxy_it_names_as_the_command(windows, monkeypatch):
    from conda_netcheck.config.proxylint import lint_proxies

    monkeypatch.setenv("SHELL", "/bin/bash")
    windows(ProxyEnable=0, AutoConfigURL="http://wpad.corp/proxy.pac")
    (finding,) = osproxy.pac_findings(NetConfig())
    line = "conda config --set proxy_servers.https http://PROXY_HOST:PORT"
    assert finding.commands.lines == (line,)
    assert finding.commands.needs == ("PROXY_HOST:PORT",)
    assert f"names for the channel's host: {line}; or run" in finding.fix
    (finding,) = lint_proxies(
        NetConfig(env={"HTTPS_PROXY": "http://wpad.corp/wpad.dat"})
    )
    assert finding.commands.lines == ("export HTTPS_PROXY=http://PROXY_HOST:PORT",)
