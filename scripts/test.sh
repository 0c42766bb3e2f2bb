#!/usr/bin/env bash
# `make test`: the whole suite against a real PostgreSQL, a real Redis, a real Celery worker and Chromium.
# Starts the throwaway services (scripts/services.sh) and always stops them afterwards, even on failure,
# unless they were already running before (then they are someone's and stay up). Arguments go to pytest.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
RUN_DIR="${FABRIQUE_RUN_DIR:-$ROOT/.run}"

"$ROOT/scripts/install-system-deps.sh"

if "$ROOT/scripts/services.sh" status >/dev/null 2>&1; then
    echo "test: services already running, they stay up afterwards" >&2
else
    # Set before starting: a half-done start (PostgreSQL up, Redis refused) is cleaned up too.
    trap '"$ROOT/scripts/services.sh" stop' EXIT
    if ! "$ROOT/scripts/services.sh" start >/dev/null; then
        # Outside CI the suite still runs: tests needing a service skip (see tests/conftest.py).
        if [[ "${CI:-}" == true ]]; then exit 1; fi
        echo "test: the services did not start; tests that need them will be skipped" >&2
    fi
fi

if [[ -f "$RUN_DIR/env" ]] && "$ROOT/scripts/services.sh" status >/dev/null 2>&1; then
    set -a
    # shellcheck source=/dev/null
    source "$RUN_DIR/env"
    set +a
fi

status=0
"$ROOT/.venv/bin/pytest" "$@" || status=$?
if [[ $status -eq 5 ]]; then
    echo "test: pytest collected no test: that is a failure" >&2
fi
exit "$status"
