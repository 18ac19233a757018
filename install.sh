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

CHECKOUT="$(CDPATH='' cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
APP_DIR=/usr/lib/srsfilter
BIN_DIR=/usr/local/bin
FILTER_NAME=srsfilter
CLI_COMMANDS=(srsctl srs-forwarder srs-reverser)
SRS_ALIAS_FILES=(.courier-SRS0-default .courier-SRS1-default .courier-srs0-default .courier-srs1-default)

dry_run=false
uninstall=false
srs_domain=""
changes=0

# Each step, by what it installs; every change goes through `change` (install/change.sh).
source "$CHECKOUT/install/change.sh"
source "$CHECKOUT/install/app.sh"
source "$CHECKOUT/install/policy.sh"
source "$CHECKOUT/install/courier.sh"
source "$CHECKOUT/install/filter.sh"

usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

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
  install_secret
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
  stop_filter
  remove_app
  remove_srs_aliases
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
