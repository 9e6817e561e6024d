#!/usr/bin/env bash
# Build the onedir console with PyInstaller and smoke-run the result offscreen.
#   bash packaging/build_and_smoke.sh            # → dist/lantian/lantian
# Checks: the built binary renders `lantian shot` to a PNG with no display, using a fresh LANTIAN_HOME
# (so the built-in demo is loaded from the bundle into a new SQLite store).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
python3 -m PyInstaller --version >/dev/null 2>&1 || python3 -m pip install -q pyinstaller
python3 packaging/translations.py --check >/dev/null   # the .qm matches the sources
start=$(date +%s)
python3 -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller \
    packaging/lantian.spec
built=$(date +%s)
echo "built dist/lantian in $((built - start)) s ($(du -sh dist/lantian | cut -f1))"
install -m 644 packaging/lantian.desktop dist/lantian/lantian.desktop

home="$(mktemp -d)"
out="$home/smoke.png"
env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM LANTIAN_HOME="$home" \
    dist/lantian/lantian shot --out "$out" --size 1280x800
test -s "$out" || { echo "smoke test FAILED: no PNG" >&2; exit 1; }
python3 - "$out" <<'PY'
import struct, sys
with open(sys.argv[1], "rb") as fh:
    head = fh.read(24)
assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack(">II", head[16:24])
assert (w, h) == (1280, 800), (w, h)
print(f"smoke test OK: {sys.argv[1]} {w}x{h}")
PY
# the forecast path: the shipped model is rebuilt by skops, which imports its modules by name at run time
fc="$home/forecast"
env -u DISPLAY LANTIAN_HOME="$home" dist/lantian/lantian forecast run \
    --model "$(ls dist/lantian/_internal/resources/forecast/guangxi_demo.zip)" --data demo \
    --issue-time "2019-01-10 15:00" --out "$fc" >/dev/null
test -s "$fc/daily.csv" || { echo "smoke test FAILED: no forecast from the built binary" >&2; exit 1; }
echo "forecast smoke OK: $(($(wc -l < "$fc/daily.csv") - 1)) daily outlook rows"
echo "smoke run took $(( $(date +%s) - built )) s"
