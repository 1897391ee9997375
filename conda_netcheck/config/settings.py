"""netcheck's own settings, as conda plugin settings (`plugins:` in .condarc, CONDA_PLUGINS_*)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

#: Names are global among conda's plugins: all of netcheck's start with this.
PREFIX = "netcheck_"


@dataclass(frozen=True)
class Setting:
    """One setting: its name (without the prefix), default and description."""

    name: str
    default: Any
    description: str

    @property
    def key(self) -> str:
        """The name conda knows it by."""
        return PREFIX + self.name


SETTINGS = (
    Setting(
        "timeout",
        0.0,
        "Seconds per phase (connect, read) for `conda netcheck` and the doctor "
        "checks; 0 means conda's own timeouts capped at 5 s connect and 10 s read.",
    ),
    Setting(
        "package_bytes",
        4096,
        "Most bytes read from a package URL when netcheck checks conda's last "
        "failed download again (enough to tell a package from a block page).",
    ),
    Setting(
        "extra_urls",
        (),
        "URLs checked with every `conda netcheck` run besides the channels, "
        "e.g. an internal mirror that is not in `channels`.",
    ),
    Setting(
        "remember_failures",
        True,
        "Record conda's last network failure (redacted) so that `conda netcheck` "
        "starts from it.",
    ),
    Setting(
        "last_failure_hours",
        24.0,
        "How long a recorded failure is shown by `conda netcheck` and `conda doctor`.",
    ),
)


@dataclass(frozen=True)
class Settings:
    """The values in effect."""

    timeout: float = 0.0
    package_bytes: int = 4096
    extra_urls: tuple[str, ...] = ()
    remember_failures: bool = True
    last_failure_hours: float = 24.0


def conda_settings() -> Iterator[Any]:
    """The CondaSetting records for conda's `conda_settings` hook."""
    from conda.common.configuration import PrimitiveParameter, SequenceParameter
    from conda.plugins.types import CondaSetting

    for setting in SETTINGS:
        if isinstance(setting.default, tuple):
            parameter = SequenceParameter(PrimitiveParameter("", element_type=str))
        elif isinstance(setting.default, float):
            # YAML reads "5" as an int: accept both for seconds and hours.
            parameter = PrimitiveParameter(setting.default, element_type=(float, int))
        else:
            parameter = PrimitiveParameter(setting.default)
        yield CondaSetting(
            name=setting.key, description=setting.description, parameter=parameter
        )


def current() -> Settings:
    """The settings conda resolved (files, CONDA_PLUGINS_* variables), else the defaults."""
    try:
        from conda.base.context import context

        plugins = context.plugins
        values = {s.name: getattr(plugins, s.key) for s in SETTINGS}
    except Exception:  # no conda, a conda without plugin settings, or an invalid value
        return Settings()
    return Settings(
        timeout=float(values["timeout"] or 0.0),
        package_bytes=max(1, int(values["package_bytes"])),
        extra_urls=tuple(u for u in values["extra_urls"] or () if u),
        remember_failures=bool(values["remember_failures"]),
        last_failure_hours=float(values["last_failure_hours"]),
    )
