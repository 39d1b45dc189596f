"""Running a submission where it can harm nothing: the runner and the judge started in a sandbox, and their events.

The grader never executes a student's code itself. It hands the notebook to run (the submission's code cells,
its check cells replaced by `collect`) to `run_notebook`, which starts a *runner* (`course/runner.py`, run as a
script) in the sandbox `course.isolation` builds (bubblewrap, a fresh unprivileged uid, no network, limits), sends
it one JSON payload on stdin and reads one JSON line per event on stdout, each passed on as it arrives. Every line
is untrusted data, read up to a fixed size. `judge` starts the judge the same way, under the same isolation and
limits. A run that outlives its time is killed with its whole process group; `stop_all` ends every run at once.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import runner
from .isolation import SANDBOX_HOME, Isolation, Limits, _bwrap_argv, _environment, _fresh_uid

__all__ = ["RunResult", "allow_runs", "judge", "run_notebook", "stop_all"]

RUNNER = Path(runner.__file__).resolve()  # run as a script inside the sandbox
MAX_LINE = 40 * 2**20  # one event line from the sandbox (a record is at most 32 MB of JSON)
MAX_OUTPUT = 256 * 2**20  # all event lines of one run


@dataclass
class RunResult:
    """What came out of one sandboxed run: event dicts (untrusted), how it ended, seconds, stderr's tail."""

    events: list = field(default_factory=list)
    ended: str = "done"  # "done", "timeout" (the runner's), "killed" (the grader's hard limit), "exited"
    returncode: int | None = None
    seconds: float = 0.0
    stderr: str = ""
    overflow: bool = False


# ------------------------------------------------------------------------------------------------ running
def _start(isolation: Isolation, limits: Limits, mode_args: list[str], scratch: Path | None):
    """Popen of the runner (or judge) under `isolation`; scratch is the throw-away directory of mode none."""
    if _STOPPING.is_set():
        raise RuntimeError("grading was interrupted")
    command = [sys.executable, "-I", str(RUNNER), *mode_args]
    if isolation.isolated:
        argv = _bwrap_argv(isolation, _fresh_uid(), limits, command)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        cwd = "/"
    else:
        argv, cwd = command, str(scratch)
        env = _environment(str(scratch), path=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}")
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd,
        env=env,
        start_new_session=True,
        close_fds=True,
    )
    with _LIVE_LOCK:
        _LIVE.add(proc)
    return proc


_LIVE: set = set()
_LIVE_LOCK = threading.Lock()
_STOPPING = threading.Event()


def allow_runs() -> None:
    """Let runs start again after `stop_all` (a new class run in the same process)."""
    _STOPPING.clear()


def stop_all() -> None:
    """Kill every run still going and start no new one (the grader was interrupted); each sandbox dies with it."""
    _STOPPING.set()
    with _LIVE_LOCK:
        running = list(_LIVE)
    for proc in running:
        _kill(proc)


def _kill(proc) -> None:
    """End a run: its whole process group (bwrap and, through --die-with-parent, the sandbox's PID namespace)."""
    import signal

    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.kill()
    except ProcessLookupError:
        pass


def _exchange(proc, payload: bytes, wall: float, on_event=None, watchdog=None) -> RunResult:
    """Send the payload, read event lines until the process ends or `wall` seconds pass (or `watchdog()` says
    so); kill it then."""
    result = RunResult()
    started = time.monotonic()
    tail = bytearray()

    def drain_stderr():
        for chunk in iter(lambda: proc.stderr.read(4096), b""):
            tail.extend(chunk)
            del tail[:-8192]

    def feed():
        try:
            proc.stdin.write(payload)
            proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass

    def read_events():
        total, pending, skipping = 0, bytearray(), False
        for chunk in iter(lambda: proc.stdout.read1(1 << 16), b""):
            total += len(chunk)
            if total > MAX_OUTPUT:
                result.overflow = True
                _kill(proc)
                return
            pending.extend(chunk)
            while True:
                cut = pending.find(b"\n")
                if cut < 0:
                    if len(pending) > MAX_LINE:
                        pending.clear()
                        skipping = True
                    break
                line = bytes(pending[:cut])
                del pending[: cut + 1]
                if skipping:
                    skipping = False
                    continue
                event = _parse_event(line)
                if event is not None:
                    result.events.append(event)
                    if on_event is not None:
                        on_event(event)

    threads = [threading.Thread(target=f, daemon=True) for f in (drain_stderr, feed, read_events)]
    for t in threads:
        t.start()
    deadline = started + wall
    result.ended = "exited"
    while proc.poll() is None:
        if time.monotonic() > deadline or (watchdog is not None and watchdog()):
            result.ended = "killed" if time.monotonic() > deadline else "watchdog"
            _kill(proc)
            proc.wait()
            break
        try:
            proc.wait(timeout=0.2)
        except subprocess.TimeoutExpired:
            pass
    _kill(proc)  # anything the run left behind in its process group
    for t in threads:
        t.join(timeout=10)
    with _LIVE_LOCK:
        _LIVE.discard(proc)
    result.returncode = proc.returncode
    result.seconds = time.monotonic() - started
    result.stderr = tail.decode("utf-8", "replace")[-2000:]
    if result.ended == "exited" and result.returncode == 0:  # a killed runner cannot claim to be done
        last = next((e.get("e") for e in reversed(result.events) if e.get("e") in ("done", "timeout", "dead")), None)
        result.ended = {"done": "done", "timeout": "timeout", "dead": "dead"}.get(last, "exited")
    return result


def _parse_event(line: bytes):
    """One event line: a JSON object with a string field "e", parsed strictly; None when it is not one."""

    def no_constants(name):
        raise ValueError(name)

    try:
        event = json.loads(line.decode("utf-8"), parse_constant=no_constants)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if isinstance(event, dict) and isinstance(event.get("e"), str):
        return event
    return None


def run_notebook(
    notebook: dict, name: str, timeout: float, isolation: Isolation, limits: Limits | None = None, on_event=None
) -> RunResult:
    """Execute `notebook` (an nbformat v4 dict) as `name` under `isolation`; the events it produced.

    `timeout` bounds the cells' execution (the runner stops at it); the grader kills the run 30 s later if the
    runner has not stopped by then. The throw-away directory of isolation "none" is removed afterwards.
    """
    limits = limits or Limits()
    scratch = None if isolation.isolated else Path(_mkdtemp())
    home = SANDBOX_HOME if isolation.isolated else str(scratch)
    payload = json.dumps(
        {
            "notebook": notebook,
            "name": name,
            "timeout": timeout,
            "home": home,
            "limits": _limit_values(limits, timeout, isolation),
        }
    ).encode("utf-8")
    try:
        proc = _start(isolation, limits, ["run"], scratch)
        return _exchange(proc, payload, timeout + 30, on_event)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def judge(records: list, isolation: Isolation, limits: Limits | None = None, per_exercise: float = 60.0) -> RunResult:
    """Judge `records` ([[exercise id, record or None], ...]) in a fresh process under `isolation`.

    The judge executes no student code, but a record is hostile data (an expression can be built to take
    forever), so it runs with the same limits and is ended when one exercise takes more than `per_exercise`
    seconds (`ended` "watchdog"). One event per exercise: {"e": "judged", "exercise": ..., "status", "message"}.
    """
    limits = limits or Limits()
    scratch = None if isolation.isolated else Path(_mkdtemp())
    home = SANDBOX_HOME if isolation.isolated else str(scratch)
    budget = per_exercise * (len(records) + 1)
    payload = json.dumps({"records": records, "home": home, "limits": _limit_values(limits, budget, isolation)}).encode(
        "utf-8"
    )
    progress = {"at": time.monotonic()}

    def moved(event):
        progress["at"] = time.monotonic()

    try:
        proc = _start(isolation, limits, ["judge"], scratch)
        return _exchange(
            proc,
            payload,
            budget + 30,
            on_event=moved,
            watchdog=lambda: time.monotonic() - progress["at"] > per_exercise,
        )
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def _mkdtemp() -> str:
    import tempfile

    return tempfile.mkdtemp(prefix="backprop-grade-")


def _limit_values(limits: Limits, timeout: float, isolation: Isolation) -> dict:
    return {
        "cpu": limits.cpu_seconds or int(timeout) + 10,
        "as": limits.memory_bytes,
        "nproc": limits.processes if isolation.isolated else None,
        "fsize": limits.file_bytes,
        "nofile": limits.open_files,
    }
