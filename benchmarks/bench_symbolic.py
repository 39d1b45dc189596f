"""Reach of the symbolic engine: a full check (truth and comparison) on networks of growing size, in seconds.

A full check builds a fresh SymbolicNetwork (undefined σ, generic cost, one sample: nothing cached), derives the
truth ∂C/∂W^1 by differentiating the composed network, builds the candidate by the backward recursion
(δ^L = ∇_a C ⊙ σ′(z^L), δ^l = (W^{l+1})^T δ^{l+1} ⊙ σ′(z^l), ∂C/∂W^1 = δ^1 (a^0)^T) and checks it: random
points, then the symbolic proof. "all layers" checks every ∂C/∂W^l and ∂C/∂b^l the same way. Goals (issue 12):
5-8-8-4 under 2 s and 8-10-10-6 under 10 s. With --baseline the truth is also derived by plain sympy.diff of
the composed cost (the engine before derivative.py) on the smaller networks, for the ratio.
Every size runs in its own process (no shared SymPy cache); figures are medians of wall-clock time.

    python benchmarks/bench_symbolic.py              # the table (a minute)
    python benchmarks/bench_symbolic.py --quick      # one repeat per size
    python benchmarks/bench_symbolic.py --baseline   # adds sympy.diff's time for the truth (4-5-5-3 and smaller)
"""

import argparse
import json
import statistics
import subprocess
import sys
import time

SIZES = ((2, 3, 2), (4, 5, 5, 3), (5, 8, 8, 4), (8, 10, 10, 6))
GOALS = {(5, 8, 8, 4): 2.0, (8, 10, 10, 6): 10.0}
BASELINE_UP_TO = 80  # parameters (4-5-5-3 has 73): plain sympy.diff beyond this takes 10 s to minutes


def recursion_candidates(n):
    """δ^l by the backward recursion (3.2) from ∇_a C, and ∂C/∂W^l = δ^l (a^{l-1})^T, ∂C/∂b^l = δ^l."""
    from backprop_lib.symbolic import hadamard

    delta = {n.L: hadamard(n.grad_a_C(), n.sigma_prime_of(n.z[n.L]))}
    for l in range(n.L - 1, 0, -1):
        delta[l] = hadamard(n.W[l + 1].T * delta[l + 1], n.sigma_prime_of(n.z[l]))
    return {l: delta[l] * n.a[l - 1].T for l in delta}, delta


def full_check(sizes, every_layer):
    from backprop_lib.symbolic import SymbolicNetwork, check

    t0 = time.perf_counter()
    n = SymbolicNetwork(list(sizes))
    dW, db = recursion_candidates(n)
    layers = range(1, n.L + 1) if every_layer else (1,)
    ok = all(check(dW[l], n.dC_dW(l), net=n).ok for l in layers)
    if every_layer:
        ok = ok and all(check(db[l], n.dC_db(l), net=n).ok for l in layers)
    if not ok:
        raise SystemExit(f"the recursion did not check on {sizes}: the engine is broken")
    return time.perf_counter() - t0


def baseline_truth(sizes):
    """∂C/∂W^1 by sympy.diff of the composed cost, entry by entry (how the truth was derived before)."""
    import sympy as sp

    from backprop_lib.symbolic import SymbolicNetwork

    t0 = time.perf_counter()
    n = SymbolicNetwork(list(sizes))
    n.W[1].applyfunc(lambda w: sp.diff(n.C, w))
    return time.perf_counter() - t0


def worker(sizes, repeats, baseline):
    row = {"sizes": list(sizes)}
    row["dW1"] = statistics.median(full_check(sizes, False) for _ in range(repeats))
    row["all"] = statistics.median(full_check(sizes, True) for _ in range(repeats))
    params = sum(a * b + a for a, b in zip(sizes[1:], sizes[:-1]))
    if baseline and params <= BASELINE_UP_TO:
        row["sympy_diff_truth"] = statistics.median(baseline_truth(sizes) for _ in range(repeats))
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--baseline", action="store_true")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        sizes, repeats, baseline = json.loads(args.worker)
        print(json.dumps(worker(tuple(sizes), repeats, baseline)))
        return 0
    repeats = 1 if args.quick else 3
    print(f"{'network':<12} {'dW^1 check':>11} {'all layers':>11} {'goal':>6} {'sympy.diff truth':>17} {'ratio':>6}")
    failed = False
    for sizes in SIZES:
        out = subprocess.run(
            [sys.executable, __file__, "--worker", json.dumps([sizes, repeats, args.baseline])],
            capture_output=True,
            text=True,
            check=True,
        )
        row = json.loads(out.stdout)
        goal = GOALS.get(tuple(sizes))
        base = row.get("sympy_diff_truth")
        ratio = f"{base / row['dW1']:5.1f}x" if base else ""
        print(
            f"{'-'.join(map(str, sizes)):<12} {row['dW1']:10.2f}s {row['all']:10.2f}s "
            f"{f'{goal:.0f} s' if goal else '':>6} {f'{base:.2f}s' if base else '':>17} {ratio:>6}"
        )
        failed |= bool(goal and row["dW1"] > goal)
    print("medians of", repeats, "run(s); ratio = sympy.diff's truth alone / the engine's whole check")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
