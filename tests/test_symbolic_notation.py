"""The index notation's parser and binding (notation.py): what a typed equation means, entry by entry.

Pins the whitelist (anything else is a ValueError naming it, and nothing runs as Python), the Einstein summation,
every quantity's truth and lowest layer, index ranges with their error messages, and the expansion on a network.
"""

import ast
import itertools

import pytest
import sympy as sp

from backprop_lib.symbolic import SymbolicNetwork, check_index, parse_index, sigma, sigma_prime
from backprop_lib.symbolic.index import IndexRangeError, candidate_matrix, truth_matrix
from backprop_lib.symbolic.notation import _build, _Names

LAST = sp.Symbol(r"\text{last}")  # the upper limit a typed sum prints with
j, k, m, n, i = sp.symbols("j k m n i")

POWER = "a power takes a whole exponent of at most 64 in size and a base of at most 2**64"


@pytest.fixture(scope="module")
def net():
    return SymbolicNetwork([2, 3, 2])


@pytest.fixture(scope="module")
def sig():
    return SymbolicNetwork([2, 3, 2], activation="sigmoid")


@pytest.fixture(scope="module")
def batch():
    return SymbolicNetwork([2, 3, 2], m=2)


def q(text):
    """The quantity `text` (e.g. "W[l+1]_mk") as the parser reads it."""
    return parse_index(f"{text} = {text}").lhs


def both(eq, net, l=None, rhs_only=False):
    return candidate_matrix(eq, net, l, rhs_only=rhs_only), truth_matrix(eq, net, l)


# ----- the whitelist: a student's string is read node by node, anything else is refused by name ---------------
@pytest.mark.parametrize(
    "text, message",
    [
        ("delta[l]_k = a[l]_k.T", "\"_Q('a', 'l', 'k').T\" has no place in an index equation"),
        ("delta[l]_k = sp.exp(1)", "'sp.exp(1)' has no place in an index equation"),
        ("delta[l]_k = exp(a[l]_k)", "\"exp(_Q('a', 'l', 'k'))\" has no place in an index equation"),
        ("delta[l]_k = True", "'True' has no place in an index equation"),
        ("delta[l]_k = 'abc'", "\"'abc'\" has no place in an index equation"),
        ("delta[l]_k = 1j", "'1j' has no place in an index equation"),
        ("delta[l]_k = not a[l]_k", "\"not _Q('a', 'l', 'k')\" has no place in an index equation"),
        ("delta[l]_k = ~a[l]_k", "\"~_Q('a', 'l', 'k')\" has no place in an index equation"),
        ("delta[l]_k = a[l]_k % 2", "\"_Q('a', 'l', 'k') % 2\" has no place in an index equation"),
        ("delta[l+k]_k = a[l]_k", "'k' has no place in an index equation"),
        ("delta[k+l]_k = a[l]_k", "'k' has no place in an index equation"),
        ("delta[-k]_k = a[l]_k", "'k' has no place in an index equation"),
        ("delta[sigma(l)]_k = a[l]_k", "'sigma(l)' has no place in an index equation"),
        # a student can type the tokenizer's own _Q(...): only a real quantity passes
        ("delta[l]_k = _Q('delta', 1, 'k')", "a quantity is written name[layer]_indices"),
        ("delta[l]_k = _Q('foo', 'l', 'k')", "a quantity is written name[layer]_indices"),
        ("delta[l]_k = _Q('a', None, 'k')", "a quantity is written name[layer]_indices"),
        ("delta[l]_k = _Q('x', 'l', 'k')", "a quantity is written name[layer]_indices"),
        ("delta[l]_k = _Q(a, 'l', 'k')", "a quantity is written name[layer]_indices"),
        ("delta[l]_k = _Q('a', 'l', 5)", "a quantity is written name[layer]_indices"),
        ("delta[l]_k = _Q(5, 'l', 'k')", "a quantity is written name[layer]_indices"),
        ("delta[l]_k = _Q('a', 'l')", "a quantity is written name[layer]_indices"),
        ("delta[l]_k = _Q('a', 'l', 'k', 'j')", "a quantity is written name[layer]_indices"),
        ("delta[l]_k = _Q('a', 'l', '')", "a quantity is written name[layer]_indices"),
        ("delta[l]_k = a[l]_{}", "a quantity is written name[layer]_indices"),
        # a power SymPy would compute for ever, or one that is no power of a quantity by a whole number
        ("delta[l]_k = 10**10**10", f"'10 ** 10 ** 10': {POWER}"),
        ("delta[l]_k = a[l]_k**65", f"\"_Q('a', 'l', 'k') ** 65\": {POWER}"),
        ("delta[l]_k = a[l]_k**(-65)", f"\"_Q('a', 'l', 'k') ** (-65)\": {POWER}"),
        ("delta[l]_k = a[l]_k**0.5", f"\"_Q('a', 'l', 'k') ** 0.5\": {POWER}"),
        ("delta[l]_k = a[l]_k**a[l]_k", f"\"_Q('a', 'l', 'k') ** _Q('a', 'l', 'k')\": {POWER}"),
        ("delta[l]_k = ((2**64)**64)**2", f"'((2 ** 64) ** 64) ** 2': {POWER}"),
        ("delta[l]_k = (2**64 + 1)**2", f"'(2 ** 64 + 1) ** 2': {POWER}"),
        # the notation's own functions with the wrong arguments
        ("delta[l]_k = sigma()", "'sigma()' has the wrong arguments for sigma"),
        ("delta[l]_k = Sum()", "'Sum()' has the wrong arguments for Sum"),
        ("delta[l]_k = KroneckerDelta(k)", "'KroneckerDelta(k)' has the wrong arguments for KroneckerDelta"),
    ],
)
def test_anything_outside_the_whitelist_is_a_value_error_naming_it(text, message):
    with pytest.raises(ValueError) as info:
        parse_index(text)
    assert type(info.value) is ValueError
    assert str(info.value).startswith("cannot read the index equation part ")
    assert str(info.value).endswith(f": {message}")


def test_a_call_with_keywords_is_refused_even_past_the_equals_guard():
    # '=' already stops sigma(x=1) in a typed equation; _build refuses keywords on its own as well
    with pytest.raises(ValueError, match="'sigma\\(x, y=1\\)' has no place in an index equation"):
        _build(ast.parse("sigma(x, y=1)", mode="eval").body, _Names())


def test_a_typed_well_formed_quantity_call_is_just_that_quantity():
    assert parse_index("a[l]_k = _Q('a', 'l', 'k')").rhs_raw == q("a[l]_k")
    assert parse_index("y_k = _Q('x', None, 'k')").rhs_raw == q("x_k")


@pytest.mark.parametrize(
    "text, message",
    [
        ("delta[l]_k == a[l]_k", "an index equation needs exactly one '=', got 'delta[l]_k == a[l]_k'"),
        ("delta[l]_k a[l]_k", "an index equation needs exactly one '=', got 'delta[l]_k a[l]_k'"),
        (
            "2*delta[l]_k = a[l]_k",
            "the left-hand side must be one quantity with free indices, e.g. delta[l]_k; got '2*delta[l]_k '",
        ),
        (
            "dC_db[l]_j = delta[l]_j a[l]_n b[l]_m",
            "index m, n appears on the right only once and not on the left: an index must be free on both sides "
            "or repeated (summed) on the right",
        ),
    ],
)
def test_malformed_equations_say_what_is_wrong(text, message):
    with pytest.raises(ValueError) as info:
        parse_index(text)
    assert str(info.value) == message


def test_a_syntax_error_names_the_part_and_pythons_reason():
    with pytest.raises(ValueError) as info:
        parse_index("delta[l]_k = a[l]_k +")
    msg = str(info.value)
    assert msg.startswith('cannot read the index equation part \' a[l]_k +\': cannot read \' _Q("a", "l", "k") +\': ')
    assert "invalid syntax" in msg


# ----- what a typed expression means ------------------------------------------------------------------------------
def test_arithmetic_builds_the_same_sympy_expression():
    d, b = q("delta[l]_j"), q("b[l]_j")
    assert parse_index("dC_db[l]_j = (delta[l]_j - b[l]_j) / 2 + b[l]_j ** 3").rhs_raw == (d - b) / 2 + b**3
    assert parse_index("dC_db[l]_j = -delta[l]_j").rhs_raw == -d
    assert parse_index("dC_db[l]_j = +delta[l]_j").rhs_raw == d
    assert parse_index("dC_db[l]_j = b[l]_j - -delta[l]_j").rhs_raw == b + d


def test_numbers_stay_exact_integers_and_floats_stay_floats():
    two, rest = parse_index("dC_db[l]_j = 2*delta[l]_j").rhs_raw.as_coeff_Mul()
    assert isinstance(two, sp.Integer) and two == 2 and rest == q("delta[l]_j")
    half, _ = parse_index("dC_db[l]_j = 0.5*delta[l]_j").rhs_raw.as_coeff_Mul()
    assert isinstance(half, sp.Float) and half == sp.Float(0.5)


@pytest.mark.parametrize(
    "rhs, factor",
    [
        ("delta[l]_j Rational(1, 2)", sp.Rational(1, 2)),  # ")" then an upper-case function
        ("delta[l]_j KroneckerDelta(j, j)", 1),
        ("delta[l]_j (3)", 3),  # ")" then "("
    ],
)
def test_juxtaposition_after_a_closing_bracket_multiplies(rhs, factor):
    assert parse_index(f"dC_db[l]_j = {rhs}").rhs_raw == factor * q("delta[l]_j")


def test_juxtaposition_before_a_lower_case_function():
    eq = parse_index("dC_db[l]_j = delta[l]_j sigma(z[l]_j)")
    assert eq.rhs_raw == q("delta[l]_j") * sigma(q("z[l]_j"))


@pytest.mark.parametrize(
    "token, tex",
    [
        ("W[l]_jk", "{W^{l}}_{j,k}"),
        ("b[l+1]_j", "{b^{l + 1}}_{j}"),
        ("z[l]_j", "{z^{l}}_{j}"),
        ("a[l-1]_k", "{a^{l - 1}}_{k}"),
        ("delta[L]_j", r"{\delta^{L}}_{j}"),
        ("Delta[l]_j", r"{\Delta^{l}}_{j}"),
        ("omega[l]_j", r"{\omega^{l}}_{j}"),
        ("lam[l]_j", r"{\lambda^{l}}_{j}"),
        ("dC_dW[l]_jk", r"{\frac{\partial C}{\partial W^{l}}}_{j,k}"),
        ("dC_db[l]_j", r"{\frac{\partial C}{\partial b^{l}}}_{j}"),
        ("dC_dz[l]_j", r"{\frac{\partial C}{\partial z^{l}}}_{j}"),
        ("dC_da[l]_j", r"{\frac{\partial C}{\partial a^{l}}}_{j}"),
        ("dadz[l]_ij", r"{\frac{\partial a^{l}}{\partial z^{l}}}_{i,j}"),
        ("dzda[l]_ij", r"{\frac{\partial z^{l}}{\partial a^{l-1}}}_{i,j}"),
        ("dzdW[l]_ijk", r"{\frac{\partial z^{l}}{\partial W^{l}}}_{i,j,k}"),
        ("x_k", "{x}_{k}"),
        ("y_j", "{y}_{j}"),
        ("gradC_j", r"{\nabla_{a} C}_{j}"),
        ("W[l]_{j1, k2}", "{W^{l}}_{j_{1},k_{2}}"),  # braces: comma-separated names of any length
    ],
)
def test_each_quantity_prints_as_the_series_writes_it(token, tex):
    assert sp.latex(q(token)) == tex


def test_braced_indices_split_on_commas_and_ignore_blanks():
    assert q("dC_dW[l]_{j, k, }").indices == (j, k)
    assert q("dC_dW[l]_jk").indices == (j, k)
    assert q("dC_dW[l]_{jk}").indices == (sp.Symbol("jk"),)


def test_a_quantity_used_twice_is_the_same_symbol():
    eq = parse_index("dC_db[l]_j = delta[l]_j * delta[l]_j")
    assert eq.rhs_raw == q("delta[l]_j") ** 2


# ----- Einstein summation -----------------------------------------------------------------------------------------
def test_the_recursion_sums_over_m_from_zero():
    eq = parse_index("delta[l]_k = delta[l+1]_m * W[l+1]_mk * sigma_prime(z[l]_k)")
    assert eq.free == [k] and eq.text == "delta[l]_k = delta[l+1]_m * W[l+1]_mk * sigma_prime(z[l]_k)"
    assert eq.rhs == sp.Sum(q("delta[l+1]_m") * q("W[l+1]_mk") * sigma_prime(q("z[l]_k")), (m, 0, LAST))
    assert eq.latex() == (
        r"{\delta^{l}}_{k} = \sum_{m=0}^{\text{last}} \sigma'\left({z^{l}}_{k}\right) {W^{l + 1}}_{m,k} "
        r"{\delta^{l + 1}}_{m}"
    )


def test_two_summed_indices_nest_in_name_order():
    eq = parse_index("z[l]_j = W[l]_jk W[l-1]_km a[l-2]_m")
    body = q("W[l]_jk") * q("W[l-1]_km") * q("a[l-2]_m")
    assert eq.rhs == sp.Sum(sp.Sum(body, (k, 0, LAST)), (m, 0, LAST))


def test_an_explicit_sum_is_not_summed_again(net):
    eq = parse_index("delta[l]_k = Sum(delta[l+1]_m W[l+1]_mk, m) sigma_prime(z[l]_k)")
    sp_k = sigma_prime(q("z[l]_k"))
    assert eq.rhs == eq.rhs_raw == sp.Sum(q("delta[l+1]_m") * q("W[l+1]_mk"), (m, 0, LAST)) * sp_k
    cand, truth = both(eq, net, 1)
    assert sp.expand(cand - truth) == sp.zeros(3, 1)  # summed once: the n_{l+1}-fold sum would be a multiple of it
    two = parse_index("dC_dW[l]_jk = Sum(delta[l]_j a[l-1]_k, m, n)")
    assert two.rhs_raw == sp.Sum(sp.Sum(q("delta[l]_j") * q("a[l-1]_k"), (m, 0, LAST)), (n, 0, LAST))


def test_an_index_used_once_at_the_top_is_summed_inside_its_factor(net):
    """z^{l+1} = W^{l+1} σ(W^l a^{l-1} + b^l) + b^{l+1}: m repeats only inside σ, so it is summed there (this
    equation used to be refused with 'index m appears on the right only once')."""
    eq = parse_index("z[l+1]_j = W[l+1]_jk sigma(W[l]_km a[l-1]_m + b[l]_k) + b[l+1]_j")
    inner = sp.Sum(q("W[l]_km") * q("a[l-1]_m"), (m, 0, LAST)) + q("b[l]_k")
    assert eq.rhs == q("b[l+1]_j") + sp.Sum(q("W[l+1]_jk") * sigma(inner), (k, 0, LAST))
    cand, truth = both(eq, net, 1)
    assert cand == truth


def test_an_index_free_or_summed_outside_a_factor_is_not_summed_again_inside_it():
    # j is free: b_j z_j inside σ is an elementwise product, not a sum over j
    eq = parse_index("dC_db[l]_j = delta[l]_j sigma(b[l]_j z[l]_j)")
    assert eq.rhs == q("delta[l]_j") * sigma(q("b[l]_j") * q("z[l]_j"))
    # m is summed over the whole product once, not a second time inside σ
    eq = parse_index("delta[l]_k = delta[l+1]_m sigma(W[l+1]_mk delta[l+1]_m)")
    inside = sigma(q("W[l+1]_mk") * q("delta[l+1]_m"))
    assert eq.rhs == sp.Sum(q("delta[l+1]_m") * inside, (m, 0, LAST))


def test_sigma_prime_of_a_written_out_z_sums_inside(net):
    eq = parse_index("delta[l]_k = delta[l+1]_m W[l+1]_mk sigma_prime(W[l]_kn a[l-1]_n + b[l]_k)")
    cand, truth = both(eq, net, 1)
    assert sp.simplify(cand - truth) == sp.zeros(3, 1)


def test_a_sum_inside_sigma_expands_with_the_networks_activation(sig):
    eq = parse_index("a[l]_j = sigma(W[l]_jk a[l-1]_k + b[l]_j)")
    cand, truth = both(eq, sig, 1)
    assert cand == truth == sig.a[1]  # the sigmoid itself, not an undefined σ
    assert both(parse_index("a[l]_j = sigma(z[l]_j)"), sig, 2)[0] == sig.a[2]


# ----- every quantity's truth on the network ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "token, l, truth",
    [
        ("W[l]_jk", 2, lambda n: n.W[2]),
        ("dC_dW[l]_jk", 2, lambda n: n.dC_dW(2)),
        ("b[l]_j", 1, lambda n: n.b[1]),
        ("z[l]_j", 1, lambda n: n.z[1]),
        ("a[l]_j", 1, lambda n: n.a[1]),
        ("a[l-1]_j", 1, lambda n: n.x),
        ("delta[l]_j", 1, lambda n: n.delta(1)),
        ("Delta[l]_j", 2, lambda n: n.Delta(2)),
        ("lam[l]_j", 1, lambda n: n.delta(1)),
        ("omega[l]_j", 1, lambda n: n.omega(1)),
        ("omega[l-1]_j", 1, lambda n: n.omega(0)),
        ("dC_db[l]_j", 1, lambda n: n.dC_db(1)),
        ("dC_dz[l]_j", 2, lambda n: n.delta(2)),
        ("dC_da[l]_j", 1, lambda n: n.omega(1)),
        ("dC_da[l-1]_j", 1, lambda n: n.omega(0)),
        ("x_k", 1, lambda n: n.x),
        ("y_j", 1, lambda n: n.y),
        ("gradC_j", 1, lambda n: n.grad_a_C()),
        ("b[2*l]_j", 1, lambda n: n.b[2]),
        ("b[L]_j", None, lambda n: n.b[2]),
        ("b[L-1]_j", None, lambda n: n.b[1]),
    ],
)
def test_each_quantity_is_the_networks_own_truth(net, token, l, truth):
    eq = parse_index(f"{token} = {token}")
    cand, lhs = both(eq, net, l)
    assert lhs == truth(net) and cand == truth(net)


def test_batched_quantities_take_the_sample_as_second_index(batch):
    eq = parse_index("Delta[l]_js = Delta[l]_js")
    assert truth_matrix(eq, batch, 1) == batch.Delta(1) == 2 * batch.delta(1)
    assert candidate_matrix(eq, batch, 1) == batch.Delta(1)
    assert truth_matrix(parse_index("delta[l]_js = delta[l]_js"), batch, 1) == batch.delta(1)
    assert truth_matrix(parse_index("x_ks = x_ks"), batch, 1) == batch.x
    with pytest.raises(IndexRangeError) as info:
        candidate_matrix(parse_index("dC_db[l]_j = delta[l]_j"), batch, 1)
    assert str(info.value) == r"$\delta^{l}$ has 2 indices (shape (3, 2)) but is written with 1"


def test_a_weight_matrix_with_one_column_keeps_two_indices():
    one = SymbolicNetwork([1, 2])
    eq = parse_index("W[l]_jk = W[l]_jk")
    assert truth_matrix(eq, one, 1) == one.W[1] and truth_matrix(eq, one, 1).shape == (2, 1)
    with pytest.raises(IndexRangeError, match=r"has 2 indices \(shape \(2, 1\)\) but is written with 1"):
        candidate_matrix(parse_index("b[l]_j = W[l]_j"), one, 1)


def test_a_three_index_jacobian_is_a_column_in_row_major_order(net):
    eq = parse_index("dzdW[l]_ijk = KroneckerDelta(i, j) a[l-1]_k")
    cand, truth = both(eq, net, 1)
    rows = list(itertools.product(range(3), range(3), range(2)))
    expected = sp.Matrix(18, 1, [net.x[kk] if ii == jj else 0 for ii, jj, kk in rows])
    assert cand == expected and truth == expected


def test_two_index_jacobians_are_their_matrices(net):
    cand, truth = both(parse_index("dzda[l]_ij = W[l]_ij"), net, 2)
    assert cand == truth == net.W[2]
    cand, truth = both(parse_index("dzdb[l]_ij = KroneckerDelta(i, j)"), net, 1)
    assert cand == truth == sp.eye(3)


@pytest.mark.parametrize(
    "token, l, lo",
    [
        ("b[l]_j", 0, 1),
        ("z[l]_j", 0, 1),
        ("delta[l]_j", 0, 1),
        ("Delta[l]_j", 0, 1),
        ("lam[l]_j", 0, 1),
        ("dC_db[l]_j", 0, 1),
        ("dC_dz[l]_j", 0, 1),
        ("W[l]_jk", 0, 1),
        ("dC_dW[l]_jk", 0, 1),
        ("dadz[l]_ij", 0, 1),
        ("dzdW[l]_ijk", 0, 1),
        ("a[l]_j", -1, 0),
        ("omega[l]_j", -1, 0),
        ("dC_da[l]_j", -1, 0),
        ("b[l+1]_j", 2, 1),
        ("a[l+1]_j", 2, 0),
    ],
)
def test_a_layer_outside_the_network_does_not_exist(net, token, l, lo):
    name, layer = token.split("[")[0], l + (1 if "l+1" in token else 0)
    with pytest.raises(IndexRangeError) as info:
        truth_matrix(parse_index(f"{token} = {token}"), net, l)
    assert str(info.value) == f"{name}^{layer} does not exist: layers run {lo}..2 for sizes [2, 3, 2]"


@pytest.mark.parametrize(
    "token, lo, rows",
    [("a[l]_j", 0, 2), ("omega[l]_j", 0, 2), ("dC_da[l]_j", 0, 2), ("b[l]_j", 1, 3), ("dadz[l]_ij", 1, 3)],
)
def test_the_lowest_layer_of_each_quantity_exists(net, token, lo, rows):
    assert truth_matrix(parse_index(f"{token} = {token}"), net, lo).shape[0] == rows


def test_a_layer_needs_a_number(net):
    with pytest.raises(IndexRangeError) as info:
        truth_matrix(parse_index("b[l]_j = b[l]_j"), net)
    assert str(info.value) == "layer l is not a number: give l=... to check_index"
    with pytest.raises(IndexRangeError, match="layer l/2 is not a number"):
        candidate_matrix(parse_index("b[l]_j = b[l/2]_j"), net, 1)


# ----- index ranges -----------------------------------------------------------------------------------------------
def test_an_index_over_two_lengths_names_every_use_left_first(net):
    with pytest.raises(IndexRangeError) as info:
        candidate_matrix(parse_index("dC_db[l]_j = b[l]_k W[l]_kj"), net, 1)
    assert str(info.value) == (
        r"index j runs over different lengths: 3 in $\frac{\partial C}{\partial b^{l}}$ (position 1); "
        r"2 in $W^{l}$ (position 2) — the factors do not fit (a quantity from the wrong layer, or its indices "
        "in the wrong order)"
    )


def test_written_with_the_wrong_number_of_indices(net):
    with pytest.raises(IndexRangeError) as info:
        candidate_matrix(parse_index("dC_db[l]_jk = b[l]_jk"), net, 1)
    assert str(info.value) == r"$b^{l}$ has 1 index (shape (3,)) but is written with 2"
    with pytest.raises(IndexRangeError) as info:
        candidate_matrix(parse_index("dC_db[l]_j = W[l]_j"), net, 1)
    assert str(info.value) == r"$W^{l}$ has 2 indices (shape (3, 2)) but is written with 1"


def test_rhs_only_takes_every_length_from_the_right(net):
    eq = parse_index("dC_db[l]_j = b[l+1]_j")
    with pytest.raises(IndexRangeError, match="index j runs over different lengths"):
        candidate_matrix(eq, net, 1)
    assert candidate_matrix(eq, net, 1, rhs_only=True) == net.b[2]


@pytest.mark.parametrize(
    "text",
    [
        "dC_dW[l]_ij = delta[l]_k KroneckerDelta(k, i) a[l-1]_j",  # i known only through δ
        "dC_dW[l]_kj = delta[l]_i KroneckerDelta(i, k) a[l-1]_j",  # k known only through δ
    ],
)
def test_rhs_only_gives_an_index_in_a_kronecker_delta_its_partners_length(net, text):
    assert candidate_matrix(parse_index(text), net, 2, rhs_only=True) == net.dC_dW(2)


def test_rhs_only_with_a_free_index_missing_on_the_right(net):
    with pytest.raises(IndexRangeError) as info:
        candidate_matrix(parse_index("dC_dW[l]_ij = KroneckerDelta(i, j)"), net, 1, rhs_only=True)
    assert str(info.value) == "free index i is not used on the right-hand side"


def test_a_summed_index_no_quantity_uses_has_no_range(net):
    with pytest.raises(IndexRangeError) as info:
        candidate_matrix(parse_index("dC_db[l]_j = Sum(delta[l]_j, m)"), net, 1)
    assert str(info.value) == "summed index m is not used by any quantity, so its range is unknown"


# ----- expansion ----------------------------------------------------------------------------------------------------
def test_an_index_letter_outside_a_quantity_takes_its_value(net):
    d = net.delta(1)
    cand = candidate_matrix(parse_index("dC_db[l]_j = (j + 1) delta[l]_j"), net, 1)
    assert cand == sp.Matrix([d[0], 2 * d[1], 3 * d[2]])
    c = sp.Symbol("c")
    assert candidate_matrix(parse_index("dC_db[l]_j = c * delta[l]_j"), net, 1) == c * d


def test_a_kronecker_delta_with_a_number_picks_one_entry(net):
    d = net.delta(1)
    cand = candidate_matrix(parse_index("dC_db[l]_k = KroneckerDelta(k, 0) delta[l]_k"), net, 1)
    assert cand == sp.Matrix([d[0], 0, 0])
    cand = candidate_matrix(parse_index("dC_dW[l]_jk = KroneckerDelta(j, k)"), net, 2)
    assert cand == sp.Matrix([[1, 0, 0], [0, 1, 0]])


def test_a_fixed_integer_index_reads_that_entry(net):
    eq = parse_index("dC_db[l]_j = delta[l]_j")
    fixed = eq.with_changes(rhs_raw=eq.rhs_raw.xreplace({j: sp.Integer(1)}))
    assert fixed.text == eq.text and fixed.lhs == eq.lhs
    assert candidate_matrix(fixed, net, 1) == sp.Matrix([net.delta(1)[1]] * 3)


def test_with_changes_replaces_one_side_and_checks_again():
    eq = parse_index("dC_db[l]_j = delta[l]_j")
    other = eq.with_changes(lhs=q("dC_dz[l]_j"))
    assert other.lhs == q("dC_dz[l]_j") and other.rhs_raw == eq.rhs_raw and other.text == eq.text
    doubled = eq.with_changes(rhs_raw=2 * eq.rhs_raw)
    assert doubled.lhs == eq.lhs and doubled.rhs == 2 * q("delta[l]_j")
    same = eq.with_changes()
    assert same.latex() == eq.latex() == r"{\frac{\partial C}{\partial b^{l}}}_{j} = {\delta^{l}}_{j}"
    with pytest.raises(ValueError, match="index k appears on the right only once"):
        eq.with_changes(rhs_raw=q("a[l]_k"))


# ----- check_index (index.py) ---------------------------------------------------------------------------------------
def test_check_index_defaults_to_l_is_L_minus_1_on_the_2_3_4_5_network():
    res = check_index("b[l+2]_j = b[l+2]_j")
    msg = "does not apply at l = 2: b^4 does not exist: layers run 1..3 for sizes [2, 3, 4, 5]"
    assert not res.ok and res.message == msg and res.diagnosis == [msg]
    assert res.name == res.statement == "{b^{l + 2}}_{j}"


def test_check_index_on_a_one_layer_network_uses_l_1():
    one = SymbolicNetwork([2, 2])
    res = check_index("dC_db[l]_j = delta[l]_j", one, name="g")
    assert res.ok and res.name == "g" and res.statement == r"{\delta^{l}}_{j}"


def test_check_index_reports_a_shape_mismatch_without_diagnosis(net):
    res = check_index("dC_db[l]_j = W[l]_j", net, l=1, diagnose=False)
    msg = r"shape mismatch: $W^{l}$ has 2 indices (shape (3, 2)) but is written with 1"
    assert not res.ok and res.message == msg and res.diagnosis == [msg]


def test_check_index_takes_an_already_parsed_equation(net):
    eq = parse_index("delta[L]_j = gradC_j sigma_prime(z[L]_j)")
    assert check_index(eq, net).ok


def test_powers_up_to_the_limits_are_read_exactly():
    # the limits themselves pass: a whole exponent of 64 in size, a number base of 2**64
    eq = parse_index("delta[l]_k = a[l]_k**64 + a[l]_k**(-64) + (2**64)**64")
    a = q("a[l]_k")
    assert sp.expand(eq.rhs_raw - (a**64 + a ** (-64) + sp.Integer(2) ** 4096)) == 0
