#!/usr/bin/env bash
# Matching benchmark (issue 4): 50,000 synthetic providers and 10,000 open requests from synthetic nonprofits, on SQLite
# and on PostgreSQL. Times the first full recompute (it stores every match), a second one (it must add, change and
# remove nothing), and one incremental run for a single new request. Targets on this 2-core machine: full recompute
# under 60 s, incremental run under 200 ms. Writes the figures to docs/benchmarks.md (section « matching »).
#   bash tests/benchmarks/matching.sh                            # defaults: 50000 providers, 10000 requests
#   PROVIDERS=5000 REQUESTS=1000 bash tests/benchmarks/matching.sh   # a quick try
#   ENGINES=Sqlite bash tests/benchmarks/matching.sh                 # one engine only (Sqlite, Postgres)
set -euo pipefail
cd "$(dirname "$0")/../.."
providers=${PROVIDERS:-50000}
requests=${REQUESTS:-10000}
engines=${ENGINES:-"Sqlite Postgres"}
source tests/lib/services.sh

ensure_postgres_packages
ensure_packages 'test -x /usr/bin/time' time
ensure_packages 'command -v sqlite3' sqlite3

work=$(mktemp -d /tmp/marketplace-matching-bench.XXXXXX)
cleanup() {
  stop_postgres
  rm -rf "$work"
}
trap cleanup EXIT

echo "Publishing the site (Release, ReadyToRun)…"
publish_site "$work/app"

results="$work/results.md"
: > "$results"
verdicts="$work/verdicts.txt"
: > "$verdicts"

# cli ARGS… : runs the published app as a command under /usr/bin/time -v; sets out (its output), wall (s), peak (MB).
cli() {
  (cd "$work/app" && /usr/bin/time -v -o "$work/time.txt" dotnet Marketplace.Web.dll "$@" > "$work/out.txt")
  out=$(cat "$work/out.txt")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; printf "%.1f", s}' "$work/time.txt")
  peak=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$work/time.txt")
}

# field NAME : a number from the matching command's output line (« added: 12 »).
field() { sed -E "s/.*$1: ([0-9]+).*/\1/" <<<"$out"; }

# matching ENGINE STEP TARGET-MS [--request ID] : runs the matching command and records one line of the table.
matching() {
  local engine=$1 step=$2 target=$3; shift 3
  cli jobs run matching "$@"
  echo "[$engine] $step: $out (process ${wall} s, peak ${peak} MB)"
  local ms requests scored added changed removed verdict
  ms=$(field 'elapsed'); requests=$(field 'requests'); scored=$(field 'candidates scored')
  added=$(field 'added'); changed=$(field 'changed'); removed=$(field 'removed')
  verdict=ok
  [ "$ms" -lt "$target" ] || verdict="**over target**"
  if [[ "$step" == second* || "$step" == repeat* ]] && [ "$added/$changed/$removed" != 0/0/0 ]; then verdict="$verdict, **churn**"; fi
  echo "| $engine | $step | $requests | $scored | $added | $changed | $removed | $ms | $wall | $peak | $verdict |" >> "$results"
  echo "$engine|$step|$ms|$target|$verdict" >> "$verdicts"
}

run_engine() {
  local engine=$1 connection=$2
  local data="$work/data-$engine"
  mkdir -p "$data"
  export Database__Provider=$engine ConnectionStrings__Marketplace=$connection Marketplace__DataDirectory=$data
  export ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning Jobs__Enabled=false
  bench_privacy

  echo "[$engine] seeding $providers synthetic providers and $requests synthetic requests…"
  cli seed --synthetic "$providers" --synthetic-requests "$requests"
  local seed_wall=$wall
  if [ "$engine" = Postgres ]; then
    # After a bulk load, as an operator would: otherwise autovacuum and analyze compete with the first measurements.
    pg_psql -d marketplace_bench -qc "VACUUM ANALYZE" >/dev/null
  fi
  echo "[$engine] seeded in ${seed_wall} s"
  echo "$engine|$seed_wall" >> "$work/seeding.txt"

  matching "$engine" "first full recompute" 60000
  matching "$engine" "second full recompute" 60000
  # The nightly run's usual work: a day later every verification is a day older, so most matches' recency changes.
  if [ "$engine" = Postgres ]; then
    pg_psql -d marketplace_bench -qc 'UPDATE providers SET "VerifiedAt" = "VerifiedAt" - interval '"'1 day'"' WHERE "VerifiedAt" IS NOT NULL'
  else
    sqlite3 "$data/marketplace.db" "UPDATE providers SET VerifiedAt = VerifiedAt - 864000000000 WHERE VerifiedAt IS NOT NULL"
  fi
  matching "$engine" "full recompute a day later" 60000

  # One new request, recomputed by a fresh process (cold: EF Core compiles its queries, the JIT compiles the code)…
  new_request
  local first=$id
  matching "$engine" "incremental, cold process: new request #$id" 200 --request "$id"
  # …and another, timed after a rolled-back run of the same work (warm: like the scheduler's job in the running site).
  new_request
  matching "$engine" "incremental, warm: new request #$id" 200 --request "$id" --warm-up
  # Both again, warm: nothing to change, and the first one's time warm.
  matching "$engine" "repeat of the incremental run (warm) #$first" 200 --request "$first" --warm-up
  matching "$engine" "repeat of the incremental run (warm) #$id" 200 --request "$id" --warm-up
}

new_request() { # sets id
  cli seed --synthetic-requests 1
  id=$(sed -nE 's/.*ids ([0-9]+) to [0-9]+.*/\1/p' <<<"$out")
  [ -n "$id" ] || { echo "No request id in: $out"; exit 1; }
}

pg_psql() {
  PGPASSWORD="${PG_CONNECTION##*Password=}" psql -h 127.0.0.1 -p "$(sed -E 's/.*Port=([0-9]+).*/\1/' <<<"$PG_CONNECTION")" \
    -U "$(sed -E 's/.*Username=([^;]+).*/\1/' <<<"$PG_CONNECTION")" "$@"
}

for engine in $engines; do
  case $engine in
    Sqlite) run_engine Sqlite "" ;;
    Postgres)
      PG_EXTRA_OPTIONS="-c shared_buffers=256MB" start_postgres
      pg_psql -d postgres -qc "CREATE DATABASE marketplace_bench" >/dev/null
      run_engine Postgres "$PG_CONNECTION;Database=marketplace_bench"
      stop_postgres
      ;;
    *) echo "Unknown engine $engine (Sqlite, Postgres)"; exit 2 ;;
  esac
done

# docs/benchmarks.md: the matching section is rewritten, other sections are kept, and so is the hand-written history
# inside it (<!-- matching-history:begin --> … <!-- matching-history:end -->).
pg_version=$(/usr/lib/postgresql/*/bin/postgres --version 2>/dev/null | awk '{print $3}' | sort -V | tail -n 1)
load=$(awk '{print $1", "$2", "$3}' /proc/loadavg)
machine="$(lscpu | awk -F: '/Model name/ {gsub(/^ +/,"",$2); print $2; exit}'), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(. /etc/os-release; echo "$PRETTY_NAME"), .NET SDK $(dotnet --version), PostgreSQL $pg_version"
section="$work/section.md"
{
  echo "<!-- matching:begin -->"
  echo "## Matching (issue 4)"
  echo
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') by \`bash tests/benchmarks/matching.sh\` on: $machine"
  echo "(load average at the end: $load; other work on the machine shares the 2 cores)."
  echo
  echo "Set-up: published Release build (ReadyToRun), \`ASPNETCORE_ENVIRONMENT=Production\`, $providers synthetic providers and $requests open"
  echo "requests from synthetic nonprofits plus the seed data (\`seed --synthetic $providers --synthetic-requests $requests\`;"
  echo "PostgreSQL: \`VACUUM ANALYZE\` after the bulk load, \`shared_buffers=256MB\`). Each line is one"
  echo "\`jobs run matching [--request ID] [--warm-up]\` process; « run » is the command's own Stopwatch around the recompute"
  echo "(process start-up and the data model's building excluded), « process » the whole command, peak RSS from \`/usr/bin/time -v\`."
  echo "Each incremental line is a request added just before with \`seed --synthetic-requests 1\`. « Cold process » is the"
  echo "command as typed: its time includes EF Core compiling each query once and the JIT; « warm » (\`--warm-up\`) first does"
  echo "the same run in a transaction that is rolled back, so it is timed like the scheduler's job in a site that has run before."
  echo "« A day later » moves every provider's verification date one day back first (as a night passing does to the"
  echo "recency factor), so the nightly run rewrites the matches whose recency changed."
  echo "Targets: full recompute under 60 s, incremental under 200 ms; the second full recompute and the repeat must add, change"
  echo "and remove nothing (no churn)."
  echo
  echo "| engine | step | requests | candidates scored | added | changed | removed | run (ms) | process (s) | peak RSS (MB) | verdict |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  cat "$results"
  echo
  echo -n "Seeding (wall clock, s):"
  while IFS='|' read -r engine seconds; do echo -n " $engine $seconds;"; done < "$work/seeding.txt"
  echo
  if [ -f docs/benchmarks.md ]; then
    python3 - docs/benchmarks.md <<'PY'
import re, sys
m = re.search(r"<!-- matching-history:begin -->.*?<!-- matching-history:end -->", open(sys.argv[1]).read(), re.S)
if m: print("\n" + m.group(0))
PY
  fi
  echo "<!-- matching:end -->"
} > "$section"

doc=docs/benchmarks.md
if [ ! -f "$doc" ]; then printf '# Benchmarks\n\nFigures written by the scripts in `tests/benchmarks/`. Each section says when and on which machine it was measured.\n\n' > "$doc"; fi
python3 - "$doc" "$section" <<'PY'
import re, sys
doc, section = open(sys.argv[1]).read(), open(sys.argv[2]).read().rstrip("\n")
pattern = re.compile(r"<!-- matching:begin -->.*?<!-- matching:end -->", re.S)
doc = pattern.sub(lambda _: section, doc) if pattern.search(doc) else doc.rstrip("\n") + "\n\n" + section + "\n"
open(sys.argv[1], "w").write(doc)
PY
cp "$results" "${MATCHING_RESULTS:-/dev/null}" 2>/dev/null || true
echo "Written to $doc"
cat "$verdicts"
