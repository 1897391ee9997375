"""Fail, fix, conda works: then `conda netcheck` says the last failure is gone (exit 0).

Real conda subprocesses against local channels, on each supported release.
conda 26.7 records the failure itself (its exception observer); conda 24.11
has no observers, so the record another conda 26.7 would leave in the shared
data directory is written for it, with the URL 26.7 records in that case.
"""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest
from conftest import has_plugin_type, needs_conda
from support.channel_faults import make_real_channel
from support.servers import channel_server, closed_port, server_tls_context
from test_last_failure import (
    RECORD,
    SECRET,
    TOKEN,
    assert_no_secret,
    channels,
    conda,
    conda_env,
    record_of,
)

if TYPE_CHECKING:
    from pathlib import Path


pytestmark = needs_conda

OBSERVERS = has_plugin_type("CondaExceptionObserver")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


def hang_up(request) -> bool:
    """Close every connection without an answer: conda's HTTP 000 CONNECTION FAILED."""
    request.close_connection = True
    return True


def env_for(home: Path, condarc: dict, **extra: str) -> dict[str, str]:
    env = conda_env(home, condarc, **extra)
    env.pop("CURL_CA_BUNDLE", None)  # would override ssl_verify (a finding of its own)
    return env


def failed(env: dict[str, str], home: Path, argv: list[str], url: str) -> str:
    """Run a conda command that must fail; the URL the record holds."""
    proc = conda(env, *argv)
    assert proc.returncode != 0, proc.stdout + proc.stderr
    if OBSERVERS:
        return record_of(home)["url"]
    from conda_netcheck.failure.record import LastFailure, Link, save
    from conda_netcheck.redact import REDACTOR

    REDACTOR.add_url_credentials(url)
    save(
        LastFailure(
            when=time.time(),
            command="conda " + " ".join(argv),
            url=REDACTOR.url(url),
            chain=(Link("CondaHTTPError", "HTTP 000 CONNECTION FAILED"),),
            conda_version="26.7.1",
        ),
        home / "data" / "conda" / RECORD,
    )
    return REDACTOR.url(url)


def netcheck(env: dict[str, str], *argv: str) -> tuple[int, str, dict]:
    """`conda netcheck` in text, then in JSON: exit status, text, document."""
    text = conda(env, "netcheck", "--timeout", "3", *argv)
    document = json.loads(conda(env, "netcheck", "--json", "--timeout", "3").stdout)
    assert_no_secret(text.stdout, text.stderr, json.dumps(document))
    return text.returncode, text.stdout, document


@contextmanager
def configured_channel_failed(home: Path, tmp_path: Path):
    """A configured channel whose `conda search` failed (recorded), and another that works."""
    channel = make_real_channel(tmp_path / "channel", shards=False)
    other = make_real_channel(tmp_path / "other", shards=False)
    with (
        channel_server(channel.root) as server,
        channel_server(other.root) as elsewhere,
    ):
        env = env_for(home, channels(server.url))
        server.behaviour.handler = hang_up
        failed(
            env,
            home,
            ["search", "netcheck-demo"],
            f"{server.url}/linux-64/repodata.json",
        )
        yield env, server, elsewhere


def works(env: dict[str, str], *argv: str) -> None:
    proc = conda(env, *argv)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_shards_record_is_gone_once_conda_falls_back_to_repodata_json(
    home, tmp_path, ca, ca_bundle
):
    # A channel with no sharded index: after the fix, the recorded
    # repodata_shards.msgpack.zst answers 404 and conda reads repodata.json.
    channel = make_real_channel(tmp_path / "channel", shards=False)
    tls = server_tls_context(ca.issue_cert("127.0.0.1"))
    with channel_server(channel.root, tls=tls) as server:
        search = ["search", "netcheck-demo"]
        env = env_for(home, channels(server.url))  # the test CA is not trusted yet
        url = failed(
            env, home, search, f"{server.url}/linux-64/{'repodata_shards.msgpack.zst'}"
        )
        assert url.endswith("/repodata_shards.msgpack.zst")

        env = env_for(home, {**channels(server.url), "ssl_verify": ca_bundle})
        status, text, document = netcheck(env)
        assert status == 0, text
        assert f"it no longer fails: {url} answers now" in text
        assert "http-not-found" not in text
        assert document["last_failure"]["still_failing"] is False
        assert document["ok"] is True
        if OBSERVERS:  # conda doctor's check follows the same fallbacks
            doctor = conda(env, "doctor", "network-last-failure")
            assert "no longer happens" in doctor.stdout, doctor.stdout
        works(env, *search)


def test_a_current_repodata_record_is_gone_once_repodata_json_answers(home, tmp_path):
    channel = make_real_channel(tmp_path / "channel", shards=False)
    with channel_server(channel.root) as server:
        create = ["create", "--dry-run", "-p", str(tmp_path / "env"), "netcheck-demo"]
        env = env_for(home, channels(server.url))
        server.behaviour.handler = hang_up
        url = failed(env, home, create, f"{server.url}/linux-64/current_repodata.json")
        assert url.endswith("/current_repodata.json")

        server.behaviour.handler = None  # the server is fixed
        status, text, document = netcheck(env)
        assert status == 0, text
        assert f"it no longer fails: {url} answers now" in text
        assert document["last_failure"]["still_failing"] is False
        proc = conda(env, *create)
        assert "DryRunExit" in proc.stdout + proc.stderr, proc.stderr


def test_a_url_with_a_password_and_a_token_is_checked_with_its_configured_secrets(
    home, tmp_path
):
    root = tmp_path / "served"
    make_real_channel(root / "t" / TOKEN / "demo", shards=False)
    with channel_server(root) as server:
        url = f"http://user:{SECRET}@127.0.0.1:{server.port}/t/{TOKEN}/demo"
        # channel_alias elsewhere: conda would read the channel under the alias.
        settings = {**channels(url), "channel_alias": f"{server.url}/alias"}
        env = env_for(home, settings)
        server.behaviour.status = 500
        recorded = failed(
            env, home, ["search", "netcheck-demo"], f"{url}/linux-64/repodata.json"
        )
        assert "<TOKEN>" in recorded
        assert_no_secret(recorded)

        server.behaviour.status = None
        server.behaviour.requests.clear()
        status, text, document = netcheck(env)
        assert status == 0, text
        assert "config-invalid" not in text
        assert "it no longer fails" in text
        assert document["last_failure"]["still_failing"] is False
        # The re-check sent what conda sends: the token in the path.
        paths = [path for path, _ in server.behaviour.requests]
        assert any(p.startswith(f"/t/{TOKEN}/demo/linux-64/repodata") for p in paths), (
            paths
        )
        works(env, "search", "netcheck-demo")


def test_a_url_no_longer_configured_does_not_fail_the_run_and_points_at_forget(
    home, tmp_path
):
    channel = make_real_channel(tmp_path / "channel", shards=False)
    with channel_server(channel.root) as server:
        typo = f"http://127.0.0.1:{closed_port()}"  # the port mistyped
        env = env_for(home, channels(typo))
        recorded = failed(
            env, home, ["search", "netcheck-demo"], f"{typo}/linux-64/repodata.json"
        )

        env = env_for(home, channels(server.url))  # the port corrected
        status, text, document = netcheck(env)
        assert status == 0, text
        assert f"{recorded} is no longer configured" in text
        assert "`conda netcheck --forget` clears this record" in text
        assert document["last_failure"]["configured"] is False
        assert document["last_failure"]["still_failing"] is None
        assert document["ok"] is True
        if OBSERVERS:  # the doctor check exists where conda records failures
            doctor = conda(env, "doctor", "-v")
            assert "no longer configured" in doctor.stdout, doctor.stdout
        works(env, "search", "netcheck-demo")


def test_a_channel_the_failed_command_named_with_c_is_still_checked(home, tmp_path):
    """Not configured, but the command that failed asks it again: not 'no longer configured'."""
    channel = make_real_channel(tmp_path / "channel", shards=False)
    with channel_server(channel.root) as server:
        typo = f"http://127.0.0.1:{closed_port()}/mirror"
        env = env_for(home, channels(server.url))  # the configured channel works
        search = ["search", "--override-channels", "-c", typo, "netcheck-demo"]
        failed(env, home, search, f"{typo}/linux-64/repodata.json")

        status, text, document = netcheck(env)
        assert status == 1, text  # running the command again fails again
        assert "no longer configured" not in text
        assert document["last_failure"]["configured"] is True
        assert document["last_failure"]["still_failing"] is True
        assert document["last_failure"]["target"]["diagnosis"] == "connection-refused"
        assert conda(env, *search).returncode != 0  # conda agrees

        works(env, "netcheck", "--forget")
        status, text, _ = netcheck(env)
        assert status == 0, text


def test_a_configured_failure_is_checked_when_other_channels_are_named(home, tmp_path):
    """`conda netcheck URL` checks URL, and the recorded failure of a configured channel."""
    with configured_channel_failed(home, tmp_path) as (env, server, elsewhere):
        status, text, _ = netcheck(env, elsewhere.url)
        assert status == 1, text  # conda search still fails on the configured channel
        assert "no longer configured" not in text
        assert "it still fails" in text
        assert conda(env, "search", "netcheck-demo").returncode != 0

        server.behaviour.handler = None  # the server is fixed
        status, text, _ = netcheck(env, elsewhere.url)
        assert status == 0, text
        assert "it no longer fails" in text


def test_a_command_that_works_on_the_failing_channel_clears_the_record(home, tmp_path):
    with configured_channel_failed(home, tmp_path) as (env, server, elsewhere):
        server.behaviour.handler = None
        record = home / "data" / "conda" / RECORD

        # A command that works elsewhere says nothing about this channel.
        works(
            env, "search", "--override-channels", "-c", elsewhere.url, "netcheck-demo"
        )
        assert record.exists()

        works(env, "search", "netcheck-demo")
        assert not record.exists()
        status, text, document = netcheck(env)
    assert status == 0, text
    assert "The last failure" not in text
    assert document["last_failure"] is None


def test_the_recheck_of_a_black_holed_host_runs_beside_the_channels(home):
    """One connect timeout for both, not one after the other (10 s and more)."""
    from support.servers import full_backlog_server

    from conda_netcheck.failure.record import LastFailure, Link, save

    with full_backlog_server() as port:
        url = f"http://127.0.0.1:{port}/demo"
        env = env_for(home, channels(url))
        save(
            LastFailure(
                time.time(),
                "conda search netcheck-demo",
                f"{url}/noarch/repodata_shards.msgpack.zst",
                (Link("CondaHTTPError", "HTTP 000 CONNECTION FAILED"),),
            ),
            home / "data" / "conda" / RECORD,
        )
        start = time.monotonic()
        text = conda(env, "netcheck", "--timeout", "5", "--index-only")
        elapsed = time.monotonic() - start
    assert text.returncode == 1
    assert "connect-timeout (tcp): the same cause as" in text.stdout, text.stdout
    # 5 s once, plus conda's start on a busy machine; one after the other: 10 s.
    assert elapsed < 9.5, f"{elapsed:.1f} s"


class _Terminal:
    """A stderr that says it is a terminal, to see the live line."""

    def __init__(self) -> None:
        self.written = ""

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> None:
        self.written += text

    def flush(self) -> None:
        pass


def test_the_live_line_counts_the_recheck(channel, monkeypatch, capsys):
    import argparse

    from conda_netcheck import cli
    from conda_netcheck.failure.record import LastFailure, Link
    from conda_netcheck.run import Arguments, from_environment

    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    recorded = LastFailure(
        time.time(),
        "conda search netcheck-demo",
        f"{channel.url}/noarch/repodata.json",
        (Link("CondaHTTPError", "HTTP 000 CONNECTION FAILED"),),
    )
    args = argparse.Namespace(
        json=False, allowlist=False, netcheck_verbose=0, report=None
    )
    built = from_environment(
        Arguments(names=(channel.url,), timeout=2, check_packages=False)
    )
    report = cli.run(built, args, recorded=recorded)
    assert "checked 3/3: " in terminal.written  # two channel URLs and the re-check
    assert report.last_failure.still_failing is False
    assert "it no longer fails" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("setting", "command", "cleared"),
    [
        ({}, "search", True),
        ({"offline": True}, "search", False),  # nothing was fetched
        ({"use_index_cache": True}, "install", False),  # the cache answered
        ({}, "list", False),  # not a command that fetches
    ],
    ids=["search", "offline", "index-cache", "list"],
)
def test_only_a_command_that_fetched_from_the_network_clears_the_record(
    tmp_path, monkeypatch, setting, command, cleared
):
    from conda.base.context import reset_context

    from conda_netcheck.failure.record import LastFailure, Link, record_path, save
    from conda_netcheck.plugin import conda_post_commands

    url = f"http://127.0.0.1:{closed_port()}/demo"
    rc = tmp_path / "condarc.yml"
    rc.write_text(json.dumps({**channels(url), **setting}))
    monkeypatch.setenv("CONDARC", str(rc))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    reset_context()
    try:
        save(
            LastFailure(
                time.time(),
                "conda search x",
                f"{url}/noarch/repodata.json",
                (Link("CondaHTTPError", "HTTP 000 CONNECTION FAILED"),),
            ),
            record_path(),
        )
        (post,) = conda_post_commands()
        if command in post.run_for:  # as conda's invoke_post_commands does
            post.action(command)
        assert record_path().exists() is not cleared
    finally:
        monkeypatch.undo()
        reset_context()


@pytest.mark.parametrize(
    ("command", "found"),
    [
        ("conda search -c http://h:1/m x", ["http://h:1/m"]),
        ("conda install --channel http://h:1/m/ x", ["http://h:1/m"]),
        ("conda install --channel=https://h/m x", ["https://h/m"]),
        ("conda install -chttp://h:1/m x", ["http://h:1/m"]),
        ("conda install -c conda-forge x", []),  # a name: conda expands it
        ("conda install -c", []),  # no value
        ("conda install 'x -c http://h:1/m", ["http://h:1/m"]),  # odd quoting
        ("conda install --override-channels x", []),
        ("conda install --channel=http://h/m?a=b x", ["http://h/m?a=b"]),  # first "="
        ("conda install -c http://h:1/MAX/ x", ["http://h:1/MAX"]),  # only slashes go
    ],
)
def test_the_channels_a_recorded_command_named(command, found):
    from conda_netcheck.failure.replay import command_channels

    assert command_channels(command) == found
