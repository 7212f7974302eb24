#!/usr/bin/env bash
# Digest benchmark (issue 5): builds and sends weekly digests to a local SMTP server (Debian's aiosmtpd, writing a
# Maildir), on SQLite and on PostgreSQL. Synthetic providers and requests are matched, then synthetic opted-in people
# with news are added in steps (a quarter, a half, all of DIGESTS); at each step the outbox is emptied and
# `jobs run digest --period 2026-W47` builds and sends one digest per person, timed separately, with the process's
# memory sampled. Targets on this 2-core machine: at least 200 messages per second for the send, and memory flat as
# the count grows. Writes the figures to docs/benchmarks.md (section « digest »).
#   bash tests/benchmarks/digest.sh                      # defaults: 10000 digests, steps 2500 5000 10000
#   DIGESTS=1000 ENGINES=Sqlite bash tests/benchmarks/digest.sh   # a quick try
#   PROVIDERS, REQUESTS (defaults 2000 and 2000: people are dealt to the matched organizations in turn), STEPS ("2500 5000 10000"), ENGINES ("Sqlite Postgres"),
#   DIGEST_ENV (extra settings for every digest run), COMPARE_LOOPS ("1 8": the largest step again with these values of
#   Email:SendParallelism), NO_DOC=1 (do not write docs/benchmarks.md), SMTP_HANDLER=Mailbox (aiosmtpd's own Maildir
#   handler, which parses each message and writes it again, instead of tests/lib/raw_maildir.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
digests=${DIGESTS:-10000}
providers=${PROVIDERS:-2000}
requests=${REQUESTS:-2000}
steps=${STEPS:-"$((digests / 4)) $((digests / 2)) $digests"}
engines=${ENGINES:-"Sqlite Postgres"}
period=2026-W47
source tests/lib/services.sh

ensure_postgres_packages
ensure_smtp_packages
ensure_packages 'test -x /usr/bin/time' time

work=$(mktemp -d /tmp/marketplace-digest-bench.XXXXXX)
cleanup() {
  stop_smtp
  stop_postgres
  rm -rf "$work"
}
trap cleanup EXIT

load_start=$(awk '{print $1", "$2", "$3}' /proc/loadavg)
echo "Publishing the site (Release, ReadyToRun)…"
publish_site "$work/app"
start_smtp
maildir="$SMTP_MAILDIR/new"

results="$work/results.md"
: > "$results"
verdicts="$work/verdicts.txt"
: > "$verdicts"
: > "$work/setup.txt"

# cli ARGS… : runs the published app as a command under /usr/bin/time -v; sets out, wall (s), peak (MB), cpu (s).
cli() {
  (cd "$work/app" && /usr/bin/time -v -o "$work/time.txt" dotnet Marketplace.Web.dll "$@" > "$work/out.txt")
  out=$(cat "$work/out.txt")
  read_time
}

read_time() {
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; printf "%.1f", s}' "$work/time.txt")
  peak=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$work/time.txt")
  cpu=$(awk -F': ' '/User time|System time/ {s+=$2} END {printf "%.1f", s}' "$work/time.txt")
}

# cpu_of PID : user + system CPU seconds of a process so far.
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / hz}' "/proc/$1/stat"; }

# dotnet_under PID : the first dotnet process below PID (the digest run, started by /usr/bin/time).
dotnet_under() {
  local child
  for child in $(pgrep -P "$1"); do
    if [ "$(cat "/proc/$child/comm" 2>/dev/null)" = dotnet ]; then echo "$child"; return 0; fi
    dotnet_under "$child" && return 0
  done
  return 1
}

# digest ENGINE STEP [files] : empties the outbox and the Maildir, runs `jobs run digest` while sampling its resident
# memory every 0.2 s (build phase: before its line of counts; send phase: after), and records one line of the table.
# With « files », the same run with Email:Transport=Files (.eml files, no SMTP server): what the sender does alone.
digest() {
  local engine=$1 step=$2 variant=${3:-smtp} inbox transport=Smtp extra=""
  inbox=$maildir
  if [ "$variant" = files ]; then inbox="$work/data-$engine/mail"; transport=Files; fi
  if [[ "$variant" == smtp:* ]]; then extra="Email__SendParallelism=${variant#smtp:}"; fi
  if [ "$variant" = resend ]; then unsend_outbox "$engine"; else clear_outbox "$engine"; fi
  rm -rf "$inbox" && mkdir -p "$inbox"
  local smtp_cpu_before
  smtp_cpu_before=$(cpu_of "$SMTP_PID")
  : > "$work/out.txt"
  (cd "$work/app" && env Email__Transport=$transport ${DIGEST_ENV:-} $extra /usr/bin/time -v -o "$work/time.txt" \
    dotnet Marketplace.Web.dll jobs run digest --period "$period" > "$work/out.txt") &
  local runner=$! pid="" build_max=0 send_max=0 send_first=0 send_last=0 rss lines
  while kill -0 "$runner" 2>/dev/null; do
    [ -n "$pid" ] || pid=$(dotnet_under "$runner" || true)
    if [ -n "$pid" ] && rss=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$pid/status" 2>/dev/null) && [ -n "$rss" ]; then
      # The build ends with the command's first line of counts (a logged warning may come before it).
      lines=$(grep -c "digests built" "$work/out.txt" || true)
      if [ "$lines" -eq 0 ]; then
        if [ "$rss" -gt "$build_max" ]; then build_max=$rss; fi
      else
        if [ "$send_first" -eq 0 ]; then send_first=$rss; fi
        send_last=$rss
        if [ "$rss" -gt "$send_max" ]; then send_max=$rss; fi
      fi
    fi
    sleep 0.2
  done
  wait "$runner" || { echo "[$engine] the digest run failed: $(cat "$work/out.txt")"; exit 1; }
  out=$(cat "$work/out.txt")
  read_time
  local smtp_cpu received built build_ms sent send_ms rate kb verdict label
  smtp_cpu=$(awk -v a="$smtp_cpu_before" -v b="$(cpu_of "$SMTP_PID")" 'BEGIN {printf "%.1f", b - a}')
  received=$(find "$inbox" -type f | wc -l)
  kb=$(find "$inbox" -type f -printf '%s\n' | awk '{s += $1; n++} END {printf "%.0f", (n ? s / n / 1024 : 0)}')
  built=$(sed -nE 's/.*digests built ([0-9]+).*/\1/p' <<<"$out")
  build_ms=$(sed -nE 's/.*nothing new.*elapsed ([0-9]+) ms.*/\1/p' <<<"$out")
  sent=$(sed -nE 's/.*sent now ([0-9]+),.*/\1/p' <<<"$out")
  send_ms=$(sed -nE 's/.*sent now.*elapsed ([0-9]+) ms.*/\1/p' <<<"$out")
  rate=$(awk -v n="$sent" -v ms="$send_ms" 'BEGIN {printf "%.0f", (ms > 0 ? n * 1000 / ms : 0)}')
  echo "[$engine] $step people, $variant: $out (process ${wall} s, cpu ${cpu} s, smtp server cpu ${smtp_cpu} s, peak ${peak} MB," \
    "build max ${build_max} MB, send ${send_first}→${send_last} max ${send_max} MB, $received received, ~${kb} KB each)"
  verdict=""
  if [ "$variant" = resend ]; then built=$sent; fi
  if [ "$received" -ne "$sent" ] || [ "$sent" -ne "$built" ]; then verdict="**$received received of $built built**, "; fi
  if [ "$rate" -lt 200 ]; then verdict="$verdict**under 200 msg/s**"; else verdict="${verdict}ok"; fi
  label="SMTP"
  if [[ "$variant" == smtp:* ]]; then label="SMTP, ${variant#smtp:} sender loop(s)"; fi
  if [ "$variant" = files ]; then label="files (no SMTP server)"; verdict="(the sender alone)"; smtp_cpu="-"; fi
  if [ "$variant" = resend ]; then label="SMTP, send only"; fi
  echo "| $engine | $label | $built | $(fmt "$build_ms") | $sent | $received | $kb | $(fmt "$send_ms") | **$rate** | $cpu | $smtp_cpu | $build_max | $send_first → $send_last | $send_max | $peak | $verdict |" >> "$results"
  if [ "$variant" = smtp ]; then echo "$engine|$built|$rate|$send_max|$peak" >> "$verdicts"; fi
  if [ "$variant" = resend ]; then echo "$engine|$sent|$rate|$send_max|$peak" >> "$work/verdicts-resend.txt"; fi
}

# verdict_lines LABEL FILE : one line per engine from engine|count|rate|send RSS max|peak lines, first and last step.
verdict_lines() {
  awk -F'|' -v what="$1" '{
      if (!($1 in first)) { first[$1] = $4; firstpeak[$1] = $5; firstn[$1] = $2; order[++n] = $1 }
      last[$1] = $4; lastpeak[$1] = $5; lastn[$1] = $2; rate[$1] = $3
    }
    END {
      for (i = 1; i <= n; i++) {
        e = order[i]
        growth = 0
        if (first[e] > 0) growth = (last[e] - first[e]) * 100 / first[e]
        met = "target met"
        if (rate[e] < 200) met = "**under the 200 msg/s target**"
        flat = "flat"
        if (growth > 20) flat = "**grows**"
        printf "- %s%s: %s msg/s for %s digests (%s); memory of the send at most %s MB for %s digests, %s MB for %s (%+.0f%%: %s); whole-process peak %s → %s MB.\n", e, what, rate[e], lastn[e], met, first[e], firstn[e], last[e], lastn[e], growth, flat, firstpeak[e], lastpeak[e]
      }
    }' "$2"
}

fmt() { awk -v ms="$1" 'BEGIN {printf "%.1f", ms / 1000}'; }

# outbox_sql ENGINE SQL : runs one statement on the benchmark's database (then VACUUM ANALYZE on PostgreSQL).
outbox_sql() {
  if [ "$1" = Sqlite ]; then
    /usr/bin/python3 - "$work/data-Sqlite/marketplace.db" "$2" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit(); c.close()
PY
  else
    pg_psql -d marketplace_digest_bench -q -c "$2" -c 'VACUUM ANALYZE outbox_emails' >/dev/null
  fi
}

clear_outbox() { outbox_sql "$1" 'DELETE FROM outbox_emails'; }

# unsend_outbox ENGINE : the period's rows as they were before their first send (the next run builds nothing and sends
# them all again): the process then is the sender alone, so its memory is the sender's.
unsend_outbox() {
  outbox_sql "$1" 'UPDATE outbox_emails SET "SentAt" = NULL, "Attempts" = 0, "LeaseToken" = NULL, "LastError" = NULL, "NextAttemptAt" = "CreatedAt"'
}

run_engine() {
  local engine=$1 connection=$2
  local data="$work/data-$engine"
  mkdir -p "$data"
  export Database__Provider=$engine ConnectionStrings__Marketplace=$connection Marketplace__DataDirectory=$data
  export ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning Jobs__Enabled=false
  bench_privacy
  export Marketplace__ReverificationReminders=false Marketplace__PublicBaseUrl=https://panier.exemple.invalid
  export Email__SmtpHost=127.0.0.1 Email__SmtpPort=$SMTP_PORT Email__BackgroundSender=false

  echo "[$engine] seeding $providers synthetic providers and $requests synthetic requests, then matching…"
  cli seed --synthetic "$providers" --synthetic-requests "$requests"
  local seed_wall=$wall
  [ "$engine" = Postgres ] && pg_psql -d marketplace_digest_bench -qc "VACUUM ANALYZE" >/dev/null
  cli jobs run matching
  local matching_wall=$wall
  echo "[$engine] seeded in ${seed_wall} s, matched in ${matching_wall} s: $out"
  local have=0 recipients_wall=0
  for step in $steps; do
    cli seed --synthetic-digest-recipients $((step - have))
    recipients_wall=$(awk -v a="$recipients_wall" -v b="$wall" 'BEGIN {print a + b}')
    echo "[$engine] $out"
    have=$step
    [ "$engine" = Postgres ] && pg_psql -d marketplace_digest_bench -qc "VACUUM ANALYZE" >/dev/null
    digest "$engine" "$step"
    digest "$engine" "$step" resend
  done
  for loops in ${COMPARE_LOOPS:-}; do digest "$engine" "$have" "smtp:$loops"; done
  digest "$engine" "$have" files
  echo "$engine|$seed_wall|$matching_wall|$recipients_wall" >> "$work/setup.txt"
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
      pg_psql -d postgres -qc "CREATE DATABASE marketplace_digest_bench" >/dev/null
      run_engine Postgres "$PG_CONNECTION;Database=marketplace_digest_bench"
      stop_postgres
      ;;
    *) echo "Unknown engine $engine (Sqlite, Postgres)"; exit 2 ;;
  esac
done

# The SMTP server alone: a Python smtplib client replays the last run's messages (the same mix of sizes) over one
# connection, with a new connection per message, and from two and four clients at once — the ceiling of the set-up.
ceiling="$work/ceiling.txt"
/usr/bin/python3 - "$SMTP_PORT" "$maildir" "${CEILING_MESSAGES:-2000}" > "$ceiling" <<'PY'
import os, re, smtplib, sys, time
from concurrent.futures import ThreadPoolExecutor
port, maildir, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
# The Maildir copies have bare LF line ends (smtplib sends bytes as they are) and the server's three X- headers.
messages = [re.sub(rb"\r?\n", b"\r\n", open(os.path.join(maildir, f), "rb").read()) for f in sorted(os.listdir(maildir))[:count]]
print(f"size|{sum(map(len, messages)) / len(messages) / 1024:.0f}")
def send(part, reuse):
    client = smtplib.SMTP("127.0.0.1", port) if reuse else None
    for message in part:
        c = client or smtplib.SMTP("127.0.0.1", port)
        c.sendmail("no-reply@panier.invalid", ["ceiling@synthetique.invalid"], message)
        if not reuse: c.quit()
    if client: client.quit()
for label, clients, reuse in [("1 client, one connection", 1, True), ("1 client, a connection per message", 1, False),
                              ("2 clients, one connection each", 2, True), ("4 clients, one connection each", 4, True)]:
    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(lambda k: send(messages[k::clients], reuse), range(clients)))
    print(f"{label}|{len(messages) / (time.perf_counter() - start):.0f}")
PY
echo "SMTP server alone:"; cat "$ceiling"

[ -z "${NO_DOC:-}" ] || { cat "$results"; exit 0; }

# docs/benchmarks.md: the digest section is rewritten, other sections are kept, and so is the hand-written history
# inside it (<!-- digest-history:begin --> … <!-- digest-history:end -->).
pg_version=$(/usr/lib/postgresql/*/bin/postgres --version 2>/dev/null | awk '{print $3}' | sort -V | tail -n 1)
load=$(awk '{print $1", "$2", "$3}' /proc/loadavg)
machine="$(lscpu | awk -F: '/Model name/ {gsub(/^ +/,"",$2); print $2; exit}'), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(. /etc/os-release; echo "$PRETTY_NAME"), .NET SDK $(dotnet --version), PostgreSQL $pg_version, aiosmtpd $(/usr/bin/python3 -c 'import aiosmtpd; print(aiosmtpd.__version__)')"
section="$work/section.md"
{
  echo "<!-- digest:begin -->"
  echo "## Digests (issue 5)"
  echo
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') by \`bash tests/benchmarks/digest.sh\` on: $machine"
  echo "(load average at the start: $load_start, at the end: $load; other work on the machine shares the 2 cores, and the"
  echo "SMTP server, the database and the sender share them too)."
  echo
  echo "Set-up: published Release build (ReadyToRun), \`ASPNETCORE_ENVIRONMENT=Production\`, $providers synthetic providers and $requests open requests"
  echo "from synthetic nonprofits, matched (\`seed --synthetic $providers --synthetic-requests $requests\`, \`jobs run matching\`), then"
  echo "synthetic opted-in people with news added in steps up to $(echo $steps | sed 's/ /, /g') (\`seed --synthetic-digest-recipients\`: three"
  echo "nonprofit staff for one provider staff, dealt to the matched organizations in turn), plus the seed data's demonstration"
  echo "accounts. At each step the outbox and the Maildir are emptied and one \`jobs run digest --period $period\` process builds"
  echo "and sends a first digest to everyone: every current match is news, so these are the largest digests there are (a"
  echo "later week lists only what is new). SMTP goes to aiosmtpd on loopback (Python, one thread), which writes each message"
  if [ "${SMTP_HANDLER:-}" = Mailbox ]; then
    echo "into a Maildir through aiosmtpd's own \`Mailbox\` handler (it parses each message and writes it again; \`SMTP_HANDLER=Mailbox\`)."
  else
    echo "into a Maildir as it arrived (\`tests/lib/raw_maildir.py\`, as in the tests)."
  fi
  echo "The « files » line is the largest step again with \`Email:Transport=Files\` (.eml files, no SMTP server):"
  echo "what the sender costs alone. « SMTP » lines use the default settings (\`Email:SendParallelism\` 8, no pace); « N sender"
  echo "loop(s) » lines are the largest step again with that setting; « send only » lines send the step's rows again after"
  echo "marking them unsent, so the process builds nothing and its memory is the sender's alone. Extra settings:"
  echo "\`${DIGEST_ENV:-none}\`. « build » and « send » are the command's own timings;"
  echo "« received » counts the files that arrived; CPU is user + system seconds of the whole process and of the SMTP server"
  echo "during the run; memory is the process's resident set, sampled every 0.2 s during the build and during the send (first →"
  echo "last sample of the send), and its peak from \`/usr/bin/time -v\`. Targets: at least 200 messages per second for the"
  echo "send; memory flat as the count grows."
  echo
  echo "| engine | transport | digests built | build (s) | sent | received | mean size (KB) | send (s) | msg/s | CPU app (s) | CPU SMTP server (s) | build RSS max (MB) | send RSS (MB) | send RSS max (MB) | peak RSS (MB) | verdict |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  cat "$results"
  echo
  echo -n "Set-up time (wall clock, s):"
  while IFS='|' read -r engine seed matching recipients; do echo -n " $engine: seed $seed, matching $matching, recipients $recipients;"; done < "$work/setup.txt"
  echo
  echo
  echo "The SMTP server alone: a Python \`smtplib\` client replays ${CEILING_MESSAGES:-2000} of the last run's messages (mean"
  echo -n "$(sed -n 's/^size|//p' "$ceiling") KB) to the same aiosmtpd:"
  grep -v '^size|' "$ceiling" | while IFS='|' read -r label rate; do echo -n " $label: $rate msg/s;"; done
  echo
  echo
  echo "Verdicts:"
  verdict_lines "" "$verdicts"
  echo "- The same steps once more with the rows already built (« send only »: the process is the sender alone, its memory"
  echo "  is not the build's):"
  verdict_lines ", send only" "$work/verdicts-resend.txt" | sed 's/^/  /'
  if [ -f docs/benchmarks.md ]; then
    python3 - docs/benchmarks.md <<'PY'
import re, sys
m = re.search(r"<!-- digest-history:begin -->.*?<!-- digest-history:end -->", open(sys.argv[1]).read(), re.S)
if m: print("\n" + m.group(0))
PY
  fi
  echo "<!-- digest:end -->"
} > "$section"

doc=docs/benchmarks.md
if [ ! -f "$doc" ]; then printf '# Benchmarks\n\nFigures written by the scripts in `tests/benchmarks/`. Each section says when and on which machine it was measured.\n\n' > "$doc"; fi
python3 - "$doc" "$section" <<'PY'
import re, sys
doc, section = open(sys.argv[1]).read(), open(sys.argv[2]).read().rstrip("\n")
pattern = re.compile(r"<!-- digest:begin -->.*?<!-- digest:end -->", re.S)
doc = pattern.sub(lambda _: section, doc) if pattern.search(doc) else doc.rstrip("\n") + "\n\n" + section + "\n"
open(sys.argv[1], "w").write(doc)
PY
echo "Written to $doc"
cat "$results"
