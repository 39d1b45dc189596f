"""Running a submission where it can harm nothing: bubblewrap, a fresh unprivileged uid, limits, and the runner.

The grader never executes a student's code itself. It hands the notebook to run (the submission's code cells,
its check cells replaced by `collect`) to this module, which starts a *runner* in a sandbox:

* **bubblewrap** (`bwrap`, Debian package `bubblewrap`): a new mount namespace whose only files are the system's
  `/usr`, the Python interpreter's prefix, the virtual environment, the `backprop_lib` package and `data/`, all
  read-only, plus a size-limited tmpfs at `/tmp` that holds the submission's notebook and its home directory; a
  new PID namespace (the submission sees only its own processes, so it can signal neither the grader nor
  another submission, and everything in it dies with it), no network (a new network namespace with loopback
  only), its own IPC and UTS namespaces. Run as root, bwrap builds this and `setpriv` then drops to a fresh uid
  that owns no file and no other process, so that the limit on processes holds; run as another user, bwrap uses
  a user namespace and the submission keeps that user's uid inside it.
* **limits** set by the runner before the kernel starts (so they hold for the kernel and all its children):
  CPU seconds, address space per process, processes (RLIMIT_NPROC counts per uid: hence the fresh uid, or the
  user namespace), file size, open files, no core files. BLAS and OpenMP run one thread, matplotlib uses Agg.
* **none**, where bubblewrap is missing (macOS, no `bwrap`, or a failing probe): the runner still starts in a
  throw-away directory with the limits above except the one on processes, and the grader prints what is missing.

The runner (this file, run as a script inside the sandbox) reads one JSON payload on stdin, executes the notebook
cell by cell with nbclient, and writes one JSON line per event on stdout: a record of `collect` the moment it is
displayed, a cell's error, the cell it begins, a time limit, a dead kernel. So what a submission earned before a
time limit, a dead kernel or a killed runner has already reached the grader. The grader treats every line as
untrusted data. The judge (`backprop_lib.course.exercises.judge_record`) runs in a separate process under the
same isolation and limits, because a record is hostile input: it executes no student code, and decides every
verdict from plain data.

Only the standard library is imported at module level: the runner starts before anything else is trusted.
"""

from __future__ import annotations

import json
import os
import platform
import secrets
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "Isolation",
    "Limits",
    "RunResult",
    "allow_runs",
    "bound_paths",
    "detect",
    "judge",
    "run_notebook",
    "stop_all",
]

RUNNER = Path(__file__).resolve()
RECORD_MIME = "application/vnd.backprop.record+json"  # the same as course.exercises.RECORD_MIME (tested)
SANDBOX_HOME = "/tmp/home"  # inside the sandbox: its own private tmpfs, never the host's /tmp
MAX_LINE = 40 * 2**20  # one event line from the sandbox (a record is at most 32 MB of JSON)
MAX_OUTPUT = 256 * 2**20  # all event lines of one run
MAX_PAYLOAD = 128 * 2**20  # what the grader sends in: a notebook (at most 20 MB) or records to judge
_UID_BASE, _UID_SPAN = 1_900_000_000, 100_000_000  # fresh uids for root mode: owned by no file, no process


@dataclass(frozen=True)
class Limits:
    """What one submission may use. `cpu_seconds` 0 means: the wall-clock time limit plus 10 s."""

    cpu_seconds: int = 0
    memory_bytes: int = 4 * 2**30  # address space per process
    processes: int = 256  # processes and threads of the submission's uid
    file_bytes: int = 64 * 2**20  # largest file it may write
    open_files: int = 1024
    scratch_bytes: int = 512 * 2**20  # the tmpfs holding its home directory

    def describe(self, timeout: float) -> str:
        cpu = self.cpu_seconds or int(timeout) + 10
        return (
            f"CPU {cpu} s, memory {self.memory_bytes // 2**20} MB per process, {self.processes} processes, "
            f"files {self.file_bytes // 2**20} MB, scratch space {self.scratch_bytes // 2**20} MB"
        )


@dataclass(frozen=True)
class Isolation:
    """The isolation in force: `kind` "bubblewrap" or "none", and `missing`, what is not defended."""

    kind: str
    mode: str = ""  # bubblewrap: "root" (setpriv to a fresh uid) or "user" (user namespace)
    version: str = ""
    missing: tuple = ()

    @property
    def isolated(self) -> bool:
        return self.kind == "bubblewrap"

    def describe(self, limits: Limits, timeout: float) -> str:
        if self.kind == "bubblewrap":
            who = (
                "a fresh unprivileged uid per submission" if self.mode == "root" else "your uid inside a user namespace"
            )
            return (
                f"isolation: {self.version or 'bubblewrap'}: {who}, own PID/IPC/UTS namespaces, no network, "
                f"read-only system and package, a private {limits.scratch_bytes // 2**20} MB /tmp; "
                f"limits: {limits.describe(timeout)}"
            )
        return (
            "WARNING: isolation: NONE. Submissions run as you, with your network, files and processes in "
            f"reach. Missing: {'; '.join(self.missing)}. Limits still in force: "
            f"{limits.describe(timeout).replace(f', {limits.processes} processes', '')}. "
            "Grade untrusted work only where bubblewrap works (Debian/Ubuntu: apt-get install bubblewrap)."
        )


@dataclass
class RunResult:
    """What came out of one sandboxed run: event dicts (untrusted), how it ended, seconds, stderr's tail."""

    events: list = field(default_factory=list)
    ended: str = "done"  # "done", "timeout" (the runner's), "killed" (the grader's hard limit), "exited"
    returncode: int | None = None
    seconds: float = 0.0
    stderr: str = ""
    overflow: bool = False


# ------------------------------------------------------------------------------------------------ detection
def _python_paths() -> list[Path]:
    """What Python needs, read-only: the interpreter's prefixes, the venv, the package and data/."""
    import sysconfig

    here = RUNNER.parent  # backprop_lib/course
    package = here.parent
    paths = {
        Path(sys.prefix),
        Path(sys.base_prefix),
        Path(sys.exec_prefix),
        Path(sys.base_exec_prefix),
        Path(os.path.realpath(sys.executable)).parent.parent,
        package,
    }
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        value = sysconfig.get_paths().get(key)
        if value:
            paths.add(Path(value))
    data = package.parent / "data"
    if data.is_dir():
        paths.add(data)
    out = []
    for p in sorted({Path(os.path.realpath(p)) for p in paths if p.exists()}, key=lambda p: len(p.parts)):
        if p == Path("/") or any(p == q or q in p.parents for q in out):
            continue
        if p.parts[:2] == ("/", "usr"):  # /usr is bound as a whole
            continue
        out.append(p)
    return out


def bound_paths() -> list[Path]:
    """Every host folder a bubblewrap sandbox sees (read-only): /usr and what `_python_paths` lists."""
    return [Path("/usr"), *_python_paths()]


def _bwrap_argv(isolation: Isolation, uid: int | None, limits: Limits, command: list[str]) -> list[str]:
    argv = [shutil.which("bwrap") or "bwrap"]
    if isolation.mode == "root":
        argv += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
    else:
        argv += ["--unshare-all", "--unshare-user", "--disable-userns"]
    argv += ["--die-with-parent", "--new-session", "--hostname", "sandbox", "--clearenv"]
    argv += ["--ro-bind", "/usr", "/usr"]
    for top in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        host = Path("/") / top
        if host.is_symlink():
            argv += ["--symlink", os.readlink(host), str(host)]
        elif host.is_dir():
            argv += ["--ro-bind", str(host), str(host)]
    for etc in ("/etc/ld.so.cache", "/etc/localtime"):
        argv += ["--ro-bind-try", etc, etc]
    argv += ["--proc", "/proc", "--dev", "/dev"]
    argv += ["--perms", "01777", "--size", str(limits.scratch_bytes), "--tmpfs", "/tmp"]
    made = {Path("/"), Path("/tmp"), Path("/usr")}
    for path in _python_paths():
        for parent in reversed(path.parents):
            if parent not in made:
                argv += ["--perms", "0755", "--dir", str(parent)]
                made.add(parent)
        argv += ["--ro-bind", str(path), str(path)]
        made.add(path)
    argv += ["--chdir", "/tmp"]
    for key, value in _environment(SANDBOX_HOME).items():
        argv += ["--setenv", key, value]
    if isolation.mode == "root":
        argv += [
            "--cap-add",
            "CAP_SETUID",
            "--cap-add",
            "CAP_SETGID",
            "--cap-add",
            "CAP_SETPCAP",
            "--",
            shutil.which("setpriv") or "/usr/bin/setpriv",
            f"--reuid={uid}",
            f"--regid={uid}",
            "--clear-groups",
            "--no-new-privs",
            "--inh-caps=-all",
            "--bounding-set=-all",
            "--",
        ]
    else:
        argv += ["--"]
    return argv + command


def _environment(home: str, path: str | None = None) -> dict:
    """The submission's environment: nothing of the grader's, one BLAS thread, Agg, home in its scratch space."""
    venv_bin = str(Path(sys.executable).parent)
    return {
        "PATH": path or f"{venv_bin}:/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "TMPDIR": str(Path(home).parent) if home == SANDBOX_HOME else home,
        "USER": "student",
        "LOGNAME": "student",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "MPLBACKEND": "Agg",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "NUMEXPR_NUM_THREADS": "1",
        "VECLIB_MAXIMUM_THREADS": "1",
        "MALLOC_ARENA_MAX": "2",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "JUPYTER_PLATFORM_DIRS": "1",
    }


_DETECTED: dict = {}


def detect(requested: str = "auto", out=None) -> Isolation:
    """The isolation this machine offers: "bubblewrap" when `bwrap` works here, else "none" with the reasons.

    `requested` "none" skips the probe; "bubblewrap" returns the probe's failure too (the caller refuses to run).
    A probe starts Python with the package in a sandbox once per process (about a second).
    """
    if requested not in ("auto", "bubblewrap", "none"):
        raise ValueError(f"isolation: expected 'auto', 'bubblewrap' or 'none', got {requested!r}")
    if requested == "none":
        return Isolation("none", missing=("isolation switched off (--isolation none)",))
    if requested in _DETECTED:
        return _DETECTED[requested]
    found = _probe()
    _DETECTED["auto"] = _DETECTED["bubblewrap"] = found
    return found


def _probe() -> Isolation:
    if platform.system() != "Linux":
        return Isolation(
            "none",
            missing=(
                f"bubblewrap needs Linux (this is {platform.system()}): no separate "
                "filesystem, uid, network or process namespace",
            ),
        )
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return Isolation(
            "none",
            missing=(
                "bubblewrap is not installed (no `bwrap` on PATH): no separate "
                "filesystem, uid, network or process namespace",
            ),
        )
    mode = "root" if os.geteuid() == 0 else "user"
    if mode == "root" and shutil.which("setpriv") is None:
        return Isolation("none", missing=("util-linux `setpriv` is missing: bubblewrap cannot drop root",))
    try:
        version = subprocess.run([bwrap, "--version"], capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        version = "bubblewrap"
    candidate = Isolation("bubblewrap", mode, version)
    probe = (
        "import os, sys, socket\n"
        "sys.modules['rfc3987_syntax'] = None\n"
        "import nbclient, ipykernel, backprop_lib.course\n"
        "assert os.getuid() != 0, 'still root'\n"
        "assert os.getpid() < 10, 'no PID namespace'\n"
        "try:\n    socket.create_connection(('192.0.2.1', 9), timeout=1)\n"
        "except OSError:\n    pass\nelse:\n    raise SystemExit('the network is reachable')\n"
        "print('sandbox ok')\n"
    )
    argv = _bwrap_argv(candidate, _fresh_uid(), Limits(), [sys.executable, "-c", probe])
    try:
        done = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return Isolation("none", missing=(f"bubblewrap did not start ({type(exc).__name__}: {exc})",))
    if done.returncode != 0 or "sandbox ok" not in done.stdout:
        tail = (done.stderr.strip().splitlines() or ["no message"])[-1][:300]
        return Isolation("none", missing=(f"bubblewrap is installed but its probe failed ({tail})",))
    return candidate


def _fresh_uid() -> int:
    return _UID_BASE + secrets.randbelow(_UID_SPAN)


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
