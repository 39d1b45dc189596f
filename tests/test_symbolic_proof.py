"""Proof cells: a proof that holds shows one line; one that fails raises with the equation, layer and diagnosis."""

import warnings

import pytest
import sympy as sp

from backprop_lib.symbolic import CheckResult, Proof, cached_network, check, check_index, hadamard, prove, reject
from backprop_lib.symbolic.text import latex_to_text, plain
from backprop_lib.verdict import CheckFailed


@pytest.fixture(scope="module")
def sym():
    return cached_network((2, 3, 4, 5))


def recursion(n, l):
    """(3.2): delta^l = (W^{l+1})^T delta^{l+1} ⊙ sigma'(z^l)."""
    return hadamard(n.W[l + 1].T * n.delta(l + 1), n.sigma_prime_of(n.z[l]))


def test_proof_over_layers_shows_one_line(sym):
    p = Proof("(3.1)", net=sym)
    for l in range(1, sym.L + 1):
        res = p.check(lambda n, l=l: n.delta(l) * n.a[l - 1].T, sym.dC_dW(l), layer=l)
        assert isinstance(res, CheckResult) and res.ok
    assert p.ok and p.require() is p
    assert repr(p) == "✔ (3.1) for layers 1-3 of 2-3-4-5, 38 entries (exact evaluation, then a symbolic proof)"
    assert p.message == repr(p) and "\n" not in p._repr_markdown_()


def test_markdown_holds_the_math_and_plain_text_none(sym):
    p = prove(
        "(3.2)",
        lambda n: recursion(n, 2),
        sym.delta(2),
        net=sym,
        layer=2,
        name=r"\delta^{2}",
        statement=r"(W^{3})^T \delta^{3} \odot \sigma'(z^{2})",
    )
    assert "\\" not in repr(p) and "$" not in repr(p)
    assert r"$\delta^{2} = (W^{3})^T \delta^{3} \odot \sigma'(z^{2})$" in p._repr_markdown_()


def test_wrong_candidate_raises_with_equation_layer_and_diagnosis(sym):
    p = Proof("(3.2)", net=sym)
    p.check(lambda n: recursion(n, 1), sym.delta(1), layer=1)
    with pytest.raises(CheckFailed) as info:
        p.check(lambda n: n.W[3].T * n.delta(3), sym.delta(2), layer=2)  # σ′ lost
    lines = info.value.lines
    assert lines[0] == "✘ (3.2) fails at layer 2 of 2-3-4-5: misses σ′ at layer 2 (the factor σ′(z²) is missing)"
    assert 1 <= len(lines) <= 4 and not any("\\" in line or "$" in line for line in lines)
    assert not p.ok and p.message == lines[0]
    with pytest.raises(CheckFailed):
        p.require()


def test_a_proof_with_no_check_is_not_proved():
    p = Proof("(9.9)")
    assert not p.ok and "nothing checked" in p.message


def test_bad_label_and_layer_raise():
    with pytest.raises(ValueError, match="label"):
        Proof("")
    with pytest.raises(TypeError, match="layer"):
        Proof("(1)").check(sp.Integer(1), sp.Integer(1), layer="2")


def test_check_index_records_the_bound_layer(sym):
    p = Proof("(2.3)", net=sym)
    for l in (1, 2):
        p.check_index("delta[l]_k = delta[l+1]_m W[l+1]_mk sigma_prime(z[l]_k)", l=l)
    assert p.ok and p.message.startswith("✔ (2.3) for layers 1-2 of 2-3-4-5, 7 entries")
    with pytest.raises(CheckFailed) as info:
        p.check_index("delta[l]_k = delta[l+1]_m W[l+1]_km sigma_prime(z[l]_k)", l=2)
    first = info.value.lines[0]
    assert first.startswith("✘ (2.3) fails at layer 2 of 2-3-4-5: ") and "transposed" in first
    assert not any("$" in line or "\\" in line for line in info.value.lines)


def test_prove_with_an_index_string(sym):
    assert prove("(3.3)", "dC_db[l]_j = delta[l]_j", None, net=sym, l=2).ok
    with pytest.raises(CheckFailed, match=r"^✘ \(3.3\) fails at layer 2"):
        prove("(3.3)", "dC_db[l]_j = a[l]_j", None, net=sym, l=2)


def test_reject_names_the_expected_slip(sym):
    res = reject("(3.2) without σ′", lambda n: n.W[3].T * n.delta(3), sym.delta(2), expect="σ′", net=sym, layer=2)
    assert not res.ok
    assert repr(res) == (
        "✘ as expected, (3.2) without σ′ is rejected: misses σ′ at layer 2 (the factor σ′(z²) is missing)"
    )
    # an ASCII prime and another case find the same slip
    reject("(3.2) without σ′", lambda n: n.W[3].T * n.delta(3), sym.delta(2), expect="MISSES σ'", net=sym)


def test_reject_raises_when_the_engine_accepts(sym):
    with pytest.raises(CheckFailed, match="but the engine proves it"):
        reject("(3.2)", lambda n: recursion(n, 2), sym.delta(2), expect="σ′", net=sym)


def test_reject_raises_on_another_diagnosis(sym):
    with pytest.raises(CheckFailed, match="not for the expected reason 'bias'"):
        reject("(3.2) without σ′", lambda n: n.W[3].T * n.delta(3), sym.delta(2), expect="bias", net=sym)
    with pytest.raises(ValueError, match="expect"):
        reject("(3.2)", lambda n: n.W[3].T * n.delta(3), sym.delta(2), expect="", net=sym)


def test_reject_an_index_equation(sym):
    res = reject(
        "(2.3) with W untransposed",
        "delta[l]_k = delta[l+1]_m W[l+1]_km sigma_prime(z[l]_k)",
        None,
        expect="transposed",
        net=sym,
        l=2,
    )
    assert repr(res).startswith("✘ as expected, (2.3) with W untransposed is rejected: ")


def test_check_result_displays_quietly(sym):
    good = check(lambda n: recursion(n, 2), sym.delta(2), net=sym, name=r"\delta^2")
    assert repr(good).startswith("✔ proved: all 4 entries") and "\n" not in good._repr_markdown_()
    assert not hasattr(good, "_repr_latex_")
    bad = check(lambda n: n.W[3].T * n.delta(3), sym.delta(2), net=sym, name=r"\delta^2")
    md = bad._repr_markdown_()
    assert md.count("misses σ′ at layer 2") == 1 and "4 of 4 entries differ" in md
    assert "\n" not in repr(bad) and "$" not in repr(bad)


def test_no_dependency_warning_reaches_the_student(sym):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check(lambda n: recursion(n, 2), sym.delta(2), net=sym)
        check_index("dC_db[l]_j = delta[l]_j", net=sym, l=2)
    assert caught == []


def test_plain_text_of_engine_latex():
    assert latex_to_text(r"\frac{\partial C}{\partial W^{2}_{kj}}") == "∂C/∂W²_kj"
    assert latex_to_text(r"\sum_{m=0}^{\text{last}} {W^{l + 1}}_{m,k}") == "Σ_m Wˡ⁺¹_m,k"
    assert plain(r"uses z^{l + 1} where $\sigma'(z^{l})$ belongs") == "uses zˡ⁺¹ where σ′(zˡ) belongs"


def test_reject_does_not_match_inside_the_list_of_slips_the_engine_ruled_out():
    """'no single typical slip explains it (tried: ... σ or σ′ ...)' names no slip: expect="σ′" must not pass."""
    from backprop_lib.symbolic import SymbolicNetwork, reject
    from backprop_lib.verdict import CheckFailed

    net = SymbolicNetwork([2, 3, 2])
    one_path = sp.Matrix(3, 1, lambda k, _: net.delta(2)[0] * net.W[2][0, k])
    with pytest.raises(CheckFailed, match="not for the expected reason"):
        reject("one path only", one_path, net.omega(1), expect="σ′", net=net, layer=1)
    reject("one path only", one_path, net.omega(1), expect="differ", net=net, layer=1)
