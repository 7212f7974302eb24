#!/usr/bin/env bash
# Update-to-visible (issue 13): UPDATES changes made in the database the way another instance makes them (a published
# listing's French description gets a new word, the search counter is bumped and the change logged, in one transaction),
# each timed from its commit until the running site's search API finds the new word. Run it while a load generator keeps
# searching: the site applies changes in the background and searches never wait. This is the slower path (another
# instance's change, found by the 250 ms follower); the instance that makes a change catches up before it answers.
#   bash tests/benchmarks/update_visible.sh Postgres http://127.0.0.1:5000 "host=… dbname=… user=…"
#   bash tests/benchmarks/update_visible.sh Sqlite   http://127.0.0.1:5000 /path/to/marketplace.db
# Prints one line: RESULT n=… p50=… p95=… max=… (milliseconds).
set -euo pipefail
engine=$1 base=$2 db=$3
updates=${UPDATES:-30}

sql() {
  if [ "$engine" = Postgres ]; then psql "$db" -qAt -v ON_ERROR_STOP=1 -c "$1"
  else sqlite3 -cmd ".timeout 10000" "$db" "$1"; fi
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

mapfile -t ids < <(sql "SELECT \"Id\" FROM providers WHERE \"Status\" = 'Published' ORDER BY \"Id\" DESC LIMIT $updates")
letters=({a..z})
run=$(tr -dc a-z </dev/urandom | head -c 6 || true)  # letters only: digits would split the word (loi25 → loi 25)
times=()
for i in "${!ids[@]}"; do
  id=${ids[$i]}
  slug=$(sql "SELECT \"Slug\" FROM providers WHERE \"Id\" = $id")
  word="majvis${run}${letters[$((i / 26 % 26))]}${letters[$((i % 26))]}"
  if [ "$engine" = Postgres ]; then at="now()"; else at="(CAST(strftime('%s','now') AS INTEGER) * 10000000 + 621355968000000000)"; fi
  sql "BEGIN;
       UPDATE search_index_state SET \"Version\" = \"Version\" + 1 WHERE \"Id\" = 1;
       UPDATE providers SET \"DescriptionFr\" = \"DescriptionFr\" || ' $word' WHERE \"Id\" = $id;
       INSERT INTO search_changes (\"Version\", \"Kind\", \"ProviderId\", \"At\")
         SELECT \"Version\", 'Provider', $id, $at FROM search_index_state WHERE \"Id\" = 1;
       COMMIT;" >/dev/null
  start=$(now_ms)
  # Found when this listing is among the results (stemming may bring others whose made-up word shares its stem).
  until curl -fs "$base/api/v1/providers?q=$word&pageSize=100" | grep -q "\"slug\":\"$slug\""; do
    if [ $(( $(now_ms) - start )) -gt 10000 ]; then echo "not visible after 10 s: $word (provider $id)" >&2; exit 1; fi
    sleep 0.01
  done
  times+=($(( $(now_ms) - start )))
done
printf '%s\n' "${times[@]}" | sort -n | awk '{ v[NR] = $1 } END {
  p50 = v[int((NR - 1) * 0.50) + 1]; p95 = v[int((NR - 1) * 0.95) + 1];
  printf "RESULT n=%d p50=%d p95=%d max=%d\n", NR, p50, p95, v[NR] }'
