#!/usr/bin/env bash
# Runs every test of Edgeplane. Installs what the tests need when it is missing (Debian packages),
# builds the solution once and runs the test projects against the real host on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")"

configuration="${CONFIGURATION:-Debug}"
log_dir="$(mktemp -d /tmp/edgeplane-tests.XXXXXX)"

./build/install-test-deps.sh

dotnet build Host.sln -c "$configuration" -nologo -clp:ErrorsOnly

# A real PostgreSQL server for the data tests (SQL Server runs only when EDGEPLANE_TEST_SQLSERVER names one).
pg_dir="$log_dir/postgres"
trap './build/test-postgres.sh stop "$pg_dir"' EXIT
EDGEPLANE_TEST_POSTGRES="$(./build/test-postgres.sh start "$pg_dir")"
export EDGEPLANE_TEST_POSTGRES

status=0
dotnet test Host.sln -c "$configuration" --no-build --nologo 2>&1 | tee "$log_dir/test.log" || status=$?

# One plain closing line for every suite together.
awk '
  match($0, /Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+/) {
    split(substr($0, RSTART, RLENGTH), f, /[^0-9]+/); failed += f[2]; passed += f[3]; skipped += f[4]; seen = 1
  }
  END { if (seen) printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped; else print "0 passed, 1 failed" }
' "$log_dir/test.log"
exit "$status"
