"""`conda doctor` checks in conda's style, through real conda and local channels."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from conftest import HAS_CONDA, needs_conda
from support.servers import closed_port

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = needs_conda

OK, X = "✅", "❌"
WARN = "⚠️ "  # conda_netcheck.output.render.WARN_MARK


def _conda_at_least(major: int, minor: int) -> bool:
    from conda import __version__

    return tuple(int(p) for p in __version__.split(".")[:2]) >= (major, minor)


needs_doctor_selection = pytest.mark.skipif(
    HAS_CONDA and not _conda_at_least(26, 1),
    reason="needs conda >= 26.1 (doctor runs named checks)",
)
needs_observers = pytest.mark.skipif(
    HAS_CONDA and not _conda_at_least(26, 7),
    reason="needs conda >= 26.7 (exception observers, network-last-failure)",
)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A private HOME, data directory and .condarc; an empty environment to doctor."""
    from conda.base.context import reset_context

    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("CONDA_PKGS_DIRS", str(tmp_path / "pkgs"))
    prefix = tmp_path / "env"
    (prefix / "conda-meta").mkdir(parents=True)
    (prefix / "conda-meta" / "history").touch()

    def write(channels: list[str], **settings) -> str:
        urls = [c for c in channels if "://" in c] or ["http://127.0.0.1:9"]
        settings = {
            "channels": channels,
            "default_channels": urls,
            "channel_alias": urls[0],
            **settings,
        }
        rc = tmp_path / "condarc"
        rc.write_text(json.dumps(settings))
        monkeypatch.setenv("CONDARC", str(rc))
        reset_context()
        return str(prefix)

    yield write
    reset_context()


def doctor(conda_cli, prefix: str, *argv: str) -> tuple[str, str]:
    out, err, _ = conda_cli("doctor", "--prefix", prefix, *argv)
    return out, err


def body(out: str) -> list[str]:
    """The lines after conda's report header."""
    return [line for line in out.splitlines()[1:] if line.strip()]


@needs_doctor_selection
def test_one_marked_line_per_channel_and_no_verdict(env, conda_cli, channel):
    refused = f"http://127.0.0.1:{closed_port()}/down"
    prefix = env([channel.url, refused])
    out, err = doctor(conda_cli, prefix, "channel-reachability")
    assert body(out) == [
        f"{OK} {channel.url}: reachable",
        f"{X} {refused}: 2 of 2 URLs fail at the tcp layer (connection-refused): "
        f"127.0.0.1:{refused.split(':')[2].split('/')[0]} refused the connection "
        "(nothing listens on that port, or a firewall rejects it)",
    ]
    assert "Verdict" not in out


@needs_doctor_selection
def test_a_channel_conda_cannot_expand_is_a_marked_line_not_a_silent_skip(
    env, conda_cli, channel
):
    broken = "http://127.0.0.1:99999/bad"
    prefix = env([channel.url, broken], default_channels=[channel.url])
    out, _ = doctor(conda_cli, prefix, "channel-reachability")
    lines = body(out)
    assert len(lines) == 2
    assert lines[0].startswith(f"{X} the channel {broken} (from ")
    assert "cannot be turned into URLs" in lines[0]
    assert lines[1] == f"{OK} {channel.url}: reachable"
    out, _ = doctor(conda_cli, prefix, "--verbose", "channel-reachability")
    assert "    fix: fix the URL (a port is a number up to 65535" in out


@needs_doctor_selection
def test_a_channel_conda_cannot_expand_never_shows_its_secrets(env, conda_cli, channel):
    password, token = "Pl4nted-Pw-77", "tk-Pl4nted-T0ken-88"
    broken = f"http://bob:{password}@127.0.0.1:99999/t/{token}/bad"
    prefix = env([channel.url, broken], default_channels=[channel.url])
    for argv in ((), ("--verbose",)):
        out, err = doctor(conda_cli, prefix, *argv, "channel-reachability")
        assert "cannot be turned into URLs" in out
        assert password not in out + err
        assert token not in out + err


@needs_doctor_selection
def test_verbose_adds_each_url_with_its_fix(env, conda_cli):
    refused = f"http://127.0.0.1:{closed_port()}/down"
    prefix = env([refused])
    out, _ = doctor(conda_cli, prefix, "--verbose", "channel-reachability")
    assert f"  {X} {refused}  (" in out
    assert "noarch" in out
    assert "      fix: check the port of" in out


@needs_doctor_selection
def test_no_channels_is_a_marked_line(env, conda_cli):
    prefix = env([])
    out, _ = doctor(conda_cli, prefix, "channel-reachability")
    assert body(out) == [
        f"{X} No channels are configured: conda has nothing to download from."
    ]


@needs_doctor_selection
def test_offline_is_left_to_network_config(env, conda_cli, channel):
    prefix = env([channel.url], offline=True)
    out, _ = doctor(conda_cli, prefix, "channel-reachability")
    assert body(out) == ["⚠️  Channels not checked: conda is in offline mode."]
    assert "offline-mode" not in out
    assert channel.behaviour.requests == []


def _record_failure(url: str) -> None:
    """What the observer records for a real requests failure wrapped as conda does."""
    import requests
    from conda.exceptions import CondaHTTPError

    from conda_netcheck.failure import record as lastfailure

    try:
        requests.get(url, timeout=2)
    except requests.RequestException as exc:
        error = CondaHTTPError("failed", url, None, None, None, caused_by=exc)
    else:
        error = CondaHTTPError("HTTP 500", url, 500, "Internal Server Error", "-")
    failure = lastfailure.from_exception(error, ["conda", "install", "numpy"], "26.7.1")
    lastfailure.save(failure, lastfailure.record_path())


@needs_observers
def test_last_failure_that_still_happens(env, conda_cli, channel):
    refused = f"http://127.0.0.1:{closed_port()}/down"
    prefix = env([channel.url, refused])
    _record_failure(f"{refused}/noarch/repodata.json")
    out, _ = doctor(conda_cli, prefix, "network-last-failure")
    (line,) = body(out)
    assert line.startswith(f"{X} The last failure (`conda install numpy`, just now)")
    assert "still happens at the tcp layer (connection-refused)" in line


@needs_observers
def test_last_failure_that_no_longer_happens(env, conda_cli, channel):
    prefix = env([channel.url])
    channel.behaviour.status = 500
    _record_failure(f"{channel.url}/noarch/repodata.json")
    channel.behaviour.status = None
    out, _ = doctor(conda_cli, prefix, "--verbose", "network-last-failure")
    lines = body(out)
    assert lines[0] == (
        f"{OK} The last failure (`conda install numpy`, just now) no longer happens: "
        f"{channel.url}/noarch/repodata.json answers now; "
        "`conda netcheck --forget` clears the record"
    )
    assert lines[1].startswith("    error: CondaHTTPError: HTTP 500")


@needs_observers
def test_last_failure_at_a_channel_no_longer_configured_is_ok(env, conda_cli, channel):
    typo = f"http://127.0.0.1:{closed_port()}/down"
    prefix = env([channel.url])  # the channel was corrected since
    _record_failure(f"{typo}/noarch/repodata.json")
    out, _ = doctor(conda_cli, prefix, "network-last-failure")
    (line,) = body(out)
    assert line == (
        f"{OK} The last failure (`conda install numpy`, just now) was at "
        f"{typo}/noarch/repodata.json, which is no longer configured; "
        "`conda netcheck --forget` clears the record"
    )


@needs_observers
def test_last_failure_at_a_server_slower_than_the_check_is_not_said_to_happen(
    env, conda_cli
):
    from support.servers import silent_server

    with silent_server() as port:
        url = f"http://127.0.0.1:{port}/slow"
        # The check waits 1 s; conda would wait 60 s (its default).
        prefix = env([url], plugins={"netcheck_timeout": 1})
        _record_failure(f"{url}/noarch/repodata.json")
        out, _ = doctor(conda_cli, prefix, "network-last-failure")
    (line,) = body(out)
    assert line.startswith(
        f"{WARN} The last failure (`conda install numpy`, just now) is not known to "
        "happen again (no-answer-yet): "
    ), line
    assert "conda would wait up to 60 s" in line


@needs_observers
def test_no_record_is_one_ok_line(env, conda_cli, channel):
    prefix = env([channel.url])
    out, _ = doctor(conda_cli, prefix, "network-last-failure")
    assert body(out) == [f"{OK} No network failure was recorded in the last 24 hours."]


@needs_doctor_selection
def test_doctor_json_gets_only_the_marked_lines(env, conda_cli, channel):
    prefix = env([channel.url])
    out, err = doctor(
        conda_cli, prefix, "--json", "network-config", "channel-reachability"
    )
    assert all(line[:1] in (OK, X, "⚠") for line in body(out)), out
    assert err == ""


@needs_doctor_selection
def test_verbose_fix_edits_the_file_that_sets_the_proxy(
    env, conda_cli, channel, tmp_path, monkeypatch
):
    """proxy_servers set in $CONDA_PREFIX/.condarc: a bare `conda config` would change nothing."""
    dead = f"http://127.0.0.1:{closed_port()}"
    prefix = tmp_path / "env"
    rc = prefix / ".condarc"  # the env fixture made the environment
    rc.write_text(json.dumps({"proxy_servers": {"http": dead}}))
    monkeypatch.setenv("CONDA_PREFIX", str(prefix))
    env([channel.url])
    out, _ = doctor(conda_cli, str(prefix), "--verbose", "channel-reachability")
    assert f"conda config --file {rc} --set proxy_servers.http" in out
    assert f"conda config --file {rc} --remove-key proxy_servers.http" in out
    assert "conda config --set proxy_servers" not in out
    netcheck, _, _ = conda_cli("netcheck", "--timeout", "1")
    assert f"conda config --file {rc} --set proxy_servers.http" in netcheck


@needs_doctor_selection
def test_verbose_says_a_cause_shared_by_the_subdirs_once(env, conda_cli, monkeypatch):
    """Two subdirs refused the same way: one block with both, as `conda netcheck` prints."""
    monkeypatch.setenv("CONDA_SUBDIR", "linux-64")
    refused = f"http://127.0.0.1:{closed_port()}/down"
    prefix = env([refused])
    out, _ = doctor(conda_cli, prefix, "--verbose", "channel-reachability")
    assert f"  {X} {refused}  (linux-64, noarch)" in out
    assert out.count("connection-refused (tcp)") == 1
    assert out.count("      fix: ") == 1


@needs_observers
def test_last_failure_is_not_checked_over_the_network_in_offline_mode(
    env, conda_cli, channel
):
    """offline: true: conda sends nothing, so neither does the re-check; it says why."""
    prefix = env([channel.url], offline=True)
    _record_failure(f"{channel.url}/noarch/repodata.json")
    channel.behaviour.requests.clear()
    out, _ = doctor(conda_cli, prefix, "--verbose", "network-last-failure")
    assert channel.behaviour.requests == []
    assert "(offline-mode)" in out
    assert "conda config --file " in out
