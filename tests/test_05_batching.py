"""Tests mirroring notebooks/05_batching.ipynb: the batched equations (5.1)-(5.5), the exercises and the quizzes.

Part 1 checks what the notebook derives, directly with the package and the symbolic engine: the batch's columns
are the per-sample quantities, the sum of the per-sample gradient tensor is Delta (A)^T, the 1/m belongs there,
and the wrong forms (no 1^T, no 1/m, a missing transpose, sigma for sigma') are rejected with the right diagnosis,
in words that call the batch size m.
Part 2, the exercises (backprop_lib/course/exercises/ch05.py): the instructor's solution passes every case through
the grader's path, a blank answer is "not answered yet", and every typical slip is named in the first line of a
failure of at most 5 lines. Part 3: the quizzes, the one-line cells, the captions and the shared colour scale.
"""

import nbtools
import numpy as np
import pytest
import sympy as sp

from backprop_lib.activations import get_activation
from backprop_lib.benchmark import time_step
from backprop_lib.costs import get_cost
from backprop_lib.feedback import compare
from backprop_lib.gradcheck import gradient_check
from backprop_lib.network import MLP
from backprop_lib.plotting import draw_matrix_shapes
from backprop_lib.symbolic import SymbolicNetwork, cached_network, check, hadamard

NOTEBOOK = nbtools.NOTEBOOKS / "05_batching.ipynb"


# ---------------------------------------------------------------------------------------- symbolic helpers
def batch_and_one(sizes, n, **kw):
    """A m=n symbolic network and the one-sample network with the same weight symbols."""
    return cached_network(tuple(sizes), m=n, **kw), cached_network(tuple(sizes), **kw)


def by_samples(B, one, expr):
    """The one-sample expression evaluated at each sample of the batch, side by side as columns."""
    cols = []
    for s in range(B.m):
        swap = {one.x[k]: B.x[k, s] for k in range(B.sizes[0])}
        swap.update({one.y[j]: B.y[j, s] for j in range(B.sizes[-1])})
        cols.append(expr.xreplace(swap))
    return sp.Matrix.hstack(*cols)


def batched_recursion(B):
    """Delta^l for every layer by (5.2) and (5.3), symbolically."""
    D = [None] * (B.L + 1)
    D[B.L] = hadamard(B.grad_a_C(), B.sigma_prime_of(B.z[B.L]))
    for l in range(B.L - 1, 0, -1):
        D[l] = hadamard(B.W[l + 1].T * D[l + 1], B.sigma_prime_of(B.z[l]))
    return D


# ---------------------------------------------------------------------------------------- (5.1)
@pytest.mark.parametrize("sizes,n", [((2, 3, 4, 2), 3), ((3, 2, 2), 2)])
def test_batched_forward_pass_columns_are_the_samples(sizes, n):
    B, one = batch_and_one(sizes, n)
    for l in range(1, B.L + 1):
        check(B.W[l] * B.a[l - 1] + B.b[l] * sp.ones(1, n), by_samples(B, one, one.z[l]), net=B).require()
        check(B.a[l], by_samples(B, one, one.a[l]), net=B).require()


def test_bias_without_one_transpose_is_refused_and_wrong_sample_order_is_caught():
    B, one = batch_and_one((2, 3, 4, 2), 3)
    r = check(lambda N: N.W[1] * N.a[0] + N.b[1], by_samples(B, one, one.z[1]), net=B)
    assert not r.ok and "shape mismatch" in r.message
    # b^T copied into every row instead of b into every column (here n = n_1 = 3, so the shapes fit): wrong
    r = check(lambda N: N.W[1] * N.a[0] + sp.ones(3, 1) * N.b[1].T, by_samples(B, one, one.z[1]), net=B)
    assert not r.ok
    # the truth really depends on which sample is which column: swapping two columns is rejected
    Z = B.W[1] * B.a[0] + B.b[1] * sp.ones(1, 3)
    swapped = Z[:, [1, 0, 2]]
    assert not check(swapped, by_samples(B, one, one.z[1]), net=B).ok


def test_numpy_broadcasting_is_b_times_one_transpose():
    net = MLP([4, 5, 3, 2], seed=5)
    X = np.random.default_rng(5).standard_normal((4, 6))
    assert compare("b 1^T", net.W[1] @ X + net.b[1] @ np.ones((1, 6)), net.W[1] @ X + net.b[1], quiet=True).ok
    fw = net.forward(X)
    for l in range(1, net.L + 1):
        cols = np.hstack([net.forward(X[:, [x]]).a[l] for x in range(6)])
        assert compare("A", fw.a[l], cols, quiet=True).ok
    # a flat bias broadcasts along the wrong axis: the package refuses it instead
    bad = net.copy()
    bad.b[1] = bad.b[1].ravel()
    with pytest.raises(ValueError, match="b\\[1\\]"):
        bad.forward(X)


def test_batch_cost_is_the_mean_of_the_per_sample_costs():
    """Source 000's C = (1/n) sum_x f (its n is our m) and (2.1)'s C = 1/(2m) sum ||a - y||^2; a lost 1/m is named."""
    B, one = batch_and_one((2, 3, 4, 2), 3)
    per_sample = [by_samples(B, one, sp.Matrix([[one.C]]))[0, s] for s in range(3)]
    check(sum(per_sample) / 3, B.C, net=B).require()
    r = check(sum(per_sample), B.C, net=B)
    assert not r.ok and "the 1/m of the averaged cost is missing" in r.message
    qB = cached_network((2, 3, 2), cost="quadratic", m=3)
    res = [qB.a[2][:, s] - qB.y[:, s] for s in range(3)]
    check(sp.Rational(1, 6) * sum((v.T * v)[0, 0] for v in res), qB.C, net=qB).require()
    r = check(sp.Rational(1, 3) * sum((v.T * v)[0, 0] for v in res), qB.C, net=qB)
    assert not r.ok and "twice the truth" in r.message


# ---------------------------------------------------------------------------------------- (5.2), (5.3)
@pytest.mark.parametrize("sizes,n", [((2, 3, 4, 2), 3)])
def test_batched_recursion_columns_are_per_sample_deltas(sizes, n):
    B, one = batch_and_one(sizes, n)
    D = batched_recursion(B)
    for l in range(1, B.L + 1):
        check(D[l], by_samples(B, one, one.delta(l)), net=B).require()
        check(D[l], B.Delta(l), net=B).require()  # = n dC/dZ^l of the mean cost


def test_batched_recursion_slips_are_diagnosed():
    B = cached_network((2, 3, 4, 2), m=3)
    r = check(hadamard(B.W[3].T * B.Delta(3), B.sigma_of(B.z[2])), B.Delta(2), net=B)
    assert not r.ok and "σ where σ′ belongs at layer 2" in r.message
    r = check(lambda N: hadamard(N.W[3] * N.Delta(3), N.sigma_prime_of(N.z[2])), B.Delta(2), net=B)
    assert not r.ok and "shape mismatch" in r.message
    r = check(B.W[3].T * B.Delta(3), B.Delta(2), net=B)
    assert not r.ok and "misses σ′" in r.message
    # dC/dZ itself (with the 1/m inside) is not Delta: the factor is named, with m
    r = check(B.delta(2), B.Delta(2), net=B)
    assert not r.ok and "1/m = 1/3 of the truth" in r.message


# ---------------------------------------------------------------------------------------- (5.4), (5.5)
def test_sum_of_per_sample_outer_products_is_the_gradient_of_the_mean_cost():
    B = cached_network((2, 3, 4, 2), m=3)
    n = B.m
    D = batched_recursion(B)
    for l in range(1, B.L + 1):
        outer_sum = sum((D[l][:, s] * B.a[l - 1][:, s].T for s in range(n)), sp.zeros(*B.W[l].shape))
        check(outer_sum / n, B.dC_dW(l), net=B).require()
        check(D[l] * B.a[l - 1].T / n, B.dC_dW(l), net=B).require()  # (5.4)
        check(D[l] * sp.ones(n, 1) / n, B.dC_db(l), net=B).require()  # (5.5)


def test_quadratic_sigmoid_batch_too():
    B = SymbolicNetwork([2, 3, 2], activation="sigmoid", cost="quadratic", m=2)
    D = batched_recursion(B)
    for l in range(1, B.L + 1):
        check(D[l] * B.a[l - 1].T / 2, B.dC_dW(l), net=B).require()
        check(D[l] * sp.ones(2, 1) / 2, B.dC_db(l), net=B).require()


def test_lost_one_over_n_and_transpose_are_diagnosed_symbolically():
    B = cached_network((2, 3, 4, 2), m=3)
    r = check(B.Delta(2) * B.a[1].T, B.dC_dW(2), net=B)
    assert not r.ok and "the 1/m of the averaged cost is missing" in r.message
    r = check(B.Delta(2) * sp.ones(3, 1), B.dC_db(2), net=B)
    assert not r.ok and "the 1/m of the averaged cost is missing" in r.message
    r = check(B.a[1] * B.Delta(2).T / 3, B.dC_dW(2), net=B)
    assert not r.ok and "transposed" in r.message
    # summing over the wrong index: Delta^T A is (m x m), samples against samples
    r = check(lambda N: N.Delta(2).T * N.a[1], B.dC_dW(2), net=B)
    assert not r.ok and "shape mismatch" in r.message


def _problem(m=6, seed=5):
    net = MLP([4, 5, 3, 2], activation="sigmoid", cost="quadratic", seed=seed)
    rng = np.random.default_rng(seed)
    return net, rng.standard_normal((4, m)), rng.uniform(size=(2, m))


def test_per_sample_tensor_by_einsum_and_its_sum():
    net, X, Y = _problem()
    m = X.shape[1]
    g, fw = net.gradients(X, Y), net.forward(X)
    for l in range(1, net.L + 1):
        G = np.einsum("jx,kx->xjk", g.delta[l], fw.a[l - 1])
        assert G.shape == (m, net.sizes[l], net.sizes[l - 1])
        each = np.stack([net.gradients(X[:, [x]], Y[:, [x]], method="per_sample").dW[l] for x in range(m)])
        assert compare("G", G, each, quiet=True).ok
        for dW in (
            G.sum(axis=0) / m,
            np.einsum("jx,kx->jk", g.delta[l], fw.a[l - 1]) / m,
            g.delta[l] @ fw.a[l - 1].T / m,
        ):
            assert compare("dW", dW, g.dW[l], quiet=True).ok
        assert compare("db", g.delta[l] @ np.ones((m, 1)) / m, g.db[l], quiet=True).ok
    # the other layout of the tensor is not it
    wrong = np.einsum("jx,kx->xkj", g.delta[2], fw.a[1])
    assert not compare(
        "G", wrong, np.stack([np.outer(g.delta[2][:, x], fw.a[1][:, x]) for x in range(m)]), quiet=True
    ).ok


def test_compare_names_the_lost_one_over_m_and_the_sum_grows_with_m():
    net, X, Y = _problem()
    g, fw = net.gradients(X, Y), net.forward(X)
    v = compare("no 1/m", g.delta[2] @ fw.a[1].T, g.dW[2], m=6, quiet=True)
    assert not v.ok and "the 1/m is missing" in v.message
    v = compare("dW^T", fw.a[1] @ g.delta[2].T / 6, g.dW[2], m=6, quiet=True)
    assert not v.ok and "transposed" in v.message
    rng = np.random.default_rng(7)
    sums, means = [], []
    for size in (10, 1000):
        Xm, Ym = rng.uniform(size=(4, size)), np.ones((2, size))
        raw = net.gradients(Xm, Ym).delta[1] @ Xm.T
        sums.append(np.linalg.norm(raw))
        means.append(np.linalg.norm(raw / size))
    assert sums[1] / sums[0] > 50  # grows roughly like m (x100 here)
    assert 0.5 < means[1] / means[0] < 2  # the mean does not


# ---------------------------------------------------------------------------------------- inline backprop
def _inline(net, X, Y, prime=None, scale=None):
    act, cost = get_activation("sigmoid"), get_cost("quadratic")
    prime = prime or act.sigma_prime
    L, m = net.L, X.shape[1]
    scale = 1.0 / m if scale is None else scale
    Z, A = [None], [X]
    for l in range(1, L + 1):
        Z.append(net.W[l] @ A[l - 1] + net.b[l])
        A.append(act.sigma(Z[l]))
    D = [None] * (L + 1)
    D[L] = cost.grad_a(A[L], Y) * act.sigma_prime(Z[L])
    for l in range(L - 1, 0, -1):
        D[l] = (net.W[l + 1].T @ D[l + 1]) * prime(Z[l])
    dW = [None] + [D[l] @ A[l - 1].T * scale for l in range(1, L + 1)]
    db = [None] + [D[l].sum(axis=1, keepdims=True) * scale for l in range(1, L + 1)]
    return dW, db


def test_inline_batched_backprop_matches_package_mean_and_gradient_check():
    net, X, Y = _problem()
    dW, db = _inline(net, X, Y)
    g = net.gradients(X, Y)
    for l in range(1, net.L + 1):
        assert compare("dW", dW[l], g.dW[l], quiet=True).ok
        assert compare("db", db[l], g.db[l], quiet=True).ok
        each = [net.gradients(X[:, [x]], Y[:, [x]], method="per_sample") for x in range(6)]
        assert compare("mean", dW[l], np.mean([e.dW[l] for e in each], axis=0), quiet=True).ok
    assert gradient_check(net, X, Y, grads=(dW, db)).ok
    # deliberately wrong versions fail the gradient check
    act = get_activation("sigmoid")
    assert not gradient_check(net, X, Y, grads=_inline(net, X, Y, prime=act.sigma)).ok
    assert not gradient_check(net, X, Y, grads=_inline(net, X, Y, scale=1.0)).ok


def test_shape_pictures_accept_the_batch_products_and_refuse_a_wrong_one():
    draw_matrix_shapes(
        [("Z", (3, 6)), ("=", None), ("W", (3, 5)), ("A", (5, 6)), ("+", None), ("b", (3, 1)), ("1^T", (1, 6))]
    )
    draw_matrix_shapes([("dW", (3, 5)), ("=", None), ("D", (3, 6)), ("A^T", (6, 5))])
    with pytest.raises(ValueError, match="inner dimensions"):
        draw_matrix_shapes([("dW", (3, 5)), ("=", None), ("D", (3, 6)), ("A", (5, 6))])


def test_time_step_returns_the_three_methods():
    t = time_step([20, 5, 3], 8, min_seconds=0.001, repeats=1)
    assert set(t) == {"per_sample", "batched", "floor"}
    assert all(v > 0 for v in t.values())


# ---------------------------------------------------------------------------------------- exercises
EXERCISES = {"5.1": 3, "5.2": 2, "5.3": 3}


def test_notebook_has_the_exercises():
    nbtools.assert_exercises(NOTEBOOK, EXERCISES)


RECURSION = "def Delta_hidden(W, Delta, Z, sigma_prime, l):\n    return {}\n"
SUBSCRIPTS = "per_sample_subscripts = {!r}\n"
GRADIENT = "def batched_dW(Delta, A_prev):\n    m = Delta.shape[1]\n    return {}\n"

SLIPS = [
    ("5.1", RECURSION.format("(W[l + 1] @ Delta[l + 1]) * sigma_prime(Z[l])"), "a transpose is missing"),
    ("5.1", RECURSION.format("W[l + 1].T @ (Delta[l + 1] * sigma_prime(Z[l]))"), "⊙ before the product"),
    (
        "5.1",
        RECURSION.format("(W[l + 1].T @ Delta[l + 1]) * sigma_prime(Z[l]) / Delta[l + 1].shape[1]"),
        "an extra 1/m",
    ),
    ("5.1", RECURSION.format("W[l + 1].T @ Delta[l + 1]"), "misses σ′"),
    ("5.1", RECURSION.format("(W[l + 1].T @ Delta[l]) * sigma_prime(Z[l])"), "a None was used"),
    (
        "5.1",
        RECURSION.format("((W[l + 1].T @ Delta[l + 1]) * sigma_prime(Z[l])).sum(axis=1, keepdims=True)"),
        "one column instead of m",
    ),
    ("5.2", SUBSCRIPTS.format("jx,kx->xkj"), "the axes of each slice are swapped"),
    ("5.2", SUBSCRIPTS.format("jx,kx->jk"), "the sample index is summed away"),
    ("5.2", SUBSCRIPTS.format("jx,kx->jkx"), "the sample index must come first"),
    ("5.2", SUBSCRIPTS.format("xj,xk->xjk"), "share the sample letter"),
    ("5.2", SUBSCRIPTS.format("__import__('os')"), "must name the axes"),
    ("5.3", GRADIENT.format("Delta @ A_prev.T"), "the 1/m is missing"),
    ("5.3", GRADIENT.format("A_prev @ Delta.T / m"), "transposed"),
    ("5.3", GRADIENT.format("Delta @ A_prev.T / Delta.shape[0]"), "divided by Delta.shape[0]"),
    ("5.3", GRADIENT.format("Delta.T @ A_prev / m"), "the factors do not fit"),
    ("5.3", GRADIENT.format("Delta @ A_prev.T / m / 2"), "1/2"),
]


@pytest.mark.parametrize("exercise_id, source, slip", SLIPS, ids=[f"{e}-{s[:30]}" for e, _, s in SLIPS])
def test_typical_slips_are_named_first_in_at_most_five_lines(exercise_id, source, slip):
    lines = nbtools.assert_slip_named(exercise_id, source, slip)
    assert "1/n" not in "\n".join(lines)  # the batch size is m


def test_symbolic_case_names_the_lost_one_over_m():
    """The lost 1/m is named with m on the symbolic batch too (not only by compare on numbers)."""
    outcome = nbtools.judged_case(
        "5.3", lambda c: not c.params.get("numeric") and not c.hidden, lambda Delta, A_prev: Delta @ A_prev.T
    )
    assert not outcome.ok and "the 1/m is missing" in outcome.message


def test_numeric_case_names_sigma_for_sigma_prime():
    """On numbers alone (the symbolic case passed), σ for σ′ in the batched recursion is still named."""
    outcome = nbtools.judged_case(
        "5.1",
        lambda c: c.params.get("numeric"),
        lambda W, Delta, Z, sigma_prime, l: (W[l + 1].T @ Delta[l + 1]) / (1 + np.exp(-Z[l])),
    )
    assert not outcome.ok and outcome.message.startswith("Delta[1]: σ where σ′ belongs")


def test_a_batch_size_equal_to_a_width_does_not_hide_a_right_answer():
    """Layer 1 of the 2-3-4-2 batch has n_1 = m = 3, where 'divided by n_l' equals the right answer."""
    judged = nbtools.exercise_graded("5.3", GRADIENT.format("Delta @ A_prev.T / m"))
    assert judged.status == "passed", judged


# ---------------------------------------------------------------------------------------- quizzes, cells
RIGHT = {"5.1": [0, 2], "5.2": [0, 1], "5.3": [0, 1, 4]}


def test_one_line_checks_quizzes_and_proofs():
    nbtools.assert_quizzes(NOTEBOOK, RIGHT)


def test_m_is_the_batch_size_in_prose_and_outputs():
    """The notebook never calls the batch size n: only source 000's own formula is quoted with its n."""
    all_cells = nbtools.cells(NOTEBOOK)
    prose = "\n".join(c.source for c in all_cells if c.cell_type == "markdown")
    assert "\\frac1n" not in prose.replace("C = \\frac1n\\sum_x f(y, a^L(x))", "")
    assert "samples=n" not in prose and "n = 3 samples" not in prose
    outputs = "\n".join(
        "".join(o.get("text", "") or o.get("data", {}).get("text/plain", ""))
        for c in all_cells
        for o in c.get("outputs", [])
    )
    assert "1/n" not in outputs and "1/m" in outputs


def test_outputs_have_no_walls_and_no_raw_latex():
    lines = nbtools.proof_lines(NOTEBOOK)
    assert len(lines) >= 10
    assert not any("all 1 entry" in line for line in lines)


def test_figures_have_captions_and_the_heat_maps_share_one_scale():
    nbtools.assert_figures_captioned(NOTEBOOK, lambda source: source.rstrip().endswith("\nfig"), 4)
    all_cells = nbtools.cells(NOTEBOOK)
    heat = next(c for c in all_cells if c.cell_type == "code" and "heatmap(" in c.source)
    assert (
        "set_norm(shared)" in heat.source and "one shared colour scale" in all_cells[all_cells.index(heat) + 1].source
    )
    speed = next(c for c in all_cells if c.cell_type == "code" and "time_step(" in c.source)
    assert "assert" not in speed.source


def test_the_shared_scale_is_what_the_figure_draws():
    """Drawn like the notebook draws it: every panel's image and colour bar use the same limits."""
    from matplotlib.colors import TwoSlopeNorm

    from backprop_lib.plotting import heatmap, new_figure

    rng = np.random.default_rng(0)
    panels = [rng.standard_normal((3, 5)) * s for s in (1, 5, 0.1)]
    bound = max(float(np.abs(M).max()) for M in panels)
    shared = TwoSlopeNorm(vcenter=0.0, vmin=-bound, vmax=bound)
    fig = new_figure((9, 2.5))
    for ax, M in zip(fig.subplots(1, 3), panels):
        heatmap(M, ax=ax, annotate=False)
        ax.images[0].set_norm(shared)
    fig.canvas.draw()
    limits = {(im.norm.vmin, im.norm.vmax) for ax in fig.axes for im in ax.images}
    assert limits == {(-bound, bound)}
    bars = [ax for ax in fig.axes if not ax.images]  # the colour bars' axes
    assert bars and all(np.allclose(sorted(ax.get_ylim()), [-bound, bound]) for ax in bars)
