"""Pins of the statement check (check.py), its exact evaluation at random points (evaluate.py) and the polynomial
proof (poly.py): exact messages, values, boundaries and error cases, so that wrong engine code fails a test
(mutation testing, issue #13). Small networks, built once per module."""

import random
import warnings
from fractions import Fraction

import mpmath
import pytest
import sympy as sp

from backprop_lib.symbolic import (
    CheckResult,
    cached_network,
    check,
    cost_fn,
    cost_grad,
    hadamard,
    prove_equal,
    sigma,
    sigma_prime,
    sigma_second,
    sigmoid,
)
from backprop_lib.symbolic.check import _Atomizer, _latex_short, _on_twin, _twin, quiet
from backprop_lib.symbolic.evaluate import (
    PRIME,
    Inexact,
    Point,
    _mod_rational,
    div,
    equal,
    evaluate,
    matches,
    ratio,
    rational_from_mod,
    values,
)
from backprop_lib.symbolic.poly import NotPolynomial, PolyForm

x, y, z = sp.symbols("x y z")
BLANK = "the candidate is blank (None, ... or an empty matrix): write the expression first"
PROVED = "exact evaluation at random points, then a symbolic proof"


@pytest.fixture(scope="module")
def small():
    return cached_network((2, 3, 2))


@pytest.fixture(scope="module")
def deep():
    return cached_network((2, 3, 4, 5))


@pytest.fixture(scope="module")
def batch2():
    return cached_network((2, 3, 2), m=2)


def inv(d):
    return pow(d, -1, PRIME)


# ----------------------------------------------------------------------------------------------------------------
# evaluate.py: the field, the random points, the evaluation
# ----------------------------------------------------------------------------------------------------------------
def test_field_arithmetic_and_rational_reconstruction():
    assert PRIME == 2**61 - 1
    assert _mod_rational(3, 4) * 4 % PRIME == 3 and _mod_rational(-3, 7) == (PRIME - 3) * inv(7) % PRIME
    assert _mod_rational(PRIME + 5, 1) == 5  # the numerator is reduced too
    # num/den with |num|, den <= 10**6 comes back exactly; one more is out of the default bound
    assert rational_from_mod(_mod_rational(-3, 7)) == Fraction(-3, 7)
    assert rational_from_mod(_mod_rational(10**6, 1)) == 10**6
    assert rational_from_mod(_mod_rational(10**6 + 1, 1)) is None
    assert rational_from_mod(_mod_rational(1, 10**6)) == Fraction(1, 10**6)
    assert rational_from_mod(_mod_rational(1, 10**6 + 1)) is None
    assert rational_from_mod(_mod_rational(-999_999, 10**6)) == Fraction(-999_999, 10**6)
    assert rational_from_mod(_mod_rational(5, 3), bound=5) == Fraction(5, 3)
    assert rational_from_mod(_mod_rational(5, 3), bound=4) is None
    assert rational_from_mod(_mod_rational(5, 6), bound=5) is None  # the denominator bounded too
    assert rational_from_mod(0) == 0 and rational_from_mod(PRIME - 1) == -1 and rational_from_mod(PRIME + 2) == 2


def test_exact_point_is_reproducible_and_in_the_field():
    """Symbol values and function cubics come from random.Random seeded by a string: same seed, same point."""
    p = Point(7)
    assert p.seed == 7 and p.exact is True and p.memo == {}
    assert (Point().seed, Point().exact) == (0, True)  # diagnose_shape relies on the exact default
    assert p.value(x) == random.Random("7:sym:x").randrange(1, PRIME) == Point(7).value(x) != Point(8).value(x)
    assert p.value(x) is p.value(x) and p.value(x) != p.value(y)
    coeffs = random.Random("7:fn:sigma:2")
    assert p.poly("sigma", 2) == [coeffs.randrange(1, PRIME) for _ in range(7)]
    assert p.poly("sigma", 1) != p.poly("sigma", 2)[:4] and len(p.poly("tau", 3)) == 10
    assert all(1 <= v < PRIME for v in p.poly("tau", 3))
    # apply: c0 + sum over args r of c[1+3r] t + c[2+3r] t^2 + c[3+3r] t^3, in the field
    c = p.poly("f", 2)
    t, u = 123456789, PRIME - 2
    want = (c[0] + c[1] * t + c[2] * t**2 + c[3] * t**3 + c[4] * u + c[5] * u**2 + c[6] * u**3) % PRIME
    assert p.apply("f", [t, u]) == want
    assert p.apply("f", [t]) != p.apply("f", [t, 0])  # one argument and two are unrelated functions


def test_inexact_point_uses_small_fractions():
    """The float fallback: symbols ±k/j (k in 1..13, j in 2..9), cubic coefficients k/j (k in -9..9, j in 1..7)."""
    q = Point(3, exact=False)
    assert q.exact is False
    vals = [Fraction(float(q.value(sp.Symbol(f"v{i}")))).limit_denominator(9) for i in range(600)]
    assert {abs(v.numerator) for v in vals} <= set(range(1, 14)) and {v.denominator for v in vals} <= set(range(1, 10))
    assert max(abs(v) for v in vals) == Fraction(13, 2) and min(abs(v) for v in vals) == Fraction(1, 9)
    assert min(vals) < 0 < max(vals)
    r = random.Random("3:sym:w")
    sign, k, j = r.choice([-1, 1]), r.randint(1, 13), r.randint(2, 9)
    assert q.value(sp.Symbol("w")) == mpmath.mpf(sign * k) / j
    coeffs = [Fraction(float(v)).limit_denominator(7) for i in range(200) for v in q.poly(f"g{i}", 1)]
    assert {abs(v.numerator) for v in coeffs} == set(range(10)) and {v.denominator for v in coeffs} <= set(range(1, 8))
    assert max(coeffs) == 9 and min(coeffs) == -9 and Fraction(1, 7) in coeffs
    assert len(q.poly("g", 2)) == 7
    c = q.poly("f", 1)
    assert q.apply("f", [mpmath.mpf(2)]) == c[0] + 2 * c[1] + 4 * c[2] + 8 * c[3]  # no reduction modulo PRIME


def test_evaluate_exact_every_kind_of_node():
    p = Point(11)
    vx, vy = p.value(x), p.value(y)
    assert evaluate(x, p) == vx and evaluate(sp.Rational(3, 4), p) == 3 * inv(4) % PRIME
    assert evaluate(sp.Integer(-2), p) == PRIME - 2
    assert evaluate(x + y + 5, p) == (vx + vy + 5) % PRIME
    assert evaluate(x * y * 5, p) == vx * vy * 5 % PRIME
    assert evaluate(x**3, p) == pow(vx, 3, PRIME) and evaluate(x**-2, p) == pow(vx, -2, PRIME)
    assert evaluate(x / y, p) == vx * inv(vy) % PRIME
    assert evaluate(sp.KroneckerDelta(x, x), p) == 1 and evaluate(sp.KroneckerDelta(1, 2), p) == 0
    assert evaluate(sp.KroneckerDelta(x, y), p) == 0
    # each function is its own random cubic, keyed by its name (σ, σ′, σ″, sigmoid, tanh, any undefined f)
    for f, key in [(sigma, "sigma"), (sigma_prime, "sigma_prime"), (sigma_second, "sigma_second")]:
        assert evaluate(f(x), p) == p.apply(key, [vx])
    assert evaluate(sigmoid(x), p) == p.apply("sigmoid", [vx]) and evaluate(sp.tanh(x), p) == p.apply("tanh", [vx])
    assert evaluate(sp.Function("g")(x, y), p) == p.apply("g", [vx, vy])
    # the cost c(a, y) and its derivative ∂c/∂a_i(a, y): one function per i
    assert evaluate(cost_fn(x, y), p) == p.apply("cost", [vx, vy])
    assert evaluate(cost_grad(1, x, y), p) == p.apply("cost_grad1", [vx, vy]) != evaluate(cost_grad(0, x, y), p)
    assert p.memo[x + y + 5] == (vx + vy + 5) % PRIME  # memoized on the point
    assert all(0 <= v < PRIME for v in p.memo.values())


def test_evaluate_exact_refuses_what_it_cannot_do_exactly():
    p = Point(0)
    c = p.value(x)
    with pytest.raises(ZeroDivisionError, match="division by zero at this point"):
        evaluate(1 / (x - c), p)
    assert evaluate((x - c) ** 2, p) == 0 and evaluate((x - c + 1) ** -1, p) == 1
    assert evaluate(sp.Pow(x - c, 0, evaluate=False), p) == 1  # 0^0 = 1: only a negative power divides
    with pytest.raises(Inexact, match="exp"):
        evaluate(sp.exp(x), p)
    with pytest.raises(Inexact, match=r"sqrt\(x\)"):
        evaluate(sp.sqrt(x), p)
    with pytest.raises(Inexact, match="Float"):
        evaluate(sp.Float(0.5) * x, Point(1))


def test_evaluate_inexact_to_sixty_digits():
    q = Point(0, exact=False)
    vx = q.value(x)
    with mpmath.workdps(60):
        assert abs(evaluate(sp.exp(x), q) - mpmath.exp(vx)) < mpmath.mpf("1e-55")
        assert abs(evaluate(sp.sqrt(y), Point(1, exact=False)) ** 2 - Point(1, exact=False).value(y)) < 1e-55
        assert abs(evaluate(sp.pi * x, q) - mpmath.pi * vx) < mpmath.mpf("1e-55")
        assert abs(evaluate(sp.Float("0.1", 60), q) - mpmath.mpf("0.1")) < mpmath.mpf("1e-55")
        assert evaluate(x**2 + 3 * x, q) == vx**2 + 3 * vx  # no reduction modulo PRIME
        # 60-digit arithmetic: 1/3 is the 60-digit 1/3, and a function value is rounded to 60 decimal digits
        assert evaluate(sp.Rational(1, 3), q) == mpmath.mpf(1) / 3
        for r in (
            evaluate(sp.exp(x), q),
            evaluate(sp.Float("0.12345678901234567890123456789012345678901234567891", 60), q),
        ):
            assert r == mpmath.mpf(mpmath.nstr(r, 60))
        assert evaluate(x**-1, q) == 1 / vx and evaluate(sigma(x), q) == q.apply("sigma", [vx])
        # floats take the real sigmoid and tanh (exact points take random cubics for them)
        assert abs(evaluate(sp.tanh(x), q) - mpmath.tanh(vx)) < mpmath.mpf("1e-55")
        assert abs(evaluate(sigmoid(x), q) - 1 / (1 + mpmath.exp(-vx))) < mpmath.mpf("1e-55")
    with pytest.raises(ZeroDivisionError):
        evaluate((x - sp.Rational(Fraction(float(vx)).limit_denominator(9))) ** -1, q)


def test_div_equal_values_matches_ratio():
    assert div(3, 4, True) == 3 * inv(4) % PRIME and div(3, 4, False) == 0.75
    assert equal(5, 5, True) and not equal(5, 5 + PRIME, True)
    one = mpmath.mpf(1)
    with mpmath.workdps(60):
        assert equal(one, one + mpmath.mpf("1e-31"), False) and not equal(one, one + mpmath.mpf("4e-30"), False)
        # relative to 1 + |u| + |v|: 1e10 apart from 1e40 is equal, 1e-29 apart from 0 is not
        big = mpmath.mpf("1e40")
        assert equal(big, big + mpmath.mpf("1e10"), False) and not equal(0, mpmath.mpf("1e-29"), False)
        assert equal(0, mpmath.mpf("1e-30"), False) and not equal(big, big + mpmath.mpf("1e11"), False)
        assert not equal(0, mpmath.mpf("1.5e-30"), False) and not equal(mpmath.mpf("1e-29"), 0, False)
        # inclusive, at 60 digits: the v with |0 - v| exactly 1e-30 (1 + |v|) is equal to 0, the next float is not
        t = mpmath.mpf("1e-30")
        ulp = mpmath.ldexp(1, mpmath.mag(t) - mpmath.mp.prec)
        v = next(v for k in range(-300, 301) if (v := t / (1 - t) + k * ulp) == t * (1 + v))
        assert equal(0, v, False) and not equal(0, v + ulp, False)
    p = Point(2)
    M = sp.Matrix([[x, y], [1, sp.Rational(1, 2)]])
    assert values(M, p) == [p.value(x), p.value(y), 1, inv(2)]  # row by row
    assert matches(M, M, p) and not matches(M, M.T, p)
    assert not matches(sp.Matrix([[1 / (x - p.value(x))]]), sp.Matrix([[1]]), p)  # division by zero: no match
    assert not matches(sp.Matrix([[sp.exp(x)]]), sp.Matrix([[sp.exp(x)]]), p)  # not exact: no match
    assert ratio([6, 0, 10], [3, 0, 5]) == 2 and ratio([6, 1], [3, 0]) is None and ratio([6, 8], [3, 5]) is None
    assert ratio([0, 0], [0, 0]) is None and ratio([0, 4], [0, 2]) == 2 and ratio([6, 0], [3, 5]) is None
    assert ratio([1], [2]) == inv(2) and ratio([mpmath.mpf(1)], [mpmath.mpf(4)], exact=False) == 0.25
    assert ratio([mpmath.mpf(1), mpmath.mpf(2)], [mpmath.mpf(4), mpmath.mpf(8)], False) == 0.25


# ----------------------------------------------------------------------------------------------------------------
# poly.py: exact polynomials in symbols and atoms
# ----------------------------------------------------------------------------------------------------------------
def test_polyform_expands_to_exact_dicts():
    f = PolyForm()
    assert f.poly(x) == {((0, 1),): 1} and f.poly(y) == {((1, 1),): 1}  # numbered in the order met
    assert f.poly(sp.Integer(0)) == {} and f.poly(sp.Integer(-5)) == {(): -5}
    assert f.poly(sp.Rational(-3, 4)) == {(): Fraction(-3, 4)}
    assert f.poly((x + y) ** 2) == {((0, 2),): 1, ((0, 1), (1, 1)): 2, ((1, 2),): 1}
    assert f.poly(3 * x * y**2 - 1) == {((0, 1), (1, 2)): 3, (): -1}
    assert f.poly(x**0 + sp.Pow(x, 0, evaluate=False)) == {(): 2}
    assert f.poly(sp.Mul(0, x, evaluate=False)) == {}
    assert f.poly(sp.Add(x, -x, evaluate=False)) == {}  # cancelled monomials are dropped, not kept as 0
    assert f.poly(sp.Mul(x + 1, x - 1, evaluate=False)) == {((0, 2),): 1, (): -1}
    assert f.poly(sp.KroneckerDelta(1, 1)) == {(): 1} and f.poly(sp.KroneckerDelta(1, 2)) == {}
    # an unevaluated δ with integer indices is still a number (built under sp.evaluate(False), say)
    assert f.poly(sp.KroneckerDelta(1, 1, evaluate=False)) == {(): 1}
    assert f.poly(sp.KroneckerDelta(1, 2, evaluate=False)) == {} == f.poly(sp.KroneckerDelta(2, 1, evaluate=False))
    # a function application is one atom, keyed by its argument as a polynomial: σ((x+1)^2) is σ(x^2+2x+1)
    assert f.poly(sigma((x + 1) ** 2)) == {((2, 1),): 1} == f.poly(sigma(x**2 + 2 * x + 1))
    assert f.poly(sigma_prime((x + 1) ** 2)) == {((3, 1),): 1} and f.poly(sigma(x)) == {((4, 1),): 1}
    assert f.poly(sp.KroneckerDelta(x, y)) == {((5, 1),): 1}  # symbolic indices: an atom
    assert f.poly(sigma(2)) == {((6, 1),): 1} and f.poly(cost_grad(0, 1, 2)) == {((7, 1),): 1}  # integer arguments
    assert f.poly(x) == {((0, 1),): 1}  # the memo is not changed by the work above


def test_polyform_refuses_non_polynomials():
    f = PolyForm()
    g = sp.Function("g")
    for e, kind in [
        (1 / (x + 1), "Pow"),
        (x**-1, "Pow"),
        (sp.sqrt(x), "Pow"),
        (sp.Float(1.5) * x, "Float"),
        (sp.Derivative(g(x), x), "Derivative"),
        (sp.Subs(g(x), x, 1), "Subs"),
    ]:
        with pytest.raises(NotPolynomial, match=kind):
            f.poly(e)


def test_polyform_equal_is_a_proof_and_leaves_the_memo_alone():
    f = PolyForm()
    lhs, rhs = (x + y) * (x - y) + sigma(x + y), x**2 - y**2 + sigma(y + x)
    assert f.equal(lhs, rhs) and f.equal(lhs, rhs)  # twice: the memoized dicts are not consumed
    assert f.poly(lhs) == f.poly(rhs) and len(f.poly(lhs)) == 3
    assert not f.equal(x * y, y * x + 1) and not f.equal(sigma(x), sigma(y)) and not f.equal(sigma(x), sigma_prime(x))
    assert f.equal(2 * x, "x + x") and f.equal(0, x - x)
    assert f.equal(sp.Rational(1, 2) * x + sp.Rational(1, 2) * x, x)
    # exact integer coefficients: 2^60 + 1 is not 2^60 (a float would round them together)
    assert not f.equal((2**60 + 1) * x, 2**60 * x) and not prove_equal((2**60 + 1) * x * y, 2**60 * x * y)
    assert f.equal(x + sp.Integer(2**60 + 1), sp.Integer(2**60) + x + 1)
    with pytest.raises(NotPolynomial):
        f.equal(1 / (x + 1), 1 / (x + 1))


# ----------------------------------------------------------------------------------------------------------------
# check.py: prove_equal, the result object, the check
# ----------------------------------------------------------------------------------------------------------------
def test_prove_equal_polynomial_and_sympy_fallbacks():
    assert prove_equal((x + 1) ** 2, x**2 + 2 * x + 1) and not prove_equal((x + 1) ** 2, x**2 + 1)
    form = PolyForm()
    assert prove_equal(sigma(x) * y, y * sigma(x), form) and form.poly(x)  # the given form is used
    # not polynomials: atoms and expand, then the numerator of a difference with negative powers, then simplify
    assert prove_equal(sp.Float(0.5) * x, x / 2)
    assert prove_equal(sigma((x + 1) ** 2) / (x + y), sigma(x**2 + 2 * x + 1) / (x + y))
    assert prove_equal((x**2 - y**2) / (x + y), x - y) and not prove_equal((x**2 + y**2) / (x + y), x + y)
    assert not prove_equal(1 / (x + y), 1 / (x - y))
    tanh_exp = (sp.exp(x) - sp.exp(-x)) / (sp.exp(x) + sp.exp(-x))
    assert prove_equal(sp.tanh(x), tanh_exp) and not prove_equal(sp.tanh(x), 2 * tanh_exp)
    assert prove_equal(sp.sqrt(x) * sp.sqrt(x) * sp.exp(y), x * sp.exp(y))
    assert not prove_equal(sp.sqrt(x) + 1, sp.sqrt(x))


def test_prove_equal_big_rational_identity_by_its_numerator():
    """A difference of 401 operations with a denominator is proved by the numerator of the sum, not by simplify."""
    s, t = sp.symbols("s0:50"), sp.symbols("t0:50")
    P = sum(a * b for a, b in zip(s, t))
    u = sp.expand(P * (x + y)) / (x + y)
    assert sp.count_ops(u - P) == 401 and prove_equal(u, P) and not prove_equal(u, P + s[0])


def test_prove_equal_simplifies_only_differences_under_400_operations():
    """simplify is slow on big expressions: tanh against its exp form is tried below 400 operations, not from 400."""
    s = sp.symbols("s0:45")
    tanh_exp = (sp.exp(x) - sp.exp(-x)) / (sp.exp(x) + sp.exp(-x))
    square = sum(s[:15]) ** 2

    def pair(extra):
        return sp.tanh(x) + square + extra, tanh_exp + sp.expand(square) + sp.expand(extra)

    u, v = pair(y * sum(s[15:21]) + (s[40] + 1) ** 2)
    assert sp.count_ops(u - v) == 399 and prove_equal(u, v)
    u, v = pair(y * sum(s[15:24]))
    assert sp.count_ops(u - v) == 400 and not prove_equal(u, v)


def test_atomizer_keys_applications_by_expanded_arguments():
    at = _Atomizer()
    a1, a2 = at(sigma((x + 1) ** 2)), at(sigma(x**2 + 2 * x + 1))
    assert a1 == a2 and isinstance(a1, sp.Dummy) and a1.name == "atom0"
    assert at(sigma_prime(x)).name == "atom1" and at(sigma(x)) != a1
    assert at(x) == x and at(sp.Integer(3)) == 3
    assert at(sp.KroneckerDelta(1, 2)) == 0 and at(sp.KroneckerDelta(1, 1)) == 1
    unevaluated = sp.KroneckerDelta(1, 2, evaluate=False)
    assert at(unevaluated) is unevaluated  # kept: a number, not an atom
    assert isinstance(at(sp.KroneckerDelta(x, y)), sp.Dummy)
    assert at(2 * sigma(x) + y**2) == 2 * at(sigma(x)) + y**2
    assert len(at.table) == 4 and at.memo[sigma(x)] == at(sigma(x))


def test_quiet_silences_dependency_warnings():
    @quiet
    def noisy(a, b=1):
        """doc"""
        warnings.warn("deprecated", DeprecationWarning, stacklevel=2)
        return a + b

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        assert noisy(1, b=2) == 3
        warnings.warn("outside", UserWarning, stacklevel=1)
    assert [str(w.message) for w in seen] == ["outside"]  # the filter is restored afterwards
    assert noisy.__name__ == "noisy" and noisy.__doc__ == "doc" and check.__name__ == "check"


def test_check_result_fields_repr_and_markdown():
    r = CheckResult(1, "σ′ at $W^{2}$", name="", statement="a+b", diagnosis=("x", "σ′ at $W^{2}$", "x", "y"))
    assert r.ok is True and r.diagnosis == ["x", "σ′ at $W^{2}$", "x", "y"] and isinstance(r.diagnosis, list)
    assert repr(r) == "✔ σ′ at W²" and r._repr_markdown_() == r"**✔** σ′ at W² — $\text{candidate} = a+b$"
    assert (r.mismatches, r.seconds, r.method, r.shape, r.step, r.layer) == ([], 0.0, "", None, "", None)
    bad = CheckResult(0, "m", name="N", statement="S", diagnosis=["m", "x", "y", "x"], mismatches=((0, 1),))
    assert bad.ok is False and repr(bad) == "✘ m" and bad.mismatches == [(0, 1)]
    assert bad._repr_markdown_() == "**✘** m — $N = S$\n\n- x\n- y"  # the other findings once, in order
    assert CheckResult(0, "m", diagnosis=["m"])._repr_markdown_() == "**✘** m"
    assert CheckResult(0, "m", name="N")._equation_latex() == r"N = \text{(candidate)}"
    r = CheckResult(False, "m", seconds=1.5, method="how", shape=(2, 1))
    assert (r.seconds, r.method, r.shape, r.name, r.statement) == (1.5, "how", (2, 1), "", None)
    with pytest.raises(AssertionError, match="✘ m"):
        r.require()


def test_check_proves_and_reports_entries_and_method(small):
    res = check(small.delta(2), small.delta(2), net=small)
    assert res.ok and res.message == f"proved: all 2 entries equal the truth ({PROVED})"
    assert res.method == PROVED and res.shape == (2, 1) and res.name == r"\text{truth}"
    assert isinstance(res.seconds, float) and res.seconds >= 0  # recorded; its size is for benchmarks
    assert res.diagnosis == [] and res.mismatches == []
    one = check(x * y, y * x, name="N", statement="S")
    assert one.ok and one.message == f"proved: all 1 entry equal the truth ({PROVED})" and one.shape == (1, 1)
    assert (one.name, one.statement) == ("N", "S")
    assert check(x + y, y + x).statement == "x + y"  # a short candidate prints itself
    fast = check(small.delta(2), small.delta(2), net=small, prove=False)
    assert fast.ok and fast.message == "equal at 2 random points (no symbolic proof requested)"
    assert fast.method == "random points" and fast.shape == (2, 1)
    assert check(x, x, points=3, prove=False).message == "equal at 3 random points (no symbolic proof requested)"
    hp = "high-precision evaluation at random points, then a symbolic proof"
    floats = check(sp.exp(x) * sp.exp(x), sp.exp(2 * x))
    assert floats.ok and floats.message == f"proved: all 1 entry equal the truth ({hp})" and floats.method == hp
    assert check(sp.Matrix([[x, sp.exp(x)]]), sp.Matrix([[x, sp.exp(x)]])).method == hp


def test_check_statement_is_the_short_candidate_latex():
    s = sp.symbols("s0:60")
    assert check(sp.Matrix([[x, y]]), sp.Matrix([[x, y]])).statement == r"\left[\begin{matrix}x & y\end{matrix}\right]"
    assert check(sp.Matrix([x, y]), sp.Matrix([x, y])).statement == r"\left[\begin{matrix}x\\y\end{matrix}\right]"
    assert check(sum(s), sum(s)).statement == sp.latex(sum(s))  # 61 nodes: printed
    # the limit counts every node of every entry: 300 printed, 301 not
    assert _latex_short(sp.Matrix([sum(s[:50])]), limit=51) == sp.latex(sum(s[:50]))
    assert _latex_short(sp.Matrix([sum(s[:50])]), limit=50) is None
    col = sp.Matrix([sum(s[:29]), sum(s[29:58])])  # 30 + 30 nodes
    assert _latex_short(col, limit=60) is not None and _latex_short(col, limit=59) is None
    big = sp.Matrix([sum(s[:59]) + sum(sp.symbols("t0:240"))])  # 300 nodes in all
    assert _latex_short(big) is not None and _latex_short(sp.Matrix([big[0] + z])) is None
    assert check(big[0] + z, big[0] + z).statement is None  # 301 nodes: not printed


def test_random_points_are_seed_plus_1000_per_point():
    """The p-th point of check(..., seed=s) is Point(s + 1000 p): a polynomial vanishing on both passes them."""
    c0, c1 = Point(5).value(x), Point(1005).value(x)
    res = check((x - c0) * (x - c1), 0, points=2, seed=5)
    assert not res.ok and res.message == "equal at 2 random points, but entry (0, 0) could not be proved symbolically"
    assert res.method == "random points only" and res.shape == (1, 1)
    assert not check((x - c0) * (x - c1), 0, points=3, seed=5).message.startswith("equal at")
    assert not check((x - c0) * (x - c1), 0, points=2, seed=6).message.startswith("equal at")
    # where a point cannot be used (division by zero) it is skipped, and the others still count
    res = check((x - c1) / (x - c0), 1 + (c0 - c1) / (x - c0), points=2, seed=5)
    assert res.ok and res.message == f"proved: all 1 entry equal the truth ({PROVED})"
    res = check(1 / ((x - c0) * (x - c1)), 0, points=2, seed=5)
    assert not res.ok and res.message == "could not evaluate at any random point (division by zero)"
    assert res.diagnosis == [] and check(x, x, points=0).message == res.message


def test_random_points_in_the_float_fallback():
    """Inexact points are Point(s + 1000 p, exact=False) too."""
    v0 = sp.nsimplify(float(Point(5, exact=False).value(x)))
    v1 = sp.nsimplify(float(Point(1005, exact=False).value(x)))
    poly = (x - v0) * (x - v1) * sp.exp(y)
    assert check(poly, 0, points=2, seed=5, prove=False).ok
    assert not check(poly, 0, points=3, seed=5, prove=False).ok
    res = check(poly, 0, points=2, seed=5)
    assert not res.ok and res.message == "equal at 2 random points, but entry (0, 0) could not be proved symbolically"


def test_mismatches_and_diagnosis_of_a_wrong_matrix(small):
    truth = sp.Matrix([[x, y, z], [x * y, 1, 2]])
    cand = sp.Matrix([[x, y + 1, z], [x * y, 1, 3]])
    res = check(cand, truth)
    assert not res.ok and res.mismatches == [(0, 1), (1, 2)]  # (row, column) of a 2x3 matrix
    assert res.method == "counterexample at a random rational point" and res.shape == (2, 3)
    assert res.diagnosis[1] == "2 of 6 entries differ: (0, 1), (1, 2)" and res.message == res.diagnosis[0]
    half = check(small.delta(2) / 2, small.delta(2), net=small)
    assert half.message == "half the truth: an extra factor 1/2" and half.mismatches == [(0, 0), (1, 0)]
    assert half.name == r"\text{truth}" and half.statement is not None


def test_blank_candidates_and_bad_arguments(small):
    for blank in (None, ..., sp.Matrix(0, 0, []), sp.zeros(0, 3), lambda n: None, lambda n: ...):
        res = check(blank, small.delta(2), net=small, name="N")
        assert not res.ok and res.message == BLANK and res.diagnosis == [BLANK] and res.name == "N"
        assert res.shape is None and res.mismatches == [] and res.statement is None
    with pytest.raises(ValueError, match=r"^candidate is a callable of the network, so check\(..., net=...\) needs"):
        check(lambda n: x, x)
    with pytest.raises(ValueError, match=r"^truth is a callable of the network"):
        check(x, lambda n: x)
    with pytest.raises(ValueError, match="^the truth is blank"):
        check(x, None)
    assert check(lambda n: n.delta(2), lambda n: n.delta(2), net=small).ok


def test_shape_errors_while_building(deep, small):
    hint = (
        "the operands do not fit: check which layer each factor belongs to (W^l for W^(l+1)? a^l for a^(l-1)?) "
        "and whether a transpose is missing"
    )
    res = check(lambda n: n.W[2] * n.W[1].T, small.dC_dW(1), net=small)
    first = "shape mismatch while building the candidate: Matrix size mismatch: (2, 3) * (2, 3)."
    assert not res.ok and res.message == first and res.diagnosis == [first, hint]
    res = check(lambda n: hadamard(n.delta(2), n.a[1]), small.delta(2), net=small)
    assert res.message.startswith("shape mismatch while building the candidate: Hadamard product A ⊙ B needs")
    # on a non-square network, a slip that only the square twin can build is named there first
    res = check(lambda n: hadamard(n.W[3] * n.delta(3), n.sigma_prime_of(n.z[2])), deep.delta(2), net=deep)
    named = (
        "a transposed factor: W^3 where (W^3)^T belongs inside the product (the shapes do not fit on 2-3-4-5; "
        "on the square twin 3-3-3-3 the candidate builds and shows it)"
    )
    assert res.message == named and res.diagnosis[0] == named and res.diagnosis[2] == hint
    assert res.diagnosis[1].startswith("shape mismatch while building the candidate: Matrix size mismatch")
    same = check(lambda n: hadamard(n.W[3] * n.delta(3), n.sigma_prime_of(n.z[2])), lambda n: n.delta(2), net=deep)
    assert same.message == named
    # a truth the network cannot name cannot be rebuilt on the twin: no twin finding
    other = check(lambda n: hadamard(n.W[3] * n.delta(3), n.sigma_prime_of(n.z[2])), 2 * deep.delta(2), net=deep)
    assert other.message.startswith("shape mismatch while building") and len(other.diagnosis) == 2


def test_twin_networks(deep, batch2):
    assert _twin(deep).sizes == [3, 3, 3, 3] and _twin(deep).m == 1 and _twin(deep) is _twin(deep)
    t = _twin(batch2, m=3)
    assert t.sizes == [2, 3, 2] and t.m == 3 and t.cost == batch2.cost and t.activation == batch2.activation
    sig = cached_network((2, 3, 2), activation="sigmoid", cost="quadratic", m=2)
    assert (_twin(sig).activation, _twin(sig).cost, _twin(sig).m, _twin(sig).sizes) == (
        "sigmoid",
        "quadratic",
        2,
        [3] * 3,
    )
    # the twin's diagnosis of a callable candidate, or None when there is nothing to tell
    assert _on_twin(lambda n: 2 * n.delta(1), deep.delta(1), deep, _twin(deep)) == "twice the truth: an extra factor 2"
    assert _on_twin(lambda n: 2 * n.delta(1), lambda n: n.delta(1), deep, _twin(deep)).startswith("twice")
    assert _on_twin(lambda n: n.delta(1), deep.delta(1), deep, _twin(deep)) is None  # right: nothing to name
    assert _on_twin(lambda n: 2 * n.delta(1), deep.delta(1), None, _twin(deep)) is None  # no network
    assert _on_twin(2 * deep.delta(1), deep.delta(1), deep, _twin(deep)) is None  # not a callable
    assert _on_twin(lambda n: 2 * n.delta(1), 2 * deep.delta(1), deep, _twin(deep)) is None  # unnamed truth
    assert _on_twin(lambda n: n.W[1], deep.delta(1), deep, _twin(deep)) is None  # a shape finding
    assert _on_twin(lambda n: n.W[1] * n.W[2], deep.delta(1), deep, _twin(deep)) is None  # does not build
    assert _on_twin(lambda n: n.W[1] + n.delta(1), deep.delta(1), deep, _twin(deep)) is None  # NO_SLIP
    twin = _twin(deep)
    assert _on_twin(2 * twin.delta(1), deep.delta(1), deep, twin) is None  # a matrix, even one built on the twin
    assert _on_twin([[1]], lambda n: sp.Matrix([[2]]), deep, twin) is None  # a list is not a callable either


def test_twin_check_is_one_exact_point_with_seed_0(deep):
    """The twin is looked at once, at Point(0): a truth that vanishes there only agrees with a zero candidate."""
    twin = _twin(deep)
    c0 = Point(0).value(twin.x[0, 0])
    vanishing = lambda n: sp.Matrix([[n.x[0, 0] - c0]])  # noqa: E731
    assert _on_twin(lambda n: sp.zeros(1, 1), vanishing, deep, twin) is None
    assert _on_twin(lambda n: sp.zeros(1, 1), lambda n: sp.Matrix([[n.x[0, 0]]]), deep, twin).startswith(
        "the candidate is zero"
    )
    # no point can be evaluated: the twin result has no diagnosis, so there is nothing to tell
    pole = lambda n: sp.Matrix([[1 / (n.x[0, 0] - c0)]])  # noqa: E731
    assert _on_twin(pole, pole, deep, twin) is None


def test_shape_mismatch_diagnosis(small, deep):
    res = check(small.delta(2).T, small.delta(2), net=small)
    assert not res.ok and res.message == "shape mismatch: the candidate is the truth transposed"
    assert (
        res.shape == (1, 2) and res.mismatches == [] and res.diagnosis[-1] == "a transpose is missing or one too many"
    )
    res = check(deep.delta(2) * deep.a[2].T, deep.dC_dW(2), net=deep)
    assert res.message == "shape mismatch: the candidate is (4, 4) = (n_2, n_2) but the truth is (4, 3) = (n_2, n_1)"
    assert res.shape == (4, 4)


def test_m2_ambiguity_is_settled_on_a_twin_with_m3(batch2):
    lost_m = check(lambda n: n.Delta(2) * n.a[1].T, batch2.dC_dW(2), net=batch2)
    assert lost_m.message == (
        "the 1/m of the averaged cost is missing (with m = 2 it looks like a lost 1/2; "
        "with m = 3 the candidate is 3 times the truth)"
    )
    assert lost_m.diagnosis[0] == lost_m.message and lost_m.diagnosis[1] == "6 of 6 entries differ: " + ", ".join(
        str((i, j)) for i in range(2) for j in range(3)
    )
    extra_two = check(lambda n: 2 * n.Delta(2) * n.a[1].T / n.m, batch2.dC_dW(2), net=batch2)
    assert extra_two.message == "an extra factor 2 (with m = 3 the candidate is still twice the truth: not the 1/m)"
    # a matrix candidate cannot be rebuilt with m = 3: the ambiguity stays, worded as such
    plain_matrix = check(batch2.Delta(2) * batch2.a[1].T, batch2.dC_dW(2), net=batch2)
    assert plain_matrix.message.startswith("twice the truth with m = 2 samples: the 1/m of the averaged cost")

    # "with m = 3" is literal: a candidate f(m) times the truth with f(2) = 2, f(3) = 3, f(4) = 6 is the lost 1/m
    def f_of_m(n):
        return (n.m**2 - 4 * n.m + 6) * n.Delta(2) * n.a[1].T / n.m

    assert check(f_of_m, batch2.dC_dW(2), net=batch2).message == lost_m.message
    # the twin is consulted only for that ambiguity
    assert check(lambda n: 3 * n.Delta(2) * n.a[1].T / n.m, batch2.dC_dW(2), net=batch2).message.startswith(
        "off by the constant factor 3"
    )


def test_every_failure_is_ok_false_not_merely_falsy(small):
    # CheckResult.ok is a bool on every path: a notebook prints it and tests compare it with `is False`
    blank = check(None, small.delta(2), net=small)
    building = check(lambda n: n.W[2] * n.W[1].T, small.dC_dW(1), net=small)
    shapes = check(small.delta(2).T, small.delta(2), net=small)
    entries = check(2 * small.delta(2), small.delta(2), net=small)
    assert [r.ok for r in (blank, building, shapes, entries)] == [False] * 4
    assert all(r.ok is False for r in (blank, building, shapes, entries))
    assert shapes.message.startswith("shape mismatch: the candidate is") and shapes.shape == (1, 2)
    assert check(small.delta(2), small.delta(2), net=small).ok is True
    with pytest.raises(ValueError) as info:
        check(x, None)
    assert str(info.value) == "the truth is blank (None, ... or an empty matrix): check() needs an expression"
