# shellcheck shell=bash
# Sourced by install.sh: Courier itself and the files of Courier's that srsfilter needs
# (enablefiltering, the aliasdir files for SRS bounces).

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

# ------------------------------------------------------------------ enablefiltering
# submit reads only the first line of enablefiltering and splits it on blanks; a source is
# filtered when one word equals it (see lib/courier/enableFiltering.ts). So only the first
# line is tested and edited; the lines below it are kept as they are.
ensure_enablefiltering() {
  local file=$SYSCONFDIR/enablefiltering
  if first_line_has_esmtp "$file"; then
    kept "$file has esmtp"
    return
  fi
  change "add esmtp to the first line of $file" add_esmtp_filtering "$file"
}

first_line() { head -n1 "$1" 2>/dev/null || true; }

first_line_has_esmtp() {
  local words word
  IFS=$' \t\r' read -ra words <<<"$(first_line "$1")"
  for word in "${words[@]}"; do
    if [[ $word == esmtp ]]; then return 0; fi
  done
  return 1
}

# Rewrites the file in place (its owner and mode stay).
add_esmtp_filtering() {
  local first rest
  first=$(first_line "$1" | sed 's/[[:space:]]*$//')
  # the '.' keeps the trailing newlines of the other lines, which $(...) would strip
  rest=$(tail -n +2 "$1" 2>/dev/null; echo .)
  printf '%s\n%s' "${first:+$first }esmtp" "${rest%.}" >"$1"
}

# ------------------------------------------------------------------ aliasdir
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

# Only the files this script wrote: an admin's own edits stay.
remove_srs_aliases() {
  local name
  for name in "${SRS_ALIAS_FILES[@]}"; do
    if [[ -f $SYSCONFDIR/aliasdir/$name ]] && [[ $(cat "$SYSCONFDIR/aliasdir/$name") == "$(srs_alias_text)" ]]; then
      remove_path "$SYSCONFDIR/aliasdir/$name"
    fi
  done
}
