"""What conda loads because of the plugin, and what a healthy `conda netcheck` loads.

conda imports every plugin and calls its registration hooks on every command;
a healthy run should load only what checking healthy channels needs. Both are
pinned by module names, never by timings: a heavy module that creeps back
onto either path makes these fail.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("conda.plugins")

PACKAGE = Path(__file__).parent.parent / "conda_netcheck"

#: All the package modules conda may load by registering the plugin: the hooks,
#: the parser, the settings, the doctor checks' small modules and the cheap
#: failure filter.
REGISTRATION_MODULES = {
    "conda_netcheck",
    "conda_netcheck.plugin",
    "conda_netcheck.parser",
    "conda_netcheck.limits",
    "conda_netcheck.config",
    "conda_netcheck.config.settings",
    "conda_netcheck.failure",
    "conda_netcheck.failure.watch",
    "conda_netcheck.health_checks",
    "conda_netcheck.health_checks.channel_reachability",
    "conda_netcheck.health_checks.network_config",
    "conda_netcheck.health_checks.network_last_failure",
}

#: Modules (by their last name, wherever they live in the package) that only a
#: problem, --fix, --report, --allowlist, a hint or a recorded failure needs.
NOT_ON_THE_HEALTHY_PATH = (
    "catalogue",  # the fixes of the codes
    "intercept",  # the TLS inspection products and the shared root fix
    "certificates",  # the certificate explainer
    "tunnel",  # a proxy: the way through it
    "proxy",  # a proxy: the CONNECT probe and its explainer
    "dualstack",  # a name with both address families
    "protocol",  # a port that speaks the other protocol
    "report",  # --report
    "allowlist",  # --allowlist
    "fixers",  # --fix: the planner
    "condarc",  # --fix: the round-trip .condarc editor (ruamel.yaml)
    "hints",  # conda's error path
    "record",  # only when a failure was recorded
    "replay",
    "proof",  # a fix to prove on a scratch copy: only a report with a problem
    "transport",  # a reset, a closed connection or handshake, a dual-stack name
    "refusals",  # what a server said when it refused (401, 403, 429)
    "evidence",  # the typed evidence of a problem
    "fixtext",  # a fix's sentence, its shell lines and their edits
    "proxylint",  # a proxy set in proxy_servers or a *_proxy variable
)

#: Modules only an https:// endpoint needs (the healthy runs here are http://).
NOT_FOR_HTTP_CHANNELS = (
    "tls",  # the TLS probe and its explainer
    "handshake",  # why a handshake broke, the verify flags of the session
)

#: Third-party modules nothing on the healthy path of an http:// channel needs.
HEAVY = ("cryptography",)

REGISTER = """\
import argparse, json, sys
import conda.plugins, conda.plugins.types, conda.common.configuration
before = set(sys.modules)
from conda_netcheck import plugin
for sub in plugin.conda_subcommands():
    sub.configure_parser(argparse.ArgumentParser())
list(plugin.conda_health_checks())
list(plugin.conda_settings())
# conda calls only the hooks it has (no exception observers before 26.7).
if hasattr(conda.plugins.types, "CondaExceptionObserver"):
    list(plugin.conda_exception_observers())
list(plugin.conda_post_commands())
print(json.dumps(sorted(set(sys.modules) - before)))
"""

# conda's own entry point, and the modules loaded when it is done.
RUN = """\
import atexit, gc, json, sys, threading
# Each collection: (its generation, how many objects were frozen then).
collections = []
gc.callbacks.append(
    lambda phase, info: phase == "start"
    and collections.append((info["generation"], gc.get_freeze_count()))
)
atexit.register(
    lambda: print("@@gc " + json.dumps([collections, gc.get_freeze_count()]))
)
# Modules first imported by a thread other than the main one: (thread, module).
by_workers = []
def imports(event, args):
    if event == "import" and args[0] not in sys.modules:
        thread = threading.current_thread()
        if thread is not threading.main_thread():
            by_workers.append((thread.name, args[0]))
sys.addaudithook(imports)
atexit.register(lambda: print("@@workers " + json.dumps(by_workers)))
atexit.register(lambda: print("@@modules " + json.dumps(sorted(sys.modules))))
from conda.cli.main import main
sys.argv = ["conda", *sys.argv[1:]]
sys.exit(main())
"""


def _leaf_names() -> set[str]:
    return {path.stem for path in PACKAGE.rglob("*.py")}


def test_the_names_pinned_here_are_modules_of_the_package():
    # A module renamed or moved under another name would leave the rule vacuous.
    assert set(NOT_ON_THE_HEALTHY_PATH + NOT_FOR_HTTP_CHANNELS) <= _leaf_names()


def test_registering_the_plugin_loads_only_its_small_modules():
    """What conda pays on every command (conda search, conda config --show) for the plugin."""
    done = subprocess.run(
        [sys.executable, "-c", REGISTER],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    loaded = set(json.loads(done.stdout))
    # Nothing but these package modules: no requests, no ruamel.yaml, no run.
    assert loaded <= REGISTRATION_MODULES, loaded - REGISTRATION_MODULES


def _healthy_run(tmp_path: Path, *argv: str) -> tuple[subprocess.CompletedProcess, set]:
    """`conda netcheck` on two healthy channels with real packages; the modules loaded."""
    from support import channel_faults
    from support.servers import channel_server

    real = channel_faults.make_real_channel(tmp_path / "real")
    home = tmp_path / "home"
    home.mkdir()
    with channel_server(real.root) as one, channel_server(real.root) as two:
        for server in (one, two):
            server.behaviour.handler = channel_faults.serve_ranges(real.root)
        condarc = tmp_path / "condarc"
        settings = {
            "channels": [one.url, two.url],
            "default_channels": [one.url],
            "channel_alias": one.url,
            "pkgs_dirs": [str(tmp_path / "pkgs")],
        }
        condarc.write_text(json.dumps(settings))  # JSON is YAML
        env = {
            # No proxy: the run goes direct, and the proxy lint has nothing to read.
            **{k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")},
            "CONDARC": str(condarc),
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
        }
        done = subprocess.run(
            [sys.executable, "-c", RUN, "netcheck", "--timeout", "5", *argv],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    marker = [line for line in done.stdout.splitlines() if line.startswith("@@modules")]
    assert marker, done.stdout + done.stderr
    return done, set(json.loads(marker[-1].split(" ", 1)[1]))


def _imported_by_workers(done: subprocess.CompletedProcess) -> list[str]:
    """The modules a thread other than the main one imported first in the run."""
    (marker,) = [
        line for line in done.stdout.splitlines() if line.startswith("@@workers")
    ]
    return [module for _, module in json.loads(marker.split(" ", 1)[1])]


def _unneeded(loaded: set[str]) -> list[str]:
    return sorted(
        name
        for name in loaded
        if (
            name.startswith("conda_netcheck.")
            and name.rsplit(".", 1)[-1]
            in NOT_ON_THE_HEALTHY_PATH + NOT_FOR_HTTP_CHANNELS
        )
        or name.split(".")[0] in HEAVY
    )


def test_a_healthy_run_loads_only_what_healthy_channels_need(tmp_path: Path):
    done, loaded = _healthy_run(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Verdict: all 4 targets are reachable." in done.stdout
    # The packages were checked too (the path after the index was taken).
    assert "conda_netcheck.diagnosis.packages" in loaded
    assert _unneeded(loaded) == []


#: What the workers decode with: each is loaded before they start.
DECODERS = ("msgpack", "backports", "compression", "zstandard")


def test_the_workers_import_no_decoder(tmp_path: Path):
    """Shards are decoded by several workers at once: their decoders are loaded before."""
    done, loaded = _healthy_run(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    from conda.base.context import context

    if getattr(context, "repodata_use_shards", False):  # conda >= 25.9
        assert "msgpack" in loaded  # the shards were decoded
    by_workers = _imported_by_workers(done)
    assert [m for m in by_workers if m.split(".")[0] in DECODERS] == []


def test_the_rule_sees_a_module_an_output_asked_for_loads(tmp_path: Path):
    """The other side of the boundary: --allowlist loads its module, and the rule says so."""
    done, loaded = _healthy_run(tmp_path, "--allowlist")
    assert done.returncode == 0, done.stdout + done.stderr
    assert _unneeded(loaded) == ["conda_netcheck.output.allowlist"]


def _collections(done: subprocess.CompletedProcess) -> tuple[list, int]:
    """Each garbage collection of the run (generation, objects frozen), and those frozen at exit."""
    (marker,) = [line for line in done.stdout.splitlines() if line.startswith("@@gc")]
    collections, frozen_at_exit = json.loads(marker.split(" ", 1)[1])
    return collections, frozen_at_exit


def test_a_healthy_run_keeps_the_collector_off_what_conda_made_before_it(
    tmp_path: Path,
):
    """conda's startup objects are frozen while the run collects, and at exit."""
    done, _ = _healthy_run(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    collections, frozen_at_exit = _collections(done)
    during = [(generation, frozen) for generation, frozen in collections if frozen]
    # The run collects (it makes objects), and it does so with conda's frozen.
    assert during, collections
    assert min(frozen for _, frozen in during) > 10_000
    # The interpreter's exit, after the command, does not walk them either.
    assert frozen_at_exit > 10_000


class _Cycle:
    """Garbage only the collector frees: it refers to itself."""

    def __init__(self) -> None:
        self.me = self


def test_a_second_run_in_the_same_process_frees_what_the_first_froze(monkeypatch):
    """conda's test fixtures call its main again and again: garbage stays frozen one run at most."""
    import argparse
    import gc
    import weakref

    from conda_netcheck import cli

    ran = []
    monkeypatch.setattr(cli, "_execute", lambda args: ran.append(args) or 0)
    # As in a fresh process: no run has frozen anything yet (this worker may
    # have run netcheck in-process before).
    gc.unfreeze()
    monkeypatch.setattr(cli, "_froze", False)
    try:
        gc.disable()  # the cycle stays garbage, uncollected, until the run
        try:
            cycle = _Cycle()
            alive = weakref.ref(cycle)
            del cycle
            assert cli.execute(argparse.Namespace(json=False)) == 0
        finally:
            gc.enable()
        gc.collect()
        assert alive() is not None  # frozen by the first run: the collector skips it
        assert cli.execute(argparse.Namespace(json=False)) == 0
        assert alive() is None  # handed back and collected by the next
        assert len(ran) == 2
    finally:
        gc.unfreeze()  # nothing of this test stays frozen for the next


def test_a_failed_run_freezes_too(monkeypatch):
    """A bug in the run is reported (exit status 2), with the startup objects frozen."""
    import argparse
    import gc

    from conda_netcheck import cli

    frozen = []

    def broken(args: argparse.Namespace) -> int:
        frozen.append(gc.get_freeze_count())
        raise RuntimeError("a bug in the run")

    monkeypatch.setattr(cli, "_execute", broken)
    assert cli.execute(argparse.Namespace(json=True)) == 2  # the internal error
    assert frozen[0] > 0


def test_a_healthy_run_in_json_loads_only_the_allowlist_it_carries(tmp_path: Path):
    """The document carries the allowlist; no fix's module is loaded for a run without one."""
    done, loaded = _healthy_run(tmp_path, "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    document = json.loads(done.stdout[: done.stdout.index("@@")])
    assert len(document["targets"]) == 4
    for target in document["targets"]:  # the same keys as a fix's, empty
        assert (target["commands"], target["needs"]) == ([], [])
        assert (target["checked"], target["proof"]) == (False, None)
    assert _unneeded(loaded) == ["conda_netcheck.output.allowlist"]
