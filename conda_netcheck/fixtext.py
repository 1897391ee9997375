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

from dataclasses import dataclass


class Fix(str):
    """A fix with its parts; as a str, the same fix on one line."""

    sentence: str
    steps: tuple[str, ...]
    why: str
    otherwise: str

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

    def lines(self, verbose: bool = False) -> list[str]:
        """'fix: SENTENCE', a line per step, the other way; 'why:' only with -v."""
        lines = [f"fix: {self.sentence}" + (":" if self.steps else "")]
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
    copy of the configuration (not yet done: always False).
    """

    lines: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    checked: bool = False

    def __bool__(self) -> bool:
        return bool(self.lines)
