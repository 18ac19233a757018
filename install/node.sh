# shellcheck shell=bash
# Sourced by install.sh: the node that builds srsfilter (and, as the package's dependency,
# runs it). install.sh runs it as root, so it must be root's: a node that another user can
# replace would run that user's code as root.

NODE_MAJOR_MIN=18

check_node() {
  if ! command -v node >/dev/null; then
    change "install Debian's nodejs and npm (apt-get)" apt_install_node nodejs npm
  elif ! command -v npm >/dev/null; then
    change "install Debian's npm (apt-get)" apt_install_node npm
  fi
  BUILD_NODE=$(command -v node || echo /usr/bin/node)
  $dry_run && [[ ! -e $BUILD_NODE ]] && return
  node_trusted "$BUILD_NODE" || die "refusing $BUILD_NODE: $NODE_DISTRUST; use a node only root can change (Debian's nodejs: apt-get install nodejs)"
  local major
  major=$("$BUILD_NODE" -p 'process.versions.node.split(".")[0]')
  ((major >= NODE_MAJOR_MIN)) || die "$BUILD_NODE is Node $major; srsfilter needs $NODE_MAJOR_MIN or newer (Debian 12's nodejs is 18)"
  kept "node $BUILD_NODE (Node $major)"
}

apt_install_node() {
  apt_get update -qq
  apt_get install -y -qq "$@"
}

# node_trusted PATH: the file PATH resolves to is owned by root and writable by no one else,
# and so is every directory above it and above PATH itself (a directory's links followed); a
# world-writable directory with the sticky bit (/tmp) counts as safe, since no one else can
# rename root's entries in it. Sets NODE_DISTRUST to the reason when not.
node_trusted() {
  local real dir
  real=$(readlink -f -- "$1")
  root_only "$real" file || return 1
  for dir in "$1" "$real"; do
    while [[ $dir != / ]]; do
      dir=$(dirname -- "$dir")
      root_only "$dir" directory || return 1
    done
  done
}

# root_only PATH KIND: PATH is root's and no one else can write to it.
root_only() {
  local uid mode
  read -r uid mode < <(stat -L -c '%u %a' -- "$1" 2>/dev/null) || {
    NODE_DISTRUST="cannot stat $1"
    return 1
  }
  if ((uid != 0)); then
    NODE_DISTRUST="the $2 $1 is not owned by root"
    return 1
  fi
  local writable=$((8#$mode & 8#022)) sticky=$((8#$mode & 8#1000))
  if ((writable)) && [[ $2 == file || $sticky == 0 ]]; then
    NODE_DISTRUST="the $2 $1 is writable by others than root (mode $mode)"
    return 1
  fi
}
