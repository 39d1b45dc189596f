"""Mirror of notebooks/00_index.ipynb: the contents link every notebook 00-09, the page explains the workbook
(answer, check, solution, quiz, answer, reveal, progress) without spelling out nbgrader's markers, the four
sources are named as they print themselves, the notation table covers the traps it promises, the demonstration's
claims hold (and its wrong formula is rejected for the stated reason), the quizzes accept the intended answers and
name each wrong option, and the progress cell reports a workbook's state."""

import json
import re
import sys
from pathlib import Path

import nbformat
import pytest

from backprop_lib.course import progress
from backprop_lib.course.quiz import Quiz
from backprop_lib.course.strip import BEGIN_HIDDEN, BEGIN_SOLUTION, END_HIDDEN, END_SOLUTION, has_marker, student_copy
from backprop_lib.symbolic import SymbolicNetwork, check, prove, reject
from backprop_lib.verdict import CheckFailed

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nbtools  # noqa: E402

NB = nbtools.NOTEBOOKS / "00_index.ipynb"
SERIES = [
    "00_index",
    "01_forward_pass",
    "02_error_signal",
    "03_recursion",
    "04_matrix_form",
    "05_batching",
    "06_training_mnist",
    "07_proofreading",
    "08_autodiff",
    "09_depth",
]
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"  # ../shared/seeds beside the repository


def cells():
    return nbformat.read(str(NB), as_version=4).cells


def markdown():
    return "\n".join(c.source for c in cells() if c.cell_type == "markdown")


def section(title, until):
    return markdown().split(title, 1)[1].split(until, 1)[0]


# ------------------------------------------------------------------------------------------- contents
def test_contents_links_every_notebook_00_to_09_once_in_order():
    contents = section("## Contents", "## The four sources")
    assert re.findall(r"\]\((\d\d_[a-z_]+)\.ipynb\)", contents) == SERIES
    assert "reverse-mode automatic differentiation" in contents
    assert "depth, activations and the output layer" in contents


def test_existing_notebooks_are_linked_by_their_real_file_names():
    text = markdown()
    for path in sorted(nbtools.NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        assert f"]({path.name})" in text, path.name


# ------------------------------------------------------------------------------------------- how to work
def test_how_to_work_explains_the_workbook_and_every_audience():
    text = section("## How to work through the series", "## Contents")
    for needle in (
        "python -m backprop_lib workbook",
        "make lab",
        "workbook/",
        "--reset",
        'check("N.k")',
        'solution("N.k")',
        'quiz("N.k")',
        'answer("N.k", [0, 2])',
        'quiz("N.k").reveal()',
        "Your progress",
        "NotImplementedError",
        "INSTRUCTORS.md",
        "make test",
        "python -m backprop_lib release",
        "python -m backprop_lib grade",
    ):
        assert needle in text, needle
    assert "penalty" not in text and ".answer([" not in text, "the old quiz API is gone"


def test_no_marker_text_outside_the_answer_cells():
    # nbgrader reads a marker anywhere in a line, so prose and teaching code must never spell one out
    for index, cell in enumerate(cells()):
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            continue
        for marker in (BEGIN_SOLUTION, END_SOLUTION, BEGIN_HIDDEN, END_HIDDEN):
            assert not has_marker(cell.source, marker), (index, marker)


def test_the_student_copy_keeps_no_answer():
    copy, n_solutions, n_hidden = student_copy(nbformat.read(str(NB), as_version=4), NB.name, keep_outputs=True)
    assert (n_solutions, n_hidden) == (3, 0)
    text = "\n".join(c["source"] for c in copy["cells"])
    for qid, right in INTENDED.items():
        assert f'answer("{qid}", {right})' not in text
        assert f'answer("{qid}", [])' in text


# ------------------------------------------------------------------------------------------- the sources
# Title, author and link of each source as its own text prints them (the files of ../shared/seeds).
SOURCES = {
    "000": {
        "title": "Derivation of back propagation equation",
        "author": "Long",
        "links": ["https://github.com/wangl-cc/NeuralNetwork.jl", "http://neuralnetworksanddeeplearning.com/"],
    },
    "001": {"title": "Derivation of Backprop", "author": "author not printed", "links": []},
    "002": {"title": "no title printed", "author": "author not printed", "links": ["https://github.com/3h4/tutorials"]},
    "003": {
        "title": "Chapter 5: Back Propagation for a Two layered Neural Network (Matrix Calculus)",
        "author": "author not printed",
        "links": [
            "http://neuralnetworksanddeeplearning.com/chap2.html",
            "https://cedar.buffalo.edu/~srihari/CSE574/Chap5/Chap5.3-BackProp.pdf",
        ],
    },
}


def source_rows():
    table = section("## The four sources", "## One notation for four sources")
    return {m.group(1): line for line in table.splitlines() if (m := re.match(r"\| (\d{3}) \|", line))}


def test_the_four_sources_are_named_by_title_author_and_link():
    rows = source_rows()
    assert sorted(rows) == sorted(SOURCES)
    header = next(
        line for line in section("## The four sources", "## One notation").splitlines() if line.startswith("| source")
    )
    cols = header.count("|")
    for key, want in SOURCES.items():
        row = rows[key]
        assert row.count("|") == cols, f"source {key}: every row has the table's columns"
        assert want["title"] in row and want["author"] in row, key
        for link in want["links"]:
            assert f"<{link}>" in row, (key, link)
        if not want["links"] or key == "003":
            assert "none printed" in row, f"source {key} prints no address of its own"
    assert "Source 000" not in markdown(), "the sources are no longer called by number alone"


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the source texts are not on this machine")
def test_the_names_are_the_ones_the_source_texts_print():
    texts = {p.name[:3]: p.read_text(encoding="utf-8") for p in SEEDS.glob("00[0-3]_*.txt")}
    assert sorted(texts) == sorted(SOURCES)
    for key, want in SOURCES.items():
        text = texts[key]
        printed = re.search(r'^title:\s*"(.+)"', text, re.M) or re.match(r"# (.+)", text)
        if want["title"] == "no title printed":
            assert printed is None, f"source {key} prints a title after all"
        else:
            assert printed and printed.group(1).strip() == want["title"], key
        author = re.search(r"^author:\s*(.+)$", text, re.M)
        if want["author"] == "author not printed":
            assert author is None, f"source {key} prints an author after all"
        else:
            assert author and author.group(1).strip() == want["author"], key
        for link in want["links"]:
            assert link in text, (key, link)


# ------------------------------------------------------------------------------------------- notation
def test_notation_table_reconciles_the_sources():
    table = section("## One notation for four sources", "## How the proofs work")
    rows = [r for r in table.splitlines() if r.startswith("|")]
    assert len(rows) >= 12
    assert all(r.count("|") == rows[0].count("|") for r in rows), "every table row has the same number of cells"
    for needle in (
        r"\Delta^l_i",
        r"\delta_{ij}",
        r"\omega",
        r"\lambda",
        r"\rho",
        r"\phi",
        "B^L",
        r"w^l_{kj}",
        r"W^l_{jk}",
        "Einstein",
        "$m$",
        "$n$",
        "any* layer",
        r"\odot",
        r"\circ",
    ):
        assert needle in table, needle


def test_the_index_is_not_graded_but_has_quizzes():
    nbtools.assert_exercises(NB, {})


# ------------------------------------------------------------------------------------------- quizzes
INTENDED = {"0.1": [1], "0.2": [0, 2], "0.3": [1, 3]}


def test_each_quiz_is_one_line_followed_by_its_answer_cell():
    nbtools.assert_quizzes(NB, INTENDED)


def test_quiz_texts_are_typeset_not_ascii():
    for qid in INTENDED:
        _, explanation = Quiz.load(qid).solution()
        assert "$" in explanation, qid
        assert not re.search(r"(?<![\\\w])(omega|delta|lambda|sigma)\^", explanation), qid


# ------------------------------------------------------------------------------------------- the demonstration
def test_demonstration_gradient_is_proved_and_sigma_for_sigma_prime_is_rejected_by_name():
    one = SymbolicNetwork([1, 1], cost="quadratic")
    x, y, z, a = one.x[0], one.y[0], one.z[1][0], one.a[1][0]
    assert prove("demo", (a - y) * one.sigma_prime_f(z) * x, one.dC_dW(1), net=one).ok
    shown = reject("demo", (a - y) * one.sigma_f(z) * x, one.dC_dW(1), expect="σ where σ′ belongs", net=one)
    assert not shown.ok
    with pytest.raises(CheckFailed, match="σ where σ′ belongs"):  # a failed proof stops the cell
        prove("demo", (a - y) * one.sigma_f(z) * x, one.dC_dW(1), net=one)
    with pytest.raises(CheckFailed, match="was shown as wrong, but the engine proves it"):
        reject("demo", (a - y) * one.sigma_prime_f(z) * x, one.dC_dW(1), expect="σ", net=one)
    # the demonstration's claim is not special to one neuron: the same gradient holds entry by entry for 3 inputs
    three = SymbolicNetwork([3, 1], cost="quadratic")
    dz = (three.a[1] - three.y).multiply_elementwise(three.sigma_prime_of(three.z[1]))
    assert check(dz * three.x.T, three.dC_dW(1), net=three).ok
    assert not check(dz * three.x.T * 2, three.dC_dW(1), net=three).ok


def test_the_demonstration_cell_imports_the_course_functions_first():
    first = next(c.source for c in cells() if c.cell_type == "code")
    assert first.splitlines()[0].startswith("from backprop_lib.course import answer, check, quiz, solution")


# ------------------------------------------------------------------------------------------- progress
def test_progress_cell_is_the_one_call():
    sources = [c.source for c in cells() if c.cell_type == "code" and "progress" in c.source]
    assert sources == ["from backprop_lib.course import progress\n\nprogress()"]


def _table(folder):
    text = progress(folder).text
    return {
        line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:-1]]
        for line in text.splitlines()
        if re.match(r"\| \d\d \|", line)
    }


def test_progress_reads_a_workbook_exercises_from_the_checks_and_quizzes_from_the_saved_answers(tmp_path):
    for name in ("00_index.ipynb", "01_forward_pass.ipynb"):
        nb = nbformat.read(str(nbtools.NOTEBOOKS / name), as_version=4)
        copy, _, _ = student_copy(nb, name, keep_outputs=True)
        (tmp_path / name).write_text(json.dumps(copy), encoding="utf-8")
    (tmp_path / ".workbook.json").write_text("{}")
    blank = _table(tmp_path)
    assert blank["00"][:2] == ["0 of 0", "0 of 3"] and blank["01"][:2] == ["0 of 2", "0 of 4"]
    assert _table(tmp_path) == blank, "the same folder gives the same table"
    # the student answers quiz 0.2 (right) and 0.3 (wrong), and exercise 1.1's check passed once
    path = tmp_path / "00_index.ipynb"
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid == "quiz0_2-answer":
            cell["source"] = 'answer("0.2", [0, 2])'
        if gid == "quiz0_3-answer":
            cell["source"] = 'answer("0.3", [0])'
    path.write_text(json.dumps(nb))
    (tmp_path / ".progress.json").write_text(json.dumps({"exercises": {"1.1": "right", "1.2": "wrong"}}))
    now = _table(tmp_path)
    assert now["00"][:2] == ["0 of 0", "1 of 3"] and "Quiz 0.3" in now["00"][2] and "Quiz 0.2" not in now["00"][2]
    assert now["01"][0] == "1 of 2" and "Ex 1.2" in now["01"][2] and "Ex 1.1" not in now["01"][2]
