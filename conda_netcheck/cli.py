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
    from .failure.record import LastFailure
    from .model import Report
    from .run import Run

DESCRIPTION = (
    "Check every channel URL conda would use, layer by layer (DNS, TCP, proxy, "
    "TLS, HTTP, content), name the first broken layer and give the exact fix. "
    "Exit status: 0 all reachable, 1 something fails, 3 nothing fails but a "
    "target did not answer within netcheck's wait while conda would still wait "
    "(check again with --timeout 60)."
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
    from .run import Arguments, from_conda

    if args.forget:
        return forget(args)
    built = from_conda(Arguments.from_namespace(args))
    report = run(built, args, recorded=built.recorded_failure())
    if args.fix:
        return fix_and_recheck(report, built, args)
    return report.exit_status


def forget(args: argparse.Namespace) -> int:
    """`conda netcheck --forget`: delete the recorded failure."""
    from .failure import record as lastfailure

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


def fix_and_recheck(report: Report, built: Run, args: argparse.Namespace) -> int:
    """`conda netcheck --fix`: the doctor fixes, then the whole check once more."""
    from conda.base.context import context

    from .fix.fixers import apply_fixes, declined, plan_fixes
    from .health_checks.network_config import recheck
    from .output import render, text
    from .run import from_conda, reread_conda

    try:
        from conda.reporters import confirm_yn
    except ImportError:  # conda < 25
        from conda.cli.common import confirm_yn

    def confirm(message: str) -> bool:
        return confirm_yn(message, default="no", dry_run=context.dry_run)

    stream = sys.stderr if args.json else sys.stdout  # keep --json's stdout clean

    def out(line: str) -> None:
        print(line, file=stream)

    from .fix.proof import prove_fixes

    # Only changes proven on a scratch copy are applied; the others say why not.
    fixes, unproven = prove_fixes(built, report, plan_fixes(built.cfg, report))
    status = apply_fixes(
        fixes,
        confirm,
        recheck=recheck,
        out=out,
        left=left(report),
        reasons=declined(report) + unproven,
    )
    if context.dry_run or not any(f.change for f in fixes):
        return status or report.exit_status
    # The same run, built again from the edited files: findings and extra URLs too.
    reread_conda(args)
    rebuilt = from_conda(built.arguments)
    again = rebuilt.diagnose(rebuilt.report())
    out(f"After the fixes: {render.verdict(again)}")
    if not again.ok:  # what is left, each with its fix
        out("\n".join(text.body_lines(again)[:-1]))
    return status or again.exit_status


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


def run(
    built: Run,
    args: argparse.Namespace,
    recorded: LastFailure | None = None,
) -> Report:
    """Diagnose and print: the same text on a terminal and in a pipe, or one document.

    conda's recorded failure, when there is one, is checked again beside the
    channels, under the same bound, and counted on the live line.
    """
    from .output import render, text

    targets = built.targets
    report = built.report()
    verbose = bool(args.netcheck_verbose)
    # With --json or --allowlist, stdout carries only that document.
    quiet = args.json or args.allowlist
    if not quiet:
        print(
            "\n".join(text.header_lines(report, [t.url for t in targets])), flush=True
        )
    live = text.LiveLine(0 if quiet else len(targets) + (recorded is not None))
    try:
        built.diagnose(report, on_result=live.update, recorded=recorded)
    finally:
        live.clear()
    from .fix.proof import prove_report

    prove_report(built, report)
    if args.report:
        write_report(report, built.cfg, args.report)
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
    from .config.netconfig import anaconda_config_path
    from .config.secrets import register_all
    from .run import Arguments, from_environment

    register_all(toml=anaconda_config_path())
    names = getattr(args, "names", None) or []
    if not names and not findings:
        parser.error("without conda, give the channel URLs to check")
    built = from_environment(Arguments.from_namespace(args), findings or ())
    report = run(built, args)
    if findings and not names and not args.json:
        print(
            "give channel URLs (python -m conda_netcheck URL...) to check them "
            "with the environment only",
            file=sys.stderr,
        )
    return report.exit_status
