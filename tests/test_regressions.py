"""Pins for small realistic bugs that once slipped past the suite, one class each."""

from __future__ import annotations

import json
import os
import time
from typing import TYPE_CHECKING

import pytest
from conftest import needs_hints

from conda_netcheck.config.commands import Commands
from conda_netcheck.config.sources import ProxySource, ProxySourceKind
from conda_netcheck.model import (
    Code,
    Layer,
    Options,
    Problem,
    Target,
    TargetResult,
)

if TYPE_CHECKING:
    from pathlib import Path


def test_target_with_error_and_warnings_is_led_by_the_error():
    from conda_netcheck.output import render

    result = TargetResult(
        Target("https://h/c/noarch", "https://h/c", "noarch"),
        problem=Problem(Code.HTTP_NOT_FOUND, Layer.HTTP, "404 on repodata.json"),
        warnings=[Problem(Code.SLOW, Layer.HTTP, "the answer took 6.0 s")],
    )
    lines = render.target_lines(result)
    assert lines[0].startswith("❌ https://h/c/noarch")
    assert lines[1] == "    http-not-found (http): 404 on repodata.json"
    assert result.headline.code is Code.HTTP_NOT_FOUND
    document = json.loads(render.to_json(_report(result)))
    assert document["targets"][0]["diagnosis"] == "http-not-found"
    assert document["targets"][0]["status"] == "error"


def _report(result: TargetResult):
    from conda_netcheck.model import Report

    return Report(targets=[result], netcheck_version="test")


@pytest.mark.parametrize("code", [Code.CONNECTION_REFUSED, Code.DNS_FAILURE])
def test_proxy_hint_for_an_https_channel_names_the_https_key(code):
    from conda_netcheck.diagnosis.catalogue import fix_for

    target = Target("https://h.example/c/noarch", "c", "noarch", "x")
    fix = fix_for(Problem(code, Layer.TCP, "x"), target, Commands())
    assert "proxy_servers.https http://PROXY_HOST:PORT" in fix
    assert "proxy_servers.http " not in fix


def test_proxy_fix_keeps_the_key_where_the_proxy_was_set():
    from conda_netcheck.diagnosis.catalogue import fix_for

    target = Target("http://h/c/noarch", "c", "noarch")
    target.proxy = "http://10.0.0.1:3128"
    target.proxy_source = ProxySource(ProxySourceKind.SETTING, "https")
    fix = fix_for(
        Problem(Code.PROXY_AUTH_FAILED, Layer.PROXY, "407"), target, Commands()
    )
    assert "proxy_servers.https 'http://USER:<password>@10.0.0.1:3128'" in fix


LOGIN = b"<!DOCTYPE html>\n<html><head><title>Sign in - Portal</title></head>"


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/json", "", "text/html; charset=utf-8"]
)
@pytest.mark.parametrize("body", [LOGIN, b"\n\n  " + LOGIN], ids=["bare", "indented"])
def test_login_page_is_called_html_whatever_its_content_type(content_type, body):
    from conda_netcheck.diagnosis.http_answer import content_problem
    from conda_netcheck.probes import content

    problem = content_problem(content.inspect("repodata.json", content_type, body))
    assert problem.code is Code.NOT_A_CHANNEL
    assert "an HTML page titled 'Sign in - Portal'" in problem.summary


def test_clock_skew_threshold_is_five_minutes(channel):
    from conda_netcheck.config.routes import standalone_route
    from conda_netcheck.diagnosis.runner import diagnose

    targets = [Target(channel.url + "/noarch", channel.url, "noarch")]
    assert Options(commands=Commands()).skew_seconds == 300
    channel.behaviour.date_offset = 10 * 60  # the server is ten minutes ahead
    [result] = diagnose(
        targets,
        standalone_route,
        Options(commands=Commands(), connect_timeout=1, read_timeout=1),
    )
    assert [w.code for w in result.warnings] == [Code.CLOCK_SKEW]
    channel.behaviour.date_offset = 3 * 60
    [result] = diagnose(
        targets,
        standalone_route,
        Options(commands=Commands(), connect_timeout=1, read_timeout=1),
    )
    assert result.warnings == []


def test_condarc_edit_fsyncs_the_new_file_before_the_rename(tmp_path, monkeypatch):
    """Durability: the temp file's data is on disk before it replaces the .condarc.

    A spy on os.fsync: no peer can show whether bytes reached the disk.
    """
    from conda_netcheck.fix.condarc import plan_set

    path = tmp_path / ".condarc"
    path.write_text("channels:\n  - conda-forge\n")
    synced: list[tuple[str, bytes | None]] = []
    real_fsync = os.fsync

    def spy(fd: int) -> None:
        target = os.readlink(f"/proc/self/fd/{fd}")
        data = open(target, "rb").read() if os.path.isfile(target) else None
        synced.append((target, data))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", spy)
    change = plan_set(path, "ssl_verify", "truststore")
    change.apply(backup=False)
    assert "ssl_verify: truststore" in path.read_text()
    files = [(p, d) for p, d in synced if d is not None]
    assert files, "the new file was never fsynced"
    temp, data = files[-1]
    assert os.path.dirname(temp) == str(tmp_path) and temp != str(path)
    assert data == path.read_bytes()  # what was synced is what replaced the file
    assert str(tmp_path) in [p for p, d in synced if d is None]  # and the directory


@needs_hints
def test_ssl_error_keeps_its_netcheck_hint():
    from conda.exceptions import CondaSSLError

    from conda_netcheck.failure.hints import error_hints

    hints = list(error_hints(CondaSSLError("certificate verify failed")))
    assert hints and "conda netcheck" in hints[0].text


@pytest.fixture
def condarc_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from conda.base.context import reset_context

    def write(text: str) -> None:
        path = tmp_path / "condarc.yml"
        path.write_text(
            "channels: [http://127.0.0.1:9/c]\ndefault_channels: [http://127.0.0.1:9/c]\n"
            "channel_alias: http://127.0.0.1:9\n" + text
        )
        monkeypatch.setenv("HOME", str(tmp_path))
        monkeypatch.setenv("CONDARC", str(path))
        reset_context()

    yield write
    monkeypatch.delenv("CONDARC")
    reset_context()


@needs_hints
def test_warning_findings_are_kept_in_the_hints(condarc_file):
    from conda.exceptions import CondaHTTPError

    from conda_netcheck.failure.hints import error_hints

    condarc_file("ssl_verify: false\nremote_read_timeout_secs: 1\n")
    error = CondaHTTPError("HTTP 000", "http://127.0.0.1:9/c", 0, "", 0, 0)
    texts = [h.text for h in error_hints(error)]
    assert any("ssl_verify" in t and "truststore" in t for t in texts), texts
    assert any("remote_read_timeout_secs" in t for t in texts), texts


def test_diagnose_returns_at_its_deadline_even_if_a_worker_hangs():
    """The workers are daemon threads: a stuck probe cannot hold the run."""
    from conda_netcheck.diagnosis.runner import diagnose
    from conda_netcheck.model import Route

    def route_for(url: str) -> Route:
        time.sleep(60)  # a probe that never returns in time
        raise AssertionError("unreachable")

    options = Options(commands=Commands(), connect_timeout=0.5, read_timeout=0.5)
    started = time.monotonic()
    [result] = diagnose(
        [Target("http://h/c/noarch", "c", "noarch")], route_for, options
    )
    assert time.monotonic() - started < options.deadline + 1
    # conda would wait 60 s: undecided, not unreachable
    assert result.problem.code is Code.NO_ANSWER_YET
    assert "run's limit" in result.problem.summary


def test_a_bug_in_a_probe_is_that_targets_finding_not_a_timeout(channel):
    """An exception in the HTTP worker thread is netcheck's error, named as such."""
    from conda_netcheck.diagnosis.runner import diagnose
    from conda_netcheck.model import Route

    def route_for(url: str) -> Route:
        return Route(session=object())  # has no .get: a bug, not the network

    targets = [
        Target(channel.url + "/noarch", channel.url, "noarch"),
        Target(channel.url + "/linux-64", channel.url, "linux-64"),
    ]
    results = diagnose(
        targets,
        route_for,
        Options(commands=Commands(), connect_timeout=1, read_timeout=1),
    )
    assert [r.problem.code for r in results] == [Code.INTERNAL_ERROR] * 2
    assert "AttributeError" in results[0].problem.summary


def test_a_bug_in_a_package_check_sent_beside_others_is_that_targets_finding(
    real_channel,
):
    """The package checks run in threads of their own: a bug there is still named."""
    from support.servers import channel_server

    from conda_netcheck.config.routes import standalone_route
    from conda_netcheck.diagnosis.runner import diagnose
    from conda_netcheck.model import Route

    def route_for(url: str) -> Route:
        if url.endswith((".conda", ".tar.bz2")):
            return Route(session=object())  # has no .get: a bug, not the network
        return standalone_route(url)

    with channel_server(real_channel.root) as server:
        target = Target(server.url + "/noarch", server.url, "noarch")
        options = Options(
            commands=Commands(),
            connect_timeout=1,
            read_timeout=2,
            filenames=("repodata.json",),
        )
        (result,) = diagnose([target], route_for, options)
    assert result.problem is not None
    assert result.problem.code is Code.INTERNAL_ERROR
    assert "AttributeError" in result.problem.summary


@pytest.fixture
def real_channel(tmp_path: Path):
    """A channel with one real .conda and one real .tar.bz2 (fetched at once)."""
    from support.channel_faults import make_real_channel

    return make_real_channel(tmp_path / "real")


def test_a_flow_style_condarc_makes_no_host_a_secret():
    """A .condarc written as one JSON line must not hide its hosts from the output."""
    import json

    from conda_netcheck.config.secrets import register_text
    from conda_netcheck.redact import Redactor

    proxy = "http://alice:Pr0xy-Secret-42@127.0.0.1:35041"
    text = json.dumps(
        {"channels": ["https://127.0.0.1:4443"], "proxy_servers": {"https": proxy}}
    )
    redactor = Redactor()
    register_text(text, redactor)
    shown = redactor.text(f"the proxy 127.0.0.1:35041 refused; {proxy}")
    assert "Pr0xy-Secret-42" not in shown
    assert shown.startswith("the proxy 127.0.0.1:35041 refused")


@pytest.mark.parametrize("conda", [True, False], ids=["conda", "no-conda"])
@pytest.mark.parametrize(
    "kind, name, scheme, variable",
    [
        ("os", "Windows Internet Options", "https", "HTTPS_PROXY"),
        ("environment", "", "http", "HTTP_PROXY"),
    ],
)
def test_an_unusable_os_proxy_gets_the_variable_that_overrides_it(
    kind, name, scheme, variable, conda
):
    """requests prefers the OS settings to proxy_servers: only a variable wins.

    A proxy_servers fix (printed here once) changed nothing: requests merges
    getproxies() (the variables, else the OS settings) over the session's
    proxies. tests/test_osproxy.py shows both through requests itself.
    """
    from conda_netcheck.config.commands import Commands, Shell
    from conda_netcheck.config.sources import ProxySource, ProxySourceKind
    from conda_netcheck.diagnosis.proxy import unusable_proxy
    from conda_netcheck.model import Route

    route = Route(
        session=None,
        proxy="localhost:3128",  # requests reads the scheme as "localhost"
        proxy_source=ProxySource(ProxySourceKind(kind), name),
    )
    commands = Commands(conda=conda, shell=Shell.POSIX)
    problem = unusable_proxy(route, scheme, commands)
    assert problem is not None
    assert problem.fix == f"export {variable}=http://localhost:3128"
    assert "proxy_servers" not in problem.fix
