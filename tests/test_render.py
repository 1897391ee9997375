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
from conda_netcheck.output.verdict import verdict_of

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
    # A target without a fix carries the keys of an empty one, as the fix module writes them.
    from conda_netcheck.fixtext import FixLines

    empty = render._commands(FixLines())
    assert empty == {"commands": [], "needs": [], "checked": False, "proof": None}
    assert {key: document["targets"][0][key] for key in empty} == empty
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
        "proof": None,
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


def _failed(url: str, code: Code, layer: Layer, proxy: str | None = None, **kw):
    target = Target(url, "c", url.rsplit("/", 1)[-1], proxy=proxy)
    return TargetResult(target, Problem(code, layer, "x"), **kw)


@pytest.mark.parametrize(
    ("proxy", "where"),
    [
        pytest.param("http://proxy.test:3128", "proxy.test:3128", id="proxy-port"),
        pytest.param(
            "http://bob:s3cret@proxy.test:8080", "proxy.test:8080", id="creds"
        ),
        pytest.param("http://[::1]:3128", "[::1]:3128", id="ipv6"),
        pytest.param("http://proxy.test", "proxy.test:80", id="http-default-port"),
        pytest.param("proxy.test:3128", "proxy.test:3128", id="scheme-less"),
        pytest.param(None, "conda.example:8443", id="direct-channel"),
        # Read as the scheme "bo": no address; a password too short to be
        # redacted as free text is still never printed.
        pytest.param(
            "bo:pw@proxy.test:3128",
            "USER:<password>@proxy.test:3128",
            id="unusable-with-creds",
        ),
    ],
)
@pytest.mark.parametrize(
    ("code", "layer"),
    [
        (Code.PROXY_AUTH_FAILED, Layer.PROXY),
        (Code.PROXY_UNREACHABLE, Layer.PROXY),
        (Code.PROXY_REFUSED, Layer.PROXY),
    ],
)
def test_a_cause_behind_a_proxy_is_placed_at_the_proxy(proxy, where, code, layer):
    results = [
        _failed(f"https://conda.example:8443/c/{subdir}", code, layer, proxy)
        for subdir in ("noarch", "linux-64")
    ]
    verdict = verdict_of(Report(targets=results))
    (cause,) = verdict.causes
    assert (cause.code, cause.where, cause.count) == (code, where, 2)
    assert f"({code.value} at {where})" in verdict.sentence()
    assert "s3cret" not in verdict.sentence()
    assert ":pw@" not in verdict.sentence()


def test_channels_on_two_hosts_behind_one_proxy_are_one_cause():
    results = [
        _failed(url, Code.PROXY_AUTH_FAILED, Layer.PROXY, "http://proxy.test:3128")
        for url in ("https://a.example/c/noarch", "http://b.example:8080/d/noarch")
    ]
    (cause,) = verdict_of(Report(targets=results)).causes
    assert (cause.where, cause.count) == ("proxy.test:3128", 2)


def test_direct_channels_on_two_hosts_are_two_causes():
    results = [
        _failed(url, Code.CONNECTION_REFUSED, Layer.TCP)
        for url in ("https://a.example/c/noarch", "http://b.example:8080/d/noarch")
    ]
    causes = verdict_of(Report(targets=results)).causes
    assert [c.where for c in causes] == ["a.example:443", "b.example:8080"]


@pytest.mark.parametrize(
    ("summaries", "count"),
    [
        # conda cannot build any session: one setting breaks every channel.
        (
            (
                "ssl_verify = '/gone.pem' is invalid",
                "ssl_verify = '/gone.pem' is invalid",
            ),
            1,
        ),
        # two settings, each wrong for its own channel
        (("channel a: no scheme", "channel b: no scheme"), 2),
    ],
    ids=["one-setting", "two-settings"],
)
def test_a_configuration_problem_is_one_cause_wherever_it_shows(summaries, count):
    results = [
        TargetResult(
            Target(url, "c", "noarch"),
            Problem(Code.CA_BUNDLE_INVALID, Layer.CONFIG, said),
        )
        for url, said in zip(
            ("https://a.example/c/noarch", "http://b.example:8080/d/noarch"), summaries
        )
    ]
    verdict = verdict_of(Report(targets=results))
    assert len(verdict.causes) == count
    if count == 1:
        (cause,) = verdict.causes
        assert cause.where == "a.example:443 and b.example:8080"
        assert "apply its fix first" in verdict.sentence()


def _last_failure(
    problem: Problem | None, url: str | None = "http://x.test/c/noarch/f"
):
    from conda_netcheck.failure.record import LastFailure
    from conda_netcheck.failure.replay import LastFailureCheck

    failure = LastFailure(when=0.0, command="conda install x", url=url)
    if url is None:
        return LastFailureCheck(failure)  # nothing to check again
    target = Target("http://x.test/c/noarch", "c", "noarch")
    return LastFailureCheck(failure, TargetResult(target, problem))


@pytest.mark.parametrize(
    ("last_failure", "ok"),
    [
        pytest.param(None, True, id="no-record"),
        pytest.param(_last_failure(None, url=None), True, id="record-without-url"),
        pytest.param(_last_failure(None), True, id="no-longer-fails"),
        pytest.param(
            _last_failure(Problem(Code.CONNECTION_REFUSED, Layer.TCP, "refused")),
            False,
            id="still-fails",
        ),
        pytest.param(
            _last_failure(Problem(Code.HTTP_NOT_FOUND, Layer.HTTP, "404")),
            False,
            id="still-fails-http",
        ),
    ],
)
def test_a_last_failure_that_still_happens_fails_the_run(last_failure, ok):
    channel = TargetResult(Target("https://a.test/c/noarch", "c", "noarch"))
    report = Report(targets=[channel], last_failure=last_failure)
    assert report.ok is ok
    verdict = verdict_of(report)
    assert verdict.ok is ok
    assert json.loads(render.to_json(report))["ok"] is ok
    sentence = verdict.sentence()
    if ok:
        assert sentence == "Verdict: all 1 targets are reachable."
    else:
        assert "the channels answer, but the last failure still happens" in sentence


def _ok(url: str = "https://a.test/c/noarch", warned: bool = False) -> TargetResult:
    warnings = [Problem(Code.CLOCK_SKEW, Layer.HTTP, "clock")] if warned else []
    return TargetResult(Target(url, "c", "noarch"), warnings=warnings)


_CONFIG_ERROR = Finding("offline", Code.OFFLINE_MODE, "offline", "unset CONDA_OFFLINE")


_REFUSED = Problem(Code.CONNECTION_REFUSED, Layer.TCP, "refused")


@pytest.mark.parametrize(
    ("targets", "findings", "last", "sentence"),
    [
        pytest.param([], [], None, "Verdict: no channel URL was checked.", id="nothing"),
        pytest.param([_ok(), _ok(warned=True)], [], None, "Verdict: all 2 targets are reachable (1 with warnings).", id="warned"),
        pytest.param([_ok(warned=True), _ok(warned=True)], [], None, "Verdict: all 2 targets are reachable (2 with warnings).", id="all-warned"),
        pytest.param(
            [_failed("https://a.test:8443/c/noarch", Code.CONNECTION_REFUSED, Layer.TCP), _ok()], [], None,
            "Verdict: 1 of 2 targets unreachable; the first broken layer is tcp "
            "(connection-refused at a.test:8443): apply its fix first.",
            id="one-cause",
        ),
        pytest.param(
            [_failed("https://a.test/c/noarch", Code.OFFLINE_MODE, Layer.CONFIG)], [], None,
            "Verdict: no channel was checked in offline mode.",
            id="offline",
        ),
        pytest.param(
            [_ok()], [_CONFIG_ERROR, _CONFIG_ERROR], None,
            "Verdict: the configuration has 2 errors: fix them first (a configuration "
            "error hides everything it touches).",
            id="two-config-errors",
        ),
        pytest.param(
            [_failed("https://a.test:8443/c/noarch", Code.CONNECTION_REFUSED, Layer.TCP)], [],
            _last_failure(_REFUSED),
            "Verdict: 1 of 1 targets unreachable; the first broken layer is tcp "
            "(connection-refused at a.test:8443): apply its fix first; the last "
            "failure is this same cause (connection-refused).",
            id="last-failure-same-cause",
        ),
        pytest.param(
            [_failed("https://a.test:8443/c/noarch", Code.HTTP_NOT_FOUND, Layer.HTTP)], [],
            _last_failure(_REFUSED),
            "Verdict: 1 of 1 targets unreachable; the first broken layer is http "
            "(http-not-found at a.test:8443): apply its fix first; then the last "
            "failure still happens at the tcp layer (connection-refused): apply its fix.",
            id="last-failure-other-cause",
        ),
        pytest.param(
            [_ok()], [], _last_failure(_REFUSED),
            "Verdict: the channels answer, but the last failure still happens at the "
            "tcp layer (connection-refused): apply its fix first.",
            id="last-failure-only",
        ),
    ],
)  # fmt: skip
def test_the_verdict_sentence_says_what_the_run_comes_to(
    targets, findings, last, sentence
):
    report = Report(targets=targets, findings=findings, last_failure=last)
    verdict = verdict_of(report)
    assert verdict.sentence() == sentence
    assert verdict.total == len(targets)


def test_causes_are_ordered_by_layer_then_endpoint_and_counted():
    results = [
        _failed("https://b.test/c/noarch", Code.HTTP_NOT_FOUND, Layer.HTTP),
        _failed("https://b.test/c/linux-64", Code.HTTP_NOT_FOUND, Layer.HTTP),
        _failed("https://z.test/c/noarch", Code.DNS_FAILURE, Layer.DNS),
        _failed("https://a.test/c/noarch", Code.DNS_FAILURE, Layer.DNS),
        TargetResult(Target("https://e.test/c/noarch", "c", "noarch")),
    ]
    verdict = verdict_of(Report(targets=results))
    assert [(c.code, c.where, c.count) for c in verdict.causes] == [
        (Code.DNS_FAILURE, "a.test:443", 1),
        (Code.DNS_FAILURE, "z.test:443", 1),
        (Code.HTTP_NOT_FOUND, "b.test:443", 2),
    ]
    assert verdict.first == verdict.causes[0]
    assert (verdict.failed, verdict.warned, verdict.offline) == (4, 0, False)
    assert verdict.causes[2].phrase() == "http-not-found (http) at b.test:443"
    assert (
        "4 of 5 targets unreachable, for 3 independent causes (" in verdict.sentence()
    )
    assert verdict_of(Report()).first is None


def test_the_failed_request_after_the_index_places_the_cause():
    result = _failed(
        "https://a.test/c/noarch",
        Code.CONNECTION_REFUSED,
        Layer.TCP,
        url_failed="http://cdn.test:8080/c/noarch/x-1-0.conda",
    )
    (cause,) = verdict_of(Report(targets=[result])).causes
    assert cause.where == "cdn.test:8080"


def test_config_errors_failures_and_the_same_last_failure_are_one_sentence():
    failed = _failed("https://a.test:8443/c/noarch", Code.CONNECTION_REFUSED, Layer.TCP)
    report = Report(
        targets=[failed], findings=[_CONFIG_ERROR], last_failure=_last_failure(_REFUSED)
    )
    assert verdict_of(report).sentence() == (
        "Verdict: the configuration has 1 error: fix it first (a configuration error "
        "hides everything it touches); then 1 of 1 targets unreachable; the first "
        "broken layer is tcp (connection-refused at a.test:8443): apply its fix "
        "first; the last failure is this same cause (connection-refused)."
    )


def test_a_proxy_url_without_an_address_is_named_as_written():
    result = _failed(
        "https://a.test/c/noarch", Code.PROXY_MISCONFIGURED, Layer.PROXY, "http://[::1"
    )
    (cause,) = verdict_of(Report(targets=[result])).causes
    assert cause.where == "http://[::1"


def test_causes_that_read_alike_are_named_with_the_setting_each_is_in():
    from conda_netcheck.config.sources import ProxySource, ProxySourceKind

    def misread(url: str, summary: str, source, proxy: str = "localhost:3128"):
        target = Target(url, "c", "noarch", proxy=proxy, proxy_source=source)
        problem = Problem(Code.PROXY_MISCONFIGURED, Layer.CONFIG, summary)
        return TargetResult(target, problem)

    setting = ProxySource(ProxySourceKind.SETTING, "https")
    variable = ProxySource(ProxySourceKind.VARIABLE, "HTTP_PROXY")
    results = [
        misread("https://a.test/c/noarch", "one", setting),
        misread("http://b.test/c/noarch", "two", variable),
        # Two that read alike, one of them from nowhere named: only the other is.
        misread("http://c.test/c/noarch", "three", setting, "other:3128"),
        misread("http://e.test/c/noarch", "four", None, "other:3128"),
        TargetResult(  # its words are its own: named as they are
            Target(
                "https://d.test/c/noarch",
                "c",
                "noarch",
                "",
                "http://p.test:3128",
                setting,
            ),
            Problem(Code.PROXY_UNREACHABLE, Layer.PROXY, "x"),
        ),
    ]
    causes = verdict_of(Report(targets=results)).causes

    assert sorted(c.where for c in causes) == [
        "localhost:3128 in proxy_servers.https",
        "localhost:3128 in the HTTP_PROXY environment variable",
        "other:3128",
        "other:3128 in proxy_servers.https",
        "p.test:3128",
    ]
