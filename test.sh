#!/usr/bin/env bash
# Run the test suite (installs the Python environment on first use).
# Usage: ./test.sh [pytest options]    e.g.: ./test.sh -x -k features
set -eo pipefail
cd "$(dirname "$0")"
. ./path.sh
set +e
python -m pytest "$@"
rc=$?
if [ $rc -eq 5 ]; then
  echo "$0: pytest collected no tests: treating as a failure" >&2
  exit 1
fi
exit $rc
