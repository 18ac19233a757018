#!/bin/bash
# The end-to-end suite through a real Debian courier-mta, from a clean Debian 12 machine
# (root, no systemd needed):
#   1. installs what the suite needs (apt: courier-mta, srs, libmail-srs-perl, procps;
#      npm ci if node_modules is missing)
#   2. sets up the test Courier (support/courier-env.sh up: loopback only, the sink's routes,
#      aliases, a local user, the daemons, a syslog receiver if none)
#   3. ./install.sh (srsfilter into that Courier, filter started)
#   4. npx jest --selectProjects e2e --runInBand (jest prints "Tests: N passed, M failed")
#   5. uninstalls and purges srsfilter (unless it was installed before), stops what step 2
#      started and restores Courier's config
# Exit status: jest's, or non-zero when a set-up step failed.
#
#   bash test/e2e/run.sh            E2E_DIR (default /tmp/srsfilter-e2e) holds the state and mail log
#   bash test/e2e/run.sh backup-mx  further arguments go to jest (here: only files matching backup-mx)
set -euo pipefail
cd "$(dirname "$0")/../.."
SUPPORT=test/e2e/support
JEST_TIMEOUT_S=480 # the suite takes well under a minute; this only bounds a hang
export E2E_DIR="${E2E_DIR:-/tmp/srsfilter-e2e}"
export DEBIAN_FRONTEND=noninteractive

step() { printf '\n--- e2e: %s\n' "$*"; }

[[ $(id -u) == 0 ]] || {
  echo "e2e: run as root (it installs packages and drives the system's Courier)" >&2
  exit 2
}

missing_packages() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
  done
}

# Without systemd courier-mta's postinst cannot start its services and would leave the
# package half-configured; a policy-rc.d that denies starts avoids that (courier-env.sh
# starts the daemons itself).
install_packages() {
  local need
  mapfile -t need < <(missing_packages courier-mta srs libmail-srs-perl procps)
  ((${#need[@]})) || return 0
  step "apt-get install ${need[*]}"
  local deny=false
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    deny=true
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 0755 /usr/sbin/policy-rc.d
  fi
  local rc=0 log=$E2E_DIR/apt.log
  mkdir -p "$E2E_DIR"
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}"; } >"$log" 2>&1 || rc=$?
  if $deny; then rm -f /usr/sbin/policy-rc.d; fi
  if ((rc != 0)); then cat "$log" >&2; fi
  return $rc
}

# srsfilter is uninstalled (and its package purged) again unless it was installed before: the
# policy it ran with goes back to what was there (courier-env.sh down), so no half-configured
# filter stays active.
teardown() {
  local rc=$?
  step "teardown"
  if ! $was_installed; then
    ./install.sh --uninstall >/dev/null || echo "e2e: install.sh --uninstall failed" >&2
    dpkg --purge srsfilter >/dev/null || echo "e2e: dpkg --purge srsfilter failed" >&2
  fi
  bash $SUPPORT/courier-env.sh down || echo "e2e: teardown failed; see $E2E_DIR" >&2
  exit $rc
}

show_mail_log_tail() {
  echo "--- last lines of the mail log ($(bash $SUPPORT/courier-env.sh log)):"
  tail -n 40 "$(bash $SUPPORT/courier-env.sh log)" 2>/dev/null || true
}

install_packages
if [[ ! -d node_modules ]]; then
  step "npm ci"
  npm ci --no-audit --no-fund
fi

was_installed=false
[[ -e /usr/lib/srsfilter ]] && was_installed=true
trap teardown EXIT
step "test Courier up"
bash $SUPPORT/courier-env.sh up
step "./install.sh"
./install.sh || {
  show_mail_log_tail
  exit 1
}

step "jest e2e"
E2E_MAIL_LOG="$(bash $SUPPORT/courier-env.sh log)" timeout --kill-after=10 $JEST_TIMEOUT_S \
  npx jest --selectProjects e2e --runInBand "$@"
