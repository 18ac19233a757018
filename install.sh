#!/bin/bash
# Installs srsfilter into Debian 12's courier-mta, from this checkout. Run as root:
#
#   sudo ./install.sh [--srs-domain DOMAIN]   install or update, then start the filter
#   sudo ./install.sh --dry-run               print what it would do, change nothing
#   sudo ./install.sh --uninstall             stop and remove the filter and the commands;
#                                             keep the policy and the secret
#
# What it installs (a second run with the same checkout changes nothing):
#   /usr/lib/srsfilter/                 the compiled app (dist/) and its production node_modules
#   <courier libexecdir>/filters/srsfilter   the wrapper courierfilter runs
#   /usr/local/bin/{srsctl,srs-forwarder,srs-reverser}
#   /etc/courier/srsfilter.yaml         the policy, only if there is none (srs-domain from
#                                       --srs-domain, else Courier's defaultdomain or me)
#   the policy's secrets-file           only if there is none: 32 random bytes in base64,
#                                       root:<mail group>, 0640
#   /etc/courier/aliasdir/.courier-{SRS0,SRS1,srs0,srs1}-default
#                                       make Courier accept RCPT TO:<SRS0-…@local domain> for
#                                       bounces (Courier's aliasdir splits local parts at '-'),
#                                       and nothing else. A bounce the filter did not reverse
#                                       (filter stopped) is delivered to these files, which
#                                       pipe it to srs-reverser: it still reaches the sender.
#   `esmtp` in /etc/courier/enablefiltering
# and installs Courier itself (Debian's courier-mta) and the Node dependencies when missing.
set -euo pipefail

APP_DIR=/usr/lib/srsfilter
BIN_DIR=/usr/local/bin
FILTER_NAME=srsfilter
CLI_COMMANDS=(srsctl srs-forwarder srs-reverser)
SRS_ALIAS_FILES=(.courier-SRS0-default .courier-SRS1-default .courier-srs0-default .courier-srs1-default)
CHECKOUT="$(cd "$(dirname "$0")" && pwd)"
NODE_MAJOR_MIN=20

dry_run=false
uninstall=false
srs_domain=""
changes=0

usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
}

die() {
  echo "install.sh: $*" >&2
  exit 1
}

# ------------------------------------------------------------------ reporting and changing
say() { echo "$*"; }
kept() { printf '  ok     %s\n' "$*"; }
warn() { printf '  WARN   %s\n' "$*" >&2; }

# change DESCRIPTION COMMAND...: counts a change; runs it unless --dry-run.
change() {
  local what=$1
  shift
  changes=$((changes + 1))
  if $dry_run; then
    printf '  would  %s\n' "$what"
  else
    printf '  do     %s\n' "$what"
    "$@"
  fi
}

file_state() { stat -c '%a %U:%G' "$1" 2>/dev/null || true; }

# place_file SRC DST MODE OWNER:GROUP: install SRC's bytes at DST unless DST already matches.
place_file() {
  local src=$1 dst=$2 mode=$3 owner=$4
  if [[ -f $dst ]] && cmp -s "$src" "$dst"; then
    if [[ $(file_state "$dst") != "${mode#0} $owner" ]]; then
      change "set $dst to $mode $owner" set_mode "$dst" "$mode" "$owner"
    fi
    return 0
  fi
  local verb=create
  [[ -e $dst ]] && verb=update
  change "$verb $dst" install -D -m "$mode" -o "${owner%%:*}" -g "${owner##*:}" "$src" "$dst"
}

set_mode() {
  chown "$3" "$1"
  chmod "$2" "$1"
}

# place_text DST MODE OWNER:GROUP TEXT: place_file for generated content.
place_text() {
  local tmp
  tmp=$(mktemp)
  printf '%s' "$4" >"$tmp"
  place_file "$tmp" "$1" "$2" "$3"
  rm -f "$tmp"
}

remove_path() {
  if [[ -e $1 || -L $1 ]]; then change "remove $1" rm -rf "$1"; fi
}

# ------------------------------------------------------------------ prerequisites
check_node() {
  NODE=$(command -v node || true)
  [[ -n $NODE ]] || die "node (>= $NODE_MAJOR_MIN) is not on PATH; install Node.js $NODE_MAJOR_MIN first (Debian 12's nodejs is 18: use NodeSource or the official tarball)"
  local major
  major=$("$NODE" -p 'process.versions.node.split(".")[0]')
  ((major >= NODE_MAJOR_MIN)) || die "$NODE is Node $major; srsfilter needs $NODE_MAJOR_MIN or newer"
  command -v npm >/dev/null || die "npm is not on PATH"
}

# Without systemd, courier-mta's postinst cannot start its services and dpkg then leaves the
# package half-configured; a policy-rc.d that denies service starts is Debian's own way to
# install services without starting them.
install_courier() {
  if command -v courier-config >/dev/null; then
    kept "courier-mta is installed"
    return
  fi
  change "install Debian's courier-mta (apt-get)" apt_install_courier
}

apt_install_courier() {
  local deny=false
  if [[ ! -d /run/systemd/system && ! -e /usr/sbin/policy-rc.d ]]; then
    deny=true
    printf '#!/bin/sh\n# install.sh: no systemd here, do not start services from maintainer scripts\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 0755 /usr/sbin/policy-rc.d
  fi
  local rc=0 log
  log=$(mktemp)
  { DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq courier-mta; } >"$log" 2>&1 || rc=$?
  if $deny; then rm -f /usr/sbin/policy-rc.d; fi
  if ((rc != 0)); then
    cat "$log" >&2
    die "apt-get install courier-mta failed (exit $rc)"
  fi
  rm -f "$log"
  [[ -d /run/systemd/system ]] || warn "no systemd: courier-mta's services were not started; start them yourself (authdaemond start; courierfilter start; courier start; esmtpd start)"
}

read_courier_config() {
  if ! command -v courier-config >/dev/null; then
    # only reachable with --dry-run on a machine without Courier: Debian's paths
    LIBEXECDIR=/usr/lib/courier SYSCONFDIR=/etc/courier LOCALSTATEDIR=/var/lib/courier MAILGROUP=courier
    return
  fi
  local config
  config=$(courier-config)
  LIBEXECDIR=$(sed -n 's/^libexecdir=//p' <<<"$config")
  SYSCONFDIR=$(sed -n 's/^sysconfdir=//p' <<<"$config")
  LOCALSTATEDIR=$(sed -n 's/^localstatedir=//p' <<<"$config")
  MAILGROUP=$(sed -n 's/^mailgroup=//p' <<<"$config")
}

# ------------------------------------------------------------------ build
checkout_owner() { stat -c '%U' "$CHECKOUT"; }

# npm and tsc run as the owner of the checkout, so that `sudo ./install.sh` leaves no
# root-owned files in a user's clone.
as_owner() {
  local owner
  owner=$(checkout_owner)
  if [[ $owner == root || $(id -u) != 0 ]]; then
    (cd "$CHECKOUT" && "$@")
  else
    (cd "$CHECKOUT" && runuser -u "$owner" -- env HOME="$(getent passwd "$owner" | cut -d: -f6)" PATH="$PATH" "$@")
  fi
}

build() {
  if [[ ! -f $CHECKOUT/node_modules/.package-lock.json || $CHECKOUT/package-lock.json -nt $CHECKOUT/node_modules/.package-lock.json ]]; then
    change "install the Node dependencies in $CHECKOUT (npm ci)" as_owner npm ci --no-audit --no-fund
  else
    kept "Node dependencies are installed"
  fi
  local main=$CHECKOUT/dist/filter/main.js
  if [[ ! -f $main ]] || [[ -n $(find "$CHECKOUT"/{lib,filter,cli} "$CHECKOUT/tsconfig.json" "$CHECKOUT/package.json" -newer "$main" -print -quit) ]]; then
    change "build $CHECKOUT/dist (npm run build)" as_owner npm run -s build
  else
    kept "the build is up to date"
  fi
}

# ------------------------------------------------------------------ the app
APP_CHANGED=false

install_app() {
  if [[ ! -d $CHECKOUT/dist ]]; then # only in a dry run: the build step would make it
    change "copy the build (dist/lib, filter, cli) and its production dependencies to $APP_DIR" true
    APP_CHANGED=true
    return
  fi
  local before=$changes f
  for f in package.json package-lock.json; do
    place_file "$CHECKOUT/$f" "$APP_DIR/$f" 0644 root:root
  done
  if ((changes > before)) || [[ ! -d $APP_DIR/node_modules ]]; then
    change "install the production dependencies in $APP_DIR (npm ci --omit=dev)" \
      env -C "$APP_DIR" npm ci --omit=dev --ignore-scripts --no-audit --no-fund --silent
  else
    kept "$APP_DIR/node_modules is current"
  fi
  sync_build
  if ((changes > before)); then APP_CHANGED=true; else kept "$APP_DIR is current"; fi
}

# The runtime part of the build (dist/{lib,filter,cli}/**.js) to $APP_DIR/dist: copies the
# files that differ, removes those an older build left.
sync_build() {
  local rel copy=() stale=()
  while IFS= read -r rel; do
    cmp -s "$CHECKOUT/dist/$rel" "$APP_DIR/dist/$rel" 2>/dev/null || copy+=("$rel")
  done < <(cd "$CHECKOUT/dist" && find lib filter cli -type f -name '*.js' | sort)
  if [[ -d $APP_DIR/dist ]]; then
    while IFS= read -r rel; do
      [[ $rel == *.js && -f $CHECKOUT/dist/$rel && $rel =~ ^(lib|filter|cli)/ ]] || stale+=("$rel")
    done < <(cd "$APP_DIR/dist" && find . -type f | sed 's|^\./||' | sort)
  fi
  if ((${#copy[@]} + ${#stale[@]} > 0)); then
    change "copy ${#copy[@]} file(s) of the build to $APP_DIR/dist, remove ${#stale[@]} old one(s)" \
      apply_build_sync "${#copy[@]}" "${copy[@]}" "${stale[@]}"
  fi
}

# apply_build_sync N COPY... STALE...: the first N paths are copied, the rest removed.
apply_build_sync() {
  local n=$1 rel
  shift
  for rel in "${@:1:n}"; do install -D -m 0644 -o root -g root "$CHECKOUT/dist/$rel" "$APP_DIR/dist/$rel"; done
  for rel in "${@:n+1}"; do rm -f "$APP_DIR/dist/$rel"; done
  find "$APP_DIR/dist" -depth -type d -empty -delete
}

# courierfilter starts the filter as the mail user with an empty environment, cwd /usr and
# PATH=/usr/bin:/bin:/usr/bin:/usr/local/bin, as $filters/active/NAME: hence the absolute
# node path and the name taken from $0.
install_wrappers() {
  local before=$changes
  place_text "$LIBEXECDIR/filters/$FILTER_NAME" 0755 root:root "#!/bin/sh
# srsfilter for courierfilter (installed by srsfilter's install.sh)
exec $NODE $APP_DIR/dist/filter/main.js --name \"\$(basename \"\$0\")\" \"\$@\"
"
  local command
  for command in "${CLI_COMMANDS[@]}"; do
    $dry_run || [[ -f $CHECKOUT/dist/cli/$command.js ]] || die "the build has no dist/cli/$command.js"
    place_text "$BIN_DIR/$command" 0755 root:root "#!/bin/sh
# installed by srsfilter's install.sh
exec $NODE $APP_DIR/dist/cli/$command.js \"\$@\"
"
  done
  if ((changes > before)); then APP_CHANGED=true; else kept "the filter wrapper and the commands are current"; fi
}

# ------------------------------------------------------------------ policy and secret
POLICY=""

# The secrets file the policy names, as srsfilter itself reads the policy; $1 is the directory
# holding the build (dist/).
policy_secrets_file() {
  "$NODE" -e '
    const { loadPolicy, formatProblem } = require(process.argv[1]);
    loadPolicy(process.argv[2]).then((r) => {
      if (!r.ok) { for (const p of r.problems) console.error(formatProblem(p)); process.exit(1); }
      console.log(r.value.secretsFile);
    });' "$1/dist/lib/config" "$POLICY"
}

default_srs_domain() {
  local f
  for f in "$SYSCONFDIR/defaultdomain" "$SYSCONFDIR/me"; do
    if [[ -s $f ]]; then
      head -n1 "$f" | tr -d '[:space:]'
      return
    fi
  done
  hostname -f
}

render_policy() {
  "$NODE" -e '
    const fs = require("fs");
    const YAML = require(process.argv[1]);
    const doc = YAML.parseDocument(fs.readFileSync(process.argv[2], "utf8"));
    doc.set("srs-domain", process.argv[3]);
    fs.writeFileSync(process.argv[4], String(doc), { mode: 0o644, flag: "wx" });' \
    "$APP_DIR/node_modules/yaml" "$CHECKOUT/config/srsfilter.yaml" "$1" "$POLICY"
}

install_policy() {
  POLICY=$SYSCONFDIR/srsfilter.yaml
  if [[ -e $POLICY ]]; then
    kept "$POLICY exists (never overwritten)"
    [[ -z $srs_domain ]] || warn "--srs-domain ignored: $POLICY exists; edit its srs-domain instead"
    return
  fi
  local domain=${srs_domain:-$(default_srs_domain)}
  [[ $domain =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$ ]] || die "not a domain name: '$domain' (use --srs-domain)"
  change "create $POLICY (srs-domain: $domain)" render_policy "$domain"
}

install_secret() {
  local secrets_file=$1
  if [[ -e $secrets_file ]]; then
    kept "$secrets_file exists (never overwritten)"
    return
  fi
  change "create $secrets_file (new secret, root:$MAILGROUP 0640)" create_secret "$secrets_file"
}

create_secret() {
  (umask 077 && "$BIN_DIR/srsctl" genkey --output "$1")
  chown "root:$MAILGROUP" "$1"
  chmod 0640 "$1"
}

# ------------------------------------------------------------------ Courier's side
ensure_enablefiltering() {
  local file=$SYSCONFDIR/enablefiltering
  if [[ -f $file ]] && grep -qw esmtp "$file"; then
    kept "$file has esmtp"
    return
  fi
  change "add esmtp to $file" add_esmtp_filtering "$file"
}

add_esmtp_filtering() {
  local words=""
  [[ -f $1 ]] && words=$(tr -s '[:space:]' ' ' <"$1" | sed 's/^ //;s/ $//')
  echo "${words:+$words }esmtp" >"$1"
}

srs_alias_text() {
  printf '%s\n' "# srsfilter (install.sh): an SRS bounce the filter did not reverse goes back via srs-reverser" \
    "| $BIN_DIR/srs-reverser"
}

install_srs_aliases() {
  local name before=$changes
  for name in "${SRS_ALIAS_FILES[@]}"; do
    place_text "$SYSCONFDIR/aliasdir/$name" 0644 root:root "$(srs_alias_text)
"
  done
  ((changes > before)) || kept "the aliasdir files for SRS bounces are current"
}

# srsctl check before the filter (re)starts: a filter started on a broken policy exits, and
# Courier then passes mail unfiltered. --before-start: a filter that is not active or not
# running yet is what start_filter fixes next, so check only notes it.
check_before_start() {
  if $dry_run; then
    printf '  would  run srsctl check\n'
    return
  fi
  local report
  report=$("$BIN_DIR/srsctl" check --before-start) || {
    printf '%s\n' "$report" >&2
    die "srsctl check found problems (above); fix them and run install.sh again"
  }
  if filter_active; then
    kept "srsctl check passed"
  else
    kept "srsctl check passed (but for the filter not being active yet)"
  fi
}

check_after_start() {
  $dry_run && return
  local report
  report=$("$BIN_DIR/srsctl" check) || {
    printf '%s\n' "$report" >&2
    die "srsctl check found problems after starting the filter (above)"
  }
  kept "srsctl check passed after the start"
}

filter_active() { [[ -L $SYSCONFDIR/filters/active/$FILTER_NAME ]]; }
COURIERFILTER_PIDFILE=/run/courier/courierfilter.pid # as in filterctl

courierfilter_running() {
  local pid
  pid=$(cat "$COURIERFILTER_PIDFILE" 2>/dev/null || true)
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null
}

# wait_for TENTHS COMMAND...: polls COMMAND every 0.1 s, at most TENTHS times.
wait_for() {
  local tries=$1 _
  shift
  for _ in $(seq "$tries"); do
    "$@" && return 0
    sleep 0.1
  done
  return 1
}

socket_present() { [[ -S $(filter_socket) ]]; }
socket_absent() { [[ ! -e $(filter_socket) ]]; }
filter_socket() { echo "$LOCALSTATEDIR/allfilters/$FILTER_NAME"; }

# courierfilter handles a SIGHUP that arrives while it is still stopping a filter only at the
# next signal, so a `start` right behind a `stop` can leave the filter stopped: wait until the
# old process has gone (it removes its socket on exit) before starting.
restart_filter() {
  filterctl stop "$FILTER_NAME"
  wait_for 100 socket_absent || die "the old filter did not exit within 10 s"
  filterctl start "$FILTER_NAME"
}

# filterctl start is not idempotent (a second one fails: the symlink exists), and a running
# filter keeps its old code until it is stopped and started again.
start_filter() {
  if ! filter_active; then
    change "start the filter (filterctl start $FILTER_NAME)" filterctl start "$FILTER_NAME"
  elif $APP_CHANGED; then
    change "restart the filter for the new build (filterctl stop + start $FILTER_NAME)" restart_filter
  elif courierfilter_running && ! socket_present; then
    change "restart the filter: active but not running (filterctl stop + start $FILTER_NAME)" restart_filter
  else
    kept "the filter is active"
  fi
  $dry_run && return
  if ! courierfilter_running; then
    warn "courierfilter is not running: the filter starts with it (courierfilter start)"
    return
  fi
  # a second HUP covers the stop/start race above in the rare case the wait did not
  if wait_for 30 socket_present || { kill -HUP "$(cat "$COURIERFILTER_PIDFILE")" && wait_for 50 socket_present; }; then
    kept "srsfilter is running ($(filter_socket))"
  else
    die "the filter did not come up; see the mail log (courierfilter's lines)"
  fi
}

# ------------------------------------------------------------------ main
dry_run_note() { if $dry_run; then echo ' --dry-run: nothing is changed'; fi; }

summarize() {
  if ((changes == 0)); then
    say "nothing to do: $1"
  elif $dry_run; then
    say "$changes change(s) would be made"
  else
    say "$changes change(s) made"
  fi
}

do_install() {
  say "srsfilter install.sh$(dry_run_note)"
  check_node
  install_courier
  read_courier_config
  build
  install_app
  install_wrappers
  install_policy
  # a dry run may have neither the policy nor a build yet: then the default policy's file
  local secrets_file=$SYSCONFDIR/srsfilter.secret build_root=$APP_DIR
  [[ -d $APP_DIR/dist ]] || build_root=$CHECKOUT
  if [[ -e $POLICY && -d $build_root/dist ]]; then
    secrets_file=$(policy_secrets_file "$build_root") || die "$POLICY is not valid (above); fix it and run install.sh again"
  fi
  install_secret "$secrets_file"
  ensure_enablefiltering
  install_srs_aliases
  check_before_start
  start_filter
  check_after_start
  summarize "srsfilter is installed and current"
}

do_uninstall() {
  say "srsfilter install.sh --uninstall$(dry_run_note)"
  read_courier_config
  if filter_active; then change "stop the filter (filterctl stop $FILTER_NAME)" filterctl stop "$FILTER_NAME"; fi
  remove_path "$LIBEXECDIR/filters/$FILTER_NAME"
  local command name
  for command in "${CLI_COMMANDS[@]}"; do remove_path "$BIN_DIR/$command"; done
  remove_path "$APP_DIR"
  # only the files this script wrote: an admin's own edits stay
  for name in "${SRS_ALIAS_FILES[@]}"; do
    if [[ -f $SYSCONFDIR/aliasdir/$name ]] && [[ $(cat "$SYSCONFDIR/aliasdir/$name") == "$(srs_alias_text)" ]]; then
      remove_path "$SYSCONFDIR/aliasdir/$name"
    fi
  done
  kept "kept $SYSCONFDIR/srsfilter.yaml and its secrets file"
  summarize "srsfilter is not installed"
}

main() {
  while (($#)); do
    case $1 in
    --help | -h)
      usage
      exit 0
      ;;
    --dry-run) dry_run=true ;;
    --uninstall) uninstall=true ;;
    --srs-domain)
      (($# >= 2)) || die "--srs-domain needs a value"
      srs_domain=$2
      shift
      ;;
    --srs-domain=*) srs_domain=${1#*=} ;;
    *) die "unknown option: $1 (see --help)" ;;
    esac
    shift
  done
  $dry_run || [[ $(id -u) == 0 ]] || die "run as root (sudo ./install.sh), or try --dry-run"
  if $uninstall; then do_uninstall; else do_install; fi
}

main "$@"
