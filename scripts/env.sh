# Sourced by app.sh and test.sh: make .venv and install the project (with an extra when named).
extra="${1:-}"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet --upgrade pip
fi
spec="."
[ -n "$extra" ] && spec=".[$extra]"
# Reinstall only when pyproject.toml changed since the last install of this extra.
stamp=".venv/.installed-${extra:-base}"
installed=""
[ -f "$stamp" ] && [ ! pyproject.toml -nt "$stamp" ] && installed=1
if [ -z "$extra" ]; then  # any extra's install holds the base install too
  for other in .venv/.installed-*; do
    [ -f "$other" ] && [ ! pyproject.toml -nt "$other" ] && installed=1
  done
fi
if [ -z "$installed" ]; then
  .venv/bin/pip install --quiet -e "$spec"
  touch "$stamp"
fi
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
