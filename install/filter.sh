# shellcheck shell=bash
# Sourced by install.sh and the package's maintainer scripts: the filter's life under courierfilter (filterctl start/stop) and the
# `srsctl check` around its start.

COURIERFILTER_PIDFILE=/run/courier/courierfilter.pid # as in filterctl
# The filter answers the messages in flight for at most its drain timeout (10 s by default)
# after filterctl stop, then removes its socket and exits; the wait allows for twice that.
OLD_FILTER_EXIT_TENTHS=200

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
# old process has gone (it removes its socket on exit) before starting. The start runs even
# when the old one outlives the wait: a filter left stopped would let mail pass unfiltered.
restart_filter() {
  filterctl stop "$FILTER_NAME"
  if ! wait_for "$OLD_FILTER_EXIT_TENTHS" socket_absent; then
    warn "the old filter has not exited $((OLD_FILTER_EXIT_TENTHS / 10)) s after filterctl stop; starting the new one anyway (its lines in the mail log say why)"
  fi
  filterctl start "$FILTER_NAME"
}

# filterctl start is not idempotent (a second one fails: the symlink exists). A new build
# needs no restart here: the package's prerm stops the old filter before dpkg replaces it.
start_filter() {
  if ! filter_active; then
    change "start the filter (filterctl start $FILTER_NAME)" filterctl start "$FILTER_NAME"
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

# The files of the package go once this returns (prerm): the old filter answers the messages
# in flight and exits first.
stop_filter() {
  if filter_active; then change "stop the filter (filterctl stop $FILTER_NAME)" stop_and_wait; fi
}

stop_and_wait() {
  filterctl stop "$FILTER_NAME"
  courierfilter_running || return 0
  wait_for "$OLD_FILTER_EXIT_TENTHS" socket_absent ||
    warn "the filter has not exited $((OLD_FILTER_EXIT_TENTHS / 10)) s after filterctl stop (its lines in the mail log say why)"
}
