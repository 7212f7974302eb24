#!/usr/bin/env bash
# Search benchmark (issue 13, after issue 2). Writes the figures to docs/benchmarks.md. Two parts:
#  - engines: 50,000 synthetic providers on SQLite and on PostgreSQL, the text-match cache off and on, wrk at 4
#    connections against the JSON API and the search page for a one-word query, a three-facet filter, browse-all and
#    a word in every name; p50/p95/p99 (target p95 ≤ 25 ms) and the site's peak memory (target ≤ 500 MB), for this
#    build and, in the same run, for the previous engine (commit 377fccb, before issue 13), side by side;
#  - pages: the seed data only, on each database: throughput (wrk, 1 thread, 32 connections) of /fr/a-propos,
#    /fr/recherche?q=formation, /fr and a provider page, and their ratio to /fr/a-propos (targets: search ≥ 0.25,
#    home and provider page ≥ 0.35), for both builds.
#   bash tests/benchmarks/search.sh                                  # defaults: 50000 providers, 20 s per line
#   PROVIDERS=5000 DURATION=5 bash tests/benchmarks/search.sh        # a quick try
#   PARTS=pages bash tests/benchmarks/search.sh                      # only the page throughput (about 10 minutes)
#   PREVIOUS=none bash tests/benchmarks/search.sh                    # this build only (no previous engine)
#   ENGINES=Postgres PARTS=engines bash tests/benchmarks/search.sh    # one database only (a try: docs/benchmarks.md then
#                                                                     # holds only its lines; restore it with git)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
providers=${PROVIDERS:-50000}
duration=${DURATION:-20}
warmup=${WARMUP:-8}
page_duration=${PAGE_DURATION:-10}
page_warmup=${PAGE_WARMUP:-5}
parts=${PARTS:-engines pages}
previous=${PREVIOUS:-377fccb}   # the commit before issue 13: the previous engine
connections=4
page_connections=32
target_p95=25
target_memory=500
source tests/lib/services.sh

ensure_postgres_packages
ensure_packages 'command -v wrk' wrk

work=$(mktemp -d /tmp/marketplace-bench.XXXXXX)
site_pid=
previous_tree=
cleanup() {
  [ -n "$site_pid" ] && stop_site
  stop_postgres
  [ -n "$previous_tree" ] && git -C "$root" worktree remove --force "$previous_tree" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

has_part() { [[ " $parts " == *" $1 "* ]]; }

# Builds: « new » is this working tree; « previous » the commit before issue 13, checked out in a temporary git
# worktree and published the same way (Release, ReadyToRun).
builds=(new)
echo "Publishing the site (Release, ReadyToRun)…"
publish_site "$work/app-new"
if [ "$previous" != none ]; then
  previous_tree="$work/previous-src"
  git worktree add --detach "$previous_tree" "$previous" >/dev/null 2>&1
  echo "Publishing the previous engine ($previous)…"
  (cd "$previous_tree" && publish_site "$work/app-previous")
  builds=(previous new)
fi
build_label() { if [ "$1" = new ]; then echo "this build ($(git -C "$root" rev-parse --short HEAD))"; else echo "previous engine ($previous)"; fi; }

# name|query|which surfaces: the four the issue asks for.
scenarios=(
  "one-word|q=formation|api page"
  "three-facets|category=formation&region=06&pricing=tarif-reduit-obnl|api page"
  "browse-all||api page"
  "word in every name|q=synthetique|api"
)
latencies="$work/latencies.txt"   # build|engine|cache|surface|name|path|p50|p95|p99|rps|errors
memory="$work/memory.txt"         # build|engine|cache|seed seconds|published|rss|peak|highest sample and its phase
pages="$work/pages.txt"           # build|engine|name|path|rps|errors
: > "$latencies"; : > "$memory"; : > "$pages"

# What the site is doing (for the memory timeline): start, settle, the line being measured, changes.
set_phase() { echo "$1" > "$work/phase"; }
sampler_pid=

# Every 0.2 s while the site runs: its RSS, its anonymous memory (MB) and the phase, so that the peak can be placed.
sample_memory() {
  local pid=
  for _ in $(seq 1 100); do pid=$(site_process || true); [ -n "$pid" ] && break; sleep 0.1; done
  [ -n "$pid" ] || return 0
  while [ -r "/proc/$pid/status" ]; do
    echo "$(awk '/VmRSS/ {printf "%d", $2/1024}' "/proc/$pid/status" 2>/dev/null) $(awk '/^Anonymous/ {printf "%d", $2/1024}' "/proc/$pid/smaps_rollup" 2>/dev/null) $(cat "$work/phase")" >> "$work/rss.txt" || true
    sleep 0.2
  done
}

start_site() { # build, then extra environment assignments
  local build=$1 port; shift
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  set_phase start
  : > "$work/rss.txt"
  (cd "$work/app-$build" && env "$@" ASPNETCORE_URLS="http://127.0.0.1:$port" dotnet Marketplace.Web.dll >> "$work/site.log" 2>&1) &
  site_pid=$!
  sample_memory &
  sampler_pid=$!
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
  [ -n "$sampler_pid" ] && { kill "$sampler_pid" 2>/dev/null || true; wait "$sampler_pid" 2>/dev/null || true; }
  sampler_pid=
}

peak_phase() { # the highest RSS sample: « RSS MB (anonymous MB) during phase »
  sort -n -k1,1 "$work/rss.txt" | tail -n 1 | awk '{ phase = $3; for (i = 4; i <= NF; i++) phase = phase " " $i; printf "%s MB (anonymous %s MB) during %s", $1, $2, phase }'
}

site_process() { pgrep -P "$site_pid" | head -n 1; }

site_memory() { # rss and peak (MB) of the running site
  local pid
  pid=$(site_process)
  echo "$(awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$pid/status")|$(awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$pid/status")"
}

field() { sed -E "s/.* $1=([0-9.]+).*/\\1/" <<<"$2"; }

check_ok() { # url: one request must answer 200 before wrk repeats it
  local status
  status=$(curl -s -o /dev/null -w '%{http_code}' "$1")
  [ "$status" = 200 ] || { echo "GET $1 -> $status"; exit 1; }
}

measure() { # build engine cache surface name query
  local build=$1 engine=$2 cache=$3 surface=$4 name=$5 query=$6 url
  if [ "$surface" = api ]; then url="$base/api/v1/providers?$query"; else url="$base/fr/recherche?$query"; fi
  check_ok "$url"
  set_phase "$surface $name"
  wrk -t2 -c"$connections" -d"$warmup"s "$url" >/dev/null   # warm-up (JIT tiers, snapshot or index, caches)
  local line
  line=$(wrk -t2 -c"$connections" -d"${duration}s" --latency -s tests/benchmarks/report.lua "$url" | grep '^RESULT')
  local p50 p95 p99 rps errors
  p50=$(field p50 "$line"); p95=$(field p95 "$line"); p99=$(field p99 "$line"); rps=$(field rps "$line")
  errors=$(( $(field non2xx "$line") + $(field errors "$line") ))
  echo "[$build $engine] $surface $name ($cache): p50 $p50 ms, p95 $p95 ms, p99 $p99 ms, $rps req/s, $errors errors"
  echo "$build|$engine|$cache|$surface|$name|${url#"$base"}|$p50|$p95|$p99|$rps|$errors" >> "$latencies"
}

pg_psql() {
  PGPASSWORD="${PG_CONNECTION##*Password=}" psql -h 127.0.0.1 -p "$(sed -E 's/.*Port=([0-9]+).*/\1/' <<<"$PG_CONNECTION")" \
    -U "$(sed -E 's/.*Username=([^;]+).*/\1/' <<<"$PG_CONNECTION")" "$@"
}

use_database() { # build engine purpose [seed arguments…]: a fresh database and data directory, seeded
  local build=$1 engine=$2 purpose=$3; shift 3
  local name="bench_${purpose}_${build}" connection=""
  local data="$work/data-$engine-$name"
  current_database=$name current_data=$data
  mkdir -p "$data"
  if [ "$engine" = Postgres ]; then
    pg_psql -d postgres -qc "CREATE DATABASE $name" >/dev/null
    connection="$PG_CONNECTION;Database=$name"
  fi
  export Database__Provider=$engine ConnectionStrings__Marketplace=$connection Marketplace__DataDirectory=$data
  export Marketplace__ApiRequestsPerMinute=100000000 Marketplace__SearchPagesPerMinute=100000000 Marketplace__RequireHttps=false ASPNETCORE_ENVIRONMENT=Production
  bench_privacy
  export Logging__LogLevel__Default=Warning
  local started=$SECONDS
  (cd "$work/app-$build" && dotnet Marketplace.Web.dll seed "$@" >/dev/null)
  seed_seconds=$((SECONDS - started))
  # After a bulk load, as an operator would: otherwise autovacuum and analyze compete with the first measurements.
  if [ "$engine" = Postgres ]; then pg_psql -d "$name" -qc "VACUUM ANALYZE" >/dev/null; fi
}

run_engines() { # build engine: the latency scenarios at $providers synthetic providers, cache on then off
  local build=$1 engine=$2
  echo "[$build $engine] seeding $providers synthetic providers…"
  use_database "$build" "$engine" engines --synthetic "$providers"
  local cache setting total
  for cache in on off; do
    if [ "$cache" = on ]; then setting=256; else setting=0; fi
    # The results-page cache stays off here: these lines time the engine, not a page kept from an earlier request.
    start_site "$build" Marketplace__SearchTextCacheEntries=$setting Marketplace__SearchPageCacheEntries=0
    total=$(curl -fs "$base/api/v1/providers?pageSize=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
    echo "[$build $engine] site up (text-match cache $cache), $total published providers (seeded in ${seed_seconds}s)"
    # A fresh process has just built its index (or snapshot): let the collector and the JIT settle before the first line,
    # which otherwise pays for them alone.
    set_phase settle
    wrk -t2 -c"$connections" -d"${settle:-15}"s "$base/api/v1/providers?q=formation" >/dev/null
    wrk -t2 -c"$connections" -d"${settle:-15}"s "$base/fr/recherche?q=formation" >/dev/null
    for scenario in "${scenarios[@]}"; do
      IFS='|' read -r name query surfaces <<<"$scenario"
      for surface in $surfaces; do measure "$build" "$engine" "text cache $cache" "$surface" "$name" "$query"; done
    done
    if [ "$build" = new ] && [ "$cache" = on ]; then update_to_visible "$engine"; fi
    local mem
    mem=$(site_memory)
    local highest
    highest=$(peak_phase)
    echo "[$build $engine] site memory (cache $cache): RSS ${mem%|*} MB now, peak ${mem#*|} MB; highest sample $highest"
    echo "$build|$engine|$cache|$seed_seconds|$total|$mem|$highest" >> "$memory"
    stop_site
  done
}

# Update-to-visible while searches run (issue 13). Changes are made in the database as another instance makes them
# (tests/benchmarks/update_visible.sh: a listing's text, the counter and the change log in one transaction), so each one
# is found by this site's background follower: the « another instance » path. The instance that makes a change itself
# catches up before it answers, so its path is shorter; both targets (1 s and 2 s) are checked against this one.
update_to_visible() { # engine
  local engine=$1 db line searches
  set_phase changes
  if [ "$engine" = Postgres ]; then
    db="host=127.0.0.1 port=$(sed -E 's/.*Port=([0-9]+).*/\1/' <<<"$PG_CONNECTION") user=$(sed -E 's/.*Username=([^;]+).*/\1/' <<<"$PG_CONNECTION") password=${PG_CONNECTION##*Password=} dbname=$current_database"
  else
    db="$current_data/marketplace.db"
  fi
  # Searches keep running meanwhile: a one-word query with the text-match cache on, as a busy site would see.
  wrk -t1 -c"$connections" -d600s --latency -s tests/benchmarks/report.lua "$base/api/v1/providers?q=formation" > "$work/visible-wrk.txt" 2>&1 &
  local wrk_pid=$!
  sleep 2
  line=$(UPDATES=${UPDATES:-40} bash tests/benchmarks/update_visible.sh "$engine" "$base" "$db" | grep '^RESULT')
  kill -INT "$wrk_pid" 2>/dev/null || true
  wait "$wrk_pid" 2>/dev/null || true
  searches=$(grep '^RESULT' "$work/visible-wrk.txt" | sed -E 's/.* p95=([0-9.]+).*/\1/' || echo "?")
  echo "[new $engine] update-to-visible: $line; searches meanwhile p95 ${searches} ms"
  echo "$engine|$(field n "$line")|$(field p50 "$line")|$(field p95 "$line")|$(field max "$line")|$searches" >> "$work/visible.txt"
}

page_throughput() { # build engine: the seed data only, wrk -t1 -c32 on the four pages
  local build=$1 engine=$2
  echo "[$build $engine] seed data only, page throughput…"
  use_database "$build" "$engine" pages
  start_site "$build"
  local slug
  slug=$(curl -fs "$base/api/v1/providers?pageSize=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["slug"])')
  # /fr/a-propos (no database work) before each page and after the last: each page's ratio is to the mean of the two
  # around it, so that other work on the machine moving during the run moves both sides.
  local page path url line rps errors
  for page in "about|/fr/a-propos" "search|/fr/recherche?q=formation" "about|/fr/a-propos" "home|/fr" "about|/fr/a-propos" \
      "provider|/fr/fournisseurs/$slug" "about|/fr/a-propos"; do
    IFS='|' read -r name path <<<"$page"
    url="$base$path"
    check_ok "$url"
    wrk -t1 -c"$page_connections" -d"${page_warmup}s" "$url" >/dev/null
    line=$(wrk -t1 -c"$page_connections" -d"${page_duration}s" --latency -s tests/benchmarks/report.lua "$url" | grep '^RESULT')
    rps=$(field rps "$line"); errors=$(( $(field non2xx "$line") + $(field errors "$line") ))
    echo "[$build $engine] $path: $rps req/s, $errors errors"
    echo "$build|$engine|$name|$path|$rps|$errors" >> "$pages"
  done
  stop_site
}

read -r -a engines <<<"${ENGINES:-Sqlite Postgres}"
PG_EXTRA_OPTIONS="-c shared_buffers=256MB" start_postgres
for engine in "${engines[@]}"; do
  for build in "${builds[@]}"; do
    if has_part engines; then run_engines "$build" "$engine"; fi
    if has_part pages; then page_throughput "$build" "$engine"; fi
  done
done

# docs/benchmarks.md: the search section is rewritten, other sections are kept; a part not run keeps its figures.
wrk_version=$(wrk -v 2>&1 | awk 'NR==1 {print $2}' || true)   # wrk -v exits with 1
machine="$(lscpu | awk -F: '/Model name/ {gsub(/^ +/,"",$2); print $2; exit}'), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(. /etc/os-release; echo "$PRETTY_NAME"), .NET SDK $(dotnet --version), PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}'), wrk $wrk_version"
invocation="$(if [ "$parts" != "engines pages" ]; then echo "PARTS=\"$parts\" "; fi)$(if [ "$previous" != 377fccb ]; then echo "PREVIOUS=$previous "; fi)"
settings="$(if [ "$providers" != 50000 ] || [ "$duration" != 20 ] || [ "$warmup" != 8 ]; then echo "PROVIDERS=$providers DURATION=$duration WARMUP=$warmup "; fi)"
page_settings="$(if [ "$page_duration" != 10 ]; then echo "PAGE_DURATION=$page_duration "; fi)"
at="$(date -u '+%Y-%m-%d %H:%M UTC')"
on="$machine (load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); other work on the machine shares the cores)"
measured_engines="Measured $at by \`$invocation${settings}bash tests/benchmarks/search.sh\` on: $on."
measured_pages="Measured $at by \`$invocation${page_settings}bash tests/benchmarks/search.sh\` on: $on."
new_label=$(build_label new); previous_label=$(build_label previous)
export providers duration warmup connections page_duration page_warmup page_connections target_p95 target_memory measured_engines measured_pages new_label previous_label previous
python3 tests/benchmarks/search_report.py "$work" docs/benchmarks.md "$parts"
echo "Written to docs/benchmarks.md"
