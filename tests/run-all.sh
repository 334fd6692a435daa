#!/usr/bin/env bash
# The whole test suite: the unit tests (the server's and the bench's) and the integration
# suite on SQLite, then the integration suite again on PostgreSQL.
#
#   tests/run-all.sh
#
# PostgreSQL is taken from SESAME_TEST_POSTGRES_URL (default
# postgres://postgres@127.0.0.1:5432, trust authentication; every test creates and drops
# its own database). When it cannot be reached the PostgreSQL run is skipped with a loud
# notice, except in CI (CI=true), where that is a failure.
# Extra arguments are passed to every `cargo test` (for example a test name filter).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PG_URL="${SESAME_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}"
export SESAME_TEST_POSTGRES_URL="$PG_URL"

step() { printf '\n==> %s\n' "$*"; }

# Host and port of a postgres:// URL (user, password, path and query dropped).
pg_host_port() {
    local rest="${PG_URL#*://}"
    rest="${rest##*@}"
    rest="${rest%%/*}"
    rest="${rest%%\?*}"
    local host port
    if [[ "$rest" == \[* ]]; then # [::1]:5432
        host="${rest%%]*}"
        host="${host#[}"
        port="${rest##*]}"
        port="${port#:}"
    else
        host="${rest%%:*}"
        port=""
        [[ "$rest" == *:* ]] && port="${rest##*:}"
    fi
    printf '%s %s\n' "${host:-127.0.0.1}" "${port:-5432}"
}

# Succeeds when a PostgreSQL server answers at PG_URL; sets PG_WHY otherwise.
postgres_reachable() {
    local host port
    read -r host port < <(pg_host_port)
    if command -v pg_isready > /dev/null; then
        if PG_WHY="$(pg_isready -h "$host" -p "$port" -t 5 2>&1)"; then
            return 0
        fi
        return 1
    fi
    if (exec 3<> "/dev/tcp/$host/$port") 2> /dev/null; then
        return 0
    fi
    PG_WHY="nothing is listening on $host:$port (pg_isready not installed; checked with a TCP connect)"
    return 1
}

step "cargo test (unit tests of the server and the bench, and the integration suite on SQLite)"
SESAME_TEST_BACKEND=sqlite cargo test --workspace "$@"

step "integration suite on PostgreSQL ($PG_URL)"
PG_WHY=""
if postgres_reachable; then
    SESAME_TEST_BACKEND=postgres cargo test --test it "$@"
    printf '\nAll suites passed: SQLite and PostgreSQL.\n'
    exit 0
fi

if [[ "${CI:-}" == "true" ]]; then
    printf '\nFAILED: PostgreSQL is not reachable at %s, and CI must run the PostgreSQL suite.\n' "$PG_URL" >&2
    printf 'Reason: %s\n' "$PG_WHY" >&2
    exit 1
fi

cat >&2 <<BANNER

################################################################################
#                                                                              #
#   THE POSTGRESQL SUITE DID NOT RUN.                                          #
#                                                                              #
#   Only the SQLite run above passed. PostgreSQL is not reachable at:          #
#     $PG_URL
#   Reason: $PG_WHY
#                                                                              #
#   To run it: start PostgreSQL (user postgres, trust authentication on        #
#   127.0.0.1), or point SESAME_TEST_POSTGRES_URL at a server, then run        #
#   tests/run-all.sh again. CI (CI=true) fails instead of skipping.            #
#                                                                              #
################################################################################

BANNER
exit 0
