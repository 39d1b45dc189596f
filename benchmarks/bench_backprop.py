"""Speed of one training step (forward, backward, update): the per-sample loop, the batched matrix form, and the
GEMM floor (only the matrix products the batched step must do), side by side in one run; PyTorch's CPU autograd
on the same step too when torch happens to be installed (never a dependency).

Every configuration runs in its own process, so that the thread count is set before numpy (or torch) starts
and two thread pools never fight. On a shared machine wall-clock times swing widely: the stable figures are the
ratios measured with one thread and process CPU time; two threads are reported in wall-clock time as well.
All figures are medians.

    python benchmarks/bench_backprop.py            # the full table (a minute or two)
    python benchmarks/bench_backprop.py --quick    # fewer repeats
"""

import argparse
import json
import os
import subprocess
import sys
import time

from backprop_lib.benchmark import KEEP_FREED_MEMORY

NETS = ([784, 30, 10], [784, 100, 10], [784, 512, 512, 10])
BATCHES = (10, 100, 1000)
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def worker(threads, clock_name, quick):
    from backprop_lib.benchmark import time_step

    clock = time.process_time if clock_name == "cpu" else time.perf_counter
    rows = []
    for sizes in NETS:
        for m in BATCHES:
            methods = ["batched", "floor"]
            # the per-sample loop on the big net at m = 1000 takes seconds a step: time it with fewer repeats
            t = time_step(
                sizes, m, methods=methods, clock=clock, min_seconds=0.02 if quick else 0.05, repeats=3 if quick else 7
            )
            t.update(
                time_step(sizes, m, methods=["per_sample"], clock=clock, min_seconds=0.0, repeats=1 if quick else 3)
            )
            rows.append({"sizes": sizes, "m": m, **t})
    return rows


def torch_worker(threads, quick):
    import torch

    torch.set_num_threads(threads)
    rows = []
    for sizes in NETS:
        for m in BATCHES:
            g = torch.Generator().manual_seed(0)
            W = [torch.randn(n, k, generator=g, dtype=torch.float64) / k**0.5 for k, n in zip(sizes, sizes[1:])]
            b = [torch.randn(n, 1, generator=g, dtype=torch.float64) for n in sizes[1:]]
            for p in W + b:
                p.requires_grad_(True)
            X = torch.rand(sizes[0], m, generator=g, dtype=torch.float64)
            Y = torch.eye(sizes[-1], dtype=torch.float64)[:, torch.randint(0, sizes[-1], (m,), generator=g)]

            def step(W=W, b=b, X=X, Y=Y, m=m):  # bound now: timed before the next configuration
                a = X
                for Wl, bl in zip(W, b):
                    a = torch.sigmoid(Wl @ a + bl)
                C = 0.5 * ((a - Y) ** 2).sum() / m
                C.backward()
                with torch.no_grad():
                    for p in W + b:
                        p -= 1e-3 * p.grad
                        p.grad = None

            from backprop_lib.benchmark import median_times

            rows.append(
                {
                    "sizes": sizes,
                    "m": m,
                    "torch": median_times(
                        {"torch": step}, min_seconds=0.02 if quick else 0.05, repeats=3 if quick else 7
                    )["torch"],
                }
            )
    return rows


def run(kind, threads, clock, quick, extra_env=None):
    env = dict(os.environ, **{v: str(threads) for v in THREAD_VARS}, **(extra_env or {}))
    cmd = [sys.executable, __file__, "--worker", kind, "--threads", str(threads), "--clock", clock]
    if quick:
        cmd.append("--quick")
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        if kind == "torch" and "No module named 'torch'" in out.stderr:
            return None
        raise RuntimeError(out.stderr)
    return json.loads(out.stdout)


def fmt(seconds):
    return f"{seconds * 1e3:9.3f}"


def table(title, rows, torch_rows, kept_rows=None):
    print(f"\n{title}")
    head = (
        f"{'network':<20}{'m':>6} {'loop ms':>9} {'batch ms':>9} {'floor ms':>9} {'loop/batch':>11} {'batch/floor':>12}"
    )
    if kept_rows:
        head += f" {'b/f, kept':>10}"
    if torch_rows:
        head += f" {'torch ms':>9} {'torch/batch':>12}"
    print(head)
    print("-" * len(head))
    for i, r in enumerate(rows):
        line = (
            f"{str(r['sizes']):<20}{r['m']:>6} {fmt(r['per_sample'])} {fmt(r['batched'])} {fmt(r['floor'])} "
            f"{r['per_sample'] / r['batched']:>11.1f} {r['batched'] / r['floor']:>12.2f}"
        )
        if kept_rows:
            line += f" {kept_rows[i]['batched'] / kept_rows[i]['floor']:>10.2f}"
        if torch_rows:
            t = torch_rows[i]["torch"]
            line += f" {fmt(t)} {t / r['batched']:>12.2f}"
        print(line)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--worker", choices=["numpy", "torch"])
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--clock", choices=["cpu", "wall"], default="cpu")
    p.add_argument("--quick", action="store_true")
    args = p.parse_args()
    if args.worker == "numpy":
        print(json.dumps(worker(args.threads, args.clock, args.quick)))
        return
    if args.worker == "torch":
        print(json.dumps(torch_worker(args.threads, args.quick)))
        return
    print("One training step (forward, backward, update), sigmoid + quadratic cost, float64. Medians.")
    print("Goal: batch/floor <= 1.2 at m >= 100 and <= 1.6 at m = 10.")
    for threads, clock in ((1, "cpu"), (2, "wall")):
        rows = run("numpy", threads, clock, args.quick)
        kept_rows = run("numpy", threads, clock, args.quick, KEEP_FREED_MEMORY) if clock == "cpu" else None
        torch_rows = run("torch", threads, clock, args.quick)
        label = "process CPU time" if clock == "cpu" else "wall-clock time"
        table(f"{threads} thread{'s' if threads > 1 else ''}, {label}:", rows, torch_rows, kept_rows)
    print(
        "\nb/f, kept: batch/floor in a process whose glibc keeps freed memory (MALLOC_TRIM_THRESHOLD_ and\n"
        "MALLOC_MMAP_THRESHOLD_ raised): the step's arithmetic without the page faults of fresh large arrays."
    )
    print("(torch columns appear only when torch is installed; it is never a dependency.)")


if __name__ == "__main__":
    main()
