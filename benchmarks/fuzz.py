"""Hostile inputs against netcheck: malformed settings, variables and misbehaving peers.

Every case runs `python -m conda_netcheck` (or `conda netcheck`) in a
subprocess against loopback peers only, with a planted secret, and is
counted as a crash (a traceback, conda's error report, an exit status other
than 0 or 1, or a --json run whose stdout is not one JSON document), a hang
(the process does not exit in time), a leak (the secret, in any encoding,
in any output) or a memory excess (peak RSS over 150 MB).

    sudo python benchmarks/fuzz.py [--limit N] [--jobs 2] [--only SUBSTRING]

As root it moves itself into a private network namespace with only loopback,
so no case can reach another host. It needs conda importable.
"""

from __future__ import annotations

import argparse
import base64
import ctypes
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, quote_plus

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

#: The planted secrets, with reserved characters as hostile users write them.
SECRET = "Pl4nted-s3cret"
PASSWORDS = [
    SECRET + "?q",
    SECRET + "#f",
    SECRET + "/s",
    SECRET + "@a",
    SECRET + ":c",
    SECRET + "%zz",
    SECRET + "+p",
    SECRET + " sp",
    SECRET + "é",
]
TOKEN = "tk_Pl4nted.tok~en-9"
HANG_SECONDS = 30.0
MAX_RSS_MB = 150


@dataclass
class Case:
    """One input: a .condarc text, variables, extra files, arguments."""

    name: str
    condarc: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    args: list[str] = field(default_factory=list)
    conda_cli: bool = False  # `conda netcheck` instead of `python -m conda_netcheck`
    secrets: tuple[str, ...] = (SECRET, TOKEN)


@dataclass
class Outcome:
    case: Case
    code: int | None
    seconds: float
    rss_mb: float
    crash: str = ""
    hang: bool = False
    leak: str = ""


def _isolate() -> str:
    if os.geteuid() != 0 or os.environ.get("NETCHECK_FUZZ_NETNS") == "0":
        return "not isolated (not root): every peer is on 127.0.0.1 anyway"
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(0x40000000) != 0:  # CLONE_NEWNET
        return "unshare failed: not isolated"
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True, timeout=10)
    return "private network namespace (loopback only)"


def _forms(secret: str) -> set[str]:
    forms = {secret, quote(secret, safe=""), quote_plus(secret), quote(secret)}
    forms.add(base64.b64encode(secret.encode()).decode()[:12])
    return {f for f in forms if len(f) >= 6}


def _yaml(value: str) -> str:
    return json.dumps(value)  # JSON strings are YAML strings


def _condarc(channel: str, extra: str = "", channels: list[str] | None = None) -> str:
    chans = channels if channels is not None else [channel]
    return (
        f"channels: [{', '.join(_yaml(c) for c in chans)}]\n"
        f"default_channels: [{_yaml(channel)}]\n"
        f"channel_alias: {_yaml(channel)}\n" + extra
    )


def _port_urls(host: str = "127.0.0.1") -> list[str]:
    return [
        f"http://{host}:99999",
        f"http://{host}:-1",
        f"http://{host}:abc",
        f"http://{host}:{TOKEN}",
        "http://[::1",
        "http://[::1]]:80",
        "http://[zz::1]:80",
        "http://[::1]:80:80",
        f"http://u:{TOKEN}@[::1",
        "http://",
        "http:///nohost",
        "http://127.0.0.1:0",
        "http://127.0.0.1:８０",
        f"//u:{SECRET}@127.0.0.1:9/chan?token={TOKEN}",
    ]


def config_cases(channel: str, tmp: Path) -> list[Case]:
    """Malformed settings, each in every place it can be set."""
    cases = []
    for url in _port_urls():
        cases.append(Case(f"channel {url}", _condarc(channel, channels=[url])))
        cases.append(
            Case(f"alias {url}", _condarc(channel) + f"channel_alias: {_yaml(url)}\n")
        )
        cases.append(
            Case(
                f"custom_channels {url}",
                _condarc(channel, channels=["mine"])
                + f"custom_channels:\n  mine: {_yaml(url)}\n",
            )
        )
        for key in ("http", "https"):
            cases.append(
                Case(
                    f"proxy_servers.{key} {url}",
                    _condarc(channel) + f"proxy_servers:\n  {key}: {_yaml(url)}\n",
                )
            )
        cases.append(Case(f"HTTP_PROXY {url}", _condarc(channel), {"HTTP_PROXY": url}))
        cases.append(
            Case(f"https_proxy {url}", _condarc(channel), {"https_proxy": url})
        )
    for value in ("null", "'1e400'", ".nan", "-1", "abc", "[]", "{a: 1}", "1e308", "0"):
        for key in ("remote_connect_timeout_secs", "remote_read_timeout_secs"):
            cases.append(
                Case(f"{key}: {value}", _condarc(channel) + f"{key}: {value}\n")
            )
            cases.append(
                Case(
                    f"{key}: {value} --json",
                    _condarc(channel) + f"{key}: {value}\n",
                    args=["--json"],
                )
            )
    for odd in (
        "{1: http://127.0.0.1:9}",
        "{'': http://127.0.0.1:9}",
        "{a b: http://127.0.0.1:9}",
        "{mine: {url: http://127.0.0.1:9}}",
        "[http://127.0.0.1:9]",
        "{mine: null}",
        "{mine: 12}",
    ):
        cases.append(
            Case(
                f"custom_channels {odd}",
                _condarc(channel, channels=["mine"]) + f"custom_channels: {odd}\n",
            )
        )
    for key in ("client_ssl_cert", "client_ssl_cert_key", "ssl_verify"):
        for odd in ("{a: 1}", "[a, b]", "12", "''"):
            cases.append(Case(f"{key}: {odd}", _condarc(channel) + f"{key}: {odd}\n"))
    cases.append(
        Case(
            "client_ssl_cert_key alone",
            _condarc(channel) + f"client_ssl_cert_key: {tmp / 'key.pem'}\n",
        )
    )
    cases.append(
        Case(
            "[defaults] with empty default_channels",
            f"channels: [defaults]\ndefault_channels: []\nchannel_alias: {channel}\n",
        )
    )
    for odd in ("'{a: 1}'", "[[a]]", "{http: [x]}", "{http: 12}", "null"):
        cases.append(
            Case(f"proxy_servers: {odd}", _condarc(channel) + f"proxy_servers: {odd}\n")
        )
    for password in PASSWORDS:
        proxy = f"http://bob:{password}@127.0.0.1:9"
        for flags in ([], ["-v"], ["--json"], ["--allowlist"], ["--report", "R"]):
            cases.append(
                Case(
                    f"proxy password {password!r} {flags}",
                    _condarc(channel) + f"proxy_servers:\n  http: {_yaml(proxy)}\n"
                    f"  https: {_yaml(proxy)}\n",
                    args=flags,
                    secrets=(password, SECRET),
                )
            )
        cases.append(
            Case(
                f"HTTPS_PROXY password {password!r}",
                _condarc(channel),
                {"HTTPS_PROXY": proxy, "HTTP_PROXY": proxy},
                args=["-v"],
                secrets=(password, SECRET),
            )
        )
        chan = channel.replace("http://", f"http://carol:{password}@") + f"/t/{TOKEN}/x"
        for flags in ([], ["-v"], ["--json"], ["--report", "R"]):
            cases.append(
                Case(
                    f"channel password {password!r} {flags}",
                    _condarc(channel, channels=[chan]),
                    args=flags,
                    secrets=(password, SECRET, TOKEN),
                )
            )
    return cases


def path_cases(channel: str, tmp: Path) -> list[Case]:
    """Paths that are FIFOs, devices, directories, huge or binary files."""
    fifo = tmp / "fifo"
    if not fifo.exists():
        os.mkfifo(fifo)
    huge = tmp / "huge.pem"
    if not huge.exists():
        with open(huge, "wb") as handle:
            handle.truncate(40 * 1024 * 1024)
    binary = tmp / "binary"
    binary.write_bytes(b"\xff\xfe\x00machine 127.0.0.1 password " + SECRET.encode())
    paths = {
        "fifo": str(fifo),
        "dev-zero": "/dev/zero",
        "dir": str(tmp),
        "huge": str(huge),
        "binary": str(binary),
        "missing": str(tmp / "missing"),
    }
    https = channel.replace("http://", "https://")
    cases = []
    for what, path in paths.items():
        for key in ("ssl_verify", "client_ssl_cert", "client_ssl_cert_key"):
            cases.append(
                Case(
                    f"{key} -> {what}",
                    _condarc(https) + f"{key}: {_yaml(path)}\n",
                )
            )
        for name in (
            "REQUESTS_CA_BUNDLE",
            "CURL_CA_BUNDLE",
            "SSL_CERT_FILE",
            "SSL_CERT_DIR",
            "NETRC",
            "ANACONDA_CONFIG_TOML",
        ):
            cases.append(Case(f"{name} -> {what}", _condarc(https), {name: path}))
        cases.append(Case(f"CONDARC -> {what}", None, {"CONDARC": path}))
        binstar = tmp / f"binstar-{what}" / "data"
        binstar.mkdir(parents=True, exist_ok=True)
        token = binstar / (quote(channel + "/", safe="") + ".token")
        if not token.exists() and not token.is_symlink():
            os.symlink(path, token)
        cases.append(
            Case(
                f"anaconda token file -> {what}",
                _condarc(channel),
                {"BINSTAR_CONFIG_DIR": str(binstar.parent)},
            )
        )
    netrc = tmp / "netrc-secret"
    netrc.write_text(f"machine 127.0.0.1 login alice password {SECRET}?#x\n")
    cases.append(
        Case("netrc with secret", _condarc(channel), {"NETRC": str(netrc)}, ["-v"])
    )
    return cases


def peer_cases(peers: dict[str, str]) -> list[Case]:
    """Each misbehaving peer as the only channel, in text and in --json."""
    cases = []
    for name, url in peers.items():
        for flags in ([], ["--json"], ["-v"]):
            cases.append(Case(f"peer {name} {flags}", _condarc(url), args=flags))
        cases.append(
            Case(f"peer {name} (conda netcheck)", _condarc(url), conda_cli=True)
        )
    return cases


def broken_condarc_cases(channel: str) -> list[Case]:
    """.condarc files conda cannot load: python -m conda_netcheck must still answer."""
    texts = {
        "not yaml": "channels: [a\nproxy_servers: {http: http://u:"
        + SECRET
        + "@h:1}\n",
        "list": "- a\n- b\n",
        "scalar": "hello\n",
        "duplicate": f"channels: [{channel}]\nchannels: [{channel}]\n",
        "alias": "channels: [*x]\n",
        "tab": "channels:\n\t- a\n",
    }
    cases = []
    for name, text in texts.items():
        for flags in ([channel], [channel, "--json"]):
            cases.append(Case(f"broken condarc {name} {flags[1:]}", text, args=flags))
    cases.append(
        Case("non-UTF-8 condarc", "channels: [caf\udce9]\n", args=[channel, "--json"])
    )
    return cases


def run_case(case: Case, tmp: Path, index: int) -> Outcome:
    work = tmp / f"case{index}"
    work.mkdir()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(work),
        "PYTHONPATH": str(ROOT),
        "NETRC": str(work / "no-netrc"),
        "ANACONDA_CONFIG_TOML": str(work / "none.toml"),
        "BINSTAR_CONFIG_DIR": str(work / "binstar"),
        "CONDA_PKGS_DIRS": str(work / "pkgs"),
    }
    if case.condarc is not None:
        path = work / "condarc"
        path.write_bytes(case.condarc.encode("utf-8", "surrogateescape"))
        env["CONDARC"] = str(path)
    env.update(case.env)
    args = [str(work / "report.md") if a == "R" else a for a in case.args]
    head = ["-m", "conda", "netcheck"] if case.conda_cli else ["-m", "conda_netcheck"]
    cmd = [sys.executable, *head, "--timeout", "1", *args]
    start = time.monotonic()
    proc = subprocess.Popen(
        cmd, env=env, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    out: dict[str, bytes] = {}
    readers = [
        threading.Thread(
            target=lambda n=n, s=s: out.__setitem__(n, s.read()[:2_000_000])
        )
        for n, s in (("out", proc.stdout), ("err", proc.stderr))
    ]
    for reader in readers:
        reader.start()
    code, rss, hang = _wait(proc, start + HANG_SECONDS)
    for reader in readers:
        reader.join(timeout=5)
    seconds = time.monotonic() - start
    stdout = out.get("out", b"").decode("utf-8", "replace")
    stderr = out.get("err", b"").decode("utf-8", "replace")
    report = work / "report.md"
    extra = report.read_text(errors="replace") if report.exists() else ""
    outcome = Outcome(case, code, seconds, rss / 1024, hang=hang)
    outcome.crash = _crash(case, code, stdout, stderr) if not hang else ""
    outcome.leak = _leak(case, stdout + stderr + extra)
    return outcome


def _wait(proc: subprocess.Popen, deadline: float) -> tuple[int | None, int, bool]:
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return proc.returncode, usage.ru_maxrss, False
        if time.monotonic() > deadline:
            proc.kill()
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = -9
            return None, usage.ru_maxrss, True
        time.sleep(0.05)


def _crash(case: Case, code: int | None, stdout: str, stderr: str) -> str:
    if "Traceback" in stdout + stderr:
        return "traceback"
    if "ERROR REPORT" in stdout + stderr:
        return "conda error report"
    if code not in (0, 1):
        return f"exit status {code}"
    if "--json" in case.args:
        try:
            json.loads(stdout)
        except ValueError:
            return "--json printed no JSON document"
    return ""


def _leak(case: Case, text: str) -> str:
    for secret in case.secrets:
        for form in _forms(secret):
            if form in text:
                return form
    return ""


def peers_running(stack) -> dict[str, str]:
    """Start every misbehaving peer; return name -> URL."""
    from support import badpeers as b

    behaviours = {
        "trickle-headers": b.trickle_headers,
        "trickle-body": b.trickle_body,
        "continue-flood": b.continue_flood,
        "no-colon-header": b.no_colon_header,
        "huge-headers": b.huge_headers,
        "infinite-body": b.infinite_body,
        "gzip-bomb": b.gzip_bomb,
        "deep-json-403": b.deep_json_403,
        "redirect-file": b.redirect("file:///etc/passwd"),
        "redirect-s3": b.redirect("s3://bucket/key"),
        "redirect-ftp": b.redirect(f"ftp://u:{SECRET}@127.0.0.1/x"),
        "login-as-text": b.page(
            200, "text/plain", b"<html><title>Sign in</title><form>login</form></html>"
        ),
        "login-as-json": b.page(
            200, "application/json", b"<!DOCTYPE html><html><title>SSO</title>"
        ),
        "garbage": b.garbage,
    }
    return {
        name: stack.enter_context(b.bad_peer(behaviour)).url + "/chan"
        for name, behaviour in behaviours.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="run at most N cases")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", default="", help="cases whose name contains this")
    options = parser.parse_args()
    print(_isolate(), flush=True)
    from contextlib import ExitStack

    from support.servers import channel_server, make_channel

    with tempfile.TemporaryDirectory() as tmpdir, ExitStack() as stack:
        tmp = Path(tmpdir)
        server = stack.enter_context(channel_server(make_channel(tmp / "channel")))
        peers = peers_running(stack)
        cases = (
            config_cases(server.url, tmp)
            + path_cases(server.url, tmp)
            + peer_cases(peers)
            + broken_condarc_cases(server.url)
        )
        cases = [c for c in cases if options.only in c.name]
        if options.limit:
            cases = cases[: options.limit]
        started = time.monotonic()
        with ThreadPoolExecutor(options.jobs) as pool:
            outcomes = list(
                pool.map(lambda ic: run_case(ic[1], tmp, ic[0]), enumerate(cases))
            )
        return _summary(outcomes, time.monotonic() - started)


def _summary(outcomes: list[Outcome], seconds: float) -> int:
    bad = 0
    for o in outcomes:
        problems = [
            p
            for p in (
                o.crash,
                "hang" if o.hang else "",
                f"leak {o.leak!r}" if o.leak else "",
                f"rss {o.rss_mb:.0f} MB" if o.rss_mb > MAX_RSS_MB else "",
            )
            if p
        ]
        if problems:
            bad += 1
            print(f"FAIL {o.case.name}: {', '.join(problems)} ({o.seconds:.1f} s)")
    crashes = sum(bool(o.crash) for o in outcomes)
    hangs = sum(o.hang for o in outcomes)
    leaks = sum(bool(o.leak) for o in outcomes)
    big = sum(o.rss_mb > MAX_RSS_MB for o in outcomes)
    slowest = max(outcomes, key=lambda o: o.seconds)
    print(
        f"inputs tried: {len(outcomes)}; crashes: {crashes}; hangs: {hangs}; "
        f"leaks: {leaks}; over {MAX_RSS_MB} MB: {big}; peak RSS "
        f"{max(o.rss_mb for o in outcomes):.0f} MB; slowest "
        f"{slowest.seconds:.1f} s ({slowest.case.name}); {seconds:.0f} s in all"
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
