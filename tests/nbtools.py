"""Test helpers for notebooks: execute a notebook with some exercise answers replaced, read each check's verdict.

Exercise cells follow nbgrader's metadata: the answer cell has grade_id "exN_k-answer", its check cell "exN_k".
Used by tests/test_NN_*.py to prove that a notebook's exercise checks reject wrong answers.
"""

from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def grade_id(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def exercise_ids(path):
    """The grade ids of the check cells (grade: true) of a notebook, in order."""
    nb = nbformat.read(str(path), as_version=4)
    return [grade_id(c) for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade")]


def run_with_answers(path, answers, timeout=120):
    """Execute notebook `path` with answer cells replaced: answers = {"ex2_1": "new source", ...}.

    Every cell runs (errors do not stop execution). Returns {check id: (ok, message)} for every check cell:
    ok is False when the check raised, and message is the exception's text.
    """
    nb = nbformat.read(str(path), as_version=4)
    ids = {grade_id(c) for c in nb.cells}
    missing = [k for k in answers if f"{k}-answer" not in ids]
    if missing:
        raise KeyError(f"{Path(path).name} has no answer cell for {missing}")
    for cell in nb.cells:
        gid = grade_id(cell)
        if gid and gid.endswith("-answer") and gid[: -len("-answer")] in answers:
            cell.source = answers[gid[: -len("-answer")]]
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=True,
        resources={"metadata": {"path": str(Path(path).parent)}},
    )
    client.execute()
    verdicts = {}
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade"):
            errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
            text = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")
            verdicts[meta["grade_id"]] = (
                not errors,
                f"{errors[0]['ename']}: {errors[0]['evalue']}" if errors else text,
            )
    return verdicts


def quizzes(path):
    """Every Quiz a notebook defines, by quiz id, rebuilt from its `quiz_N_k = Quiz(...)` cells."""
    from backprop_lib.quiz import Quiz

    nb = nbformat.read(str(path), as_version=4)
    found = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and "= Quiz(" in cell.source:
            ns = {"Quiz": Quiz}
            exec(cell.source, ns)
            quiz = next(v for v in ns.values() if isinstance(v, Quiz))
            found[quiz.quiz_id] = quiz
    return found


def assert_quiz_answers(path, intended):
    """Each quiz of the notebook accepts its intended answer and rejects a wrong one; no quiz is unaccounted for."""
    found = quizzes(path)
    assert sorted(found) == sorted(intended)
    for qid, right in intended.items():
        quiz = found[qid]
        wrong = [i for i in range(len(quiz.options)) if i not in right][:1]
        assert not quiz.answer(wrong).ok
        assert quiz.answer(right).ok
        assert quiz.score == quiz.points - quiz.penalty  # one wrong try before the right one


# ------------------------------------------------------------------------------------------ exercise checks
def exercise_verdict(exercise_id, source, prelude="import numpy as np\n"):
    """check(exercise_id) after running `source` as the answer cell: (ok, the lines the student sees)."""
    from backprop_lib.course.exercises import check
    from backprop_lib.verdict import CheckFailed

    namespace = {"check": check}
    exec(prelude + source, namespace)
    try:
        exec(f"result = check({exercise_id!r})", namespace)
    except CheckFailed as failure:
        return False, failure.lines
    return True, [repr(namespace["result"])]


def exercise_graded(exercise_id, source, prelude="import numpy as np\n"):
    """The grader's path: every case (hidden ones too) run in the answer's namespace, judged from the JSON."""
    import json

    from backprop_lib.course import encode
    from backprop_lib.course.exercises import _answers, _run_case, get, judge_record

    namespace = {}
    exec(prelude + source, namespace)
    ex = get(exercise_id)
    record = {"exercise": ex.id, "values": [_run_case(ex, case, _answers(ex, namespace)) for case in ex.cases()]}
    return judge_record(ex.id, json.loads(encode.dumps(record)))


def workbook_answer_cells(path):
    """{exercise id: the answer cell's source in the student's copy} of the notebook at `path`."""
    import json

    from backprop_lib.course.strip import student_copy

    copy, _, _ = student_copy(json.loads(Path(path).read_text(encoding="utf-8")), name=Path(path).name)
    cells = {}
    for cell in copy["cells"]:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
        if gid.startswith("ex") and gid.endswith("-answer"):
            cells[gid[2 : -len("-answer")].replace("_", ".")] = "".join(cell["source"])
    return cells
