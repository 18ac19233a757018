#!/usr/bin/env bash
# Runs the unit and integration suites (the filter's start-up included: the integration
# harness starts dist/filter/main.js with the node that runs jest) under Debian 12's own
# Node 18, beside the machine's node, which stays as it is: Debian's nodejs and libnode108
# are unpacked into a private directory. Tests start children with environments of their
# own, where an LD_LIBRARY_PATH would not reach, so that node gets a RUNPATH to its libnode.
#
#   bash .ci/node18.sh               (root; after `npm ci` and a build) prints jest's "Tests:" line
#   bash .ci/node18.sh --setup-only  only fetch and unpack Node 18 (the part that needs apt)
#
# NODE18_DIR (default /var/tmp/srsfilter-node18) keeps the unpacked packages between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
NODE18_DIR=${NODE18_DIR:-/var/tmp/srsfilter-node18}
# What Debian's nodejs 18 loads from the system besides libnode108 (its Depends).
RUNTIME_PACKAGES=(libc-ares2 libuv1 libnghttp2-14 libbrotli1 libicu72 node-acorn node-cjs-module-lexer node-undici patchelf)

# The newest 18.x of Debian's nodejs that apt knows (bookworm or bookworm-security).
debian_node18_version() {
  apt-cache madison nodejs | awk -F' *[|] *' '$2 ~ /^18\./ { print $2 }' | sort -V | tail -n1
}

unpack_node18() {
  local version=$1 work
  work=$(mktemp -d)
  # apt-get download fetches as _apt into the cwd
  chmod 0755 "$work"
  chown _apt "$work" 2>/dev/null || true
  (cd "$work" && apt-get download -qq "nodejs=$version" "libnode108=$version")
  rm -rf "$NODE18_DIR.new"
  mkdir -p "$NODE18_DIR.new"
  local deb
  for deb in "$work"/*.deb; do dpkg -x "$deb" "$NODE18_DIR.new"; done
  patchelf --set-rpath '$ORIGIN/../lib/x86_64-linux-gnu' "$NODE18_DIR.new/usr/bin/node"
  echo "$version" >"$NODE18_DIR.new/version"
  rm -rf "$work" "$NODE18_DIR"
  mv "$NODE18_DIR.new" "$NODE18_DIR"
}

setup() {
  apt-cache madison nodejs | grep -q . || apt-get update -qq
  local version
  version=$(debian_node18_version)
  [[ -n $version ]] || { echo "node18: apt knows no Debian nodejs 18.x (apt-get update?)" >&2; return 1; }
  local missing=() package
  for package in "${RUNTIME_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  if ((${#missing[@]})); then apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; fi
  if [[ $(cat "$NODE18_DIR/version" 2>/dev/null) != "$version" ]]; then unpack_node18 "$version"; fi
}

setup
[[ ${1:-} != --setup-only ]] || exit 0
# a test that starts `node` by name gets this one too
export PATH=$NODE18_DIR/usr/bin:$PATH
node=$NODE18_DIR/usr/bin/node
echo "node18: $("$node" --version) from Debian's nodejs $(cat "$NODE18_DIR/version")"
major=$("$node" -p 'process.versions.node.split(".")[0]')
[[ $major == 18 ]] || { echo "node18: $node is Node $major" >&2; exit 1; }
"$node" dist/cli/srsctl.js genkey >/dev/null
exec "$node" node_modules/jest/bin/jest.js --selectProjects unit integration
