#!/usr/bin/env bash
# Install what the grader's sandbox (backprop_lib/course/sandbox.py, isolation.py; tests/test_grade.py) needs from outside PyPI:
# Debian's bubblewrap at /usr/bin/bwrap. util-linux's setpriv (used to drop root) is part of every Debian system.
#
# Contract: idempotent; does nothing and exits 0 when bwrap and setpriv are already executable. Otherwise runs
# `apt-get update` and `apt-get install -y bubblewrap` (as root, or through sudo when that is available without a
# password) and exits 0 only when `bwrap --version` then runs. Exits non-zero with a message on stderr when it
# cannot install it. Prints one line.
set -euo pipefail

if command -v bwrap >/dev/null 2>&1 && command -v setpriv >/dev/null 2>&1; then
    echo "sandbox-deps: $(bwrap --version) and setpriv already installed"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
else
    echo "sandbox-deps: need root (or passwordless sudo) to apt-get install bubblewrap" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq >/dev/null
"${SUDO[@]}" apt-get install -y -qq bubblewrap util-linux >/dev/null

if ! bwrap --version >/dev/null 2>&1; then
    echo "sandbox-deps: bubblewrap was installed but bwrap --version fails" >&2
    exit 1
fi
echo "sandbox-deps: installed $(bwrap --version)"
