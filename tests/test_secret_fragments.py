"""Pieces of a secret that a parser turns into something else (a host, a port) are never printed.

A proxy password with an unencoded "#" makes requests connect to a "host"
that is a lowercased piece of the password; a /t/ token with characters
conda's token pattern does not know leaves its tail in the URL's port. Real
conda fails on each (its last-failure record is scanned), then netcheck runs
as `conda netcheck` and `python -m conda_netcheck` with every output.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import TYPE_CHECKING

from conftest import needs_conda, needs_observers
from support.servers import closed_port

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = needs_conda

#: The piece requests takes for the proxy host (it prints it lowercased).
HOST_PIECE = "TopSecretValue"
#: A token piece that conda's /t/ pattern ([a-zA-Z0-9-]*) leaves in the URL.
TOKEN_TAIL = "$en!Secret1"


def environment(home: Path, condarc: dict) -> dict[str, str]:
    """A private HOME and .condarc; conda retries nothing and waits little."""
    rc = home / "condarc.yml"
    rc.write_text(json.dumps(condarc))
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CACHE_HOME=str(home / "cache"),
        CONDARC=str(rc),
        CONDA_PKGS_DIRS=str(home / "pkgs"),
        CONDA_REMOTE_MAX_RETRIES="0",
        CONDA_REMOTE_CONNECT_TIMEOUT_SECS="2",
        NETRC=str(home / "no-netrc"),
        CONDA_SOLVER="classic",
    )
    return env


def run(env: dict[str, str], *argv: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    return proc.stdout + proc.stderr


def every_output(env: dict[str, str], home: Path, channel: str) -> dict[str, str]:
    """conda's own failure and record, then netcheck's text, -v, --json, report, fix."""
    outputs = {}
    outputs["conda search"] = run(
        env, "conda", "search", "--override-channels", "-c", channel, "x"
    )
    record = home / "data" / "conda" / "netcheck-last-failure.json"
    outputs["last-failure record"] = record.read_text() if record.exists() else ""
    report = home / "report.md"
    for name, front in (
        ("conda netcheck", ("conda", "netcheck")),
        ("python -m", ("conda_netcheck",)),
    ):
        for flags in ((), ("-v",), ("--json",), ("--fix", "--dry-run")):
            outputs[f"{name} {flags}"] = run(env, *front, "--timeout", "1", *flags)
        outputs[f"{name} --report"] = (
            run(env, *front, "--timeout", "1", "--report", str(report))
            + report.read_text()
        )
    return outputs


def assert_never_shown(piece: str, outputs: dict[str, str]) -> None:
    for name, text in outputs.items():
        assert piece.lower() not in text.lower(), f"{piece!r} in {name}:\n{text}"


@needs_observers
def test_password_piece_parsed_as_the_proxy_host_is_never_printed(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    channel = f"http://127.0.0.1:{closed_port()}/chan"
    proxy = f"http://bob:a@{HOST_PIECE}#b@127.0.0.1:{closed_port()}"
    env = environment(
        home,
        {
            "channels": [channel],
            "default_channels": [channel],
            "channel_alias": channel,
            "proxy_servers": {"http": proxy},
        },
    )
    outputs = every_output(env, home, channel)
    assert outputs["last-failure record"], "conda left no record to scan"
    assert_never_shown(HOST_PIECE, outputs)
    # The verdict says where the host came from instead of printing it.
    assert "a host read out of the user info" in outputs["python -m ()"]
    assert "a host read out of the user info" in outputs["conda netcheck --report"]


def test_tail_of_an_odd_token_is_never_printed(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    channel = f"http://127.0.0.1:{closed_port()}/t/Tok{TOKEN_TAIL}/chan"
    env = environment(home, {"channels": [channel], "default_channels": [channel]})
    outputs = every_output(env, home, channel)
    # conda itself quotes the tail in its port error: netcheck does not.
    assert "Secret1" in outputs["conda search"]
    del outputs["conda search"]
    assert_never_shown(TOKEN_TAIL, outputs)
    assert_never_shown("Secret1", outputs)
