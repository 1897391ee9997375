"""`conda netcheck` (and `python -m conda_netcheck`): parse, collect targets, diagnose, render."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Callable

from . import __version__

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .config.netconfig import NetConfig
    from .model import Options, Report, RouteFactory, Target
    from .recheck import LastFailureCheck
    from .settings import Settings

DESCRIPTION = (
    "Check every channel URL conda would use, layer by layer (DNS, TCP, proxy, "
    "TLS, HTTP, content), name the first broken layer and give the exact fix."
)


def configure_parser(parser: argparse.ArgumentParser, conda: bool = True) -> None:
    """Add netcheck's arguments; -c/--override-channels behave as in other conda commands."""
    parser.description = DESCRIPTION
    _channel_arguments(parser, conda)
    _output_arguments(parser)
    if conda:
        _conda_only_arguments(parser)
    _probe_arguments(parser)


def _channel_arguments(parser: argparse.ArgumentParser, conda: bool) -> None:
    """What to check: channel names or URLs, -c and --override-channels."""
    parser.add_argument(
        "names",
        nargs="*",
        metavar="CHANNEL",
        help="channel names or URLs to check instead of the configured channels"
        if conda
        else "channel URLs to check",
    )
    if conda:
        parser.add_argument(
            "-c",
            "--channel",
            action="append",
            dest="channel",
            help="additional channel to check (as with conda install -c)",
        )
        parser.add_argument(
            "--override-channels",
            action="store_true",
            help="check only the channels given with -c",
        )


def _output_arguments(parser: argparse.ArgumentParser) -> None:
    """How to say it: JSON, the allowlist, the report, verbosity."""
    parser.add_argument(
        "--json", action="store_true", help="print one JSON document on stdout"
    )
    parser.add_argument(
        "--allowlist",
        action="store_true",
        help="print the hosts and ports a firewall must allow (channel hosts, "
        "redirect targets, the proxy); with --json, in the JSON document",
    )
    parser.add_argument(
        "--report",
        metavar="FILE",
        help="write a redacted Markdown report for your network team to FILE",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        dest="netcheck_verbose",
        help="show per-phase timings, the proxy and what was fetched",
    )


def _conda_only_arguments(parser: argparse.ArgumentParser) -> None:
    """--fix and its options, the upstream comparison, forgetting the last failure."""
    parser.add_argument(
        "--fix",
        action="store_true",
        help="offer the safe fixes (proxy URLs, ssl_verify: truststore, offline) "
        "in the .condarc that sets each key; each change is shown and confirmed",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        dest="dry_run",
        help="with --fix: show the changes as diffs, change nothing",
    )
    parser.add_argument(
        "-y",
        "--yes",
        action="store_true",
        dest="yes",
        help="with --fix: apply without asking",
    )
    parser.add_argument(
        "--compare-upstream",
        nargs="?",
        const="https://conda.anaconda.org",
        metavar="ALIAS",
        help="for channels served by a mirror, also fetch the public channel "
        "they copy and warn when the mirror is more than a day behind "
        "(ALIAS replaces https://conda.anaconda.org and https://repo.anaconda.com)",
    )
    parser.add_argument(
        "--forget",
        action="store_true",
        help="delete the record of conda's last network failure and exit",
    )


def _probe_arguments(parser: argparse.ArgumentParser) -> None:
    """How far and how long to probe."""
    # Not from .model: conda builds this parser on every command it runs.
    from .limits import MAX_CONNECT_TIMEOUT, MAX_READ_TIMEOUT

    parser.add_argument(
        "--no-direct",
        action="store_true",
        help="when a proxy fails, do not try one direct connection to tell "
        '"the proxy is the problem" from "the proxy is required"',
    )
    parser.add_argument(
        "--package-bytes",
        type=_byte_count,
        default=1024 * 1024,
        metavar="BYTES",
        help="after the index, download packages up to this size whole and check "
        "their size and sha256; larger ones only by their first bytes (Range); "
        "default 1 MiB (1048576)",
    )
    parser.add_argument(
        "--index-only",
        action="store_true",
        help="check only the index of each channel, not what conda fetches after "
        "it (shards, base_url hosts, packages)",
    )
    parser.add_argument(
        "--timeout",
        type=_positive_float,
        metavar="SECONDS",
        help=f"connect and read timeout per phase (default: conda's, capped at "
        f"{MAX_CONNECT_TIMEOUT:g} s connect and {MAX_READ_TIMEOUT:g} s read)",
    )


def _positive_float(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 0 < number <= 600:
        raise argparse.ArgumentTypeError("must be between 0 and 600 seconds")
    return number


def _byte_count(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if not 0 < number <= 4 * 1024**3:
        raise argparse.ArgumentTypeError("must be between 1 byte and 4 GiB")
    return number


def execute(args: argparse.Namespace) -> int:
    """The `conda netcheck` action: read conda's context, check, print."""
    return guarded(_execute, args)


def guarded(
    action: Callable[[argparse.Namespace], int], args: argparse.Namespace
) -> int:
    """Run action; no exception reaches conda's crash report (it lists channel URLs).

    netcheck's own errors (CondaError subclasses that conda renders) pass;
    anything else becomes one redacted line, or a JSON document under --json.
    """
    from .exceptions import NetcheckError
    from .redact import install_log_redaction, redact_exception

    install_log_redaction()
    try:
        return action(args)
    except NetcheckError:
        raise
    except Exception as exc:
        message = redact_exception(exc)
        if os.environ.get("CONDA_NETCHECK_DEBUG"):
            from .redact import redact_traceback

            print(redact_traceback(exc), file=sys.stderr)
        if getattr(args, "json", False):
            print(internal_error_json(message), flush=True)
        else:
            print(
                f"conda-netcheck failed: {message}\n"
                "please report this as a bug in conda-netcheck (with --json output)",
                file=sys.stderr,
                flush=True,
            )
        return 2
    finally:
        sys.stdout.flush()


def internal_error_json(message: str) -> str:
    """The --json document when netcheck itself failed: one internal-error finding."""
    import json

    from .model import Code, Finding, Report
    from .output import render

    report = Report(
        findings=[
            Finding(
                "netcheck",
                Code.INTERNAL_ERROR,
                f"conda-netcheck failed: {message}",
                "please report this as a bug in conda-netcheck",
            )
        ],
        netcheck_version=__version__,
    )
    try:
        return render.to_json(report)
    except Exception:  # the renderer itself is what failed
        return json.dumps({"ok": False, "error": message})


def _execute(args: argparse.Namespace) -> int:
    from conda.base.context import context

    from .config.netconfig import from_conda
    from .config.routes import conda_route
    from .config.targets import conda_targets, repodata_filenames
    from .settings import current

    if args.forget:
        return forget(args)
    settings = current()
    cfg = from_conda()
    if args.names:  # explicit targets: the configured channel list does not matter
        cfg.channels = list(args.names)
    unusable: list = []  # channels conda cannot turn into URLs, as findings
    targets = conda_targets(
        args.names or None, args.compare_upstream, unusable, cfg.channels
    )
    if not args.names:
        targets += extra_targets(settings.extra_urls, tuple(context.subdirs))
    options = make_options(
        args,
        cfg,
        repodata_filenames(),
        offline=bool(context.offline),
        default_timeout=settings.timeout,
    )
    options.compare_upstream = bool(args.compare_upstream)
    checked = last_failure_first(args, targets, options, settings)
    report = run(
        targets,
        conda_route,
        options,
        cfg,
        args,
        conda_version(),
        checked,
        findings=unusable,
    )
    if args.fix:
        return fix_and_recheck(report, cfg, args, options)
    return 0 if report.ok else 1


def forget(args: argparse.Namespace) -> int:
    """`conda netcheck --forget`: delete the recorded failure."""
    from . import lastfailure

    forgotten = lastfailure.forget()
    if args.json:
        import json

        print(json.dumps({"forgotten": forgotten}))
    else:
        print(
            "The last failure was forgotten."
            if forgotten
            else "No failure was recorded."
        )
    return 0


def extra_targets(urls: Sequence[str], subdirs: tuple[str, ...]) -> list[Target]:
    """Targets for the plugins.netcheck_extra_urls setting."""
    import dataclasses

    from .config.targets import urls_targets

    return [
        dataclasses.replace(t, source="plugins.netcheck_extra_urls")
        for t in urls_targets(urls, subdirs)
    ]


def last_failure_first(
    args: argparse.Namespace,
    targets: list[Target],
    options: Options,
    settings: Settings,
) -> LastFailureCheck | None:
    """Check the URL of conda's recorded failure, and say what was found (not with --json)."""
    from . import lastfailure

    failure = lastfailure.load(max_age=settings.last_failure_hours * 3600)
    if failure is None:
        return None
    from . import recheck  # only with a failure to check
    from .config.routes import conda_route

    checked = recheck.check(
        failure, conda_route, options, targets, settings.package_bytes
    )
    if not (args.json or args.allowlist):
        print("\n".join(recheck.lines(checked, bool(args.netcheck_verbose))) + "\n")
    return checked


def fix_and_recheck(
    report: Report, cfg: NetConfig, args: argparse.Namespace, options: Options
) -> int:
    """`conda netcheck --fix`: the doctor fixes, then the whole check once more."""
    from conda.base.context import context, reset_context

    from .config.routes import conda_route
    from .config.targets import conda_targets
    from .diagnosis.runner import diagnose
    from .fix.fixers import apply_fixes, declined, plan_fixes
    from .health_checks.network_config import recheck
    from .model import Report
    from .output import render, text

    try:
        from conda.reporters import confirm_yn
    except ImportError:  # conda < 25
        from conda.cli.common import confirm_yn

    def confirm(message: str) -> bool:
        return confirm_yn(message, default="no", dry_run=context.dry_run)

    stream = sys.stderr if args.json else sys.stdout  # keep --json's stdout clean

    def out(line: str) -> None:
        print(line, file=stream)

    fixes = plan_fixes(cfg, report)
    status = apply_fixes(
        fixes,
        confirm,
        recheck=recheck,
        out=out,
        left=left(report),
        reasons=declined(report),
    )
    if context.dry_run or not any(f.change for f in fixes):
        return status or (0 if report.ok else 1)
    # Read the edited files again; conda caches its sessions (and their
    # proxies and ssl_verify) per URL.
    from conda.gateways.connection.session import CondaSession, get_session

    reset_context(argparse_args=args)
    get_session.cache_clear()
    CondaSession.cache_clear()
    options.offline = bool(context.offline)
    again = Report(
        targets=diagnose(conda_targets(args.names or None), conda_route, options)
    )
    out(f"After the fixes: {render.verdict(again)}")
    if not again.ok:  # what is left, each with its fix
        out("\n".join(text.body_lines(again)[:-1]))
    return status or (0 if again.ok else 1)


def left(report: Report) -> list[str]:
    """What still fails, one line per cause with its fix, for people to act on."""
    from .model import Status

    lines = [
        f"{finding.check}: {finding.code.value}: {finding.fix or finding.summary}"
        for finding in report.findings
        if finding.status is Status.ERROR
    ]
    for result in report.targets:
        problem = result.problem
        if problem is None or problem.status is not Status.ERROR:
            continue
        line = f"{result.target.channel}: {problem.code.value}: {problem.fix}"
        if line not in lines:
            lines.append(line)
    return lines


def conda_version() -> str | None:
    """conda's version, or None without conda."""
    try:
        from conda import __version__ as version
    except ImportError:
        return None
    return version


def make_options(
    args: argparse.Namespace,
    cfg: NetConfig,
    filenames: tuple[str, ...],
    offline: bool = False,
    default_timeout: float = 0.0,
) -> Options:
    """Per-phase timeouts: --timeout, the netcheck_timeout setting, else conda's capped."""
    from .config.commands import for_config
    from .model import MAX_CONNECT_TIMEOUT, MAX_READ_TIMEOUT, Options

    timeout = args.timeout or default_timeout
    if timeout:
        connect = read = timeout
    else:
        connect = min(cfg.connect_timeout, MAX_CONNECT_TIMEOUT)
        read = min(cfg.read_timeout, MAX_READ_TIMEOUT)
    return Options(
        connect_timeout=connect,
        read_timeout=read,
        filenames=filenames,
        offline=offline,
        try_direct=not args.no_direct,
        conda_read_timeout=cfg.read_timeout,
        commands=for_config(cfg),
        check_packages=not args.index_only,
        package_bytes=args.package_bytes,
        client_connect_timeout=cfg.connect_timeout,
    )


def run(
    targets: list[Target],
    route_for: RouteFactory,
    options: Options,
    cfg: NetConfig,
    args: argparse.Namespace,
    conda_version: str | None,
    last_failure: LastFailureCheck | None = None,
    findings: list | None = None,
) -> Report:
    """Diagnose and print: the same text on a terminal and in a pipe, or one document."""
    from .config.checks import config_findings
    from .config.trust import effective_trust
    from .diagnosis.findings import with_expired_roots_in_use
    from .diagnosis.mirrors import defaults_bypass_mirror
    from .diagnosis.runner import diagnose
    from .model import Report
    from .output import render, text

    report = Report(
        findings=list(findings or [])
        + config_findings(cfg, [t.url for t in targets])
        + defaults_bypass_mirror(targets),
        conda_version=conda_version,
        netcheck_version=__version__,
        conda_config_read=cfg.conda,
        trust=effective_trust(cfg),
        last_failure=last_failure,
    )
    verbose = bool(args.netcheck_verbose)
    # With --json or --allowlist, stdout carries only that document.
    quiet = args.json or args.allowlist
    if not quiet:
        print(
            "\n".join(text.header_lines(report, [t.url for t in targets])), flush=True
        )
    live = text.LiveLine(0 if quiet else len(targets))
    try:
        report.targets = diagnose(targets, route_for, options, on_result=live.update)
    finally:
        live.clear()
    report.findings = with_expired_roots_in_use(report.findings, report.targets)
    if args.report:
        write_report(report, cfg, args.report)
    if args.json:
        print(render.to_json(report))
    elif args.allowlist:
        from .output.allowlist import allowlist, allowlist_text

        print(allowlist_text(allowlist(report), report))
    else:
        print("\n".join(text.body_lines(report, verbose)))
    return report


def write_report(report: Report, cfg: NetConfig, path: str) -> None:
    """Write the redacted Markdown report for the network team."""
    from .output.report import default_versions, markdown_report

    text = markdown_report(report, cfg, default_versions(report))
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:  # a directory, a read-only place: say so, go on
        print(f"cannot write the report to {path}: {exc.strerror}", file=sys.stderr)
        return
    print(f"report written to {path}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m conda_netcheck`: use conda when importable, else the environment."""
    parser = argparse.ArgumentParser(prog="python -m conda_netcheck")
    try:
        import conda.base.context  # noqa: F401
    except Exception:  # conda missing or broken: that is what this entry is for
        has_conda = False
    else:
        has_conda = True
    configure_parser(parser, conda=has_conda)
    args = parser.parse_args(argv)
    if not has_conda:
        return guarded(lambda a: standalone(a, parser), args)
    from conda.base.context import context

    try:
        context.__init__(argparse_args=args)
    except Exception as exc:
        # conda cannot load its configuration: say where, then go on with
        # the environment only (that is what this entry point is for).
        error = exc
        return guarded(lambda a: broken_conda(a, parser, error), args)
    return execute(args)


def broken_conda(
    args: argparse.Namespace, parser: argparse.ArgumentParser, error: BaseException
) -> int:
    """conda's configuration does not load: name the file, then check without conda."""
    from .config.checks import broken_config_finding
    from .config.loading import find_broken, search_path_files
    from .config.netconfig import anaconda_config_path
    from .config.secrets import register_all

    paths = search_path_files()
    register_all(paths, anaconda_config_path())
    finding = broken_config_finding(find_broken(paths), error)
    return standalone(args, parser, [finding])


def standalone(
    args: argparse.Namespace,
    parser: argparse.ArgumentParser,
    findings: list | None = None,
) -> int:
    """Diagnose URLs with the environment only: no conda configuration is read."""
    from .config.netconfig import anaconda_config_path, from_environment
    from .config.routes import standalone_route
    from .config.secrets import register_all
    from .config.targets import native_subdir, urls_targets

    register_all(toml=anaconda_config_path())
    names = getattr(args, "names", None) or []
    if not names and not findings:
        parser.error("without conda, give the channel URLs to check")
    cfg = from_environment()
    targets = urls_targets(names, (native_subdir(), "noarch"))
    options = make_options(args, cfg, ("repodata.json",))
    # conda is importable when only its configuration is broken: say which.
    version = conda_version() if findings else None
    report = run(
        targets, standalone_route, options, cfg, args, version, findings=findings
    )
    if findings and not names and not args.json:
        print(
            "give channel URLs (python -m conda_netcheck URL...) to check them "
            "with the environment only",
            file=sys.stderr,
        )
    return 0 if report.ok else 1
