# shellcheck shell=bash
# Sourced by install.sh and by the package's maintainer scripts: where the package puts
# srsfilter, and what postinst and prerm do on the machine. install.sh also runs
# configure_srsfilter when the package is already current, so a second run puts back what
# was changed by hand (esmtp in enablefiltering, the aliasdir files, a stopped filter).

APP_DIR=/usr/lib/srsfilter
BIN_DIR=/usr/bin
# the package depends on Debian's nodejs, which puts node here
NODE=/usr/bin/node
FILTER_NAME=srsfilter
CLI_COMMANDS=(srsctl srs-forwarder srs-reverser)

# postinst configure: the secret, enablefiltering, the aliasdir files, the filter started and checked.
configure_srsfilter() {
  read_courier_config "$BIN_DIR/srsctl"
  install_secret
  ensure_enablefiltering
  install_srs_aliases
  check_before_start
  start_filter
  check_after_start
}

# prerm ACTION: the filter stops. On remove its aliasdir files go too: they pipe to
# srs-reverser, which goes with the package, so Courier refuses SRS bounces at RCPT instead.
deconfigure_srsfilter() {
  read_courier_config "$BIN_DIR/srsctl"
  stop_filter
  if [[ $1 == remove ]]; then remove_srs_aliases; fi
}
