"""`conda netcheck`'s arguments: the small module conda imports on every command.

conda builds every plugin's parser whichever command it runs (`conda search`
too), so this module imports nothing of the package beyond the time limits;
the run itself is in `cli`.
"""

from __future__ import annotations

import argparse

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
