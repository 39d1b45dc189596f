"""The diagnosis table: every typical slip is named, on square layers and on non-square ones.

On a non-square network some slips (a transposed factor, σ′ of the next layer) make the candidate fail to
build; the engine then rebuilds it on the square twin of the network and names the slip there.
"""

import pytest
import sympy as sp

from backprop_lib.symbolic import cached_network, check, check_index, hadamard

SQUARE, NON_SQUARE = (3, 3, 3, 3), (2, 3, 4, 5)


def sp_(n, l):
    return n.sigma_prime_of(n.z[l])


# (name, candidate for δ^2 or ∂C/∂W^2, which truth, words the first line must contain)
SLIPS = [
    (
        "transposed factor",
        lambda n: hadamard(n.W[3] * n.delta(3), sp_(n, 2)),
        "delta",
        "a transposed factor: W^3 where (W^3)^T belongs inside the product",
    ),
    (
        "transposed factor two layers down",
        lambda n: hadamard(n.W[2].T * hadamard(n.W[3] * n.delta(3), sp_(n, 2)), sp_(n, 1)),
        "delta1",
        "a transposed factor: W^3 where (W^3)^T belongs",
    ),
    (
        "σ′ of the next layer",
        lambda n: hadamard(n.W[3].T * n.delta(3), sp_(n, 3)),
        "delta",
        "σ′ at the wrong layer: σ′(z^3) where σ′(z^2) belongs",
    ),
    (
        "σ for σ′",
        lambda n: hadamard(n.W[3].T * n.delta(3), n.sigma_of(n.z[2])),
        "delta",
        "σ where σ′ belongs at layer 2",
    ),
    ("σ′ lost", lambda n: n.W[3].T * n.delta(3), "delta", "misses σ′ at layer 2"),
    ("sign flip", lambda n: -n.delta(2) * n.a[1].T, "dW", "the truth with the sign flipped"),
    ("zero", lambda n: sp.zeros(*n.W[2].shape), "dW", "the candidate is zero"),
    ("blank", lambda n: None, "dW", "the candidate is blank"),
]
TRUTH = {"delta": lambda n: n.delta(2), "delta1": lambda n: n.delta(1), "dW": lambda n: n.dC_dW(2)}


@pytest.mark.parametrize("sizes", [SQUARE, NON_SQUARE], ids=["square", "non-square"])
@pytest.mark.parametrize("name, candidate, truth, words", SLIPS, ids=[s[0] for s in SLIPS])
def test_each_slip_is_named(sizes, name, candidate, truth, words):
    net = cached_network(sizes)
    res = check(candidate, TRUTH[truth](net), net=net)  # the truth as a matrix: the engine identifies it
    assert not res.ok
    assert words in res.message, res.message
    assert "factor 0" not in res.message and "factor 1 " not in res.message and "1/n" not in res.message


def test_a_correct_candidate_passes_on_both_nets():
    for sizes in (SQUARE, NON_SQUARE):
        net = cached_network(sizes)
        assert check(lambda n: hadamard(n.W[3].T * n.delta(3), sp_(n, 2)), net.delta(2), net=net).ok


@pytest.mark.parametrize("sizes", [SQUARE, NON_SQUARE], ids=["square", "non-square"])
@pytest.mark.parametrize("cost", ["quadratic", "generic"])
def test_a_lost_one_over_m_is_told_apart_from_a_lost_half(sizes, cost):
    for m in (2, 3):
        net = cached_network(sizes, None, cost, m)
        lost_m = check(lambda n: n.Delta(2) * n.a[1].T, net.dC_dW(2), net=net)
        assert "the 1/m of the averaged cost is missing" in lost_m.message, lost_m.message
        assert "or" not in lost_m.message.split("(")[0]  # named, not offered as one of two
        doubled = check(lambda n: 2 * n.dC_dW(2), net.dC_dW(2), net=net)
        assert "1/m of the averaged cost is missing" not in doubled.message, doubled.message
        if cost == "quadratic":
            assert "the 1/2 of the quadratic cost was dropped" in doubled.message
        else:
            assert "an extra factor 2" in doubled.message


def test_with_m_equal_two_a_fixed_matrix_says_both_readings():
    net = cached_network(NON_SQUARE, None, "quadratic", 2)
    res = check(net.Delta(2) * net.a[1].T, net.dC_dW(2), net=net)  # a matrix cannot be rebuilt with m = 3
    assert res.message.startswith(
        "twice the truth with m = 2 samples: the 1/m of the averaged cost is missing, or the 1/2 of the quadratic cost"
    )


@pytest.mark.parametrize("activation, cost", [("sigmoid", "cross_entropy"), ("tanh", "quadratic"), (None, "generic")])
def test_sign_flip_and_zero_in_every_evaluation_mode(activation, cost):
    net = cached_network((2, 3, 2), activation, cost, 3)  # cross-entropy evaluates in floats, the others exactly
    assert check(-net.dC_dW(2), net.dC_dW(2), net=net).message == "the truth with the sign flipped (candidate = −truth)"
    assert "the sign flipped" in check(-3 * net.dC_dW(2), net.dC_dW(2), net=net).message
    assert check(sp.zeros(2, 3), net.dC_dW(2), net=net).message.startswith("the candidate is zero")


def test_one_number_for_the_whole_layer():
    net = cached_network((3, 4, 2), None, "quadratic")
    layer_sum = sp.Matrix([[sum(net.W[2][j, k] * net.a[1][k] for j in range(2) for k in range(4))]])
    res = check(layer_sum, net.z[2], net=net)
    assert "one number" in res.message and "misses the bias b^2" in res.message
    res = check(sp.Matrix([[sum(net.z[2])]]), net.z[2], net=net)
    assert "sums the whole layer into one number" in res.message and "bias" not in res.message


def test_index_equations_name_the_same_slips_on_non_square_nets():
    net = cached_network(NON_SQUARE)
    res = check_index("delta[l]_k = delta[l+1]_m W[l+1]_km sigma_prime(z[l]_k)", net, l=2)
    assert "transposed" in res.message
    res = check_index("delta[l]_k = delta[l+1]_m W[l+1]_mk sigma_prime(z[l+1]_k)", net, l=1)
    assert "uses z^{l + 1} where z^{l} belongs" in res.message
    res = check_index("delta[l]_k = -delta[l+1]_m W[l+1]_mk sigma_prime(z[l]_k)", net, l=2)
    assert res.message == "the truth with the sign flipped (candidate = −truth)"
