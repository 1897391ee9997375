"""A fix as people read it: a short sentence, numbered command lines, then the why.

A `Fix` is a `str`: the whole fix on one line, as JSON's `fix`, the report,
the error hints and every caller that reads a fix as text have it. The text
output lays it out instead (`lines`): the sentence, one numbered line per step,
the other way when the first reading is wrong, and the explanation only with
-v. A fix written as plain text stays one line. `FixLines` are the fix's shell
lines as --json gives them (`commands`, `needs`, `checked`); config/commands.py
writes each line, and the text is written around the same lines.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Union


@dataclass(frozen=True)
class SetKey:
    """`conda config --set KEY VALUE` in `file` (None: conda's user file, ~/.condarc)."""

    file: str | None
    key: str
    value: str


@dataclass(frozen=True)
class RemoveKey:
    """`conda config --remove-key KEY` in `file` (None: conda's user file)."""

    file: str | None
    key: str


@dataclass(frozen=True)
class WriteBundle:
    """A CA bundle written to `target` from `parts`, in order (`cat PARTS > TARGET`)."""

    target: str
    parts: tuple[str, ...]


@dataclass(frozen=True)
class SaveCertificate:
    """A CA certificate downloaded from `url` and saved as PEM in `file`.

    `pem`: the certificate netcheck itself fetched from that URL, which the
    line saves; a fix that needs it can be tried without running the line.
    """

    file: str
    url: str
    pem: str


@dataclass(frozen=True)
class ListEdit:
    """`conda config --VERB KEY VALUE` on a list in `file` (None: conda's user file).

    `verb`: "add" or "prepend" (to the front), "append" (to the end), each
    moving the value if the list holds it already; "remove" (every instance).
    """

    file: str | None
    key: str
    verb: str
    value: str


@dataclass(frozen=True)
class SetVariable:
    """An environment variable set for the user's shell."""

    name: str
    value: str


@dataclass(frozen=True)
class UnsetVariable:
    """An environment variable removed from the user's shell."""

    name: str


#: What one shell line of a fix changes.
Edit = Union[
    SetKey,
    RemoveKey,
    ListEdit,
    WriteBundle,
    SaveCertificate,
    SetVariable,
    UnsetVariable,
]


class Line(str):
    """A shell line as printed, with what it changes (None: nothing netcheck can try).

    `manual`: not a shell line but an edit only a person can make (conda
    config cannot name the key); printed in the fix, never among `commands`.
    """

    edit: Edit | None
    manual: bool = False

    def __new__(cls, text: str, edit: Edit | None = None) -> Line:
        line = super().__new__(cls, text)
        line.edit = edit
        return line


def manual_line(text: str) -> Line:
    """A step for a person to make by hand (an editor), not a shell line."""
    line = Line(text)
    line.manual = True
    return line


def edit_of(line: str) -> Edit | None:
    """What a line changes; None for a line built without one (plain text)."""
    return getattr(line, "edit", None)


class Fix(str):
    """A fix with its parts; as a str, the same fix on one line.

    `proof`: what trying it on a scratch copy showed, printed beside "fix"
    (`fix (checked: ...)`); it never changes the one-line text.
    """

    sentence: str
    steps: tuple[str, ...]
    why: str
    otherwise: str
    proof: str = ""

    def __new__(
        cls,
        sentence: str,
        steps: tuple[str, ...] = (),
        why: str = "",
        otherwise: str = "",
    ) -> Fix:
        flat = sentence
        if steps:
            flat += ": " + "; ".join(
                f"{number}. {step}" for number, step in enumerate(steps, 1)
            )
        if why:
            flat += f"; {why}"
        if otherwise:
            flat += f"; else {otherwise}"
        fix = super().__new__(cls, flat)
        fix.sentence, fix.steps, fix.why, fix.otherwise = (
            sentence,
            tuple(steps),
            why,
            otherwise,
        )
        return fix

    def but(self, why: str) -> Fix:
        """The same fix with more explanation."""
        return Fix(self.sentence, self.steps, _join(self.why, why), self.otherwise)

    def when(self, condition: str) -> Fix:
        """The fix for one reading of the evidence: 'if CONDITION, SENTENCE'."""
        return Fix(
            f"{condition}, {self.sentence}", self.steps, self.why, self.otherwise
        )

    def instead(self, otherwise: str) -> Fix:
        """The fix with the other way, when the first reading is wrong."""
        return Fix(
            self.sentence, self.steps, self.why, _join(self.otherwise, otherwise)
        )

    def proven(self, proof: str) -> Fix:
        """The same fix, with what trying it on a copy showed."""
        fix = Fix(self.sentence, self.steps, self.why, self.otherwise)
        fix.proof = proof
        return fix

    def lines(self, verbose: bool = False) -> list[str]:
        """'fix: SENTENCE', a line per step, the other way; 'why:' only with -v."""
        label = f"fix ({self.proof})" if self.proof else "fix"
        lines = [f"{label}: {self.sentence}" + (":" if self.steps else "")]
        lines += [f"  {number}. {step}" for number, step in enumerate(self.steps, 1)]
        if self.otherwise:
            lines.append(f"  else: {self.otherwise}")
        if verbose and self.why:
            lines.append(f"why: {self.why}")
        return lines


def fix_lines(fix: str | None, verbose: bool = False) -> list[str]:
    """The lines of any fix: a Fix laid out, plain text on one line."""
    if not fix:
        return []
    if isinstance(fix, Fix):
        return fix.lines(verbose)
    return [f"fix: {fix}"]


def _join(first: str, then: str) -> str:
    return f"{first}; {then}" if first else then


@dataclass(frozen=True)
class FixLines:
    """The shell lines of one fix, in order, exactly as the text prints them.

    `needs`: what the user supplies before running them: each placeholder as
    the lines write it (`USER:<password>`) and each file they read that only
    the user can provide (a root certificate). `checked`: proven on a scratch
    copy of the configuration; `proof`: what that showed, or why it was not
    tried.
    """

    lines: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    checked: bool = False
    proof: str = ""

    def __post_init__(self) -> None:
        # A step made by hand is no shell line: left out of `commands`, so
        # nothing runs it and the proof does not try it.
        kept = tuple(line for line in self.lines if not getattr(line, "manual", False))
        object.__setattr__(self, "lines", kept)

    def __bool__(self) -> bool:
        return bool(self.lines)

    @property
    def edits(self) -> tuple[Edit, ...] | None:
        """What the lines change, in order; None when a line changes what netcheck cannot try."""
        edits = tuple(edit_of(line) for line in self.lines)
        if not edits or any(edit is None for edit in edits):
            return None
        return edits  # type: ignore[return-value]

    def proven(self, checked: bool, proof: str) -> FixLines:
        """The same lines with the outcome of trying them."""
        return replace(self, checked=checked, proof=proof)
