"""One way to build a run: the configuration, the arguments and the settings in; options,
targets, findings and the diagnosis out.

`conda netcheck`, `python -m conda_netcheck`, `--fix` and its re-check, the
`conda doctor` checks and the last failure's replay all build their run
here, so that they write the same fixes (`--file`, the user's shell) with
the same timeouts for the same targets.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .config.netconfig import NetConfig
    from .config.settings import Settings
    from .failure.record import LastFailure
    from .failure.replay import LastFailureCheck
    from .model import Finding, Options, Report, RouteFactory, Target, TargetResult


@dataclasses.dataclass(frozen=True)
class Arguments:
    """What the caller asks of a run: the command line's, or a doctor check's."""

    names: tuple[str, ...] = ()  # channel names or URLs instead of the configured
    compare_upstream: str | None = None  # the alias of the public channels, if any
    timeout: float | None = None  # --timeout: beats the netcheck_timeout setting
    #: when neither --timeout nor the setting gives one; None: conda's, capped
    fallback_timeout: float | None = None
    try_direct: bool = True
    check_packages: bool = True
    package_bytes: int = 1024 * 1024
    extra_urls: bool = True  # check plugins.netcheck_extra_urls too

    @classmethod
    def from_namespace(cls, args: Any) -> Arguments:
        """The arguments of `conda netcheck` or `python -m conda_netcheck`."""
        return cls(
            names=tuple(getattr(args, "names", None) or ()),
            compare_upstream=getattr(args, "compare_upstream", None),
            timeout=args.timeout,
            try_direct=not args.no_direct,
            check_packages=not args.index_only,
            package_bytes=args.package_bytes,
        )


@dataclasses.dataclass
class Run:
    """Everything a diagnosis needs, built once and read by every caller."""

    arguments: Arguments
    cfg: NetConfig
    settings: Settings
    targets: list[Target]
    options: Options
    route_for: RouteFactory
    #: findings known before any probe: channels conda cannot turn into URLs
    unusable: list[Finding]
    conda_version: str | None
    #: the channels conda's files configure, when the run checks others (names)
    configured_channels: list[str] | None = None

    def findings(self) -> list[Finding]:
        """The findings of the configuration for these targets, unusable channels first."""
        from .config.checks import config_findings
        from .diagnosis.mirrors import defaults_bypass_mirror

        urls = [t.url for t in self.targets]
        return (
            list(self.unusable)
            + config_findings(self.cfg, urls)
            + defaults_bypass_mirror(self.targets)
        )

    def report(self) -> Report:
        """The report before the network is used: findings, versions, trust."""
        from . import __version__
        from .config.trust import effective_trust
        from .model import Report

        return Report(
            findings=self.findings(),
            conda_version=self.conda_version,
            netcheck_version=__version__,
            conda_config_read=self.cfg.conda,
            trust=effective_trust(self.cfg),
            conda_read_timeout=self.options.conda_read_timeout,
        )

    def diagnose(
        self,
        report: Report,
        on_result: Callable[[TargetResult], None] | None = None,
        recorded: LastFailure | None = None,
    ) -> Report:
        """Probe every target, and conda's recorded failure beside them under the same bound.

        The findings that depend on the results follow them.
        """
        from .diagnosis.findings import (
            with_broken_proxy_not_copied,
            with_expired_roots_in_use,
            with_verify_replaced,
        )
        from .diagnosis.runner import diagnose

        pending = None
        if recorded is not None:
            # Only with a failure to check: a healthy run does not load it.
            from .failure import replay

            pending = replay.Pending(
                recorded,
                self.route_for,
                self.options,
                self.configured_targets(),
                self.settings.package_bytes,
                on_result,
            )
        report.targets = diagnose(
            self.targets, self.route_for, self.options, on_result=on_result
        )
        if pending is not None:
            report.last_failure = pending.wait()
        report.findings = with_expired_roots_in_use(report.findings, report.targets)
        report.findings = with_verify_replaced(
            report.findings, report.targets, self.options
        )
        report.findings = with_broken_proxy_not_copied(report.findings, report.targets)
        return report

    def configured_targets(self) -> list[Target]:
        """Where a recorded failure may be: this run's targets and the configured channels."""
        if self.configured_channels is None:
            return self.targets
        from .config.targets import conda_targets

        return self.targets + conda_targets(None, None, [], self.configured_channels)

    def recorded_failure(self) -> LastFailure | None:
        """conda's recorded failure, if recent enough to be shown (plugins.netcheck_last_failure_hours)."""
        from .failure.watch import record_path

        path = record_path()
        # Usually there is no record: one stat, and the reading module stays unloaded.
        try:
            if not path.exists():
                return None
        except OSError:
            return None
        from .failure import record

        return record.load(path, max_age=self.settings.last_failure_hours * 3600)

    def replay(self, failure: LastFailure) -> LastFailureCheck:
        """Check the URL of conda's recorded failure with this run's options and routes."""
        from .failure import replay

        return replay.check(
            failure,
            self.route_for,
            self.options,
            self.configured_targets(),
            self.settings.package_bytes,
        )


def from_conda(arguments: Arguments) -> Run:
    """A run over conda's context as it is now (call again after reset_context)."""
    from conda.base.context import context

    from .config.routes import conda_routes, warm_conda_sessions

    # Offline, no session is made; else the User-Agent is looked up meanwhile.
    ready = None if context.offline else warm_conda_sessions()
    from .config.netconfig import from_conda as read_conda
    from .config.settings import current
    from .config.targets import conda_targets, repodata_filenames

    settings = current()
    cfg = read_conda()
    names = list(arguments.names)
    configured = list(cfg.channels) if names else None
    if names:  # explicit targets: the configured channel list does not matter
        cfg.channels = names
    unusable: list[Finding] = []
    targets = conda_targets(
        names or None, arguments.compare_upstream, unusable, cfg.channels
    )
    if not names and arguments.extra_urls:
        targets += extra_targets(settings.extra_urls, tuple(context.subdirs))
    options = options_for(
        cfg,
        arguments,
        settings,
        repodata_filenames(),
        offline=bool(context.offline),
        tar_bz2_only=bool(context.use_only_tar_bz2),
    )
    return Run(
        arguments,
        cfg,
        settings,
        targets,
        options,
        conda_routes(ready),
        unusable,
        conda_version(),
        configured,
    )


def from_environment(arguments: Arguments, findings: Sequence[Finding] = ()) -> Run:
    """A run with the environment only (no conda, or a conda that cannot load its files)."""
    from .config.netconfig import from_environment as read_environment
    from .config.routes import standalone_route
    from .config.settings import Settings
    from .config.targets import native_subdir, urls_targets

    cfg = read_environment()
    settings = Settings()  # plugin settings live in conda's files: not read here
    targets = urls_targets(arguments.names, (native_subdir(), "noarch"))
    options = options_for(cfg, arguments, settings, ("repodata.json",))
    # conda is importable when only its configuration is broken: say which.
    version = conda_version() if findings else None
    return Run(
        arguments,
        cfg,
        settings,
        targets,
        options,
        standalone_route,
        list(findings),
        version,
    )


def reread_conda(args: Any, search_path: Sequence[Any] | None = None) -> None:
    """Read conda's files again (a fix edited them), as the next conda command will.

    `search_path`: the files to read instead of conda's usual places (a fix
    being proven reads a scratch copy; restoring reads the user's again).
    """
    from conda.base.constants import SEARCH_PATH
    from conda.base.context import context, reset_context
    from conda.gateways.connection.session import CondaSession, get_session

    reset_context(
        search_path=SEARCH_PATH if search_path is None else search_path,
        argparse_args=args,
    )
    # conda caches its sessions (and their proxies and ssl_verify) per URL.
    get_session.cache_clear()
    CondaSession.cache_clear()
    # context.plugins is computed once and survives the reset (conda 24.11
    # also unregisters the settings it reads): read them again from the files,
    # or netcheck_timeout and netcheck_extra_urls silently go.
    context.__dict__.pop("plugins", None)


def options_for(
    cfg: NetConfig,
    arguments: Arguments,
    settings: Settings,
    filenames: tuple[str, ...],
    offline: bool = False,
    tar_bz2_only: bool = False,
) -> Options:
    """Per-phase timeouts (--timeout, the netcheck_timeout setting, else conda's capped) and the fixes' commands."""
    from .config.commands import for_config
    from .model import MAX_CONNECT_TIMEOUT, MAX_READ_TIMEOUT, Options

    timeout = arguments.timeout or settings.timeout or arguments.fallback_timeout
    if timeout:
        connect = read = timeout
    else:
        connect = min(cfg.connect_timeout, MAX_CONNECT_TIMEOUT)
        read = min(cfg.read_timeout, MAX_READ_TIMEOUT)
    return Options(
        commands=for_config(cfg),
        connect_timeout=connect,
        read_timeout=read,
        filenames=filenames,
        offline=offline,
        try_direct=arguments.try_direct,
        compare_upstream=bool(arguments.compare_upstream),
        conda_read_timeout=cfg.read_timeout,
        check_packages=arguments.check_packages,
        package_bytes=arguments.package_bytes,
        client_connect_timeout=cfg.connect_timeout,
        tar_bz2_only=tar_bz2_only,
    )


def extra_targets(urls: Sequence[str], subdirs: tuple[str, ...]) -> list[Target]:
    """Targets for the plugins.netcheck_extra_urls setting."""
    from .config.targets import urls_targets

    return [
        dataclasses.replace(t, source="plugins.netcheck_extra_urls")
        for t in urls_targets(urls, subdirs)
    ]


def conda_version() -> str | None:
    """conda's version, or None without conda."""
    try:
        from conda import __version__ as version
    except ImportError:
        return None
    return version
