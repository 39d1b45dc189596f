"""Mirror of notebooks/00_index.ipynb: the contents link every notebook, the notation table covers the traps it
promises, the demonstration's claims hold (and its wrong formula is rejected), and the quizzes accept the intended
answers."""
import re
import sys
from pathlib import Path

import nbformat

from backprop_lib.symbolic import SymbolicNetwork, check

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nbtools import NOTEBOOKS, assert_quiz_answers, exercise_ids  # noqa: E402

NB = NOTEBOOKS / "00_index.ipynb"
SERIES = ["00_index", "01_forward_pass", "02_error_signal", "03_recursion", "04_matrix_form", "05_batching",
          "06_training_mnist", "07_proofreading"]


def markdown():
    nb = nbformat.read(str(NB), as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def test_contents_links_every_notebook_once_in_order():
    text = markdown()
    contents = text.split("## Contents", 1)[1].split("**The four sources**", 1)[0]
    links = re.findall(r"\]\((\d\d_[a-z_]+)\.ipynb\)", contents)
    assert links == SERIES


def test_existing_notebooks_are_linked_by_their_real_file_names():
    # every notebook that exists in the repo must appear in the contents under its file name
    text = markdown()
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        assert f"]({path.name})" in text, path.name


def test_how_to_use_covers_every_audience():
    text = markdown()
    for needle in ("### BEGIN SOLUTION", "### END SOLUTION", "AssertionError", ".answer([", "penalty",
                   "INSTRUCTORS.md", "make test", "python -m backprop_lib release", "python -m backprop_lib grade"):
        assert needle in text, needle


def test_notation_table_reconciles_the_sources():
    text = markdown()
    table = text.split("## One notation for four sources", 1)[1].split("## How the proofs work", 1)[0]
    rows = [r for r in table.splitlines() if r.startswith("|")]
    assert len(rows) >= 12
    assert all(r.count("|") == rows[0].count("|") for r in rows), "every table row has the same number of cells"
    for needle in (r"\Delta^l_i", r"\delta_{ij}", r"\omega", r"\lambda", r"\rho", r"\phi", "B^L", r"w^l_{kj}",
                   r"W^l_{jk}", "Einstein", "$m$", "$n$", "any* layer", r"\odot", r"\circ"):
        assert needle in table, needle


def test_the_index_is_not_graded_but_has_quizzes():
    assert exercise_ids(NB) == []


INTENDED = {"0.1": [1], "0.2": [0, 2], "0.3": [1, 3]}


def test_quizzes_accept_the_intended_answer_and_reject_another():
    assert_quiz_answers(NB, INTENDED)


def test_demonstration_gradient_is_proved_and_sigma_for_sigma_prime_is_named():
    one = SymbolicNetwork([1, 1], cost="quadratic")
    x, y, z, a = one.x[0], one.y[0], one.z[1][0], one.a[1][0]
    assert check((a - y) * one.sigma_prime_f(z) * x, one.dC_dW(1), net=one).ok
    wrong = check((a - y) * one.sigma_f(z) * x, one.dC_dW(1), net=one)
    assert not wrong.ok and "σ where σ′ belongs" in wrong.message
    # the demonstration's claim is not special to one neuron: the same gradient holds entry by entry for 3 inputs
    three = SymbolicNetwork([3, 1], cost="quadratic")
    dz = (three.a[1] - three.y).multiply_elementwise(three.sigma_prime_of(three.z[1]))
    assert check(dz * three.x.T, three.dC_dW(1), net=three).ok
    assert not check(dz * three.x.T * 2, three.dC_dW(1), net=three).ok
