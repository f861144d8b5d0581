#!/usr/bin/env bash
# Create or update the project's Python environment (.venv at the repository root):
# pinned requirements plus the asr package in editable mode. Idempotent: when the
# requirements have not changed since the last successful install it returns at once.
# Called by path.sh, so every recipe and the test runner install on first use.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv=$root/.venv
python=${PYTHON:-python3}
stamp=$venv/.installed

if [ $# -ne 0 ]; then
  echo "Usage: $0   (no arguments; set PYTHON to choose the interpreter, default python3)" >&2
  echo "e.g.: $0" >&2
  exit 1
fi

want=$(cat "$root/requirements.txt" "$root/pyproject.toml" | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi

exec 9>"$root/.venv.lock"
flock 9
# another process may have finished the install while we waited for the lock
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi

echo "$0: installing the Python environment into $venv (first use; a few minutes)" >&2
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv" || { echo "$0: could not create a venv with $python" >&2; exit 1; }
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip >&2 2>/dev/null || true
"$venv/bin/python" -m pip install --quiet -r "$root/requirements.txt" >&2 \
  || { echo "$0: pip install -r requirements.txt failed" >&2; exit 1; }
"$venv/bin/python" -m pip install --quiet --no-deps -e "$root" >&2 \
  || { echo "$0: installing the asr package failed" >&2; exit 1; }
echo "$want" > "$stamp"
echo "$0: environment ready" >&2
