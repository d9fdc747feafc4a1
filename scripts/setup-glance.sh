#!/usr/bin/env bash
# Create .venv-glance with OpenStack Glance and uWSGI, for the tests of the
# Glance image catalog. Glance lives in its own virtualenv because its
# dependencies would clash with the service's. Safe to run again: a complete
# environment is left as it is.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${FIS_GLANCE_VENV:-.venv-glance}"
PYTHON="${PYTHON:-python3}"
STAMP="$VENV/.installed"

if [[ -f "$STAMP" && -x "$VENV/bin/uwsgi" && -x "$VENV/bin/glance-manage" ]]; then
  echo "setup-glance: $VENV is ready"
  exit 0
fi

started=$(date +%s)
[[ -x "$VENV/bin/python" ]] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/pip" install -q --upgrade pip
# uWSGI builds from source with the system C compiler (about a minute).
"$VENV/bin/pip" install -q glance uwsgi
"$VENV/bin/python" -c "import glance.common.wsgi_app" >/dev/null 2>&1
touch "$STAMP"
echo "setup-glance: installed Glance and uWSGI in $VENV in $(( $(date +%s) - started )) s"
