# Shared by tests/run.sh (ensure_packages), tests/deploy.sh and tests/benchmarks/*.sh (source it): Debian packages, and
# the throw-away PostgreSQL and aiosmtpd that the benchmarks start from Debian packages (the tests use containers:
# tests/lib/docker.sh, ADR 0033).

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# ensure_packages CHECK-COMMAND PACKAGE... : installs the packages with apt when the check fails.
ensure_packages() {
  local check=$1; shift
  if ! eval "$check" >/dev/null 2>&1; then
    echo "Installing: $*"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
  fi
}

ensure_postgres_packages() { ensure_packages 'ls /usr/lib/postgresql/*/bin/initdb' postgresql postgresql-contrib; }

# start_postgres: a throw-away cluster on a free loopback port, password auth, deleted by stop_postgres.
# Sets PG_CONNECTION (an Npgsql connection string for a superuser, no database) and PG_DIR.
start_postgres() {
  local pg_bin pg_port pg_password pg_user
  pg_bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
  PG_BIN=$pg_bin
  PG_DIR=$(mktemp -d /tmp/marketplace-pg.XXXXXX)
  pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  pg_password=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
  pg_user=$(id -un)
  if [ "$(id -u)" = 0 ]; then chown postgres "$PG_DIR"; pg_user=postgres; fi
  echo "$pg_password" > "$PG_DIR/pwfile"
  [ "$(id -u)" = 0 ] && chown postgres "$PG_DIR/pwfile"
  _run_pg "$pg_bin/initdb" -D "$PG_DIR/data" -U "$pg_user" -E UTF8 --locale=C.UTF-8 --auth-host=scram-sha-256 \
    --auth-local=peer --pwfile="$PG_DIR/pwfile" >/dev/null
  _run_pg "$pg_bin/pg_ctl" -D "$PG_DIR/data" -w -l "$PG_DIR/postgres.log" \
    -o "-p $pg_port -k $PG_DIR -c listen_addresses=127.0.0.1 ${PG_EXTRA_OPTIONS:-} -c max_connections=200" \
    start >/dev/null
  PG_CONNECTION="Host=127.0.0.1;Port=$pg_port;Username=$pg_user;Password=$pg_password"
  echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port"
}

stop_postgres() {
  [ -n "${PG_DIR:-}" ] || return 0
  _run_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
  PG_DIR=
}

_run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# start_smtp: a real SMTP server (Debian's python3-aiosmtpd) on a free loopback port, writing every message it accepts
# into a Maildir as it arrived (tests/lib/raw_maildir.py; SMTP_HANDLER=Mailbox: aiosmtpd's own handler, which parses and
# rewrites each message). Sets SMTP_PORT, SMTP_MAILDIR and SMTP_PID; stop_smtp stops it and deletes the Maildir.
ensure_smtp_packages() { ensure_packages '/usr/bin/python3 -c "import aiosmtpd"' python3-aiosmtpd; }

start_smtp() {
  SMTP_DIR=$(mktemp -d /tmp/marketplace-smtp.XXXXXX)
  SMTP_MAILDIR="$SMTP_DIR/maildir"
  SMTP_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  local handler=raw_maildir.RawMaildir
  if [ "${SMTP_HANDLER:-}" = Mailbox ]; then handler=aiosmtpd.handlers.Mailbox; fi
  PYTHONPATH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)" /usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" \
    -c "$handler" "$SMTP_MAILDIR" > "$SMTP_DIR/smtp.log" 2>&1 &
  SMTP_PID=$!
  for _ in $(seq 1 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$SMTP_PORT") 2>/dev/null && break
    sleep 0.1
  done
  echo "SMTP (aiosmtpd) on 127.0.0.1:$SMTP_PORT"
}

stop_smtp() {
  [ -n "${SMTP_PID:-}" ] && kill "$SMTP_PID" 2>/dev/null || true
  [ -n "${SMTP_DIR:-}" ] && rm -rf "$SMTP_DIR"
  SMTP_PID=
  SMTP_DIR=
}

# publish_site DIR: the site as deploy/README.md publishes it: Release, ReadyToRun (compiled ahead of time for this
# machine's runtime, so that the first requests and jobs of a new process do not wait for the JIT), framework-dependent.
publish_site() {
  local rid
  rid="linux-$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')"
  dotnet publish src/Marketplace.Web -c Release -r "$rid" --self-contained false -p:PublishReadyToRun=true -o "$1" --nologo -v quiet >/dev/null
}

# bench_privacy: Production refuses to start on the privacy placeholders (PrivacyOptions); benchmarks run Production
# with these stand-in values, which no real deployment should copy.
bench_privacy() {
  export Privacy__OfficerName="Responsable des essais de performance" Privacy__OfficerEmail="vie-privee@banc-essai.example"
  export Privacy__Operator="Banc d'essai" Privacy__HostingLocation="Machine d'essai locale"
}
