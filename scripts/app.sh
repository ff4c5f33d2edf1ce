#!/usr/bin/env bash
# Run the app: create the environment if missing, install, build models/ if missing or stale, start Streamlit.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh ""  # no extra (and not this script's own arguments)
.venv/bin/python -m recommender build --if-needed
exec .venv/bin/streamlit run app.py --server.headless true "$@"
