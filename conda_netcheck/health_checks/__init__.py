"""`conda doctor` checks, one module each; built for the conda release at hand."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

    from conda.plugins.types import CondaHealthCheck


def health_checks() -> Iterator[CondaHealthCheck]:
    """One CondaHealthCheck per module, with summary/fix where conda supports them."""
    from conda.plugins.types import CondaHealthCheck

    from . import channel_reachability, network_config, network_last_failure

    # `summary` and `fixer`/`fix` arrived in conda 26.1; older conda takes
    # only name and action, and would raise TypeError on the others.
    if dataclasses.is_dataclass(CondaHealthCheck):
        supported = {f.name for f in dataclasses.fields(CondaHealthCheck)}
    else:  # conda < 26.1: NamedTuple(name, action)
        supported = set(CondaHealthCheck._fields)
    modules = [network_config, channel_reachability]
    if _has_exception_observers():  # conda >= 26.7 records failures
        modules.append(network_last_failure)
    for module in modules:
        fields = {
            "name": module.NAME,
            "action": module.check,
            "summary": module.SUMMARY,
            "fixer": getattr(module, "fix", None),
            "fix": getattr(module, "FIX", None),
        }
        yield CondaHealthCheck(
            **{k: v for k, v in fields.items() if k in supported and v is not None}
        )


def _has_exception_observers() -> bool:
    import conda.plugins.types as types

    return hasattr(types, "CondaExceptionObserver")
