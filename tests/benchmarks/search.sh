#!/usr/bin/env bash
# Search benchmark (issue 2): 50,000 synthetic providers on SQLite and on PostgreSQL, wrk at 4 connections against
# the JSON API and the search page for a one-word query, a three-facet filter and browse-all with facets.
# Target: p95 < 50 ms for each, site memory < 500 MB. Writes the figures to docs/benchmarks.md.
#   bash tests/benchmarks/search.sh            # defaults: 50000 providers, 20 s per scenario
#   PROVIDERS=5000 DURATION=5 bash tests/benchmarks/search.sh   # a quick try
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
providers=${PROVIDERS:-50000}
duration=${DURATION:-20}
warmup=${WARMUP:-8}
connections=4
source tests/lib/services.sh

ensure_postgres_packages
ensure_packages 'command -v wrk' wrk

work=$(mktemp -d /tmp/marketplace-bench.XXXXXX)
site_pid=
cleanup() {
  [ -n "$site_pid" ] && stop_site
  stop_postgres
  rm -rf "$work"
}
trap cleanup EXIT

echo "Publishing the site (Release, ReadyToRun)…"
publish_site "$work/app"

# name|query|which surfaces: the three the issue asks for, and a worst case for the free text.
scenarios=(
  "one-word|q=formation|api page"
  "three-facets|category=formation&region=06&pricing=tarif-reduit-obnl|api page"
  "browse-all||api page"
  "worst-case text (matches every synthetic name)|q=synthetique|api"
)
results="$work/results.md"
: > "$results"

start_site() { # extra environment assignments as arguments
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  (cd "$work/app" && env "$@" ASPNETCORE_URLS="http://127.0.0.1:$port" dotnet Marketplace.Web.dll >> "$work/site.log" 2>&1) &
  site_pid=$!
  base="http://127.0.0.1:$port"
  for _ in $(seq 1 240); do curl -fs "$base/healthz" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "The site did not start:"; tail -20 "$work/site.log"; exit 1
}

stop_site() {
  # The dotnet process is the subshell's child: find it by its parent.
  local child
  child=$(pgrep -P "$site_pid" || true)
  [ -n "$child" ] && kill "$child" 2>/dev/null || true
  wait "$site_pid" 2>/dev/null || true
  site_pid=
}

site_process() { pgrep -P "$site_pid" | head -n 1; }

measure() { # engine cache surface name query
  local engine=$1 cache=$2 surface=$3 name=$4 query=$5 url
  if [ "$surface" = api ]; then url="$base/api/v1/providers?$query"; else url="$base/fr/recherche?$query"; fi
  local status
  status=$(curl -s -o /dev/null -w '%{http_code}' "$url")
  [ "$status" = 200 ] || { echo "GET $url -> $status"; exit 1; }
  wrk -t2 -c"$connections" -d"$warmup"s "$url" >/dev/null   # warm-up (JIT tiers, snapshot, caches)
  local line
  line=$(wrk -t2 -c"$connections" -d"${duration}s" --latency -s tests/benchmarks/report.lua "$url" | grep '^RESULT')
  local p50 p95 p99 rps non2xx errors
  p50=$(sed -E 's/.* p50=([0-9.]+).*/\1/' <<<"$line"); p95=$(sed -E 's/.* p95=([0-9.]+).*/\1/' <<<"$line")
  p99=$(sed -E 's/.* p99=([0-9.]+).*/\1/' <<<"$line"); rps=$(sed -E 's/.* rps=([0-9.]+).*/\1/' <<<"$line")
  non2xx=$(sed -E 's/.* non2xx=([0-9]+).*/\1/' <<<"$line"); errors=$(sed -E 's/.* errors=([0-9]+).*/\1/' <<<"$line")
  local verdict=ok
  awk "BEGIN{exit !($p95 < 50)}" || verdict="**over target**"
  [ "$non2xx" = 0 ] && [ "$errors" = 0 ] || verdict="**errors: $non2xx non-2xx, $errors socket**"
  echo "[$engine] $surface $name ($cache): p50 $p50 ms, p95 $p95 ms, p99 $p99 ms, $rps req/s ($verdict)"
  echo "| $engine | $cache | $surface | $name | \`${url#"$base"}\` | $p50 | $p95 | $p99 | $rps | $verdict |" >> "$results"
}

run_engine() {
  local engine=$1 connection=$2
  local data="$work/data-$engine"
  mkdir -p "$data"
  export Database__Provider=$engine ConnectionStrings__Marketplace=$connection Marketplace__DataDirectory=$data
  export Marketplace__ApiRequestsPerMinute=100000000 Marketplace__SearchPagesPerMinute=100000000 Marketplace__RequireHttps=false ASPNETCORE_ENVIRONMENT=Production
  export Logging__LogLevel__Default=Warning

  echo "[$engine] seeding $providers synthetic providers…"
  local started=$SECONDS
  (cd "$work/app" && dotnet Marketplace.Web.dll seed --synthetic "$providers" >/dev/null)
  local seed_seconds=$((SECONDS - started))
  if [ "$engine" = Postgres ]; then
    # After a bulk load, as an operator would: otherwise autovacuum and analyze compete with the first measurements.
    pg_psql -d marketplace_bench -qc "VACUUM ANALYZE" >/dev/null
  fi

  start_site Marketplace__SearchTextCacheEntries=256
  local total
  total=$(curl -fs "$base/api/v1/providers?pageSize=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
  echo "[$engine] site up, $total published providers (seeded in ${seed_seconds}s)"
  for scenario in "${scenarios[@]}"; do
    IFS='|' read -r name query surfaces <<<"$scenario"
    for surface in $surfaces; do measure "$engine" "text cache on" "$surface" "$name" "$query"; done
  done
  local pid rss hwm
  pid=$(site_process)
  rss=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$pid/status")
  hwm=$(awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$pid/status")
  echo "[$engine] site memory: RSS $rss MB now, peak $hwm MB"
  echo "$engine|$seed_seconds|$total|$rss|$hwm" >> "$work/memory.txt"
  stop_site

  # The same free-text queries with the text-match cache off: every request runs the full-text query.
  start_site Marketplace__SearchTextCacheEntries=0
  for scenario in "${scenarios[@]}"; do
    IFS='|' read -r name query surfaces <<<"$scenario"
    [[ "$query" == *q=* ]] || continue
    for surface in $surfaces; do measure "$engine" "text cache off" "$surface" "$name" "$query"; done
  done
  stop_site
}

run_engine Sqlite ""
PG_EXTRA_OPTIONS="-c shared_buffers=256MB" start_postgres
pg_psql() {
  PGPASSWORD="${PG_CONNECTION##*Password=}" psql -h 127.0.0.1 -p "$(sed -E 's/.*Port=([0-9]+).*/\1/' <<<"$PG_CONNECTION")" \
    -U "$(sed -E 's/.*Username=([^;]+).*/\1/' <<<"$PG_CONNECTION")" "$@"
}
pg_psql -d postgres -qc "CREATE DATABASE marketplace_bench" >/dev/null
run_engine Postgres "$PG_CONNECTION;Database=marketplace_bench"

# docs/benchmarks.md: the search section is rewritten, other sections are kept.
wrk_version=$(wrk -v 2>&1 | awk 'NR==1 {print $2}' || true)   # wrk -v exits with 1
machine="$(lscpu | awk -F: '/Model name/ {gsub(/^ +/,"",$2); print $2; exit}'), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(. /etc/os-release; echo "$PRETTY_NAME"), .NET SDK $(dotnet --version), PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}'), wrk $wrk_version"
section="$work/section.md"
{
  echo "<!-- search:begin -->"
  echo "## Search (issue 2)"
  echo
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') by \`bash tests/benchmarks/search.sh\` on: $machine."
  echo
  echo "Set-up: published Release build (ReadyToRun), \`ASPNETCORE_ENVIRONMENT=Production\`, $providers synthetic providers plus the seed data"
  echo "(\`seed --synthetic $providers\`), wrk with 2 threads and $connections connections for ${duration} s per line after a ${warmup} s"
  echo "warm-up (PostgreSQL: \`VACUUM ANALYZE\` after the bulk load), site and wrk on the same machine. Target: p95 under 50 ms for each line, site memory under 500 MB."
  echo "Latencies in milliseconds; the API returns 20 items and the facets, the page renders 20 cards and every facet."
  echo "Synthetic descriptions put two domain words per sentence among Zipf-distributed made-up words, so « formation »"
  echo "matches about a third of the directory; « synthetique » is in every synthetic name, the worst case for free text."
  echo "wrk repeats one URL, so with the text-match cache on (the default, \`Marketplace:SearchTextCacheEntries\`) the"
  echo "full-text query runs once per index version; the « off » lines run it on every request, as a new text would."
  echo
  echo "| engine | text-match cache | surface | scenario | path | p50 | p95 | p99 | req/s | verdict |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  cat "$results"
  echo
  echo "Memory of the site process (cache on), read from /proc after its runs:"
  echo
  echo "| engine | seeding (s) | published providers | site RSS after the runs (MB) | peak RSS (MB) | verdict |"
  echo "|---|---|---|---|---|---|"
  while IFS='|' read -r engine seed total rss hwm; do
    verdict=ok; [ "$hwm" -lt 500 ] || verdict="**over target**"
    echo "| $engine | $seed | $total | $rss | $hwm | $verdict |"
  done < "$work/memory.txt"
  echo "<!-- search:end -->"
} > "$section"

doc=docs/benchmarks.md
if [ ! -f "$doc" ]; then printf '# Benchmarks\n\nFigures written by the scripts in `tests/benchmarks/`. Each section says when and on which machine it was measured.\n\n' > "$doc"; fi
python3 - "$doc" "$section" <<'PY'
import re, sys
doc, section = open(sys.argv[1]).read(), open(sys.argv[2]).read().rstrip("\n")
pattern = re.compile(r"<!-- search:begin -->.*?<!-- search:end -->", re.S)
doc = pattern.sub(lambda _: section, doc) if pattern.search(doc) else doc.rstrip("\n") + "\n\n" + section + "\n"
open(sys.argv[1], "w").write(doc)
PY
echo "Written to $doc"
