"""The isolation a submission runs in: bubblewrap, a fresh unprivileged uid, limits; and what this machine offers.

`course.sandbox` starts the runner (`course/runner.py`) and the judge inside what this module builds:

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

`detect` says which of these this machine offers (a probe, once per process); `bound_paths` lists the host folders
every bubblewrap sandbox sees.
"""

from __future__ import annotations

import os
import platform
import secrets
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Isolation", "Limits", "bound_paths", "detect"]

SANDBOX_HOME = "/tmp/home"  # inside the sandbox: its own private tmpfs, never the host's /tmp
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


# ------------------------------------------------------------------------------------------------ detection
def _python_paths() -> list[Path]:
    """What Python needs, read-only: the interpreter's prefixes, the venv, the package and data/."""
    import sysconfig

    here = Path(__file__).resolve().parent  # backprop_lib/course, with the runner
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
