# Sourced by every recipe (and the test runner): installs the Python environment on
# first use, activates it, and puts steps/ and utils/ on PATH.
ASR_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export ASR_ROOT
"$ASR_ROOT/utils/setup_env.sh" || return 1
# shellcheck disable=SC1091
. "$ASR_ROOT/.venv/bin/activate"
export PATH="$ASR_ROOT/utils:$ASR_ROOT/steps:$PATH"
export LC_ALL=C
export PYTHONUNBUFFERED=1
