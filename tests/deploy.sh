#!/usr/bin/env bash
# The Docker deployment, tested (issue 15, ADR 0034): builds the images of deploy/, brings up the single-instance stack
# of deploy/compose.yaml (PostgreSQL + the site), runs a smoke journey, sends an email through the SMTP relay of the
# profile « smtp », takes it down; then the two-instance stack
# (profile « scale »: two sites and nginx on one PostgreSQL) and checks that a sign-in and an antiforgery token made on
# instance A are accepted by B, that a listing approved through A is found by B's search within 2 s, and that the
# weekly digest scheduled by Hangfire runs once across both: the scale stack runs with the digest's cron every minute
# and both schedulers polling every second (JOBS_DIGEST_CRON, JOBS_SCHEDULE_POLL_SECONDS), so an occurrence comes due on
# both instances; job_runs must hold exactly one scheduled run (trigger digest-weekly) for it, with both Hangfire servers
# registered, and one digest per subscriber in the outbox and in the two mail folders. The concurrent
# `jobs run digest` on both instances is kept afterwards, for the same period: it checks the command's path and that
# running it after the scheduled run adds no outbox row. Prints every check, exits non-zero on any failure, and always
# takes the stacks down (volumes included).
#
# Where no registry is reachable (this machine), the base images are built locally: local/debian:bookworm
# (tests/lib/docker.sh), local/dotnet-sdk:10.0 and local/dotnet-aspnet:10.0 from this machine's /usr/share/dotnet,
# local/postgres-deploy:15, local/nginx-deploy and local/smtp-relay-deploy from deploy/postgres, deploy/nginx and
# deploy/smtp-relay. Set DEPLOY_OFFICIAL_IMAGES=1
# to use Microsoft's, PostgreSQL's and nginx's official images instead.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
started=$(date +%s)
build_log=$(mktemp /tmp/marketplace-deploy-build.XXXXXX)

source tests/lib/services.sh
source tests/lib/docker.sh

say() { printf '\n== %s\n' "$*"; }

# 1. Docker engine, Compose (Debian 12 has docker-compose 1.29; a v2 plugin is used when present).
ensure_docker
if docker compose version >/dev/null 2>&1; then
  compose_bin=(docker compose)
else
  ensure_packages 'command -v docker-compose' docker-compose
  compose_bin=(docker-compose)
fi
project=marketplace-deploy-test
compose=("${compose_bin[@]}" -p "$project" -f deploy/compose.yaml)
export DEPLOY_COMPOSE="${compose[*]}"
echo "Compose: $("${compose_bin[@]}" version --short 2>/dev/null || "${compose_bin[@]}" version | head -n 1)"

# 2. Images.
say "Images"
if [ "${DEPLOY_OFFICIAL_IMAGES:-0}" = 1 ]; then
  sdk_image=mcr.microsoft.com/dotnet/sdk:10.0
  runtime_image=mcr.microsoft.com/dotnet/aspnet:10.0
  export POSTGRES_IMAGE=postgres:17 NGINX_IMAGE=nginx:stable
else
  ensure_base_image
  dotnet_version=$(dotnet --version)
  # An image is built again when this machine's .NET changed (label) or its Dockerfile did (label).
  # The certificate authorities this machine trusts beyond Debian's (e.g. an egress proxy's), for NuGet inside the SDK
  # image only: public certificates, no secret, and never in the site's image.
  extra_ca=$(mktemp -d /tmp/marketplace-ca.XXXXXX)
  find /etc/ssl/certs -maxdepth 1 -type f -name '*.pem' ! -name 'ssl-cert-snakeoil.pem' -exec cp {} "$extra_ca" \;
  find /usr/local/share/ca-certificates -type f -name '*.crt' -exec cp {} "$extra_ca" \; 2>/dev/null || true
  for f in "$extra_ca"/*.pem; do [ -e "$f" ] && mv "$f" "${f%.pem}.crt"; done
  build_local() { # IMAGE DOCKERFILE CONTEXT-KIND: the .NET images, whose context is this machine's .NET (a tar stream)
    local image=$1 dockerfile=$2 kind=$3 stamp
    stamp="$dotnet_version-$(cat "$dockerfile" "$extra_ca"/* 2>/dev/null | sha256sum | cut -c1-12)"
    if [ "$(docker image inspect -f '{{index .Config.Labels "marketplace.stamp"}}' "$image" 2>/dev/null)" = "$stamp" ]; then
      echo "$image: up to date"; return 0
    fi
    echo "Building $image"
    case $kind in
      sdk) tar -C "$(dirname "$dockerfile")" -c "$(basename "$dockerfile")" -C "$(dirname "$extra_ca")" \
             --transform "s|^$(basename "$extra_ca")|extra-ca|" "$(basename "$extra_ca")" -C /usr/share/dotnet \
             dotnet LICENSE.txt ThirdPartyNotices.txt host shared packs sdk sdk-manifests templates ;;
      aspnet) tar -C "$(dirname "$dockerfile")" -c "$(basename "$dockerfile")" -C /usr/share/dotnet \
             dotnet LICENSE.txt ThirdPartyNotices.txt host shared ;;
    esac | docker build --network host -q --label "marketplace.stamp=$stamp" --build-arg "BASE_IMAGE=$DOCKER_BASE_IMAGE" \
             -f "$(basename "$dockerfile")" -t "$image" - > "$build_log" 2>&1 \
      || { tail -n 30 "$build_log"; echo "deploy: $image did not build"; exit 1; }
  }
  build_local local/dotnet-sdk:10.0 tests/deploy/dotnet-sdk.Dockerfile sdk
  build_local local/dotnet-aspnet:10.0 tests/deploy/dotnet-aspnet.Dockerfile aspnet
  # Images whose context is a folder of this repository: the same content-hash rule as the tests' images.
  for pair in local/postgres-deploy:15=deploy/postgres local/nginx-deploy:latest=deploy/nginx \
              local/smtp-relay-deploy:latest=deploy/smtp-relay; do
    dir=${pair#*=}
    mapfile -t files < <(find "$dir" -type f ! -name Dockerfile | sort)
    ensure_local_image "${pair%%=*}" "$dir" "$dir/Dockerfile" "${files[@]}" -- "BASE_IMAGE=$DOCKER_BASE_IMAGE" \
      || { echo "deploy: ${pair%%=*} did not build"; exit 1; }
  done
  export SMTP_RELAY_IMAGE=local/smtp-relay-deploy:latest
  sdk_image=local/dotnet-sdk:10.0
  runtime_image=local/dotnet-aspnet:10.0
  export POSTGRES_IMAGE=local/postgres-deploy:15 NGINX_IMAGE=local/nginx-deploy:latest
  rm -rf "$extra_ca"
fi
export MARKETPLACE_IMAGE=marketplace:deploy-test
echo "Building $MARKETPLACE_IMAGE (deploy/Dockerfile, restore inside the build from the package source this machine uses)"
build_started=$(date +%s)
docker build --network host -f deploy/Dockerfile \
  --build-arg "SDK_IMAGE=$sdk_image" --build-arg "RUNTIME_IMAGE=$runtime_image" \
  --build-arg "NUGET_CERT_REVOCATION_MODE=${NUGET_CERT_REVOCATION_MODE:-online}" \
  -t "$MARKETPLACE_IMAGE" . > "$build_log" 2>&1 \
  || { tail -n 40 "$build_log"; echo "deploy: the image did not build"; exit 1; }
echo "built in $(( $(date +%s) - build_started )) s; $(docker image inspect -f '{{.Config.User}}' "$MARKETPLACE_IMAGE" | sed 's/^/user: /')"
[ "$(docker image inspect -f '{{.Config.User}}' "$MARKETPLACE_IMAGE")" = app ] || { echo "deploy: the image must not run as root"; exit 1; }

# 3. Settings: secrets from the environment (here: throw-away values), the Production privacy settings.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
export POSTGRES_PASSWORD
POSTGRES_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
export MARKETPLACE_PUBLIC_BASE_URL=https://annuaire.deploy-test.invalid
export PRIVACY_OFFICER_NAME="Responsable des essais de déploiement" PRIVACY_OFFICER_EMAIL="vie-privee@deploy-test.example"
export PRIVACY_OPERATOR="Essai de déploiement" PRIVACY_HOSTING_LOCATION="Machine d'essai locale"
export MARKETPLACE_PORT MARKETPLACE_PORT_B MARKETPLACE_PROXY_PORT
MARKETPLACE_PORT=$(free_port); MARKETPLACE_PORT_B=$(free_port); MARKETPLACE_PROXY_PORT=$(free_port)
export MARKETPLACE_SUBNET=${MARKETPLACE_SUBNET:-172.30.57.0/24}

down() { "${compose[@]}" --profile scale --profile smtp down -v --remove-orphans >/dev/null 2>&1 || true; }
on_exit() {
  local status=$?
  if [ $status -ne 0 ]; then
    echo "--- last logs of the stack ---"
    "${compose[@]}" --profile scale logs --no-color --tail 60 2>/dev/null | tail -n 150 || true
  fi
  down
  rm -f "$build_log"
  echo "deploy: $([ $status -eq 0 ] && echo passed || echo FAILED) in $(( $(date +%s) - started )) s"
}
trap on_exit EXIT
down

# wait_healthy SERVICE...: until Docker's health check (HEALTHCHECK / compose healthcheck) says healthy.
wait_healthy() {
  local service id status
  for service in "$@"; do
    for _ in $(seq 1 120); do
      id=$("${compose[@]}" ps -q "$service" 2>/dev/null || true)
      status=$( [ -n "$id" ] && docker inspect -f '{{.State.Health.Status}}' "$id" 2>/dev/null || echo starting)
      [ "$status" = healthy ] && break
      [ "$status" = unhealthy ] && { echo "deploy: $service is unhealthy"; return 1; }
      sleep 1
    done
    [ "$status" = healthy ] || { echo "deploy: $service not healthy after 120 s"; return 1; }
    echo "  ok: $service is healthy"
  done
}
site_cli() { "${compose[@]}" run --rm --no-deps -T site "$@"; }

# 4. One instance.
say "Single instance (PostgreSQL + site)"
"${compose[@]}" up -d postgres
wait_healthy postgres
site_cli migrate
site_cli seed | tail -n 1
"${compose[@]}" up -d site
wait_healthy site
/usr/bin/python3 tests/deploy/journey.py smoke --site "$MARKETPLACE_PORT" --mail-from site
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MARKETPLACE_PORT/healthz")" = 200 ] \
  || { echo "  ÉCHEC / FAILED: /healthz from the host"; exit 1; }
echo "  ok: /healthz answers the host on the published port"

say "SMTP relay (profile smtp, Email:Transport=Smtp)"
EMAIL_TRANSPORT=Smtp "${compose[@]}" --profile smtp up -d smtp site
wait_healthy site
/usr/bin/python3 tests/deploy/journey.py relay --site "$MARKETPLACE_PORT"
down

# 5. Two instances behind nginx, one PostgreSQL.
say "Two instances (profile scale: site, site-b, nginx)"
# The weekly digest comes due every minute on both instances, whose schedulers look every second (deploy/compose.yaml).
export JOBS_DIGEST_CRON='* * * * *' JOBS_SCHEDULE_POLL_SECONDS=1
"${compose[@]}" up -d postgres
wait_healthy postgres
site_cli seed --synthetic 40 --synthetic-requests 12 | tail -n 2
site_cli jobs run matching
site_cli seed --synthetic-digest-recipients 6 | tail -n 1
curator_email="verification-$(date +%s)@deploy-test.example"
curator_link=$(site_cli users add --email "$curator_email" --role curator | grep -E '^https?://' | tail -n 1)
[ -n "$curator_link" ] || { echo "deploy: users add printed no link"; exit 1; }
"${compose[@]}" --profile scale up -d
wait_healthy site site-b
for _ in $(seq 1 30); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MARKETPLACE_PROXY_PORT/healthz")" = 200 ] && break
  sleep 1
done
/usr/bin/python3 tests/deploy/journey.py scale --site "$MARKETPLACE_PORT" --site-b "$MARKETPLACE_PORT_B" \
  --proxy "$MARKETPLACE_PROXY_PORT" --mail-from site,site-b --curator-link "$curator_link" --curator-email "$curator_email"

say "Weekly digest: the scheduled occurrence comes due on both instances, runs once"
psql_q() { "${compose[@]}" exec -T postgres psql -U "${POSTGRES_USER:-marketplace}" -d "${POSTGRES_DB:-marketplace}" -tAc "$1" | tr -d '\r'; }
# Both Hangfire servers registered in the shared storage (one per instance: site, site-b).
servers=0
for _ in $(seq 1 30); do
  servers=$(psql_q "SELECT count(*) FROM hangfire.server" 2>/dev/null || echo 0)
  [ "$servers" = 2 ] && break
  sleep 1
done
echo "  Hangfire servers: $(psql_q "SELECT string_agg(id, ', ' ORDER BY id) FROM hangfire.server")"
[ "$servers" = 2 ] || { echo "  ÉCHEC / FAILED: two Hangfire servers expected in hangfire.server, found $servers"; exit 1; }
echo "  ok: both instances' Hangfire servers are registered"
# The occurrence counted: the next minute after both servers were seen, so that it comes due on both (each polls every
# second). A run belongs to it when it started within [minute, minute + 1).
occurrence=$(psql_q "SELECT extract(epoch FROM date_trunc('minute', now()) + interval '1 minute')::bigint")
in_occurrence="\"Job\" = 'digest' AND \"Trigger\" = 'digest-weekly' AND \"StartedAt\" >= to_timestamp($occurrence) AND \"StartedAt\" < to_timestamp($occurrence + 60)"
echo "  counting the scheduled digest runs of the occurrence $(date -u -d "@$occurrence" +%H:%M) UTC"
finished=0
for _ in $(seq 1 150); do
  finished=$(psql_q "SELECT count(*) FROM job_runs WHERE $in_occurrence AND \"FinishedAt\" IS NOT NULL")
  [ "$finished" -ge 1 ] && break
  sleep 1
done
[ "$finished" -ge 1 ] || { echo "  ÉCHEC / FAILED: no scheduled digest run (trigger digest-weekly) finished for that occurrence"; exit 1; }
sleep 8 # eight more polls of both schedulers: a second run of the same occurrence would be seen
psql_q "SELECT to_char(\"StartedAt\" AT TIME ZONE 'UTC', 'HH24:MI:SS.MS'), \"Succeeded\", \"Summary\" FROM job_runs WHERE $in_occurrence ORDER BY \"StartedAt\"" \
  | sed 's/^/  run: /'
read -r runs succeeded < <(psql_q "SELECT count(*), count(*) FILTER (WHERE \"Succeeded\") FROM job_runs WHERE $in_occurrence" | tr '|' ' ')
[ "$runs" = 1 ] && [ "$succeeded" = 1 ] \
  || { echo "  ÉCHEC / FAILED: one successful scheduled digest run expected for the occurrence, found $runs ($succeeded succeeded)"; exit 1; }
echo "  ok: the occurrence ran once across both instances"
# Every occurrence since the stack came up (the cron fires every minute): never two runs in one minute.
read -r occurrences doubled < <(psql_q "SELECT count(*), count(*) FILTER (WHERE n > 1) FROM (SELECT count(*) AS n FROM job_runs
  WHERE \"Job\" = 'digest' AND \"Trigger\" = 'digest-weekly' GROUP BY date_trunc('minute', \"StartedAt\")) o" | tr '|' ' ')
[ "$doubled" = 0 ] || { echo "  ÉCHEC / FAILED: $doubled of $occurrences scheduled digest occurrences ran more than once"; exit 1; }
echo "  ok: each of the $occurrences scheduled digest occurrences so far ran once"
period=$(psql_q "SELECT split_part(\"Summary\", ':', 1) FROM job_runs WHERE $in_occurrence")
[[ "$period" =~ ^[0-9]{4}-W[0-9]{2}$ ]] || { echo "  ÉCHEC / FAILED: no digest period in the run's summary"; exit 1; }
outbox() { psql_q "SELECT count(*), count(DISTINCT \"RecipientUserId\"), count(\"SentAt\") FROM outbox_emails WHERE \"DigestPeriod\" = '$period'" | tr '|' ' '; }
read -r rows distinct_recipients sent < <(outbox)
echo "  outbox: $rows digest rows for $period, $distinct_recipients recipients, $sent sent"
[ "$rows" -gt 0 ] && [ "$distinct_recipients" = "$rows" ] && [ "$sent" = "$rows" ] \
  || { echo "  ÉCHEC / FAILED: one digest per subscriber expected, each sent"; exit 1; }

# Then `jobs run digest` by hand on both instances at once, for the same period: the command's path, concurrent, after
# the scheduled run. It must count the same recipients, build nothing and add no outbox row.
digest_log=$(mktemp)
"${compose[@]}" exec -T site dotnet Marketplace.Web.dll jobs run digest --period "$period" > "$digest_log.a" 2>&1 & pid_a=$!
"${compose[@]}" exec -T site-b dotnet Marketplace.Web.dll jobs run digest --period "$period" > "$digest_log.b" 2>&1 & pid_b=$!
status_a=0; status_b=0
wait $pid_a || status_a=$?
wait $pid_b || status_b=$?
grep -hE 'période|envoy' "$digest_log.a" "$digest_log.b" | sed 's/^/  by hand: /'
recipients=$(grep -ohE 'recipients of the period [0-9]+' "$digest_log.a" | head -n 1 | awk '{print $NF}')
built=$(grep -ohE 'digests built [0-9]+' "$digest_log.a" "$digest_log.b" | awk '{s += $NF} END {print s + 0}')
rm -f "$digest_log" "$digest_log.a" "$digest_log.b"
[ $status_a -eq 0 ] && [ $status_b -eq 0 ] || { echo "  ÉCHEC / FAILED: a digest run exited with $status_a / $status_b"; exit 1; }
[ "${recipients:-0}" -gt 0 ] || { echo "  ÉCHEC / FAILED: no digest recipient this period"; exit 1; }
read -r rows_after distinct_after sent_after < <(outbox)
echo "  outbox after: $rows_after digest rows, $distinct_after recipients, $sent_after sent; the runs counted $recipients, built $built"
[ "$rows" = "$recipients" ] && [ "$built" = 0 ] && [ "$rows_after" = "$rows" ] && [ "$distinct_after" = "$rows" ] \
  && [ "$sent_after" = "$rows" ] || { echo "  ÉCHEC / FAILED: the runs by hand must find every subscriber's digest already sent"; exit 1; }
echo "  ok: the runs by hand on both instances added nothing"
files=0
for service in site site-b; do
  n=$("${compose[@]}" exec -T "$service" bash -c "grep -l '^List-Unsubscribe:' /var/lib/marketplace/mail/*.eml 2>/dev/null | wc -l" | tr -d '\r')
  echo "  $service: $n digest emails in its mail folder"
  files=$(( files + n ))
done
echo "  mail folders: $files digest emails written by the two instances"
[ "$files" = "$recipients" ] || { echo "  ÉCHEC / FAILED: each digest must be written once"; exit 1; }
echo "  ok: the digest ran once across both instances (one email per subscriber)"
