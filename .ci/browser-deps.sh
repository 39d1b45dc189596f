#!/usr/bin/env bash
# Install what the browser tests (tests/test_browser.py, tests/test_book.py -m browser) need from
# outside PyPI: Debian's Chromium at /usr/bin/chromium. Playwright itself comes from requirements.txt and
# drives this Chromium; it never downloads a browser of its own (do not run `playwright install`).
#
# Contract: idempotent; does nothing and exits 0 when /usr/bin/chromium is already executable.
# Otherwise runs `apt-get update` and `apt-get install -y chromium` (as root, or
# through sudo when that is available without a password) and exits 0 only when /usr/bin/chromium then
# runs `--version`. Exits non-zero with a message on stderr when it cannot install it. Prints one line.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
    echo "browser-deps: $("$CHROMIUM" --version 2>/dev/null || echo chromium) already installed"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
else
    echo "browser-deps: need root (or passwordless sudo) to apt-get install chromium" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq >/dev/null
"${SUDO[@]}" apt-get install -y -qq chromium >/dev/null

if ! "$CHROMIUM" --version >/dev/null 2>&1; then
    echo "browser-deps: chromium was installed but $CHROMIUM --version fails" >&2
    exit 1
fi
echo "browser-deps: installed $("$CHROMIUM" --version)"
