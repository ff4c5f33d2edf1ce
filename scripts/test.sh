#!/usr/bin/env bash
# Run the tests: create the environment if missing, install the test extra, run pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh test
exec .venv/bin/python -m pytest "$@"
