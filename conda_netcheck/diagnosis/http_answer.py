"""The HTTP and content explainer: what a server's answer means for conda.

A refusal says which credential was sent and what the server said; a 404
looks for the channel nearby on the same server; a repodata.json that lists
only .tar.bz2 packages, or is a day behind its upstream, is a warning.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from ..model import Code, Layer, Problem
from . import advice, mirrors

if TYPE_CHECKING:
    from ..config.commands import Commands
    from ..model import Options, Route, Target
    from ..probes.content import Content
    from ..probes.http import HttpResult

#: GET a URL through its own route: the answer when it is a usable 2xx, else None.
GetOk = Callable[[str, str], "HttpResult | None"]


def explain_status(
    target: Target,
    route: Route,
    answer: HttpResult,
    filename: str,
    get_ok: GetOk,
    commands: Commands,
) -> Problem:
    """A non-2xx answer: by status, then what the server and the channel tell more."""
    problem = advice.status_problem(answer, filename, route)
    status = answer.status or 0
    if status in (401, 403, 429) and problem.layer is Layer.HTTP:
        return explain_refusal(target, route, answer, problem, commands)
    if status == 404 and problem.code is Code.HTTP_NOT_FOUND:
        return look_nearby(target, filename, problem, get_ok)
    return problem


def explain_refusal(
    target: Target,
    route: Route,
    answer: HttpResult,
    problem: Problem,
    commands: Commands,
) -> Problem:
    """What conda sent, what the server said, and the fix written with the run's commands."""
    # Only a refusal reads what the server said: a healthy run does not load it.
    from . import refusals

    reason = refusals.server_reason(answer.head, answer.headers.get("Content-Type", ""))
    sent = route.credentials(target.url) if route.credentials else []
    status = answer.status or 0
    if status == 429:
        fix = refusals.tos_or_rate_fix(
            status, reason, answer.headers.get("Retry-After"), channel=target.channel
        )
        said = f'; the server says: "{reason}"' if reason else ""
        return problem.amended(more=said, fix=fix)
    suffix, fix = refusals.advice_for_status(
        status, target.host, sent, reason, commands, channel=target.channel
    )
    return problem.amended(
        more=suffix, fix=fix, credentials=tuple(c.describe() for c in sent)
    )


def look_nearby(
    target: Target, filename: str, problem: Problem, get_ok: GetOk
) -> Problem:
    """After a 404, is the channel elsewhere on this server, or only this subdir missing?"""
    channel_url, subdir = target.url.rstrip("/").rsplit("/", 1)
    other = "noarch" if subdir != "noarch" else None
    if other and get_ok(f"{channel_url}/{other}/{filename}", filename):
        return problem.amended(
            more=f"; the channel exists there but has no {subdir}",
            missing_subdir=subdir,
        )
    if subdir == "noarch":
        problem = problem.amended(
            more="; a channel without noarch is incomplete (conda needs it)"
        )
    for candidate in mirrors.nearby_channels(channel_url)[:4]:
        if get_ok(f"{candidate}/{subdir}/{filename}", filename):
            # The catalogue writes the fix: the lines that replace the entry.
            return problem.amended(
                more=f"; this server has the channel at {candidate}",
                nearby=candidate,
            )
    return problem


def package_formats(
    route: Route, answer: HttpResult, options: Options
) -> Problem | None:
    """A mirror that lists only .tar.bz2 packages: read the last 4 KiB only.

    repodata.json keeps "packages.conda" after "packages", so its tail shows
    an empty "packages.conda" without downloading the file.
    """
    from ..probes import http

    if not mirrors.lists_packages(answer.head):
        return None
    tail = http.get(
        route.session,
        answer.final_url or answer.url,
        options.connect_timeout,
        options.read_timeout,
        extra_headers={"Range": f"bytes=-{http.MAX_BYTES}"},
    )
    if tail.status != 206 or not mirrors.no_conda_packages(tail.head):
        return None
    return Problem(
        Code.TAR_BZ2_ONLY,
        Layer.CONTENT,
        "this channel lists only .tar.bz2 packages (its packages.conda is "
        "empty): a mirror that drops the .conda format",
    )


def compare_upstream(
    upstream: str, filename: str, answer: HttpResult, get_ok: GetOk
) -> tuple[str, Problem | None]:
    """A note on the mirror's age, and a warning when it is more than a day behind."""
    theirs = get_ok(f"{upstream.rstrip('/')}/{filename}", filename)
    if theirs is None:
        return f"upstream {upstream}: not reachable, not compared", None
    behind = mirrors.behind_seconds(answer.headers, theirs.headers)
    if behind is None:
        return f"upstream {upstream}: no Last-Modified to compare", None
    note = f"upstream {upstream}: mirror behind by {behind:.0f} s"
    if behind <= mirrors.STALE_SECONDS:
        return note, None
    from ..evidence import Details

    return note, Problem(
        Code.MIRROR_BEHIND,
        Layer.CONTENT,
        f"this mirror's {filename} is {behind / 86400:.1f} days older than the "
        f"upstream's ({upstream})",
        details=Details(behind_seconds=round(behind), upstream=upstream),
    )


def content_problem(found: Content) -> Problem | None:
    """An answer that cannot start repodata: a login page, a portal, another type."""
    if found.fits:
        return None
    from ..evidence import Details

    if found.empty:
        return Problem(
            Code.INDEX_EMPTY,
            Layer.CONTENT,
            f"the server answered {found.filename} with an empty body (no bytes, or "
            f"only whitespace), not {found.expected}",
            details=Details(content_type=found.content_type or None, received=0),
        )
    if found.html:
        what = f"an HTML page titled {found.title!r}" if found.title else "an HTML page"
        return Problem(
            Code.NOT_A_CHANNEL,
            Layer.CONTENT,
            f"the server answered {found.filename} with {what}, not {found.expected} "
            "(a captive portal, a login page or a web server that is not a conda channel)",
            details=Details(
                content_type=found.content_type, title=found.title, html=True
            ),
        )
    kind = found.content_type or "unknown content type"
    return Problem(
        Code.NOT_A_CHANNEL,
        Layer.CONTENT,
        f"the server answered {found.filename} with {kind}, not {found.expected}",
        details=Details(content_type=found.content_type),
    )
