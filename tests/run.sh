#!/usr/bin/env bash
# The one test command (README, .ci/run): installs what is missing, starts a throw-away PostgreSQL, runs every
# test project, stops what it started and prints one final line "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
run_dir="$root/.test-run"
rm -rf "$run_dir"
mkdir -p "$run_dir"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# 1. Debian packages: PostgreSQL server, Chromium (browser tests), Node.js/npm (axe-core).
missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql postgresql-contrib)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if ((${#missing[@]})); then
  echo "Installing: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# 2. npm packages the browser tests inject (pinned in tests/Marketplace.Tests/package-lock.json).
(cd tests/Marketplace.Tests && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

# 3. A throw-away PostgreSQL cluster on a free loopback port.
pg_bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
pg_dir=$(mktemp -d /tmp/marketplace-pg.XXXXXX)
pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
pg_password=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
pg_user=$(id -un)
run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$(id -u)" = 0 ]; then chown postgres "$pg_dir"; pg_user=postgres; fi
cleanup() {
  run_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
trap cleanup EXIT
echo "$pg_password" > "$pg_dir/pwfile"
[ "$(id -u)" = 0 ] && chown postgres "$pg_dir/pwfile"
run_pg "$pg_bin/initdb" -D "$pg_dir/data" -U "$pg_user" -E UTF8 --locale=C.UTF-8 --auth-host=scram-sha-256 \
  --auth-local=peer --pwfile="$pg_dir/pwfile" >/dev/null
run_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -w -l "$pg_dir/postgres.log" \
  -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null
export MARKETPLACE_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=$pg_user;Password=$pg_password;Include Error Detail=true"
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port"

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
