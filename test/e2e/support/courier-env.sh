#!/bin/bash
# The Courier world the e2e suite runs in (Debian 12 courier-mta, no systemd, root; the tests and
# benchmarks know it from kit/realCourier/world.ts: keep the two in step):
#   - ESMTP on 127.0.0.1:25 only; clients from 127.0.0.2 are "the internet" (no relay rights)
#   - local domains example.org, mail.example.org, localhost; local user bob (Maildir)
#   - backup-mx.test: a domain this host is a backup MX for (esmtpacceptmailfor.dir)
#   - every *.test domain is routed to the suite's in-process sink at 127.0.0.1:2525
#   - aliases and an aliasdir forward the suite sends through (see write_aliases)
#   - a syslog receiver when nothing serves /dev/log (Courier logs only via syslog)
#
#   courier-env.sh up     save the files it changes (srsfilter's policy and secret included),
#                         write the test config, start the daemons
#   courier-env.sh down   stop what `up` started, put the saved files back
#   courier-env.sh log    print the path of the mail log
#
# State (saved files, pids, the mail log) lives in $E2E_DIR (default /tmp/srsfilter-e2e).
set -euo pipefail

E2E_DIR="${E2E_DIR:-/tmp/srsfilter-e2e}"
SMTP_PORT=25
SINK_PORT=2525
ETC=/etc/courier
SUPPORT="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$SUPPORT/../../.." && pwd)"
SAVED="$E2E_DIR/saved"
MAIL_LOG_OWN="$E2E_DIR/mail.log"
# The config files `up` writes; `down` restores each one (or removes it if it did not exist).
CHANGED_FILES=(esmtpd me defaultdomain locals esmtpacceptmailfor esmtpacceptmailfor.dir/srsfilter-e2e esmtproutes esmtpdelay
  esmtptimeoutkeepalive retryalpha retrybeta retrygamma queuetime enablefiltering bofh
  smtpaccess.dat aliases/srsfilter-e2e aliasdir/.courier-dotfwd srsfilter.yaml srsfilter.secret)
DAEMONS=(authdaemond courierfilter courierd esmtpd)

say() { echo "courier-env: $*"; }

# ------------------------------------------------------------------ saving and restoring
save_config() {
  [[ -e $SAVED/.complete ]] && return # an earlier `up` without `down`: keep the pristine copies
  mkdir -p "$SAVED"
  local f
  for f in "${CHANGED_FILES[@]}"; do
    mkdir -p "$SAVED/$(dirname "$f")"
    if [[ -e $ETC/$f ]]; then cp -p "$ETC/$f" "$SAVED/$f"; else : >"$SAVED/$f.absent"; fi
  done
  touch "$SAVED/.complete"
}

restore_config() {
  [[ -e $SAVED/.complete ]] || return 0
  local f
  for f in "${CHANGED_FILES[@]}"; do
    if [[ -e $SAVED/$f.absent ]]; then
      rm -f "$ETC/$f"
    elif [[ -e $SAVED/$f ]]; then
      cp -p "$SAVED/$f" "$ETC/$f"
    else
      say "warning: no saved copy of $ETC/$f (added to the list after \`up\`); left as it is" >&2
    fi
  done
  makealiases
  makeacceptmailfor >/dev/null
  rm -rf "$SAVED"
  say "restored the Courier config"
}

# ------------------------------------------------------------------ config
set_var() { # set_var FILE NAME VALUE: replace NAME=..., else append
  if grep -q "^$2=" "$1"; then sed -i "s|^$2=.*|$2=$3|" "$1"; else echo "$2=$3" >>"$1"; fi
}

write_config() {
  # esmtpd: no DNS, ident, tarpit or DNSBL; loopback only; enough parallel sessions for
  # the concurrent clients of the reload test (the default 5 per IP drops them).
  set_var $ETC/esmtpd BOFHCHECKDNS 0
  set_var $ETC/esmtpd TARPIT 0
  set_var $ETC/esmtpd BLACKLISTS '""'
  set_var $ETC/esmtpd TCPDOPTS '"-stderrlogger=/usr/sbin/courierlogger -nodnslookup -noidentlookup"'
  set_var $ETC/esmtpd ADDRESS 127.0.0.1
  set_var $ETC/esmtpd PORT $SMTP_PORT
  set_var $ETC/esmtpd ESMTPDSTART YES
  set_var $ETC/esmtpd MAXPERIP 200
  set_var $ETC/esmtpd MAXPERC 200
  set_var $ETC/esmtpd MAXDAEMONS 200

  echo mail.example.org >$ETC/me
  echo example.org >$ETC/defaultdomain
  printf 'localhost\nmail.example.org\nexample.org\n' >$ETC/locals
  printf 'localhost\nmail.example.org\nexample.org\n' >$ETC/esmtpacceptmailfor
  # Courier accepts mail for backup-mx.test from anyone and relays it on (to the sink)
  mkdir -p $ETC/esmtpacceptmailfor.dir
  echo backup-mx.test >$ETC/esmtpacceptmailfor.dir/srsfilter-e2e
  chmod 0644 $ETC/esmtpacceptmailfor.dir/srsfilter-e2e
  makeacceptmailfor >/dev/null
  printf '.test: [127.0.0.1],%s\n' $SINK_PORT >$ETC/esmtproutes
  echo 0 >$ETC/esmtpdelay # else one refused connection to the sink stalls the route for minutes
  # No idle outbound sessions: each test file runs its own sink, and a session cached
  # across a sink restart fails its next delivery and waits for a retry.
  echo 0 >$ETC/esmtptimeoutkeepalive
  echo 5s >$ETC/retryalpha
  echo 2 >$ETC/retrybeta
  echo 30s >$ETC/retrygamma
  echo 2h >$ETC/queuetime
  # Backscatter suppression blacklists an address for up to 2 h after one failed delivery,
  # e.g. to the sink between two test files; every later RCPT to it (and to aliases of it)
  # then gets "456 Address temporarily unavailable".
  echo 'opt BOFHSUPPRESSBACKSCATTER=none' >$ETC/bofh
  echo esmtp >$ETC/enablefiltering
  write_aliases
  makesmtpaccess # the package's smtpaccess/default (it ships no .dat): 127.0.0.1 relays, 127.0.0.2 does not
}

write_aliases() {
  {
    echo '# srsfilter e2e suite (test/e2e/support/courier-env.sh)'
    echo 'fwd@example.org: someone@remote.test'
    echo 'multi@example.org: bob@example.org, other@remote.test'
    echo 'fwdbackup@example.org: erin@backup-mx.test'
    printf 'many@example.org: r001@remote.test'
    local i
    for i in $(seq 2 150); do printf ',\n  r%03d@remote.test' "$i"; done
    echo
  } >$ETC/aliases/srsfilter-e2e
  makealiases
  # a forward that local delivery re-injects (submit "local"), unlike the aliases above
  echo dottarget@remote.test >$ETC/aliasdir/.courier-dotfwd
  chmod 0644 $ETC/aliasdir/.courier-dotfwd
}

make_local_user() {
  if ! id bob >/dev/null 2>&1; then
    useradd -m -s /usr/sbin/nologin bob
    touch "$E2E_DIR/created-user-bob"
  fi
  [[ -d ~bob/Maildir ]] || su -s /bin/sh bob -c 'maildirmake ~/Maildir'
}

# ------------------------------------------------------------------ daemons
alive() { [[ -s $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

pid_file() {
  case $1 in
  authdaemond) echo /run/courier/authdaemon/pid ;;
  courierfilter) echo /run/courier/courierfilter.pid ;;
  courierd) echo /run/courier/courierd.pid ;;
  esmtpd) echo /run/courier/esmtpd.pid ;;
  esac
}

daemon_running() {
  if [[ $1 == courierd ]]; then pgrep -u root -x courierd >/dev/null; else alive "$(pid_file "$1")"; fi
}

daemon_start() {
  case $1 in
  authdaemond) /usr/sbin/authdaemond start ;;
  courierfilter) courierfilter start ;;
  courierd) courier start ;;
  esmtpd) esmtpd start ;;
  esac
}

daemon_stop() {
  case $1 in
  authdaemond) /usr/sbin/authdaemond stop ;;
  courierfilter) courierfilter stop ;;
  courierd) courier stop ;;
  esmtpd) esmtpd stop ;;
  esac
  local _
  for _ in $(seq 100); do daemon_running "$1" || return 0; sleep 0.1; done
  say "warning: $1 still running after stop" >&2
}

syslog_served() {
  [[ -S /dev/log ]] && /usr/bin/perl -MIO::Socket::UNIX -e \
    'exit !(IO::Socket::UNIX->new(Peer => "/dev/log", Type => SOCK_DGRAM) || IO::Socket::UNIX->new(Peer => "/dev/log"))' 2>/dev/null
}

start_syslog() {
  alive "$E2E_DIR/syslog-receiver.pid" && return
  if syslog_served; then
    say "a syslog daemon serves /dev/log: Courier's log is wherever it writes mail.* (see: $0 log)"
    return
  fi
  setsid node -r ts-node/register/transpile-only "$SUPPORT/syslog-receiver.ts" "$MAIL_LOG_OWN" \
    </dev/null >>"$E2E_DIR/syslog-receiver.out" 2>&1 &
  echo $! >"$E2E_DIR/syslog-receiver.pid"
  local _
  for _ in $(seq 100); do [[ -S /dev/log ]] && return; sleep 0.1; done
  say "syslog receiver did not come up; see $E2E_DIR/syslog-receiver.out" >&2
  exit 1
}

wait_for_port() {
  local _
  for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return; fi
    sleep 0.1
  done
  say "nothing listens on 127.0.0.1:$1" >&2
  exit 1
}

up() {
  mkdir -p "$E2E_DIR"
  chmod 0755 "$E2E_DIR"
  # Which daemons ran before the suite is only known at the first `up` of a session.
  local first_up=false
  [[ -e $E2E_DIR/session ]] || { first_up=true; touch "$E2E_DIR/session"; }
  save_config
  # srsfilter's own policy and secret are moved aside too: install.sh then writes the
  # suite's (srs-domain from defaultdomain, a new secret), whatever ran here before.
  if $first_up; then rm -f $ETC/srsfilter.yaml $ETC/srsfilter.secret; fi
  write_config
  make_local_user
  courier clear all >/dev/null # addresses an earlier run left blacklisted
  # runtime dirs that systemd-tmpfiles would make (/usr/lib/tmpfiles.d/courier-*.conf)
  install -d -m 0775 -o root -g courier /run/courier
  install -d -m 0750 -o courier -g courier /run/courier/authdaemon
  (cd "$REPO" && start_syslog)
  local d
  for d in "${DAEMONS[@]}"; do
    if daemon_running "$d"; then
      if $first_up; then touch "$E2E_DIR/was-running-$d"; fi
      # esmtpd reads PORT/ADDRESS/TCPDOPTS and courierd reads me/locals/routes only at start
      if [[ $d == courierd || $d == esmtpd ]]; then daemon_stop "$d" && daemon_start "$d"; fi
    else
      daemon_start "$d"
    fi
  done
  wait_for_port $SMTP_PORT
  say "up: ESMTP 127.0.0.1:$SMTP_PORT, *.test -> 127.0.0.1:$SINK_PORT, log $(mail_log)"
}

down() {
  local i d
  for ((i = ${#DAEMONS[@]} - 1; i >= 0; i--)); do
    d=${DAEMONS[i]}
    if [[ -e $E2E_DIR/was-running-$d ]]; then rm -f "$E2E_DIR/was-running-$d"; continue; fi
    daemon_running "$d" && daemon_stop "$d"
  done
  if alive "$E2E_DIR/syslog-receiver.pid"; then kill "$(cat "$E2E_DIR/syslog-receiver.pid")"; fi
  rm -f "$E2E_DIR/syslog-receiver.pid"
  restore_config
  if [[ -e $E2E_DIR/created-user-bob ]]; then
    userdel -r bob 2>/dev/null || true
    rm -f "$E2E_DIR/created-user-bob"
  fi
  # daemons that ran before `up` go on with the restored config
  for d in courierd esmtpd; do
    if daemon_running "$d"; then daemon_stop "$d" && daemon_start "$d"; fi
  done
  rm -f "$E2E_DIR/session"
  say "down"
}

mail_log() {
  if [[ -e $E2E_DIR/syslog-receiver.pid ]]; then echo "$MAIL_LOG_OWN"; else echo /var/log/mail.log; fi
}

case "${1:-}" in
up) up ;;
down) down ;;
log) mail_log ;;
*)
  echo "usage: $0 up|down|log" >&2
  exit 2
  ;;
esac
