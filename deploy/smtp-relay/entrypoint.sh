#!/usr/bin/env bash
# Configures Postfix as a relay from the environment at every start (no secret in the image), then runs it in the
# foreground with its log on the console.
set -euo pipefail
postconf -e "myhostname=${MAIL_HOSTNAME:-relay.invalid}" \
  "mydestination=" "inet_interfaces=all" "inet_protocols=ipv4" \
  "mynetworks=127.0.0.0/8 ${RELAY_NETWORK:-172.30.57.0/24}" \
  "smtpd_relay_restrictions=permit_mynetworks,reject" \
  "relayhost=${RELAY_HOST:-}" \
  "smtp_tls_security_level=may" "smtp_tls_CAfile=/etc/ssl/certs/ca-certificates.crt" \
  "maillog_file=/dev/stdout"
if [ -n "${RELAY_USERNAME:-}" ]; then
  umask 077
  printf '%s %s:%s\n' "${RELAY_HOST:?RELAY_HOST is needed with RELAY_USERNAME}" "$RELAY_USERNAME" "${RELAY_PASSWORD:-}" > /etc/postfix/sasl_passwd
  postmap /etc/postfix/sasl_passwd
  postconf -e "smtp_sasl_auth_enable=yes" "smtp_sasl_password_maps=hash:/etc/postfix/sasl_passwd" \
    "smtp_sasl_security_options=noanonymous" "smtp_tls_security_level=encrypt"
fi
# The chroot of Debian's Postfix needs the resolver's files of this container.
mkdir -p /var/spool/postfix/etc
cp /etc/resolv.conf /etc/hosts /etc/services /var/spool/postfix/etc/ 2>/dev/null || true
exec postfix start-fg
