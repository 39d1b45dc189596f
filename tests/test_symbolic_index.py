"""Index notation: student strings are checked with a diagnosis, turned into einsum, and proved for symbolic widths."""

import numpy as np
import pytest
import sympy as sp

from backprop_lib.symbolic import SymbolicNetwork, check_index, parse_index, prove_index, sigma, sigma_prime, to_einsum


@pytest.fixture(scope="module")
def net():
    return SymbolicNetwork([2, 3, 4, 5])


RECURSION = "delta[l]_k = delta[l+1]_m * W[l+1]_mk * sigma_prime(z[l]_k)"


@pytest.mark.parametrize(
    "text",
    [
        RECURSION,
        "delta[l]_k = Sum(delta[l+1]_m * W[l+1]_mk, m) * sigma_prime(z[l]_k)",
        "dC_dW[l]_jk = delta[l]_j a[l-1]_k",
        "dC_dW[l]_ij = delta[l]_k KroneckerDelta(k, i) a[l-1]_j",
        "dC_db[l]_i = delta[l]_i",
        "z[l]_j = W[l]_jk a[l-1]_k + b[l]_j",
    ],
)
def test_correct_equations_pass(net, text):
    res = check_index(text, net, l=2)
    assert res.ok, res.message


def test_output_layer_with_gradC(net):
    assert check_index("delta[L]_j = gradC_j * sigma_prime(z[L]_j)", net).ok


@pytest.mark.parametrize(
    "text, expected",
    [
        ("delta[l]_k = delta[l+1]_m * W[l+1]_km * sigma_prime(z[l]_k)", "transposed"),
        ("delta[l]_k = delta[l+1]_m * W[l]_mk * sigma_prime(z[l]_k)", "uses W^{l} where W^{l + 1} belongs"),
        ("delta[l]_k = delta[l+1]_m * W[l+1]_mk * sigma(z[l]_k)", "σ where σ′ belongs"),
        ("delta[l]_k = delta[l+1]_m * W[l+1]_mk", "misses σ′ at layer 2"),
        ("dC_dW[l]_jk = delta[l]_j a[l]_k", "uses a^{l} where a^{l - 1} belongs"),
        ("z[l+1]_m = Sum(W[l+1]_mk * a[l]_k, k) + b[l]_m", "uses b^{l} where b^{l + 1} belongs"),
        ("z[l]_j = W[l]_jk a[l-1]_k", "misses the bias"),
        ("delta[l]_k = delta[l+1]_m * W[l+1]_mm * sigma_prime(z[l]_k)", "wrong index"),
        ("dC_dW[l]_jk = 2 * delta[l]_j a[l-1]_k", "twice the truth"),
    ],
)
def test_typical_slips_are_diagnosed(net, text, expected):
    res = check_index(text, net, l=2)
    assert not res.ok
    assert expected in res.message, res.diagnosis


def test_several_slips_at_once(net):
    res = check_index("Delta[L]_i = Delta[l+1]_k W[l]_ki sigma(z[l]_i)", net, l=2)
    assert not res.ok
    for part in ("left-hand side", "uses W^{l} where W^{l + 1} belongs", "σ where σ′ belongs"):
        assert part in res.message


def test_stray_index_is_an_error():
    with pytest.raises(ValueError, match="appears on the right only once"):
        parse_index("delta[l]_k = delta[l+1]_m * sigma_prime(z[l]_k)")


def test_batched_index_form():
    n = SymbolicNetwork([2, 3, 4], m=3)
    assert check_index("dC_dW[l]_jk = Rational(1, 3) * Delta[l]_js a[l-1]_ks", n, l=2).ok
    res = check_index("dC_dW[l]_jk = Delta[l]_js a[l-1]_ks", n, l=2)
    assert not res.ok and "the 1/m of the averaged cost is missing" in res.message


def _numeric_namespace(l):
    """Arrays of a sigmoid/quadratic 2-3-4-5 network at random weights, from the symbolic truth."""
    n = SymbolicNetwork([2, 3, 4, 5], activation="sigmoid", cost="quadratic")
    rng = np.random.default_rng(0)
    vals = {s: sp.Float(rng.normal()) for s in n.parameters()}

    def num(M):
        return np.array(M.xreplace(vals).evalf(), dtype=float)

    def sig(t):
        return 1 / (1 + np.exp(-t))

    ns = {
        "W": [None] + [num(n.W[k]) for k in range(1, 4)],
        "b": [None] + [num(n.b[k]) for k in range(1, 4)],
        "z": [None] + [num(n.z[k]) for k in range(1, 4)],
        "a": [num(n.a[k]) for k in range(4)],
        "delta": [None] + [num(n.delta(k)) for k in range(1, 4)],
        "sigma": sig,
        "sigma_prime": lambda t: sig(t) * (1 - sig(t)),
        "l": l,
        "L": 3,
    }
    return ns, num(n.dC_dW(l)), num(n.delta(l))


def test_einsum_twin_matches_truth():
    ns, dW, delta = _numeric_namespace(2)
    form = to_einsum(RECURSION)
    assert "np.einsum" in form.code and form.lhs == "delta[l]"
    out = form.evaluate(ns)
    assert out.shape == (3 + 1, 1) and np.allclose(out, delta)
    wform = to_einsum("dC_dW[l]_jk = delta[l]_j a[l-1]_k")
    assert np.allclose(wform.evaluate(ns), dW)
    zform = to_einsum("z[l]_j = W[l]_jk a[l-1]_k + b[l]_j")
    assert np.allclose(zform.evaluate(ns), ns["z"][2])
    # a wrong index gives a wrong einsum: the twin is faithful, not a lookup
    bad = to_einsum("delta[l]_k = delta[l+1]_m * W[l+1]_mk * sigma(z[l]_k)")
    assert not np.allclose(bad.evaluate(ns), delta)


def test_the_recursion_step_for_symbolic_widths():
    # dz^{l+1}_m/dz^l_i = W^{l+1}_mi σ′(z^l_i), and the one-step recursion, for every width n_l, n_{l+1}
    n_l, n_next = sp.symbols("n_l n_{l+1}", integer=True, positive=True)
    i, q, m = sp.Idx("i", n_l), sp.Idx("q", n_l), sp.Idx("m", n_next)
    z, W1, b1, d1 = sp.IndexedBase("z^{l}"), sp.IndexedBase("W^{l+1}"), sp.IndexedBase("b^{l+1}"), sp.IndexedBase("d")
    z1_m = sp.Sum(W1[m, q] * sigma(z[q]), (q, 0, n_l - 1)) + b1[m]
    step = prove_index(sp.diff(z1_m, z[i]), W1[m, i] * sigma_prime(z[i]))
    assert step.ok, step.message
    assert "proved for all widths" in step._repr_latex_()
    recursion = prove_index(
        sp.Sum(d1[m] * sp.diff(z1_m, z[i]), (m, 0, n_next - 1)),
        sp.Sum(d1[m] * W1[m, i], (m, 0, n_next - 1)) * sigma_prime(z[i]),
    )
    assert recursion.ok, recursion.message
    assert not prove_index(sp.diff(z1_m, z[i]), W1[i, m] * sigma_prime(z[i])).ok  # transposed W


def test_symbolic_dimension_rejects_wrong_statements():
    n_l, n_p = sp.symbols("n_l n_p", integer=True, positive=True)
    i, j = sp.Idx("i", n_l), sp.Idx("j", n_l)
    k, p = sp.Idx("k", n_p), sp.Idx("p", n_p)
    W, a, b, z = (sp.IndexedBase(s) for s in "Wabz")
    z_i = sp.Sum(W[i, p] * a[p], (p, 0, n_p - 1)) + b[i]
    assert prove_index(sp.diff(z_i, W[j, k]), sp.KroneckerDelta(i, j) * a[k]).ok
    wrong = prove_index(sp.diff(z_i, W[j, k]), sp.KroneckerDelta(i, k) * a[j])
    assert not wrong.ok
    with pytest.raises(AssertionError):
        wrong.require()
    assert not prove_index(sp.diff(sigma(z[i]), z[j]), sp.KroneckerDelta(i, j) * sigma(z[j])).ok
    assert prove_index(sp.diff(sigma(z[i]), z[j]), sp.KroneckerDelta(i, j) * sigma_prime(z[j])).ok


def test_prove_index_sifts_a_kronecker_delta_inside_a_sum():
    # sum_i d_i dz_i/dW_jk = d_j a_k for every width: the delta sits inside the sum over i, not outside it
    import sympy as sp

    from backprop_lib.symbolic import prove_index

    n, m = sp.symbols("n m", integer=True, positive=True)
    i, j, k, p = sp.Idx("i", n), sp.Idx("j", n), sp.Idx("k", m), sp.Idx("p", m)
    W, a, d = sp.IndexedBase("W"), sp.IndexedBase("a"), sp.IndexedBase("d")
    z_i = sp.Sum(W[i, p] * a[p], (p, 0, m - 1))
    lhs = sp.Sum(d[i] * sp.diff(z_i, W[j, k]), (i, 0, n - 1))
    assert prove_index(lhs, d[j] * a[k]).ok
    assert not prove_index(lhs, d[j] * a[j]).ok  # the wrong index on a is caught
    assert not prove_index(lhs, d[k] * a[k]).ok


@pytest.mark.parametrize(
    "text",
    [
        "delta[l]_k = ().__class__.__bases__[0]",
        "delta[l]_k = __import__('os').getcwd()",
        "delta[l]_k = W[l+1]_mk * open('x')",
        "delta[__import__('os').getpid()]_k = delta[l]_k",
        "delta[l]_k = [x for x in delta[l]_k]",
        "delta[l]_k = lambda: 0",
    ],
)
def test_an_index_equation_is_read_without_running_any_python(text, tmp_path, monkeypatch):
    """The parser builds SymPy objects node by node from the notation's own words: a string that would do
    anything as Python is refused with a ValueError (the grader reads students' strings with it)."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError):
        parse_index(text)
    assert list(tmp_path.iterdir()) == []
