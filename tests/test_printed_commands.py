"""Every `conda config` command netcheck prints, run as printed, removes its problem.

The configuration lives in the file `$CONDARC` names: conda reads it after
`~/.condarc`, so a command without `--file` would write a file that loses and
change nothing. Each command runs through real conda in a fresh copy of the
configuration; then netcheck runs again and the code it was printed for is gone.
"""

from __future__ import annotations

import json
import re
import shlex
from contextlib import ExitStack
from typing import TYPE_CHECKING

import pytest
from conftest import needs_conda

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = needs_conda

#: Commands with these words are templates the user completes, not fixes to run.
PLACEHOLDERS = ("PROXY_HOST", "USER", "<password>", "/path/to/", "MIRROR", "TOKEN")


@pytest.fixture
def configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Write the settings into $CONDARC (not ~/.condarc) and make it all conda reads."""
    from conda.base.context import reset_context

    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("CONDA_PKGS_DIRS", str(tmp_path / "pkgs"))
    path = tmp_path / "team" / "condarc"
    path.parent.mkdir()
    monkeypatch.setenv("CONDARC", str(path))

    def write(url: str, **settings) -> Path:
        base = {"channels": [url], "default_channels": [url], "channel_alias": url}
        path.write_text(json.dumps({**base, **settings}))
        (home / ".condarc").unlink(missing_ok=True)
        reset_context()
        return path

    yield write
    reset_context()


def run_netcheck(conda_cli) -> dict:
    from conda.gateways.connection.session import CondaSession, get_session

    # conda caches a session (its proxies, its ssl_verify) per URL.
    get_session.cache_clear()
    CondaSession.cache_clear()
    out, _, _ = conda_cli("netcheck", "--json", "--timeout", "1")
    return json.loads(out)


def printed_commands(document: dict) -> list[tuple[str, tuple[str, str]]]:
    """(command, (what it was printed for, code)) for every `conda config` in a fix."""
    fixes = [(t["fix"], (t["url"], t["diagnosis"])) for t in document["targets"]]
    fixes += [
        (w["fix"], (t["url"], w["diagnosis"]))
        for t in document["targets"]
        for w in t["warnings"]
    ]
    fixes += [(f["fix"], _finding(f)) for f in document["findings"]]
    found = []
    for fix, item in fixes:
        for piece in re.split(r"; |, | \(|\)| or ", fix or ""):
            start = piece.find("conda config ")
            if start == -1 or "--show-sources" in piece:
                continue
            command = piece[start:].strip()
            if not any(word in command for word in PLACEHOLDERS):
                if (command, item) not in found:
                    found.append((command, item))
    return found


def problems(document: dict) -> set[tuple[str, str]]:
    """(target URL or check, code) for everything the run found."""
    found = {(t["url"], t["diagnosis"]) for t in document["targets"]}
    found |= {
        (t["url"], w["diagnosis"]) for t in document["targets"] for w in t["warnings"]
    }
    return found | {_finding(f) for f in document["findings"]}


def _finding(finding: dict) -> tuple[str, str]:
    # One check may find two things with one code (a proxy URL without its
    # scheme, and no proxy for the other scheme): the summary tells them apart.
    return (f"{finding['check']}: {finding['summary']}", finding["diagnosis"])


def codes(document: dict) -> set[str]:
    return {code for _, code in problems(document)}


def _plain_proxy(stack: ExitStack, tmp_path: Path):
    from support.proxies import tinyproxy_proxy

    return stack.enter_context(tinyproxy_proxy(tmp_path))


def _closed_port() -> int:
    from support.servers import closed_port

    return closed_port()


# (id, settings from (channel URL, plain proxy URL, tmp_path), code, the command's key)
# ssl_verify: false gets a command only where the operating system's store
# verifies every HTTPS channel: its journeys are in test_journeys.py.
CASES = [
    ("offline", lambda url, proxy, tmp: {"offline": True}, "offline-mode", "offline"),
    (
        "read-timeout-too-low",
        lambda url, proxy, tmp: {"remote_read_timeout_secs": 1},
        "timeout-too-low",
        "remote_read_timeout_secs",
    ),
    (
        "https-scheme-on-a-plain-http-proxy",
        lambda url, proxy, tmp: {
            "proxy_servers": {"http": proxy.replace("http://", "https://")}
        },
        "proxy-misconfigured",
        "proxy_servers.http",
    ),
    (
        "proxy-without-a-scheme",
        lambda url, proxy, tmp: {
            "proxy_servers": {"http": proxy.removeprefix("http://")}
        },
        "proxy-misconfigured",
        "proxy_servers.http",
    ),
    (
        "proxy-that-is-not-there",
        lambda url, proxy, tmp: {
            "proxy_servers": {"http": f"http://127.0.0.1:{_closed_port()}"}
        },
        "proxy-unreachable",
        "proxy_servers.http",
    ),
]


@pytest.mark.parametrize(
    ("settings", "code", "key"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_every_printed_command_removes_its_problem(
    settings, code, key, configuration, conda_cli, channel, tmp_path
):
    with ExitStack() as stack:
        proxy = _plain_proxy(stack, tmp_path)
        path = configuration(channel.url, **settings(channel.url, proxy.url, tmp_path))
        original = path.read_text()
        before = run_netcheck(conda_cli)
        assert code in codes(before)
        commands = printed_commands(before)
        assert any(key in c for c, (_, printed_for) in commands if printed_for == code)
        for command, item in commands:
            path.write_text(original)  # a fresh copy for each command
            argv = shlex.split(command)
            assert argv[:2] == ["conda", "config"]
            assert "--file" in argv, f"{command!r} would write ~/.condarc, which loses"
            conda_cli(*argv[1:])
            after = run_netcheck(conda_cli)
            assert item not in problems(after), (command, item)


def test_without_file_the_same_command_changes_nothing(
    configuration, conda_cli, channel
):
    # Why --file matters: conda config writes ~/.condarc, $CONDARC still wins.
    configuration(channel.url, offline=True)
    conda_cli("config", "--set", "offline", "false")
    assert "offline-mode" in codes(run_netcheck(conda_cli))


# -- The proxy_servers key a fix names follows the channel's scheme ------------

#: Codes whose fix or report line sets a proxy for the channel.
_PROXY_LINE_CODES = {
    "dns-failure",
    "connection-refused",
    "connect-timeout",
    "proxy-misconfigured",
    "proxy-unreachable",
    "proxy-auth-failed",
}


def _proxy_keys(text: str) -> list[str]:
    return re.findall(r"proxy_servers\.([\w:/.\[\]-]+)", text)


@pytest.mark.parametrize(
    "proxy", [None, "http://proxy.example:3128"], ids=["direct", "proxied"]
)
@pytest.mark.parametrize("scheme", ["http", "https"])
def test_every_printed_proxy_servers_key_is_the_channel_scheme(scheme, proxy):
    from conda_netcheck.config.commands import Commands
    from conda_netcheck.diagnosis.catalogue import Subject, action_for, fix_for
    from conda_netcheck.model import Code, Layer, Problem, Target

    target = Target(f"{scheme}://127.0.0.1:8080/c/noarch", "c", "noarch", proxy=proxy)
    printing = set()
    for code in Code:
        problem = Problem(code, Layer.PROXY, "x")
        action = action_for(Subject(target, problem, Commands()))
        text = " ".join(
            [
                fix_for(problem, target, Commands()) or "",
                action.sentence,
                *action.commands,
            ]
        )
        keys = _proxy_keys(text)
        assert set(keys) <= {scheme}, (code, text)
        if keys:
            printing.add(code.value)
    assert printing >= _PROXY_LINE_CODES


@pytest.mark.parametrize(
    ("url", "configured", "key"),
    [
        ("http://h.example/c", None, "proxy_servers.http"),
        ("https://h.example/c", None, "proxy_servers.https"),
        ("h.example/c", None, "proxy_servers.https"),  # conda's default scheme
        ("http://h.example/c", {"https": "p"}, "proxy_servers.http"),
        ("http://h.example/c", {"all": "p"}, "proxy_servers.all"),
        (
            "http://h.example/c",
            {"http://h.example": "p"},
            "proxy_servers.http://h.example",
        ),
        (
            "https://h.example/c",
            {"all://h.example": "p", "all": "p"},
            "proxy_servers.all://h.example",
        ),
    ],
)
def test_proxy_key_is_the_one_requests_looks_up(url, configured, key):
    from conda_netcheck.config.commands import proxy_key

    assert proxy_key(url, configured) == key


# -- A ~/ path that needs quoting is quoted; one that does not stays expandable --


@pytest.mark.parametrize(
    ("path", "expands"),
    [
        pytest.param("~/.condarc", True, id="plain"),
        pytest.param("~/conda/condarc.yml", True, id="plain-subdir"),
        pytest.param("~/my dir/.condarc", False, id="space"),
        pytest.param("~/it's/.condarc", False, id="quote"),
        pytest.param("~/a$HOME/.condarc", False, id="dollar"),
        pytest.param("~/a;touch x/.condarc", False, id="semicolon"),
        pytest.param("/etc/conda dir/.condarc", False, id="absolute-space"),
        pytest.param("/etc/conda/.condarc", False, id="absolute-plain"),
    ],
)
def test_a_printed_file_path_is_one_shell_word(path, expands, tmp_path):
    import subprocess

    from conda_netcheck.config.commands import Commands, Shell
    from conda_netcheck.config.sources import SettingSource

    commands = Commands({"ssl_verify": SettingSource.file(path)}, shell=Shell.POSIX)
    line = commands.set("ssl_verify", "truststore")
    assert line.startswith("conda config --file ") and line.endswith(
        " --set ssl_verify truststore"
    )
    # What bash makes of the printed command: the path is one argument.
    words = subprocess.run(
        ["bash", "-c", "printf '%s\\0' " + line],
        capture_output=True,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,
        timeout=10,
        check=True,
    ).stdout.split(b"\0")[:-1]
    assert len(words) == 7, line
    argument = words[3].decode()
    if expands:
        assert argument == str(tmp_path) + path[1:]
    else:
        assert argument.endswith(path.lstrip("~"))


# -- The lines each shell gets ---------------------------------------------------

_SHELL_LINES = {
    # shell: (set with a space, set empty, unset)
    "posix": ("export HTTPS_PROXY='http://u:p w@h:1'", "export X=''", "unset X"),
    "fish": ("set -gx HTTPS_PROXY 'http://u:p w@h:1'", "set -gx X ''", "set -e X"),
    "powershell": ("$env:HTTPS_PROXY = 'http://u:p w@h:1'", "$env:X = ''", "Remove-Item Env:X"),
    "cmd": ('set "HTTPS_PROXY=http://u:p w@h:1"', 'set "X="', "set X="),
}  # fmt: skip


@pytest.mark.parametrize("shell", sorted(_SHELL_LINES))
def test_each_shell_gets_its_own_variable_syntax(shell):
    from conda_netcheck.config.commands import Shell, set_variable, unset_variable

    lines = _SHELL_LINES[shell]
    assert set_variable("HTTPS_PROXY", "http://u:p w@h:1", Shell(shell)) == lines[0]
    assert set_variable("X", "", Shell(shell)) == lines[1]
    assert unset_variable("X", Shell(shell)) == lines[2]


@pytest.mark.parametrize(
    ("shell", "value", "line"),
    [
        # PowerShell expands `$name` and backticks in double quotes, not in single ones.
        ("powershell", "http://u:pa$word@h:1", "$env:V = 'http://u:pa$word@h:1'"),
        ("powershell", 'http://u:"q"@h:1', "$env:V = 'http://u:\"q\"@h:1'"),
        ("powershell", "http://u:it's@h:1", "$env:V = 'http://u:it''s@h:1'"),
        ("powershell", "http://u:`n@h:1", "$env:V = 'http://u:`n@h:1'"),
        # cmd runs `&`, `|`, `<`, `>` as operators unless the assignment is quoted.
        ("cmd", "http://u:a&b|c@h:1", 'set "V=http://u:a&b|c@h:1"'),
    ],
)
def test_a_value_with_a_shell_special_character_is_set_literally(shell, value, line):
    from conda_netcheck.config.commands import Shell, set_variable

    assert set_variable("V", value, Shell(shell)) == line


@pytest.mark.parametrize(
    ("platform", "environ", "shell"),
    [
        ("linux", {"SHELL": "/usr/bin/fish"}, "fish"),
        ("linux", {"SHELL": "/bin/bash"}, "posix"),
        ("darwin", {"SHELL": "/bin/zsh"}, "posix"),
        ("linux", {}, "posix"),
        ("win32", {"PSModulePath": "C:\\ps"}, "powershell"),
        ("win32", {}, "cmd"),
    ],
)
def test_the_current_shell_comes_from_the_platform_and_environment(
    platform, environ, shell, monkeypatch
):
    from conda_netcheck.config import commands

    monkeypatch.setattr(commands.sys, "platform", platform)
    for name in ("SHELL", "PSModulePath"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    assert commands.current_shell() is commands.Shell(shell)
    # Without a shell given, the lines are written for the current one.
    expected = _SHELL_LINES[shell][2]
    assert commands.unset_variable("X") == expected


def test_a_command_names_the_file_or_variable_that_sets_the_key():
    from conda_netcheck.config.commands import Commands, Shell
    from conda_netcheck.config.sources import SettingSource

    sources = {
        "ssl_verify": SettingSource.file("/etc/my conda/.condarc"),
        "proxy_servers": SettingSource.file("/etc/conda/.condarc"),
        "proxy_servers.https": SettingSource.variable("CONDA_PROXY_SERVERS_HTTPS"),
        "channels": SettingSource.file("~/.condarc"),
    }
    posix = Commands(sources, shell=Shell.POSIX)
    assert posix.set("ssl_verify", "a b") == (
        "conda config --file '/etc/my conda/.condarc' --set ssl_verify 'a b'"
    )
    assert posix.remove("ssl_verify") == (
        "conda config --file '/etc/my conda/.condarc' --remove-key ssl_verify"
    )
    assert (
        posix.add("channels", "x y")
        == "conda config --file ~/.condarc --add channels 'x y'"
    )
    assert posix.set("proxy_servers.https", "v") == "export CONDA_PROXY_SERVERS_HTTPS=v"
    assert posix.remove("proxy_servers.https") == "unset CONDA_PROXY_SERVERS_HTTPS"
    # A dotted key set nowhere itself falls back to its top-level key's file.
    assert posix.set("proxy_servers.http", "v") == (
        "conda config --file /etc/conda/.condarc --set proxy_servers.http v"
    )
    assert posix.set("offline", "false") == "conda config --set offline false"
    assert posix.set("offline", "") == "conda config --set offline ''"
    windows = Commands(sources, shell=Shell.POWERSHELL)
    assert windows.set("ssl_verify", "a b") == (
        'conda config --file "/etc/my conda/.condarc" --set ssl_verify "a b"'
    )
    assert windows.set("offline", "") == 'conda config --set offline ""'
    assert windows.remove("proxy_servers.https") == (
        "Remove-Item Env:CONDA_PROXY_SERVERS_HTTPS"
    )


def test_a_ca_bundle_variable_wins_over_ssl_verify_paths_but_not_over_flags():
    from conda_netcheck.config.commands import Commands, Shell, for_config
    from conda_netcheck.config.netconfig import NetConfig

    commands = Commands(
        overrides={"ssl_verify": "REQUESTS_CA_BUNDLE"}, shell=Shell.POSIX
    )
    assert commands.set("ssl_verify", "/x.pem") == "export REQUESTS_CA_BUNDLE=/x.pem"
    for flag in ("truststore", "true", "false"):
        assert (
            commands.set("ssl_verify", flag) == f"conda config --set ssl_verify {flag}"
        )
    for env, variable in [
        (
            {"REQUESTS_CA_BUNDLE": "/a.pem", "CURL_CA_BUNDLE": "/b.pem"},
            "REQUESTS_CA_BUNDLE",
        ),
        ({"CURL_CA_BUNDLE": "/b.pem"}, "CURL_CA_BUNDLE"),
        ({"REQUESTS_CA_BUNDLE": "", "CURL_CA_BUNDLE": "/b.pem"}, "CURL_CA_BUNDLE"),
    ]:
        derived = for_config(NetConfig(env=env), Shell.POSIX)
        assert derived.set("ssl_verify", "/x.pem") == f"export {variable}=/x.pem"
    plain = for_config(NetConfig(env={}), Shell.POSIX)
    assert plain.set("ssl_verify", "/x.pem") == "conda config --set ssl_verify /x.pem"
    assert for_config(NetConfig(conda=False), Shell.POSIX).conda is False


@pytest.mark.parametrize(
    ("kind", "name", "conda", "set_line", "drop_line"),
    [
        ("setting", "http", True, "conda config --set proxy_servers.http http://p:1", "conda config --remove-key proxy_servers.http"),
        ("variable", "http_proxy", True, "export http_proxy=http://p:1", "unset http_proxy"),
        ("os", "Windows Internet Options", True, "export HTTP_PROXY=http://p:1", "export NO_PROXY=h.example"),
        ("environment", "the environment", True, "export HTTP_PROXY=http://p:1", "export NO_PROXY=h.example"),
        (None, None, True, "conda config --set proxy_servers.http http://p:1", "export NO_PROXY=h.example"),
        (None, None, False, "export HTTP_PROXY=http://p:1", "export NO_PROXY=h.example"),
    ],
)  # fmt: skip
def test_the_proxy_line_goes_where_the_proxy_comes_from(
    kind, name, conda, set_line, drop_line
):
    from conda_netcheck.config.commands import Commands, Shell
    from conda_netcheck.config.sources import ProxySource, ProxySourceKind

    source = ProxySource(ProxySourceKind(kind), name) if kind else None
    commands = Commands(shell=Shell.POSIX, conda=conda)
    assert commands.set_proxy("http://h.example/c", "http://p:1", source) == set_line
    assert commands.drop_proxy("http://h.example/c", source) == drop_line
    assert commands.drop_proxy("file:///c", None) == "export NO_PROXY=HOST"


@pytest.mark.parametrize(
    ("url", "variable"),
    [
        ("http://h/c", "HTTP_PROXY"),
        ("https://h/c", "HTTPS_PROXY"),
        ("h/c", "HTTPS_PROXY"),
    ],
)
def test_the_proxy_variable_is_the_schemes(url, variable):
    from conda_netcheck.config.commands import proxy_variable

    assert proxy_variable(url) == variable


def test_every_line_of_a_commands_object_is_in_its_shell(monkeypatch):
    from conda_netcheck.config.commands import Commands, Shell, for_config
    from conda_netcheck.config.netconfig import NetConfig
    from conda_netcheck.config.sources import (
        ProxySource,
        ProxySourceKind,
        SettingSource,
    )

    monkeypatch.setenv(
        "SHELL", "/bin/bash"
    )  # the current shell is not the one asked for
    sources = {
        "offline": SettingSource.variable("CONDA_OFFLINE"),
        "proxy_servers": SettingSource.file("/etc/conda/.condarc"),
    }
    fish = Commands(
        sources, shell=Shell.FISH, overrides={"ssl_verify": "REQUESTS_CA_BUNDLE"}
    )
    variable = ProxySource(ProxySourceKind.VARIABLE, "https_proxy")
    assert fish.set("offline", "a b") == "set -gx CONDA_OFFLINE 'a b'"
    assert (
        fish.set("ssl_verify", "/my ca.pem")
        == "set -gx REQUESTS_CA_BUNDLE '/my ca.pem'"
    )
    assert fish.add("channels", "") == "conda config --add channels ''"
    assert (
        fish.set_proxy("https://h/c", "http://p:1", variable)
        == "set -gx https_proxy http://p:1"
    )
    assert fish.set_proxy(
        "https://h/c", "http://p:1", ProxySource(ProxySourceKind.OS, "x")
    ) == ("set -gx HTTPS_PROXY http://p:1")
    assert fish.drop_proxy("https://h/c", variable) == "set -e https_proxy"
    assert fish.drop_proxy("https://h.example/c", None) == "set -gx NO_PROXY h.example"
    # A per-host key (its host has dots) is edited by hand in the file that
    # sets proxy_servers: conda config cannot name it.
    assert fish.set("proxy_servers.http://h.example", "http://p:1") == (
        "in /etc/conda/.condarc, under proxy_servers, find the entry "
        "'http://h.example' and set its value to http://p:1 "
        "(conda config cannot name a key that has a dot)"
    )
    derived = for_config(NetConfig(sources={"offline": sources["offline"]}), Shell.FISH)
    assert derived.set("offline", "false") == "set -gx CONDA_OFFLINE false"
    powershell = Commands(shell=Shell.POWERSHELL)
    assert (
        powershell.set("ssl_verify", "truststore")
        == "conda config --set ssl_verify truststore"
    )


# -- a channel replaced where its file lists it, in the same place ----------------

_LISTED = ("https://a.example/one", "https://b.example/two/", "https://c.example/x")


@pytest.mark.parametrize(
    ("old", "lines"),
    [
        # the first entry: a prepend puts the new one where it was
        (
            "https://a.example/one",
            [
                "--remove channels https://a.example/one",
                "--prepend channels https://a.example/cloud/one",
            ],
        ),
        # a middle entry, written with a trailing slash: those after it move
        # behind the new one again
        (
            "https://b.example/two",
            [
                "--remove channels https://b.example/two/",
                "--remove channels https://c.example/x",
                "--append channels https://a.example/cloud/one",
                "--append channels https://c.example/x",
            ],
        ),
        (
            "https://c.example/x",
            [
                "--remove channels https://c.example/x",
                "--append channels https://a.example/cloud/one",
            ],
        ),
        ("https://elsewhere.example/y", []),  # no file lists it as written
    ],
    ids=["first", "middle", "last", "not-listed"],
)
def test_a_channel_is_replaced_in_its_place_in_the_file_that_lists_it(old, lines):
    from conda_netcheck.config.commands import Commands, Shell

    commands = Commands(
        shell=Shell.POSIX, lists={"channels": {"/etc/conda/.condarc": _LISTED}}
    )
    printed = commands.replace_channel(old, "https://a.example/cloud/one")
    head = "conda config --file /etc/conda/.condarc "
    assert list(printed) == [head + line for line in lines]


def test_a_channel_with_credentials_gets_no_command_that_would_print_them():
    from conda_netcheck.config.commands import Commands

    listed = ("https://u:secret@a.example/one", "https://a.example/t/tk-1/two")
    commands = Commands(lists={"default_channels": {"/etc/conda/.condarc": listed}})
    for old in listed:
        assert commands.replace_channel(old, "https://a.example/cloud/one") == ()


@pytest.mark.parametrize(
    ("key", "by_hand"),
    [
        ("proxy_servers.https://127.0.0.1", True),
        ("proxy_servers.http://proxy.corp.example", True),
        ("proxy_servers.https://localhost", False),  # no dot: conda names it
        ("proxy_servers.https", False),
    ],
)
@pytest.mark.parametrize("change", ["set", "remove"])
def test_an_entry_conda_config_cannot_name_is_an_edit_by_hand(
    tmp_path, key: str, by_hand: bool, change: str
) -> None:
    """conda splits a key at every dot: a per-host entry with one is edited by hand, never run."""
    import subprocess
    import sys

    from conda_netcheck.config.commands import Commands, Shell
    from conda_netcheck.config.sources import SettingSource
    from conda_netcheck.fixtext import FixLines

    condarc = tmp_path / ".condarc"
    entry = key.partition(".")[2]
    condarc.write_text(f'proxy_servers:\n  "{entry}": https://127.0.0.1:9\n')
    commands = Commands({key: SettingSource.file(str(condarc))}, shell=Shell.POSIX)
    line = (
        commands.set(key, "http://127.0.0.1:9")
        if change == "set"
        else commands.remove(key)
    )
    conda_line = ["--file", str(condarc)] + (
        ["--set", key, "http://127.0.0.1:9"]
        if change == "set"
        else ["--remove-key", key]
    )
    done = subprocess.run(
        [sys.executable, "-m", "conda", "config", *conda_line],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode != 0) is by_hand, done.stderr
    if by_hand:
        assert line.startswith(f"in {condarc}, under proxy_servers, find the entry")
        assert f"{entry!r}" in line
        assert FixLines((line,)).lines == ()  # nothing in `commands` to run
    else:
        assert line == "conda config " + " ".join(conda_line)
        assert FixLines((line,)).lines == (line,)


@pytest.mark.parametrize(
    ("lines", "needs"),
    [
        (
            ("set proxy http://USER:<password>@PROXY_HOST:PORT",),
            ("USER:<password>", "PROXY_HOST:PORT"),
        ),
        (("export X=http://USER@PROXY_HOST:PORT",), ("USER", "PROXY_HOST:PORT")),
        # a known host, only its port unknown
        (("set proxy http://proxy.example:PORT",), ("PORT",)),
        # each once, in the order of PLACEHOLDERS, across lines
        (
            ("a http://PROXY_HOST:PORT", "b USER:<password>@h", "c USER:<password>@h"),
            ("USER:<password>", "PROXY_HOST:PORT"),
        ),
        (("USER@h:PORT",), ("USER", "PORT")),
        # the whole placeholder on two lines: its part is not asked for again
        (
            (
                "A=http://USER:<password>@PROXY_HOST:PORT",
                "B=http://USER@PROXY_HOST:PORT",
            ),
            ("USER:<password>", "PROXY_HOST:PORT"),
        ),
        (("conda config --set ssl_verify truststore",), ()),
    ],
)
def test_a_line_needs_exactly_the_placeholders_it_holds(lines, needs) -> None:
    from conda_netcheck.config.commands import placeholders

    assert placeholders(*lines) == needs


@pytest.mark.parametrize(
    ("shell", "line"),
    [
        ("posix", "cat '/my certs/corp.pem' root.pem > ~/ca-bundle.pem"),
        ("fish", "cat '/my certs/corp.pem' root.pem > ~/ca-bundle.pem"),
        (
            "powershell",
            'Get-Content "/my certs/corp.pem", root.pem | Set-Content ~/ca-bundle.pem',
        ),
        (
            "cmd",
            'Get-Content "/my certs/corp.pem", root.pem | Set-Content ~/ca-bundle.pem',
        ),
    ],
)
def test_a_bundle_is_written_from_its_parts_in_order(shell: str, line: str) -> None:
    from conda_netcheck.config.commands import Shell, concatenate
    from conda_netcheck.fixtext import WriteBundle, edit_of

    parts = ["/my certs/corp.pem", "root.pem"]
    written = concatenate(parts, "~/ca-bundle.pem", Shell(shell))
    assert written == line
    assert edit_of(written) == WriteBundle("~/ca-bundle.pem", tuple(parts))
