"""Multiple-choice quizzes for the notebooks: clickable in JupyterLab / Notebook 7, answerable in code.

A quiz follows the ``?? ... ??`` blocks of the source posts (source 002): a question, options of which
one or several are correct, a penalty per wrong try, and optionally content held back until the
question is answered (``\\shownext:true``).

How the parts fit together:

* The notebook never holds the correct indices. It holds ``key``, a salted SHA-256 digest of the quiz
  id and the sorted correct set, computed by the author with ``quiz_key`` or on the command line
  (``python -m backprop_lib quiz-key 2.1 0 2``). A try is right when its own digest equals the key.
  This keeps the answer out of sight of a reader of the released notebook; it is not a secret in the
  cryptographic sense: with n options there are only 2**n - 1 candidate sets, and anyone with this
  package can hash them all, which is no quicker than clicking through them.
* The explanation is shown only after a right answer and is sent to the browser only then. Because
  an explanation often gives the answer away, it may be stored sealed (``quiz_seal``, or
  ``quiz-key ... --seal TEXT``): a string ``"qs1:..."`` that only the correct set unlocks.
* Every try, from the widget or from code, is appended to ``QUIZ_LOG`` (a process-wide list of
  dicts) so that an autograder can read it after executing a notebook.
* As the last expression of a cell a ``Quiz`` displays an ipywidgets form (math renders through
  ``HTMLMath``) together with a deterministic ``text/plain`` bundle (question and numbered options).
  nbval ignores the widget view (its model id is random) and compares the text; a headless run prints
  the text and never waits for input.

Taught in every notebook (at least two quizzes each, see CONTRIBUTING.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import operator
import re
import sys
from dataclasses import dataclass, field

from .verdict import Requirable

__all__ = ["Quiz", "QuizResult", "QUIZ_LOG", "quiz_key", "quiz_seal", "quiz_key_main"]

#: Every try of every quiz in this process, oldest first. Each entry is a dict with the keys
#: ``quiz`` (the id), ``choice`` (sorted list of option indices), ``ok`` (bool), ``source``
#: (``"code"`` or ``"widget"``) and ``score`` (the quiz's score after this try).
QUIZ_LOG: list[dict] = []

_SALT = b"backprop_lib.quiz.v1"
_KEY_PREFIX = "qk1:"
_KEY_RE = re.compile(r"^qk1:[0-9a-f]{32}$")
_SEAL_PREFIX = "qs1:"
_MAX_OPTIONS = 12


# ---------------------------------------------------------------------------------------------------
# Keys and sealed text
# ---------------------------------------------------------------------------------------------------

def _check_id(quiz_id) -> str:
    if not isinstance(quiz_id, str) or not quiz_id.strip():
        raise ValueError(f"quiz id must be a non-empty string such as '2.1', got {quiz_id!r}")
    if "|" in quiz_id:
        raise ValueError(f"quiz id must not contain '|', got {quiz_id!r}")
    return quiz_id


def _check_choice(quiz_id: str, choice, n_options: int | None) -> tuple[int, ...]:
    """Turn an int or a sequence of ints into a sorted tuple of distinct, in-range indices."""
    if isinstance(choice, (str, bytes)):
        raise ValueError(f"quiz {quiz_id}: choice must be option indices (ints), got the string {choice!r}")
    items = [choice] if not hasattr(choice, "__iter__") else list(choice)
    if not items:
        raise ValueError(f"quiz {quiz_id}: choice is empty; give at least one option index")
    indices = []
    for item in items:
        if isinstance(item, bool):
            raise ValueError(f"quiz {quiz_id}: option index must be an int, got the bool {item!r}")
        try:
            index = operator.index(item)
        except TypeError:
            raise ValueError(f"quiz {quiz_id}: option index must be an int, got {item!r}") from None
        if index < 0 or (n_options is not None and index >= n_options):
            valid = "a non-negative int" if n_options is None else f"in 0..{n_options - 1}"
            raise ValueError(f"quiz {quiz_id}: option index {index} is out of range; expected {valid}")
        indices.append(index)
    duplicates = sorted({i for i in indices if indices.count(i) > 1})
    if duplicates:
        raise ValueError(f"quiz {quiz_id}: option index {duplicates} given more than once in {items!r}")
    return tuple(sorted(indices))


def _digest(domain: bytes, quiz_id: str, indices: tuple[int, ...]) -> bytes:
    payload = b"|".join([_SALT, domain, quiz_id.encode("utf-8"), ",".join(map(str, indices)).encode()])
    return hashlib.sha256(payload).digest()


def quiz_key(quiz_id: str, correct_indices) -> str:
    """Answer key of a quiz: a salted hash of its id and its sorted set of correct option indices.

    ``quiz_key("2.1", [0, 2]) -> "qk1:<32 hex digits>"``. The order of ``correct_indices`` does not
    matter; the key changes with the quiz id, so two quizzes with the same correct set have different
    keys. Raises ValueError for an empty set, a negative or non-int index, or a duplicate.
    """
    quiz_id = _check_id(quiz_id)
    indices = _check_choice(quiz_id, correct_indices, None)
    return _KEY_PREFIX + _digest(b"key", quiz_id, indices).hex()[:32]


def _keystream(quiz_id: str, indices: tuple[int, ...], nbytes: int) -> bytes:
    seed = _digest(b"seal", quiz_id, indices)
    blocks = []
    counter = 0
    while sum(map(len, blocks)) < nbytes:
        blocks.append(hashlib.sha256(seed + counter.to_bytes(8, "big")).digest())
        counter += 1
    return b"".join(blocks)[:nbytes]


def quiz_seal(quiz_id: str, correct_indices, text: str) -> str:
    """Seal an explanation so that only the correct set of options unlocks it: returns ``"qs1:..."``.

    Pass the result as ``Quiz(..., explanation=...)``; the quiz opens it after a right answer. A check
    sum inside the sealed text makes a wrong unlock detectable.
    """
    quiz_id = _check_id(quiz_id)
    indices = _check_choice(quiz_id, correct_indices, None)
    raw = text.encode("utf-8")
    raw = hashlib.sha256(raw).digest()[:4] + raw
    mixed = bytes(a ^ b for a, b in zip(raw, _keystream(quiz_id, indices, len(raw))))
    return _SEAL_PREFIX + base64.urlsafe_b64encode(mixed).decode("ascii")


def _unseal(quiz_id: str, indices: tuple[int, ...], sealed: str) -> str | None:
    try:
        mixed = base64.urlsafe_b64decode(sealed[len(_SEAL_PREFIX):].encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return None
    raw = bytes(a ^ b for a, b in zip(mixed, _keystream(quiz_id, indices, len(mixed))))
    check, body = raw[:4], raw[4:]
    if len(raw) < 4 or hashlib.sha256(body).digest()[:4] != check:
        return None
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


# ---------------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class QuizResult(Requirable):
    """Verdict of one try: ``.ok``, ``.message`` (one line), ``.score``; ``.require()`` from Requirable."""

    quiz_id: str
    choice: tuple[int, ...]
    ok: bool
    message: str
    score: int
    explanation: str = field(default="", repr=False)

    def _ipython_display_(self) -> None:
        """Show nothing: ``answer`` already printed the message. (A trailing ``;`` would not help:
        nbval executes cells with store_history=False, and IPython then ignores the semicolon.)"""

    def __repr__(self) -> str:
        return f"QuizResult(quiz={self.quiz_id!r}, choice={list(self.choice)}, ok={self.ok}, score={self.score})"


# ---------------------------------------------------------------------------------------------------
# The quiz
# ---------------------------------------------------------------------------------------------------

class Quiz:
    """A multiple-choice question with one or several correct options, as in the source's ``??`` blocks.

    Parameters
    ----------
    quiz_id : str
        ``"N.k"``, the k-th quiz of notebook N; part of the hashed key.
    question : str
        Markdown-free text; ``$...$`` LaTeX renders in the widget.
    options : list of str
        Two to twelve option texts, numbered from 0 in the order given.
    key : str
        ``quiz_key(quiz_id, correct_indices)``. It must match some non-empty set of these options,
        otherwise ValueError (a key computed for another quiz id is caught here).
    penalty : int
        Points lost per wrong try before the first right one (source: ``\\penalty:N``).
    points : int
        Score for a right first try. ``score = max(0, points - penalty * wrong_tries)`` once right,
        0 while never right. Tries after the first right one are logged but change nothing.
    explanation : str
        Shown after a right answer only (never sent to the browser before that). Plain text or a
        sealed ``"qs1:..."`` string from ``quiz_seal``.
    shownext : bool
        The source's ``\\shownext:true`` hides the text that follows a quiz until it is answered.
        A widget cannot hide later notebook cells (that needs JavaScript in the page, which JupyterLab
        does not run for untrusted notebooks), so here ``shownext=True`` means: the widget says
        "answer this before reading on" and the explanation, which should then carry the follow-up
        step, stays locked until the right answer. With ``shownext=False`` the explanation is still
        withheld until a right answer, and no notice is shown.

    Answer in code with ``quiz.answer([0, 2])``: it prints one line and returns a QuizResult, which
    IPython does not display again (so ``q.answer([0, 2]).require()`` may end a cell).
    """

    def __init__(self, quiz_id: str, question: str, options, key: str, penalty: int = 5,
                 points: int = 10, explanation: str = "", shownext: bool = False):
        self.quiz_id = _check_id(quiz_id)
        if not isinstance(question, str) or not question.strip():
            raise ValueError(f"quiz {quiz_id}: question must be a non-empty string, got {question!r}")
        if isinstance(options, str) or not hasattr(options, "__len__"):
            raise ValueError(f"quiz {quiz_id}: options must be a list of strings, got {options!r}")
        options = list(options)
        if not 2 <= len(options) <= _MAX_OPTIONS:
            raise ValueError(f"quiz {quiz_id}: expected 2..{_MAX_OPTIONS} options, got {len(options)}")
        for i, text in enumerate(options):
            if not isinstance(text, str) or not text.strip():
                raise ValueError(f"quiz {quiz_id}: option {i} must be a non-empty string, got {text!r}")
        for name, value in (("penalty", penalty), ("points", points)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"quiz {quiz_id}: {name} must be a non-negative int, got {value!r}")
        if not isinstance(key, str) or not _KEY_RE.match(key):
            raise ValueError(f"quiz {quiz_id}: key must look like 'qk1:' + 32 hex digits "
                             f"(from quiz_key), got {key!r}")
        if not isinstance(explanation, str):
            raise ValueError(f"quiz {quiz_id}: explanation must be a string, got {explanation!r}")
        self.question = question
        self.options = options
        self.key = key
        self.penalty = penalty
        self.points = points
        self.shownext = bool(shownext)
        self._explanation = explanation
        self._check_key()
        self.tries = 0
        self.wrong_tries = 0
        self.solved = False
        self._score = 0
        self._last = None
        self._view = None

    # -- checking ------------------------------------------------------------------------------------

    def _matches(self, indices: tuple[int, ...]) -> bool:
        return hmac.compare_digest(quiz_key(self.quiz_id, indices), self.key)

    def _check_key(self) -> None:
        """Confirm that the key is the key of some non-empty set of these options."""
        n = len(self.options)
        for mask in range(1, 2 ** n):
            subset = tuple(i for i in range(n) if mask >> i & 1)
            if self._matches(subset):
                return
        raise ValueError(f"quiz {self.quiz_id}: key {self.key} matches no set of its {n} options; "
                         f"was it computed for another quiz id or option list? "
                         f"Recompute with quiz_key({self.quiz_id!r}, [correct indices]).")

    @property
    def score(self) -> int:
        """Points minus penalty per wrong try before the first right one, floored at 0; 0 if never right."""
        return self._score

    def answer(self, choice) -> QuizResult:
        """Answer in code: ``choice`` is an option index or a list of them. Prints and returns the verdict."""
        result = self._try(choice, source="code")
        print(result.message)
        return result

    def _try(self, choice, source: str) -> QuizResult:
        indices = _check_choice(self.quiz_id, choice, len(self.options))
        ok = self._matches(indices)
        already = self.solved
        self.tries += 1
        if ok and not already:
            self.solved = True
            self._score = max(0, self.points - self.penalty * self.wrong_tries)
        elif not ok and not already:
            self.wrong_tries += 1
        shown = list(indices)
        if ok:
            message = (f"Quiz {self.quiz_id}: {shown} is correct. Score {self._score}/{self.points}"
                       f" ({self.wrong_tries} wrong {'try' if self.wrong_tries == 1 else 'tries'} before).")
        elif already:
            message = f"Quiz {self.quiz_id}: {shown} is not correct (already solved; score stays {self._score}/{self.points})."
        else:
            message = (f"Quiz {self.quiz_id}: {shown} is not correct; try again "
                       f"({self.wrong_tries} wrong so far, -{self.penalty} points each).")
        QUIZ_LOG.append({"quiz": self.quiz_id, "choice": shown, "ok": ok, "source": source,
                         "score": self._score})
        explanation = self._open_explanation(indices) if ok else ""
        result = QuizResult(self.quiz_id, indices, ok, message, self._score, explanation)
        if ok or not already:
            self._last = result
        if self._view is not None:
            self._view.show(result, self)
        return result

    def _open_explanation(self, indices: tuple[int, ...]) -> str:
        text = self._explanation
        if text.startswith(_SEAL_PREFIX):
            opened = _unseal(self.quiz_id, indices, text)
            if opened is None:
                raise ValueError(f"quiz {self.quiz_id}: the sealed explanation does not open with the "
                                 f"correct set; reseal it with quiz_seal({self.quiz_id!r}, ...)")
            return opened
        return text

    # -- display -------------------------------------------------------------------------------------

    def text(self) -> str:
        """The plain-text form: header, question, numbered options, how to answer in code."""
        several = "one or more options may be correct"
        lines = [f"Quiz {self.quiz_id} ({self.points} points, -{self.penalty} per wrong try; {several})",
                 self.question]
        lines += [f"  [{i}] {text}" for i, text in enumerate(self.options)]
        if self.shownext:
            lines.append("Answer this before reading on.")
        lines.append("Answer by ticking the boxes, or in code: .answer([indices])")
        return "\n".join(lines)

    __str__ = text

    def __repr__(self) -> str:
        return self.text()

    def widget(self):
        """The ipywidgets form (built once): question, one checkbox per option, Check, feedback, status."""
        if self._view is None:
            self._view = _QuizView(self)
        return self._view.box

    def _repr_mimebundle_(self, include=None, exclude=None):
        box = self.widget()
        return {
            "text/plain": self.text(),
            "application/vnd.jupyter.widget-view+json": {
                "version_major": 2, "version_minor": 0, "model_id": box.model_id},
        }


def _html(text: str) -> str:
    """Escape HTML special characters but keep $...$ for MathJax (HTMLMath typesets it)."""
    return html.escape(text, quote=False)


class _QuizView:
    """The widget form of one quiz. Built only when displayed, so plain Python never needs a browser."""

    def __init__(self, quiz: Quiz):
        import ipywidgets as w

        self.quiz = quiz
        title = w.HTMLMath(value=f"<b>Quiz {_html(quiz.quiz_id)}.</b> {_html(quiz.question)}")
        self.checkboxes = [w.Checkbox(value=False, description="", indent=False,
                                      layout=w.Layout(width="2em"))
                           for _ in quiz.options]
        rows = [w.HBox([box, w.HTMLMath(value=f"{_html(text)}")])
                for box, text in zip(self.checkboxes, quiz.options)]
        self.button = w.Button(description="Check", button_style="primary")
        self.button.on_click(self._on_click)
        self.feedback = w.HTMLMath(value="")
        self.status = w.Label(value="")
        self.explanation = w.HTMLMath(value="")
        self.explanation.layout.display = "none"
        notice = "Answer this before reading on. " if quiz.shownext else ""
        note = w.Label(value=f"{notice}One or more options may be correct.")
        self.box = w.VBox([title, note, *rows, w.HBox([self.button, self.status]),
                           self.feedback, self.explanation])
        self._update_status(quiz)
        if quiz._last is not None:  # answered in code before the form was first shown
            self.show(quiz._last, quiz)

    def _update_status(self, quiz: Quiz) -> None:
        state = "solved" if quiz.solved else "open"
        self.status.value = (f"tries {quiz.tries}, wrong before solving {quiz.wrong_tries}; "
                             f"score {quiz.score}/{quiz.points} ({state})")

    def _on_click(self, _button) -> None:
        choice = [i for i, box in enumerate(self.checkboxes) if box.value]
        if not choice:
            self.feedback.value = "Tick at least one option, then press Check."
            return
        self.quiz._try(choice, source="widget")

    def show(self, result: QuizResult, quiz: Quiz) -> None:
        mark = "✔" if result.ok else "✘"
        self.feedback.value = f"{mark} {_html(result.message)}"
        if result.ok and result.explanation:
            self.explanation.value = _html(result.explanation)
            self.explanation.layout.display = None
        self._update_status(quiz)


# ---------------------------------------------------------------------------------------------------
# Command line: python -m backprop_lib quiz-key 2.1 0 2 [--seal TEXT]
# ---------------------------------------------------------------------------------------------------

def quiz_key_main(argv) -> int:
    """Print the key for ``QUIZ_ID INDEX [INDEX ...]`` on one line; with ``--seal TEXT`` the sealed
    explanation on the next. Returns the exit status: 0, or 2 for bad arguments."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m backprop_lib quiz-key",
        description="Compute the answer key (and optionally a sealed explanation) for a Quiz.")
    parser.add_argument("quiz_id", help="quiz id, e.g. 2.1")
    parser.add_argument("indices", nargs="+", help="correct option indices, counted from 0")
    parser.add_argument("--seal", metavar="TEXT", help="explanation to seal with the correct set")
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as exc:  # argparse already printed the usage message
        return int(exc.code or 0)
    try:
        indices = [int(text) for text in args.indices]
    except ValueError:
        print(f"error: option indices must be integers, got {args.indices}", file=sys.stderr)
        return 2
    try:
        print(quiz_key(args.quiz_id, indices))
        if args.seal is not None:
            print(quiz_seal(args.quiz_id, indices, args.seal))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(quiz_key_main(sys.argv[1:]))
