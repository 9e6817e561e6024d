#!/usr/bin/env bash
# Install everything Lantian needs on a fresh Debian/Ubuntu machine.
#   bash packaging/bootstrap.sh          # the console
#   bash packaging/bootstrap.sh --test   # plus the test dependencies (pytest, pytest-qt, import-linter, PostgreSQL)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

# System libraries Qt needs offscreen/onscreen, a CJK font for Chinese labels and reports,
# poppler for rendering report pages, PostgreSQL for the shared-server tests.
pkgs=(fonts-noto-cjk libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
      libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0
      libxcb-render-util0 libxcb-image0 libglib2.0-0)
[ $want_test = 1 ] && pkgs+=(poppler-utils postgresql)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" != 0 ] && SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Please install these system packages: ${missing[*]}" >&2
  fi
fi

cd "$here"
# Debian/Ubuntu system Pythons are "externally managed" (PEP 668); Lantian installs beside them.
export PIP_BREAK_SYSTEM_PACKAGES=1
python3 -m pip install -q --upgrade pip >/dev/null 2>&1 || true
if [ $want_test = 1 ]; then
  python3 -m pip install -q -e ".[test]"
else
  python3 -m pip install -q -e .
fi
