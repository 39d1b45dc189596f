"""The diagnosis of a failed check (diagnose.py): each typical slip is named exactly, in the documented order.

Most candidates below are the truth with one slip written in by hand, and the test pins the words check() shows
for it, so a diagnosis that names the wrong slip, layer or factor fails here; a few agree with the truth at the
first random point only, which pins that no slip is named on the evidence of one point.
"""

from fractions import Fraction
from types import SimpleNamespace

import mpmath
import pytest
import sympy as sp

from backprop_lib.symbolic import cached_network, check, hadamard
from backprop_lib.symbolic.diagnose import (
    AMBIGUOUS_M2,
    NO_SLIP,
    _contents,
    _mutations,
    _Rewriter,
    diagnose,
    factor_words,
    shape_words,
)
from backprop_lib.symbolic.evaluate import PRIME, Point, values
from backprop_lib.symbolic.network import sigma, sigma_prime


def field(q):
    """The rational q as an element of the exact field (what ratio() returns in exact mode)."""
    q = Fraction(q)
    return q.numerator % PRIME * pow(q.denominator, -1, PRIME) % PRIME


def first(cand, truth, net):
    """The first finding of a failed check (its message)."""
    res = check(cand, truth, net=net, prove=False)
    assert not res.ok
    assert res.message == res.diagnosis[0]
    return res.diagnosis[0]


@pytest.fixture(scope="module")
def sq():
    """Layers 1 and 2 both 3 wide: square W^2, σ′ at a neighbouring layer of the same width."""
    return cached_network((2, 3, 3, 2))


@pytest.fixture(scope="module")
def sq2():
    return cached_network((2, 3, 3, 2), m=2)


def swap_sp(M, net, frm, to):
    """M with σ′(z^frm) written as σ′(z^to), entry by entry (the 'wrong layer' slip)."""
    return M.xreplace({sigma_prime(e): sigma_prime(f) for e, f in zip(net.z[frm], net.z[to])})


# ---------------------------------------------------------------------------------------------------------------
# σ, σ′, layers, bias, transposes: the slips re-derived from the truth
# ---------------------------------------------------------------------------------------------------------------
def test_sigma_for_sigma_prime_names_the_layer(sq):
    cand = hadamard(sq.W[3].T * sq.delta(3), sq.sigma_of(sq.z[2]))
    assert first(cand, sq.delta(2), sq) == "σ where σ′ belongs at layer 2 (σ(z^2) for σ′(z^2))"


def test_the_first_matching_slip_is_named(sq):
    # δ^3 holds σ′ at layer 3 only: "at layer 3" and "everywhere" give the same expression; the layer comes first
    cand = hadamard(sq.grad_a_C(), sq.sigma_of(sq.z[3]))
    assert first(cand, sq.delta(3), sq) == "σ where σ′ belongs at layer 3 (σ(z^3) for σ′(z^3))"


def test_sigma_for_sigma_prime_at_every_layer_is_everywhere(sq):
    cand = sq.delta(1).replace(lambda e: isinstance(e, sigma_prime), lambda e: sigma(e.args[0]))
    assert first(cand, sq.delta(1), sq) == "σ where σ′ belongs everywhere"


def test_missing_sigma_prime_at_one_layer_and_everywhere(sq):
    cand = sq.W[3].T * sq.delta(3)
    assert first(cand, sq.delta(2), sq) == "misses σ′ at layer 2 (the factor σ′(z^2) is missing)"
    cand = sq.delta(1).replace(lambda e: isinstance(e, sigma_prime), lambda e: sp.S.One)
    assert first(cand, sq.delta(1), sq) == "misses σ′ everywhere"


def test_sigma_prime_at_the_wrong_layer_both_directions(sq):
    # layers 1 and 2 have the same width, so σ′(z^1) and σ′(z^2) can be swapped entry for entry
    assert (
        first(swap_sp(sq.delta(2), sq, 2, 1), sq.delta(2), sq) == "σ′ at the wrong layer: σ′(z^1) where σ′(z^2) belongs"
    )
    assert (
        first(swap_sp(sq.delta(1), sq, 1, 2), sq.delta(1), sq) == "σ′ at the wrong layer: σ′(z^2) where σ′(z^1) belongs"
    )


def test_sigma_prime_at_the_wrong_layer_with_samples(sq2):
    # z^l has one column per sample: the swap keeps row and column
    assert (
        first(swap_sp(sq2.delta(1), sq2, 1, 2), sq2.delta(1), sq2)
        == "σ′ at the wrong layer: σ′(z^2) where σ′(z^1) belongs"
    )


def test_sigma_prime_where_sigma_belongs(sq):
    # a^1 = σ(z^1) written as σ′(z^1) everywhere it occurs, inside z^2 too
    truth = sq.dC_dW(2)
    cand = truth.xreplace({sigma(e): sigma_prime(e) for e in sq.z[1]})
    assert first(cand, truth, sq) == "σ′ where σ belongs at layer 1 (σ′(z^1) for a^1 = σ(z^1))"


def test_missing_bias_names_layer_and_the_affine_map(sq):
    truth = sq.delta(1)
    cand = truth.xreplace({b: 0 for b in sq.b[1]})
    assert first(cand, truth, sq) == "misses the bias b^1 (z^1 written as W^1 a^0 without + b^1)"
    cand = truth.xreplace({b: 0 for b in sq.b[2]})
    assert first(cand, truth, sq) == "misses the bias b^2 (z^2 written as W^2 a^1 without + b^2)"


def test_transposed_weight_factor_inside_the_product(sq):
    # only the chain-rule factor is transposed, not the W^2 inside z^2 = W^2 a^1 + b^2
    cand = hadamard(sq.W[2] * sq.delta(2), sq.sigma_prime_of(sq.z[1]))
    assert first(cand, sq.delta(1), sq) == "a transposed factor: W^2 where (W^2)^T belongs inside the product"


def test_transposed_factor_on_two_wide_layers():
    # the smallest square layers (2x2), at the first and at the last layer
    n = cached_network((2, 2, 2))
    assert first(n.W[1] * n.delta(1), n.omega(0), n) == (
        "a transposed factor: W^1 where (W^1)^T belongs inside the product"
    )
    cand = hadamard(n.W[2] * n.delta(2), n.sigma_prime_of(n.z[1]))
    assert first(cand, n.delta(1), n) == "a transposed factor: W^2 where (W^2)^T belongs inside the product"


def test_sigma_prime_of_a_non_layer_argument(sq):
    # a truth may hold σ′ of an expression that is no z^l entry: the per-layer slips leave it alone
    t = sp.Symbol("t")
    cand = sp.Matrix([[sigma(t) * sq.x[0]]])
    assert first(cand, sp.Matrix([[sigma_prime(t) * sq.x[0]]]), sq) == "σ where σ′ belongs everywhere"
    truth = sq.delta(1) + sigma_prime(t) * sp.ones(3, 1)
    cand = truth.xreplace({b: 0 for b in sq.b[1]})  # found after the wrong-layer slips were tried on σ′(t)
    assert first(cand, truth, sq) == "misses the bias b^1 (z^1 written as W^1 a^0 without + b^1)"


def test_slip_and_constant_factor_together(sq):
    cand = 2 * hadamard(sq.W[3].T * sq.delta(3), sq.sigma_of(sq.z[2]))
    assert first(cand, sq.delta(2), sq) == (
        "σ where σ′ belongs at layer 2 (σ(z^2) for σ′(z^2)), and twice the truth: an extra factor 2"
    )
    cand = -(sq.W[3].T * sq.delta(3))
    assert first(cand, sq.delta(2), sq) == (
        "misses σ′ at layer 2 (the factor σ′(z^2) is missing), and the truth with the sign flipped (candidate = −truth)"
    )


def test_square_matrix_transposed(sq):
    truth = sq.dC_dW(2)
    res = check(truth.T, truth, net=sq, prove=False)
    assert res.diagnosis == [
        "the candidate is the truth transposed: a transpose is missing or one too many",
        "6 of 9 entries differ: (0, 1), (0, 2), (1, 0), (1, 2), (2, 0), (2, 1)",
    ]


def test_transposed_two_by_two_and_a_reshape_is_no_transpose(sq):
    n = cached_network((2, 2, 2))
    assert first(n.dC_dW(2).T, n.dC_dW(2), n) == (
        "the candidate is the truth transposed: a transpose is missing or one too many"
    )
    # the transposed entries poured into the truth's shape (a reshape for a transpose) are not "transposed"
    truth = sq.dC_dW(1)
    assert first(truth.T.reshape(3, 2), truth, sq) == NO_SLIP


def test_no_slip_fits(sq):
    truth = sq.delta(2)
    res = check(truth + sq.x[0] * sp.ones(3, 1), truth, net=sq, prove=False)
    assert res.diagnosis == [NO_SLIP, "3 of 3 entries differ: (0, 0), (1, 0), (2, 0)"]
    assert NO_SLIP.startswith("no single typical slip explains it (tried: a constant factor or sign")


def test_a_slip_that_is_not_a_multiple_is_not_named(sq):
    # σ for σ′ plus an unrelated term: neither equal to the mutated truth nor a constant multiple of it
    cand = hadamard(sq.W[3].T * sq.delta(3), sq.sigma_of(sq.z[2])) + sq.x[0] * sp.ones(3, 1)
    assert first(cand, sq.delta(2), sq) == NO_SLIP
    # the slip in two entries of three is not the slip: every entry must fit
    slip = hadamard(sq.W[3].T * sq.delta(3), sq.sigma_of(sq.z[2]))
    cand = sp.Matrix([sq.x[0], slip[1], slip[2]])
    assert first(cand, sq.delta(2), sq) == NO_SLIP


def test_one_point_only_still_diagnoses(sq):
    # with a single random point there is no second point to confirm a factor: a non-multiple stays unnamed
    truth = sq.delta(2)
    res = check(truth + sq.x[0] * sp.ones(3, 1), truth, net=sq, points=1, prove=False)
    assert res.diagnosis == [NO_SLIP, "3 of 3 entries differ: (0, 0), (1, 0), (2, 0)"]
    assert check(3 * truth, truth, net=sq, points=1).message == "off by the constant factor 3 (candidate = 3 × truth)"


# ---------------------------------------------------------------------------------------------------------------
# constant factors: named by what they mean for the cost and the batch size
# ---------------------------------------------------------------------------------------------------------------
def test_zero_candidate_is_zero_not_a_factor(sq):
    res = check(sp.zeros(3, 1), sq.delta(2), net=sq, prove=False)
    assert res.diagnosis == [
        "the candidate is zero: every entry is 0 where the truth is not",
        "3 of 3 entries differ: (0, 0), (1, 0), (2, 0)",
    ]


def test_one_zero_entry_is_not_a_zero_candidate(sq):
    truth = sq.delta(2)
    cand = sp.Matrix([0, 3 * truth[1], 3 * truth[2]])
    assert first(cand, truth, sq) == NO_SLIP


@pytest.mark.parametrize(
    "k, words",
    [
        (-1, "the truth with the sign flipped (candidate = −truth)"),
        (sp.Rational(1, 2), "half the truth: an extra factor 1/2"),
        (2, "twice the truth: an extra factor 2"),
        (-2, "twice the truth: an extra factor 2, and the sign flipped"),
        (3, "off by the constant factor 3 (candidate = 3 × truth)"),
        (-sp.Rational(1, 1000), "off by the constant factor 1/1000 (candidate = 1/1000 × truth), and the sign flipped"),
        (1000, "off by the constant factor 1000 (candidate = 1000 × truth)"),
        (sp.Rational(999, 1000), "off by the constant factor 999/1000 (candidate = 999/1000 × truth)"),
        (1001, NO_SLIP),  # numerator or denominator past 1000 is not a "simple number"
        (sp.Rational(1, 1001), NO_SLIP),
        (-sp.Rational(1001, 2), NO_SLIP),
    ],
)
def test_constant_factor_words_generic_one_sample(sq, k, words):
    assert first(k * sq.delta(3), sq.delta(3), sq) == words


def test_quadratic_cost_names_the_lost_half():
    q = cached_network((2, 3, 2), cost="quadratic")
    assert (
        first(2 * q.dC_dW(2), q.dC_dW(2), q)
        == "twice the truth: the 1/2 of the quadratic cost was dropped (or the 2 of the square not cancelled)"
    )
    # m = 1: no "2m" reading of a factor 2 and no 1/m
    assert first(q.dC_dW(2) / 2, q.dC_dW(2), q) == "half the truth: an extra factor 1/2"


def test_batch_of_three_names_m_and_2m():
    q = cached_network((2, 3, 2), cost="quadratic", m=3)
    t = q.dC_dW(2)
    assert first(3 * t, t, q) == "m = 3 times the truth: the 1/m of the averaged cost is missing"
    assert first(t / 3, t, q) == "1/m = 1/3 of the truth: an extra 1/m (m = 3 samples)"
    assert first(6 * t, t, q) == "2m = 6 times the truth: both the 1/2 and the 1/m are missing"
    assert (
        first(2 * t, t, q)
        == "twice the truth: the 1/2 of the quadratic cost was dropped (or the 2 of the square not cancelled)"
    )
    g = cached_network((2, 3, 2), m=3)
    assert first(6 * g.dC_dW(2), g.dC_dW(2), g) == "off by the constant factor 6 (candidate = 6 × truth)"


def test_batch_of_two_is_ambiguous_and_one_half_is_one_over_m(sq2):
    t = sq2.delta(1)
    generic = (
        f"{AMBIGUOUS_M2}: the 1/m of the averaged cost is missing, or an extra factor 2 "
        "(a check with m ≠ 2 tells them apart)"
    )
    assert first(2 * t, t, sq2) == generic
    assert first(-2 * t, t, sq2) == generic + ", and the sign flipped"
    assert first(t / 2, t, sq2) == "1/m = 1/2 of the truth: an extra 1/m (m = 2 samples)"
    q = cached_network((2, 3, 2), cost="quadratic", m=2)
    assert first(2 * q.dC_dW(2), q.dC_dW(2), q) == (
        f"{AMBIGUOUS_M2}: the 1/m of the averaged cost is missing, or the 1/2 of the quadratic cost "
        "(a check with m ≠ 2 tells them apart)"
    )
    assert first(4 * q.dC_dW(2), q.dC_dW(2), q) == "2m = 4 times the truth: both the 1/2 and the 1/m are missing"


def test_batch_of_two_resolved_on_the_m3_twin(sq2):
    # check() re-runs a callable candidate with m = 3, where the diagnosis tells a lost 1/m from a factor 2
    assert first(lambda n: n.Delta(2) * n.a[1].T, sq2.dC_dW(2), sq2) == (
        "the 1/m of the averaged cost is missing (with m = 2 it looks like a lost 1/2; "
        "with m = 3 the candidate is 3 times the truth)"
    )
    assert first(lambda n: 2 * n.dC_dW(2), sq2.dC_dW(2), sq2) == (
        "an extra factor 2 (with m = 3 the candidate is still twice the truth: not the 1/m)"
    )
    q = cached_network((2, 3, 2), cost="quadratic", m=2)
    assert first(lambda n: 2 * n.dC_dW(2), q.dC_dW(2), q) == (
        "the 1/2 of the quadratic cost was dropped (or the 2 of the square not cancelled) "
        "(with m = 3 the candidate is still twice the truth: not the 1/m)"
    )


def test_slip_and_factor_named_for_this_cost_and_batch():
    q = cached_network((2, 3, 2), cost="quadratic", m=3)
    truth = q.delta(1)
    assert first(3 * truth.xreplace({b: 0 for b in q.b[1]}), truth, q) == (
        "misses the bias b^1 (z^1 written as W^1 a^0 without + b^1), and m = 3 times the truth: the 1/m of the "
        "averaged cost is missing"
    )


def test_without_a_network_m_is_one():
    x, y = sp.symbols("x y")
    t = sp.Matrix([x * y, x + y])
    assert check(2 * t, t, prove=False).message == "twice the truth: an extra factor 2"
    assert check(t / 2, t, prove=False).message == "half the truth: an extra factor 1/2"
    assert check(3 * t, t, prove=False).message == "off by the constant factor 3 (candidate = 3 × truth)"


def test_factor_words_directly():
    quad = SimpleNamespace(cost="quadratic", m=1)
    assert factor_words(field(2), quad) == (
        "twice the truth: the 1/2 of the quadratic cost was dropped (or the 2 of the square not cancelled)"
    )
    # a network object without m counts as one sample
    assert factor_words(field(2), SimpleNamespace(cost="quadratic")) == factor_words(field(2), quad)
    assert factor_words(field(2), None) == "twice the truth: an extra factor 2"
    # 0 is a zero candidate and 1 no factor; a non-simple field element is no number at all
    assert factor_words(0, None) is None and factor_words(1, None) is None
    assert factor_words(field(Fraction(1, 1001)), None) is None
    assert factor_words(field(Fraction(1001, 1000)), None) is None
    assert factor_words(field(Fraction(-1000, 999)), None) == (
        "off by the constant factor 1000/999 (candidate = 1000/999 × truth), and the sign flipped"
    )
    assert factor_words(123456789123, None) is None


def test_factor_words_in_float_mode():
    # floats (expressions with exp or log) name a factor only when a fraction with denominator at most 1000 is
    # the ratio itself, to rounding: the nearest such fraction to 1/1001, 1.0001 or 0.8889 is no factor
    assert factor_words(mpmath.mpf(2), None, exact=False) == "twice the truth: an extra factor 2"
    assert factor_words(mpmath.mpf(-1), None, exact=False) == "the truth with the sign flipped (candidate = −truth)"
    assert factor_words(mpmath.mpf(1) / 3, None, exact=False) == (
        "off by the constant factor 1/3 (candidate = 1/3 × truth)"
    )
    assert factor_words(mpmath.mpf(1) / 1001, None, exact=False) is None
    assert factor_words(mpmath.mpf("1.0001"), None, exact=False) is None
    assert factor_words(mpmath.mpf("0.8889"), None, exact=False) is None
    assert factor_words(mpmath.mpf(1) / 2 + mpmath.mpf("1e-15"), None, exact=False) == (
        "half the truth: an extra factor 1/2"
    )
    # the tolerance is 2**-30 of the ratio's size (at least 1), its bound included
    half, half_names = mpmath.mpf(1) / 2, "half the truth: an extra factor 1/2"
    assert factor_words(half + mpmath.mpf(2) ** -30, None, exact=False) == half_names
    assert factor_words(half + mpmath.mpf(1.5) * mpmath.mpf(2) ** -30, None, exact=False) is None
    assert factor_words(3 + mpmath.mpf(2) ** -29, None, exact=False) == (
        "off by the constant factor 3 (candidate = 3 × truth)"
    )
    assert factor_words(3 + mpmath.mpf(2) ** -28, None, exact=False) is None
    assert factor_words(mpmath.mpf(1) / 997, None, exact=False) == (
        "off by the constant factor 1/997 (candidate = 1/997 × truth)"
    )
    assert factor_words(mpmath.mpf(1001), None, exact=False) is None
    assert factor_words(mpmath.mpf(1), None, exact=False) is None


def test_float_mode_names_the_factor_and_the_lost_bias():
    n = cached_network((1, 1), activation="sigmoid", cost="quadratic")
    z = n.z[1][0]

    def exp_form(zz):
        return (1 / (1 + sp.exp(-zz)) - n.y[0]) * sp.exp(-zz) / (1 + sp.exp(-zz)) ** 2

    truth = n.delta(1)[0]
    assert first(2 * exp_form(z), truth, n) == (
        "twice the truth: the 1/2 of the quadratic cost was dropped (or the 2 of the square not cancelled)"
    )
    assert first(exp_form(z - n.b[1][0]), truth, n) == "misses the bias b^1 (z^1 written as W^1 a^0 without + b^1)"
    assert first(2 * exp_form(z - n.b[1][0]), truth, n) == (
        "misses the bias b^1 (z^1 written as W^1 a^0 without + b^1), and twice the truth: the 1/2 of the "
        "quadratic cost was dropped (or the 2 of the square not cancelled)"
    )
    assert first(exp_form(z) + n.x[0], truth, n) == NO_SLIP


# ---------------------------------------------------------------------------------------------------------------
# the list of differing entries
# ---------------------------------------------------------------------------------------------------------------
def test_mismatch_list_shows_six_entries_then_dots(sq):
    res = check(3 * sq.dC_dW(1), sq.dC_dW(1), net=sq, prove=False)
    assert res.diagnosis[1] == "6 of 6 entries differ: (0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (2, 1)"
    res = check(3 * sq.dC_dW(2), sq.dC_dW(2), net=sq, prove=False)
    assert res.diagnosis[1] == "9 of 9 entries differ: (0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2) ..."
    truth = sq.dC_dW(2)
    cand = sp.Matrix(3, 3, lambda i, j: truth[i, j] if (i, j) in ((0, 0), (1, 1)) else 3 * truth[i, j])
    res = check(cand, truth, net=sq, prove=False)
    assert res.diagnosis == [NO_SLIP, "7 of 9 entries differ: (0, 1), (0, 2), (1, 0), (1, 2), (2, 0), (2, 1) ..."]


# ---------------------------------------------------------------------------------------------------------------
# shapes
# ---------------------------------------------------------------------------------------------------------------
def test_shape_words_name_every_layer_of_that_width(sq, sq2):
    assert shape_words(sq, (3, 2)) == "(3, 2) = (n_1=n_2, n_0=n_3)"
    assert shape_words(sq, (5, 1)) == "(5, 1) = (no layer has width 5, no layer has width 1)"
    assert shape_words(None, (3, 2)) == "(3, 2)"
    assert shape_words(sq2, (3, 2)) == "(3, 2) = (n_1=n_2, m (= 2 samples) or n_0=n_3)"
    assert shape_words(sq2, (2, 3)) == "(2, 3) = (n_0=n_3, n_1=n_2)"
    four = cached_network((2, 3, 2), m=4)
    assert shape_words(four, (3, 4)) == "(3, 4) = (n_1, m (= 4 samples))"


def test_shape_transposed_equal_entries(sq):
    res = check(sq.dC_dW(1).T, sq.dC_dW(1), net=sq, prove=False)
    assert res.diagnosis == [
        "shape mismatch: the candidate is the truth transposed",
        "shape mismatch: the candidate is (2, 3) = (n_0=n_3, n_1=n_2) but the truth is (3, 2) = (n_1=n_2, n_0=n_3)",
        "a transpose is missing or one too many",
    ]
    assert res.shape == (2, 3)


def test_shape_transposed_with_other_entries(sq):
    res = check((2 * sq.dC_dW(1)).T, sq.dC_dW(1), net=sq, prove=False)
    assert res.diagnosis == [
        "shape mismatch: the candidate is (2, 3) = (n_0=n_3, n_1=n_2) but the truth is (3, 2) = (n_1=n_2, n_0=n_3)",
        "its shape is the truth's transposed: a transpose is missing (and entries differ too)",
    ]


def test_one_number_for_a_layer(sq):
    truth = sq.delta(3)
    head = "shape mismatch: the candidate is one number: it sums the whole layer into one number (Σ_j over the neurons)"
    line = (
        "shape mismatch: the candidate is (1, 1) = (no layer has width 1, no layer has width 1) but the truth is "
        "(2, 1) = (n_0=n_3, no layer has width 1)"
    )
    res = check(sp.Matrix([[sum(truth)]]), truth, net=sq, prove=False)
    assert res.diagnosis == [f"{head} where each neuron has its own entry", line]
    for k in (3, 1):
        no_bias = truth.xreplace({b: 0 for b in sq.b[k]})
        res = check(sp.Matrix([[sum(no_bias)]]), truth, net=sq, prove=False)
        assert res.diagnosis == [
            f"{head} where each neuron has its own entry, and misses the bias b^{k} (z^{k} written as W^{k} "
            f"a^{k - 1} without + b^{k})",
            line,
        ]
    res = check(sp.Matrix([[sq.x[0]]]), truth, net=sq, prove=False)
    assert res.diagnosis == [line, "the candidate is one number where the truth has one entry per neuron"]


def test_one_number_without_a_network(sq):
    truth = sq.delta(3)
    res = check(sp.Matrix([[sum(truth)]]), truth, prove=False)
    assert res.diagnosis[0].startswith("shape mismatch: the candidate is one number: it sums the whole layer")
    no_bias = truth.xreplace({b: 0 for b in sq.b[3]})
    res = check(sp.Matrix([[sum(no_bias)]]), truth, prove=False)
    assert res.diagnosis == [
        "shape mismatch: the candidate is (1, 1) but the truth is (2, 1)",
        "the candidate is one number where the truth has one entry per neuron",
    ]


def test_one_number_against_one_number_is_not_a_layer_sum():
    x, y = sp.symbols("x y")
    res = check(sp.Matrix([[x + y]]), sp.Matrix([[x, y]]), prove=False)
    assert res.diagnosis == [
        "shape mismatch: the candidate is one number: it sums the whole layer into one number (Σ_j over the "
        "neurons) where each neuron has its own entry",
        "shape mismatch: the candidate is (1, 1) but the truth is (1, 2)",
    ]
    res = check(sp.Matrix([[x, y, x]]), sp.Matrix([[x, y]]), prove=False)
    assert res.diagnosis == ["shape mismatch: the candidate is (1, 3) but the truth is (1, 2)"]


def test_wrong_width_hint_only_with_a_network(sq):
    res = check(sq.delta(3), sq.delta(2), net=sq, prove=False)
    assert res.diagnosis == [
        "shape mismatch: the candidate is (2, 1) = (n_0=n_3, no layer has width 1) but the truth is "
        "(3, 1) = (n_1=n_2, no layer has width 1)",
        "a factor from the wrong layer gives the wrong width (e.g. a^l for a^(l-1), W^l for W^(l+1))",
    ]
    res = check(sq.delta(3), sq.delta(2), prove=False)
    assert res.diagnosis == ["shape mismatch: the candidate is (2, 1) but the truth is (3, 1)"]


# ---------------------------------------------------------------------------------------------------------------
# every point must agree; a mutation that cannot be evaluated is skipped
# ---------------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def one():
    return cached_network((1, 1))


def test_agreement_at_the_first_point_alone_names_nothing(one, sq):
    # candidate = truth + (x - v), v the value of x at the first point: equal there, different at the second
    for net, truth in ((one, one.dC_dW(1)), (sq, sq.delta(3))):
        x = net.x[0]
        v = Point(0).value(x)
        assert first(truth + sp.ones(*truth.shape) * (x - v), truth, net) == NO_SLIP
        # a factor that is 2 at the first point only is no constant factor
        assert first(truth * (x - v + 2), truth, net) == NO_SLIP


def test_a_slip_that_leaves_the_truth_unchanged_is_never_named(sq):
    # δ^3 holds no σ′(z^1): "σ for σ′ at layer 1" changes nothing, so it cannot explain a candidate (a bug once)
    truth = sq.delta(3)
    x = sq.x[0]
    v = Point(0).value(x)
    res = check(truth + sp.Matrix([x - v, 0]), truth, net=sq, prove=False)
    assert res.diagnosis == [NO_SLIP, "1 of 2 entries differ: (0, 0)"]


def test_a_mutation_that_divides_by_zero_is_skipped(sq):
    # losing b^1 makes 1/b^1_0 infinite (and 1/(b^1_0 + x_0 - v) zero-divides): the transpose behind it is found
    b, x = sq.b[1][0], sq.x[0]
    v = Point(0).value(x)
    W = sq.W[2]
    for den in (b, b + x - v):
        truth = sp.Matrix([[W[0, 1] / den, W[1, 2] * x]])
        cand = sp.Matrix([[W[1, 0] / den, W[2, 1] * x]])
        assert first(cand, truth, sq) == "a transposed factor: W^2 where (W^2)^T belongs inside the product"

    # a slip that changes one entry of two still counts (the other entry is simply the same)
    truth = sp.Matrix([[W[0, 1] * x, x]])
    cand = sp.Matrix([[W[1, 0] * x, x]])
    assert first(cand, truth, sq) == "a transposed factor: W^2 where (W^2)^T belongs inside the product"


# ---------------------------------------------------------------------------------------------------------------
# the parts: the list of slips tried, in order, and the rewriter
# ---------------------------------------------------------------------------------------------------------------
def test_mutations_tried_in_order(sq):
    names = [d for d, _ in _mutations(sq.delta(1), sq)]
    assert names == [
        "σ where σ′ belongs at layer 1 (σ(z^1) for σ′(z^1))",
        "misses σ′ at layer 1 (the factor σ′(z^1) is missing)",
        "σ where σ′ belongs at layer 2 (σ(z^2) for σ′(z^2))",
        "misses σ′ at layer 2 (the factor σ′(z^2) is missing)",
        "σ where σ′ belongs at layer 3 (σ(z^3) for σ′(z^3))",
        "misses σ′ at layer 3 (the factor σ′(z^3) is missing)",
        "σ where σ′ belongs everywhere",
        "misses σ′ everywhere",
        "σ′ at the wrong layer: σ′(z^2) where σ′(z^1) belongs",
        "σ′ at the wrong layer: σ′(z^1) where σ′(z^2) belongs",
        "σ′ where σ belongs at layer 1 (σ′(z^1) for a^1 = σ(z^1))",
        "σ′ where σ belongs at layer 2 (σ′(z^2) for a^2 = σ(z^2))",
        "σ′ where σ belongs at layer 3 (σ′(z^3) for a^3 = σ(z^3))",
        "misses the bias b^1 (z^1 written as W^1 a^0 without + b^1)",
        "misses the bias b^2 (z^2 written as W^2 a^1 without + b^2)",
        "misses the bias b^3 (z^3 written as W^3 a^2 without + b^3)",
        "a transposed factor: W^2 where (W^2)^T belongs inside the product",
    ]
    # a truth without σ′, biases or a square W gets none; without a network only the "everywhere" slips
    x = sp.Symbol("x")
    assert _mutations(sp.Matrix([[x]]), sq) == []
    one = cached_network((1, 1))  # a 1x1 W^1 is its own transpose
    assert [d for d, _ in _mutations(one.dC_dW(1), one)] == [
        "σ where σ′ belongs at layer 1 (σ(z^1) for σ′(z^1))",
        "misses σ′ at layer 1 (the factor σ′(z^1) is missing)",
        "σ where σ′ belongs everywhere",
        "misses σ′ everywhere",
        "σ′ where σ belongs at layer 1 (σ′(z^1) for a^1 = σ(z^1))",
        "misses the bias b^1 (z^1 written as W^1 a^0 without + b^1)",
    ]
    names = [d for d, _ in _mutations(sq.delta(1), None)]
    assert names == ["σ where σ′ belongs everywhere", "misses σ′ everywhere"]


def test_contents_finds_symbols_and_function_classes():
    x, y = sp.symbols("x y")
    syms, funcs = _contents(sp.Matrix([[sigma_prime(x * y) + 1, sigma(x)]]))
    assert syms == {x, y} and funcs == {sigma_prime, sigma}


def test_rewriter_rewrites_every_node_and_keeps_untouched_ones(sq):
    x, y = sp.symbols("x y")
    e = sigma_prime(x) * y + sigma(sigma_prime(y))
    rw = _Rewriter(lambda t: sp.Symbol("s") if t == sigma_prime(y) else None)
    assert rw(e) == sigma_prime(x) * y + sigma(sp.Symbol("s"))
    same = sigma_prime(x) * y
    assert rw(same) is same  # nothing to rewrite: the very same object comes back
    outer = _Rewriter(lambda t: sp.Symbol("s") if t == y else None, outer=True)
    assert outer(e) == sigma_prime(x) * sp.Symbol("s") + sigma(sigma_prime(y))
    assert _Rewriter(lambda t: None).matrix(sp.Matrix([[e, x]])) == sp.Matrix([[e, x]])


def test_diagnose_reads_the_first_point(sq):
    # diagnose() directly: the findings come from the first point of `used`, the rest must agree on the factor
    truth = sq.delta(3)
    pts = [Point(0), Point(1000)]
    used = [(p, values(3 * truth, p), values(truth, p)) for p in pts]
    assert diagnose(3 * truth, truth, sq, used, [(0, 0), (1, 0)]) == [
        "off by the constant factor 3 (candidate = 3 × truth)",
        "2 of 2 entries differ: (0, 0), (1, 0)",
    ]
    # the same candidate values at one point and other values at the next: no constant factor
    used2 = [used[0], (pts[1], values(5 * truth, pts[1]), used[1][2])]
    assert diagnose(3 * truth, truth, sq, used2, [(0, 0), (1, 0)])[0] == NO_SLIP
