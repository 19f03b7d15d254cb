#!/usr/bin/env bash
# Regenerate requirements/rasa.lock from requirements/rasa.in (run by `make lock-rasa`).
# Installs the pins into a throwaway venv exactly as `make .venv-rasa/.installed` does, checks that
# `rasa --version` runs, and records the sha256 of every file pip actually installed.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-python3}
export RASA_TELEMETRY_ENABLED=false

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$PY" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    --no-deps --ignore-requires-python --report "$work/report.json" -r requirements/rasa.in
"$work/venv/bin/rasa" --version >/dev/null
"$PY" scripts/lock_from_report.py "$work/report.json" >"$work/rasa.lock"
mv "$work/rasa.lock" requirements/rasa.lock
echo "wrote requirements/rasa.lock ($(grep -c -- '--hash=' requirements/rasa.lock) packages)"
