#!/bin/bash
# Installs srsfilter into Debian 12's courier-mta, from this checkout, as a Debian package.
# Run as root:
#
#   sudo ./install.sh [--srs-domain DOMAIN]   build srsfilter_<version>_<arch>.deb and install it
#                                             with apt (or, when that very build is installed,
#                                             check and repair the set-up); start the filter
#   sudo ./install.sh --dry-run               print what it would do, change nothing
#   sudo ./install.sh --uninstall             apt-get remove srsfilter: the filter stops and goes,
#                                             Courier delivers without it; the policy and the
#                                             secret stay (apt-get purge srsfilter removes them)
#
# Before the package it installs, when missing: Debian's nodejs and npm (Node >= 18 builds and
# runs srsfilter; a node that is not root's is refused) and courier-mta.
# The package (packaging/; dpkg -L srsfilter lists its files):
#   /usr/lib/srsfilter/                 the compiled app (dist/) and its production node_modules
#   /usr/lib/courier/filters/srsfilter  the wrapper courierfilter runs
#   /usr/bin/{srsctl,srs-forwarder,srs-reverser}
#   /etc/courier/srsfilter.yaml         the policy, a conffile (an edited one is kept); its
#                                       srs-domain: --srs-domain, else Courier's defaultdomain or me
# Its postinst (and this script, when the package is current), each step only when needed:
#   the policy's secrets-file           32 random bytes in base64, root:<mail group>, 0640
#   /etc/courier/aliasdir/.courier-{SRS0,SRS1,srs0,srs1}-default
#                                       make Courier accept RCPT TO:<SRS0-…@local domain> for
#                                       bounces (Courier's aliasdir splits local parts at '-'),
#                                       and nothing else. A bounce the filter did not reverse
#                                       (filter stopped) is delivered to these files, which
#                                       pipe it to srs-reverser: it still reaches the sender.
#   `esmtp` in /etc/courier/enablefiltering
#   filterctl start srsfilter, then `srsctl check`
set -euo pipefail

CHECKOUT="$(CDPATH='' cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"

dry_run=false
uninstall=false
srs_domain=""
changes=0

# Each step, by what it installs; every change goes through `change` (install/change.sh).
for part in change configure node build courier policy filter package; do
  # shellcheck source=/dev/null
  source "$CHECKOUT/install/$part.sh"
done

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
  build
  if $BUILD_CURRENT; then read_courier_config "$BUILD_NODE" "$CHECKOUT/dist/cli/srsctl.js"; else read_courier_config; fi
  build_package
  install_package
  summarize "srsfilter is installed and current"
}

do_uninstall() {
  say "srsfilter install.sh --uninstall$(dry_run_note)"
  remove_package
  kept "the policy, its secrets file and esmtp in enablefiltering stay (apt-get purge srsfilter removes the policy and the secret)"
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
