"""Inside the sandbox: the runner, which executes a submission's notebook, and the judge, which judges records.

`course.sandbox` starts this file as a script, `python -I runner.py run|judge` (isolated mode: this folder is not
on sys.path, the package is imported as installed), inside the sandbox that `course.isolation` builds. The runner
reads one JSON payload on stdin, sets its limits, and only then executes the notebook cell by cell with nbclient,
writing one JSON line per event on stdout: a record of `collect` the moment it is displayed, a cell's error, the
cell it begins, a time limit, a dead kernel. So what a submission earned before a time limit, a dead kernel or a
killed runner has already reached the grader, which treats every line as untrusted data. The judge
(`backprop_lib.course.exercises.judge_record`) runs in a separate process under the same isolation and limits,
because a record is hostile input: it executes no student code, and decides every verdict from plain data.

Only the standard library is imported at module level: the runner starts before anything else is trusted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

__all__ = ["MAX_PAYLOAD", "RECORD_MIME"]

RECORD_MIME = "application/vnd.backprop.record+json"  # the same as course.exercises.RECORD_MIME (tested)
MAX_PAYLOAD = 128 * 2**20  # what the grader sends in: a notebook (at most 20 MB) or records to judge


# ------------------------------------------------------------------------------------------------ the runner
def _set_limits(values: dict) -> None:
    import resource

    table = {
        "cpu": resource.RLIMIT_CPU,
        "as": getattr(resource, "RLIMIT_AS", None),
        "nproc": getattr(resource, "RLIMIT_NPROC", None),
        "fsize": resource.RLIMIT_FSIZE,
        "nofile": resource.RLIMIT_NOFILE,
    }
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    for key, which in table.items():
        value = values.get(key)
        if which is None or value is None:
            continue
        soft = hard = int(value)
        if key == "cpu":
            hard = soft + 5  # SIGXCPU at the soft limit, SIGKILL 5 s later
        try:
            resource.setrlimit(which, (soft, hard))
        except (ValueError, OSError):  # macOS refuses some (RLIMIT_AS); the rest still hold
            pass


def _emit(event: dict) -> None:
    try:
        line = json.dumps(event, allow_nan=False, separators=(",", ":")) + "\n"
    except (TypeError, ValueError):
        return
    data = line.encode("utf-8")
    view = memoryview(data)
    while view:
        view = view[os.write(1, view) :]


def _read_payload() -> dict:
    data = sys.stdin.buffer.read(MAX_PAYLOAD + 1)
    if len(data) > MAX_PAYLOAD:
        raise SystemExit("payload too large")
    return json.loads(data.decode("utf-8"))


def _prepare_home(home: str) -> Path:
    path = Path(home)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chdir(path)
    for var, sub in (
        ("JUPYTER_CONFIG_DIR", ".jupyter"),
        ("JUPYTER_DATA_DIR", ".local/share/jupyter"),
        ("JUPYTER_RUNTIME_DIR", ".local/share/jupyter/runtime"),
        ("IPYTHONDIR", ".ipython"),
        ("MPLCONFIGDIR", ".config/matplotlib"),
    ):
        (path / sub).mkdir(parents=True, exist_ok=True)
        os.environ[var] = str(path / sub)
    return path


def _runner_main() -> int:
    """Inside the sandbox: execute the payload's notebook cell by cell and report events on stdout."""
    payload = _read_payload()
    _set_limits(payload["limits"])
    home = _prepare_home(payload["home"])
    name = Path(str(payload.get("name", "notebook.ipynb"))).name or "notebook.ipynb"
    # nbformat imports jsonschema, whose optional rfc3987 format checker builds a grammar at import (1.8 s);
    # the runner validates nothing, so it goes without it.
    sys.modules.setdefault("rfc3987_syntax", None)
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    nb = nbformat.from_dict(payload["notebook"])
    (home / name).write_text(json.dumps(payload["notebook"]), encoding="utf-8")
    timeout = float(payload["timeout"])

    class Client(NotebookClient):
        """Keeps no output but errors, and passes on each record the moment it is displayed."""

        def output(self, outs, msg, display_id, cell_index):
            kind, content = msg.get("msg_type"), msg.get("content") or {}
            if kind == "error":
                _emit(
                    {
                        "e": "error",
                        "i": cell_index,
                        "ename": str(content.get("ename", ""))[:200],
                        "evalue": str(content.get("evalue", ""))[:2000],
                    }
                )
            elif kind in ("display_data", "execute_result"):
                data = content.get("data") or {}
                if isinstance(data, dict) and RECORD_MIME in data:
                    _emit({"e": "record", "i": cell_index, "record": data[RECORD_MIME]})
            return None

    client = Client(
        nb,
        timeout=int(timeout) + 1,
        kernel_name="python3",
        allow_errors=True,
        interrupt_on_timeout=False,
        shutdown_kernel="immediate",
        record_timing=False,
        resources={"metadata": {"path": str(home)}},
    )
    deadline = time.monotonic() + timeout
    _emit({"e": "start"})
    devnull = subprocess.DEVNULL
    try:
        with client.setup_kernel(stdin=devnull, stdout=devnull, stderr=devnull):
            _emit({"e": "kernel"})
            deadline = time.monotonic() + timeout
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    _emit({"e": "timeout", "i": index})
                    return 0
                client.timeout = max(1, int(remaining + 0.999))
                _emit({"e": "begin", "i": index})
                try:
                    client.execute_cell(cell, index, store_history=True)
                except CellTimeoutError:
                    _emit({"e": "timeout", "i": index})
                    return 0
                cell.outputs = []
    except DeadKernelError:
        _emit({"e": "dead"})
        return 0
    _emit({"e": "done"})
    return 0


def _judge_main() -> int:
    """Inside the sandbox: judge each [id, record] of the payload; one event per exercise, as it is decided."""
    payload = _read_payload()
    _set_limits(payload["limits"])
    _prepare_home(payload["home"])
    from backprop_lib.course.exercises import judge_record

    _emit({"e": "start"})
    for exercise_id, record in payload["records"]:
        _emit({"e": "judging", "exercise": exercise_id})
        try:
            verdict = judge_record(exercise_id, record)
            _emit({"e": "judged", "exercise": exercise_id, "status": verdict.status, "message": verdict.message})
        except Exception as exc:  # noqa: BLE001 - one bad record must not cost the other exercises
            _emit(
                {
                    "e": "judged",
                    "exercise": exercise_id,
                    "status": "failed",
                    "message": f"the record could not be judged ({type(exc).__name__})",
                }
            )
    _emit({"e": "done"})
    return 0


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "run":
        sys.exit(_runner_main())
    if mode == "judge":
        sys.exit(_judge_main())
    sys.exit(f"usage: {Path(__file__).name} run|judge  (started by the grader, payload on stdin)")
