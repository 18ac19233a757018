# shellcheck shell=bash
# Sourced by install.sh and by the package's maintainer scripts: how every step reports what
# it keeps and makes (or, with --dry-run, would make) a change. Every change goes through
# `change`, so the count and the dry run hold.

dry_run=${dry_run:-false}
changes=${changes:-0}

die() {
  echo "install.sh: $*" >&2
  exit 1
}

say() { echo "$*"; }

# on_exit COMMAND...: runs COMMAND when the script ends, however it ends (error, die, a
# signal): what a step must undo, such as a policy-rc.d, is undone even then.
EXIT_ACTIONS=()
on_exit() {
  EXIT_ACTIONS+=("$(printf '%q ' "$@")")
  trap run_exit_actions EXIT
  trap 'exit 129' HUP
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

run_exit_actions() {
  local action
  for action in "${EXIT_ACTIONS[@]}"; do eval "$action" || true; done
  EXIT_ACTIONS=()
}
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
