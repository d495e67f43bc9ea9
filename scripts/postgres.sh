#!/usr/bin/env bash
# The PostgreSQL the server's storage and HTTP tests run against: installs it if missing, starts
# the Debian cluster (pg_ctlcluster: no systemd needed), waits until it accepts connections,
# makes the role `hallkeeper` (password, CREATEDB: each test makes its own database) and the
# database `hallkeeper_test` if missing, and exports HALLKEEPER_TEST_POSTGRES_URL. Idempotent; a
# cluster already running is used as it is. Listens on the loopback only (Debian's default).
#
# Sourced by test.sh; run on its own it prints the export line:
#   eval "$(scripts/postgres.sh)"
# A HALLKEEPER_TEST_POSTGRES_URL already set is used as it is (a server of your own).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

HALLKEEPER_PG_ROLE=hallkeeper
HALLKEEPER_PG_DATABASE=hallkeeper_test
# A test-only role, reachable from this machine only.
HALLKEEPER_PG_PASSWORD=${HALLKEEPER_PG_PASSWORD:-hallkeeper-test}

as_postgres() {
  # From / : the postgres user may not be able to enter the working directory.
  (cd / && as_root runuser -u postgres -- "$@")
}

start_postgres() {
  if ! dpkg-query -W -f='${Status}' postgresql 2>/dev/null | grep -q 'install ok installed'; then
    say "installing PostgreSQL"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql
  fi

  local version
  version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { found = 1 } END { exit !found }'; then
    say "creating the PostgreSQL $version cluster"
    as_root pg_createcluster "$version" main >/dev/null
  fi
  # pg_lsclusters -h: version cluster port status owner data-directory log-file
  local port status
  read -r port status < <(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { print $3, $4 }')
  if [ "$status" != online ]; then
    say "starting PostgreSQL $version (port $port)"
    # /run is empty after a restart of the machine; the socket goes there.
    as_root install -d -o postgres -g postgres -m 2775 /var/run/postgresql
    as_root pg_ctlcluster "$version" main start
  fi
  local tries=0
  until pg_isready -q -h 127.0.0.1 -p "$port" -t 1; do
    tries=$((tries + 1))
    if [ "$tries" -ge 30 ]; then
      echo "PostgreSQL $version did not accept connections on port $port; its log:" >&2
      as_root tail -n 30 "/var/log/postgresql/postgresql-$version-main.log" >&2 || true
      return 1
    fi
    sleep 1
  done

  as_postgres psql -p "$port" -X -q -v ON_ERROR_STOP=1 -d postgres <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$HALLKEEPER_PG_ROLE') THEN
    CREATE ROLE $HALLKEEPER_PG_ROLE LOGIN CREATEDB PASSWORD '$HALLKEEPER_PG_PASSWORD';
  ELSE
    ALTER ROLE $HALLKEEPER_PG_ROLE LOGIN CREATEDB PASSWORD '$HALLKEEPER_PG_PASSWORD';
  END IF;
END
\$\$;
SELECT 'CREATE DATABASE $HALLKEEPER_PG_DATABASE OWNER $HALLKEEPER_PG_ROLE'
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$HALLKEEPER_PG_DATABASE') \gexec
SQL

  HALLKEEPER_TEST_POSTGRES_URL="postgres://$HALLKEEPER_PG_ROLE:$HALLKEEPER_PG_PASSWORD@127.0.0.1:$port/$HALLKEEPER_PG_DATABASE"
  # Through TCP with the password, as the tests connect.
  psql "$HALLKEEPER_TEST_POSTGRES_URL" -X -q -t -c 'SELECT 1' >/dev/null
  export HALLKEEPER_TEST_POSTGRES_URL
}

if [ -n "${HALLKEEPER_TEST_POSTGRES_URL:-}" ]; then
  say "PostgreSQL for the tests: HALLKEEPER_TEST_POSTGRES_URL as set"
else
  start_postgres
  say "PostgreSQL for the tests: $HALLKEEPER_TEST_POSTGRES_URL"
fi

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  printf 'export HALLKEEPER_TEST_POSTGRES_URL=%q\n' "$HALLKEEPER_TEST_POSTGRES_URL"
fi
