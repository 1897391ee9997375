"""conda plugin hooks; everything heavy is imported inside the hooks (conda imports this on every command)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from conda import plugins

if TYPE_CHECKING:
    from collections.abc import Iterable

    from conda.plugins.types import (
        CondaExceptionObserver,
        CondaHealthCheck,
        CondaPostCommand,
        CondaSetting,
        CondaSubcommand,
    )


@plugins.hookimpl
def conda_subcommands() -> Iterable[CondaSubcommand]:
    """Register `conda netcheck`."""
    from conda.plugins.types import CondaSubcommand

    yield CondaSubcommand(
        name="netcheck",
        summary="Diagnose why conda cannot reach its channels, layer by layer.",
        action=_execute,
        configure_parser=_configure_parser,
    )


# conda calls conda_subcommands on every command: import cli only when
# `conda netcheck` is actually parsed or run.
def _configure_parser(parser):
    from .cli import configure_parser

    configure_parser(parser)


def _execute(args):
    from .cli import execute

    return execute(args)


@plugins.hookimpl
def conda_health_checks() -> Iterable[CondaHealthCheck]:
    """Register the `conda doctor` checks."""
    from .health_checks import health_checks

    yield from health_checks()


# optionalhook: conda < 26.7 has no such hookspec, and pluggy must not reject it.
@plugins.hookimpl(optionalhook=True)
def conda_error_hints(error):
    """Point network errors at `conda netcheck`, with any cause found offline."""
    from .failure.hints import error_hints

    yield from error_hints(error)


@plugins.hookimpl(optionalhook=True)
def conda_settings() -> Iterable[CondaSetting]:
    """netcheck's settings under `plugins:` (timeout, package bytes, extra URLs, memory)."""
    from .config.settings import conda_settings as settings

    yield from settings()


# optionalhook: conda < 26.7 has no exception observers; there nothing is recorded.
@plugins.hookimpl(optionalhook=True)
def conda_exception_observers() -> Iterable[CondaExceptionObserver]:
    """Remember conda's last network failure for `conda netcheck`."""
    from conda.plugins.types import CondaExceptionObserver

    from .failure.watch import WATCH_FOR

    yield CondaExceptionObserver(
        name="netcheck-last-failure", hook=_observe, watch_for=set(WATCH_FOR)
    )


def _observe(event) -> None:
    # A name in watch_for is not yet a network failure (a CondaMultiError of
    # solver errors): filter before importing the recording module.
    from .failure.watch import network_leaf

    if network_leaf(event.exc_value) is None:
        return
    from .failure.record import observe

    observe(event)


# conda >= 23.7 has post-command hooks (both supported releases); optionalhook
# all the same, as for the other hooks conda may lack.
@plugins.hookimpl(optionalhook=True)
def conda_post_commands() -> Iterable[CondaPostCommand]:
    """Clear the recorded failure once a command that fetches from its channel works."""
    from conda.plugins.types import CondaPostCommand

    from .failure.watch import INDEX_COMMANDS

    yield CondaPostCommand(
        name="netcheck-clear-last-failure",
        action=_resolved,
        run_for=set(INDEX_COMMANDS),
    )


def _resolved(command: str) -> None:
    # After every successful fetching command: usually there is no record,
    # and one stat is all this costs.
    from .failure.watch import record_path

    try:
        if not record_path().exists():
            return
    except OSError:
        return
    from .failure.record import resolved

    resolved(command)
