"""Forward mode against reverse mode, by the clock: the whole gradient of networks 4-h-h-3 of growing width h.

Three ways to the same gradient, timed side by side (notebooks/08_autodiff.ipynb counts the arithmetic instead):
  reverse   the tape of backprop_lib.autodiff: record the forward pass, run it backwards once
  package   MLP.gradients, the hand-derived batched backpropagation (5.1)-(5.5), for scale
  forward   forward mode on the same tape: one tangent pass per parameter (P passes)
Every figure is the median of several repeats; the ratios forward / reverse and (forward / reverse) / P stand
beside them, next to the same ratio from the tape's operation counts. Wall-clock times on a shared machine swing;
the ratios are the figures to read. One BLAS thread (set before numpy starts), so that the small products are
not split between threads.

    python benchmarks/bench_autodiff.py             # widths 4 to 64 (ten seconds or so)
    python benchmarks/bench_autodiff.py --quick     # fewer repeats, widths up to 32
    python benchmarks/bench_autodiff.py --clock wall
"""

import argparse
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import time  # noqa: E402

import numpy as np  # noqa: E402

from backprop_lib.autodiff import forward_mode_gradient, tape_of  # noqa: E402
from backprop_lib.network import MLP  # noqa: E402

M = 10  # batch size


def median_time(fn, repeats, clock, min_seconds=0.02):
    """Median over `repeats` of the time of one call of fn, each repeat timing enough calls to last min_seconds."""
    fn()  # warm up
    t0, calls = clock(), 0
    while calls == 0 or clock() - t0 < min_seconds:
        fn()
        calls += 1
    inner = calls
    samples = []
    for _ in range(repeats):
        t0 = clock()
        for _ in range(inner):
            fn()
        samples.append((clock() - t0) / inner)
    return float(np.median(samples))


def problem(h, seed=0):
    net = MLP([4, h, h, 3], activation="sigmoid", cost="quadratic", seed=seed)
    rng = np.random.default_rng(seed)
    return net, rng.standard_normal((4, M)), rng.uniform(size=(3, M))


def row(h, repeats, clock):
    net, X, Y = problem(h)
    names = [f"{k}[{l}]" for l in range(1, net.L + 1) for k in "Wb"]

    def reverse():
        return tape_of(net, X, Y).backward()

    def forward():
        tape = tape_of(net, X, Y)
        return forward_mode_gradient(tape, names)

    counted = reverse()
    grads, P = forward_mode_gradient(counted, names)
    for name in names:  # the two modes must agree before they are timed
        if not np.allclose(grads[name], counted.grad(name), rtol=1e-10, atol=1e-13):
            raise SystemExit(f"forward and reverse mode disagree at {name} for h = {h}")
    ops = counted.ops
    counted_ratio = (ops["forward"] + ops["jvp"]) / (ops["forward"] + ops["backward"])
    t_reverse = median_time(reverse, repeats, clock)
    t_package = median_time(lambda: net.gradients(X, Y, check=False), repeats, clock)
    t_forward = median_time(forward, max(1, repeats // 2), clock, min_seconds=0.0)
    return {"h": h, "P": P, "reverse": t_reverse, "package": t_package, "forward": t_forward, "counted": counted_ratio}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer repeats, widths up to 32")
    parser.add_argument(
        "--clock",
        choices=["cpu", "wall"],
        default="cpu",
        help="process CPU time (default, steadier on a shared machine) or wall-clock time",
    )
    args = parser.parse_args()
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    widths = (4, 8, 16, 32) if args.quick else (4, 8, 16, 32, 64)
    repeats = 3 if args.quick else 7
    print(
        f"The whole gradient of networks 4-h-h-3 (sigmoid, quadratic cost), batch of m = {M}, one BLAS thread, "
        f"{'process CPU' if args.clock == 'cpu' else 'wall-clock'} time. Medians of {repeats} repeats "
        f"(forward mode: {max(1, repeats // 2)})."
    )
    head = (
        f"{'h':>4} {'P':>6} {'reverse ms':>11} {'package ms':>11} {'forward ms':>12} "
        f"{'fwd/rev':>9} {'fwd/rev/P':>10} {'counted fwd/rev/P':>18}"
    )
    print(head)
    print("-" * len(head))
    for h in widths:
        r = row(h, repeats, clock)
        ratio = r["forward"] / r["reverse"]
        print(
            f"{r['h']:>4} {r['P']:>6} {1e3 * r['reverse']:>11.3f} {1e3 * r['package']:>11.3f} "
            f"{1e3 * r['forward']:>12.1f} {ratio:>9.0f} {ratio / r['P']:>10.2f} {r['counted'] / r['P']:>18.2f}"
        )
    print(
        "\nfwd/rev grows in proportion to P (equation (8.9)): forward mode pays one pass per parameter. "
        "reverse and package do the same arithmetic; the tape pays for its bookkeeping in Python."
    )


if __name__ == "__main__":
    main()
