"""The JSON contract and the text report."""

from __future__ import annotations

import json

from conda_netcheck.model import (
    Code,
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
    assert {"ok", "conda_version", "netcheck_version", "targets", "findings"} <= set(
        document
    )
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
    }


def test_text_report_names_layer_and_fix_and_ends_with_a_verdict():
    text = render_text(sample())
    assert "http-not-found (http): no repodata.json" in text
    assert "    fix: check the name" in text
    # A configuration error comes first: it hides everything it touches.
    assert text.splitlines()[-1] == (
        "Verdict: the configuration has 1 error: fix it first (a configuration error "
        "hides everything it touches); then 1 of 3 targets unreachable; the first "
        "broken layer is http (http-not-found at b.test): apply its fix first."
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


def test_every_code_is_documented_in_the_readme():
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    for code in Code:
        assert f"`{code.value}`" in readme, code.value
