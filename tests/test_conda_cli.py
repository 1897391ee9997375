"""`conda netcheck` and `conda doctor` through real conda, with a temporary .condarc."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
from conftest import HAS_CONDA, needs_conda
from scenarios import SCENARIOS, Context

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = needs_conda


@pytest.fixture
def condarc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Write a .condarc, make it the only configuration conda reads, reset the context."""
    from conda.base.context import reset_context

    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("CONDA_PKGS_DIRS", str(tmp_path / "pkgs"))

    def write(channels: list[str], **settings) -> Path:
        # Never let conda fall back to its default channels: defaults and
        # channel_alias point at the same local URLs.
        urls = [c for c in channels if "://" in c] or ["http://127.0.0.1:9"]
        settings = {
            "channels": channels,
            "default_channels": urls,
            "channel_alias": urls[0],
            **settings,
        }
        path = tmp_path / "condarc"
        path.write_text(json.dumps(settings))  # JSON is YAML
        monkeypatch.setenv("CONDARC", str(path))
        reset_context()
        return path

    yield write
    reset_context()


def netcheck(conda_cli, *argv: str) -> tuple[dict, int]:
    out, err, code = conda_cli("netcheck", "--json", "--timeout", "1", *argv)
    return json.loads(out), code


@pytest.fixture
def ctx(channel_root, ca, ca_bundle) -> Context:
    return Context(channel_root, ca, ca_bundle)


CONDA_SCENARIOS = [s for s in SCENARIOS if s.id != "dns-nxdomain"]  # see test_netns_dns


@pytest.mark.parametrize("scenario", CONDA_SCENARIOS, ids=lambda s: s.id)
def test_scenario_through_conda(scenario, ctx, condarc, conda_cli, monkeypatch):
    with scenario.start(ctx) as setup:
        settings = {"ssl_verify": setup.verify} if setup.verify else {}
        condarc([setup.url], **settings)
        for key, value in setup.env.items():
            monkeypatch.setenv(key, value)
        document, code = netcheck(conda_cli)

    told = [t for t in document["targets"] if t["diagnosis"] == scenario.diagnosis]
    if scenario.once_per_host:  # one target says it; the host's others are ok
        assert len(told) == 1
        document["targets"] = told
    assert {t["diagnosis"] for t in document["targets"]} == {scenario.diagnosis}
    assert {t["layer"] for t in document["targets"]} == {scenario.layer}
    # 3: nothing fails, but a target did not answer within netcheck's wait
    # while conda would still wait (undecided).
    undecided = scenario.diagnosis == "no-answer-yet"
    expected = 1 if scenario.status == "error" else 3 if undecided else 0
    assert code == expected
    assert document["ok"] is (expected == 0)


def test_defaults_expand_through_default_channels(channel, condarc, conda_cli):
    condarc(["defaults"], default_channels=[f"{channel.url}/main", f"{channel.url}/r"])
    for name in ("main", "r"):
        for subdir in ("noarch", "linux-64"):
            (channel.behaviour.root / name / subdir).mkdir(parents=True)
            (channel.behaviour.root / name / subdir / "repodata.json").write_text("{}")
    document, code = netcheck(conda_cli)
    urls = {t["url"] for t in document["targets"]}
    assert f"{channel.url}/main/noarch" in urls
    assert f"{channel.url}/r/noarch" in urls
    assert {t["channel"] for t in document["targets"]} == {"defaults"}
    assert all("default_channels" in t["source"] for t in document["targets"])
    assert code == 0


def test_custom_channels_and_channel_alias(channel, condarc, conda_cli):
    for name in ("private", "aliased"):
        for subdir in ("noarch", "linux-64"):
            (channel.behaviour.root / name / subdir).mkdir(parents=True)
            (channel.behaviour.root / name / subdir / "repodata.json").write_text("{}")
    condarc(
        ["private", "aliased"],
        custom_channels={"private": channel.url},
        channel_alias=channel.url,
    )
    document, code = netcheck(conda_cli)
    sources = {t["channel"]: t["source"] for t in document["targets"]}
    assert sources["private"].startswith("custom_channels.private")
    assert sources["aliased"].startswith("channel_alias")
    assert code == 0


def test_override_channels_checks_only_dash_c(channel, condarc, conda_cli):
    condarc(["http://127.0.0.1:9/unused"])
    document, code = netcheck(conda_cli, "--override-channels", "-c", channel.url)
    assert {t["channel"] for t in document["targets"]} == {channel.url}
    assert code == 0


def test_dash_c_channels_are_not_said_to_be_in_the_channels_setting(
    channel, condarc, conda_cli
):
    from support.servers import closed_port

    refused = f"http://127.0.0.1:{closed_port()}/extra"
    condarc([channel.url])
    document, _ = netcheck(conda_cli, "-c", refused)
    sources = {t["channel"]: t["source"] for t in document["targets"]}
    assert sources[refused] == "the -c option"
    assert sources[channel.url] == "the channels setting"
    (fix,) = {t["fix"] for t in document["targets"] if t["channel"] == refused}
    assert "in the -c option" in fix and "channels setting" not in fix


def test_offline_mode_is_the_cause_and_nothing_is_sent(channel, condarc, conda_cli):
    path = condarc([channel.url], offline=True)
    document, code = netcheck(conda_cli)
    assert {t["diagnosis"] for t in document["targets"]} == {"offline-mode"}
    (finding,) = [f for f in document["findings"] if f["check"] == "offline"]
    assert finding["fix"] == f"conda config --file {path} --set offline false"
    # Proving the fix would use the network offline mode keeps conda off.
    assert finding["checked"] is False
    assert finding["proof"] == (
        "unchecked: offline mode is on, so netcheck sends nothing to try it"
    )
    assert channel.behaviour.requests == []
    assert code == 1


def test_request_carries_condas_user_agent(channel, condarc, conda_cli):
    from conda.base.context import context

    condarc([channel.url])
    switch_interval = sys.getswitchinterval()
    netcheck(conda_cli)
    agents = {
        headers.get("User-Agent", "") for _, headers in channel.behaviour.requests
    }
    # Looked up beside the configuration, and the same for every request.
    assert agents == {context.user_agent}
    assert context.user_agent.startswith("conda/")
    # The lookup handed the interpreter's lock over more often, and no longer.
    assert sys.getswitchinterval() == switch_interval


def test_no_thread_for_the_user_agent_looks_it_up_in_place(
    channel, condarc, conda_cli, monkeypatch
):
    """A process out of threads still sends conda's User-Agent, as before the lookup had one."""
    import threading

    from conda.base.context import context

    start = threading.Thread.start

    def refuse(thread):
        if thread.name == "netcheck-user-agent":
            raise RuntimeError("can't start new thread")
        start(thread)

    monkeypatch.setattr(threading.Thread, "start", refuse)
    condarc([channel.url])
    switch_interval = sys.getswitchinterval()
    document, code = netcheck(conda_cli)
    assert code == 0, document
    agents = {
        headers.get("User-Agent", "") for _, headers in channel.behaviour.requests
    }
    assert agents == {context.user_agent}
    assert sys.getswitchinterval() == switch_interval


def test_netrc_credentials_are_sent_as_conda_would(
    channel, condarc, conda_cli, tmp_path, monkeypatch
):
    import base64

    expected = "Basic " + base64.b64encode(b"alice:n3trc-Secret").decode()

    def require_auth(handler):
        if handler.headers.get("Authorization") == expected:
            return False
        handler.send_response(401)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
        return True

    channel.behaviour.handler = require_auth
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login alice password n3trc-Secret\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    condarc([channel.url])
    document, code = netcheck(conda_cli)
    assert {t["diagnosis"] for t in document["targets"]} == {"ok"}
    assert code == 0


def test_proxy_servers_from_condarc_are_used(channel, condarc, conda_cli, tmp_path):
    from support.proxies import proxypy_proxy

    with proxypy_proxy(tmp_path) as proxy:
        condarc([channel.url], proxy_servers={"http": proxy.url})
        document, code = netcheck(conda_cli)
    assert {t["diagnosis"] for t in document["targets"]} == {"ok"}
    assert {t["proxy_source"] for t in document["targets"]} == {"proxy_servers.http"}
    assert code == 0


def test_proxy_down_is_the_proxy_layer(channel, condarc, conda_cli):
    from support.servers import closed_port

    condarc([channel.url], proxy_servers={"http": f"http://127.0.0.1:{closed_port()}"})
    document, code = netcheck(conda_cli)
    assert {t["diagnosis"] for t in document["targets"]} == {"proxy-unreachable"}
    assert {t["layer"] for t in document["targets"]} == {"proxy"}
    # The diagnosis never goes around the proxy; the fix (drop it: the channel
    # answers directly) is proven by fetching the index without it, and only that.
    assert {t["proof"] for t in document["targets"]} == {
        "checked: with it the channel passes"
    }
    assert channel.behaviour.requests
    assert all("repodata" in path for path, _ in channel.behaviour.requests)


def test_with_no_direct_a_fix_that_drops_the_proxy_is_not_tried(
    channel, condarc, conda_cli
):
    """--no-direct: nothing goes around the proxy, not even to prove a fix."""
    from support.servers import closed_port

    condarc([channel.url], proxy_servers={"http": f"http://127.0.0.1:{closed_port()}"})
    document, code = netcheck(conda_cli, "--no-direct")
    assert {t["diagnosis"] for t in document["targets"]} == {"proxy-unreachable"}
    proofs = {t["proof"] for t in document["targets"] if t["commands"]}
    # Only the line that drops the proxy is ruled out: pointing it at another
    # proxy is still a fix through a proxy.
    assert proofs <= {
        "unchecked: trying it would connect without the proxy, which --no-direct rules out",
        "unchecked: needs PROXY_HOST:PORT from you",
    }
    assert channel.behaviour.requests == []
    assert code == 1


def test_proxy_407_never_prompts(channel, condarc, conda_cli, tmp_path):
    # conda's own 407 handler would call input() here and hang or crash.
    from support.proxies import proxypy_proxy

    with proxypy_proxy(tmp_path, users={"bob": "pr0xy-Secret"}) as proxy:
        condarc([channel.url], proxy_servers={"http": proxy.url})
        document, code = netcheck(conda_cli)
    assert {t["diagnosis"] for t in document["targets"]} == {"proxy-auth-failed"}
    assert all(
        "no credentials were sent (the proxy URL in proxy_servers.http has none)"
        in t["summary"]
        for t in document["targets"]
    )
    assert code == 1


def test_text_output_uses_condas_marks_and_a_verdict(channel, condarc, conda_cli):
    from conda_netcheck.output.render import marks

    OK_MARK = marks()[0]

    condarc([channel.url])
    out, err, code = conda_cli("netcheck", "--timeout", "1")
    lines = out.splitlines()
    assert lines[0].startswith("conda-netcheck ")
    # One line for the channel: its two subdirs share the diagnosis.
    (line,) = [line for line in lines if line.startswith(OK_MARK)]
    assert line.startswith(f"{OK_MARK} {channel.url}  (")
    assert "linux-64" in line and "noarch" in line
    assert lines[-1] == "Verdict: all 2 targets are reachable."
    assert code == 0


def test_usage_error_exits_2(conda_cli, condarc, channel):
    condarc([channel.url])
    with pytest.raises(SystemExit) as exc:
        conda_cli("netcheck", "--timeout", "-3")
    assert exc.value.code == 2


def _conda_at_least(major: int, minor: int) -> bool:
    from conda import __version__

    return tuple(int(p) for p in __version__.split(".")[:2]) >= (major, minor)


needs_doctor_selection = pytest.mark.skipif(
    HAS_CONDA and not _conda_at_least(26, 1),
    reason="conda doctor --list and named checks need conda >= 26.1",
)


def test_doctor_runs_all_checks_on_any_conda(condarc, conda_cli, channel, tmp_path):
    prefix = tmp_path / "env"
    (prefix / "conda-meta").mkdir(parents=True)
    (prefix / "conda-meta" / "history").touch()
    condarc([channel.url], offline=True)
    out, err, code = conda_cli("doctor", "--prefix", str(prefix))
    assert "offline mode is on" in out


@needs_doctor_selection
def test_doctor_lists_the_checks(conda_cli):
    out, err, code = conda_cli("doctor", "--list")
    assert "network-config" in out
    assert "channel-reachability" in out
    assert "requests-ca-bundle" in out  # conda's own, not replaced


@needs_doctor_selection
def test_doctor_runs_network_config(condarc, conda_cli, channel, tmp_path):
    prefix = tmp_path / "env"
    (prefix / "conda-meta").mkdir(parents=True)
    (prefix / "conda-meta" / "history").touch()
    condarc([channel.url], offline=True)
    out, err, code = conda_cli("doctor", "--prefix", str(prefix), "network-config")
    assert "offline mode is on" in out


def test_error_hints_point_at_netcheck(condarc, channel):
    from conda.base.context import context
    from conda.exceptions import CondaHTTPError

    manager = context.plugin_manager
    if not hasattr(manager, "get_error_hints"):
        pytest.skip("conda_error_hints needs conda >= 26.7")
    condarc([channel.url], offline=True)
    error = CondaHTTPError("HTTP 000 CONNECTION FAILED", channel.url, 0, "", 0, 0)
    hints = manager.get_error_hints(error)
    texts = [h.text for h in hints]
    assert any("conda netcheck" in text for text in texts)
    assert any("offline mode is on" in text for text in texts)


def test_no_proxy_does_not_bypass_proxy_servers(
    channel, condarc, conda_cli, tmp_path, monkeypatch
):
    # Verified fact, not an assumption: the request really goes through the proxy.
    from support.proxies import proxypy_proxy

    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with proxypy_proxy(tmp_path) as proxy:
        condarc([channel.url], proxy_servers={"http": proxy.url})
        document, code = netcheck(conda_cli)
        log = proxy.wait_for_log("repodata.json")
    assert {t["proxy_source"] for t in document["targets"]} == {"proxy_servers.http"}
    assert "repodata.json" in log
    (finding,) = [f for f in document["findings"] if f["check"] == "NO_PROXY"]
    assert "still sends it through proxy_servers" in finding["summary"]
    assert code == 0


def _serve(root, channel: str, last_modified: str | None = None):
    from support.servers import make_channel

    make_channel(root / channel)


def test_404_names_the_path_the_mirror_really_serves(channel, condarc, conda_cli):
    _serve(channel.behaviour.root, "anaconda/pkgs/main")
    condarc(["defaults"], default_channels=[f"{channel.url}/pkgs/main"])
    document, code = netcheck(conda_cli)
    (target, *_) = document["targets"]
    assert target["diagnosis"] == "http-not-found"
    assert (
        f"this server has the channel at {channel.url}/anaconda/pkgs/main"
        in target["summary"]
    )
    assert target["fix"].startswith(f"use {channel.url}/anaconda/pkgs/main instead of")
    assert code == 1


def test_404_on_one_subdir_only(channel, condarc, conda_cli):
    import shutil

    shutil.rmtree(channel.behaviour.root / "linux-64")
    condarc([channel.url])
    document, code = netcheck(conda_cli)
    by_subdir = {t["subdir"]: t for t in document["targets"]}
    assert by_subdir["noarch"]["diagnosis"] == "ok"
    assert (
        "the channel exists there but has no linux-64"
        in by_subdir["linux-64"]["summary"]
    )


def test_mirror_behind_its_upstream_is_a_warning(channel_root, condarc, conda_cli):
    from email.utils import formatdate

    from support.servers import channel_server

    with (
        channel_server(channel_root) as mirror,
        channel_server(channel_root) as upstream,
    ):
        _serve(channel_root, "cloud/conda-forge")
        _serve(channel_root, "conda-forge")
        old = formatdate(1_700_000_000, usegmt=True)
        new = formatdate(1_700_000_000 + 3 * 86400, usegmt=True)
        mirror.behaviour.headers = {"Last-Modified": old}
        upstream.behaviour.headers = {"Last-Modified": new}
        condarc(["conda-forge"], channel_alias=f"{mirror.url}/cloud")
        document, code = netcheck(conda_cli, "--compare-upstream", upstream.url)
    diagnoses = {t["diagnosis"] for t in document["targets"]}
    assert diagnoses == {"mirror-behind"}
    assert all("3.0 days older" in t["summary"] for t in document["targets"])
    assert code == 0  # a warning


def test_allowlist_lists_channel_and_redirect_hosts(channel_root, condarc, conda_cli):
    from support.servers import channel_server

    with channel_server(channel_root) as cdn, channel_server(channel_root) as front:
        front.behaviour.redirect_to = cdn.url
        condarc([front.url])
        out, err, code = conda_cli("netcheck", "--allowlist", "--timeout", "1")
        document, _ = netcheck(conda_cli)
    lines = out.splitlines()
    assert any(line.startswith(f"127.0.0.1:{front.port}") for line in lines)
    assert any(line.startswith(f"127.0.0.1:{cdn.port}") for line in lines)
    assert not any(line.startswith("conda-netcheck") for line in lines)  # list only
    ports = {entry["port"] for entry in document["allowlist"]}
    assert {front.port, cdn.port} <= ports
    assert code == 0


def test_allowlist_through_a_proxy_names_the_proxy(
    channel, condarc, conda_cli, tmp_path
):
    from support.proxies import proxypy_proxy

    with proxypy_proxy(tmp_path) as proxy:
        condarc([channel.url], proxy_servers={"http": proxy.url})
        document, code = netcheck(conda_cli)
    kinds = {(e["kind"], e["port"]) for e in document["allowlist"]}
    assert any(port == proxy.port for _, port in kinds)
    assert all(not (kind == "direct" and port == channel.port) for kind, port in kinds)


def test_allowlist_says_why_it_is_empty_and_never_lists_an_unusable_proxy(
    channel, condarc, conda_cli
):
    # "localhost:3128" reads as scheme "localhost" to requests: no proxy at all.
    condarc([channel.url], proxy_servers={"http": "localhost:3128"})
    out, err, code = conda_cli("netcheck", "--allowlist", "--timeout", "1")
    assert out.startswith("# nothing to allow: the proxy setting cannot be used")
    assert "3128  #" not in out
    assert code == 1


def test_report_file_stands_alone_and_holds_no_secret(
    channel, condarc, conda_cli, tmp_path
):
    channel.behaviour.status = 403
    secret_url = (
        channel.url.replace("://", "://carol:Report-Secret9@") + "/t/tk-Report7/x"
    )
    condarc([secret_url])
    path = tmp_path / "netcheck-report.md"
    out, err, code = conda_cli("netcheck", "--timeout", "1", "--report", str(path))
    text = path.read_text()
    assert text.startswith("# ")
    for heading in ("## Verdict", "## Targets", "## Allowlist", "## Configuration"):
        assert heading in text
    assert "http-forbidden" in text
    assert "Report-Secret9" not in text and "tk-Report7" not in text
    assert f"report written to {path}" in err
    assert code == 1


@pytest.mark.parametrize(
    ("status", "body", "says", "fix"),
    [
        (401, b"", "no credential was sent", "machine 127.0.0.1"),
        (
            403,
            b'{"reason": "Terms of service have not been accepted for this channel"}',
            "Terms of service have not been accepted",
            "conda tos accept",
        ),
        (429, b'{"message": "Too many requests, slow down"}', "slow down", "30"),
    ],
    ids=["401-nothing-sent", "403-terms-of-service", "429-retry-after"],
)
def test_refusals_say_what_was_sent_and_quote_the_server(
    status, body, says, fix, channel, condarc, conda_cli
):
    channel.behaviour.status = status
    channel.behaviour.body = body
    channel.behaviour.headers = {"Retry-After": "30"} if status == 429 else {}
    condarc([channel.url])
    document, code = netcheck(conda_cli)
    (target, *_) = document["targets"]
    assert says in target["summary"]
    assert fix in target["fix"]
    assert code == 1


def test_netrc_password_refused_says_renew(
    channel, condarc, conda_cli, tmp_path, monkeypatch
):
    channel.behaviour.status = 401
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login alice password Stale-Netrc-Pw\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    condarc([channel.url])
    out, err, code = conda_cli("netcheck", "--timeout", "1", "-v")
    assert "sent: " in out and ".netrc" in out
    assert "wrong or expired" in out
    assert "Stale-Netrc-Pw" not in out + err


def test_json_groups_targets_by_channel_and_diagnosis(channel, condarc, conda_cli):
    from support.servers import closed_port

    partial = channel.behaviour.root / "partial" / "noarch"
    partial.mkdir(parents=True)
    (partial / "repodata.json").write_text("{}")
    refused = f"http://127.0.0.1:{closed_port()}/gone"
    condarc([channel.url, f"{channel.url}/partial", refused])
    document, code = netcheck(conda_cli)

    channels = document["channels"]
    assert [c["url"] for c in channels] == [
        channel.url,
        f"{channel.url}/partial",
        refused,
    ]
    assert [c["status"] for c in channels] == ["ok", "error", "error"]
    assert channels[1]["source"] == "the channels setting"
    by_code = {g["diagnosis"]: g for g in channels[1]["diagnoses"]}
    assert by_code["http-not-found"]["subdirs"] == ["linux-64"]
    assert by_code["ok"]["subdirs"] == ["noarch"]
    (gone,) = channels[2]["diagnoses"]
    assert (gone["diagnosis"], gone["layer"]) == ("connection-refused", "tcp")
    assert sorted(gone["subdirs"]) == ["linux-64", "noarch"]
    # Every target is in exactly one group, and the group points at it.
    indexes = [i for c in channels for g in c["diagnoses"] for i in g["targets"]]
    assert sorted(indexes) == list(range(len(document["targets"])))
    for entry in channels:
        for group in entry["diagnoses"]:
            for index in group["targets"]:
                target = document["targets"][index]
                assert target["diagnosis"] == group["diagnosis"]
                assert target["subdir"] in group["subdirs"]
    assert code == 1


def test_a_well_formed_channel_broken_by_default_channels_says_so(
    channel, condarc, conda_cli
):
    broken = "http://127.0.0.1:99999/bad"
    path = condarc([channel.url], default_channels=[channel.url, broken])
    document, code = netcheck(conda_cli)
    by_check = {}
    for finding in document["findings"]:
        by_check.setdefault(finding["check"], []).append(finding)
    (named,) = by_check["channels"]
    assert f"the channel {channel.url} (from channels in {path})" in named["summary"]
    assert "although it is well formed" in named["summary"]
    assert "default_channels, custom_channels or channel_alias" in named["summary"]
    (setting,) = by_check["default_channels"]
    assert setting["fix"].startswith(
        f"conda config --file {path} --remove-key default_channels"
    )
    # custom_channels is set nowhere: conda derives it from default_channels.
    assert "custom_channels" not in by_check
    assert code == 1


def test_ssl_verify_false_is_said_once_not_warned_per_request(
    channel_root, ca, condarc, tmp_path
):
    import os
    import subprocess
    import sys

    from support.servers import channel_server, server_tls_context

    with channel_server(
        channel_root, server_tls_context(ca.issue_cert("127.0.0.1"))
    ) as server:
        condarc([server.url], ssl_verify=False)
        proc = subprocess.run(
            [sys.executable, "-m", "conda", "netcheck", "--timeout", "2"],
            env=dict(os.environ),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert "ssl_verify is false" in proc.stdout  # the finding, with its fix
    assert "Verdict: all 2 targets are reachable." in proc.stdout
    # conda silences urllib3's per-request warning for ssl_verify: false too.
    assert "InsecureRequestWarning" not in proc.stderr


@pytest.mark.parametrize("serial", [0, -1], ids=["serial-0", "serial-negative"])
@pytest.mark.parametrize("trusted", [True, False], ids=["trusted", "untrusted"])
def test_an_old_root_with_a_non_positive_serial_prints_no_warning(
    channel_root, condarc, tmp_path, serial, trusted
):
    """Old roots carry serial 0 or a negative one: cryptography's warning is not output."""
    import os
    import subprocess
    import sys

    from support.servers import channel_server
    from support.tls_faults import issue, serving

    old_root = issue("Old Root", serial=serial)
    leaf = issue("leaf", old_root, ca=False, hosts=("127.0.0.1",))
    bundle = tmp_path / "roots.pem"
    # The server sends the root too, so it is parsed as presented and as an anchor.
    bundle.write_bytes(
        old_root.pem if trusted else issue("Other Root", serial=serial).pem
    )
    with channel_server(channel_root, serving(leaf, [old_root], tmp_path)) as server:
        condarc([server.url], ssl_verify=str(bundle))
        proc = subprocess.run(
            [sys.executable, "-m", "conda", "netcheck", "--timeout", "2"],
            env=dict(os.environ),
            capture_output=True,
            text=True,
            timeout=60,
        )
    if trusted:
        assert "Verdict: all 2 targets are reachable." in proc.stdout
    else:
        assert "tls-untrusted (tls)" in proc.stdout
        assert "issued by CN=Old Root" in proc.stdout
    assert "Warning" not in proc.stderr
    assert "serial number" not in proc.stdout + proc.stderr


def test_verbose_says_trust_only_for_https_and_no_connect_time_for_a_refusal(
    channel, condarc, conda_cli, ca, ca_bundle
):
    """-v: `trust:` under an https channel only; a refused port connected nothing."""
    from support.servers import channel_server, closed_port, server_tls_context

    refused = f"http://127.0.0.1:{closed_port()}"
    with channel_server(
        channel.behaviour.root, server_tls_context(ca.issue_cert("127.0.0.1"))
    ) as secure:
        condarc([channel.url, secure.url, refused], ssl_verify=ca_bundle)
        out, _, _ = conda_cli("netcheck", "-v", "--timeout", "1")
    blocks: dict[str, list[str]] = {}
    for line in out.splitlines():
        if line.startswith(("✅", "❌", "⚠")) and "://" in line:
            blocks[line.split()[1]] = current = []
        elif line.startswith("    ") and blocks:
            current.append(line.strip())
    plain, tls, down = blocks[channel.url], blocks[secure.url], blocks[refused]
    assert any(line.startswith("trust: the CA bundle ") for line in tls)
    assert not any(line.startswith("trust:") for line in plain + down)
    timings = [line for line in down if line.startswith("timings:")]
    assert timings and all("connect" not in line for line in timings)
    assert any("connect" in line for line in tls if line.startswith("timings:"))


def test_json_carries_the_verdict_sentence_of_the_text(channel, condarc, conda_cli):
    """--json says the same closing sentence as the text, in `verdict`."""
    from support.servers import closed_port

    condarc([channel.url, f"http://127.0.0.1:{closed_port()}"])
    out, _, _ = conda_cli("netcheck", "--timeout", "1")
    document, code = netcheck(conda_cli)
    last = out.splitlines()[-1]
    assert last.startswith("Verdict: 2 of 4 targets unreachable")
    assert document["verdict"] == last
    assert document["ok"] is False and code == 1


@pytest.mark.parametrize("through", ["direct", "proxy"])
def test_allowlist_doubts_a_port_that_refused_the_connection(
    channel, condarc, conda_cli, through
):
    """A mistyped port refuses: the allowlist still lists it, with a caveat."""
    from support.servers import closed_port

    port = closed_port()
    if through == "direct":
        condarc([channel.url, f"http://127.0.0.1:{port}/typo"])
    else:
        condarc([channel.url], proxy_servers={"http": f"http://127.0.0.1:{port}"})
    out, _, _ = conda_cli("netcheck", "--allowlist", "--timeout", "1")
    document, _ = netcheck(conda_cli)
    (line,) = [
        line for line in out.splitlines() if line.startswith(f"127.0.0.1:{port}")
    ]
    assert "CAVEAT: it refused the connection when checked" in line
    assert "mistyped port" in line
    (entry,) = [e for e in document["allowlist"] if e["port"] == port]
    assert entry["caveat"].startswith("it refused the connection when checked")
    if through == "direct":
        (ok,) = [e for e in document["allowlist"] if e["port"] == channel.port]
        assert ok["caveat"] is None


def test_a_fix_is_a_short_sentence_and_numbered_steps_the_why_under_verbose(
    channel_root, condarc, conda_cli, tmp_path
):
    """The private-CA fix: a sentence, one line per command; the why only with -v."""
    from support.servers import channel_server
    from support.tls_faults import issue, serving

    private = issue("Private Root")
    leaf = issue("leaf", private, ca=False, hosts=("127.0.0.1",))
    with channel_server(channel_root, serving(leaf, [], tmp_path)) as server:
        condarc([server.url])
        out, _, _ = conda_cli("netcheck", "--timeout", "2")
        verbose, _, _ = conda_cli("netcheck", "-v", "--timeout", "2")
        document, _ = netcheck(conda_cli)
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("    fix: "))
    assert lines[start].endswith('give conda the root certificate "Private Root":')
    assert [line[:9] for line in lines[start + 1 : start + 4]] == [
        "      1. ",
        "      2. ",
        "      3. ",
    ]
    assert lines[start + 3].startswith("      3. conda config ")
    fix_block = lines[start : start + 5]  # the sentence, 3 steps, the other way
    assert fix_block[4].startswith("      else: ask the administrators of 127.0.0.1")
    assert all(len(line) <= 240 for line in fix_block), max(fix_block, key=len)
    assert "why:" not in out and "never set ssl_verify" not in out
    assert "    why: " in verbose and "never set ssl_verify to false" in verbose
    # JSON keeps the whole fix on one line, the same steps in it.
    (fix,) = {t["fix"] for t in document["targets"]}
    assert "1. save in this directory " in fix and "; 3. conda config " in fix


@pytest.mark.parametrize(
    ("recorded", "ok"),
    [
        pytest.param("closed-port", False, id="still-fails"),
        pytest.param("channel", True, id="answers-now"),
    ],
)
def test_a_last_failure_that_still_happens_makes_netcheck_exit_1(
    recorded, ok, channel, condarc, conda_cli
):
    import time
    from pathlib import Path

    from support.servers import closed_port

    from conda_netcheck.failure.record import LastFailure, Link, record_path, save

    condarc([channel.url])
    base = (
        f"http://127.0.0.1:{closed_port()}/gone"
        if recorded == "closed-port"
        else channel.url
    )
    url = f"{base}/noarch/repodata.json"
    # The failed command named the channel with -c: running it again asks it.
    failure = LastFailure(
        time.time(),
        f"conda install -c {base} x",
        url,
        (Link("CondaHTTPError", "HTTP 000"),),
    )
    save(failure, Path(record_path()))
    document, code = netcheck(conda_cli)
    assert all(t["status"] == "ok" for t in document["targets"])
    assert document["last_failure"]["still_failing"] is (not ok)
    assert (document["ok"], code) == (ok, 0 if ok else 1)


# -- one proxy value, one cause --------------------------------------------------

#: (how the proxy is set, what it names): every channel goes through one proxy
#: value, and each row is one cause at the proxy's address.
ONE_PROXY_VALUE = [
    ("HTTP_PROXY+HTTPS_PROXY", "dead"),
    ("http_proxy+https_proxy", "dead"),
    ("proxy_servers.http+https", "dead"),
    ("proxy_servers.all", "dead"),
    ("HTTPS_PROXY", "dead"),
    ("proxy_servers.all", "no-scheme"),
    ("HTTP_PROXY+HTTPS_PROXY", "web-server"),
    ("http_proxy+https_proxy", "web-server"),
    ("proxy_servers.http+https", "web-server"),
    ("HTTPS_PROXY", "web-server"),
    ("HTTP_PROXY+HTTPS_PROXY", "tls-server"),
    ("proxy_servers.http+https", "tls-server"),
]


@dataclass
class ProxyCase:
    """What a run through one proxy value needs: the fixtures of the test."""

    channel: object
    ca: object
    ca_bundle: str
    condarc: object
    conda_cli: object
    monkeypatch: pytest.MonkeyPatch
    tmp_path: Path


def through_one_proxy(case: ProxyCase, source: str, named: str):
    """netcheck's document and exit code, the channels, and the proxy value set.

    Channels: `case.channel` (plain) and two https ones (127.0.0.1,
    localhost); `source` sets the proxy ("A+B": both), `named` is what it
    names: "dead", "no-scheme" (a dead one written without its scheme),
    "web-server" or "tls-server" (an HTTPS channel's port).
    """
    from contextlib import ExitStack

    from support.servers import channel_server, closed_port, make_channel
    from test_journeys import https_channel

    tmp_path, ca, condarc = case.tmp_path, case.ca, case.condarc
    with ExitStack() as stack:
        web = stack.enter_context(channel_server(make_channel(tmp_path / "web")))
        urls = [
            case.channel.url,
            https_channel(stack, tmp_path / "one", ca),
            https_channel(stack, tmp_path / "two", ca, "localhost"),
        ]
        port = {
            "web-server": web.url.rsplit(":", 1)[1],
            "tls-server": urls[1].rsplit(":", 1)[1],  # a TLS port, no proxy
        }.get(named) or closed_port()
        proxy = (
            f"localhost:{port}" if named == "no-scheme" else f"http://127.0.0.1:{port}"
        )
        if source.startswith("proxy_servers"):
            keys = ("http", "https") if "+" in source else ("all",)
            condarc(
                urls,
                ssl_verify=case.ca_bundle,
                proxy_servers=dict.fromkeys(keys, proxy),
            )
        else:
            condarc(urls, ssl_verify=case.ca_bundle)
            for name in source.split("+"):
                case.monkeypatch.setenv(name, proxy)
        document, code = netcheck(case.conda_cli)
    return document, code, urls, proxy


@pytest.mark.parametrize(
    ("source", "named"), ONE_PROXY_VALUE, ids=["-".join(c) for c in ONE_PROXY_VALUE]
)
def test_one_proxy_value_is_one_cause_however_many_channels_use_it(
    channel, ca, ca_bundle, condarc, conda_cli, monkeypatch, tmp_path, source, named
):
    """A plain channel, and two https ones (127.0.0.1, localhost) that go direct fine.

    The proxy is dead, written without a scheme, a web server that is no
    proxy (it answers CONNECT with 501 and serves its own 404 for the GET),
    or a port that speaks TLS (it closes on the plain request).
    """
    document, code, urls, proxy = through_one_proxy(
        ProxyCase(channel, ca, ca_bundle, condarc, conda_cli, monkeypatch, tmp_path),
        source,
        named,
    )
    verdict = document["verdict"]
    assert code == 1
    assert "independent causes" not in verdict, verdict
    assert f"at {proxy.split('//')[-1]}): apply its fix first" in verdict, verdict
    failing = [t for t in document["targets"] if t["status"] == "error"]
    through = [u for u in urls if source != "HTTPS_PROXY" or u.startswith("https")]
    assert {t["channel"] for t in failing} == set(through)
    if named.endswith("-server"):
        # No channel is missing its files, nor reset by a firewall: the
        # address is not a proxy.
        assert {(t["diagnosis"], t["layer"]) for t in failing} == {
            ("proxy-misconfigured", "proxy")
        }
    # A direct connection works: one fix, the same for every channel, drops
    # the proxy from every source that names it; proven over all of them.
    (lines,) = {tuple(t["commands"]) for t in failing}
    drop = {
        "HTTP_PROXY+HTTPS_PROXY": ["unset HTTPS_PROXY", "unset HTTP_PROXY"],
        "http_proxy+https_proxy": ["unset https_proxy", "unset http_proxy"],
        "proxy_servers.http+https": [
            "--remove-key proxy_servers.https",
            "--remove-key proxy_servers.http",
        ],
        "proxy_servers.all": ["--remove-key proxy_servers.all"],
        "HTTPS_PROXY": ["unset HTTPS_PROXY"],
    }[source]
    if named != "no-scheme":
        assert sorted(lines) == sorted(
            next(line for line in lines if line.endswith(d)) for d in drop
        ), lines
        assert len(lines) == len(drop), lines
        assert {t["proof"] for t in failing} == {"checked: with it all 3 channels pass"}


@pytest.mark.parametrize(
    "source", ["proxy_servers.http+https", "HTTP_PROXY+HTTPS_PROXY"]
)
def test_one_unusable_value_in_two_sources_names_each_source_it_needs_fixing_in(
    channel, ca, ca_bundle, condarc, conda_cli, monkeypatch, tmp_path, source
):
    """localhost:PORT (no scheme) for http and for https: two lines to change.

    Two causes, each its own fix, and the verdict tells them apart by where
    each is set (not the same words twice).
    """
    document, _, _, proxy = through_one_proxy(
        ProxyCase(channel, ca, ca_bundle, condarc, conda_cli, monkeypatch, tmp_path),
        source,
        "no-scheme",
    )
    verdict = document["verdict"]
    first, second = (
        ("proxy_servers.http", "proxy_servers.https")
        if "." in source
        else (
            "the HTTP_PROXY environment variable",
            "the HTTPS_PROXY environment variable",
        )
    )
    cause = f"proxy-misconfigured (config) at {proxy}"
    assert "2 independent causes (" in verdict, verdict
    for where in (first, second):
        assert f"{cause} in {where}," in verdict or f"{cause} in {where})" in verdict
