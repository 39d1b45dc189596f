"""The symbolic check: proves correct statements and rejects each typical slip with the right diagnosis."""

import pytest
import sympy as sp

from backprop_lib.symbolic import SymbolicNetwork, check, hadamard, sigma_prime


@pytest.fixture(scope="module")
def net():
    return SymbolicNetwork([2, 3, 4, 5])


def test_network_shapes_and_padding(net):
    assert net.L == 3 and net.sizes == [2, 3, 4, 5]
    assert net.W[0] is None and net.b[0] is None and net.z[0] is None
    assert net.W[2].shape == (4, 3) and net.b[2].shape == (4, 1) and net.a[0] == net.x
    assert net.dC_dW(2).shape == (4, 3) and net.dC_db(2).shape == (4, 1)
    assert net.delta(1).shape == (3, 1) and net.omega(0).shape == (2, 1)
    assert sp.latex(net.W[2][1, 0]) == "W^{2}_{10}"
    with pytest.raises(ValueError, match="layer"):
        net.dC_dW(4)
    with pytest.raises(ValueError, match="activation"):
        SymbolicNetwork([2, 3], activation="relu")


def test_truth_uses_undefined_sigma_prime(net):
    assert net.delta(3).has(sigma_prime) and net.C.free_symbols >= set(net.W[1])


def test_delta_L_proved_generic(net):
    # its speed is measured by benchmarks/bench_symbolic.py, not asserted here
    res = check(
        hadamard(net.grad_a_C(), net.sigma_prime_of(net.z[3])),
        net.delta(3),
        name=r"\delta^L",
        net=net,
        statement=r"\nabla_a C \odot \sigma'(z^L)",
    )
    assert res.ok, res.message
    assert res.require() is res
    md = res._repr_markdown_()
    assert md.startswith("**✔** proved") and r"$\delta^L = \nabla_a C \odot \sigma'(z^L)$" in md and "\n" not in md
    # without a statement, a large candidate is not printed: no equation, still one line
    plain_md = check(net.delta(3), net.delta(3), name=r"\delta^L", net=net)._repr_markdown_()
    assert "$" not in plain_md and "\n" not in plain_md


def test_sigma_for_sigma_prime(net):
    res = check(hadamard(net.grad_a_C(), net.sigma_of(net.z[3])), net.delta(3), net=net)
    assert not res.ok and "σ where σ′ belongs at layer 3" in res.message
    assert res.mismatches == [(j, 0) for j in range(5)]
    with pytest.raises(AssertionError, match="σ where σ′"):
        res.require()
    assert res._repr_markdown_().startswith("**✘** σ where σ′ belongs at layer 3")


def test_missing_sigma_prime(net):
    res = check(net.W[3].T * net.delta(3), net.delta(2), net=net)
    assert not res.ok and "misses σ′ at layer 2" in res.message


def test_recursion_accepted_and_missing_transpose_rejected(net):
    def good(n):
        return hadamard(n.W[3].T * n.delta(3), n.sigma_prime_of(n.z[2]))

    assert check(good, lambda n: n.delta(2), net=net).ok
    bad = check(lambda n: hadamard(n.W[3] * n.delta(3), n.sigma_prime_of(n.z[2])), net.delta(2), net=net)
    assert not bad.ok and bad.message.startswith("a transposed factor: W^3 where (W^3)^T belongs")
    assert "shape mismatch while building the candidate" in bad.diagnosis[1]


def test_transposed_gradient(net):
    res = check((net.delta(2) * net.a[1].T).T, net.dC_dW(2), net=net)
    assert not res.ok and "transposed" in " ".join(res.diagnosis)


def test_wrong_layer_activation(net):
    res = check(net.delta(2) * net.a[2].T, net.dC_dW(2), net=net)
    assert not res.ok and "shape mismatch" in res.message and "(n_2, n_2)" in res.message
    assert "wrong layer" in " ".join(res.diagnosis)


def test_missing_bias(net):
    no_bias = net.delta(1).xreplace({s: 0 for s in net.b[1]})
    res = check(no_bias, net.delta(1), net=net)
    assert not res.ok and "misses the bias b^1" in res.message


def test_constant_factor_half():
    n = SymbolicNetwork([2, 3, 2], cost="quadratic")
    delta_L = hadamard(n.a[2] - n.y, n.sigma_prime_of(n.z[2]))
    assert check(delta_L, n.delta(2), net=n).ok
    res = check(2 * delta_L, n.delta(2), net=n)
    assert not res.ok and "1/2" in res.message


def test_batched_dW_and_lost_one_over_n():
    n = SymbolicNetwork([2, 3, 4], m=3)
    assert n.x.shape == (2, 3) and n.z[2].shape == (4, 3)
    assert check(n.Delta(2) * n.a[1].T / 3, n.dC_dW(2), net=n).ok
    res = check(n.Delta(2) * n.a[1].T, n.dC_dW(2), net=n)
    assert not res.ok and "the 1/m of the averaged cost is missing" in res.message
    # the per-sample errors: Delta^L = grad_a C ⊙ sigma'(Z^L), column by column
    assert check(hadamard(n.grad_a_C(), n.sigma_prime_of(n.z[2])), n.Delta(2), net=n).ok
    # db is the row sum of Delta over samples, divided by n
    assert check(n.Delta(2) * sp.ones(3, 1) / 3, n.dC_db(2), net=n).ok


@pytest.mark.parametrize("act", ["sigmoid", "tanh"])
@pytest.mark.parametrize("cost", ["quadratic", "cross_entropy"])
def test_concrete_activations_and_costs(act, cost):
    n = SymbolicNetwork([2, 3, 2], activation=act, cost=cost, m=2)
    good = hadamard(n.grad_a_C(), n.sigma_prime_of(n.z[2])) / 2
    assert check(good, n.delta(2), net=n).ok
    assert not check(hadamard(n.grad_a_C(), n.sigma_of(n.z[2])) / 2, n.delta(2), net=n).ok


def test_cross_entropy_sigmoid_cancels():
    n = SymbolicNetwork([2, 3, 2], activation="sigmoid", cost="cross_entropy")
    assert check(n.a[2] - n.y, n.delta(2), net=n).ok  # sigma' cancels: delta^L = a^L - y
    assert not check(hadamard(n.a[2] - n.y, n.sigma_prime_of(n.z[2])), n.delta(2), net=n).ok


def test_scalar_and_exp_form():
    n = SymbolicNetwork([1, 1], activation="sigmoid", cost="quadratic")
    z = n.z[1][0]
    exp_form = (1 / (1 + sp.exp(-z)) - n.y[0]) * sp.exp(-z) / (1 + sp.exp(-z)) ** 2
    assert check(exp_form, n.delta(1)[0], net=n).ok
    assert not check(exp_form * 2, n.delta(1)[0], net=n).ok


def test_bigger_network():
    # the time of this check (and of 5-8-8-4, 8-10-10-6) is reported by benchmarks/bench_symbolic.py
    n = SymbolicNetwork([4, 5, 5, 3])
    assert check(n.delta(1) * n.a[0].T, n.dC_dW(1), net=n).ok
    assert "misses σ′ at layer 1" in check(n.omega(1) * n.a[0].T, n.dC_dW(1), net=n).message


@pytest.mark.parametrize(
    "activation, cost, m", [(None, "generic", 1), ("sigmoid", "cross_entropy", 2), ("tanh", "quadratic", 3)]
)
def test_the_truth_is_sympy_diff_of_the_composed_network(activation, cost, m):
    # derivative.py applies SymPy's rules once per shared node; it must agree with plain sympy.diff
    n = SymbolicNetwork([2, 3, 2], activation=activation, cost=cost, m=m)
    for l in (1, 2):
        assert check(n.dC_dW(l), n.W[l].applyfunc(lambda w: sp.diff(n.C, w)), net=n).ok
        assert check(n.dC_db(l), n.b[l].applyfunc(lambda v: sp.diff(n.C, v)), net=n).ok
    # and it is not a formula: a wrong "truth" would be caught the same way
    assert not check(n.dC_dW(1), 2 * n.W[1].applyfunc(lambda w: sp.diff(n.C, w)), net=n).ok


def test_powers_of_the_undefined_functions_render_and_are_rejected():
    # SymPy's printer passes `exp` for powers: sigma'(z)^2 must print, and a squared candidate must fail cleanly
    import sympy as sp

    from backprop_lib.symbolic import SymbolicNetwork, check, hadamard
    from backprop_lib.symbolic.network import sigma_prime

    assert sp.latex(sigma_prime(sp.Symbol("z")) ** 2) == r"\left(\sigma'\left(z\right)\right)^{2}"
    net = SymbolicNetwork([2, 3, 2])
    squared = hadamard(net.grad_a_C(), net.sigma_prime_of(net.z[net.L])).applyfunc(lambda e: e**2)
    res = check(squared, net.delta(net.L), net=net)
    assert not res.ok and res._repr_markdown_()
