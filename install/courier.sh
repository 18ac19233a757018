# shellcheck shell=bash
# Sourced by install.sh and the package's maintainer scripts: Courier itself and the files of
# Courier's that srsfilter needs (enablefiltering, the aliasdir files for SRS bounces).

POLICY_RC_D=/usr/sbin/policy-rc.d
SYSTEMD_RUN_DIR=/run/systemd/system

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

# deny_service_starts: a policy-rc.d until allow_service_starts or the end of this script,
# when there is no systemd and no policy-rc.d of the admin's.
WROTE_POLICY_RC_D=false
deny_service_starts() {
  [[ ! -d $SYSTEMD_RUN_DIR && ! -e $POLICY_RC_D ]] || return 0
  WROTE_POLICY_RC_D=true
  on_exit allow_service_starts
  printf '#!/bin/sh\n# srsfilter install.sh: no systemd here, do not start services from maintainer scripts\nexit 101\n' >"$POLICY_RC_D"
  chmod 0755 "$POLICY_RC_D"
}

allow_service_starts() {
  if $WROTE_POLICY_RC_D; then rm -f "$POLICY_RC_D"; fi
  WROTE_POLICY_RC_D=false
}

# apt_get ARGS...: apt-get, quiet unless it fails; then its output and die.
apt_get() {
  local rc=0 log
  log=$(mktemp)
  on_exit rm -f "$log"
  DEBIAN_FRONTEND=noninteractive apt-get "$@" >"$log" 2>&1 || rc=$?
  if ((rc != 0)); then
    cat "$log" >&2
    die "apt-get $* failed (exit $rc)"
  fi
}

apt_install_courier() {
  deny_service_starts
  apt_get update -qq
  apt_get install -y -qq courier-mta
  allow_service_starts
  [[ -d $SYSTEMD_RUN_DIR ]] || warn "no systemd: courier-mta's services were not started; start them yourself (authdaemond start; courierfilter start; courier start; esmtpd start)"
}

# read_courier_config SRSCTL...: Courier's directories and mail group, courier-config's answer as
# srsctl reads it. Without an srsctl to ask (a dry run before the first build) or without
# Courier (a dry run before apt installs it): the paths of Debian's courier-mta.
read_courier_config() {
  if (($# == 0)) || ! command -v courier-config >/dev/null; then
    LIBEXECDIR=/usr/lib/courier SYSCONFDIR=/etc/courier LOCALSTATEDIR=/var/lib/courier MAILGROUP=courier
    return
  fi
  local values
  values=$("$@" courier get libexecdir sysconfdir localstatedir mailgroup) || die "cannot read Courier's paths (above)"
  { read -r LIBEXECDIR && read -r SYSCONFDIR && read -r LOCALSTATEDIR && read -r MAILGROUP; } <<<"$values"
}

# ------------------------------------------------------------------ enablefiltering
# submit reads only the first line of enablefiltering and splits it on blanks; a source is
# filtered when one word equals it (see lib/courier/host/enableFiltering.ts). So only the first
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

# Writes the new text to a temporary file beside it and renames that over the old one, with
# the old owner and mode: a write cut short (disk full, a signal) leaves the old file, never a
# truncated one, since an empty enablefiltering turns off every global filter.
add_esmtp_filtering() {
  local first rest tmp
  first=$(first_line "$1" | sed 's/[[:space:]]*$//')
  # the '.' keeps the trailing newlines of the other lines, which $(...) would strip
  rest=$(tail -n +2 "$1" 2>/dev/null; echo .)
  tmp=$(mktemp "$1.XXXXXX")
  on_exit rm -f "$tmp"
  if [[ -e $1 ]]; then
    chown --reference="$1" "$tmp"
    chmod --reference="$1" "$tmp"
  else
    chmod 0644 "$tmp"
  fi
  printf '%s\n%s' "${first:+$first }esmtp" "${rest%.}" >"$tmp"
  sync "$tmp"
  mv -f "$tmp" "$1"
}

# ------------------------------------------------------------------ aliasdir
srs_alias_text() {
  printf '%s\n' "# srsfilter: an SRS bounce the filter did not reverse goes back via srs-reverser" \
    "| $BIN_DIR/srs-reverser"
}

# The aliasdir files for SRS bounces, as srsctl names them (srsctl check looks for the same).
srs_alias_files() {
  "$BIN_DIR/srsctl" courier alias-files || die "srsctl cannot name the aliasdir files (above)"
}

install_srs_aliases() {
  local name names before=$changes
  names=$(srs_alias_files)
  for name in $names; do
    place_text "$SYSCONFDIR/aliasdir/$name" 0644 root:root "$(srs_alias_text)
"
  done
  ((changes > before)) || kept "the aliasdir files for SRS bounces are current"
}

# Only the files this script wrote: an admin's own edits stay.
remove_srs_aliases() {
  local name names
  names=$(srs_alias_files)
  for name in $names; do
    if [[ -f $SYSCONFDIR/aliasdir/$name ]] && [[ $(cat "$SYSCONFDIR/aliasdir/$name") == "$(srs_alias_text)" ]]; then
      remove_path "$SYSCONFDIR/aliasdir/$name"
    fi
  done
}
