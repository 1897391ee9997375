"""`conda netcheck` (and `python -m conda_netcheck`): collect targets, diagnose, render.

The arguments are in `parser` (conda imports it on every command).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from typing import TYPE_CHECKING, Callable

from . import __version__
from .parser import configure_parser

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .config.netconfig import NetConfig
    from .failure.record import LastFailure
    from .model import Report
    from .run import Run


def execute(args: argparse.Namespace) -> int:
    """The `conda netcheck` action: read conda's context, check, print."""
    freeze_startup()
    return guarded(_execute, args)


#: Whether a run in this process froze the objects before it (freeze_startup).
_froze = False


def freeze_startup() -> None:
    """Keep the garbage collector off the objects made before the run, to the process's end.

    A run makes enough objects for CPython to collect its oldest generation
    once, which would walk every object conda's startup made too (about 15
    ms on two channels), and the interpreter's exit collects them all again
    after the command (50 to 100 ms). conda's process ends after the command,
    so they stay frozen; what the run makes is collected as usual. A later
    run in the same process (conda's own test fixtures call its main
    repeatedly) first hands them back and collects them, so that no garbage
    stays frozen past the next run.
    """
    global _froze
    if _froze:
        gc.unfreeze()
        gc.collect()
    gc.freeze()
    _froze = True


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

    from .fix.fixers import apply_fixes
    from .fix.proof import proven_fixes
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

    # Only changes proven on a scratch copy are applied; the others say why not.
    fixes, reasons = proven_fixes(built, report)
    status = apply_fixes(
        fixes, confirm, recheck=recheck, out=out, left=left(report), reasons=reasons
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
    if report.findings or any(r.problem or r.warnings for r in report.targets):
        # Only what can carry a fix is proven: a clean report loads no prover.
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
