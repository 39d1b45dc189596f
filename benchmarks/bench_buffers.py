"""Do preallocated buffers buy anything? The textbook batched step against the same step into reused arrays.

The package's training step is the textbook lines (5.1)-(5.5) and the delta rule (4.8), each producing fresh
arrays (MLP.train_step). The alternative kept here, for this measurement only, writes every Z, A, Delta,
sigma', dW and db into arrays allocated once per batch size (np.matmul(..., out=...), in-place sigmoid and
update): the "Workspace" design the package had before. Same arithmetic, same results (checked below).
Decision rule of issue #14: buffers come back only if they win by 1.15x or more at the series' own sizes.

What a fresh array costs depends on the C allocator more than on numpy: glibc hands blocks of 128 KB and more
back to the system when they are freed and faults fresh, zeroed pages in when they are allocated again. So the
table is measured twice, in two processes: with glibc's defaults (what a notebook gets), and with glibc told to
keep freed memory (MALLOC_TRIM_THRESHOLD_ and MALLOC_MMAP_THRESHOLD_ raised), which leaves only the arithmetic.

Each configuration is timed in process CPU time with one BLAS thread (set before numpy starts), as medians of
repeated runs, the two steps interleaved so that a noisy neighbour hits both alike.

    python benchmarks/bench_buffers.py            # the two tables (two or three minutes)
    python benchmarks/bench_buffers.py --quick
"""

import argparse
import json
import os
import subprocess
import sys

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import time  # noqa: E402

import numpy as np  # noqa: E402

from backprop_lib.benchmark import KEEP_FREED_MEMORY, make_problem, median_times  # noqa: E402

NETS = ([784, 30, 10], [784, 100, 10], [784, 512, 512, 10])
BATCHES = (10, 100, 1000)
GOAL = 1.15


class BufferedStep:
    """One sigmoid/quadratic training step whose every intermediate lives in arrays allocated once."""

    def __init__(self, net, m):
        self.net = net
        sizes = net.sizes
        self.Z = [None] + [np.empty((n, m)) for n in sizes[1:]]
        self.A = [None] + [np.empty((n, m)) for n in sizes[1:]]
        self.Delta = [None] + [np.empty((n, m)) for n in sizes[1:]]
        self.S = [None] + [np.empty((n, m)) for n in sizes[1:]]
        self.dW = [None] + [np.empty_like(W) for W in net.W[1:]]
        self.db = [None] + [np.empty_like(b) for b in net.b[1:]]

    @staticmethod
    def _sigmoid(z, out):
        np.negative(z, out=out)
        np.clip(out, -500.0, 500.0, out=out)
        np.exp(out, out=out)
        out += 1.0
        np.reciprocal(out, out=out)

    def __call__(self, X, Y, eta):
        net, L, m = self.net, self.net.L, X.shape[1]
        A = [X] + self.A[1:]
        for l in range(1, L + 1):  # (5.1)
            np.matmul(net.W[l], A[l - 1], out=self.Z[l])
            self.Z[l] += net.b[l]
            self._sigmoid(self.Z[l], out=A[l])
        for l in range(1, L + 1):  # sigma' = a (1 - a), (2.5)
            np.subtract(1.0, A[l], out=self.S[l])
            self.S[l] *= A[l]
        np.subtract(A[L], Y, out=self.Delta[L])  # (5.2), quadratic cost
        self.Delta[L] *= self.S[L]
        for l in range(L - 1, 0, -1):  # (5.3)
            np.matmul(net.W[l + 1].T, self.Delta[l + 1], out=self.Delta[l])
            self.Delta[l] *= self.S[l]
        for l in range(1, L + 1):  # (5.4), (5.5), (4.8)
            np.matmul(self.Delta[l], A[l - 1].T, out=self.dW[l])
            self.dW[l] *= eta / m
            net.W[l] -= self.dW[l]
            np.sum(self.Delta[l], axis=1, keepdims=True, out=self.db[l])
            self.db[l] *= eta / m
            net.b[l] -= self.db[l]


def same_result(sizes, m):
    """The buffered step changes the parameters as the textbook step does (to round-off)."""
    net, X, Y = make_problem(sizes, m)
    twin = net.copy()
    net.train_step(X, Y, 0.5, check=False)
    BufferedStep(twin, m)(X, Y, 0.5)
    return all(np.allclose(net.W[l], twin.W[l], rtol=1e-12, atol=1e-13) for l in range(1, net.L + 1))


def measure(sizes, m, quick):
    """Median CPU seconds per step of the textbook step and the buffered step, interleaved rounds."""
    net, X, Y = make_problem(sizes, m)
    buffered = BufferedStep(net, m)
    eta = 1e-3
    steps = {"textbook": lambda: net.train_step(X, Y, eta, check=False), "buffered": lambda: buffered(X, Y, eta)}
    return median_times(steps, min_seconds=0.02 if quick else 0.05, repeats=3 if quick else 7, clock=time.process_time)


def worker(quick):
    rows = []
    for sizes in NETS:
        for m in BATCHES:
            t = measure(sizes, m, quick)
            rows.append({"sizes": sizes, "m": m, **t, "same": same_result(sizes, m)})
    print(json.dumps(rows))


def run(quick, extra_env):
    cmd = [sys.executable, __file__, "--worker"] + (["--quick"] if quick else [])
    out = subprocess.run(cmd, env=dict(os.environ, **extra_env), capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        worker(args.quick)
        return 0
    print("One sigmoid/quadratic training step, float64, 1 thread, process CPU time, medians.")
    print(f"Buffers would have to win by {GOAL}x (textbook / buffered >= {GOAL}) to come back.")
    runs = {"glibc defaults": run(args.quick, {}), "glibc keeps freed memory": run(args.quick, KEEP_FREED_MEMORY)}
    head = f"{'network':<20}{'m':>6}" + "".join(f"{'textbook ms':>13}{'buffered ms':>13}{'ratio':>7}" for _ in runs)
    print("\n" + " " * 26 + "".join(f"{name:^33}" for name in runs))
    print(head)
    print("-" * len(head))
    worst = {name: 0.0 for name in runs}
    for i, row in enumerate(runs["glibc defaults"]):
        line = f"{str(row['sizes']):<20}{row['m']:>6}"
        for name, rows in runs.items():
            r = rows[i]
            ratio = r["textbook"] / r["buffered"]
            worst[name] = max(worst[name], ratio)
            line += f"{r['textbook'] * 1e3:>13.3f}{r['buffered'] * 1e3:>13.3f}{ratio:>7.2f}"
        print(line + ("" if all(rows[i]["same"] for rows in runs.values()) else "  RESULTS DIFFER"))
    for name, ratio in worst.items():
        print(f"largest textbook/buffered, {name}: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
