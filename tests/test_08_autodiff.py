"""Tests mirroring notebooks/08_autodiff.ipynb: reverse-mode automatic differentiation (backprop_lib.autodiff).

Part 1, the engine: every local rule of the scalar `Value` and of the array tape against sympy.diff (and the wrong
rules rejected with their diagnosis); the tape of a network against `MLP.gradients` and against the symbolic
engine's derivatives, with Δ^l/m at the nodes z[l]; forward mode against reverse mode; the operation counts; bad
input; and, where PyTorch happens to be installed, `loss.backward()` on the same network.
Part 2, the exercises (backprop_lib/course/exercises/ch08.py): the instructor's solution passes every case through
the grader's path, a blank answer is "not answered yet", every typical slip is named in the first line of a
failure of at most 5 lines. Part 3: the quizzes and the notebook's cells.
"""

import re

import nbtools
import numpy as np
import pytest
import sympy as sp

from backprop_lib.autodiff import (
    RULES,
    Tape,
    Value,
    draw_graph,
    forward_mode_gradient,
    mlp_tape,
    objects,
    symbol_matrix,
    tape_of,
    upstream,
)
from backprop_lib.feedback import compare
from backprop_lib.network import MLP
from backprop_lib.symbolic import cached_network, check, sigma, sigma_prime

NOTEBOOK = nbtools.NOTEBOOKS / "08_autodiff.ipynb"


def _problem(sizes=(4, 5, 3, 2), m=6, seed=5, activation="sigmoid"):
    net = MLP(list(sizes), activation=activation, cost="quadratic", seed=seed)
    rng = np.random.default_rng(seed)
    return net, rng.standard_normal((sizes[0], m)), rng.uniform(size=(sizes[-1], m))


def _close(a, b):
    return compare("x", np.asarray(a, dtype=float), np.asarray(b, dtype=float), quiet=True).ok


# ---------------------------------------------------------------------------------------- scalar Value
U, V = sp.symbols("u v", real=True)
SCALAR_OPS = {
    "add": lambda p, q: p + q,
    "sub": lambda p, q: p - q,
    "mul": lambda p, q: p * q,
    "div": lambda p, q: p / q,
    "pow": lambda p, q: p**3,
    "neg": lambda p, q: -p * q,
    "radd": lambda p, q: 2 + p * q,
    "rsub": lambda p, q: 1 - p * q,
    "rdiv": lambda p, q: 1 / (p + q),
    "exp": lambda p, q: (p * q).exp(),
    "log": lambda p, q: (p * p + q * q).log(),
    "sigma": lambda p, q: (p - q).sigma(),
    "reuse": lambda p, q: p * p + p * q + p,
}


@pytest.mark.parametrize("name", sorted(SCALAR_OPS))
def test_every_scalar_rule_gives_sympys_derivative(name):
    pu, pv = Value(U), Value(V)
    out = SCALAR_OPS[name](pu, pv).backward()
    for grad, symbol in ((pu.grad, U), (pv.grad, V)):
        assert sp.simplify(grad - sp.diff(out.data, symbol)) == 0


def test_the_sigmoid_rule_is_checked_against_the_definition_not_against_itself():
    pu = Value(U)
    out = pu.sigma().backward()
    assert out.data == 1 / (1 + sp.exp(-U))
    assert sp.simplify(pu.grad - sp.diff(1 / (1 + sp.exp(-U)), U)) == 0
    # and a wrong rule (σ for σ') is not: the check can fail
    assert sp.simplify(out.data - sp.diff(1 / (1 + sp.exp(-U)), U)) != 0


def test_scalar_values_on_numbers_match_central_differences():
    def C_of(w, b):
        x, y = 1.5, 1.0
        return 0.5 * (1 / (1 + np.exp(-(w * x + b))) - y) ** 2

    w, b = Value(0.8, "w"), Value(-0.5, "b")
    C = ((w * 1.5 + b).sigma() - 1.0) ** 2 / 2
    C.backward()
    h = 1e-6
    assert abs(w.grad - (C_of(0.8 + h, -0.5) - C_of(0.8 - h, -0.5)) / (2 * h)) < 1e-8
    assert abs(b.grad - (C_of(0.8, -0.5 + h) - C_of(0.8, -0.5 - h)) / (2 * h)) < 1e-8
    assert abs(C.data - C_of(0.8, -0.5)) < 1e-15


def test_a_value_used_twice_collects_both_uses_and_backward_can_run_again():
    x = Value(3.0)
    C = x * x + x  # dC/dx = 2x + 1 = 7
    C.backward()
    assert x.grad == 7.0
    C.backward()  # gradients are cleared, not doubled
    assert x.grad == 7.0


def test_a_deep_graph_needs_no_recursion():
    x = Value(0.5)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    y.backward()
    assert abs(x.grad - 1.0001**5000) < 1e-9 * 1.0001**5000


def test_symbolic_values_stay_exact():
    pu = Value(U)
    out = (pu / 3 + 0.5 * pu).backward()
    assert out.data == U / 3 + U / 2 and pu.grad == sp.Rational(5, 6)
    assert not pu.grad.atoms(sp.Float)


@pytest.mark.parametrize("bad", ["1.0", None, [1.0], True, np.array([1.0, 2.0])])
def test_value_refuses_what_is_not_a_number(bad):
    with pytest.raises(TypeError, match="Value: data must be a real number"):
        Value(bad)
    with pytest.raises(TypeError, match="k must be a plain number"):
        Value(2.0) ** Value(3.0)


def test_the_scalar_engine_on_a_whole_network_is_backpropagation():
    net = MLP([2, 3, 2], activation="sigmoid", cost="quadratic", seed=8)
    x, y = np.array([[0.5], [-1.2]]), np.array([[0.1], [0.9]])
    a = [Value(float(t)) for t in x[:, 0]]
    W_v, z_v = [None], [None]
    for l in (1, 2):
        W_v.append([[Value(float(t)) for t in row] for row in net.W[l]])
        z_v.append(
            [
                sum((W_v[l][j][k] * a[k] for k in range(len(a))), Value(float(net.b[l][j, 0])))
                for j in range(net.sizes[l])
            ]
        )
        a = [z.sigma() for z in z_v[l]]
    C = sum(((aj - float(t)) ** 2 for aj, t in zip(a, y[:, 0])), Value(0.0)) / 2
    C.backward()
    g = net.gradients(x, y)
    assert abs(C.data - net.cost_value(x, y)) < 1e-15
    for l in (1, 2):
        assert _close([[w.grad for w in row] for row in W_v[l]], g.dW[l])
        assert _close([[z.grad] for z in z_v[l]], g.delta[l])


# ---------------------------------------------------------------------------------------- the array rules
def _truths(f, inputs):
    return [X.applyfunc(lambda t: sp.diff(f, t)) for X in inputs]


def _rule_cases():
    A, B = symbol_matrix("A", 2, 3), symbol_matrix("B", 3, 4)
    Us, bs = symbol_matrix("U", 3, 4), symbol_matrix("b", 3, 1)
    Z = symbol_matrix("Z", 2, 3)
    Ac, Yc = symbol_matrix("A", 2, 3), symbol_matrix("Y", 2, 3)
    R = Ac - Yc
    c = symbol_matrix("c", 1, 4)
    s, sp_ = np.vectorize(sigma, otypes=[object]), np.vectorize(sigma_prime, otypes=[object])
    return {
        "matmul": (A * B, [A, B], lambda G: RULES["matmul"](objects(A), objects(B), G)),
        "add": (Us + bs * sp.ones(1, 4), [Us, bs], lambda G: RULES["add"](objects(Us), objects(bs), G)),
        "sigma": (Z.applyfunc(sigma), [Z], lambda G: [RULES["sigma"](objects(Z), G, s, sp_)]),
        "cost": (
            sp.Matrix([[sum(R[i, x] ** 2 for i in range(2)) / 2 for x in range(3)]]),
            [Ac],
            lambda G: [RULES["cost"](objects(Ac), objects(Yc), G)],
        ),
        "mean": (sp.Matrix([[sum(c) / 4]]), [c], lambda G: [RULES["mean"](objects(c), G)]),
    }


@pytest.mark.parametrize("op", sorted(RULES))
def test_each_backward_rule_is_sympys_derivative_of_a_generic_function(op):
    output, inputs, rule = _rule_cases()[op]
    f, G = upstream(output)
    for ours, truth in zip(rule(G), _truths(f, inputs)):
        check(sp.Matrix(ours), truth).require()


def test_wrong_rules_are_rejected_with_their_diagnosis():
    Z = symbol_matrix("Z", 2, 3)
    f, G = upstream(Z.applyfunc(sigma))
    truth = _truths(f, [Z])[0]
    r = check(sp.Matrix(G).multiply_elementwise(Z.applyfunc(sigma)), truth)
    assert not r.ok and "σ where σ′ belongs" in r.message
    r = check(sp.Matrix(G), truth)
    assert not r.ok and "misses σ′" in r.message
    c = symbol_matrix("c", 1, 4)
    f, G = upstream(sp.Matrix([[sum(c) / 4]]))
    r = check(sp.ones(1, 4) * G[0, 0], _truths(f, [c])[0])
    assert not r.ok and "factor 4" in r.message
    A, B = symbol_matrix("A", 3, 3), symbol_matrix("B", 3, 3)
    f, G = upstream(A * B)
    dA = _truths(f, [A])[0]
    assert not check(sp.Matrix(G) * B, dA).ok  # the transpose slip
    r = check(B * sp.Matrix(G).T, dA)
    assert not r.ok and "transposed" in r.message


def test_upstream_is_a_generic_function_with_its_partial_derivatives():
    P = symbol_matrix("P", 2, 2)
    f, G = upstream(P)
    assert G.shape == (2, 2) and G.dtype == object
    for (i, j), g in np.ndenumerate(G):
        assert sp.diff(f, P[i, j]) == g


# ---------------------------------------------------------------------------------------- the tape of a network
@pytest.mark.parametrize(
    "sizes,m,activation", [((4, 5, 3, 2), 6, "sigmoid"), ((3, 4, 2), 1, "tanh"), ((2, 6, 6, 3), 9, "relu")]
)
def test_the_tape_of_a_network_gives_the_packages_gradients(sizes, m, activation):
    net, X, Y = _problem(sizes, m, seed=3, activation=activation)
    tape = tape_of(net, X, Y).backward()
    g = net.gradients(X, Y)
    assert abs(tape["C"].value[0, 0] - net.cost_value(X, Y)) < 1e-14
    for l in range(1, net.L + 1):
        assert _close(tape.grad(f"W[{l}]"), g.dW[l])
        assert _close(tape.grad(f"b[{l}]"), g.db[l])
        assert _close(m * tape.grad(f"z[{l}]"), g.delta[l])  # (8.7): Δ^l / m at z[l]
    A_L = net.forward(X).a[net.L]
    assert _close(tape.grad(f"a[{net.L}]"), (A_L - Y) / m)  # (8.5) and (8.6): ω^L / m


def test_for_one_sample_the_gradient_at_z_is_delta():
    net, X, Y = _problem(m=1)
    tape = tape_of(net, X, Y).backward()
    g = net.gradients(X, Y, method="per_sample")
    for l in range(1, net.L + 1):
        assert _close(tape.grad(f"z[{l}]"), g.delta[l])
    # and not Δ/m with some other m: a batch of 4 differs by its factor 4
    net4, X4, Y4 = _problem(m=4)
    tape4 = tape_of(net4, X4, Y4).backward()
    assert not _close(tape4.grad("z[1]"), net4.gradients(X4, Y4).delta[1])


def test_the_tape_does_not_change_the_network_and_leaves_no_gradient_on_the_inputs():
    net, X, Y = _problem()
    before = [w.copy() for w in net.W[1:]]
    tape = tape_of(net, X, Y).backward()
    assert all(np.array_equal(a, b) for a, b in zip(before, net.W[1:]))
    assert not np.any(tape.grad("a[0]")) and not np.any(tape.grad("y"))
    assert tape["a[0]"].grad is None


def test_a_rule_put_in_the_tape_is_used_and_a_wrong_one_shows():
    net, X, Y = _problem()
    g = net.gradients(X, Y)
    calls = []

    def counting(A, B, G):
        calls.append(A.shape)
        return RULES["matmul"](A, B, G)

    tape = tape_of(net, X, Y, rules={"matmul": counting}).backward()
    assert len(calls) == net.L and _close(tape.grad("W[1]"), g.dW[1])
    lost = tape_of(net, X, Y, rules={"mean": lambda c, G: np.ones_like(c) * G}).backward()
    assert _close(lost.grad("W[1]"), X.shape[1] * g.dW[1]) and not _close(lost.grad("W[1]"), g.dW[1])
    with pytest.raises(ValueError, match="a gradient has the shape of what it differentiates"):
        tape_of(net, X, Y, rules={"mean": lambda c, G: G}).backward()
    with pytest.raises(ValueError, match="must return 2 gradient"):
        tape_of(net, X, Y, rules={"matmul": lambda A, B, G: G @ B.T}).backward()


@pytest.mark.parametrize("sizes,m", [((2, 3, 4, 2), 3), ((3, 2, 2), 1)])
def test_the_tape_on_symbols_is_sympys_derivative(sizes, m):
    S = cached_network(sizes, cost="quadratic", m=m)
    tape = mlp_tape(
        S.W, S.b, S.x, S.y, np.vectorize(S.sigma_f, otypes=[object]), np.vectorize(S.sigma_prime_f, otypes=[object])
    ).backward()
    check(sp.Matrix(tape["C"].value), sp.Matrix([[S.C]]), net=S).require()
    for l in range(1, S.L + 1):
        check(sp.Matrix(tape.grad(f"z[{l}]")), S.delta(l), net=S).require()  # (8.7)
        check(sp.Matrix(tape.grad(f"W[{l}]")), S.dC_dW(l), net=S).require()  # (5.4)
        check(sp.Matrix(tape.grad(f"b[{l}]")), S.dC_db(l), net=S).require()  # (5.5)
        assert not any(e.atoms(sp.Float) for e in tape.grad(f"W[{l}]").ravel())
    if m > 1:  # Δ^l itself is m times the gradient at z[l]: the engine names the 1/m
        r = check(sp.Matrix(tape.grad("z[1]")) * m, S.delta(1), net=S)
        assert not r.ok and "1/m" in r.message


def test_the_sigmoid_tape_on_symbols_too():
    S = cached_network((2, 3, 2), activation="sigmoid", cost="quadratic", m=2)
    tape = mlp_tape(
        S.W, S.b, S.x, S.y, np.vectorize(S.sigma_f, otypes=[object]), np.vectorize(S.sigma_prime_f, otypes=[object])
    ).backward()
    for l in (1, 2):
        check(sp.Matrix(tape.grad(f"W[{l}]")), S.dC_dW(l), net=S).require()


# ---------------------------------------------------------------------------------------- forward mode, counts
def test_forward_mode_gives_the_same_gradient_one_pass_per_parameter():
    net, X, Y = _problem()
    tape = tape_of(net, X, Y).backward()
    names = [f"{k}[{l}]" for l in range(1, net.L + 1) for k in "Wb"]
    grads, passes = forward_mode_gradient(tape, names)
    assert passes == sum(net.W[l].size + net.b[l].size for l in range(1, net.L + 1))
    for name in names:
        assert _close(grads[name], tape.grad(name))
    # one jvp with a random direction is the directional derivative <grad, direction>
    rng = np.random.default_rng(0)
    dW1 = rng.standard_normal(net.W[1].shape)
    assert abs(tape.jvp({"W[1]": dW1})[0, 0] - np.sum(tape.grad("W[1]") * dW1)) < 1e-14
    # a tangent on the targets: dC/dY = -(A - Y)/m
    dY = rng.standard_normal(Y.shape)
    A = net.forward(X).a[net.L]
    assert abs(tape.jvp({"y": dY})[0, 0] - np.sum(-(A - Y) / X.shape[1] * dY)) < 1e-14


def test_forward_mode_on_symbols_is_sympys_derivative():
    S = cached_network((2, 3, 2), cost="quadratic", m=2)
    tape = mlp_tape(
        S.W, S.b, S.x, S.y, np.vectorize(S.sigma_f, otypes=[object]), np.vectorize(S.sigma_prime_f, otypes=[object])
    )
    grads, passes = forward_mode_gradient(tape, ["W[1]", "b[2]"])
    assert passes == 6 + 2
    check(sp.Matrix(grads["W[1]"]), S.dC_dW(1), net=S).require()
    check(sp.Matrix(grads["b[2]"]), S.dC_db(2), net=S).require()


def test_the_counts_are_exact_and_reverse_mode_stays_within_three_forward_passes():
    net, X, Y = _problem((3, 4, 2), m=5, seed=1)
    tape = tape_of(net, X, Y)
    # forward: W1 a0 (4*3*5) + b (4*5) + σ (4*5) + W2 a1 (2*4*5) + b (2*5) + σ (2*5) + cost (3*2*5) + mean (5)
    assert tape.ops["forward"] == 60 + 20 + 20 + 40 + 10 + 10 + 30 + 5
    tape.backward()
    # backward: mean 5, cost 2*10, σ 2*10, add 10, matmul 2 (W2 and a1) * 40, σ 2*20, add 20, matmul 1 (W1) * 60
    assert tape.ops["backward"] == 5 + 20 + 20 + 10 + 80 + 40 + 20 + 60
    assert tape.ops["backward"] <= 2 * tape.ops["forward"]
    ratios = []
    for h in (4, 16, 32):
        net_h, X_h, Y_h = _problem((4, h, h, 3), m=10, seed=h)
        t = tape_of(net_h, X_h, Y_h).backward()
        _, P = forward_mode_gradient(t, [f"{k}[{l}]" for l in (1, 2, 3) for k in "Wb"])
        forward_mode = t.ops["forward"] + t.ops["jvp"]
        reverse_mode = t.ops["forward"] + t.ops["backward"]
        assert reverse_mode <= 3 * t.ops["forward"]
        ratios.append(forward_mode / reverse_mode / P)
    assert all(0.1 < r < 1 for r in ratios)  # forward mode costs about P times reverse mode


# ---------------------------------------------------------------------------------------- bad input
def test_bad_input_raises_naming_what_is_wrong_and_records_nothing():
    t = Tape()
    A, B = t.leaf(np.ones((2, 3)), "A"), t.leaf(np.ones((4, 5)), "B")
    before = (len(t.nodes), dict(t.ops))
    with pytest.raises(ValueError, match=r"matmul: A is \(2, 3\) and B is \(4, 5\): the inner dimensions 3 and 4"):
        t.matmul(A, B)
    with pytest.raises(ValueError, match=r"add: B must be a column of shape \(2, 1\)"):
        t.add(A, B)
    with pytest.raises(ValueError, match="cost: the outputs A .* must have the same shape"):
        t.cost(A, B)
    with pytest.raises(ValueError, match=r"mean: A must be a row \(1, m\)"):
        t.mean(A)
    with pytest.raises(ValueError, match="name 'A' is already on this tape"):
        t.leaf(np.ones((1, 1)), "A")
    with pytest.raises(ValueError, match="name 'A' is already on this tape"):
        t.sigma(A, np.tanh, lambda z: 1 - np.tanh(z) ** 2, name="A")
    with pytest.raises(TypeError, match="sigma: sigma_prime must be an elementwise function"):
        t.sigma(A, np.tanh, None)
    with pytest.raises(ValueError, match="sigma must work entry by entry"):
        t.sigma(A, lambda z: z.sum(), np.cos)
    with pytest.raises(ValueError, match=r"must be a 2-D array .* got shape \(3,\)"):
        t.leaf(np.ones(3), "v")
    with pytest.raises(TypeError, match="must hold real numbers or SymPy expressions, got dtype complex"):
        t.leaf(np.ones((2, 2), dtype=complex), "w")
    with pytest.raises(TypeError, match="matmul: A must be a Node of this tape, got ndarray"):
        t.matmul(np.ones((2, 3)), B)
    other = Tape().leaf(np.ones((3, 1)), "x")
    with pytest.raises(ValueError, match="the node 'x' of another tape"):
        t.matmul(A, other)
    with pytest.raises(ValueError, match=r"backward: the output must be a scalar node of shape \(1, 1\).*\(4, 5\)"):
        t.backward()
    with pytest.raises(ValueError, match="no node named 'z\\[9\\]' on this tape; its nodes are \\['A', 'B'\\]"):
        t.grad("z[9]")
    with pytest.raises(ValueError, match=r"tangents\['A'\] must be an array of the leaf's shape \(2, 3\)"):
        t.jvp({"A": np.ones((3, 2))})
    assert (len(t.nodes), t.ops) == before
    with pytest.raises(ValueError, match="grad: run backward\\(\\) first"):
        t.grad("A")
    with pytest.raises(ValueError, match="backward: the tape is empty"):
        Tape().backward()
    with pytest.raises(ValueError, match=r"rules: no operation named \['softmax'\]"):
        Tape(rules={"softmax": print})
    with pytest.raises(TypeError, match=r"rules\['mean'\] must be a function like mean_backward"):
        Tape(rules={"mean": 3})
    with pytest.raises(TypeError, match="rules must be a dict"):
        Tape(rules=[print])


def test_network_helpers_refuse_what_the_tape_cannot_record():
    net, X, Y = _problem()
    with pytest.raises(ValueError, match="W and b must be padded lists"):
        mlp_tape(net.W, net.b[:-1], X, Y, np.tanh, np.cos)
    with pytest.raises(TypeError, match="sigma must be an elementwise function or a padded list"):
        mlp_tape(net.W, net.b, X, Y, "sigmoid", np.cos)
    with pytest.raises(ValueError, match=r"Y must have the shape of the output a\[3\], \(2, 6\), got \(3, 6\)"):
        mlp_tape(net.W, net.b, X, np.ones((3, 6)), np.tanh, np.cos)
    with pytest.raises(ValueError, match="the tape's cost is the quadratic one .* 'cross_entropy'"):
        tape_of(MLP([2, 3, 2], cost="cross_entropy"), np.ones((2, 1)), np.full((2, 1), 0.5))
    with pytest.raises(ValueError, match="X"):
        tape_of(net, np.ones((3, 6)), Y)
    with pytest.raises(ValueError, match="forward_mode_gradient: 'z\\[1\\]' is a add node"):
        forward_mode_gradient(tape_of(net, X, Y), ["z[1]"])


def test_draw_graph_draws_values_and_tapes_and_refuses_unknown_notes():
    x = Value(2.0, "x")
    C = x * x / 2
    C.name = "C"
    C.backward()
    fig = draw_graph(C)
    texts = [t.get_text() for t in fig.axes[0].texts if t.get_text()]
    assert any(t.startswith("C  (÷ 2)") for t in texts) and any("grad 2" in t for t in texts)
    assert not any(t.startswith("input") for t in texts)  # the constant 2 is folded into ÷ 2
    net, X, Y = _problem()
    fig = draw_graph(tape_of(net, X, Y), notes={"z[1]": "grad Δ[1]/m"})
    texts = [t.get_text() for t in fig.axes[0].texts if t.get_text()]
    assert "z[1]\nadd 5×6\ngrad Δ[1]/m" in texts and len(texts) == 19
    with pytest.raises(ValueError, match="notes names 'z\\[7\\]'"):
        draw_graph(tape_of(net, X, Y), notes={"z[7]": "?"})
    with pytest.raises(TypeError, match="root must be a Value or a Tape"):
        draw_graph(3.0)


# ---------------------------------------------------------------------------------------- PyTorch, if installed
def test_pytorch_loss_backward_agrees_with_the_tape_and_the_package():
    torch = pytest.importorskip("torch")
    net, X, Y = _problem()
    L, m = net.L, X.shape[1]
    W = [None] + [torch.tensor(net.W[l], requires_grad=True) for l in range(1, L + 1)]
    b = [None] + [torch.tensor(net.b[l], requires_grad=True) for l in range(1, L + 1)]
    a, z = torch.tensor(X), [None]
    for l in range(1, L + 1):
        z.append(W[l] @ a + b[l])
        z[l].retain_grad()
        a = torch.sigmoid(z[l])
    C = (0.5 * ((a - torch.tensor(Y)) ** 2).sum(dim=0)).mean()
    C.backward()
    g, tape = net.gradients(X, Y), tape_of(net, X, Y).backward()
    assert abs(C.item() - net.cost_value(X, Y)) < 1e-14
    for l in range(1, L + 1):
        assert _close(W[l].grad.numpy(), g.dW[l]) and _close(W[l].grad.numpy(), tape.grad(f"W[{l}]"))
        assert _close(b[l].grad.numpy(), g.db[l])
        assert _close(m * z[l].grad.numpy(), g.delta[l])


# ---------------------------------------------------------------------------------------- exercises
EXERCISES = {"8.1": 3, "8.2": 2, "8.3": 2}


def test_notebook_has_the_exercises():
    nbtools.assert_exercises(NOTEBOOK, EXERCISES)


MATMUL = "def matmul_backward(A, B, G):\n    return {}\n"
SIGMA = "def sigma_backward(Z, G, sigma, sigma_prime):\n    return {}\n"
MEAN = "def mean_backward(c, G):\n    m = c.shape[1]\n    return {}\n"

SLIPS = [
    ("8.1", MATMUL.format("G @ B, A.T @ G"), "a transpose is missing: Ā = G Bᵀ"),
    ("8.1", MATMUL.format("G @ B.T, A @ G"), "a transpose is missing: B̄ = Aᵀ G"),
    ("8.1", MATMUL.format("A.T @ G, G @ B.T"), "the two gradients are swapped"),
    ("8.1", MATMUL.format("B @ G.T, A.T @ G"), "Ā is transposed"),
    ("8.1", MATMUL.format("G @ B.T, G.T @ A"), "B̄ is transposed"),
    ("8.1", MATMUL.format("B.T @ G, A.T @ G"), "the factors are in the wrong order"),
    ("8.1", MATMUL.format("G @ B.T"), "must return two gradients"),
    ("8.1", MATMUL.format("2 * G @ B.T, A.T @ G"), "Ā: twice the truth"),
    ("8.2", SIGMA.format("G * sigma(Z)"), "σ where σ′ belongs"),
    ("8.2", SIGMA.format("G"), "the factor σ′(Z) is missing"),
    ("8.2", SIGMA.format("G * sigma(Z) * (1 - sigma(Z))"), "σ(Z)(1 − σ(Z)) is σ′ only for the sigmoid"),
    ("8.2", SIGMA.format("G @ sigma_prime(Z)"), "⊙ is elementwise"),
    ("8.2", SIGMA.format("sigma_prime(G)"), "σ′ of the gradient"),
    ("8.3", MEAN.format("np.ones_like(c) * G"), "the 1/m is missing"),
    ("8.3", MEAN.format("np.ones_like(c) * G / c.shape[0]"), "the 1/m is missing"),
    ("8.3", MEAN.format("G / m"), "c̄ has one entry per sample"),
    ("8.3", MEAN.format("np.ones_like(c) * G / m ** 2"), "divided by m² = 16"),
]


@pytest.mark.parametrize("exercise_id, source, slip", SLIPS, ids=[f"{e}-{s[:30]}" for e, _, s in SLIPS])
def test_typical_slips_are_named_first_in_at_most_five_lines(exercise_id, source, slip):
    lines = nbtools.assert_slip_named(exercise_id, source, slip)
    assert "1/n" not in "\n".join(lines)


@pytest.mark.parametrize(
    "source", [MEAN.format("np.ones_like(c) * G * (1 / m)"), MEAN.format("np.full(c.shape, G[0, 0] / m)")]
)
def test_a_right_mean_written_otherwise_passes(source):
    assert nbtools.exercise_graded("8.3", source).status == "passed"


def _tape_case(hidden=False):
    return lambda c: c.params.get("tape") and c.hidden == hidden


def test_the_tape_cases_name_the_slips_on_numbers_too():
    out = nbtools.judged_case("8.1", _tape_case(), lambda A, B, G: (G @ B, A.T @ G))
    assert not out.ok and out.message.startswith("the factors do not fit")
    out = nbtools.judged_case("8.1", _tape_case(), lambda A, B, G: (A.T @ G, G @ B.T))
    assert not out.ok and "a gradient of the wrong shape" in out.message
    out = nbtools.judged_case("8.2", _tape_case(), lambda Z, G, s, sp_: G * s(Z))
    assert not out.ok and out.message.startswith("dW[1]: σ where σ′ belongs")
    out = nbtools.judged_case("8.2", _tape_case(hidden=True), lambda Z, G, s, sp_: G * s(Z) * (1 - s(Z)))
    assert not out.ok and "σ′ only for the sigmoid" in out.message  # the tanh network shows it
    out = nbtools.judged_case("8.3", _tape_case(), lambda c, G: np.ones_like(c) * G)
    assert not out.ok and out.message.startswith("dW[1]: the 1/m is missing: C is the mean of the m = 7")
    out = nbtools.judged_case("8.3", _tape_case(), lambda c, G: G / c.shape[1])
    assert not out.ok and "a gradient of the wrong shape" in out.message
    for eid, fn in (
        ("8.1", lambda A, B, G: (G @ B.T, A.T @ G)),
        ("8.2", lambda Z, G, s, sp_: G * sp_(Z)),
        ("8.3", lambda c, G: np.ones_like(c) * G / c.shape[1]),
    ):
        assert nbtools.judged_case(eid, _tape_case(hidden=True), fn).ok


# ---------------------------------------------------------------------------------------- quizzes, cells
RIGHT = {"8.1": [0, 2], "8.2": [0, 2, 4], "8.3": [0, 1, 3]}


def test_one_line_checks_and_quizzes():
    nbtools.assert_quizzes(NOTEBOOK, RIGHT)


def test_every_equation_is_numbered_once_and_proved():
    prose = "\n".join(c.source for c in nbtools.cells(NOTEBOOK) if c.cell_type == "markdown")
    tags = re.findall(r"\\tag\{(8\.\d+)\}", prose)
    assert tags == [f"8.{k}" for k in range(1, 10)]
    code = "\n".join(c.source for c in nbtools.cells(NOTEBOOK) if c.cell_type == "code")
    for label in ("(8.1)", "(8.2)", "(8.3)", "(8.4)", "(8.5)", "(8.6)", "(8.7)", "(8.8)"):
        assert re.search(re.escape(f'"{label}'), code), label


def test_torch_is_shown_never_run_and_no_clock_in_the_notebook():
    all_cells = nbtools.cells(NOTEBOOK)
    code = "\n".join(c.source for c in all_cells if c.cell_type == "code")
    assert "torch" not in code and "time" not in code.replace("times", "")
    assert any("import torch" in c.source and "```python" in c.source for c in all_cells if c.cell_type == "markdown")
    assert "assert" not in code  # teaching cells assert nothing a change could move


def test_figures_have_captions_and_outputs_have_no_errors_or_walls():
    nbtools.assert_figures_captioned(NOTEBOOK, lambda source: source.rstrip().endswith("\nfig"), 3)
    assert len(nbtools.proof_lines(NOTEBOOK)) >= 12


def test_the_navigation_links_07_and_09_and_quotes_source_000():
    all_cells = nbtools.cells(NOTEBOOK)
    last = all_cells[-1].source
    assert "(07_proofreading.ipynb)" in last and "(00_index.ipynb)" in last and "(09_depth.ipynb)" in last
    prose = "\n".join(c.source for c in all_cells if c.cell_type == "markdown")
    assert '"the degree of freedom is overrated"' in prose and "source 000" in prose.lower()
