"""Timing one training step three ways: the per-sample loop, the batched matrix form, and the GEMM floor.

A training step is forward pass, backward pass and update. The "GEMM floor" does only the matrix products the
batched step cannot avoid (W[l] @ A[l-1], W[l+1].T @ Delta[l+1], Delta[l] @ A[l-1].T), into preallocated
outputs: no step can be faster, so batched / floor says how much the rest of the step costs.
Used by benchmarks/bench_backprop.py (the full table) and notebooks/05_batching.ipynb (the plot).
"""

import time

import numpy as np

from .network import MLP

# Environment for a process whose glibc keeps the memory numpy frees: by default glibc hands blocks of 128 KB and
# more back to the system when they are freed and faults fresh zeroed pages in when they are allocated again, a
# cost of the allocator, not of the arithmetic. The benchmarks measure with and without it.
KEEP_FREED_MEMORY = {"MALLOC_TRIM_THRESHOLD_": str(1 << 30), "MALLOC_MMAP_THRESHOLD_": str(1 << 28)}


def _calls_per_sample(fn, min_seconds, clock):
    """How many calls of fn make one timing sample last about min_seconds (after a warm-up call)."""
    fn()  # warm up: first-call allocations, BLAS thread start-up
    calls, t0 = 0, clock()
    while clock() - t0 < min_seconds / 5 or calls == 0:
        fn()
        calls += 1
    per_call = (clock() - t0) / calls
    return max(1, int(min_seconds / max(per_call, 1e-9)))


def median_times(fns, min_seconds=0.05, repeats=7, clock=time.perf_counter):
    """Median over `repeats` of the time of one call of each function in the dict fns.

    The functions take turns within every repeat, so a change of load on a shared machine falls on all of them
    alike and their ratios stay put even when the absolute times drift.
    """
    inner = {name: _calls_per_sample(fn, min_seconds, clock) for name, fn in fns.items()}
    samples = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            t0 = clock()
            for _ in range(inner[name]):
                fn()
            samples[name].append((clock() - t0) / inner[name])
    return {name: float(np.median(s)) for name, s in samples.items()}


def make_problem(sizes, m, seed=0):
    """A sigmoid/quadratic MLP and a random batch (X, Y) of m columns, as in MNIST (inputs in [0, 1], one-hot Y)."""
    rng = np.random.default_rng(seed)
    net = MLP(sizes, activation="sigmoid", cost="quadratic", seed=seed)
    X = rng.random((sizes[0], m))
    Y = np.eye(sizes[-1])[:, rng.integers(0, sizes[-1], m)]
    return net, X, Y


def step_functions(net, X, Y, eta=1e-3):
    """The three steps to time, as zero-argument functions: {"per_sample", "batched", "floor"}.

    eta is small so that repeating the step thousands of times leaves the network in its working range.
    """

    def per_sample():
        net.update(net.gradients(X, Y, method="per_sample", check=False), eta)

    def batched():
        net.train_step(X, Y, eta, check=False)

    L, m = net.L, X.shape[1]
    rng = np.random.default_rng(1)
    A = [X] + [rng.random((n, m)) for n in net.sizes[1:]]
    Delta = [None] + [rng.standard_normal((n, m)) for n in net.sizes[1:]]
    Z_out = [None] + [np.empty((n, m)) for n in net.sizes[1:]]
    back_out = [None] + [np.empty((n, m)) for n in net.sizes[1:]]
    dW_out = [None] + [np.empty_like(W) for W in net.W[1:]]

    def floor():
        for l in range(1, L + 1):
            np.matmul(net.W[l], A[l - 1], out=Z_out[l])
        for l in range(L - 1, 0, -1):
            np.matmul(net.W[l + 1].T, Delta[l + 1], out=back_out[l])
        for l in range(1, L + 1):
            np.matmul(Delta[l], A[l - 1].T, out=dW_out[l])

    return {"per_sample": per_sample, "batched": batched, "floor": floor}


def time_step(
    sizes, m, methods=("per_sample", "batched", "floor"), clock=time.perf_counter, min_seconds=0.05, repeats=7
):
    """Median seconds of one training step for each method, on a fresh problem of the given sizes and batch m."""
    net, X, Y = make_problem(sizes, m)
    fns = step_functions(net, X, Y)
    return median_times({name: fns[name] for name in methods}, min_seconds=min_seconds, repeats=repeats, clock=clock)
