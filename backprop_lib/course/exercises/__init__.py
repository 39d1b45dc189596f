"""Exercise checks: `check("3.1")` in the notebook, the checking code here, one module per notebook.

An exercise is a class with
  id, title, points       "3.1", what it asks, what it is worth when graded
  answer                  the names the answer cell defines, e.g. ("delta_step",)
  cases()                 the inputs it is checked on, as `Case`s (plain data); `hidden=True` ones only when graded
  run(case, *answers)     calls the student's answer on the case's inputs; runs in the student's process
  judge(case, value)      decides, from plain data only, whether that value is right and names the slip

The two halves never share Python objects: `run`'s result crosses as JSON (`course.encode`), so that the grader
can run `run` inside the student's sandboxed kernel (`collect`) and `judge` in a process that has executed no
student code (`judge_record`). In the workbook, `check` does both in the student's kernel, through the same
JSON round trip, so a student sees exactly the verdict the grader will reach.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ...verdict import CheckFailed
from .. import encode as enc

__all__ = ["Case", "Exercise", "Outcome", "RECORD_MIME", "check", "collect", "exercises", "judge_record", "solution"]

RECORD_MIME = "application/vnd.backprop.record+json"
_MAX_LINES = 5


@dataclass(frozen=True)
class Case:
    """One input an exercise is checked on: a label the student reads, plain-data params, hidden or not."""

    label: str
    params: dict = field(default_factory=dict)
    hidden: bool = False


@dataclass
class Outcome:
    """The judge's verdict on one case: ok, the diagnosis (one line, slip first) and up to two more lines."""

    ok: bool
    message: str
    details: list = field(default_factory=list)
    answered: bool = True


class Exercise:
    """Base class of every exercise; subclasses set id, title, points, answer and write cases/run/judge."""

    id = ""
    title = ""
    points = 1
    answer: tuple = ()

    def cases(self) -> list[Case]:
        raise NotImplementedError

    def run(self, case: Case, *answers):
        raise NotImplementedError

    def judge(self, case: Case, value) -> Outcome:
        raise NotImplementedError

    # Shared words for the values every judge must refuse first.
    def refuse(self, value, expected: str) -> Outcome | None:
        """An Outcome for a value that is not an answer at all (blank, raised, None, a wrong type), else None."""
        what = self.answer[0] if self.answer else "the answer"
        if isinstance(value, enc.Missing):
            return Outcome(
                False, f"Exercise {self.id} is not answered yet: {value.why or 'write ' + what}.", answered=False
            )
        if isinstance(value, enc.Raised):
            return Outcome(False, f"{what} raised {value.kind}: {value.message}")
        if value is None:
            return Outcome(False, f"{what} returned None: is the `return` missing?")
        if isinstance(value, enc.Other):
            return Outcome(False, f"{what} gave a {value.type_name}; expected {expected}")
        return None


# ------------------------------------------------------------------------------------------------ registry
_REGISTRY: dict[str, Exercise] = {}


def exercises() -> dict[str, Exercise]:
    """Every exercise of the series by id ("3.1"), loaded from the chNN modules of this package."""
    if not _REGISTRY:
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
            if info.name.startswith("ch"):
                module = importlib.import_module(f"{__name__}.{info.name}")
                for obj in vars(module).values():
                    if isinstance(obj, type) and issubclass(obj, Exercise) and obj is not Exercise and obj.id:
                        _REGISTRY[obj.id] = obj()
    return dict(sorted(_REGISTRY.items(), key=lambda kv: tuple(int(p) for p in kv[0].split("."))))


def get(exercise_id: str) -> Exercise:
    found = exercises().get(exercise_id)
    if found is None:
        raise ValueError(f"there is no exercise {exercise_id!r}; the exercises are {', '.join(exercises())}")
    return found


# ------------------------------------------------------------------------------------------------ running
def _answers(ex: Exercise, namespace: dict) -> list:
    out = []
    for name in ex.answer:
        if name not in namespace:
            out.append(enc.Missing(f"`{name}` is not defined: write it in the answer cell above and run that cell"))
        elif namespace[name] is Ellipsis:
            out.append(enc.Missing(f"`{name}` is still `...`: replace it with your answer"))
        else:
            out.append(namespace[name])
    return out


def _run_case(ex: Exercise, case: Case, answers: list) -> dict:
    """The encoded result of one case: what the student's answer gave, or why it gave nothing."""
    missing = next((a for a in answers if isinstance(a, enc.Missing)), None)
    if missing is not None:
        return enc.encode(missing)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            value = ex.run(case, *answers)
    except NotImplementedError:
        value = enc.Missing(f"`{ex.answer[0]}` still raises NotImplementedError: write your answer in its place")
    except RecursionError:
        value = enc.Raised("RecursionError", "the function calls itself without end")
    except Exception as exc:  # noqa: BLE001 - the student's code may raise anything; report it, do not crash
        first = str(exc).splitlines()[0] if str(exc) else ""
        value = enc.Raised(type(exc).__name__, first[:300])
    return enc.encode(value)


def _judge_case(ex: Exercise, case: Case, encoded) -> Outcome:
    try:
        value = enc.decode(enc.loads(enc.dumps(encoded)) if not isinstance(encoded, str) else enc.loads(encoded))
    except (enc.RecordError, TypeError, ValueError) as exc:
        return Outcome(False, f"the result could not be read: {exc}")
    refused = ex.refuse(value, "an answer")
    if refused is not None and not refused.answered:
        return refused
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return ex.judge(case, value)


def _caller_namespace() -> dict:
    frame = sys._getframe(2)
    return frame.f_globals


def check(exercise_id: str):
    """Check Exercise `exercise_id` ("3.1") on its visible cases; ✔ in one line, or ✘ with the slip first.

    A wrong or blank answer raises CheckFailed (a few lines, no traceback), so Run All stops here.
    """
    ex = get(exercise_id)
    answers = _answers(ex, _caller_namespace())
    visible = [c for c in ex.cases() if not c.hidden]
    for case in visible:
        outcome = _judge_case(ex, case, _run_case(ex, case, answers))
        if not outcome.ok:
            _note_progress(ex.id, "blank" if not outcome.answered else "wrong")
            raise CheckFailed(*_failure_lines(ex, case, outcome))
    _note_progress(ex.id, "right")
    return Passed(ex, visible)


def _failure_lines(ex, case, outcome):
    if not outcome.answered:
        return [f"✘ {outcome.message}"]
    lines = [f"✘ Exercise {ex.id}: {outcome.message}", f"  checked on {case.label}"]
    lines += [f"  {d}" for d in outcome.details[: _MAX_LINES - 3]]
    lines.append(f'  Stuck? solution("{ex.id}") shows a worked solution.')
    return lines[:_MAX_LINES]


class Passed:
    """What a passed check shows: one line."""

    def __init__(self, ex, cases):
        self.ex, self.cases = ex, cases
        self.ok = True

    def __repr__(self):
        labels = "; ".join(c.label for c in self.cases)
        return f"✔ Exercise {self.ex.id} ({self.ex.title}) is right, checked on {labels}."

    def _repr_markdown_(self):
        return (
            f"**✔ Exercise {self.ex.id}** ({self.ex.title}) is right, checked on "
            + "; ".join(c.label for c in self.cases)
            + "."
        )


# ------------------------------------------------------------------------------------------------ grading
def collect(exercise_id: str):
    """Grading, in the submission's kernel: run every case (hidden ones too) and show the results as a record.

    Decides nothing: the record is plain JSON that `judge_record` reads in another process.
    """
    from IPython.display import display

    ex = get(exercise_id)
    answers = _answers(ex, _caller_namespace())
    record = {"exercise": ex.id, "values": [_run_case(ex, case, answers) for case in ex.cases()]}
    display({RECORD_MIME: record, "text/plain": f"record of Exercise {ex.id}"}, raw=True)


@dataclass
class Judged:
    """The verdict on one exercise of a submission."""

    exercise: str
    points: float
    max_points: float
    status: str  # "passed", "failed", "not answered" or "not run"
    message: str = ""


def judge_record(exercise_id: str, record) -> Judged:
    """Grading, in a process that ran no student code: judge every case of a record from `collect`.

    `record` is the parsed JSON (a dict) or None when the check never ran. Full points when every case is right.
    """
    ex = get(exercise_id)
    if record is None:
        return Judged(ex.id, 0, ex.points, "not run", "the check did not run (the notebook stopped before it)")
    cases = ex.cases()
    values = record.get("values") if isinstance(record, dict) else None
    if not isinstance(values, list) or len(values) != len(cases) or record.get("exercise") != ex.id:
        return Judged(ex.id, 0, ex.points, "failed", "the check's record is malformed")
    for case, value in zip(cases, values):
        try:
            outcome = _judge_case(ex, case, value)
        except Exception as exc:  # noqa: BLE001 - a judge must never take the grader down
            outcome = Outcome(False, f"the check could not judge this value ({type(exc).__name__})")
        if not outcome.ok:
            status = "not answered" if not outcome.answered else "failed"
            return Judged(ex.id, 0, ex.points, status, f"{outcome.message} (checked on {case.label})")
    return Judged(ex.id, ex.points, ex.points, "passed")


# ------------------------------------------------------------------------------------------------ help
def solution(exercise_id: str):
    """Show the worked solution of an exercise, read from the instructor's notebook in `notebooks/`."""
    from IPython.display import Markdown, display

    from ..strip import read_solution

    ex = get(exercise_id)
    found = read_solution(ex.id)
    if found is None:
        display(Markdown(f"No worked solution of Exercise {ex.id} is available in this copy of the series."))
        return
    path, source = found
    display(Markdown(f"**Worked solution of Exercise {ex.id}** (from `{path}`):\n\n```python\n{source}\n```"))


_PROGRESS = ".progress.json"


def _note_progress(exercise_id: str, state: str) -> None:
    """In a workbook folder (it holds the workbook manifest), remember the last result of each check."""
    here = Path.cwd()
    if not (here / ".workbook.json").is_file():
        return
    path = here / _PROGRESS
    try:
        data = json.loads(path.read_text()) if path.is_file() else {}
        data.setdefault("exercises", {})[exercise_id] = state
        path.write_text(json.dumps(data, indent=1, sort_keys=True))
    except (OSError, ValueError):
        pass  # progress is a convenience; a read-only or damaged file must not break a check
