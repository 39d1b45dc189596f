"""How the size of the error signal changes with depth: measured layer by layer, bounded, and estimated.

For a batch of m samples (columns) the size of the error signal of layer l is the root mean square over the
samples of its Euclidean length,

    rms_l = sqrt( (1/m) sum_x ||delta^l_x||^2 ) = ||Delta^l||_F / sqrt(m).

One layer back, (9.1) delta^l = D^l (W^{l+1})^T delta^{l+1} with D^l = diag(sigma'(z^l)), so for every sample x

    (9.3)  ||delta^l_x|| <= ||W^{l+1}||_2 * max_k |sigma'(z^l_kx)| * ||delta^{l+1}_x||

(||W||_2 the spectral norm, the largest singular value). With g_l = ||W^{l+1}||_2 * max_{k,x} |sigma'(Z^l_kx)|,
the largest over the batch, rms_l <= g_l rms_{l+1}, and chained from the output layer (9.4)

    rms_l <= g_l g_{l+1} ... g_{L-1} rms_L.

The bound is a guarantee in one direction only. What a layer does *typically* (9.8) is the product of the
weights' average stretch over all directions, ||W^{l+1}||_F / sqrt(n_{l+1}), and the root mean square of
sigma'(Z^l): t_l = ||W^{l+1}||_F / sqrt(n_{l+1}) * rms(sigma'(Z^l)), an estimate, not a bound.
Taught in notebooks/09_depth.ipynb.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .network import MLP
from .verdict import Verdict

__all__ = ["DepthProfile", "depth_profile", "rms_norms"]

# The bound (9.3) is an inequality between floats computed in different orders: it may be off by round-off.
_ROUND_OFF = 1e-9


def rms_norms(Delta):
    """rms_l = ||Delta^l||_F / sqrt(m) for every layer of a padded list of (n_l, m) error signals; entry 0 is nan.

    Delta is what `MLP.gradients(X, Y).delta` holds: Delta[0] is None, Delta[l] is (n_l, m), column x the error
    signal delta^l of sample x. Returns a float array of length L + 1.
    """
    if not isinstance(Delta, (list, tuple)) or len(Delta) < 2 or Delta[0] is not None:
        raise ValueError(
            "Delta must be a padded list [None, Delta[1], ..., Delta[L]] of (n_l, m) arrays, got "
            f"{type(Delta).__name__} {_describe_start(Delta)}"
        )
    out = [np.nan]
    for l, D in enumerate(Delta[1:], start=1):
        D = np.asarray(D, dtype=np.float64)
        if D.ndim != 2 or D.shape[1] < 1:
            raise ValueError(f"Delta[{l}] must be an (n_{l}, m) array with samples as columns, got shape {D.shape}")
        out.append(float(np.linalg.norm(D) / np.sqrt(D.shape[1])))
    return np.array(out)


def _describe_start(Delta):
    if isinstance(Delta, (list, tuple)):
        first = "None" if not Delta or Delta[0] is None else type(Delta[0]).__name__
        return f"of length {len(Delta)} starting with {first}"
    return ""


@dataclass
class DepthProfile:
    """The size of delta^l layer by layer for one network and one batch, with its bound and its estimate.

    Every array has length L + 1 and is indexed by layer; entries that do not exist are nan.
      rms[l]              ||Delta^l||_F / sqrt(m), l = 1..L (measured by backpropagation)
      spectral[l]         ||W^{l+1}||_2, l = 1..L-1 (the largest stretch of (W^{l+1})^T)
      stretch[l]          ||W^{l+1}||_F / sqrt(n_{l+1}) (its average stretch over all directions, (9.8))
      max_sigma_prime[l]  max |sigma'(Z^l)| over the batch; rms_sigma_prime[l] its root mean square
      gain[l]             spectral * max_sigma_prime: the most layer l can multiply rms by (9.3)
      typical_gain[l]     stretch * rms_sigma_prime: what it typically multiplies it by (9.8)
      bound[l]            rms_L * gain[l] * ... * gain[L-1] (9.4); bound[L] = rms[L]
      typical[l]          rms_L * typical_gain[l] * ... * typical_gain[L-1]; typical[L] = rms[L]
      worst[l]            the largest ||delta^l_x|| / (right-hand side of (9.3)) over the samples: at most 1
    """

    sizes: list
    activation: str
    m: int
    rms: np.ndarray
    spectral: np.ndarray
    stretch: np.ndarray
    max_sigma_prime: np.ndarray
    rms_sigma_prime: np.ndarray
    gain: np.ndarray
    typical_gain: np.ndarray
    bound: np.ndarray
    typical: np.ndarray
    worst: np.ndarray

    @property
    def L(self):
        return len(self.sizes) - 1

    @property
    def ratio(self):
        """rms_1 / rms_L: how much smaller the first layer's error signal is than the output layer's."""
        return float(self.rms[1] / self.rms[self.L])

    def bound_holds(self) -> Verdict:
        """A Verdict: (9.3) holds for every sample at every hidden layer (up to round-off), or where it fails."""
        for l in range(1, self.L):
            if not self.worst[l] <= 1 + _ROUND_OFF:
                return Verdict(
                    False,
                    f"✘ (9.3) fails at layer {l}: ||delta^{l}|| is {self.worst[l]:.6g} times its bound for one sample",
                )
        if self.L == 1:
            return Verdict(True, "✔ (9.3) has nothing to bound: the network has no hidden layer")
        top = np.nanmax(self.worst[1 : self.L])
        return Verdict(
            True, f"✔ (9.3) holds at layers 1-{self.L - 1} for all {self.m} samples: at most {top:.2f} of the bound"
        )

    def __str__(self):
        lines = [
            f"{self.activation} network {'-'.join(map(str, self.sizes))}, m = {self.m} samples",
            f"{'l':>3} {'n_l':>5} {'rms ||delta^l||':>16} {'bound (9.4)':>12} {'estimate (9.8)':>15} "
            f"{'gain (9.3)':>11} {'typical gain':>13}",
        ]
        for l in range(1, self.L + 1):
            gain = f"{self.gain[l]:11.2f} {self.typical_gain[l]:13.2f}" if l < self.L else f"{'':>11} {'':>13}"
            lines.append(
                f"{l:>3} {self.sizes[l]:>5} {self.rms[l]:16.2e} {self.bound[l]:12.2e} {self.typical[l]:15.2e} {gain}"
            )
        return "\n".join(lines)

    __repr__ = __str__


def depth_profile(net, X, Y) -> DepthProfile:
    """Measure rms ||delta^l|| layer by layer on the batch (X, Y) and set it beside the bound (9.4) and the
    estimate (9.8). X is (n_0, m) and Y (n_L, m), samples as columns; the network is not changed.
    """
    if not isinstance(net, MLP):
        raise TypeError(f"net must be an MLP, got {type(net).__name__}")
    X, Y = net.check_batch(X, Y)
    L, m = net.L, X.shape[1]
    grads = net.gradients(X, Y)
    Z = net.forward(X).z
    Delta = grads.delta
    nan = np.full(L + 1, np.nan)
    spectral, stretch, max_sp, rms_sp, worst = nan.copy(), nan.copy(), nan.copy(), nan.copy(), nan.copy()
    for l in range(1, L):
        W_next = net.W[l + 1]
        sp_l = np.abs(net.sigma_prime(l, Z[l]))  # |sigma'(Z^l)|, (n_l, m)
        spectral[l] = np.linalg.norm(W_next, 2)
        stretch[l] = np.linalg.norm(W_next) / np.sqrt(W_next.shape[0])
        max_sp[l] = float(np.max(sp_l))
        rms_sp[l] = float(np.sqrt(np.mean(sp_l**2)))
        left = np.linalg.norm(Delta[l], axis=0)  # ||delta^l_x|| for every sample x
        right = spectral[l] * np.max(sp_l, axis=0) * np.linalg.norm(Delta[l + 1], axis=0)  # (9.3), per sample
        with np.errstate(divide="ignore", invalid="ignore"):
            ratios = np.where(right > 0, left / np.where(right > 0, right, 1.0), np.where(left > 0, np.inf, 0.0))
        worst[l] = float(np.max(ratios))
    rms = rms_norms(Delta)
    gain, typical_gain = spectral * max_sp, stretch * rms_sp
    bound, typical = nan.copy(), nan.copy()
    bound[L] = typical[L] = rms[L]
    for l in range(L - 1, 0, -1):
        bound[l] = gain[l] * bound[l + 1]  # (9.4)
        typical[l] = typical_gain[l] * typical[l + 1]
    return DepthProfile(
        list(net.sizes),
        net.activation.name,
        m,
        rms,
        spectral,
        stretch,
        max_sp,
        rms_sp,
        gain,
        typical_gain,
        bound,
        typical,
        worst,
    )
