"""The diagnosis catalogue: every code has every part, and the docs' table of codes is the catalogue's."""

from __future__ import annotations

from pathlib import Path

import pytest

from conda_netcheck.config.commands import Commands, Shell
from conda_netcheck.config.sources import ProxySource, ProxySourceKind
from conda_netcheck.diagnosis.catalogue import (
    CATALOGUE,
    Actor,
    Subject,
    action_for,
    codes_table,
    commands_for,
    fix_for,
)
from conda_netcheck.model import (
    Code,
    Layer,
    Problem,
    Status,
    Target,
)

CODES_TABLE = Path(__file__).parent.parent / "docs" / "codes-table.md"


def _subject(code: Code, proxy: str | None = None) -> Subject:
    target = Target(
        "https://mirror.example.org/team/noarch",
        "team",
        "noarch",
        source="the channels setting",
        proxy=proxy,
        proxy_source=ProxySource(ProxySourceKind.SETTING, "https") if proxy else None,
    )
    layer = CATALOGUE[code].layers[0] if CATALOGUE[code].layers else Layer.HTTP
    problem = Problem(code, layer, "SUMMARY", "FIX")
    return Subject(target, problem, Commands(shell=Shell.POSIX))


@pytest.mark.parametrize("code", list(Code), ids=str)
def test_every_code_has_every_part(code):
    entry = CATALOGUE[code]
    assert entry.code is code
    assert entry.meaning and entry.table_fix
    assert isinstance(entry.actor, Actor)
    if code is Code.OK:
        return
    assert entry.layers, "a code names the layer it is found at"
    for proxy in (None, "http://proxy.corp.test:3128"):
        subject = _subject(code, proxy)
        fix = fix_for(subject.problem, subject.target, subject.commands)
        assert fix, f"{code} has no fix"
        action = action_for(subject)
        assert action.sentence and isinstance(action.actor, Actor)


@pytest.mark.parametrize("code", [c for c in Code if c is not Code.OK], ids=str)
def test_report_sentences_add_at_most_one_colon(code):
    # "fix the configuration: X: Y" read badly; the summary and fix bring their
    # own colons, the sentence around them at most one.
    for proxy in (None, "http://proxy.corp.test:3128"):
        sentence = action_for(_subject(code, proxy)).sentence
        glue = sentence.replace("proxy.corp.test:3128", "PROXY").replace(
            "mirror.example.org:443", "ADDRESS"
        )
        glue = glue.replace("ssl_verify: truststore", "the setting")
        assert glue.count(": ") <= 1, sentence


def test_the_docs_table_of_codes_is_the_catalogue():
    # docs/codes.md includes this file; every code has its row, in Code's order.
    assert CODES_TABLE.read_text(encoding="utf-8") == codes_table() + "\n", (
        "docs/codes-table.md differs from the catalogue: regenerate it with "
        "python -m conda_netcheck.diagnosis.catalogue > docs/codes-table.md"
    )


def test_the_docs_page_of_codes_includes_the_generated_table():
    page = (CODES_TABLE.parent / "codes.md").read_text(encoding="utf-8")
    assert "```{include} codes-table.md\n```" in page


def test_warning_codes_come_from_the_catalogue():
    assert CATALOGUE[Code.SLOW].severity is Status.WARNING
    assert CATALOGUE[Code.DNS_FAILURE].severity is Status.ERROR
    assert Problem(Code.SLOW, Layer.HTTP, "x").status is Status.WARNING
    assert Problem(Code.TLS_ERROR, Layer.TLS, "x").status is Status.ERROR


@pytest.mark.parametrize(("conda_timeout", "suggested"), [(60, "120"), (25, "50")])
def test_read_timeout_fix_doubles_condas_own_timeout(conda_timeout, suggested):
    subject = _subject(Code.READ_TIMEOUT)
    fix = fix_for(
        subject.problem,
        subject.target,
        subject.commands,
        read_timeout=conda_timeout,
        waited=conda_timeout,
    )
    assert fix.endswith(f"conda config --set remote_read_timeout_secs {suggested}")


def test_a_ca_variable_that_wins_over_ssl_verify_gets_the_path():
    from conda_netcheck.config.commands import for_config
    from conda_netcheck.config.netconfig import NetConfig

    cfg = NetConfig(env={"REQUESTS_CA_BUNDLE": "/etc/ssl/certs/ca-certificates.crt"})
    commands = for_config(cfg, Shell.POSIX)
    # requests lets the variable win over an ssl_verify path: set the variable.
    assert commands.set("ssl_verify", "/path/ca.pem") == (
        "export REQUESTS_CA_BUNDLE=/path/ca.pem"
    )
    # truststore is used beside it: that one is conda's setting.
    assert commands.set("ssl_verify", "truststore") == (
        "conda config --set ssl_verify truststore"
    )


@pytest.mark.parametrize(
    "direct, offers_drop, offers_other",
    [
        ("works", True, True),  # the channel answers without the proxy
        ("dns-failure", False, True),  # the network needs a proxy: never drop it
        ("connection-refused", False, True),
        (None, True, True),  # not tried (--no-direct): both, the proxy first
    ],
)
@pytest.mark.parametrize(
    "proxy, placeholder",
    [
        ("http://alice:s3cret@proxy.corp.test:3128", "USER:<password>@PROXY_HOST:PORT"),
        ("http://alice@proxy.corp.test:3128", "USER@PROXY_HOST:PORT"),
        ("http://proxy.corp.test:3128", "http://PROXY_HOST:PORT"),
    ],
    ids=["user-and-password", "user", "no-credentials"],
)
def test_a_proxy_that_does_not_answer_is_dropped_only_when_not_needed(
    direct, offers_drop, offers_other, proxy, placeholder
):
    subject = _subject(Code.PROXY_UNREACHABLE, proxy)
    problem = subject.problem.amended(direct=direct) if direct else subject.problem
    fix = fix_for(problem, subject.target, subject.commands)
    assert ("--remove-key proxy_servers.https" in fix) is offers_drop
    assert (placeholder in fix) is offers_other
    assert "s3cret" not in fix
    # One line to run: the drop only where the channel answers without a proxy.
    (line,) = commands_for(problem, subject.target, subject.commands).lines
    assert line in fix
    assert ("--remove-key" in line) is (direct == "works")


def test_every_entry_names_its_parts():
    """Each entry is written with keyword arguments: a reader sees which text is which."""
    import ast

    from conda_netcheck.diagnosis import catalogue

    tree = ast.parse(Path(catalogue.__file__).read_text(encoding="utf-8"))
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "Entry"
    ]
    assert len(calls) == len(catalogue.ENTRIES) == len(CATALOGUE)
    positional = [f"line {call.lineno}" for call in calls if call.args]
    assert positional == []


@pytest.mark.parametrize(
    ("code", "read_timeout", "waited", "line"),
    [
        (Code.OFFLINE_MODE, 60.0, None, "conda config --set offline false"),
        # conda waits no longer than this run did: give it longer, as much as
        # the finding for a timeout below 5 s asks
        (Code.READ_TIMEOUT, 1.0, 1.0, "conda config --set remote_read_timeout_secs 50"),
        (
            Code.READ_TIMEOUT,
            10.0,
            10.0,
            "conda config --set remote_read_timeout_secs 20",
        ),
        # conda waits longer than this run did: check again first, nothing to run
        (Code.READ_TIMEOUT, 60.0, 10.0, None),
    ],
    ids=["offline", "read-timeout-too-low", "read-timeout", "read-timeout-undecided"],
)
def test_the_offline_and_timeout_fixes_give_the_line_they_print(
    code, read_timeout, waited, line
):
    subject = _subject(code)
    fix = fix_for(
        subject.problem, subject.target, subject.commands, read_timeout, waited
    )
    lines = commands_for(
        subject.problem, subject.target, subject.commands, read_timeout, waited
    )
    assert lines.lines == ((line,) if line else ())
    assert lines.needs == ()
    if line:
        assert f": {line}" in fix


@pytest.mark.parametrize(
    ("configured", "shell", "line"),
    [
        ({"proxy_servers.http": "/home/u/.condarc"}, Shell.POSIX, "unset HTTP_PROXY"),
        ({"proxy_servers.all": "/etc/conda/.condarc"}, Shell.FISH, "set -e HTTP_PROXY"),
        # nothing of conda's own: point the variable at the right proxy
        ({}, Shell.POSIX, "export HTTP_PROXY=http://PROXY_HOST:PORT"),
    ],
    ids=["http-key", "all-key-fish", "no-setting"],
)
def test_a_dead_proxy_variable_over_condas_own_setting_is_unset(
    configured, shell, line
):
    from conda_netcheck.config.sources import SettingSource

    target = Target(
        "http://mirror.corp.example:8080/noarch",
        "http://mirror.corp.example:8080",
        "noarch",
        proxy="http://127.0.0.1:9",
        proxy_source=ProxySource(ProxySourceKind.VARIABLE, "HTTP_PROXY"),
    )
    # A direct connection fails too: this network needs a proxy.
    problem = Problem(Code.PROXY_UNREACHABLE, Layer.PROXY, "S").amended(
        direct="dns-failure"
    )
    sources = {key: SettingSource.file(path) for key, path in configured.items()}
    commands = Commands(sources, shell=shell)
    fix = fix_for(problem, target, commands)
    assert commands_for(problem, target, commands).lines == (line,)
    assert f"1. {line}" in fix.lines()[1]
    if configured:
        (key,) = configured
        assert f"HTTP_PROXY overrides {key} (set in {configured[key]})" in fix


def test_every_code_an_error_hint_names_has_its_hint_sentence_and_fix():
    """A hint's words are its code's: the cause sentence and the fix live in the entry."""
    from conda_netcheck.failure.hints import CODES

    for code in CODES:
        subject = _subject(code, "http://proxy.corp.test:3128")
        hint = CATALOGUE[code].hint
        assert hint is not None, f"{code} has no hint sentence"
        assert hint(subject) and "SUMMARY" not in hint(subject)
        assert CATALOGUE[code].fix(subject)
    # A code no hint names has no hint sentence to keep in step.
    assert {c for c in Code if CATALOGUE[c].hint is not None} == CODES


def test_the_trust_fix_never_suggests_truststore_when_it_is_already_set():
    """ssl_verify: truststore already: setting it again changes nothing."""
    subject = _subject(Code.TLS_UNTRUSTED)
    target = Target(subject.target.url, "team", "noarch", verify="truststore")
    fix = fix_for(subject.problem.amended(fix=None), target, subject.commands)
    assert "--set ssl_verify truststore" not in fix
    assert "(ssl_verify: truststore), which lacks this issuer" in fix
    assert "conda config --set ssl_verify /path/to/ca-bundle.pem" in fix
    assert "false" not in fix.replace("never set ssl_verify to false", "")


@pytest.mark.parametrize(
    ("proxy", "written"),
    [
        # read as the URL scheme "alice": the host is the user's to write too
        (
            "alice:s3cret@proxy.corp.test:3128",
            "'http://USER:<password>@PROXY_HOST:PORT'",
        ),
        ("alice@proxy.corp.test:3128", "http://USER@proxy.corp.test:3128"),
        ("proxy.corp.test:3128", "http://proxy.corp.test:3128"),
    ],
    ids=["user-and-password", "user", "no-credentials"],
)
def test_a_proxy_url_requests_cannot_use_is_rewritten_with_its_credentials(
    proxy, written
):
    """The full-URL fix keeps the user (and password) as placeholders: else a 407 next."""
    subject = _subject(Code.PROXY_MISCONFIGURED, proxy)
    lines = commands_for(subject.problem, subject.target, subject.commands)
    assert lines.lines == (f"conda config --set proxy_servers.https {written}",)
    assert "s3cret" not in fix_for(subject.problem, subject.target, subject.commands)
