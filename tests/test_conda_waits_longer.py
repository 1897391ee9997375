"""No "unreachable" before conda's own timeout: a slow answer is undecided, not a failure.

netcheck caps its read timeout to stay fast (10 s at most); conda waits
remote_read_timeout_secs (60 s by default). Here conda waits 5 s
(test_last_failure.conda_env), netcheck 1 s (--timeout 1), and the servers
answer after 2 s, or never: the same rule as a 12 s mirror under netcheck's
10 s and conda's 60 s, in a few seconds.
"""

from __future__ import annotations

import json
import time

import pytest
from conftest import needs_conda
from support.servers import silent_server
from test_last_failure import channels, conda, conda_env

pytestmark = needs_conda

DELAY = 2.0  # longer than netcheck's --timeout 1, shorter than conda's 5 s


def slowly(request) -> bool:
    """Answer every request, but only after DELAY seconds."""
    time.sleep(DELAY)
    return False  # then serve the file as usual


@pytest.fixture
def home(tmp_path):
    path = tmp_path / "home"
    path.mkdir()
    return path


def test_a_mirror_slower_than_netchecks_wait_is_not_unreachable(home, channel):
    channel.behaviour.handler = slowly
    env = conda_env(home, channels(channel.url))
    found = conda(
        env, "search", "--override-channels", "-c", channel.url, "netcheck-demo"
    )
    assert found.returncode == 0, found.stderr  # conda waits: it works

    text = conda(env, "netcheck", "--timeout", "1", "--index-only")
    assert text.returncode == 3, text.stdout
    assert "no-answer-yet (http)" in text.stdout
    assert "conda would wait up to 5 s" in text.stdout
    assert "unreachable" not in text.stdout.replace("not known to be unreachable", "")
    assert "❌" not in text.stdout
    assert text.stdout.rstrip().endswith(
        "Verdict: 2 of 2 targets did not answer within netcheck's wait, while conda "
        "waits 5 s: not known to be unreachable; check again with "
        "`conda netcheck --timeout 5`."
    ), text.stdout
    document = json.loads(
        conda(env, "netcheck", "--json", "--timeout", "1", "--index-only").stdout
    )
    assert document["ok"] is False
    assert {t["diagnosis"] for t in document["targets"]} == {"no-answer-yet"}
    assert {t["status"] for t in document["targets"]} == {"warning"}

    # Waiting as long as conda settles it.
    settled = conda(env, "netcheck", "--timeout", "5", "--index-only")
    assert settled.returncode == 0, settled.stdout


def test_a_server_that_never_answers_is_unreachable_once_netcheck_waits_as_long_as_conda(
    home,
):
    with silent_server() as port:
        url = f"http://127.0.0.1:{port}/demo"
        env = conda_env(home, channels(url))
        short = conda(env, "netcheck", "--timeout", "1", "--index-only")
        full = conda(env, "netcheck", "--timeout", "5", "--index-only")
    assert short.returncode == 3, short.stdout
    assert "no-answer-yet" in short.stdout
    assert full.returncode == 1, full.stdout
    assert "read-timeout (http)" in full.stdout
    assert "2 of 2 targets unreachable" in full.stdout
