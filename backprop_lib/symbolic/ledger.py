"""The ledger: every displayed or numbered equation of the four source derivations, each with a check that runs.

Each Entry holds the equation as printed (LaTeX), a check translating it faithfully into this engine (the
source's own conventions: 000 writes Δ = ∂C/∂z with Einstein sums; 001 writes ρ, φ, B, ω = ∂C/∂φ, λ and its
"L" is any layer; 002 writes w_kj with k in layer l; 003 is a two-layer network with elementwise `*`), and,
where the printed form fails, the corrected form (which must pass), a one-line explanation and why the slip is
easy to make. The status of an entry comes only from running its checks: "verified" when the printed form
passes, "erratum" when it fails and the corrected form passes. `main(["verify"])` prints the table.
Taught in notebooks/07_proofreading.ipynb; each entry names the notebook that teaches its equation.
"""
from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from typing import Callable, Optional

import sympy as sp

from .check import CheckResult, check
from .index import check_index, prove_index
from .network import cached_network, cost_fn, cost_grad
from .ops import bcast_mul, hadamard

__all__ = ["Entry", "ENTRIES", "run_entry", "run_ledger", "main", "SOURCES"]

SOURCES = {
    "000": "000_2fe1dceeec724cd8.txt",
    "001": "001_db6bb26b3d53b6c4.txt",
    "002": "002_27ea97ae1810cd6e.txt",
    "003": "003_5344939a6d75f4d9.txt",
}


@dataclass
class Entry:
    """One source equation: id, source file, printed label and LaTeX, its check, and (for errata) the fix."""

    id: str
    source: str
    label: str
    printed: str
    check: Callable[[], list]
    notebook: str
    explanation: str
    corrected: Optional[str] = None
    corrected_check: Optional[Callable[[], list]] = None
    why: str = ""
    expect_erratum: bool = field(init=False)

    def __post_init__(self):
        self.expect_erratum = self.corrected is not None


# ----------------------------------------------------------------------------------------------------------------
# networks and helpers
# ----------------------------------------------------------------------------------------------------------------
def N():
    """The default network for 'any layer' statements: 2-3-4-5, undefined σ, generic cost, one sample."""
    return cached_network((2, 3, 4, 5))


def T():
    """Source 003's two-layer network (3-4-2), undefined σ, quadratic cost C = ½ Σ (y - a²)², one sample."""
    return cached_network((3, 4, 2), None, "quadratic", 1)


def ix(*texts, net=N, l=2):
    """A check running one or more index equations on net() with layer l bound."""
    return lambda: [check_index(t, net(), l=l) for t in texts]


def directional(net, kind, l):
    """dC/dz^l (kind "z") or dC/da^l (kind "a") as directional derivatives d/dt C(v + t e_i) at t = 0."""
    t = sp.Symbol("t")
    base = net.z[l] if kind == "z" else net.a[l]
    out = []
    for i in range(base.shape[0]):
        e = sp.zeros(*base.shape)
        e[i, 0] = t
        C = net._forward_from(l, kind, base + e)
        out.append(sp.diff(C, t).subs(t, 0))
    return sp.Matrix(out)


def sumvec(net, l):
    """The column [Σ_m δ^{l+1}_m W^{l+1}_mk]_k written out entry by entry (source 002's matrix display)."""
    d, W = net.delta(l + 1), net.W[l + 1]
    return sp.Matrix([sum(d[m] * W[m, k] for m in range(W.shape[0])) for k in range(W.shape[1])])


def jac_matrix(net, kind, l):
    shape, d = net.jacobian(kind, l)
    return sp.Matrix(shape[0], shape[1], lambda i, j: d[(i, j)])


def _sp(net, l):
    return net.sigma_prime_of(net.z[l])


# source 000's Kronecker-delta rules, for a symbolic width n: x_i with i, j in 0..n-1
_NW = sp.Symbol("n", integer=True, positive=True)
_I, _J = sp.Idx("i", _NW), sp.Idx("j", _NW)
_X = sp.IndexedBase("x")


# ----------------------------------------------------------------------------------------------------------------
# the entries
# ----------------------------------------------------------------------------------------------------------------
def _entries():
    E = []
    add = E.append
    S0, S1, S2, S3 = (SOURCES[k] for k in ("000", "001", "002", "003"))

    # ---------------------------------------------------------------- source 000 (Einstein notation, Δ = ∂C/∂z)
    add(Entry("000-kd-derivative", S0, "Kronecker delta, derivative (inline)",
              r"\frac{\partial x_j}{\partial x_i} = \delta_{ij}",
              lambda: [prove_index(sp.diff(_X[_J], _X[_I]), sp.KroneckerDelta(_I, _J))], "03_recursion",
              "The derivative of one coordinate by another is the Kronecker delta, for any width n."))
    add(Entry("000-kd-sifting", S0, "Kronecker delta, sifting (inline)",
              r"\delta_{ij} x_j = \delta_i",
              lambda: [prove_index(sp.Sum(sp.KroneckerDelta(_I, _J) * _X[_J], (_J, 0, _NW - 1)),
                                   sp.IndexedBase(r"\delta")[_I])], "03_recursion",
              "Summing δ_ij x_j over j picks out x_i, not a δ_i: the printed right-hand side names the delta "
              "instead of the vector it sifts.",
              corrected=r"\delta_{ij} x_j = x_i",
              corrected_check=lambda: [prove_index(
                  sp.Sum(sp.KroneckerDelta(_I, _J) * _X[_J], (_J, 0, _NW - 1)), _X[_I])],
              why="The rule is usually recited as \"the delta eats the sum\", and the letter left standing is the "
                  "one that was just written, δ, rather than the one that survives, x."))
    add(Entry("000-b0", S0, "(b0)", r"a^l_i = \sigma(W^l_{ij} a^{l-1}_j + b^l_i)",
              ix("a[l]_i = sigma(W[l]_ij a[l-1]_j + b[l]_i)"), "01_forward_pass",
              "The forward pass in index notation (j summed) gives the network's a^l."))
    add(Entry("000-b1", S0, "(b1)", r"a^l_i = \sigma(z^l_i),\quad z^l_i = W^l_{ij} a^{l-1}_j + b^l_i",
              ix("a[l]_i = sigma(z[l]_i)", "z[l]_i = W[l]_ij a[l-1]_j + b[l]_i"), "01_forward_pass",
              "The split into weighted input and activation agrees with the forward pass."))
    add(Entry("000-b2", S0, "(b2)", r"\Delta^l_i = \frac{\partial C}{\partial z^l_i}",
              lambda: [check(directional(N(), "z", 2), N().delta(2), name=r"\Delta^{2}", net=N())],
              "02_error_signal",
              "Definition: Δ^l computed with fresh symbols for z^l equals the directional derivative d/dt C(z^l + t e_i)."))
    add(Entry("000-cost", S0, "cost (unnumbered)", r"C = \frac{1}{n}\sum_x f(y_i, a^L_i(x))",
              lambda: _check_cost_000(), "05_batching",
              "The averaged cost: (1/n) times the per-sample f summed over the n samples equals the network's C."))
    add(Entry("000-1", S0, "(1)",
              r"\Delta^L_i = \frac{\partial C}{\partial a^L_j} \delta_{ji}\sigma(z^L_j) = \frac{\partial C}{\partial a^L_i}\sigma(z^L_i)",
              ix("Delta[L]_i = dC_da[L]_j KroneckerDelta(j, i) sigma(z[L]_j)", "Delta[L]_i = dC_da[L]_i sigma(z[L]_i)"),
              "02_error_signal",
              "σ is written where σ′ belongs: ∂a^L_j/∂z^L_i = δ_ji σ′(z^L_j).",
              corrected=r"\Delta^L_i = \frac{\partial C}{\partial a^L_j} \delta_{ji}\sigma'(z^L_j) = \frac{\partial C}{\partial a^L_i}\sigma'(z^L_i)",
              corrected_check=ix("Delta[L]_i = dC_da[L]_j KroneckerDelta(j, i) sigma_prime(z[L]_j)",
                                 "Delta[L]_i = dC_da[L]_i sigma_prime(z[L]_i)"),
              why="σ′ and σ differ by one small stroke, and for the sigmoid σ′ = σ(1-σ) is written in terms of σ."))
    add(Entry("000-2", S0, "(2)",
              r"\Delta^L_i = \frac{\partial C}{\partial z^l_i} = \Delta^{l+1}_k W^l_{kj} \delta_{ji} \sigma(z^l_j) = \Delta^{l+1}_k W^l_{ki} \sigma(z^l_i)",
              ix("Delta[L]_i = Delta[l+1]_k W[l]_kj KroneckerDelta(j, i) sigma(z[l]_j)",
                 "Delta[L]_i = Delta[l+1]_k W[l]_ki sigma(z[l]_i)"),
              "03_recursion",
              "Three slips: the left side is Δ^l (not Δ^L), z^{l+1} = W^{l+1} a^l + b^{l+1} brings W^{l+1} (not W^l), and σ′ belongs where σ is.",
              corrected=r"\Delta^l_i = \Delta^{l+1}_k W^{l+1}_{ki} \sigma'(z^l_i)",
              corrected_check=ix("Delta[l]_i = Delta[l+1]_k W[l+1]_kj KroneckerDelta(j, i) sigma_prime(z[l]_j)",
                                 "Delta[l]_i = Delta[l+1]_k W[l+1]_ki sigma_prime(z[l]_i)"),
              why="The layer superscripts are easy to copy from the previous line, and the weight that links layer l "
                  "to l+1 is stored with layer l+1."))
    add(Entry("000-3W", S0, "(3), weights",
              r"\frac{\partial C}{\partial W^l_{ij}} = \frac{\partial C}{\partial z^l_k}\frac{\partial z^l_k}{\partial W^l_{ij}} = \Delta^l_k \delta_{ki} a^{l-1}_j = \Delta^l_i a^{l-1}_j",
              ix("dC_dW[l]_ij = dC_dz[l]_k dzdW[l]_{k,i,j}", "dC_dW[l]_ij = Delta[l]_k KroneckerDelta(k, i) a[l-1]_j",
                 "dC_dW[l]_ij = Delta[l]_i a[l-1]_j"),
              "03_recursion", "Each step of the weight gradient holds, the Kronecker delta collapsing the sum over k."))
    add(Entry("000-3b", S0, "(3), biases",
              r"\frac{\partial C}{\partial b^l_i} = \frac{\partial C}{\partial z^l_j}\frac{\partial z^l_j}{\partial b^l_i} = \Delta^l_j \delta_{ji} = \Delta^l_i",
              ix("dC_db[l]_i = dC_dz[l]_j dzdb[l]_ji", "dC_db[l]_i = Delta[l]_j KroneckerDelta(j, i)",
                 "dC_db[l]_i = Delta[l]_i"),
              "03_recursion", "Each step of the bias gradient holds."))

    # ---------------------------------------------------------------- source 001 (ρ, φ, B, ω = ∂C/∂φ, L = any layer)
    add(Entry("001-forward", S1, "forward pass (unnumbered)",
              r"\rho^L_j = \sum_k W^L_{jk}\phi^{L-1}_k + B^L_j,\ \rho^L = W^L\phi^{L-1} + B^L,\ "
              r"\phi^L_j = \sigma(\sum_k W^L_{jk}\phi^{L-1}_k + B^L_j),\ \phi^L = \sigma_v(\rho^L)",
              lambda: [check_index("z[l]_j = Sum(W[l]_jk a[l-1]_k, k) + b[l]_j", N(), l=2),
                       check(N().W[2] * N().a[1] + N().b[2], N().z[2], name=r"\rho^{2}", net=N()),
                       check_index("a[l]_j = sigma(Sum(W[l]_jk a[l-1]_k, k) + b[l]_j)", N(), l=2),
                       check(N().sigma_of(N().z[2]), N().a[2], name=r"\phi^{2}", net=N())],
              "01_forward_pass", "The four forms of the forward pass agree with the network."))
    add(Entry("001-cost", S1, "squared error (unnumbered)",
              r"C = \frac{1}{2n}\sum_i\left(\phi^l(x_i)-y_i\right)^2",
              lambda: _check_cost_001(), "05_batching",
              "The quadratic cost with its 1/(2n) (φ^l is the output layer in this source) equals the network's C."))
    add(Entry("001-dW-chain", S1, "chain rule for dC/dW (unnumbered)",
              r"\frac{\partial C}{\partial W_{jk}^L} = \frac{\partial C}{\partial \phi^L_j} \frac{\partial \phi^L_j}{\partial W_{jk}^{L}}"
              r" = \sum_{a,\ldots,f} \frac{\partial C}{\partial \phi^l_a}\frac{\partial \phi^{l}_a}{\partial \phi^{l-1}_b}\ldots"
              r"\frac{\partial \phi^{L+1}_f}{\partial \phi^{L}_j} \frac{\partial \phi^L_j}{\partial W_{jk}^{L}}",
              lambda: [check_index("dC_dW[l]_jk = omega[l]_j dadW[l]_{j,j,k}", N(), l=2),
                       check_index("dC_dW[1]_jk = dC_da[3]_p dada[3]_{p,q} dada[2]_{q,j} dadW[1]_{j,j,k}", N(), l=1)],
              "03_recursion",
              "The one-layer chain rule, and the long chain through every later layer (for W^1 of the 2-3-4-5 network), both hold."))
    add(Entry("001-omega-def", S1, "ω definition (unnumbered)", r"\omega^L_j = \frac{\partial C}{\partial \phi^L_j}",
              lambda: [check(directional(N(), "a", 2), N().omega(2), name=r"\omega^{2}", net=N())],
              "02_error_signal",
              "Definition: ω^l computed with fresh symbols for a^l equals the directional derivative d/dt C(a^l + t e_j)."))
    add(Entry("001-omega-steps", S1, "ω recursion steps (unnumbered)",
              r"\omega_j^L = \sum_a \frac{\partial C}{\partial \rho^{L+1}_a} W_{aj}^{L+1} = \sum_a \frac{\partial C}{\partial \phi^{L+1}_a} \sigma'(\rho^{L+1}_a) W_{aj}^{L+1}"
              r" = \sum_a \omega^{L+1}_a \sigma'(\rho^{L+1}_a) W_{aj}^{L+1} = (W_{*,j}^{L+1})^T (\omega^{L+1} \circ \sigma_v'(\rho^{L+1}))",
              lambda: [check_index("omega[l]_j = Sum(dC_dz[l+1]_a W[l+1]_aj, a)", N(), l=2),
                       check_index("omega[l]_j = Sum(dC_da[l+1]_a sigma_prime(z[l+1]_a) W[l+1]_aj, a)", N(), l=2),
                       check_index("omega[l]_j = Sum(omega[l+1]_a sigma_prime(z[l+1]_a) W[l+1]_aj, a)", N(), l=2),
                       check(lambda n: sp.Matrix([(n.W[3][:, j].T * hadamard(n.omega(3), _sp(n, 3)))[0, 0]
                                                  for j in range(n.sizes[2])]), N().omega(2), name=r"\omega^{2}", net=N())],
              "03_recursion", "Every line of the derivation of ω^L from ω^{L+1} holds."))
    add(Entry("001-A1", S1, "(A1)",
              r"\frac{\partial C}{\partial \phi^L} = \left(W^{L+1}\right)^T \left(\omega^{L+1} \circ \sigma_v'\left( \rho^{L+1} \right) \right)",
              lambda: [check(lambda n: n.W[3].T * hadamard(n.omega(3), _sp(n, 3)), N().omega(2),
                             name=r"\frac{\partial C}{\partial a^{2}}", net=N())],
              "04_matrix_form", "The matrix form of the ω recursion holds (shapes (n_l, n_{l+1})(n_{l+1}, 1))."))
    add(Entry("001-dB", S1, "dC/dB_j (unnumbered)",
              r"\frac{\partial C}{\partial B^L_j} = \frac{\partial C}{\partial \phi_j^L}\frac{\partial \phi_j^L}{\partial B_j^L} = \omega_j^L\sigma'(\rho_j^L)",
              ix("dC_db[l]_j = omega[l]_j sigma_prime(z[l]_j)"), "03_recursion", "The bias gradient in ω form holds."))
    add(Entry("001-A2", S1, "(A2)", r"\frac{\partial C}{\partial B^L} = \omega^L \circ \sigma_v'\left(\rho^L\right)",
              lambda: [check(lambda n: hadamard(n.omega(2), _sp(n, 2)), N().dC_db(2),
                             name=r"\frac{\partial C}{\partial b^{2}}", net=N())],
              "04_matrix_form", "The bias gradient in matrix form holds."))
    add(Entry("001-dW", S1, "dC/dW_jk (unnumbered)",
              r"\frac{\partial C}{\partial W^L_{jk}} = \omega_j^L\sigma'(\rho_j^L)\phi_k^{L-1}",
              ix("dC_dW[l]_jk = omega[l]_j sigma_prime(z[l]_j) a[l-1]_k"), "03_recursion",
              "The weight gradient in ω form holds."))
    add(Entry("001-A3", S1, "(A3)",
              r"\frac{\partial C}{\partial W^L} = \left(\omega^L \circ \sigma_v'\left( \rho^L \right) \right)\left(\phi^{L-1}\right)^T",
              lambda: [check(lambda n: hadamard(n.omega(2), _sp(n, 2)) * n.a[1].T, N().dC_dW(2),
                             name=r"\frac{\partial C}{\partial W^{2}}", net=N())],
              "04_matrix_form", "The weight gradient in matrix form holds (an outer product)."))
    add(Entry("001-lambda", S1, "λ definition (unnumbered)", r"\lambda^L = \omega^L \circ \sigma_v'\left(\rho^L\right)",
              lambda: [check(lambda n: hadamard(n.omega(l), _sp(n, l)), N().delta(l), name=rf"\lambda^{{{l}}}", net=N())
                       for l in (1, 2, 3)],
              "02_error_signal", "λ^l = ω^l ∘ σ′(ρ^l) is exactly δ^l = ∂C/∂z^l at every layer."))
    add(Entry("001-B1", S1, "(B1)",
              r"\omega^L = \left( W^{L+1}\right)^T \lambda^{L+1},\quad \lambda^L = \left(\left(W^{L+1}\right)^T \lambda^{L+1} \right)\circ \sigma_v' \left(\rho^L\right)",
              lambda: [check(lambda n: n.W[3].T * _lam(n, 3), N().omega(2), name=r"\omega^{2}", net=N()),
                       check(lambda n: hadamard(n.W[3].T * _lam(n, 3), _sp(n, 2)), _lam(N(), 2), name=r"\lambda^{2}",
                             net=N())],
              "04_matrix_form", "Both recursions in λ form hold, with λ built from its definition ω ∘ σ′(ρ)."))
    add(Entry("001-B2", S1, "(B2)",
              r"\frac{\partial C}{\partial B^L} = \omega^L \circ \sigma_v'\left(\rho^L\right) = \lambda^L",
              lambda: [check(lambda n: _lam(n, 2), N().dC_db(2), name=r"\frac{\partial C}{\partial b^{2}}", net=N())],
              "04_matrix_form", "The bias gradient is λ^L."))
    add(Entry("001-B3", S1, "(B3)",
              r"\frac{\partial C}{\partial W^L} = \lambda^L\left(\phi^{L-1}\right)^T",
              lambda: [check(lambda n: _lam(n, l) * n.a[l - 1].T, N().dC_dW(l), name=rf"\frac{{\partial C}}{{\partial W^{{{l}}}}}",
                             net=N()) for l in (1, 2, 3)],
              "04_matrix_form", "The weight gradient is λ^L (φ^{L-1})^T at every layer."))

    # ---------------------------------------------------------------- source 002 (w_kj, k in layer l)
    add(Entry("002-forward", S2, "forward pass (unnumbered)",
              r"\bold{a}^l = \sigma \left( \bold{W}^l\bold{a}^{l-1} + \bold{b} \right)",
              lambda: [check(lambda n: n.sigma_of(n.W[l] * n.a[l - 1] + n.b[l]), N().a[l], name=rf"a^{{{l}}}", net=N())
                       for l in (1, 2, 3)],
              "01_forward_pass", "The forward pass holds (the unadorned b is read as b^l)."))
    add(Entry("002-nested", S2, "a^L_n written out (unnumbered)",
              r"a_n^L = \sigma(\sum_m w_{nm}^L [\cdots\sigma(\sum_j w_{kj}^2 [\sigma(\sum_i w_{ji}^1x_i +b_j^1)] + b_k^2)\cdots]_m + b_n^L)",
              lambda: [check_index("a[3]_n = sigma(Sum(W[3]_nm * sigma(Sum(W[2]_mj * sigma(Sum(W[1]_ji * x_i, i) "
                                   "+ b[1]_j), j) + b[2]_m), m) + b[3]_n)", N(), l=3)],
              "01_forward_pass", "The network as one nested expression (for L = 3) equals the layer-by-layer forward pass."))
    add(Entry("002-z", S2, "input sum (unnumbered)", r"z_k^l = \sum_j w_{kj}^l a^{l-1}_j + b_k^l",
              ix("z[l]_k = Sum(W[l]_kj a[l-1]_j, j) + b[l]_k"), "01_forward_pass", "The input sum holds."))
    add(Entry("002-a", S2, "activation (unnumbered)", r"a_k^l = \sigma(z_k^l)", ix("a[l]_k = sigma(z[l]_k)"),
              "01_forward_pass", "The activation holds."))
    add(Entry("002-z-next", S2, "input sum of layer l+1 (unnumbered)",
              r"z_m^{l+1} = \sum_{k} w_{mk}^{l+1} a^l_k + b_m^l",
              ix("z[l+1]_m = Sum(W[l+1]_mk a[l]_k, k) + b[l]_m"), "01_forward_pass",
              "The bias of layer l+1 is b^{l+1}, not b^l.",
              corrected=r"z_m^{l+1} = \sum_{k} w_{mk}^{l+1} a^l_k + b_m^{l+1}",
              corrected_check=ix("z[l+1]_m = Sum(W[l+1]_mk a[l]_k, k) + b[l+1]_m"),
              why="The line is copied from z^l_k and only some superscripts are bumped to l+1."))
    add(Entry("002-dW-chain", S2, "dC/dw_kj derivation (unnumbered)",
              r"\frac{\partial C }{\partial w_{kj}^l} = \frac{\partial C }{\partial z_k^l} \frac{\partial z_k^l }{\partial w_{kj}^l}"
              r" = \left( \sum_m \frac{\partial C }{\partial z_m^{l+1}} w_{mk}^{l+1} \right ) \sigma'(z_k^l) a_j^{l-1}",
              ix("dC_dW[l]_kj = dC_dz[l]_k dzdW[l]_{k,k,j}",
                 "dC_dW[l]_kj = dC_da[l]_k dadz[l]_kk dzdW[l]_{k,k,j}",
                 "dC_dW[l]_kj = Sum(dC_dz[l+1]_m W[l+1]_mk, m) sigma_prime(z[l]_k) a[l-1]_j"),
              "03_recursion", "Each form of the weight gradient holds."))
    add(Entry("002-delta-def", S2, "error signal definition (unnumbered)", r"\delta_k^l \equiv \frac{\partial C }{\partial z_k^l}",
              lambda: [check(directional(N(), "z", l), N().delta(l), name=rf"\delta^{{{l}}}", net=N()) for l in (1, 3)],
              "02_error_signal",
              "Definition: δ^l computed with fresh symbols for z^l equals the directional derivative d/dt C(z^l + t e_k)."))
    add(Entry("002-dCdz", S2, "dC/dz^l_k expanded (unnumbered)",
              r"\frac{\partial C }{\partial z_k^l}= \left( \sum_m \frac{\partial C }{\partial z_m^{l+1}} w_{mk}^{l+1} \right ) \sigma'(z_k^l)",
              ix("dC_dz[l]_k = Sum(dC_dz[l+1]_m W[l+1]_mk, m) sigma_prime(z[l]_k)"), "03_recursion",
              "The chain rule through layer l+1 holds."))
    add(Entry("002-recursion", S2, "recursive formula (unnumbered)",
              r"\delta_k^l = \left( \sum_m \delta_m^{l+1} w_{mk}^{l+1} \right ) \sigma'(z_k^l)",
              lambda: [check_index("delta[l]_k = Sum(delta[l+1]_m W[l+1]_mk, m) sigma_prime(z[l]_k)", N(), l=l)
                       for l in (1, 2)],
              "03_recursion", "The recursion holds at every hidden layer."))
    add(Entry("002-db", S2, "bias gradient (unnumbered)",
              r"\frac{\partial C }{\partial b_k^l} = \frac{\partial C }{\partial z_k^l} \frac{\partial z_k^l }{\partial b_k^l} = \delta_k^l",
              ix("dC_db[l]_k = dC_dz[l]_k dzdb[l]_kk", "dC_db[l]_k = delta[l]_k"), "03_recursion",
              "The bias gradient is the error signal."))
    add(Entry("002-deltaL", S2, "output error (unnumbered)",
              r"\delta_j^L = \frac{\partial C }{\partial a_j^L} \frac{\partial a_j^L }{\partial z_j^L} = \frac{\partial C }{\partial a_j^L} \sigma'(z_j^L)",
              ix("delta[L]_j = dC_da[L]_j dadz[L]_jj", "delta[L]_j = dC_da[L]_j sigma_prime(z[L]_j)", l=3),
              "02_error_signal", "The output error holds for every σ and every cost."))
    add(Entry("002-WTdelta", S2, "(W^{l+1})^T δ^{l+1} written out (unnumbered)",
              r"(W^{l+1})^T \delta^{l+1} = \left[\sum_{m=1}^{M} \delta^{l+1}_m w_{mk}^{l+1}\right]_k \backsim \delta^l",
              lambda: [check(lambda n: n.W[3].T * n.delta(3), sumvec(N(), 2), name=r"(W^{3})^T\delta^{3}", net=N()),
                       check(lambda n: hadamard(n.W[3].T * n.delta(3), _sp(n, 2)), N().delta(2), name=r"\delta^{2}", net=N())],
              "04_matrix_form",
              "The transposed product is the column of sums; '∼ δ^l' is made precise: times σ′(z^l) it is δ^l."))
    add(Entry("002-summary-deltaL", S2, "summary: output error", r"\delta^L = \nabla_{a^L}C \odot \sigma'(z^L)",
              lambda: [check(lambda n: hadamard(n.grad_a_C(), _sp(n, 3)), N().delta(3), name=r"\delta^{3}", net=N())],
              "04_matrix_form", "The output error in matrix form holds."))
    add(Entry("002-summary-recursion", S2, "summary: recursion", r"\delta^l = (w^{l+1})^T \delta^{l+1} \odot \sigma'(z^l)",
              lambda: [check(lambda n: hadamard(n.W[l + 1].T * n.delta(l + 1), _sp(n, l)), N().delta(l),
                             name=rf"\delta^{{{l}}}", net=N()) for l in (1, 2)],
              "04_matrix_form",
              "Holds read as ((w^{l+1})^T δ^{l+1}) ⊙ σ′(z^l); the other grouping does not even fit the shapes."))
    add(Entry("002-summary-db", S2, "summary: bias gradient", r"\frac{\partial C }{\partial b_j^l} = \delta^l_j",
              ix("dC_db[l]_j = delta[l]_j"), "03_recursion", "The bias gradient holds."))
    add(Entry("002-summary-dW", S2, "summary: weight gradient", r"\frac{\partial C }{\partial w_{kj}^l} = \delta_k^l a_j^{l-1}",
              lambda: [check_index("dC_dW[l]_kj = delta[l]_k a[l-1]_j", N(), l=l) for l in (1, 2, 3)],
              "03_recursion", "The weight gradient holds at every layer."))

    # ---------------------------------------------------------------- source 003 (two layers, elementwise *)
    add(Entry("003-forward", S3, "forward pass (unnumbered)",
              r"a^{l} = \sigma(w^l a^{l-1}+b^l),\quad a^{l} = \sigma(z^l),\ z^l =w^l a^{l-1} +b^l",
              lambda: [check(lambda n: n.sigma_of(n.W[2] * n.a[1] + n.b[2]), T().a[2], name=r"a^{2}", net=T()),
                       check(lambda n: n.W[2] * n.a[1] + n.b[2], T().z[2], name=r"z^{2}", net=T())],
              "01_forward_pass", "The forward pass of the two-layer network holds."))
    add(Entry("003-basis", S3, "chain rule basis (unnumbered)",
              r"\frac {\partial C}{\partial w^l} = \frac {\partial a^l}{\partial w^l} . \frac {\partial C}{\partial a^l}",
              lambda: [check_index("dC_dW[l]_jk = dadW[l]_ijk dC_da[l]_i", T(), l=l) for l in (1, 2)],
              "03_recursion", "Read as a contraction over the neurons i of layer l, the chain rule holds at both layers."))
    add(Entry("003-cost", S3, "quadratic loss (unnumbered)", r"C = \frac{1}{2} \sum_j (y_j-a^L_j)^2",
              lambda: [check(sp.Rational(1, 2) * sum((T().Y[j] - T().a[2][j]) ** 2 for j in range(2)), T().C,
                             name="C", net=T())],
              "02_error_signal", "The quadratic loss (with its 1/2) is the network's cost."))
    add(Entry("003-a2", S3, "a² (unnumbered)", r"a^2 = \sigma(w^2.a^1)",
              lambda: [check(lambda n: n.sigma_of(n.W[2] * n.a[1]), T().a[2], name=r"a^{2}", net=T())],
              "01_forward_pass", "The bias b² is missing: a² = σ(w² a¹ + b²) by the source's own definition.",
              corrected=r"a^2 = \sigma(w^2 a^1 + b^2)",
              corrected_check=lambda: [check(lambda n: n.sigma_of(n.W[2] * n.a[1] + n.b[2]), T().a[2], name=r"a^{2}",
                                             net=T())],
              why="The bias does not affect ∂/∂w², so it is dropped as 'irrelevant' and then the equation is simply false."))
    add(Entry("003-EqA", S3, "Eq A", r"C = \frac{1}{2} \sum_j v^2,\quad v = y - a^2",
              lambda: [check(sp.Rational(1, 2) * sum(v ** 2 for v in (T().Y - T().a[2])), T().C, name="C", net=T())],
              "02_error_signal", "The loss in terms of v = y − a² holds."))
    add(Entry("003-EqB", S3, "Eq B (first form)",
              r"\frac {\partial C}{\partial w^2} = \frac{\partial v^2}{\partial v} * \frac{\partial v}{\partial w^2}",
              lambda: [check(_eqb(T(), half=False), T().dC_dW(2), name=r"\frac{\partial C}{\partial w^{2}}", net=T())],
              "02_error_signal", "The 1/2 of C = ½ Σ v² is lost: the product is twice the gradient.",
              corrected=r"\frac {\partial C}{\partial w^2} = \frac{1}{2}\frac{\partial v^2}{\partial v} * \frac{\partial v}{\partial w^2}",
              corrected_check=lambda: [check(_eqb(T(), half=True), T().dC_dW(2), name=r"\frac{\partial C}{\partial w^{2}}",
                                             net=T())],
              why="The ½ is meant to cancel the 2 of the square, so it is easy to drop it one line too early."))
    add(Entry("003-B1", S3, "Eq B.1", r"\frac{\partial v^2}{\partial v} =2v",
              lambda: [_check_B1()], "02_error_signal", "The derivative of a square holds."))
    add(Entry("003-B2", S3, "Eq B.2",
              r"\frac{\partial v}{\partial w^2}= \frac{\partial (y-a^2)}{\partial w^2} = 0-\frac{\partial a^2}{\partial w^2}",
              lambda: [_check_B2(T())], "02_error_signal", "y does not depend on w², so ∂v/∂w² = −∂a²/∂w²."))
    add(Entry("003-EqB-2", S3, "Eq B (second form)",
              r"\frac {\partial C}{\partial w^2} = \frac{1}{2} *2v(0-\frac{\partial a^2}{\partial w^2})",
              lambda: [check_index("dC_dW[2]_jk = Rational(1, 2) * 2 * (y_i - a[2]_i) * (0 - dadW[2]_ijk)", T(), l=2)],
              "02_error_signal", "With the ½ restored the chain rule holds (summed over the output neurons i)."))
    add(Entry("003-z2-sum", S3, "a² and z² via sum(w² ⊗ a¹) (unnumbered)",
              r"a^2= \sigma(sum(w^2 \otimes a^1 )) = \sigma(z^2),\quad z^2 = sum(w^2 \otimes a^1 )",
              lambda: [check(lambda n: _rowsum(bcast_mul(n.W[2], n.a[1].T)), T().z[2], name=r"z^{2}", net=T())],
              "01_forward_pass",
              "The bias b² is missing from z² (the source's own z^l = w^l a^{l-1} + b^l); it does not change ∂z²/∂w².",
              corrected=r"z^2 = sum(w^2 \otimes a^1) + b^2",
              corrected_check=lambda: [check(lambda n: _rowsum(bcast_mul(n.W[2], n.a[1].T)) + n.b[2], T().z[2],
                                             name=r"z^{2}", net=T())],
              why="Only ∂z²/∂w² is wanted next, and the bias contributes nothing to it."))
    add(Entry("003-B3", S3, "Eq B.3",
              r"\frac{\partial z^2}{\partial w^2} = (1^{\rightarrow})^T* diag(a^1) =(a^{1})^T",
              ix("dzdW[2]_ijk = KroneckerDelta(i, j) a[1]_k", net=T, l=2), "03_recursion",
              "Row j of z² depends on row j of w² through (a¹)^T: ∂z²_i/∂w²_jk = δ_ij a¹_k."))
    add(Entry("003-B4", S3, "Eq B.4", r"\frac {\partial a^2}{\partial w^2} = \sigma^{'}(z^2) * (a^{1})^T",
              ix("dadW[2]_ijk = KroneckerDelta(i, j) sigma_prime(z[2]_i) a[1]_k", net=T, l=2), "03_recursion",
              "The broadcast product σ′(z²) * (a¹)^T is the nonzero slice of ∂a²_i/∂w²_jk = δ_ij σ′(z²_i) a¹_k."))
    add(Entry("003-Eq3", S3, "Eq (3)", r"\frac {\partial C}{\partial w^2}= (a^2-y)*\sigma^{'}(z^2) * (a^{1})^T",
              lambda: [check(lambda n: bcast_mul(bcast_mul(n.a[2] - n.Y, _sp(n, 2)), n.a[1].T), T().dC_dW(2),
                             name=r"\frac{\partial C}{\partial w^{2}}", net=T())],
              "04_matrix_form", "The last-layer weight gradient with broadcasting * holds."))
    add(Entry("003-4.0", S3, "(4.0)", r"\frac {\partial C}{\partial w^1} = \frac {\partial a^1}{\partial w^1} . \frac {\partial C}{\partial a^1}",
              ix("dC_dW[1]_jk = dadW[1]_ijk dC_da[1]_i", net=T, l=1), "03_recursion",
              "The chain rule for the inner layer holds (contracting over the neurons of layer 1)."))
    add(Entry("003-4.1", S3, "(4.1)", r"\frac {\partial a^1}{\partial w^1}  = \sigma'(z^1) * (a^{0})^T",
              ix("dadW[1]_ijk = KroneckerDelta(i, j) sigma_prime(z[1]_i) a[0]_k", net=T, l=1), "03_recursion",
              "The broadcast product is the nonzero slice of ∂a¹/∂w¹."))
    add(Entry("003-dCda1", S3, "dC/da¹ chain rule (unnumbered)",
              r"\frac{\partial C}{\partial(a^1)} =  \frac{\partial C}{\partial(a^2)}.\frac{\partial(a^2)}{\partial(a^1)}",
              ix("dC_da[1]_k = dC_da[2]_i dada[2]_ik", net=T, l=1), "03_recursion",
              "The chain rule through layer 2 holds (summed over the neurons i of layer 2)."))
    add(Entry("003-4.2", S3, "(4.2)",
              r"\frac{\partial C}{\partial(a^2)} = \frac{1}{2}*2*(a^2-y) =(a^2-y) = \delta^{2}",
              lambda: [check(lambda n: n.a[2] - n.Y, T().dC_da(2), name=r"\frac{\partial C}{\partial a^{2}}", net=T())],
              "02_error_signal",
              "∂C/∂a² = a² − y holds; note this source calls it δ², which the series reserves for ∂C/∂z²."))
    add(Entry("003-4.3", S3, "(4.3)",
              r"\frac{\partial(a^2)}{\partial(a^1)} = w^2.\sigma'(w^2 a^{1}+b^2) = w^2.\sigma'(z^2)",
              lambda: [check(lambda n: n.W[2] * _sp(n, 2), jac_matrix(T(), "dada", 2),
                             name=r"\frac{\partial a^2}{\partial a^1}", net=T())],
              "04_matrix_form",
              "The Jacobian is diag(σ′(z²)) w² (row i scaled by σ′(z²_i)); w²·σ′(z²) does not fit: (n_2, n_1)·(n_2, 1).",
              corrected=r"\frac{\partial(a^2)}{\partial(a^1)} = \sigma'(z^2) * w^2 = \operatorname{diag}(\sigma'(z^2))\, w^2",
              corrected_check=lambda: [check(lambda n: bcast_mul(_sp(n, 2), n.W[2]), jac_matrix(T(), "dada", 2),
                                             name=r"\frac{\partial a^2}{\partial a^1}", net=T())],
              why="In one dimension the factors commute, and the chain rule is remembered as 'w times σ′'."))
    add(Entry("003-Eq5a", S3, "Eq (5) (first form)",
              r"\frac {\partial C}{\partial w^1} = \sigma'(z^1) * (a^{0})^T*\delta^{2}*w^2.\sigma'(z^2)",
              lambda: [check(lambda n: bcast_mul(bcast_mul(bcast_mul(_sp(n, 1), n.a[0].T), n.a[2] - n.Y), n.W[2] * _sp(n, 2)),
                             T().dC_dW(1), name=r"\frac{\partial C}{\partial w^{1}}", net=T())],
              "04_matrix_form",
              "The factors are in an order whose shapes do not fit; the gradient is ((w²)^T (δ² * σ′(z²)) * σ′(z¹)) (a⁰)^T.",
              corrected=r"\frac {\partial C}{\partial w^1} = \left(\left((w^2)^T (\delta^2 * \sigma'(z^2))\right) * \sigma'(z^1)\right) (a^0)^T",
              corrected_check=lambda: [check(_eq5_fixed, T().dC_dW(1), name=r"\frac{\partial C}{\partial w^{1}}", net=T())],
              why="Writing the chain rule left to right as in one dimension ignores that matrices must be ordered and transposed to fit."))
    add(Entry("003-delta2", S3, "δ² (unnumbered)", r"\delta^2 = (a^2-y)",
              lambda: [check(lambda n: n.a[2] - n.Y, T().dC_da(2), name=r"\frac{\partial C}{\partial a^{2}}", net=T())],
              "02_error_signal", "In this source's convention δ² = ∂C/∂a² = a² − y, which holds (the series' δ² is ∂C/∂z²)."))
    add(Entry("003-Eq3b", S3, "Eq (3) (final form)", r"\frac {\partial C}{\partial w^2}= \delta^{2}*\sigma^{'}(z^2) * (a^{1})^T",
              lambda: [check(lambda n: bcast_mul(bcast_mul(n.a[2] - n.Y, _sp(n, 2)), n.a[1].T), T().dC_dW(2),
                             name=r"\frac{\partial C}{\partial w^{2}}", net=T())],
              "04_matrix_form", "With δ² = a² − y, the last-layer weight gradient holds."))
    add(Entry("003-Eq5b", S3, "Eq (5) (final form)",
              r"\frac {\partial C}{\partial w^1} = \delta^{2}*\sigma'(z^2)*(a^{0})^T*w^2.\sigma'(z^1)",
              lambda: [check(lambda n: bcast_mul(bcast_mul(bcast_mul(n.a[2] - n.Y, _sp(n, 2)), n.a[0].T), n.W[2] * _sp(n, 1)),
                             T().dC_dW(1), name=r"\frac{\partial C}{\partial w^{1}}", net=T())],
              "04_matrix_form",
              "Shapes do not fit (and σ′(z¹) and σ′(z²) trade places); the gradient is ((w²)^T (δ² * σ′(z²)) * σ′(z¹)) (a⁰)^T.",
              corrected=r"\frac {\partial C}{\partial w^1} = \left(\left((w^2)^T (\delta^2 * \sigma'(z^2))\right) * \sigma'(z^1)\right) (a^0)^T",
              corrected_check=lambda: [check(_eq5_fixed, T().dC_dW(1), name=r"\frac{\partial C}{\partial w^{1}}", net=T())],
              why="Rewriting an already wrong line by rearranging its factors keeps the shape error and adds a new one."))
    add(Entry("003-update", S3, "gradient descent update (unnumbered)",
              r"W^{l-1}_{new} = W^{l-1}_{old} - learningRate* \delta C_0/ \delta w^{l-1}",
              lambda: [_check_update(T())], "06_training_mnist",
              "The step −η ∂C/∂w is a descent direction: d/dη C(w − η ∂C/∂w) at η = 0 equals −‖∂C/∂w‖²."))
    return E


def _lam(n, l):
    """λ^l built from source 001's definition ω^l ∘ σ′(ρ^l)."""
    return hadamard(n.omega(l), _sp(n, l))


def _rowsum(M):
    return sp.Matrix([sum(M[i, :]) for i in range(M.shape[0])])


def _eqb(n, half):
    """Eq B as printed: ∂(v²)/∂v * ∂v/∂w², summed over the output neurons i, with or without the ½ of C."""
    v = n.Y - n.a[2]
    c = sp.Rational(1, 2) if half else 1
    return n.W[2].applyfunc(lambda w: c * sum(2 * v[i] * sp.diff(v[i], w) for i in range(v.shape[0])))


def _eq5_fixed(n):
    d2 = n.a[2] - n.Y
    return bcast_mul(n.W[2].T * bcast_mul(d2, _sp(n, 2)), _sp(n, 1)) * n.a[0].T


def _check_B1():
    v = sp.Symbol("v", real=True)
    return check(2 * v, sp.diff(v ** 2, v), name=r"\frac{\partial v^2}{\partial v}")


def _check_B2(n):
    shape, d = n.jacobian("dadW", 2)
    v = n.Y - n.a[2]
    rows = [(i, j, k) for i in range(shape[0]) for j in range(shape[1]) for k in range(shape[2])]
    cand = sp.Matrix([-d[r] for r in rows])
    truth = sp.Matrix([sp.diff(v[r[0]], n.W[2][r[1], r[2]]) for r in rows])
    return check(cand, truth, name=r"\frac{\partial v}{\partial w^2}", net=n)


def _check_update(n):
    eta = sp.Symbol("eta", positive=True)
    G = n.dC_dW(1)
    moved = n.C.xreplace({n.W[1][i]: n.W[1][i] - eta * G[i] for i in range(len(G))})
    slope = sp.diff(moved, eta).subs(eta, 0)
    return check(-sum(g ** 2 for g in G), slope, name=r"\left.\frac{d}{d\eta} C(w - \eta \nabla_w C)\right|_{\eta=0}",
                 net=n)


def _check_cost_000():
    n = cached_network((2, 3, 2), None, "generic", 3)
    S = n.samples
    printed = sp.Rational(1, S) * sum(cost_fn(*n.A[n.L][:, s], *n.Y[:, s]) for s in range(S))
    # and the 1/n reaches the gradient: dC/da^L_{js} = (1/n) df/da_j at sample s
    grad = sp.Matrix(n.sizes[-1], S, lambda j, s: cost_grad(j + 1, *n.A[n.L][:, s], *n.Y[:, s]) / S)
    return [check(printed, n.C, name="C", net=n),
            check(grad, n.dC_da(n.L), name=r"\frac{\partial C}{\partial A^{L}}", net=n)]


def _check_cost_001():
    n = cached_network((2, 3, 2), None, "quadratic", 3)
    S = n.samples
    printed = sp.Rational(1, 2 * S) * sum(sum((n.A[n.L][j, s] - n.Y[j, s]) ** 2 for j in range(n.sizes[-1]))
                                          for s in range(S))
    return [check(printed, n.C, name="C", net=n)]


ENTRIES = _entries()


# ----------------------------------------------------------------------------------------------------------------
# running
# ----------------------------------------------------------------------------------------------------------------
def _first_failure(results):
    for r in results:
        if not r.ok:
            return r
    return None


def _safe(fn):
    """Run a check; an exception becomes a failed result naming it (a broken check must never crash the ledger)."""
    try:
        return fn()
    except Exception as exc:  # noqa: BLE001 - reported as a failure, never hidden
        return [CheckResult(False, f"the check raised {type(exc).__name__}: {exc}")]


def run_entry(entry):
    """Run an entry's checks; returns a dict with the status found by running them and whether it is as expected."""
    t0 = time.perf_counter()
    printed = _safe(entry.check)
    bad = _first_failure(printed)
    corrected_ok = None
    diagnosis = ""
    if bad is None:
        status = "verified"
    else:
        diagnosis = bad.message
        if entry.corrected_check is not None:
            fixed = _safe(entry.corrected_check)
            corrected_ok = _first_failure(fixed) is None
            status = "erratum" if corrected_ok else "failed"
            if not corrected_ok:
                diagnosis += " | corrected form fails: " + _first_failure(fixed).message
        else:
            status = "failed"
    as_expected = (status == "erratum") if entry.expect_erratum else (status == "verified")
    return {
        "id": entry.id, "source": entry.source, "label": entry.label, "status": status,
        "explanation": entry.explanation, "notebook": entry.notebook, "why": entry.why,
        "printed": entry.printed, "corrected": entry.corrected, "diagnosis": diagnosis,
        "as_expected": as_expected, "seconds": round(time.perf_counter() - t0, 3),
    }


def run_ledger(entries=None):
    """Run every entry (or the given ones); returns the list of result dicts."""
    return [run_entry(e) for e in (entries if entries is not None else ENTRIES)]


def _table(rows):
    head = f"{'source':<28} {'label':<44} {'verdict':<34} {'s':>6}"
    lines = [head, "-" * len(head)]
    for r in rows:
        verdict = {"verified": "verified", "erratum": "erratum caught and corrected"}.get(r["status"], "FAILED")
        if not r["as_expected"]:
            verdict += " (UNEXPECTED)"
        lines.append(f"{r['source']:<28} {r['label'][:44]:<44} {verdict:<34} {r['seconds']:>6.2f}")
    return "\n".join(lines)


def main(argv):
    """`verify [--json]`: run the ledger, print a table (or JSON), return 0 when every entry is as expected."""
    argv = list(argv)
    if not argv or argv[0] != "verify" or any(a not in ("--json",) for a in argv[1:]):
        print("usage: python -m backprop_lib verify [--json]", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    rows = run_ledger()
    if "--json" in argv:
        keys = ("id", "source", "label", "status", "explanation", "notebook", "why", "diagnosis", "seconds")
        print(json.dumps([{k: r[k] for k in keys} for r in rows], indent=2, ensure_ascii=False))
    else:
        print(_table(rows))
        n_err = sum(r["status"] == "erratum" for r in rows)
        n_ok = sum(r["status"] == "verified" for r in rows)
        print(f"\n{len(rows)} equations: {n_ok} verified, {n_err} errata caught and corrected, "
              f"{sum(not r['as_expected'] for r in rows)} unexpected; {time.perf_counter() - t0:.1f} s")
    return 0 if all(r["as_expected"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
