#!/usr/bin/env bash
# Start Debian's PostgreSQL on 127.0.0.1 for the storage tests and print its SQLAlchemy URL.
# Prints nothing (and the PostgreSQL cases then do not run) where we cannot install or start it
# without root; CI runs as root, and tests/test_storage.py fails there if no URL was printed.
set -euo pipefail
PORT="${INTERVIEW_TEST_PG_PORT:-55432}"
if [ "$(id -u)" -ne 0 ]; then exit 0; fi
export DEBIAN_FRONTEND=noninteractive
if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends postgresql >&2
fi
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
DATA=/tmp/interview-test-pg
if ! su postgres -c "$BIN/pg_ctl -D $DATA status" >/dev/null 2>&1; then
  rm -rf "$DATA" && mkdir -p "$DATA" && chown postgres "$DATA"
  su postgres -c "$BIN/initdb -D $DATA -A trust -U postgres" >/dev/null
  su postgres -c "$BIN/pg_ctl -D $DATA -o '-p $PORT -k /tmp -c listen_addresses=127.0.0.1' -l $DATA/log -w start" >/dev/null
fi
echo "postgresql+psycopg://postgres@127.0.0.1:$PORT/postgres"
