"""Run a command in a throwaway network + mount namespace with a stub DNS.

Each ``run_in_netns`` call does ``unshare --net --mount --uts --pid --fork``
and, inside, before the command starts:

* brings ``lo`` up (the only interface: every non-loopback destination is
  ENETUNREACH, nothing can leave the machine);
* bind-mounts a private ``/etc/resolv.conf`` (``nameserver 127.0.0.1`` and
  ``options timeout:1 attempts:1`` by default), a private ``/etc/hosts``
  holding only the localhost lines, and a private ``/etc/nsswitch.conf``
  whose ``hosts:`` line is ``files dns`` (so mdns / resolve / myhostname /
  nis sources cannot answer or leak); hides nscd's socket directory if any;
* starts ``dnsstub.StubResolver`` on ``<nameserver>:53`` (UDP + TCP) and
  checks that it answers (bounded) before running the command.

Why the mount namespace: ``unshare --net`` alone keeps the host's
``/etc/resolv.conf`` (and hosts / nsswitch), so glibc would still aim at the
real resolver (unreachable there, but never our stub).  The mounts are
private to the namespace (util-linux's default ``--propagation private``) and
vanish with it.  The PID namespace means killing ``unshare`` on timeout
takes every process of the namespace with it (``--kill-child``).
"""

from __future__ import annotations

import functools
import ipaddress
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from typing import TYPE_CHECKING, Any

try:
    from . import dnsstub
except ImportError:  # run as a script (the in-namespace bootstrap)
    import dnsstub  # type: ignore[no-redef]

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

__all__ = [
    "DEFAULT_RESOLV_OPTIONS",
    "NetnsSetupError",
    "NetnsTimeout",
    "netns_available",
    "run_in_netns",
    "run_python_in_netns",
]

DEFAULT_RESOLV_OPTIONS = "timeout:1 attempts:1"
SETUP_TIMEOUT = 10.0  # bound on each setup step inside the namespace
BOOTSTRAP_FAILED = 125
NETNS_HOSTNAME = "netcheck-netns"

# Inherited (env=None) variables that would make the command bypass or bend
# the stub resolver, or send traffic to a proxy.  Pass env= to keep them.
_SCRUBBED_ENV = {
    "RES_OPTIONS",
    "LOCALDOMAIN",
    "HOSTALIASES",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "no_proxy",
    "ftp_proxy",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "FTP_PROXY",
}

_LOCALHOST_NAMES = {
    "localhost",
    "localhost.localdomain",
    "localhost4",
    "localhost4.localdomain4",
    "localhost6",
    "localhost6.localdomain6",
    "ip6-localhost",
    "ip6-loopback",
}


class NetnsSetupError(RuntimeError):
    """The namespace could not be set up (the command never ran)."""


class NetnsTimeout(subprocess.TimeoutExpired):
    """The whole call exceeded ``timeout``; every process in it was killed."""


def _tool(name: str) -> str | None:
    return shutil.which(name) or next(
        (
            p
            for p in (
                f"/usr/sbin/{name}",
                f"/sbin/{name}",
                f"/usr/bin/{name}",
                f"/bin/{name}",
            )
            if os.access(p, os.X_OK)
        ),
        None,
    )


def _hosts_text(original: str) -> str:
    """Keep only loopback + localhost-name entries of an /etc/hosts."""
    lines = []
    for raw in original.splitlines():
        fields = raw.split("#", 1)[0].split()
        if len(fields) < 2:
            continue
        try:
            if not ipaddress.ip_address(fields[0].split("%", 1)[0]).is_loopback:
                continue
        except ValueError:
            continue
        names = [n for n in fields[1:] if n.lower() in _LOCALHOST_NAMES]
        if names:
            lines.append(f"{fields[0]}\t{' '.join(names)}")
    if not lines:
        lines = ["127.0.0.1\tlocalhost", "::1\tlocalhost ip6-localhost ip6-loopback"]
    return "# netns test copy: localhost only, names come from the stub DNS\n" + (
        "\n".join(lines) + "\n"
    )


def _nsswitch_text(original: str) -> str:
    out, seen = [], False
    for line in original.splitlines():
        if line.split("#", 1)[0].strip().startswith("hosts:"):
            if not seen:
                out.append("hosts:          files dns")
            seen = True
        else:
            out.append(line)
    if not seen:
        out.append("hosts:          files dns")
    return "\n".join(out) + "\n"


def _resolv_text(nameserver: str | None, options: str | None) -> str:
    lines = ["# netns test copy"]
    if nameserver:
        lines.append(f"nameserver {nameserver}")
    if options:
        lines.append(f"options {options}")
    return "\n".join(lines) + "\n"


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError:
        return None


def _is_loopback(addr: str | None) -> bool:
    try:
        return addr is not None and ipaddress.ip_address(addr).is_loopback
    except ValueError:
        return False


def run_in_netns(
    argv: Sequence[str],
    *,
    resolv_conf_nameserver: str | None = "127.0.0.1",
    resolv_conf_options: str | None = DEFAULT_RESOLV_OPTIONS,
    dns_map: Mapping[str, Any] | None = None,
    drop: Iterable[str] = (),
    servfail: Iterable[str] = (),
    timeout: float = 30.0,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    input: str | None = None,
    start_stub: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` in a fresh network + mount namespace; capture its output.

    ``dns_map`` maps names to an address or a list of IPv4/IPv6 addresses
    (or to "servfail" / "drop" / "nxdomain"); every other name is NXDOMAIN.
    The stub listens on ``resolv_conf_nameserver``:53 when that is a loopback
    address (a non-loopback one is left unreachable: a dead resolver).
    ``env=None`` inherits os.environ minus proxy / RES_OPTIONS-like variables.

    Returns a CompletedProcess (text, stdout and stderr captured) with two
    extra attributes: ``dns_queries`` ([(name, qtype), ...] the stub saw) and
    ``duration`` (seconds, whole call).  Raises NetnsTimeout after killing the
    namespace when ``timeout`` is exceeded, NetnsSetupError when the namespace
    could not be prepared.
    """
    unshare, ip, mount = _tool("unshare"), _tool("ip"), _tool("mount")
    missing = [
        n for n, p in (("unshare", unshare), ("ip", ip), ("mount", mount)) if not p
    ]
    if missing:
        raise NetnsSetupError(f"missing tools: {', '.join(missing)}")
    argv = [os.fspath(a) for a in argv]
    if env is None:
        run_env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV}
    else:
        run_env = dict(env)

    mapping: dict[str, Any] = dict(dns_map or {})
    for name in drop:
        mapping[name] = dnsstub.MODE_DROP
    for name in servfail:
        mapping[name] = dnsstub.MODE_SERVFAIL

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="netcheck-netns-") as tmp:
        files = {
            "resolv": os.path.join(tmp, "resolv.conf"),
            "hosts": os.path.join(tmp, "hosts"),
            "nsswitch": os.path.join(tmp, "nsswitch.conf"),
        }
        with open(files["resolv"], "w") as fh:
            fh.write(_resolv_text(resolv_conf_nameserver, resolv_conf_options))
        with open(files["hosts"], "w") as fh:
            fh.write(_hosts_text(_read("/etc/hosts") or ""))
        with open(files["nsswitch"], "w") as fh:
            fh.write(_nsswitch_text(_read("/etc/nsswitch.conf") or ""))
        config = {
            "argv": argv,
            "cwd": os.fspath(cwd) if cwd is not None else None,
            "ip": ip,
            "mount": mount,
            "files": files,
            "stub": start_stub and _is_loopback(resolv_conf_nameserver),
            "nameserver": resolv_conf_nameserver,
            "mapping": {
                k: (v if isinstance(v, str) else list(v)) for k, v in mapping.items()
            },
            "ready": os.path.join(tmp, "ready"),
            "queries": os.path.join(tmp, "queries.json"),
        }
        cfg_path = os.path.join(tmp, "config.json")
        with open(cfg_path, "w") as fh:
            json.dump(config, fh)

        cmd = [
            unshare,
            "--net",
            "--mount",
            "--uts",
            "--pid",
            "--mount-proc",
            "--fork",
            "--kill-child",
            "--",
            sys.executable,
            os.path.abspath(__file__),
            "--bootstrap",
            cfg_path,
        ]
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            encoding="utf-8",
            errors="replace",
            env=run_env,
            cwd=cwd,
            start_new_session=True,
        )
        try:
            out, err = proc.communicate(input, timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            try:
                out, err = proc.communicate(timeout=5)
            except subprocess.TimeoutExpired:
                out, err = "", ""
            raise NetnsTimeout(argv, timeout, out, err) from None
        finally:
            if proc.poll() is None:
                _kill_group(proc)
                proc.wait(5)

        if not os.path.exists(config["ready"]):
            raise NetnsSetupError(
                f"namespace setup failed (unshare exit {proc.returncode}): {err.strip()[-2000:]}"
            )
        queries: list[tuple[str, int]] = []
        try:
            with open(config["queries"]) as fh:
                queries = [tuple(q) for q in json.load(fh)]  # type: ignore[misc]
        except (OSError, ValueError):
            pass

    result = subprocess.CompletedProcess(argv, proc.returncode, out, err)
    result.dns_queries = queries  # type: ignore[attr-defined]
    result.duration = time.monotonic() - started  # type: ignore[attr-defined]
    return result


def _kill_group(proc: subprocess.Popen[str]) -> None:
    # unshare leads its own session; its child is PID 1 of the new PID
    # namespace and dies with it (--kill-child), taking the namespace along.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        try:
            proc.kill()
        except OSError:
            pass


def run_python_in_netns(
    code: str, *args: str, **kw: Any
) -> subprocess.CompletedProcess[str]:
    """``run_in_netns([sys.executable, "-c", code, *args], **kw)``."""
    return run_in_netns([sys.executable, "-c", code, *args], **kw)


@functools.cache
def netns_available() -> tuple[bool, str]:
    """(True, "") if run_in_netns works here, else (False, why) for pytest.skip."""
    if not sys.platform.startswith("linux"):
        return False, f"network namespaces need Linux (this is {sys.platform})"
    if os.environ.get("NETCHECK_NO_NETNS"):
        return False, "NETCHECK_NO_NETNS is set"
    if os.geteuid() != 0:
        return False, "network namespaces need root (unshare --net)"
    for tool in ("unshare", "ip", "mount"):
        if not _tool(tool):
            return False, f"`{tool}` not found (util-linux / iproute2)"
    probe = "netns-probe.example.test"
    code = f"import socket; print(socket.gethostbyname({probe!r}))"
    try:
        res = run_python_in_netns(code, dns_map={probe: "127.0.0.2"}, timeout=30)
    except (NetnsSetupError, NetnsTimeout, OSError) as exc:
        return False, f"cannot create a network namespace: {exc}"
    if res.returncode != 0 or res.stdout.strip() != "127.0.0.2":
        return False, (
            f"namespace probe failed (rc={res.returncode}): "
            f"{(res.stderr or res.stdout).strip()[-500:]}"
        )
    return True, ""


# -- inside the namespace ----------------------------------------------------


def _bootstrap(cfg_path: str) -> int:
    with open(cfg_path) as fh:
        cfg = json.load(fh)

    def step(argv: list[str]) -> None:
        res = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=SETUP_TIMEOUT,
        )
        if res.returncode != 0:
            raise NetnsSetupError(f"{' '.join(argv)}: {res.stderr.strip()}")

    def bind(src: str, target: str) -> None:
        real = os.path.realpath(target)
        if not os.path.exists(real):
            if not os.path.lexists(target):
                return  # nothing there: glibc uses its built-in default
            # A dangling symlink (e.g. to a stopped systemd-resolved's
            # stub-resolv.conf): give its directory a private tmpfs.
            parent = os.path.dirname(real)
            if not os.path.isdir(parent):
                raise NetnsSetupError(f"{target} -> {real}: no such directory")
            step([cfg["mount"], "-t", "tmpfs", "tmpfs", parent])
            open(real, "w").close()
        step([cfg["mount"], "--bind", src, real])

    try:
        step([cfg["ip"], "link", "set", "lo", "up"])
        bind(cfg["files"]["resolv"], "/etc/resolv.conf")
        bind(cfg["files"]["hosts"], "/etc/hosts")
        if os.path.lexists("/etc/nsswitch.conf"):
            bind(cfg["files"]["nsswitch"], "/etc/nsswitch.conf")
        for nscd in ("/run/nscd", "/var/run/nscd"):
            if os.path.isdir(nscd):  # nscd would resolve on the host's behalf
                step([cfg["mount"], "-t", "tmpfs", "tmpfs", nscd])
        try:
            import socket

            socket.sethostname(NETNS_HOSTNAME)  # no search domain from hostname
        except (OSError, AttributeError):
            pass

        stub = None
        if cfg["stub"]:
            stub = dnsstub.StubResolver(cfg["mapping"], 53, host=cfg["nameserver"])
            stub.start()
            probe = "netns-ready-probe.invalid"
            deadline = time.monotonic() + SETUP_TIMEOUT
            while (
                dnsstub.query(probe, host=cfg["nameserver"], port=53, timeout=0.5)
                is None
            ):
                if time.monotonic() > deadline:
                    raise NetnsSetupError("stub resolver does not answer")
            with stub._lock:
                stub.queries.clear()
    except (NetnsSetupError, OSError, subprocess.SubprocessError) as exc:
        print(f"netns bootstrap: {exc}", file=sys.stderr, flush=True)
        return BOOTSTRAP_FAILED

    open(cfg["ready"], "w").close()
    try:
        child = subprocess.Popen(cfg["argv"], cwd=cfg["cwd"])
    except OSError as exc:
        print(
            f"netns: cannot run {cfg['argv'][0]!r}: {exc}", file=sys.stderr, flush=True
        )
        return 127
    rc = child.wait()
    if stub is not None:
        stub.stop()
        with open(cfg["queries"], "w") as fh:
            json.dump(stub.queries, fh)
    return rc if rc >= 0 else 128 - rc


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--bootstrap":
        sys.exit(_bootstrap(sys.argv[2]))
    sys.exit("usage: netns.py --bootstrap CONFIG (internal; use run_in_netns())")
