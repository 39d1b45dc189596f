"""What every verdict of the series shares: .ok, a one-line .message, .require(), and a brief failure.

A verdict comes from a numeric comparison (`feedback.compare`), a gradient check (`gradcheck`), a symbolic
proof (`symbolic.check`), an exercise check (`course.exercises.check`) or a quiz. When a claim does not hold,
`.require()` raises `CheckFailed`, an AssertionError that IPython shows as the diagnosis itself, in a few lines,
instead of a traceback through this package: the cell still fails (so Run All stops there and nbval or a
grader sees it), and the reader sees what is wrong first.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CheckFailed", "Requirable", "Verdict"]

_RED, _RESET = "\x1b[31m", "\x1b[0m"


class CheckFailed(AssertionError):
    """A claim of the series that does not hold: an exercise answered wrong, a proof that fails.

    `lines` are what the reader sees, diagnosis first; IPython renders them through `_render_traceback_`
    (no Python traceback). `str(exc)` is the same lines joined, so plain Python and pytest show them too.
    """

    def __init__(self, *lines: str):
        self.lines = [line for text in lines for line in str(text).splitlines()] or ["check failed"]
        super().__init__("\n".join(self.lines))

    def _render_traceback_(self):
        return [_RED + self.lines[0] + _RESET, *self.lines[1:]]


class Requirable:
    """Truthiness and require() for every verdict; subclasses have `ok` (bool) and `message` (one line)."""

    def require(self):
        """Raise CheckFailed(message) if the check failed; return self otherwise (for chaining)."""
        if not self.ok:
            mark = "" if str(self.message).startswith("✘") else "✘ "
            raise CheckFailed(mark + str(self.message))
        return self

    def __bool__(self):
        return bool(self.ok)


@dataclass
class Verdict(Requirable):
    """The outcome of a numeric check: ok, a one-line message, and require() from Requirable."""

    ok: bool
    message: str

    def __repr__(self):
        return self.message

    def _ipython_display_(self):
        # compare() already printed the line; showing the returned object again would print it twice.
        pass
