"""Benchmarks for conda-netcheck: import cost, concurrency, and time to a diagnosis.

Run from the repository root, as root for a private network namespace::

    python benchmarks/bench.py          # full: ~4 minutes
    python benchmarks/bench.py --quick  # fewer repetitions: ~2-3 minutes

All traffic goes to 127.0.0.1 on ephemeral ports. As root the whole run first
moves into a fresh network namespace holding only loopback (as
tests/conftest.py does), and the DNS case runs in a further namespace whose
/etc/resolv.conf points at a local stub that answers NXDOMAIN
(tests/support/netns.py). Every conda command runs with a temporary CONDARC,
HOME and XDG_CONFIG_HOME, whose channels, default_channels and channel_alias
are local URLs only. Every command is bounded by a timeout.
"""

from __future__ import annotations

import argparse
import compileall
import ctypes
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from support import netns, servers  # noqa: E402

CLONE_NEWNET = 0x40000000
COMMAND_TIMEOUT = 120.0
#: conda's defaults, written out so no other configuration can change them.
CONDA_DEFAULTS = {
    "remote_connect_timeout_secs": 9.15,
    "remote_read_timeout_secs": 60.0,
    "remote_max_retries": 3,
    "remote_backoff_factor": 1,
}
#: Delays (seconds) of the slow channels among the 20; the others answer at once.
SLOW_CHANNELS = {2: 0.3, 5: 0.45, 8: 0.6, 11: 0.75, 14: 0.9, 17: 1.0}
N_CHANNELS = 20
SUBDIRS = ("linux-64", "noarch")
DNS_NAME = "channel.netcheck-bench.test"  # RFC 6761: never a real name
HIDDEN_PLUGIN = "conda-netcheck"

NOTES = (
    "1: the plugin is hidden by filtering its entry point in a sitecustomize loaded "
    "in both arms; CONDA_NO_PLUGINS is not used: conda imports plugins before "
    "blocking them, so it would still pay the import.",
    "2: the slow servers delay every request, the shard, package and Range "
    "requests after the index too; conda netcheck asks for each file "
    "conda would (repodata_shards.msgpack.zst, repodata.json.zst, repodata.json), "
    "so the CLI rows take about three delays.",
    "3: netcheck caps conda's connect/read timeouts at 5/10 s; conda search "
    "retries 3 times with backoff, for each repodata format it tries.",
)

# Loaded in both arms of the `conda config --show` comparison, so both pay the
# same: it wraps Distribution.entry_points and drops the entry point named by
# NETCHECK_BENCH_HIDE (a name nothing has in the other arm).
SITECUSTOMIZE = """\
import os

_hide = os.environ.get("NETCHECK_BENCH_HIDE")
if _hide:
    import importlib.metadata as _md

    _entry_points = _md.Distribution.entry_points

    def _filtered(self):
        return _md.EntryPoints(
            ep for ep in _entry_points.fget(self)
            if not (ep.group == "conda" and ep.name == _hide)
        )

    _md.Distribution.entry_points = property(_filtered)
"""

# Runs inside the DNS namespace: times the command there, so namespace set-up
# is not counted, and reports on the last line of stderr.
TIMER = """\
import subprocess, sys, time
start = time.perf_counter()
try:
    proc = subprocess.run(sys.argv[2:], capture_output=True, text=True,
                          timeout=float(sys.argv[1]))
    out, err, rc, timed_out = proc.stdout, proc.stderr, proc.returncode, 0
except subprocess.TimeoutExpired as exc:
    out, err, rc, timed_out = exc.stdout or "", exc.stderr or "", -1, 1
    out = out.decode() if isinstance(out, bytes) else out
    err = err.decode() if isinstance(err, bytes) else err
elapsed = time.perf_counter() - start
sys.stdout.write(out)
sys.stderr.write(err)
sys.stderr.write(f"\\n@@bench {elapsed:.6f} {rc} {timed_out}\\n")
"""


# -- isolation and configuration ----------------------------------------------


def isolate() -> str:
    """Enter a private network namespace with only loopback, when root on Linux."""
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        return "NOT isolated (needs root on Linux); loopback only by construction"
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNET) != 0:
        return f"NOT isolated: unshare(CLONE_NEWNET) failed, errno {ctypes.get_errno()}"
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True, timeout=10)
    return "private network namespace, loopback only"


def check_local(url: str, in_dns_netns: bool = False) -> str:
    """Refuse any URL whose host is not loopback: this bench never leaves the machine.

    The one exception is DNS_NAME, and only for commands run under the stub
    resolver of tests/support/netns.py (in_dns_netns).
    """
    host = urlsplit(url).hostname
    if host not in ("127.0.0.1", "::1") and not (in_dns_netns and host == DNS_NAME):
        raise SystemExit(f"refusing non-loopback URL {url!r}")
    return url


class Sandbox:
    """Temporary HOME, XDG_CONFIG_HOME and CONDARC files for conda commands."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.home = root / "home"
        (self.home / ".config").mkdir(parents=True)
        self.site = root / "site"
        self.site.mkdir()
        (self.site / "sitecustomize.py").write_text(SITECUSTOMIZE)
        self._count = 0

    @property
    def pythonpath(self) -> str:
        """The sitecustomize, then this checkout (not whichever copy is installed)."""
        return os.pathsep.join([str(self.site), str(ROOT)])

    def condarc(
        self, channels: list[str], in_dns_netns: bool = False, **extra: object
    ) -> Path:
        """A condarc whose every channel setting is a local URL."""
        self._count += 1
        pkgs = self.root / f"pkgs{self._count}"
        lines = ["channels:"] + [
            f"  - {check_local(c, in_dns_netns)}" for c in channels
        ]
        lines += [
            "default_channels: []",
            # Bare names would go to the alias: a closed local port.
            f"channel_alias: http://127.0.0.1:{servers.closed_port()}/",
            "custom_channels: {}",
            "custom_multichannels: {}",
            f"pkgs_dirs:\n  - {pkgs}",
            "notify_outdated_conda: false",
            "report_errors: false",
        ]
        lines += [f"{key}: {value}" for key, value in extra.items()]
        path = self.root / f"condarc{self._count}.yml"
        path.write_text("\n".join(lines) + "\n")
        return path

    def env(self, condarc: Path, **extra: str) -> dict[str, str]:
        """os.environ without proxies or conda settings, pointed at the sandbox."""
        keep = {
            k: v
            for k, v in os.environ.items()
            if not k.lower().endswith("_proxy")
            and not k.startswith(("CONDA", "REQUESTS_", "CURL_", "SSL_CERT"))
            and k not in ("NETRC", "PYTHONPATH")
        }
        keep.update(
            CONDARC=str(condarc),
            HOME=str(self.home),
            XDG_CONFIG_HOME=str(self.home / ".config"),
            NETRC=str(self.home / "no-netrc"),
            # This checkout's code, whichever copy is installed.
            PYTHONPATH=str(ROOT),
            # conda search's failures would otherwise be checked again by the
            # next conda netcheck: part 3 times the diagnosis alone.
            CONDA_PLUGINS_NETCHECK_REMEMBER_FAILURES="false",
        )
        keep.update(extra)
        return keep


def conda_argv() -> list[str]:
    """The real conda entry script next to this Python (no pyenv shim).

    A pip-installed conda's script (conda.cli.main_pip) refuses every command
    but init and info until `conda init`: then `python -m conda`, the same CLI.
    """
    script = Path(sys.executable).parent / "conda"
    if script.is_file() and "main_pip" not in script.read_text(errors="replace"):
        return [str(script)]
    return [sys.executable, "-m", "conda"]


class Outcome:
    """One bounded command: wall time, exit code, output, whether it timed out."""

    def __init__(
        self,
        seconds: float,
        rc: int,
        out: str,
        err: str,
        timed_out: bool,
        cpu: float | None = None,
    ) -> None:
        self.seconds, self.rc, self.out, self.err = seconds, rc, out, err
        self.timed_out = timed_out
        #: user + system CPU seconds of the command (steadier than the wall
        #: time on a busy machine)
        self.cpu = cpu

    def json(self) -> dict | None:
        try:
            return json.loads(self.out)
        except ValueError:
            return None


def timed(argv: list[str], env: dict[str, str], timeout: float) -> Outcome:
    """Run argv with a timeout and measure its wall time (and CPU time)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            argv,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else ""
        return Outcome(time.perf_counter() - start, -1, out, "", True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return Outcome(seconds, proc.returncode, proc.stdout, proc.stderr, False, cpu)


# -- 1. import cost and conda startup -----------------------------------------


def importtime(
    code: str, *args: str, env: dict[str, str] | None = None
) -> list[tuple[int, int, str]]:
    """(self us, cumulative us, name with indentation) per line of -X importtime.

    `code` runs as `-c`, or with `args` as `-m code args` (a module).
    """
    run = ["-m", code, *args] if args else ["-c", code]
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", *run],
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        cwd=ROOT,
        env=env,
        check=True,
    )
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, cumulative, name = line[len("import time:") :].split("|", 2)
        rows.append((int(own), int(cumulative), name[1:]))
    return rows


def statement_imports(code: str, startup: list[str]) -> list[tuple[int, int, str]]:
    """The importtime rows of `code` itself (the lines after site's startup)."""
    rows = importtime(code)
    if [r[2] for r in rows[: len(startup)]] != startup:
        raise RuntimeError("interpreter startup imports differ between runs")
    return rows[len(startup) :]


def top_level(rows: list[tuple[int, int, str]]) -> int:
    """Cumulative us of a statement: the sum of its top-level imports."""
    return sum(c for _, c, name in rows if not name.startswith(" "))


def bench_import(reps: int) -> list[tuple[str, str, str, str]]:
    startup = [r[2] for r in importtime("pass")]
    runs_plugin, runs_conda = [], []
    for _ in range(reps):  # interleaved
        runs_plugin.append(statement_imports("import conda_netcheck.plugin", startup))
        runs_conda.append(statement_imports("import conda.plugins", startup))
    conda_modules = {name.strip() for rows in runs_conda for _, _, name in rows}
    # In-run attribution: the self time of every module that `import
    # conda.plugins` does not import itself, i.e. what only the plugin costs.
    own = [
        sum(s for s, _, name in rows if name.strip() not in conda_modules)
        for rows in runs_plugin
    ]
    extra = sorted(
        {name.strip() for rows in runs_plugin for _, _, name in rows} - conda_modules
    )
    with_plugin = [top_level(rows) for rows in runs_plugin]
    alone = [top_level(rows) for rows in runs_conda]
    diff = statistics.median(with_plugin) - statistics.median(alone)
    attributed = statistics.median(own)
    return [
        (
            f"plugin import: modules only the plugin imports (median of {reps})",
            f"{attributed / 1000:.2f} ms ({', '.join(extra) or 'none'})",
            "< 3 ms",
            verdict(attributed / 1000 < 3),
        ),
        (
            "  cross-check: import conda_netcheck.plugin minus import conda.plugins",
            f"{statistics.median(with_plugin) / 1000:.1f} - "
            f"{statistics.median(alone) / 1000:.1f} = {diff / 1000:.2f} ms",
            "< 3 ms",
            verdict(diff / 1000 < 3),
        ),
        (
            "  run-to-run spread of import conda.plugins alone",
            f"{min(alone) / 1000:.1f} to {max(alone) / 1000:.1f} ms",
            "",
            "",
        ),
    ]


def bench_conda_startup(sandbox: Sandbox, reps: int) -> list[tuple[str, str, str, str]]:
    condarc = sandbox.condarc([f"http://127.0.0.1:{servers.closed_port()}/"])
    pythonpath = {"PYTHONPATH": sandbox.pythonpath}
    shown = sandbox.env(condarc, NETCHECK_BENCH_HIDE="no-such-plugin", **pythonpath)
    hidden = sandbox.env(condarc, NETCHECK_BENCH_HIDE=HIDDEN_PLUGIN, **pythonpath)
    conda = conda_argv()
    # The hiding must really remove the plugin, or the comparison is void.
    check = timed([*conda, "netcheck", "--help"], hidden, COMMAND_TIMEOUT)
    if check.rc == 0:
        raise RuntimeError("hiding the entry point did not remove `conda netcheck`")
    check = timed([*conda, "netcheck", "--help"], shown, COMMAND_TIMEOUT)
    if check.rc != 0:
        raise RuntimeError(f"`conda netcheck --help` fails: {check.err[-500:]}")
    argv = [*conda, "config", "--show"]
    for env in (shown, hidden):  # warm the page cache and .pyc files
        timed(argv, env, COMMAND_TIMEOUT)
    walls: dict[str, list[float]] = {"with": [], "without": []}
    cpus: dict[str, list[float]] = {"with": [], "without": []}
    arms = [("with", shown), ("without", hidden)]
    for index in range(reps):
        # Interleaved, and the order alternates so neither arm always goes first.
        for arm, env in arms if index % 2 == 0 else arms[::-1]:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            outcome = timed(argv, env, COMMAND_TIMEOUT)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if outcome.rc != 0 or outcome.timed_out:
                raise RuntimeError(f"conda config --show failed: {outcome.err[-500:]}")
            walls[arm].append(outcome.seconds)
            cpus[arm].append(
                after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
            )
    rows = []
    for label, data, goal in (
        (f"conda config --show wall, plugin vs hidden (median of {reps})", walls, True),
        ("  same runs, CPU time (user+sys)", cpus, False),
    ):
        a, b = statistics.median(data["with"]), statistics.median(data["without"])
        overhead = (a / b - 1) * 100
        rows.append(
            (
                label,
                f"{a * 1000:.0f} vs {b * 1000:.0f} ms: {overhead:+.1f}%",
                "within 3%" if goal else "",
                verdict(overhead <= 3) if goal else "",
            )
        )
    fastest = min(walls["with"]) / min(walls["without"]) - 1
    rows.append(("  same runs, fastest of each", f"{fastest * 100:+.1f}%", "", ""))
    return rows


# -- 1b. the failure record and the hints, on conda's error path ----------------

#: Run in a fresh process per repetition: conda calls the observer once, cold.
OBSERVER_CODE = r"""
import json, sys, time
import requests
from conda.base.context import context
from conda.exceptions import CondaHTTPError, CondaMultiError, PackagesNotFoundError
from conda.plugins.types import CondaExceptionEvent

url = sys.argv[1]
try:
    requests.get(url, timeout=2)
except requests.RequestException as exc:
    network = CondaHTTPError("HTTP 000", url, None, None, None, caused_by=exc)
other = CondaMultiError([PackagesNotFoundError(["numpy"])])
error = network if sys.argv[2] == "failure" else other

def event():
    return CondaExceptionEvent(
        type(error), error, None, argv=("conda", "install", "numpy"),
        conda_version="bench",
    )

# As on conda's error path: the plugin manager has loaded the plugins.
from conda_netcheck.plugin import conda_exception_observers, conda_error_hints
context.plugins  # conda reads settings while parsing the command line
# The first failure in a process: conda asks the plugin for its observer (this
# imports the recording module) and calls it.
start = time.perf_counter()
(observer,) = conda_exception_observers()
observer.hook(event())
first = time.perf_counter() - start
warm = []
for _ in range(21):
    start = time.perf_counter(); observer.hook(event()); warm.append(time.perf_counter() - start)
start = time.perf_counter(); list(conda_error_hints(network)); hint = time.perf_counter() - start
from conda_netcheck.failure.hints import classify
start = time.perf_counter(); classify(network); classified = time.perf_counter() - start
print(json.dumps({"first": first, "warm": sorted(warm)[10], "hint": hint, "classify": classified}))
"""


#: After every successful fetching command conda calls the post-command hook:
#: with no record it must cost (almost) nothing. Fresh process per repetition.
POST_COMMAND_CODE = r"""
import json, time
from conda.base.context import context
context.plugins  # conda reads settings while parsing the command line
# conda imported the plugin module at startup (part 1 times that): the hook
# call and the action are what a successful command adds.
from conda_netcheck.plugin import conda_post_commands
start = time.perf_counter()
(post,) = conda_post_commands()
post.action("install")
first = time.perf_counter() - start
warm = []
for _ in range(21):
    start = time.perf_counter(); post.action("install"); warm.append(time.perf_counter() - start)
print(json.dumps({"first": first, "warm": sorted(warm)[10]}))
"""


def bench_post_command(sandbox: Sandbox, reps: int) -> list[tuple[str, str, str, str]]:
    """The post-command hook when no failure is recorded (the usual case)."""
    url = f"http://127.0.0.1:{servers.closed_port()}/demo"
    env = sandbox.env(sandbox.condarc([url]))
    record = sandbox.home / ".local" / "share" / "conda" / "netcheck-last-failure.json"
    record.unlink(missing_ok=True)
    runs = []
    for _ in range(reps):
        outcome = timed([sys.executable, "-c", POST_COMMAND_CODE], env, COMMAND_TIMEOUT)
        data = outcome.json()
        if data is None:
            raise RuntimeError(f"post-command bench failed: {outcome.err[-800:]}")
        runs.append(data)
    first = statistics.median(r["first"] for r in runs) * 1000
    warm = statistics.median(r["warm"] for r in runs) * 1000
    return [
        (
            f"post-command hook, no record: first call, import included (median of {reps})",
            f"{first:.3f} ms",
            "< 1 ms",
            verdict(first < 1),
        ),
        ("  same, again in the same process", f"{warm:.3f} ms", "", ""),
    ]


def bench_failure_record(
    sandbox: Sandbox, reps: int
) -> list[tuple[str, str, str, str]]:
    url = f"http://127.0.0.1:{servers.closed_port()}/demo/noarch/repodata.json"
    condarc = sandbox.condarc([url.rsplit("/noarch", 1)[0]])
    env = sandbox.env(condarc, CONDA_PLUGINS_NETCHECK_REMEMBER_FAILURES="true")
    record = sandbox.home / ".local" / "share" / "conda" / "netcheck-last-failure.json"
    runs: dict[str, list[dict]] = {"failure": [], "success": []}
    for _ in range(reps):
        for path in ("failure", "success"):
            record.unlink(missing_ok=True)
            outcome = timed(
                [sys.executable, "-c", OBSERVER_CODE, url, path], env, COMMAND_TIMEOUT
            )
            data = outcome.json()
            if data is None:
                raise RuntimeError(f"observer bench failed: {outcome.err[-800:]}")
            if (path == "failure") != record.exists():
                raise RuntimeError(f"{path} path: record written = {record.exists()}")
            runs[path].append(data)

    def median_ms(path: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[path]) * 1000

    rows = [
        (
            f"observer, failure path: first failure in a process, import included (median of {reps})",
            f"{median_ms('failure', 'first'):.2f} ms",
            "few ms",
            verdict(median_ms("failure", "first") < 10),
        ),
        (
            "  failure path, again in the same process (median of 21)",
            f"{median_ms('failure', 'warm'):.2f} ms",
            "",
            "",
        ),
        (
            "observer, not a network error (CondaMultiError): first call, import included",
            f"{median_ms('success', 'first'):.3f} ms",
            "< 1 ms",
            verdict(median_ms("success", "first") < 1),
        ),
        (
            "  same, again in the same process",
            f"{median_ms('success', 'warm'):.3f} ms",
            "",
            "",
        ),
        (
            "error hint: classify the chain alone",
            f"{median_ms('failure', 'classify'):.2f} ms",
            "",
            "",
        ),
        (
            "error hint: the whole hook, first call (with the config checks)",
            f"{median_ms('failure', 'hint'):.0f} ms",
            "",
            "",
        ),
    ]
    return rows


# -- 2. 40 targets at once vs the slowest alone --------------------------------


def bench_concurrency(sandbox: Sandbox, reps: int) -> list[tuple[str, str, str, str]]:
    from conda_netcheck.config.commands import Commands
    from conda_netcheck.config.routes import standalone_route
    from conda_netcheck.config.targets import urls_targets
    from conda_netcheck.diagnosis.runner import diagnose
    from conda_netcheck.model import Options

    rows = []
    with ExitStack() as stack:
        root = servers.make_channel(sandbox.root / "channel")
        urls = []
        for index in range(N_CHANNELS):
            server = stack.enter_context(servers.channel_server(root))
            delay = SLOW_CHANNELS.get(index)
            if delay:
                server.behaviour.handler = _sleeper(delay)
            urls.append(check_local(server.url))
        slowest = max(SLOW_CHANNELS, key=SLOW_CHANNELS.__getitem__)
        targets = urls_targets(urls, SUBDIRS)
        # The slowest single target: noarch of the slowest channel, the subdir
        # whose packages are fetched after the index (linux-64 lists none).
        alone = urls_targets([urls[slowest]], ("noarch",))
        # Warm up: requests and the probes are imported on first use.
        diagnose(
            urls_targets([urls[0]], SUBDIRS[:1]),
            standalone_route,
            Options(commands=Commands()),
        )

        every, single = [], []
        for _ in range(reps):
            start = time.perf_counter()
            results = diagnose(targets, standalone_route, Options(commands=Commands()))
            every.append(time.perf_counter() - start)
            bad = [r for r in results if r.problem]
            if len(results) != 40 or bad:
                raise RuntimeError(f"{len(bad)} of {len(results)} targets failed")
            start = time.perf_counter()
            diagnose(alone, standalone_route, Options(commands=Commands()))
            single.append(time.perf_counter() - start)
        a, b = statistics.median(every), statistics.median(single)
        rows.append(
            (
                f"diagnose(): 40 targets vs slowest alone ({SLOW_CHANNELS[slowest]:g} s) (median of {reps})",
                f"{a:.3f} / {b:.3f} s = {a / b:.2f}",
                "<= 1.3",
                verdict(a / b <= 1.3),
            )
        )

        conda = conda_argv()
        all_env = sandbox.env(sandbox.condarc(urls, **CONDA_DEFAULTS))
        one_env = sandbox.env(sandbox.condarc([urls[slowest]], **CONDA_DEFAULTS))
        argv = [*conda, "netcheck", "--json"]
        timed(argv, one_env, COMMAND_TIMEOUT)  # warm
        every, single = [], []
        for _ in range(reps):
            outcome = timed(argv, all_env, COMMAND_TIMEOUT)
            report = outcome.json() or {}
            ok = [t for t in report.get("targets", []) if t.get("status") == "ok"]
            if outcome.timed_out or len(ok) != 40:
                raise RuntimeError(
                    f"conda netcheck: {len(ok)} of 40 ok, rc {outcome.rc}: {outcome.err[-500:]}"
                )
            every.append(outcome.seconds)
            outcome = timed(argv, one_env, COMMAND_TIMEOUT)
            single.append(outcome.seconds)
        a, b = statistics.median(every), statistics.median(single)
        rows.append(
            (
                f"conda netcheck --json: 20 channels (40 targets) vs slowest channel alone (median of {reps})",
                f"{a:.3f} / {b:.3f} s = {a / b:.2f}",
                "<= 1.3",
                verdict(a / b <= 1.3),
            )
        )
    return rows


def _sleeper(delay: float):
    def handler(request) -> bool:
        time.sleep(delay)
        return False  # then answer normally

    return handler


# -- 4. after the index: shards, packages, a huge index, a zstd bomb ----------

PEAK_RSS = """\
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, timeout=120)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, done.returncode)
sys.stdout.write(done.stdout.decode())
"""


def peak_rss(argv: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Peak RSS (MiB) of argv run alone in a fresh wrapper process, its exit code, stdout."""
    done = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT + 10,
    )
    first, _, out = done.stdout.partition("\n")
    kib, rc = first.split()
    return int(kib) / 1024, int(rc), out


#: Imports, in order, what a healthy run loaded besides netcheck (argv[1]), then
#: times importing netcheck's modules (argv[2]), and the dataclass methods Python
#: generates for netcheck's classes meanwhile.
HEALTHY_IMPORTS = """\
import dataclasses, importlib, json, sys, time

for name in json.loads(sys.argv[1]):
    try:
        importlib.import_module(name)
    except Exception:  # a module only importable as its package's side effect
        pass
spent = []
generate = dataclasses._process_class


def timed(cls, *args):
    start = time.perf_counter()
    made = generate(cls, *args)
    if cls.__module__.startswith("conda_netcheck"):
        spent.append(time.perf_counter() - start)
    return made


dataclasses._process_class = timed
netcheck = json.loads(sys.argv[2])
start = time.perf_counter()
for name in netcheck:
    importlib.import_module(name)
print(json.dumps([time.perf_counter() - start, sum(spent), len(spent)]))
"""


def healthy_imports(env: dict[str, str], reps: int) -> list[tuple[str, str, str, str]]:
    """What importing netcheck's modules costs a healthy run, and the dataclasses' share.

    The modules are those `conda netcheck` itself loaded (-X importtime);
    each repetition is a fresh process that first imports everything else
    the run loaded, so only netcheck's own modules are timed.
    """
    names = [name.strip() for _, _, name in importtime("conda", "netcheck", env=env)]
    ours = [n for n in names if n.split(".")[0] == "conda_netcheck"]
    others = [n for n in names if n.split(".")[0] != "conda_netcheck"]
    timings = []
    for _ in range(reps):
        out = subprocess.run(
            [
                sys.executable,
                "-c",
                HEALTHY_IMPORTS,
                json.dumps(others),
                json.dumps(ours),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=True,
        ).stdout
        timings.append(json.loads(out.splitlines()[-1]))
    total = statistics.median(t[0] for t in timings)
    generated = statistics.median(t[1] for t in timings)
    classes = timings[0][2]
    return [
        (
            f"healthy run: importing the {len(ours)} netcheck modules it loads (median of {reps})",
            f"{total * 1000:.1f} ms",
            "",
            "",
        ),
        (
            f"  of which Python generating the methods of their {classes} dataclasses",
            f"{generated * 1000:.1f} ms",
            "",
            "",
        ),
    ]


#: A sitecustomize that times every garbage collection of the process by
#: generation and prints them at exit: {generation: [collections, seconds]}.
GC_STATS = """\
import atexit, gc, json, sys, time

_started = []
_spent = {}


def _timed(phase, info):
    if phase == "start":
        _started.append(time.perf_counter())
        return
    count, seconds = _spent.get(info["generation"], (0, 0.0))
    _spent[info["generation"]] = (count + 1, seconds + time.perf_counter() - _started.pop())


gc.callbacks.append(_timed)
atexit.register(
    lambda: sys.stderr.write(f"\\n@@gc {time.time()!r} " + json.dumps(_spent) + "\\n")
)
"""


def collections_and_exit(
    sandbox: Sandbox, commands: dict[str, list[str]], env: dict[str, str], reps: int
) -> list[tuple[str, str, str, str]]:
    """Each command's garbage collections, and its exit: from conda's atexit to the process's end.

    The collections are those before the exit; the interpreter's exit
    collects everything still tracked once more.
    """
    site = sandbox.root / "gc-site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(GC_STATS)
    counted = dict(env, PYTHONPATH=os.pathsep.join([str(site), env["PYTHONPATH"]]))
    spent: dict[str, list[tuple[float, int, float]]] = {name: [] for name in commands}
    for _ in range(reps):  # interleaved, as the timings
        for name, argv in commands.items():
            outcome = timed(argv, counted, COMMAND_TIMEOUT)
            ended = time.time()
            (marker,) = [
                line for line in outcome.err.splitlines() if line.startswith("@@gc ")
            ]
            at_exit, by_generation = marker[len("@@gc ") :].split(" ", 1)
            by_generation = json.loads(by_generation)
            seconds = sum(s for _, s in by_generation.values())
            oldest = by_generation.get("2", (0, 0.0))[0]
            spent[name].append((seconds, oldest, ended - float(at_exit)))
    rows = []
    for name, figures in spent.items():
        median = statistics.median(s for s, _, _ in figures)
        oldest = sorted(o for _, o, _ in figures)
        exiting = statistics.median(e for _, _, e in figures)
        rows.append(
            (
                f"{name}: garbage collection, then the exit (median of {reps})",
                f"{median * 1000:.1f} ms (the oldest generation {oldest[0]} to "
                f"{oldest[-1]} times), then {exiting * 1000:.0f} ms",
                "",
                "",
            )
        )
    return rows


def two_healthy_channels(sandbox: Sandbox, stack: ExitStack, name: str) -> tuple:
    """Two local servers of one real channel (packages, Range): conda's env, the channel."""
    from support import channel_faults

    real = channel_faults.make_real_channel(sandbox.root / name)
    urls = []
    for _ in range(2):
        server = stack.enter_context(servers.channel_server(real.root))
        server.behaviour.handler = channel_faults.serve_ranges(real.root)
        urls.append(check_local(server.url))
    return sandbox.env(sandbox.condarc(urls, **CONDA_DEFAULTS)), real


def bench_after_index(sandbox: Sandbox, reps: int) -> list[tuple[str, str, str, str]]:

    rows = []
    conda = conda_argv()
    with ExitStack() as stack:
        env, _ = two_healthy_channels(sandbox, stack, "real")
        argv = [*conda, "netcheck", "--json"]
        timed(argv, env, COMMAND_TIMEOUT)  # warm
        full, index_only = [], []
        for _ in range(reps):
            outcome = timed(argv, env, COMMAND_TIMEOUT)
            report = outcome.json() or {}
            if outcome.rc != 0 or len(report.get("targets", [])) != 4:
                raise RuntimeError(
                    f"healthy run failed (rc {outcome.rc}): {outcome.out[-1500:]} {outcome.err[-500:]}"
                )
            full.append(outcome.seconds)
            index_only.append(
                timed([*argv, "--index-only"], env, COMMAND_TIMEOUT).seconds
            )
        a, b = statistics.median(full), statistics.median(index_only)
        rows.append(
            (
                f"conda netcheck --json, 2 healthy sharded channels: with vs --index-only (median of {reps})",
                f"{a:.3f} / {b:.3f} s = +{(a / b - 1) * 100:.0f}%",
                "<= +25%",
                verdict(a / b <= 1.25),
            )
        )
    rows += _huge_index(sandbox, conda)
    rows += _zstd_bomb(sandbox, conda)
    return rows


def _huge_index(sandbox: Sandbox, conda: list[str]) -> list[tuple[str, str, str, str]]:
    """Peak RSS with a 300 MB repodata.json against a tiny channel."""
    big = sandbox.root / "big"
    tiny = servers.make_channel(sandbox.root / "tiny")
    (big / "noarch").mkdir(parents=True)
    (big / "linux-64").mkdir(parents=True)
    for subdir in ("noarch", "linux-64"):
        (big / subdir / "repodata.json").write_bytes(
            (tiny / subdir / "repodata.json").read_bytes()
        )
    path = big / "noarch" / "repodata.json"
    record = (
        '"pkg-%07d-1.0-0.tar.bz2": {"name": "pkg-%07d", "version": "1.0", '
        '"build": "0", "build_number": 0, "depends": ["python >=3.8", "numpy"], '
        '"subdir": "noarch", "md5": "' + "0" * 32 + '", "sha256": "' + "0" * 64 + '", '
        '"size": 1000000, "timestamp": 1700000000}'
    )
    with path.open("w") as out:
        out.write('{"info": {"subdir": "noarch"}, "packages": {')
        count = 0
        while out.tell() < 300 * 1000 * 1000:
            out.write(("," if count else "") + record % (count, count))
            count += 1
        out.write('}, "packages.conda": {}, "removed": [], "repodata_version": 1}')
    size = path.stat().st_size
    peaks = {}
    with servers.channel_server(tiny) as small, _streaming_server(big) as large:
        for name, url in (("tiny", small.url), ("300 MB", large.url)):
            env = sandbox.env(sandbox.condarc([check_local(url)], **CONDA_DEFAULTS))
            mib, rc, _ = peak_rss([*conda, "netcheck", "--json"], env)
            peaks[name] = mib
    grow = peaks["300 MB"] - peaks["tiny"]
    return [
        (
            f"peak RSS of conda netcheck: {size / 1e6:.0f} MB repodata.json vs a tiny channel",
            f"{peaks['300 MB']:.1f} vs {peaks['tiny']:.1f} MiB: {grow:+.1f} MiB",
            "<= +20 MiB",
            verdict(grow <= 20),
        )
    ]


def _zstd_bomb(sandbox: Sandbox, conda: list[str]) -> list[tuple[str, str, str, str]]:
    """A shard index of a few KB that expands to 1 GiB: refused within the bound."""
    from support import channel_faults

    real = channel_faults.make_real_channel(sandbox.root / "bomb")
    bomb = channel_faults.zstd.compress(b"\0" * (1024 * 1024 * 1024))
    real.path("repodata_shards.msgpack.zst").write_bytes(bomb)
    with servers.channel_server(real.root) as server:
        env = sandbox.env(sandbox.condarc([check_local(server.url)], **CONDA_DEFAULTS))
        start = time.perf_counter()
        mib, rc, out = peak_rss([*conda, "netcheck", "--json"], env)
        seconds = time.perf_counter() - start
    codes = {
        t["diagnosis"] for t in json.loads(out)["targets"] if t["subdir"] == "noarch"
    }
    return [
        (
            f"zstd bomb: a {len(bomb) / 1024:.0f} KiB shard index expanding to 1 GiB",
            f"{'/'.join(sorted(codes))} in {seconds:.2f} s, peak RSS {mib:.1f} MiB",
            "refused",
            verdict(codes == {"index-corrupt"}),
        )
    ]


class _Streaming(servers._Handler):
    """Serves files in 64 KiB pieces (a 300 MB file is never held in memory)."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        path = self.behaviour.root / self.path.split("?")[0].lstrip("/")
        if not path.is_file():
            return self._reply(404, b"not found", "text/plain")
        size = path.stat().st_size
        wanted = self.headers.get("Range", "")
        start = 0
        if wanted.startswith("bytes=-") and wanted[7:].isdigit():
            start = max(0, size - int(wanted[7:]))
        self.send_response(206 if start else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(size - start))
        self.end_headers()
        with path.open("rb") as source:
            source.seek(start)
            try:
                while piece := source.read(64 * 1024):
                    self.wfile.write(piece)
            except OSError:  # the client read what it wanted and closed
                pass


class _streaming_server:  # noqa: N801 (used as a context manager like channel_server)
    def __init__(self, root: Path) -> None:
        self.server = servers.ChannelServer(root)
        handler = type("Handler", (_Streaming,), {"behaviour": self.server.behaviour})
        self.server.httpd.RequestHandlerClass = handler

    def __enter__(self) -> servers.ChannelServer:
        return self.server.start()

    def __exit__(self, *exc: object) -> None:
        self.server.stop()


# -- 3. time to a diagnosis: netcheck vs conda search -------------------------


def bench_failures(
    sandbox: Sandbox, reps: int, dns_available: tuple[bool, str], timeout: float
) -> list[tuple[str, str, str, str]]:
    rows = []
    refused = check_local(f"http://127.0.0.1:{servers.closed_port()}/")
    rows += _compare("refused port", refused, sandbox, reps, timeout, target=1.0)

    usable, why = dns_available
    dns_url = f"http://{DNS_NAME}/"
    if usable:
        rows += _compare(
            "DNS NXDOMAIN", dns_url, sandbox, reps, timeout, netns_dns=True
        )
    else:
        rows.append(("DNS NXDOMAIN", f"skipped: {why}", "", ""))

    with servers.full_backlog_server() as port:
        black_hole = check_local(f"http://127.0.0.1:{port}/")
        rows += _compare("black hole (SYN dropped)", black_hole, sandbox, 1, timeout)
    return rows


def _compare(
    label: str,
    url: str,
    sandbox: Sandbox,
    reps: int,
    timeout: float,
    target: float | None = None,
    netns_dns: bool = False,
) -> list[tuple[str, str, str, str]]:
    conda = conda_argv()
    env = sandbox.env(sandbox.condarc([url], netns_dns, **CONDA_DEFAULTS))
    commands = {
        "conda netcheck --json": [
            *conda,
            "netcheck",
            "--json",
            "--override-channels",
            "-c",
            url,
        ],
        "conda search -c URL": [
            *conda,
            "search",
            "--override-channels",
            "-c",
            url,
            "somepkg",
            "--json",
        ],
    }
    figures: dict[str, tuple[float | None, str]] = {}
    for name, argv in commands.items():
        times, what = [], ""
        for _ in range(reps):
            outcome = _run_dns(argv, env, timeout) if netns_dns else None
            if outcome is None:
                outcome = timed(argv, env, timeout)
            if outcome.timed_out:
                times, what = [], f"TIMEOUT after {timeout:g} s"
                break
            times.append(outcome.seconds)
            what = _what(outcome)
        figures[name] = (statistics.median(times) if times else None, what)
    net, search = figures["conda netcheck --json"], figures["conda search -c URL"]
    rows = []
    for name, (seconds, what) in figures.items():
        shown = f"{seconds:.2f} s ({what})" if seconds is not None else what
        goal = ""
        if target is not None and name.startswith("conda netcheck"):
            goal = f"< {target:g} s"
            shown_verdict = verdict(seconds is not None and seconds < target)
        else:
            shown_verdict = ""
        rows.append((f"{label}: {name} (median of {reps})", shown, goal, shown_verdict))
    if net[0] is not None and search[0] is not None:
        ratio = f"{search[0] / net[0]:.1f}x faster"
    elif net[0] is not None:
        ratio = f"conda search timed out; netcheck took {net[0]:.2f} s"
    else:
        ratio = "n/a"
    rows.append((f"{label}: netcheck vs conda search", ratio, "", ""))
    return rows


def _run_dns(argv: list[str], env: dict[str, str], timeout: float) -> Outcome:
    """Run argv in a namespace whose resolver answers NXDOMAIN for every name."""
    try:
        proc = netns.run_in_netns(
            [sys.executable, "-c", TIMER, str(timeout), *argv],
            dns_map={},
            timeout=timeout + 30,
            env=env,
        )
    except netns.NetnsTimeout:
        return Outcome(timeout, -1, "", "", True)
    lines = proc.stderr.rstrip().splitlines()
    marker = lines[-1].split() if lines else []
    if len(marker) != 4 or marker[0] != "@@bench":
        raise RuntimeError(f"namespace run failed: {proc.stderr[-500:]}")
    err = "\n".join(lines[:-1])
    return Outcome(float(marker[1]), int(marker[2]), proc.stdout, err, marker[3] == "1")


def _what(outcome: Outcome) -> str:
    """The diagnosis netcheck gave, or the error conda search raised."""
    data = outcome.json()
    if isinstance(data, dict):
        if "targets" in data:
            codes = sorted({t.get("diagnosis") or "ok" for t in data["targets"]})
            return ", ".join(codes)
        if data.get("exception_name"):
            return data["exception_name"]
    return f"exit {outcome.rc}"


# -- 5. a healthy run and a slow link, against conda's own commands ----------

#: Seconds the slow server waits before answering each request.
SLOW_LINK = 0.8
#: At most this many round trips for one channel on the slow link.
SLOW_ROUNDS = 5


def bench_against_conda(sandbox: Sandbox, reps: int) -> list[tuple[str, str, str, str]]:
    """Two healthy channels with real packages, then one behind a slow link.

    Each figure is set beside the same conda commands, run in this same run:
    `conda search` for the same channels on a warm cache and `conda config
    --show` (conda's startup with the configuration read, and no network).
    """
    from support import channel_faults

    conda = conda_argv()
    rows: list[tuple[str, str, str, str]] = []
    with ExitStack() as stack:
        env, real = two_healthy_channels(sandbox, stack, "real5")
        commands = {
            "conda netcheck": [*conda, "netcheck"],
            "conda netcheck --json": [*conda, "netcheck", "--json"],
            "conda netcheck --index-only": [*conda, "netcheck", "--index-only"],
            "conda search (warm cache)": [*conda, "search", "--json", "netcheck-demo"],
            "conda config --show": [*conda, "config", "--show"],
        }
        for argv in commands.values():  # warm: the cache, the byte-code, the disk
            timed(argv, env, COMMAND_TIMEOUT)
        times: dict[str, list[float]] = {name: [] for name in commands}
        cpus: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(reps):  # interleaved, so drift hits every command alike
            for name, argv in commands.items():
                outcome = timed(argv, env, COMMAND_TIMEOUT)
                if outcome.rc != 0 or outcome.timed_out:
                    raise RuntimeError(
                        f"{name} failed (rc {outcome.rc}): {outcome.err[-800:]}"
                    )
                times[name].append(outcome.seconds)
                cpus[name].append(outcome.cpu or 0.0)
        median = {name: statistics.median(t) for name, t in times.items()}
        cpu = {name: statistics.median(t) for name, t in cpus.items()}
        for name, seconds in median.items():
            rows.append(
                (
                    f"healthy, 2 channels: {name} (median of {reps})",
                    f"{seconds:.3f} s wall, {cpu[name]:.3f} s CPU",
                    "",
                    "",
                )
            )
        search = "conda search (warm cache)"
        for what, figures in (("wall", median), ("CPU", cpu)):
            ratio = figures["conda netcheck"] / figures[search]
            rows.append(
                (
                    f"healthy: conda netcheck / conda search (warm cache), {what}",
                    f"{ratio:.2f}x",
                    "<= 1.0x",
                    verdict(ratio <= 1.0),
                )
            )

        rows += healthy_imports(env, 2 * reps + 1)
        rows += collections_and_exit(
            sandbox,
            {
                name: commands[name]
                for name in ("conda netcheck", "conda search (warm cache)")
            },
            env,
            reps,
        )

        slow = stack.enter_context(servers.channel_server(real.root))
        slow.behaviour.handler = channel_faults.chain(
            _sleeper(SLOW_LINK), channel_faults.serve_ranges(real.root)
        )
        slow_env = sandbox.env(
            sandbox.condarc([check_local(slow.url)], **CONDA_DEFAULTS)
        )
        slow_times, requests = [], 0
        for _ in range(reps):
            before = len(slow.behaviour.requests)
            outcome = timed([*conda, "netcheck", "--json"], slow_env, COMMAND_TIMEOUT)
            if outcome.rc != 0:
                raise RuntimeError(f"slow link: rc {outcome.rc}: {outcome.err[-800:]}")
            slow_times.append(outcome.seconds)
            requests = len(slow.behaviour.requests) - before
        slow_s = statistics.median(slow_times)
        # What the run costs with no delay: conda netcheck --json on the healthy
        # channels above (2 channels there, 1 here: an upper bound on the startup).
        rounds = (slow_s - median["conda netcheck --json"]) / SLOW_LINK
        rows.append(
            (
                f"slow link ({SLOW_LINK:g} s per request), 1 channel: conda netcheck --json (median of {reps})",
                f"{slow_s:.2f} s, {requests} requests, ~{rounds:.1f} round trips",
                f"<= {SLOW_ROUNDS}",
                verdict(rounds <= SLOW_ROUNDS),
            )
        )
        outcome = timed(
            [*conda, "search", "--json", "netcheck-demo"], slow_env, COMMAND_TIMEOUT
        )
        rows.append(
            (
                "slow link: conda search, cold cache (once)",
                f"{outcome.seconds:.2f} s (exit {outcome.rc})",
                "",
                "",
            )
        )
    return rows


# -- output -------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def versions() -> str:
    import conda

    import conda_netcheck

    return (
        f"conda {conda.__version__}, Python {platform.python_version()}, "
        f"conda-netcheck {conda_netcheck.__version__}"
    )


def print_table(title: str, rows: list[tuple[str, str, str, str]]) -> None:
    print(f"\n{title}")
    width = max(len(r[0]) for r in rows)
    value = max(len(r[1]) for r in rows)
    for name, measured, goal, result in rows:
        line = f"  {name:<{width}}  {measured:<{value}}"
        if goal:
            line += f"  target {goal:<9} {result}"
        print(line.rstrip(), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument(
        "--timeout",
        type=float,
        default=COMMAND_TIMEOUT,
        help=f"bound on each command of part 3 (default {COMMAND_TIMEOUT:g} s)",
    )
    parser.add_argument(
        "--only",
        type=int,
        action="append",
        choices=(1, 2, 3, 4, 5),
        help="run only this part (repeatable)",
    )
    args = parser.parse_args(argv)
    parts = set(args.only or (1, 2, 3, 4, 5))
    isolation = isolate()
    # As an installed package would: byte-compiled once (PYTHONDONTWRITEBYTECODE
    # would otherwise make every fresh process compile the sources again).
    compileall.compile_dir(ROOT / "conda_netcheck", quiet=1)
    # Checked before anything listens in this namespace; the DNS case gets its own.
    dns_available = netns.netns_available()
    started = time.perf_counter()
    print(f"conda-netcheck benchmarks: {versions()}")
    print(
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs; {isolation}; "
        f"conda run as {' '.join(conda_argv())}"
    )
    with tempfile.TemporaryDirectory(prefix="netcheck-bench-") as tmp:
        sandbox = Sandbox(Path(tmp))
        if 1 in parts:
            print_table(
                "1. Import cost and conda startup",
                bench_import(5 if args.quick else 15)
                + bench_conda_startup(sandbox, 5 if args.quick else 15),
            )
            print_table(
                "1b. On conda's error path: the failure record and the hints",
                bench_failure_record(sandbox, 5 if args.quick else 15)
                + bench_post_command(sandbox, 5 if args.quick else 15),
            )
        if 2 in parts:
            print_table(
                "2. Concurrency: 20 channels x 2 subdirs, 6 slow (0.3-1.0 s)",
                bench_concurrency(sandbox, 1 if args.quick else 3),
            )
        if 3 in parts:
            print_table(
                "3. Time to a diagnosis, conda defaults (connect 9.15 s, read 60 s, 3 retries, backoff 1)",
                bench_failures(
                    sandbox, 1 if args.quick else 3, dns_available, args.timeout
                ),
            )
        if 4 in parts:
            print_table(
                "4. After the index: shards and packages, a 300 MB index, a zstd bomb",
                bench_after_index(sandbox, 1 if args.quick else 3),
            )
        if 5 in parts:
            print_table(
                "5. Against conda's own commands: a healthy run, a slow link",
                bench_against_conda(sandbox, 3 if args.quick else 7),
            )
    print(f"\nTotal {time.perf_counter() - started:.0f} s.")
    for note in NOTES:
        print(f"- {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
