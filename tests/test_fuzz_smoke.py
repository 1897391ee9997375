"""The fuzzer still runs: six of its hostile inputs, each against real conda and loopback peers.

The whole set is `benchmarks/fuzz.py` (see docs/development.md); this keeps
the fuzzer from rotting between the times someone runs it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import needs_conda

ROOT = Path(__file__).resolve().parent.parent


@needs_conda
def test_the_fuzzer_runs_and_finds_nothing_in_its_first_inputs():
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "fuzz.py"),
            "--limit",
            "6",
            "--jobs",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "inputs tried: 6; crashes: 0; hangs: 0; leaks: 0; over 150 MB: 0" in (
        done.stdout
    )
