"""Quizzes as data: one line in the notebook, `quiz("3.1")`; the question lives in the package.

Each notebook N has a data file `quizzes/chNN.json` beside this module. A quiz there holds its question and
numbered options (Markdown with $LaTeX$), its points, and what must not be read at a glance:

* `key`, a salted SHA-256 digest of the quiz id and the sorted set of right options. An answer is right when
  its own digest equals the key. This hides the answer from a reader of the notebook or the data file; it is not
  a secret in the cryptographic sense (anyone with the package can hash the 2^n - 1 candidate sets, which is no
  quicker than trying them), and it need not be one: the grade counts the final answer in the answer cell.
* `marks`, one digest per option saying whether that option belongs to the right set, so that a wrong try can
  name the option that is wrong; `notes`, one sealed line per option saying why (where a one-line reason exists).
* `explanation`, sealed so that only the right set opens it.

The student answers in the answer cell with `answer("3.1", [1, 3])`; the grader reads that line from the
notebook file without running anything (`score_answer_source`). The clickable form is for practice. A
self-learner who gives up can call `quiz("3.1").reveal()`. Used in every notebook.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import hmac
import html
import json
import operator
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..verdict import CheckFailed, Requirable

__all__ = ["Quiz", "QuizOutcome", "all_quizzes", "answer", "author", "quiz", "score_answer_source"]

_DATA = Path(__file__).with_name("quizzes")
_SALT = b"backprop_lib.quiz.v2"
_KEY_RE = re.compile(r"^qk2:[0-9a-f]{32}$")
_ID_RE = re.compile(r"^\d{1,2}\.\d{1,2}$")
_MAX_OPTIONS = 8


# ------------------------------------------------------------------------------------------------ digests
def _digest(*parts) -> bytes:
    return hashlib.sha256(b"|".join([_SALT, *[str(p).encode("utf-8") for p in parts]])).digest()


def _key(qid: str, indices) -> str:
    return "qk2:" + _digest("key", qid, ",".join(map(str, sorted(indices)))).hex()[:32]


def _mark(qid: str, i: int, right: bool) -> str:
    return _digest("mark", qid, i, int(right)).hex()[:16]


def _seal(secret: str, text: str) -> str:
    raw = hashlib.sha256(text.encode()).digest()[:4] + text.encode("utf-8")
    return "s2:" + base64.urlsafe_b64encode(bytes(a ^ b for a, b in zip(raw, _stream(secret, len(raw))))).decode()


def _unseal(secret: str, sealed: str) -> str | None:
    try:
        mixed = base64.urlsafe_b64decode(sealed[3:].encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return None
    raw = bytes(a ^ b for a, b in zip(mixed, _stream(secret, len(mixed))))
    if len(raw) < 4 or hashlib.sha256(raw[4:]).digest()[:4] != raw[:4]:
        return None
    return raw[4:].decode("utf-8", errors="replace")


def _stream(secret: str, n: int) -> bytes:
    blocks, counter = [], 0
    while 32 * len(blocks) < n:
        blocks.append(_digest("stream", secret, counter))
        counter += 1
    return b"".join(blocks)[:n]


def _right_secret(qid, indices):
    return f"explain|{qid}|{','.join(map(str, sorted(indices)))}"


def _note_secret(qid, i):
    return f"note|{qid}|{i}"


# ------------------------------------------------------------------------------------------------ data
def author(qid: str, question: str, options, right, explanation: str, notes=None, points: int = 10) -> dict:
    """The data-file entry of a quiz (for authors): question, options, right indices, explanation, notes.

    `notes` maps an option index to a one-line reason (why it is right or wrong), shown when that option is
    chosen. Write the entry into `quizzes/chNN.json` under the key `qid` (CONTRIBUTING.md shows how).
    """
    if not isinstance(qid, str) or not _ID_RE.match(qid):
        raise ValueError(f"qid must look like '3.1', got {qid!r}")
    options = list(options)
    if not 2 <= len(options) <= _MAX_OPTIONS:
        raise ValueError(f"quiz {qid}: options must list 2..{_MAX_OPTIONS} texts, got {len(options)}")
    right = _choice(qid, right, len(options))
    notes = {int(i): str(t) for i, t in (notes or {}).items()}
    return {
        "question": question,
        "options": options,
        "points": int(points),
        "key": _key(qid, right),
        "marks": [_mark(qid, i, i in right) for i in range(len(options))],
        "explanation": _seal(_right_secret(qid, right), explanation),
        "notes": {str(i): _seal(_note_secret(qid, i), t) for i, t in sorted(notes.items())},
    }


@cache
def _bank(chapter: int) -> dict:
    path = _DATA / f"ch{chapter:02d}.json"
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def all_quizzes() -> dict[str, Quiz]:
    """Every quiz of the series by id, in notebook order."""
    out = {}
    for path in sorted(_DATA.glob("ch*.json")):
        for qid in _bank(int(path.stem[2:])):
            out[qid] = Quiz.load(qid)
    return out


def _choice(qid: str, choice, n: int | None) -> tuple[int, ...]:
    """An option index or a list of them, as a sorted tuple; ValueError names what is wrong."""
    if isinstance(choice, (str, bytes)) or choice is None:
        raise ValueError(f"quiz {qid}: give option numbers (ints) such as [0, 2], got {choice!r}")
    items = list(choice) if hasattr(choice, "__iter__") else [choice]
    out = []
    for item in items:
        if isinstance(item, bool):
            raise ValueError(f"quiz {qid}: option numbers are ints, got {item!r}")
        try:
            i = operator.index(item)
        except TypeError:
            raise ValueError(f"quiz {qid}: option numbers are ints, got {item!r}") from None
        if i < 0 or (n is not None and i >= n):
            raise ValueError(f"quiz {qid}: option {i} does not exist; the options are numbered 0..{(n or 1) - 1}")
        if i in out:
            raise ValueError(f"quiz {qid}: option {i} is given twice")
        out.append(i)
    return tuple(sorted(out))


# ------------------------------------------------------------------------------------------------ outcome
@dataclass(frozen=True)
class QuizOutcome(Requirable):
    """The verdict on one answer: ok, a short message (a few lines at most), points earned."""

    qid: str
    choice: tuple
    ok: bool
    message: str
    points: int
    max_points: int
    answered: bool = True

    def __repr__(self):
        return self.message

    def _repr_markdown_(self):
        return _md_lines(self.message)


def _md_lines(text):
    return "  \n".join(text.splitlines())


# ------------------------------------------------------------------------------------------------ the quiz
class Quiz:
    """One multiple-choice question of the series; `Quiz.load("3.1")` or `quiz("3.1")`."""

    def __init__(self, qid: str, data: dict):
        self.qid = qid
        self.question = data["question"]
        self.options = list(data["options"])
        self.points = int(data["points"])
        self._data = data

    @classmethod
    def load(cls, qid: str) -> Quiz:
        if not isinstance(qid, str) or not _ID_RE.match(qid):
            raise ValueError(f"a quiz id looks like '3.1', got {qid!r}")
        data = _bank(int(qid.split(".")[0])).get(qid)
        if data is None:
            raise ValueError(f"there is no quiz {qid}")
        return cls(qid, data)

    # -- judging (plain Python: the grader uses exactly this) --
    def is_right(self, choice) -> bool:
        return hmac.compare_digest(_key(self.qid, _choice(self.qid, choice, len(self.options))), self._data["key"])

    def judge(self, choice) -> QuizOutcome:
        """Right or not, and when not: which chosen option is wrong and why (its note), or that one is missing."""
        if choice is None or (hasattr(choice, "__len__") and len(choice) == 0):
            return QuizOutcome(
                self.qid,
                (),
                False,
                f"Quiz {self.qid} is not answered yet: put the numbers of "
                "the options you choose in the list, e.g. [0, 2].",
                0,
                self.points,
                answered=False,
            )
        indices = _choice(self.qid, choice, len(self.options))
        if self.is_right(indices):
            text = f"✔ Quiz {self.qid}: {list(indices)} is right."
            explanation = _unseal(_right_secret(self.qid, indices), self._data["explanation"]) or ""
            return QuizOutcome(
                self.qid, indices, True, text + ("\n" + explanation if explanation else ""), self.points, self.points
            )
        wrong = [i for i in indices if self._data["marks"][i] == _mark(self.qid, i, False)]
        lines = [f"✘ Quiz {self.qid}: {list(indices)} is not right."]
        for i in wrong[:2]:
            note = self._note(i)
            lines.append(f"Option {i} is wrong" + (f": {note}" if note else "."))
        if not wrong:
            lines.append("Every option you chose is right, but at least one more option is right too.")
        return QuizOutcome(self.qid, indices, False, "\n".join(lines), 0, self.points)

    def _note(self, i):
        sealed = self._data.get("notes", {}).get(str(i))
        return _unseal(_note_secret(self.qid, i), sealed) if sealed else ""

    def solution(self) -> tuple[list[int], str]:
        """The right options and the explanation (for the web book and for `reveal`)."""
        n = len(self.options)
        for mask in range(1, 2**n):
            subset = [i for i in range(n) if mask >> i & 1]
            if self.is_right(subset):
                return subset, _unseal(_right_secret(self.qid, subset), self._data["explanation"]) or ""
        raise ValueError(f"quiz {self.qid}: its key matches no set of options (a broken data file)")

    def reveal(self):
        """Show the right options and why: for a self-learner who asks for the answer."""
        from IPython.display import Markdown, display

        right, explanation = self.solution()
        display(Markdown(f"**Quiz {self.qid}, the answer:** {right}.  \n{explanation}"))

    # -- display --
    def text(self) -> str:
        lines = [f"Quiz {self.qid} ({self.points} points; one or more options may be right)", self.question]
        lines += [f"  [{i}] {t}" for i, t in enumerate(self.options)]
        lines.append(
            f'Tick your options and press Check, then write them in the answer cell: answer("{self.qid}", [...])'
        )
        return "\n".join(lines)

    def markdown(self) -> str:
        lines = [f"**Quiz {self.qid}** ({self.points} points; one or more options may be right). {self.question}", ""]
        lines += [f"{i}. {t}" for i, t in enumerate(self.options)]
        return "\n".join(lines)

    def to_html(self, reveal: bool = True) -> str:
        """The quiz as an HTML fragment; with `reveal`, a <details> element opens the answer and explanation."""
        parts = [f'<div class="bp-quiz"><p><b>Quiz {self.qid}.</b> {_inline_html(self.question)}</p><ol start="0">']
        parts += [f"<li>{_inline_html(t)}</li>" for t in self.options]
        parts.append("</ol>")
        if reveal:
            right, explanation = self.solution()
            parts.append(
                f"<details><summary>Show the answer</summary><p>Right: {', '.join(map(str, right))}.</p>"
                f"<p>{_inline_html(explanation)}</p></details>"
            )
        parts.append("</div>")
        return "".join(parts)

    def __repr__(self):
        return self.text()

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {"text/plain": self.text(), "text/markdown": self.markdown()}
        try:
            box = _QuizForm(self).box
        except ImportError:  # no ipywidgets: the Markdown form still reads well
            return bundle
        bundle["application/vnd.jupyter.widget-view+json"] = {
            "version_major": 2,
            "version_minor": 0,
            "model_id": box.model_id,
        }
        return bundle


def _inline_html(text: str) -> str:
    """Markdown's inline marks (`code`, **bold**, *italic*) as HTML, other text escaped, $math$ left as it is."""
    parts = re.split(r"(\$\$.+?\$\$|\$[^$]+\$)", text)  # odd parts are math: no Markdown inside them
    out = []
    for i, part in enumerate(parts):
        part = html.escape(part, quote=False)
        if i % 2 == 0:
            part = re.sub(r"`([^`]+)`", r"<code>\1</code>", part)
            part = re.sub(r"\*\*([^*]+)\*\*", r"<b>\1</b>", part)
            part = re.sub(r"(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])", r"<i>\1</i>", part)
        out.append(part)
    return "".join(out).replace("\n", "<br>")


class _QuizForm:
    """The clickable form: question, one checkbox per option, Check, and the feedback of the last try."""

    def __init__(self, q: Quiz):
        import ipywidgets as w

        self.quiz = q
        self.boxes = [w.Checkbox(value=False, indent=False, layout=w.Layout(width="2em")) for _ in q.options]
        rows = [
            w.HBox([b, w.HTMLMath(value=f"<b>{i}.</b> {_inline_html(t)}")])
            for i, (b, t) in enumerate(zip(self.boxes, q.options))
        ]
        button = w.Button(description="Check", button_style="primary")
        button.on_click(self._check)
        self.feedback = w.HTMLMath(value="")
        head = w.HTMLMath(
            value=f"<b>Quiz {q.qid}</b> ({q.points} points; one or more options may be right). "
            f"{_inline_html(q.question)}"
        )
        self.box = w.VBox([head, *rows, button, self.feedback])

    def _check(self, _button):
        choice = [i for i, b in enumerate(self.boxes) if b.value]
        outcome = self.quiz.judge(choice)
        tail = (
            ""
            if not outcome.ok
            else f'<br>Now write it in the answer cell: <code>answer("{self.quiz.qid}", {list(outcome.choice)})</code>'
        )
        self.feedback.value = _inline_html(outcome.message) + tail


def quiz(qid: str) -> Quiz:
    """The quiz `qid` ("3.1"), shown as a clickable form (and as text where widgets do not render)."""
    return Quiz.load(qid)


def answer(qid: str, choice) -> QuizOutcome:
    """Answer quiz `qid` in code: `answer("3.1", [1, 3])`. This cell is what the grader scores.

    An empty list means "not answered yet" (no error, so Run All goes on). A wrong answer says which chosen
    option is wrong and why; it does not stop the notebook either: a quiz is a question, not a proof.
    """
    try:
        return Quiz.load(qid).judge(choice)
    except ValueError as exc:
        raise CheckFailed(f"✘ {exc}") from None


# ------------------------------------------------------------------------------------------------ grading
def score_answer_source(qid: str, source: str) -> QuizOutcome:
    """Score an answer cell from its source text alone (nothing is run): the last `answer("qid", [...])` line.

    The list must be written as a literal (numbers in brackets); anything else scores 0 with a message.
    """
    q = Quiz.load(qid)
    choice = None
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return QuizOutcome(qid, (), False, f"Quiz {qid}: the answer cell is not valid Python", 0, q.points, False)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "answer"
            and len(node.args) == 2
            and isinstance(node.args[0], ast.Constant)
            and node.args[0].value == qid
        ):
            try:
                choice = ast.literal_eval(node.args[1])
            except ValueError:
                return QuizOutcome(
                    qid, (), False, f"Quiz {qid}: write the option numbers as a list such as [0, 2]", 0, q.points, False
                )
    if choice is None:
        return QuizOutcome(
            qid, (), False, f'Quiz {qid}: no answer("{qid}", [...]) line in the answer cell', 0, q.points, False
        )
    try:
        return q.judge(choice)
    except ValueError as exc:
        return QuizOutcome(qid, (), False, str(exc), 0, q.points, False)


# ------------------------------------------------------------------------------------------------ authoring
def dump_chapter(chapter: int) -> dict:
    """The plaintext of a chapter's quizzes (right options, explanation and notes opened), for editing."""
    out = {}
    for qid in _bank(chapter):
        q = Quiz.load(qid)
        right, explanation = q.solution()
        notes = {str(i): q._note(i) for i in range(len(q.options)) if q._note(i)}
        out[qid] = {
            "question": q.question,
            "options": q.options,
            "right": right,
            "explanation": explanation,
            "notes": notes,
            "points": q.points,
        }
    return out


def store_chapter(plain: dict) -> Path:
    """Seal an edited plaintext (as `dump_chapter` writes it) back into quizzes/chNN.json; returns the path."""
    chapters = {int(qid.split(".")[0]) for qid in plain}
    if len(chapters) != 1:
        raise ValueError(f"plain: expected the quizzes of one chapter, got chapters {sorted(chapters)}")
    bank = {
        qid: author(
            qid,
            q["question"],
            q["options"],
            q["right"],
            q["explanation"],
            notes=q.get("notes"),
            points=q.get("points", 10),
        )
        for qid, q in plain.items()
    }
    path = _DATA / f"ch{chapters.pop():02d}.json"
    path.write_text(json.dumps(bank, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    _bank.cache_clear()
    return path


def quizzes_main(argv) -> int:
    """`python -m backprop_lib quizzes dump NN > quizzes-NN.json`, edit, `... quizzes store quizzes-NN.json`."""
    import sys

    if len(argv) == 2 and argv[0] == "dump" and argv[1].isdigit():
        print(json.dumps(dump_chapter(int(argv[1])), indent=1, ensure_ascii=False))
        return 0
    if len(argv) == 2 and argv[0] == "store":
        try:
            path = store_chapter(json.loads(Path(argv[1]).read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError) as exc:
            print(f"quizzes store: {exc}", file=sys.stderr)
            return 2
        print(f"wrote {path}")
        return 0
    print("usage: python -m backprop_lib quizzes dump NN | quizzes store FILE.json", file=sys.stderr)
    return 2
