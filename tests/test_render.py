"""The JSON contract and the text report."""

from __future__ import annotations

import json

import pytest

from conda_netcheck.model import (
    Code,
    Details,
    Finding,
    Layer,
    Problem,
    Report,
    Target,
    TargetResult,
    Timings,
)
from conda_netcheck.output import render
from conda_netcheck.output.text import text as render_text

TARGET_KEYS = {
    "commands",
    "needs",
    "checked",
    "url",
    "channel",
    "subdir",
    "host",
    "proxy",
    "status",
    "diagnosis",
    "layer",
    "summary",
    "fix",
    "timings_ms",
}


def sample() -> Report:
    ok = TargetResult(
        Target("https://a.test/c/noarch", "c", "noarch"), timings=Timings(dns=1.04)
    )
    bad = TargetResult(
        Target("https://b.test/d/noarch", "d", "noarch"),
        Problem(Code.HTTP_NOT_FOUND, Layer.HTTP, "no repodata.json", "check the name"),
    )
    skew = TargetResult(
        Target("https://c.test/e/noarch", "e", "noarch"),
        warnings=[Problem(Code.CLOCK_SKEW, Layer.HTTP, "clock off", "fix clock")],
    )
    return Report(
        targets=[ok, bad, skew],
        findings=[
            Finding("offline", Code.OFFLINE_MODE, "offline", "unset CONDA_OFFLINE")
        ],
        conda_version="26.7.1",
        netcheck_version="0.1.0",
    )


def test_json_document_has_the_documented_fields():
    document = json.loads(render.to_json(sample()))
    assert {
        "ok",
        "verdict",
        "conda_version",
        "netcheck_version",
        "targets",
        "findings",
    } <= set(document)
    assert document["ok"] is False
    for target in document["targets"]:
        assert TARGET_KEYS <= set(target)
        assert set(target["timings_ms"]) == {
            "dns",
            "connect",
            "tls",
            "first_byte",
            "total",
        }
    assert [t["status"] for t in document["targets"]] == ["ok", "error", "warning"]
    assert [t["diagnosis"] for t in document["targets"]] == [
        "ok",
        "http-not-found",
        "clock-skew",
    ]
    assert document["targets"][0]["timings_ms"]["dns"] == 1.0
    (finding,) = document["findings"]
    assert finding == {
        "check": "offline",
        "status": "error",
        "diagnosis": "offline-mode",
        "summary": "offline",
        "fix": "unset CONDA_OFFLINE",
        "commands": [],
        "needs": [],
        "checked": False,
    }


def test_text_report_names_layer_and_fix_and_ends_with_a_verdict():
    text = render_text(sample())
    assert "http-not-found (http): no repodata.json" in text
    assert "    fix: check the name" in text
    # A configuration error comes first: it hides everything it touches.
    assert text.splitlines()[-1] == (
        "Verdict: the configuration has 1 error: fix it first (a configuration error "
        "hides everything it touches); then 1 of 3 targets unreachable; the first "
        "broken layer is http (http-not-found at b.test:443): apply its fix first."
    )


def test_warnings_alone_keep_the_run_ok():
    report = sample()
    report.targets = [report.targets[2]]
    report.findings = []
    assert report.ok
    assert (
        render.verdict(report)
        == "Verdict: all 1 targets are reachable (1 with warnings)."
    )


def _refused(url: str, subdir: str) -> TargetResult:
    host = url.split("/")[2]
    return TargetResult(
        Target(f"{url}/{subdir}", url, subdir, source="the channels setting"),
        Problem(
            Code.CONNECTION_REFUSED,
            Layer.TCP,
            f"{host} refused the connection",
            f"check the port of {host} in the channels setting",
        ),
    )


def test_the_header_counts_channels_and_urls_and_says_when_there_is_none():
    from conda_netcheck.output.text import header_lines

    report = Report(netcheck_version="0.1.0", trust=("certifi", "the default"))
    assert header_lines(report, [])[0].endswith(": no channel URL to check")
    lines = header_lines(report, ["http://a.test/c/noarch", "http://a.test/c/linux-64"])
    assert lines == ["conda-netcheck 0.1.0 (no conda): checking 1 channel (2 URLs)"]
    # The trust line only when a channel uses TLS.
    (_, trust) = header_lines(report, ["https://a.test/c/noarch"])
    assert trust == "trust: certifi (the default)"


def test_subdirs_with_one_diagnosis_share_a_line_and_a_host_cause_is_said_once():
    report = Report(
        targets=[
            _refused("http://h.test:81/team", "linux-64"),
            _refused("http://h.test:81/team", "noarch"),
            _refused("http://h.test:81/extra", "linux-64"),
            _refused("http://h.test:81/extra", "noarch"),
        ]
    )
    text = render_text(report, header=False)
    assert text.count("h.test:81 refused the connection") == 1
    assert text.count("fix: check the port of h.test:81") == 1
    assert "❌ http://h.test:81/team  (linux-64, noarch)" in text
    assert "the same cause breaks http://h.test:81/extra (below)" in text
    assert (
        "connection-refused (tcp): the same cause as http://h.test:81/team above"
        in text
    )


def test_offline_mode_is_said_once():
    offline = Finding(
        "offline",
        Code.OFFLINE_MODE,
        "offline mode is on",
        "conda config --set offline false",
    )
    targets = [
        TargetResult(
            Target(f"https://a.test/{c}/{s}", c, s),
            Problem(Code.OFFLINE_MODE, Layer.CONFIG, "offline", "turn it off"),
        )
        for c in ("c", "d")
        for s in ("noarch", "linux-64")
    ]
    text = render_text(Report(targets=targets, findings=[offline]), header=False)
    assert text.count("offline mode is on") == 1
    assert "not checked in offline mode: c, d" in text
    assert "turn it off" not in text  # the finding's fix says it
    assert text.splitlines()[-1].endswith(
        "then no channel was checked in offline mode."
    )


def test_independent_causes_are_not_one_first_fix():
    report = Report(
        targets=[
            _refused("http://h.test:81/team", "noarch"),
            TargetResult(
                Target("https://b.test/d/noarch", "d", "noarch"),
                Problem(Code.TLS_UNTRUSTED, Layer.TLS, "untrusted", "trust it"),
            ),
        ]
    )
    assert render.verdict(report) == (
        "Verdict: 2 of 2 targets unreachable, for 2 independent causes "
        "(connection-refused (tcp) at h.test:81, tls-untrusted (tls) at b.test:443): "
        "each needs its own fix."
    )


@pytest.mark.parametrize(
    ("roots", "expected"),
    [
        (
            ("Corp CA", "Corp CA"),
            "Verdict: 2 of 2 targets unreachable; the first broken layer is tls "
            "(tls-untrusted at 127.0.0.1:8443 and localhost:8443): apply its fix first.",
        ),
        # Two roots are still one command: every root the run lacks at once.
        (
            ("Corp CA", "Other CA"),
            "Verdict: 2 of 2 targets unreachable; the first broken layer is tls "
            "(tls-untrusted at 127.0.0.1:8443 and localhost:8443): apply its fix first.",
        ),
        # Without a root to add, two endpoints are two causes.
        (
            (None, None),
            "Verdict: 2 of 2 targets unreachable, for 2 independent causes "
            "(tls-untrusted (tls) at 127.0.0.1:8443, tls-untrusted (tls) at "
            "localhost:8443): each needs its own fix.",
        ),
    ],
    ids=["same-root", "two-roots", "no-root"],
)
def test_causes_are_grouped_by_the_fix_that_solves_them(roots, expected):
    targets = [
        TargetResult(
            Target(f"https://{host}:8443/c/noarch", "c", "noarch"),
            Problem(
                Code.TLS_UNTRUSTED,
                Layer.TLS,
                "untrusted",
                "add the root",
                Details(missing_root=root),
            ),
        )
        for host, root in zip(("127.0.0.1", "localhost"), roots)
    ]
    assert render.verdict(Report(targets=targets)) == expected


def test_a_laid_out_fix_is_redacted_line_by_line():
    """A Fix's sentence, steps, other way and why each pass through the redaction."""
    from conda_netcheck.fixtext import Fix

    secret = "Pr0xy-Planted-pw"
    fix = Fix(
        "point conda at http://alice:" + secret + "@proxy.test:3128",
        (f"conda config --set proxy_servers.https http://alice:{secret}@p.test:3128",),
        why=f"Authorization: Basic {secret}",
        otherwise=f"https://conda.anaconda.org/t/tk-{secret}/x",
    )
    problem = Problem(Code.PROXY_AUTH_FAILED, Layer.PROXY, "407", fix)
    lines = render.problem_lines(problem, verbose=True)
    assert lines[1].startswith("    fix: point conda at http://alice:<redacted>@")
    assert lines[2].startswith("      1. conda config --set proxy_servers.https")
    assert lines[3].startswith("      else: ")
    assert lines[4].startswith("    why: Authorization: ")
    assert not any(secret in line for line in lines)
    assert "why:" not in "\n".join(render.problem_lines(problem))
