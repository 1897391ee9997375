"""A fix is proven before it is printed: tried on a scratch copy of conda's configuration.

Each printed fix whose lines carry their edits (fixtext.Line) is applied to a
copy, never to the user's files: the condarc files it edits are copied into a
temporary directory and edited there with the same planner the fixers use; a
bundle is written there instead of the printed path (and the scratch
ssl_verify points at it); variables are set in os.environ and restored
after. conda's context is then rebuilt over the same files with the copies
in their place, a run is built with run.from_conda (the one builder) and every
configured channel is diagnosed again (the index only), within the run's
bound. conda's context and os.environ are always restored, even on error.

The outcome is a `checked` flag and a proof sentence per fix: a fix that
would break a channel that works now is not printed as is (the conflict is
said instead), and a fix that needs what netcheck cannot have (a password, a
root certificate not saved yet) is unchecked and says so.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from ..codes import Layer, Status
from ..config.commands import PLACEHOLDERS
from ..config.setting_file import search_rank
from ..fixtext import (
    Fix,
    FixLines,
    ListEdit,
    RemoveKey,
    SaveCertificate,
    SetKey,
    SetVariable,
    UnsetVariable,
    WriteBundle,
    edit_of,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from ..fixtext import Edit
    from ..model import (
        Finding,
        Options,
        Problem,
        Report,
        Route,
        Target,
        TargetResult,
    )
    from ..run import Run
    from .fixers import Fix as Fixer

#: The names conda reads as a condarc file (any other file needs a YAML suffix).
_CONDARC_NAMES = (".condarc", "condarc", ".condarc.yml", ".condarc.yaml")


class Unprovable(Exception):
    """The edit cannot be made on a copy (a part of a bundle is missing)."""


@dataclass(frozen=True)
class Outcome:
    """What trying one fix showed."""

    checked: bool
    proof: str
    #: the channel it would break, which works now (then it is not printed as is)
    breaks: str | None = None
    #: with it, a channel that fails now passes (a conflict that also mends)
    mends: bool = False


def prove_report(run: Run, report: Report) -> Report:
    """Try every printed fix of `report` on a scratch copy; mark each with its outcome.

    The report's `proof_seconds` says how long that took (0 when nothing
    had a fix to try).
    """
    pending = _distinct(_all_lines(report))
    if not pending or not run.cfg.conda:
        # Nothing to try, or no conda configuration to try it on.
        report.proof_seconds = 0.0
        return report
    start = time.monotonic()
    prover = _Prover(run, report)
    outcomes = {key: prover.prove(lines) for key, lines in pending.items()}
    instead = {
        key: _instead(prover, report, key, outcome)
        for key, outcome in outcomes.items()
        if outcome.breaks
    }
    report.targets = [
        _marked_result(r, outcomes, {k: v for k, v in instead.items() if v})
        for r in report.targets
    ]
    report.findings = [_marked_finding(f, outcomes) for f in report.findings]
    report.proof_seconds = round(time.monotonic() - start, 2)
    return report


def proven_fixes(run: Run, report: Report) -> tuple[list[Fixer], list[str]]:
    """What `--fix` may apply for this run, proven; and why it declines the rest.

    `conda netcheck --fix` and `conda doctor --fix network-config` both plan
    here, so they offer the same changes for the same reasons.
    """
    from .fixers import declined, plan_fixes

    fixes, unproven = prove_fixes(run, report, plan_fixes(run.cfg, report))
    return fixes, declined(report, fixes) + unproven


def prove_fixes(
    run: Run, report: Report, fixes: list[Fixer]
) -> tuple[list[Fixer], list[str]]:
    """The --fix changes proven on a scratch copy, and why each other one is declined.

    A condarc change is tried as it would be written; a line for the shell
    is not applied by --fix, so it is kept as it is.
    """
    prover = _Prover(run, report)
    proven: list[Fixer] = []
    declined: list[str] = []
    for fixer in fixes:
        if fixer.change is None or fixer.error:
            proven.append(fixer)
            continue
        outcome = prover.prove_change(fixer)
        if outcome.checked:
            proven.append(fixer)
        else:
            declined.append(f"{fixer.description}: not applied, {outcome.proof}")
    return proven, declined


class _Prover:
    """Proves fixes for one run: what works now, the budget, the scratch runs."""

    def __init__(self, run: Run, report: Report) -> None:
        self.run = run
        self.report = report
        self.deadline = time.monotonic() + run.options.deadline
        self._before: dict[str, Status] | None = None
        self._known: Known | None = None

    def prove(self, lines: FixLines) -> Outcome:
        """Try one fix's lines on a copy and judge the run that follows."""
        missing = _missing(lines.needs)
        if missing:
            return Outcome(False, f"unchecked: needs {', '.join(missing)} from you")
        edits = lines.edits
        if edits is None:
            step = next(n for n, line in enumerate(lines.lines, 1) if not edit_of(line))
            what = "it" if len(lines.lines) == 1 else f"step {step}"
            return Outcome(False, f"unchecked: {what} cannot be tried on a copy")
        ruled_out = self.ruled_out()
        if ruled_out:
            return Outcome(False, f"unchecked: {ruled_out}")
        if time.monotonic() > self.deadline:
            return Outcome(False, "unchecked: no time was left to try it")
        try:
            known = self.known()
            after = with_edits(edits, lambda: _diagnose(self.run, self._names(), known))
        except Unprovable as exc:
            return Outcome(False, f"unchecked: {exc}")
        except Exception as exc:  # the fix is printed unchecked, never a traceback
            return _failed(exc)
        own = _own(self.report, lines)
        return judge(after, self.report, self.before(), own, edits)

    def prove_change(self, fixer: Fixer) -> Outcome:
        """Try one --fix condarc change on a copy: proven when it breaks nothing."""
        change = fixer.change
        assert change is not None
        # Offline mode does not stop this proof: --fix was asked to change the
        # configuration and checks the channels again afterwards anyway.
        if time.monotonic() > self.deadline:
            return Outcome(False, "unchecked: no time was left to try it")
        try:
            known = self.known()
            after = with_scratch(
                lambda scratch: scratch.write(change.path, change.new_text),
                lambda: _diagnose(self.run, self._names(), known),
            )
        except Unprovable as exc:
            return Outcome(False, f"unchecked: {exc}")
        except Exception as exc:  # declined, never a traceback
            return _failed(exc)
        what = f"{fixer.key or fixer.check} changed"
        outcome = _conflict(after, self.before(), what, self.report.findings)
        # A change for a setting no channel uses now (a latent mistake) fixes
        # nothing that fails: breaking nothing is its proof.
        return outcome or _passes(after, _failing(after))

    def ruled_out(self) -> str | None:
        """Why trying any fix would send what the user ruled out, or None."""
        if self.run.options.offline:
            # The copy would turn offline mode off or keep it: either way the
            # proof would use the network the user asked conda not to use.
            return "offline mode is on, so netcheck sends nothing to try it"
        return None

    def known(self) -> Known:
        """This run's results by what each fetch depended on (read before any copy is made)."""
        if self._known is None:
            self._known = Known()
            for result in self.report.targets:
                try:
                    route = self.run.route_for(result.target.url)
                except Exception:  # conda could not build a session: nothing to reuse
                    continue
                self._known.add(result, route, self.run.options)
        return self._known

    def before(self) -> dict[str, Status]:
        """Each channel URL's status now: this run's, and the configured channels it left out."""
        if self._before is None:
            before = _statuses(self.report.targets)
            if self.run.configured_channels:
                # `netcheck NAME`: the other configured channels may rely on
                # what the fix changes; see how they do now.
                now = _diagnose(self.run, tuple(self.run.configured_channels))
                before = {**_statuses(now.targets), **before}
            self._before = before
        return self._before

    def _names(self) -> tuple[str, ...]:
        names = tuple(self.run.arguments.names)
        if not names:
            return ()  # the configured channels (and the extra URLs)
        return tuple(dict.fromkeys(names + tuple(self.run.configured_channels or ())))


def _failed(exc: Exception) -> Outcome:
    return Outcome(
        False, f"unchecked: trying it on a copy failed ({type(exc).__name__})"
    )


def judge(
    after: Report,
    report: Report,
    before: dict[str, Status],
    own: tuple[set[tuple[str, str]], set[tuple[str, str, str]]],
    edits: Sequence[Edit],
) -> Outcome:
    """The outcome of a run on the copy: it breaks a working channel, fixes nothing, or passes."""
    failing = _failing(after)
    conflict = _conflict(after, before, describe(edits), report.findings)
    if conflict is not None:
        return conflict
    problems, findings = own
    # The channel's problem this fix is for, found again (another failure
    # of the same channel is left over, said as such by _passes).
    again = {
        (r.target.channel_url, r.problem.code.value)
        for r in after.targets
        if r.status is Status.ERROR and r.problem is not None
    }
    still = list(dict.fromkeys(u for u, code in problems if (u, code) in again))
    left = [
        f"{f.check}: {f.code.value}"
        for f in after.findings
        if f.status is Status.ERROR or _finding_key(f) in findings
    ]
    if still or any(_finding_key(f) in findings for f in after.findings):
        what = f"{still[0]} still fails: {failing[still[0]]}" if still else left[0]
        return Outcome(False, f"tried on a copy, it does not fix this: {what}")
    return _passes(after, failing)


def _failing(after: Report) -> dict[str, str]:
    """Each failing channel URL of a run, with its first code."""
    failing: dict[str, str] = {}
    for result in after.targets:
        if result.status is Status.ERROR and result.problem is not None:
            failing.setdefault(result.target.channel_url, result.problem.code.value)
    return failing


def _conflict(
    after: Report, before: dict[str, Status], what: str, findings: list[Finding]
) -> Outcome | None:
    """The channel that works now and fails on the copy, or a new configuration error."""
    failing = _failing(after)
    mends = any(
        status is Status.ERROR and url not in failing for url, status in before.items()
    )
    for url, code in failing.items():
        if before.get(url) not in (None, Status.ERROR):
            return Outcome(
                False,
                f"conflict: with {what}, {url}, which works now, fails: {code}",
                breaks=f"{url}, which works now ({code})",
                mends=mends,
            )
    errors = {(f.check, f.code) for f in findings if f.status is Status.ERROR}
    for finding in after.findings:
        if (
            finding.status is Status.ERROR
            and (finding.check, finding.code) not in errors
        ):
            where = f"{finding.check}: {finding.code.value}"
            return Outcome(
                False,
                f"conflict: with {what}, {where}",
                breaks=f"the configuration ({where})",
            )
    return None


def _passes(after: Report, failing: dict[str, str]) -> Outcome:
    """Proven: every channel passes, or only what fails for another reason is left."""
    left = [
        f"{f.check}: {f.code.value}" for f in after.findings if f.status is Status.ERROR
    ]
    others = [f"{u} still fails: {c}" for u, c in failing.items()] + [
        f"{item} still fails" for item in left
    ]
    if others:
        shown = "; ".join(others[:2])
        if len(others) > 2:
            shown += f"; and {len(others) - 2} more"
        return Outcome(True, f"checked: fixes this; {shown}")
    channels = {r.target.channel_url for r in after.targets}
    count = len(channels)
    every = "the channel passes" if count == 1 else f"all {count} channels pass"
    return Outcome(True, f"checked: with it {every}")


def describe(edits: Iterable[Edit]) -> str:
    """The edits in words, for a conflict: 'ssl_verify: truststore'."""
    words = []
    for edit in edits:
        if isinstance(edit, SetKey):
            words.append(f"{edit.key}: {edit.value}")
        elif isinstance(edit, RemoveKey):
            words.append(f"{edit.key} removed")
        elif isinstance(edit, ListEdit):
            words.append(f"{edit.key}: {edit.verb} {edit.value}")
        elif isinstance(edit, WriteBundle):
            words.append(f"{edit.target} from {' + '.join(edit.parts)}")
        elif isinstance(edit, SaveCertificate):
            words.append(f"{edit.file} from {edit.url}")
        elif isinstance(edit, SetVariable):
            words.append(f"{edit.name}={edit.value}")
        else:
            words.append(f"{edit.name} unset")
    return ", ".join(words)


# -- the scratch copy ------------------------------------------------------------


def with_edits(edits: Sequence[Edit], action: Callable[[], Any]) -> Any:
    """Call `action` with conda's context read from a scratch copy carrying `edits`."""

    def prepare(scratch: Scratch) -> None:
        for edit in edits:
            scratch.apply(edit)

    return with_scratch(prepare, action)


def with_scratch(prepare: Callable[[Scratch], None], action: Callable[[], Any]) -> Any:
    """Call `action` with conda's context read from a scratch copy that `prepare` edits.

    The user's files are only read; conda's context and os.environ are as
    they were afterwards, whatever `action` does.
    """
    from conda.base.context import context

    from ..run import reread_conda

    arguments = context._argparse_args
    read = list(context._search_path)
    environ = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="netcheck-proof-") as directory:
        scratch = Scratch(Path(directory), read)
        prepare(scratch)
        try:
            scratch.export()
            reread_conda(arguments, scratch.search_path())
            return action()
        finally:
            os.environ.clear()
            os.environ.update(environ)
            reread_conda(arguments, read)


class Scratch:
    """Copies of the condarc files the edits change, the bundles they write, their variables."""

    def __init__(self, directory: Path, read: Sequence[Path]) -> None:
        self.directory = directory
        self.read = [Path(p) for p in read]  # the files conda reads now, in order
        self.copies: dict[Path, Path] = {}  # the user's file -> its copy
        self.bundles: dict[str, str] = {}  # the printed target -> the scratch file
        self.saved: dict[str, Path] = {}  # a certificate file a line saves -> its copy
        self.environ: dict[str, str | None] = {}

    def apply(self, edit: Edit) -> None:
        """Make one edit on the copy."""
        from .condarc import plan_remove, plan_set

        if isinstance(edit, SetKey):
            value = self.bundles.get(edit.value, edit.value)
            plan_set(self._copy(edit.file), edit.key, value).apply(backup=False)
        elif isinstance(edit, RemoveKey):
            plan_remove(self._copy(edit.file), edit.key).apply(backup=False)
        elif isinstance(edit, ListEdit):
            self._list_edit(edit)
        elif isinstance(edit, WriteBundle):
            self._bundle(edit)
        elif isinstance(edit, SaveCertificate):
            place = self.directory / f"saved{len(self.saved)}"
            place.mkdir()
            self.saved[edit.file] = place / Path(edit.file).name
            self.saved[edit.file].write_text(edit.pem, encoding="ascii")
        elif isinstance(edit, SetVariable):
            self.environ[edit.name] = self.bundles.get(edit.value, edit.value)
        elif isinstance(edit, UnsetVariable):
            self.environ[edit.name] = None

    def write(self, file: str | Path, text: str) -> None:
        """The copy of `file` holds `text` (a planned condarc change, as --fix would write it)."""
        self._copy(str(file)).write_text(text, encoding="utf-8")

    def export(self) -> None:
        """Set the copy's variables in os.environ (the caller restores it)."""
        for name, value in self.environ.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    def search_path(self) -> list[Path]:
        """The files conda reads now, each edited one replaced by its copy.

        A file conda does not read yet (the fix creates it) goes where conda's
        search path puts it.
        """
        path = [self.copies.get(p, p) for p in self.read]
        for original, copy in self.copies.items():
            if original in self.read:
                continue
            rank = search_rank(original)
            after = [i for i, p in enumerate(self.read) if search_rank(p) <= rank]
            path.insert(after[-1] + 1 if after else 0, copy)
        return path

    def _copy(self, file: str | None) -> Path:
        # Without --file, `conda config` writes ~/.condarc (conda's user_rc_path,
        # which conda computes from HOME when it starts: so here, now).
        original = Path(os.path.abspath(os.path.expanduser(file or "~/.condarc")))
        if original in self.copies:
            return self.copies[original]
        name = original.name
        if name not in _CONDARC_NAMES and original.suffix not in (".yml", ".yaml"):
            name = (
                ".condarc"  # conda reads it under its name; the copy needs one it reads
            )
        place = self.directory / f"rc{len(self.copies)}"
        place.mkdir()
        copy = place / name
        if original.is_file():
            copy.write_bytes(original.read_bytes())
        self.copies[original] = copy
        return copy

    def _list_edit(self, edit: ListEdit) -> None:
        """`conda config --VERB KEY VALUE` on the copy, as conda edits a list its file holds."""
        from .condarc import listed, plan_set

        copy = self._copy(edit.file)
        items = listed(copy, edit.key)
        where = edit.file or "~/.condarc"
        if items is None:
            # conda 24 writes `defaults` into a file that lists no channels
            # yet, later releases do not: the copy could not say which.
            raise Unprovable(
                f"{where} has no {edit.key} list for --{edit.verb} to edit"
            )
        if edit.verb == "remove" and edit.value not in items:
            raise Unprovable(f"{where} does not list {edit.value} in {edit.key}")
        kept = [item for item in items if item != edit.value]
        if edit.verb == "remove":
            changed = kept
        elif edit.verb == "append":
            changed = [*kept, edit.value]
        else:  # add, prepend
            changed = [edit.value, *kept]
        plan_set(copy, edit.key, changed).apply(backup=False)

    def _bundle(self, edit: WriteBundle) -> None:
        data = b""
        for part in edit.parts:
            path = self.saved.get(part) or Path(os.path.expanduser(part))
            if not path.is_file():
                raise Unprovable(f"{part} is not there to build the bundle from")
            data += path.read_bytes()
            if not data.endswith(b"\n"):
                data += b"\n"
        place = self.directory / f"bundle{len(self.bundles)}"
        place.mkdir()
        copy = place / Path(os.path.expanduser(edit.target)).name
        copy.write_bytes(data)
        self.bundles[edit.target] = str(copy)


# -- the run on the copy, and what it is compared with ----------------------------


def _diagnose(
    run: Run,
    names: tuple[str, ...],
    known: Known | None = None,
) -> Report:
    """The index of every channel, diagnosed over conda's context as it is now.

    A target `known` has an answer for keeps that result, unprobed.
    """
    from ..run import from_conda

    arguments = dataclasses.replace(
        run.arguments, names=names, check_packages=False, extra_urls=not names
    )
    rebuilt = from_conda(arguments)
    routes = [_route_or_none(rebuilt, t.url) for t in rebuilt.targets]
    if not run.arguments.try_direct:
        # --no-direct: a target fetched through a proxy now is not fetched
        # without one, not even to prove a fix that drops the proxy.
        proxied = {t.url for t in run.targets if t.proxy}  # set by the run's probes
        if any(
            route is not None and route.proxy is None and target.url in proxied
            for target, route in zip(rebuilt.targets, routes)
        ):
            raise Unprovable(
                "trying it would connect without the proxy, which --no-direct rules out"
            )
    report = rebuilt.report()
    if not known:
        return rebuilt.diagnose(report)
    # What the change does not touch was learned already.
    reused = [
        known.get(t, route, rebuilt.options) if route else None
        for t, route in zip(rebuilt.targets, routes)
    ]
    everything = rebuilt.targets
    rebuilt.targets = [t for t, old in zip(everything, reused) if old is None]
    fresh = iter(rebuilt.diagnose(report).targets)
    report.targets = [old if old is not None else next(fresh) for old in reused]
    return report


def _route_or_none(run: Run, url: str) -> Route | None:
    """The route of url, or None where conda cannot build a session (the run says why)."""
    try:
        return run.route_for(url)
    except Exception:
        return None


class Known:
    """This run's answers, by what fetching each target's index depended on.

    The same URL, proxy, trust and timeouts give the same answer. A change
    of trust alone (ssl_verify, a bundle, a client certificate) cannot change
    an answer no TLS took part in: a plain-http fetch through no proxy or a
    plain-http one, or a failure before TLS (DNS, TCP, the proxy's CONNECT).
    Those are reused whatever the trust: only the layers a change touches are
    probed again.
    """

    def __init__(self) -> None:
        self.exact: dict[tuple[Any, ...], TargetResult] = {}
        self.before_tls: dict[tuple[Any, ...], TargetResult] = {}

    def add(self, result: TargetResult, route: Route, options: Options) -> None:
        """Learn one answer of this run."""
        path = _path(result.target, route, options)
        self.exact[path + _trust(route)] = result
        if _no_tls(result, route):
            self.before_tls[path] = result

    def get(
        self, target: Target, route: Route, options: Options
    ) -> TargetResult | None:
        """The answer for fetching `target` over `route`, if this run learned it."""
        path = _path(target, route, options)
        return self.exact.get(path + _trust(route)) or self.before_tls.get(path)

    def __bool__(self) -> bool:
        return bool(self.exact)


def _path(target: Target, route: Route, options: Options) -> tuple[Any, ...]:
    """Where and how long a fetch goes: URL, proxy, timeouts, what it asks for."""
    return (
        target.url,
        route.proxy,
        options.connect_timeout,
        options.read_timeout,
        options.filenames,
        options.offline,
    )


def _trust(route: Route) -> tuple[Any, ...]:
    """What a TLS handshake of the fetch depends on."""
    return (
        str(route.verify),
        str(route.cert),
        route.ssl_context is not None,  # truststore's context, when conda uses it
    )


#: Layers a fetch fails at before any TLS handshake (with no proxy, or an http:// one).
_BEFORE_TLS = (Layer.DNS, Layer.TCP, Layer.PROXY)


def _no_tls(result: TargetResult, route: Route) -> bool:
    """Whether no TLS handshake took part in this answer, so trust could not change it."""
    if route.proxy and not route.proxy.lower().startswith("http://"):
        return False  # TLS to the proxy itself (or a SOCKS proxy): leave it
    if result.problem is not None and not result.redirects:
        if result.problem.layer in _BEFORE_TLS:
            return True
    urls = [result.target.url, *result.redirects, *result.reached]
    urls += [u for u in (result.fetched, result.url_failed) if u]
    return all(u.lower().startswith("http://") for u in urls)


def _statuses(results: Iterable[TargetResult]) -> dict[str, Status]:
    """Each channel URL's worst status."""
    statuses: dict[str, Status] = {}
    for result in results:
        url = result.target.channel_url
        if statuses.get(url) is not Status.ERROR:
            statuses[url] = result.status
    return statuses


def _missing(needs: Iterable[str]) -> list[str]:
    """What the user must supply that is not here: a placeholder's value, a file not saved yet."""
    placeholders = {p.rstrip("@") for p in PLACEHOLDERS}
    return [
        need
        for need in needs
        if need in placeholders or not os.path.isfile(os.path.expanduser(need))
    ]


def _key(lines: FixLines) -> tuple:
    return (tuple(str(line) for line in lines.lines), lines.needs)


def _all_lines(report: Report) -> list[FixLines]:
    found = [f.commands for f in report.findings]
    for result in report.targets:
        problems = ([result.problem] if result.problem else []) + result.warnings
        found += [p.commands for p in problems]
    return found


def _distinct(found: Iterable[FixLines]) -> dict[tuple, FixLines]:
    return {_key(lines): lines for lines in found if lines}


def _finding_key(finding: Finding) -> tuple[str, str, str]:
    """A finding as the copy's run would find it again.

    One check may find two things with one code (a proxy URL without its
    scheme, an error; no proxy for the other scheme, a warning): the status
    tells them apart. The summary cannot: it names the file that sets the
    key, which the copy's run reads from the scratch directory.
    """
    return (finding.check, finding.code.value, str(finding.status))


def _own(
    report: Report, lines: FixLines
) -> tuple[set[tuple[str, str]], set[tuple[str, str, str]]]:
    """The problems (channel URL, code) and the findings this fix is printed for."""
    key = _key(lines)
    problems = {
        (r.target.channel_url, p.code.value)
        for r in report.targets
        for p in ([r.problem] if r.problem else []) + r.warnings
        if p.commands and _key(p.commands) == key
    }
    findings = {
        _finding_key(f)
        for f in report.findings
        if f.commands and _key(f.commands) == key
    }
    return problems, findings


# -- the report, marked -----------------------------------------------------------


#: A fix proposed instead of one that breaks a working channel: its text and lines.
Instead = tuple[Fix, FixLines]


def _instead(
    prover: _Prover, report: Report, key: tuple, outcome: Outcome
) -> Instead | None:
    """For roots the OS store has but a working channel's bundle lacks: the bundle in use + them.

    Proven like any fix (unchecked until the user has saved the roots);
    None when it too would break a channel, or the fix is not about roots.
    """
    from ..diagnosis.intercept import RootNeeded, current_bundle, root_file, roots_fix

    needing = [
        r
        for r in report.targets
        if r.problem
        and r.problem.commands
        and _key(r.problem.commands) == key
        and r.problem.details.missing_root
    ]
    bundle = current_bundle(needing[0].target.verify) if needing else None
    if not needing or bundle is None:
        return None
    names = dict.fromkeys(r.problem.details.missing_root for r in needing if r.problem)
    roots = [RootNeeded(name, root_file(name)) for name in names if name]
    text, lines = roots_fix(
        roots, None, commands=prover.run.options.commands, bundle=bundle
    )
    alternative = prover.prove(lines)
    if alternative.breaks:
        return None
    text = text.but(f"the operating system's store would break {outcome.breaks}")
    if alternative.checked:
        text = text.proven(alternative.proof)
    return text, lines.proven(alternative.checked, alternative.proof)


def _marked_problem(
    problem: Problem,
    outcomes: dict[tuple, Outcome],
    instead: dict[tuple, Instead] | None = None,
) -> Problem:
    if not problem.commands:
        return problem
    key = _key(problem.commands)
    if instead and key in instead:
        fix, commands = instead[key]
    else:
        fix, commands = marked(problem.fix, problem.commands, outcomes[key])
    return dataclasses.replace(problem, fix=fix, commands=commands)


def _marked_result(
    result: TargetResult,
    outcomes: dict[tuple, Outcome],
    instead: dict[tuple, Instead] | None = None,
) -> TargetResult:
    problem = result.problem and _marked_problem(result.problem, outcomes, instead)
    warnings = [_marked_problem(w, outcomes, instead) for w in result.warnings]
    return dataclasses.replace(result, problem=problem, warnings=warnings)


def _marked_finding(finding: Finding, outcomes: dict[tuple, Outcome]) -> Finding:
    if not finding.commands:
        return finding
    outcome = outcomes[_key(finding.commands)]
    if finding.scheme and outcome.breaks and not outcome.mends:
        return _left_alone(finding, outcome)
    fix, commands = marked(finding.fix, finding.commands, outcome)
    return dataclasses.replace(finding, fix=fix, commands=commands)


def _left_alone(finding: Finding, outcome: Outcome) -> Finding:
    """A scheme without a proxy that the copied proxy breaks, and mends nothing.

    Nothing is missing to give conda: the scheme is best left as it is. (A
    copy of a proxy the run already saw fail is set aside before the proof,
    by `diagnosis.findings.with_broken_proxy_not_copied`.)
    """
    lines = finding.commands
    fix = Fix(
        f"none: leave {finding.scheme}:// without a proxy; copying it "
        f"({describe(lines.edits or ())}) would break {outcome.breaks}"
    )
    commands = FixLines((), lines.needs, False, outcome.proof)
    return dataclasses.replace(finding, fix=fix, commands=commands)


def marked(
    fix: str | None, lines: FixLines, outcome: Outcome
) -> tuple[str | None, FixLines]:
    """The fix and its lines as printed after the proof.

    A fix that breaks a working channel is not printed as is: the conflict
    is, with no command to run.
    """
    if outcome.breaks:
        text = Fix(
            "no checked fix: the change netcheck would print for this "
            f"({describe(lines.edits or ())}) would break {outcome.breaks}; "
            "give conda what both need"
        )
        return text, FixLines((), lines.needs, False, outcome.proof)
    if outcome.checked and fix:
        shown = fix if isinstance(fix, Fix) else Fix(fix)
        fix = shown.proven(outcome.proof)
    return fix, lines.proven(outcome.checked, outcome.proof)
