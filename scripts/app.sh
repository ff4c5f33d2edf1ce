#!/usr/bin/env bash
# Run the app: create the environment if missing, install, build models/ if missing or stale, start Streamlit.
# It serves on 127.0.0.1 (this computer only) unless --server.address (or STREAMLIT_SERVER_ADDRESS) says
# otherwise; any other address needs RECOMMENDER_SHARED_PASSWORD or `shared_password` in
# .streamlit/secrets.toml, checked before anything is installed or built.
set -euo pipefail
cd "$(dirname "$0")/.."

address="${STREAMLIT_SERVER_ADDRESS-127.0.0.1}"
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in
    --server.address) address="${args[i + 1]-}" ;;
    --server.address=*) address="${args[i]#*=}" ;;
  esac
done
# Stdlib only, run by the system Python in isolated mode: fast, and before .venv exists.
python3 -I recommender/access.py preflight "$address"

source scripts/env.sh ""  # no extra (and not this script's own arguments)
.venv/bin/python -m recommender build --if-needed
# On a wildcard address Streamlit looks up the machine's public address on an outside service to
# print it; naming the address it should print (this machine's name) keeps it from reaching out.
extra=()
case "$address" in
  0.0.0.0 | :: | "") extra=(--browser.serverAddress "$(hostname)") ;;
esac
# A --server.address among the caller's arguments comes later and is the address checked above.
exec .venv/bin/streamlit run app.py --server.headless true --server.address "$address" "${extra[@]}" "$@"
