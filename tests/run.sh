#!/usr/bin/env bash
# The one test command (README, .ci/run): installs what is missing, gives the tests a Docker engine and the images of
# their services (PostgreSQL and SMTP, which the tests start themselves with Testcontainers), runs every test project,
# and prints one final line "N passed, N failed, N skipped" (ADR 0033).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
run_dir="$root/.test-run"
rm -rf "$run_dir"
mkdir -p "$run_dir"

source tests/lib/services.sh
source tests/lib/docker.sh

# 1. Debian packages: Chromium (browser tests), Node.js/npm (axe-core), Docker (the services' containers).
ensure_packages 'test -x /usr/bin/chromium' chromium
ensure_packages 'command -v npm' nodejs npm
ensure_docker

# 2. npm packages the browser tests inject (pinned in tests/Marketplace.Tests/package-lock.json).
(cd tests/Marketplace.Tests && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

# 3. The services' images. No registry is reachable here, so they are built from Debian packages on the local Debian
#    base, once (rebuilt when their files change), and the tests are pointed at them. Elsewhere the tests default to
#    postgres:17 and build the SMTP image on python:3-slim.
ensure_base_image
ensure_local_image local/postgres:15 tests/docker/postgres tests/docker/postgres/Dockerfile \
  tests/docker/postgres/docker-entrypoint.sh -- "BASE_IMAGE=$DOCKER_BASE_IMAGE"
ensure_local_image local/marketplace-smtp:aiosmtpd tests tests/docker/smtp/Dockerfile \
  tests/lib/raw_maildir.py tests/.dockerignore -- "BASE_IMAGE=$DOCKER_BASE_IMAGE"
export MARKETPLACE_TEST_POSTGRES_IMAGE=local/postgres:15 MARKETPLACE_TEST_SMTP_IMAGE=local/marketplace-smtp:aiosmtpd
# Always the containers here, never services a developer's shell points at.
unset MARKETPLACE_TEST_POSTGRES MARKETPLACE_TEST_SMTP_HOST MARKETPLACE_TEST_SMTP_PORT MARKETPLACE_TEST_MAILDIR
# The tests dispose of their containers; these labels let this script remove any that a crashed run left behind.
export MARKETPLACE_TEST_RUN_ID="run-$$-$(date +%s)"
remove_containers() {
  local ids
  ids=$(docker ps -aq --filter "label=org.marketplace.tests.run=$MARKETPLACE_TEST_RUN_ID" 2>/dev/null || true)
  [ -z "$ids" ] || docker rm -f $ids >/dev/null 2>&1 || true
}
trap remove_containers EXIT

# Each site a test starts would watch its settings files (one inotify instance each, 128 by default on Linux): the
# tests never change them while a site runs, so no site watches them, and a root run raises the limit for the rest.
export DOTNET_hostBuilder__reloadConfigOnChange=false
if [ "$(id -u)" = 0 ] && [ "$(cat /proc/sys/fs/inotify/max_user_instances 2>/dev/null || echo 1024)" -lt 1024 ]; then
  sysctl -qw fs.inotify.max_user_instances=1024 2>/dev/null || true
fi

# 4. Every test project of the solution. Here a missing browser fails the browser tests instead of skipping them.
export CHROMIUM_PATH=/usr/bin/chromium MARKETPLACE_TEST_REQUIRE_BROWSER=true
set +e
dotnet test Marketplace.sln -c Release --nologo --logger "trx;LogFileName=results.trx" --results-directory "$run_dir/results" "$@" \
  2>&1 | tee "$run_dir/test-output.log" | grep -vE '^\s*$|^  Determining|^  Restored|^  All projects are up-to-date'
status=${PIPESTATUS[0]}
set -e

# 5. The totals from the TRX files (the runner failing outside any test counts as one failure).
read -r passed failed skipped < <(python3 - "$run_dir/results" "$status" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
for path in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    c = ET.parse(path).getroot().find("t:ResultSummary/t:Counters", ns)
    passed += int(c.get("passed", 0)); failed += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0)) + int(c.get("aborted", 0))
    skipped += int(c.get("notExecuted", 0)) + int(c.get("inconclusive", 0))
if int(sys.argv[2]) != 0 and failed == 0:
    failed = 1  # the runner failed outside any test (build error, crash)
print(passed, failed, skipped)
PY
)
passed=${passed:-0} failed=${failed:-1} skipped=${skipped:-0}

# 6. The deployment test (tests/deploy.sh): runs here, after the .NET tests, and counts as one test in the totals.
#    A focused run (arguments such as --filter) leaves it out unless MARKETPLACE_DEPLOY_TEST=1.
if [ $# -eq 0 ] || [ "${MARKETPLACE_DEPLOY_TEST:-}" = 1 ]; then
  if bash tests/deploy.sh > "$run_dir/deploy-output.log" 2>&1; then
    passed=$((passed + 1)); echo "Deployment test (tests/deploy.sh): passed"
  else
    failed=$((failed + 1)); echo "Deployment test (tests/deploy.sh): FAILED"; tail -n 60 "$run_dir/deploy-output.log"
  fi
fi

# 7. One total line; nothing failed and at least one test passed, or the run fails.
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
