"""Mutation testing of backprop_lib with mutmut: do the tests catch wrong behaviour? (issue #13)

mutmut changes the code one small edit at a time (a + for a -, 1e-7 for 1e-8, a dropped line, ...) and runs the
tests that reach the changed function; a mutant the tests do not notice "survives". The score of a scope is
killed / (mutants - equivalent): mutation/SURVIVORS.md lists every mutant judged equivalent (it cannot change
behaviour) with the reason, and this script reads the names from there.

    python mutation/run.py                   # the numeric core (network, activations, costs, gradcheck, ...)
    python mutation/run.py symbolic          # the proof engine: check.py and index.py and their parts
    python mutation/run.py numeric --jobs 1  # fewer parallel test processes (default 2)
    python mutation/run.py --modules costs   # one module of the scope
    make mutation MUTATE=symbolic            # the same through make

The run happens in a scratch copy of the repository (MUTATION_DIR, default $TMPDIR/backprop_lib-mutation), so
the work tree never gets mutmut's mutants/ folder; `mutmut results` and `mutmut show NAME` work there afterwards.
Not part of `make test`. The numeric core (about 1,800 mutants) takes about 5 minutes with one job; the
proof engine (about 2,900 mutants, each in a process that redoes its SymPy work) about an hour with two.
"""

import argparse
import configparser
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SURVIVORS = ROOT / "mutation" / "SURVIVORS.md"

# Each scope: the modules mutated, the fast tests that judge them, and the goal of issue #13.
SCOPES = {
    "numeric": {
        "modules": ["network", "activations", "costs", "gradcheck", "feedback", "validation", "training"],
        "tests": [
            "test_core_activations_costs",
            "test_core_compare",
            "test_core_contracts",
            "test_core_falsifiability",
            "test_core_network",
            "test_core_pins",
            "test_core_properties",
            "test_bad_input",
            "test_training_pins",
        ],
        "goal": 0.90,
    },
    "symbolic": {
        # check.py and index.py as issue #13 named them, now split by concern: the checks and what they
        # evaluate, diagnose and prove (check, evaluate, poly, diagnose); the index notation (index, notation,
        # index_diagnose, index_proof, einsum).
        "modules": [
            "symbolic/check",
            "symbolic/evaluate",
            "symbolic/poly",
            "symbolic/diagnose",
            "symbolic/index",
            "symbolic/notation",
            "symbolic/index_diagnose",
            "symbolic/index_proof",
            "symbolic/einsum",
        ],
        "tests": ["test_symbolic_*"],
        "goal": 0.85,
        # mutmut's time limit is (the tests' own call time + constant) x multiplier: SymPy's caches and the test
        # networks are built afresh in every mutant's process, seconds that the call times do not include
        "timeout_constant": "20.0",
        "timeout_multiplier": "2.0",
    },
}
KILLED = {"killed", "timeout", "segfault"}  # a mutant that crashes or hangs the tests is caught too
COPIED = ["backprop_lib", "data", "pyproject.toml", "tests/conftest.py", "tests/sanitize.cfg"]


def test_files(scope):
    """The scope's test files, relative to the repository (a name may be a glob: test_symbolic_*)."""
    return sorted(str(p.relative_to(ROOT)) for t in scope["tests"] for p in (ROOT / "tests").glob(f"{t}.py"))


def write_config(scratch, scope):
    cfg = configparser.ConfigParser()
    cfg["mutmut"] = {
        "source_paths": "backprop_lib",
        "only_mutate": "\n" + "\n".join(f"backprop_lib/{m}.py" for m in scope["modules"]),
        "pytest_add_cli_args_test_selection": "\n" + "\n".join(test_files(scope)),
        "pytest_add_cli_args": "\n-x\n-q",
        "also_copy": "\ndata",
        "timeout_constant": scope.get("timeout_constant", "1.0"),
        "timeout_multiplier": scope.get("timeout_multiplier", "10.0"),
        # one server process imports pytest, the tests and SymPy once and forks a child per mutant: without it
        # every child imports SymPy and collects the tests again, seconds per mutant for the proof engine
        "process_isolation": "forkserver",
        "forkserver_warmup": "collect",
    }
    with open(scratch / "setup.cfg", "w") as handle:
        cfg.write(handle)


def prepare(scratch, scope):
    if scratch.exists():
        shutil.rmtree(scratch)
    scratch.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    (scratch / "tests").mkdir()
    for name in COPIED + test_files(scope):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, scratch / name, ignore=ignore)
        else:
            shutil.copy2(src, scratch / name)
    write_config(scratch, scope)


def equivalent_mutants():
    """Names of the mutants judged equivalent: the first `code` cell of each table row of SURVIVORS.md."""
    if not SURVIVORS.is_file():
        return {}
    found = {}
    for line in SURVIVORS.read_text().splitlines():
        m = re.match(r"\|\s*`([\w.ǁ]+__mutmut_\d+)`\s*\|(.*)\|\s*$", line)
        if m:
            found[m.group(1)] = m.group(2).strip()
    return found


def module_of(name):
    # backprop_lib.network.xǁMLPǁforward__mutmut_3 -> network
    # backprop_lib.symbolic.check.x_check__mutmut_1 -> symbolic/check
    dotted = name.split(".x")[0] if ".x" in name else name.rsplit(".", 1)[0]
    return dotted.removeprefix("backprop_lib.").replace(".", "/")


def results(scratch, mutmut):
    out = subprocess.run(
        [mutmut, "results", "--all", "true"], cwd=scratch, capture_output=True, text=True, check=True
    ).stdout
    found = {}
    for line in out.splitlines():
        m = re.match(r"\s*(\S+__mutmut_\d+): (.+?)\s*$", line)
        if m:
            found[m.group(1)] = m.group(2)
    return found


def report(statuses, scope, equivalent):
    by_module = defaultdict(Counter)
    survivors = []
    for name, status in sorted(statuses.items()):
        module = module_of(name)
        if name in equivalent:
            by_module[module]["equivalent"] += 1
            continue
        by_module[module]["total"] += 1
        if status in KILLED:
            by_module[module]["killed"] += 1
        else:
            survivors.append((name, status))
    print(f"\n{'module':<26}{'mutants':>8}{'equivalent':>11}{'killed':>8}{'score':>8}")
    total = Counter()
    for module in scope["modules"]:
        c = by_module[module]
        total.update(c)
        n = c["total"]
        print(
            f"{module:<26}{n + c['equivalent']:>8}{c['equivalent']:>11}{c['killed']:>8}"
            f"{(c['killed'] / n if n else 1.0):>8.1%}"
        )
    score = total["killed"] / total["total"] if total["total"] else 1.0
    print(
        f"{'all':<26}{total['total'] + total['equivalent']:>8}{total['equivalent']:>11}{total['killed']:>8}"
        f"{score:>8.1%}   (goal {scope['goal']:.0%} of the non-equivalent mutants killed)"
    )
    if survivors:
        print(
            f"\n{len(survivors)} surviving mutants not judged equivalent in {SURVIVORS.name} "
            "(inspect one with `mutmut show NAME` in the scratch folder):"
        )
        for name, status in survivors:
            print(f"  {name}: {status}")
    return score


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("scope", nargs="?", default="numeric", choices=sorted(SCOPES))
    p.add_argument("--jobs", type=int, default=2, help="parallel test processes (default 2)")
    p.add_argument("--modules", help="mutate only these modules of the scope, comma-separated (e.g. costs,training)")
    p.add_argument(
        "--tests", help="judge with these test files instead, comma-separated names or globs (test_x,test_y*)"
    )
    p.add_argument("--mutants", help="run only the mutants whose names match these globs, comma-separated")
    p.add_argument("--report-only", action="store_true", help="score the last run in the scratch folder again")
    args = p.parse_args()
    scope = dict(SCOPES[args.scope])
    if args.modules:
        chosen = args.modules.split(",")
        unknown = sorted(set(chosen) - set(scope["modules"]))
        if unknown:
            p.error(f"--modules: {', '.join(unknown)} not in the {args.scope} scope ({', '.join(scope['modules'])})")
        scope["modules"] = chosen
    if args.tests:
        scope["tests"] = args.tests.split(",")
        if not test_files(scope):
            p.error(f"--tests: no file tests/NAME.py matches {args.tests}")
    scratch = Path(os.environ.get("MUTATION_DIR", Path(tempfile.gettempdir()) / "backprop_lib-mutation")).resolve()
    mutmut = shutil.which("mutmut", path=str(Path(sys.executable).parent)) or shutil.which("mutmut")
    if mutmut is None:
        sys.exit("mutmut is not installed: pip install -r requirements.txt")
    if not args.report_only:
        prepare(scratch, scope)
        print(f"mutating {', '.join(scope['modules'])} in {scratch} with {args.jobs} job(s)", flush=True)
        env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
        names = args.mutants.split(",") if args.mutants else []
        run = subprocess.run([mutmut, "run", "--max-children", str(args.jobs), *names], cwd=scratch, env=env)
        if run.returncode not in (0, 1):
            sys.exit(f"mutmut run failed with exit code {run.returncode}")
    score = report(results(scratch, mutmut), scope, equivalent_mutants())
    return 0 if score >= scope["goal"] else 1


if __name__ == "__main__":
    sys.exit(main())
