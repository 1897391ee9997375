"""`conda doctor --fix` and `conda netcheck --fix` on real .condarc files with real conda."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from conftest import HAS_CONDA, needs_conda

from conda_netcheck.fix.fixers import fixed_proxy_url, unset_line

if TYPE_CHECKING:
    from pathlib import Path


@pytest.mark.parametrize(
    ("url", "fixed", "why"),
    [
        ("localhost:3128", "http://localhost:3128", "scheme"),
        (
            "http://bob:p@ss@proxy:3128",
            "http://bob:p%40ss@proxy:3128",
            "percent-encode",
        ),
        (
            "http://bob:a/b?c#d@proxy:3128",
            "http://bob:a%2Fb%3Fc%23d@proxy:3128",
            "percent-encode",
        ),
        ("http://bob:good@proxy:3128", None, ""),
    ],
    ids=["no-scheme", "at-in-password", "slash-query-hash", "fine"],
)
def test_proxy_url_fixes(url, fixed, why):
    result, reason, _ = fixed_proxy_url(url, probe=lambda _: False)
    assert result == fixed
    assert why in reason


def test_https_proxy_is_downgraded_only_when_it_answers_plain_http():
    assert (
        fixed_proxy_url("https://proxy:3128", probe=lambda _: True)[0]
        == "http://proxy:3128"
    )
    assert fixed_proxy_url("https://proxy:3128", probe=lambda _: False)[0] is None


@pytest.mark.parametrize(
    ("shell", "line"),
    [
        ("posix", "unset REQUESTS_CA_BUNDLE"),
        ("fish", "set -e REQUESTS_CA_BUNDLE"),
        ("powershell", "Remove-Item Env:REQUESTS_CA_BUNDLE"),
        ("cmd", "set REQUESTS_CA_BUNDLE="),
    ],
)
def test_environment_fixes_are_shell_lines(shell, line):
    assert unset_line("REQUESTS_CA_BUNDLE", shell) == line


# -- with conda ---------------------------------------------------------------------


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    if not HAS_CONDA:
        pytest.skip("needs conda")
    from conda.base.context import reset_context

    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("CONDA_PKGS_DIRS", str(tmp_path / "pkgs"))
    monkeypatch.delenv("CONDARC", raising=False)
    yield home
    reset_context()


def write_condarc(home: Path, channel_url: str, extra: str) -> Path:
    from conda.base.context import reset_context

    path = home / ".condarc"
    path.write_text(
        "# my settings\n"
        f"channels:\n  - {channel_url}  # the only channel\n"
        f"default_channels:\n  - {channel_url}\n"
        f"channel_alias: {channel_url}\n"
        "\n" + extra
    )
    reset_context()
    return path


@needs_conda
def test_dry_run_shows_the_diff_and_changes_nothing(home, channel, conda_cli, tmp_path):
    path = write_condarc(home, channel.url, "proxy_servers:\n  http: localhost:3128\n")
    before = path.read_text()
    out, err, code = conda_cli("netcheck", "--fix", "--dry-run", "--timeout", "1")
    assert "+  http: http://localhost:3128" in out
    assert "(dry run: nothing changed)" in out
    assert path.read_text() == before


@needs_conda
def test_fix_turns_a_failing_proxy_scenario_into_a_passing_one(
    home, channel, conda_cli, tmp_path
):
    from support.proxies import proxypy_proxy

    with proxypy_proxy(tmp_path) as proxy:
        # "localhost:PORT" reads as scheme "localhost" to requests: unusable.
        path = write_condarc(
            home, channel.url, f"proxy_servers:\n  http: localhost:{proxy.port}\n"
        )
        document, _ = _json(conda_cli("netcheck", "--json", "--timeout", "1"))
        assert {t["diagnosis"] for t in document["targets"]} == {"proxy-misconfigured"}
        out, err, code = conda_cli("netcheck", "--fix", "--yes", "--timeout", "2")
        log = proxy.wait_for_log("repodata.json")
    text = path.read_text()
    assert f"http: http://localhost:{proxy.port}" in text
    assert "# my settings" in text and "# the only channel" in text
    assert "re-check: proxy_servers.http now passes" in out
    assert "After the fixes: Verdict: all 2 targets are reachable." in out
    assert "repodata.json" in log
    assert code == 0
    assert list(home.glob(".condarc.bak-*"))


@needs_conda
def test_proxy_password_fix_never_shows_the_password(home, channel, conda_cli):
    write_condarc(
        home, channel.url, "proxy_servers:\n  http: http://bob:S3cret@Pw@127.0.0.1:9\n"
    )
    out, err, code = conda_cli("netcheck", "--fix", "--dry-run", "--timeout", "1")
    assert "percent-encode" in out
    assert "S3cret" not in out + err
    assert "S3cret%40Pw" not in out  # the encoded password is masked as well


@needs_conda
def test_ssl_verify_false_becomes_truststore_when_the_os_store_verifies(
    home, channel_root, ca, ca_bundle, conda_cli, monkeypatch
):
    from support.servers import channel_server, server_tls_context

    monkeypatch.setenv("SSL_CERT_FILE", ca_bundle)  # plays the OS store for truststore
    with channel_server(
        channel_root, server_tls_context(ca.issue_cert("127.0.0.1"))
    ) as server:
        path = write_condarc(home, server.url, "ssl_verify: false\n")
        out, err, code = conda_cli("netcheck", "--fix", "--yes", "--timeout", "2")
    assert "ssl_verify: truststore" in path.read_text()
    assert "ssl_verify: false" not in path.read_text()
    assert "After the fixes: Verdict: all 2 targets are reachable." in out


@needs_conda
def test_offline_is_removed_only_from_the_file_that_sets_it(home, channel, conda_cli):
    path = write_condarc(home, channel.url, "offline: true\n")
    out, err, code = conda_cli("netcheck", "--fix", "--yes", "--timeout", "1")
    assert "offline" not in path.read_text()
    assert "re-check: offline now passes" in out
    assert code == 0


@needs_conda
def test_setting_from_an_environment_variable_gets_a_shell_line(
    home, channel, conda_cli, monkeypatch
):
    path = write_condarc(home, channel.url, "")
    monkeypatch.setenv("CONDA_OFFLINE", "true")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(home / "gone.pem"))
    before = path.read_text()
    out, err, code = conda_cli("netcheck", "--fix", "--yes", "--timeout", "1")
    assert "run this in your shell: unset CONDA_OFFLINE" in out
    assert "run this in your shell: unset REQUESTS_CA_BUNDLE" in out
    assert path.read_text() == before


@needs_conda
def test_doctor_fix_uses_the_same_fixes(home, channel, conda_cli, tmp_path):
    prefix = tmp_path / "env"
    (prefix / "conda-meta").mkdir(parents=True)
    (prefix / "conda-meta" / "history").touch()
    path = write_condarc(home, channel.url, "offline: true\n")
    from conda import __version__

    if tuple(int(p) for p in __version__.split(".")[:2]) < (26, 1):
        pytest.skip("conda doctor --fix needs conda >= 26.1")
    out, err, code = conda_cli(
        "doctor", "--prefix", str(prefix), "--fix", "--yes", "network-config"
    )
    assert "offline" not in path.read_text()
    assert "re-check: offline now passes" in out


@needs_conda
def test_a_symlinked_condarc_is_refused_and_left_alone(
    home, channel, conda_cli, tmp_path
):
    real = tmp_path / "real-condarc"
    write_condarc(home, channel.url, "offline: true\n")
    (home / ".condarc").rename(real)
    (home / ".condarc").symlink_to(real)
    from conda.base.context import reset_context

    reset_context()
    before = real.read_text()
    out, err, code = conda_cli("netcheck", "--fix", "--yes", "--timeout", "1")
    assert "symlink" in out
    assert real.read_text() == before
    assert code == 1


def _json(result):
    out, err, code = result
    return json.loads(out), code


@needs_conda
def test_each_change_is_confirmed_and_a_no_changes_nothing(
    home, channel, conda_cli, monkeypatch
):
    import io

    path = write_condarc(home, channel.url, "offline: true\n")
    before = path.read_text()
    monkeypatch.setattr("sys.stdin", io.StringIO("no\n"))
    out, err, code = conda_cli("netcheck", "--fix", "--timeout", "1")
    assert "skipped" in out
    assert path.read_text() == before


def _plugin_settings_loaded() -> None:
    """Read the plugin settings of the file just written (conda keeps the first it read)."""
    from conda.base.context import context

    context.__dict__.pop("plugins", None)


@needs_conda
def test_the_check_after_the_fixes_still_covers_the_extra_urls(
    home, channel, conda_cli, tmp_path
):
    """The re-check is the same run: an extra URL that still fails keeps the exit 1."""
    from support.proxies import proxypy_proxy
    from support.servers import closed_port

    mirror = f"http://127.0.0.1:{closed_port()}/mirror"
    with proxypy_proxy(tmp_path) as proxy:
        write_condarc(
            home,
            channel.url,
            f"proxy_servers:\n  http: localhost:{proxy.port}\n"
            f"plugins:\n  netcheck_extra_urls:\n    - {mirror}\n",
        )
        _plugin_settings_loaded()
        out, err, code = conda_cli("netcheck", "--fix", "--yes", "--timeout", "2")
    assert "re-check: proxy_servers.http now passes" in out
    after = out.split("After the fixes: ")[1]
    assert "all 2 targets are reachable" not in after
    assert f"{mirror}" in after
    assert code == 1


@needs_conda
def test_two_fixes_in_the_same_file_both_apply(home, channel, conda_cli):
    path = write_condarc(
        home,
        channel.url,
        "proxy_servers:\n  http: localhost:9  # office\noffline: true\n",
    )
    out, err, code = conda_cli("netcheck", "--fix", "--yes", "--timeout", "1")
    text = path.read_text()
    assert "http: http://localhost:9" in text and "# office" in text, out
    assert "offline" not in text, out
    assert "changed since" not in out
    # One backup per file per run: the file as it was before the first change.
    (backup,) = home.glob(".condarc.bak-*")
    assert "offline: true" in backup.read_text()
    # localhost:9 answers nothing: what is left is shown with its fix.
    after = out.split("After the fixes: ")[1]
    assert "proxy-unreachable" in after
    assert "fix: " in after


@needs_conda
def test_problems_no_fixer_may_touch_are_pointed_at(home, conda_cli):
    from support.servers import closed_port

    url = f"http://127.0.0.1:{closed_port()}/team"
    path = write_condarc(home, url, "")
    before = path.read_text()
    out, err, code = conda_cli("netcheck", "--fix", "--yes", "--timeout", "1")
    assert "Nothing to fix." not in out
    assert "Nothing can be fixed automatically; these need a person:" in out
    assert f"- {url}: connection-refused: check the port of 127.0.0.1:" in out
    assert path.read_text() == before
    assert code == 1


@needs_conda
def test_missing_ssl_verify_bundle_becomes_truststore_when_it_verifies(
    home, channel_root, ca, ca_bundle, conda_cli, monkeypatch
):
    # conda itself rejects this file with a validation error naming no fix.
    from support.servers import channel_server, server_tls_context

    monkeypatch.setenv("SSL_CERT_FILE", ca_bundle)  # the OS store trusts the channel
    with channel_server(
        channel_root, server_tls_context(ca.issue_cert("127.0.0.1"))
    ) as server:
        path = write_condarc(home, server.url, f"ssl_verify: {home / 'gone.pem'}\n")
        document, code = _json(conda_cli("netcheck", "--json", "--timeout", "1"))
        assert {f["diagnosis"] for f in document["findings"]} >= {"ca-bundle-invalid"}
        out, err, code = conda_cli("netcheck", "--fix", "--yes", "--timeout", "2")
    assert "ssl_verify: truststore" in path.read_text()
    assert "After the fixes: Verdict: all 2 targets are reachable." in out


@needs_conda
def test_missing_bundle_without_proof_for_truststore_is_removed(
    home, channel, conda_cli
):
    path = write_condarc(home, channel.url, f"ssl_verify: {home / 'gone.pem'}\n")
    out, err, code = conda_cli("netcheck", "--fix", "--yes", "--timeout", "1")
    assert "ssl_verify" not in path.read_text()
    assert "remove the key" in out


@needs_conda
def test_ssl_verify_false_is_left_alone_without_proof(home, channel, conda_cli):
    path = write_condarc(home, channel.url, "ssl_verify: false\n")
    before = path.read_text()
    out, err, code = conda_cli("netcheck", "--fix", "--yes", "--timeout", "1")
    assert path.read_text() == before  # never weaker, and no guess
    # Said, not silent: the finding above it says what the run saw.
    assert "- ssl_verify: false is left as it is: netcheck changes it only" in out


@needs_conda
def test_planning_after_a_run_uses_its_evidence_and_opens_no_connection(
    home, channel, tmp_path
):
    from support.proxies import tinyproxy_proxy

    from conda_netcheck.config.commands import Commands
    from conda_netcheck.config.netconfig import from_conda
    from conda_netcheck.config.routes import conda_route
    from conda_netcheck.config.targets import conda_targets
    from conda_netcheck.diagnosis.runner import diagnose
    from conda_netcheck.fix.fixers import plan_fixes
    from conda_netcheck.model import Options, Report

    with tinyproxy_proxy(tmp_path) as proxy:
        https_proxy = proxy.url.replace("http://", "https://")
        write_condarc(home, channel.url, f"proxy_servers:\n  http: {https_proxy}\n")
        options = Options(
            commands=Commands(), connect_timeout=2, read_timeout=2, try_direct=False
        )
        report = Report(targets=diagnose(conda_targets(), conda_route, options))
    # The proxy is gone: a plan that needed to ask it could not offer the fix.
    (fix,) = [
        f for f in plan_fixes(from_conda(), report) if f.key == "proxy_servers.http"
    ]
    assert "the proxy answers plain HTTP: use http://" in fix.description
    assert f"http: {proxy.url}" in fix.change.new_text
