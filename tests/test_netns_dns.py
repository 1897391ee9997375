"""DNS failures with a real resolver: a private network namespace with its own stub DNS."""

from __future__ import annotations

import json
import sys

import pytest
from support.netns import netns_available, run_in_netns

available, why = netns_available()
pytestmark = pytest.mark.skipif(
    not available, reason=f"needs a network namespace: {why}"
)


def netcheck_in_netns(tmp_path, url, **dns) -> dict:
    shim = tmp_path / "shim" / "conda"
    shim.mkdir(parents=True)
    (shim / "__init__.py").write_text("raise ImportError('no conda in this test')\n")
    import os

    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env["PYTHONPATH"] = str(shim.parent)
    proc = run_in_netns(
        [sys.executable, "-m", "conda_netcheck", "--json", "--timeout", "3", url],
        env=env,
        timeout=60,
        **dns,
    )
    return json.loads(proc.stdout)


@pytest.mark.parametrize(
    ("dns", "summary"),
    [
        ({}, "does not exist in DNS"),
        ({"servfail": ["repo.netcheck.test"]}, "could not be reached or failed"),
        # glibc would wait 5 s x 2 attempts: netcheck's own bound (3 s) fires first.
        (
            {
                "drop": ["repo.netcheck.test"],
                "resolv_conf_options": "timeout:5 attempts:2",
            },
            "did not answer",
        ),
    ],
    ids=["nxdomain", "servfail", "dead-resolver"],
)
def test_dns_failures_are_named(tmp_path, dns, summary):
    document = netcheck_in_netns(tmp_path, "http://repo.netcheck.test/chan", **dns)
    targets = document["targets"]
    assert {t["diagnosis"] for t in targets} == {"dns-failure"}
    assert {t["layer"] for t in targets} == {"dns"}
    assert all(summary in t["summary"] for t in targets), targets[0]["summary"]
    assert all("repo.netcheck.test" in t["fix"] for t in targets)


def test_resolving_name_goes_on_to_the_next_layer(tmp_path):
    # The name resolves (to loopback, where nothing listens): DNS passes and
    # the diagnosis moves up to TCP.
    document = netcheck_in_netns(
        tmp_path,
        "http://repo.netcheck.test:9/chan",
        dns_map={"repo.netcheck.test": "127.0.0.1"},
    )
    assert {t["diagnosis"] for t in document["targets"]} == {"connection-refused"}
