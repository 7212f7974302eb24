#!/usr/bin/env bash
# The one test command (README, .ci/run): installs what is missing, starts a throw-away PostgreSQL, runs every
# test project, stops what it started and prints one final line "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
run_dir="$root/.test-run"
rm -rf "$run_dir"
mkdir -p "$run_dir"

source tests/lib/services.sh

# 1. Debian packages: PostgreSQL server, Chromium (browser tests), Node.js/npm (axe-core), aiosmtpd (SMTP server).
ensure_postgres_packages
ensure_packages 'test -x /usr/bin/chromium' chromium
ensure_packages 'command -v npm' nodejs npm
ensure_smtp_packages

# 2. npm packages the browser tests inject (pinned in tests/Marketplace.Tests/package-lock.json).
(cd tests/Marketplace.Tests && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

# 3. A throw-away PostgreSQL cluster and a real SMTP server on free loopback ports, stopped and deleted on exit.
trap 'stop_postgres; stop_smtp' EXIT
PG_EXTRA_OPTIONS="-c fsync=off -c synchronous_commit=off -c full_page_writes=off" start_postgres
export MARKETPLACE_TEST_POSTGRES="$PG_CONNECTION;Include Error Detail=true"
start_smtp
export MARKETPLACE_TEST_SMTP_PORT=$SMTP_PORT MARKETPLACE_TEST_MAILDIR=$SMTP_MAILDIR

# 4. Every test project of the solution.
export CHROMIUM_PATH=/usr/bin/chromium
set +e
dotnet test Marketplace.sln -c Release --nologo --logger "trx;LogFileName=results.trx" --results-directory "$run_dir/results" "$@" \
  2>&1 | tee "$run_dir/test-output.log" | grep -vE '^\s*$|^  Determining|^  Restored|^  All projects are up-to-date'
status=${PIPESTATUS[0]}
set -e

# 5. One total line from the TRX files; no test run is a failure.
python3 - "$run_dir/results" "$status" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
for path in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    c = ET.parse(path).getroot().find("t:ResultSummary/t:Counters", ns)
    passed += int(c.get("passed", 0)); failed += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0)) + int(c.get("aborted", 0))
    skipped += int(c.get("notExecuted", 0)) + int(c.get("inconclusive", 0))
status = int(sys.argv[2])
if status != 0 and failed == 0:
    failed = 1  # the runner failed outside any test (build error, crash)
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(0 if status == 0 and failed == 0 and passed > 0 else 1)
PY
