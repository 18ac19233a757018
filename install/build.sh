# shellcheck shell=bash
# Sourced by install.sh: the checkout's own build (dist/), which the package is made from.

checkout_owner() { stat -c '%U' "$CHECKOUT"; }

# npm and tsc run as the owner of the checkout, so that `sudo ./install.sh` leaves no
# root-owned files in a user's clone.
as_owner() {
  local owner
  owner=$(checkout_owner)
  if [[ $owner == root || $(id -u) != 0 ]]; then
    (cd "$CHECKOUT" && "$@")
  else
    (cd "$CHECKOUT" && runuser -u "$owner" -- env HOME="$(getent passwd "$owner" | cut -d: -f6)" PATH="$PATH" "$@")
  fi
}

# Sets BUILD_CURRENT: whether dist/ is the build of the checkout as it is.
build() {
  BUILD_CURRENT=true
  if [[ ! -f $CHECKOUT/node_modules/.package-lock.json || $CHECKOUT/package-lock.json -nt $CHECKOUT/node_modules/.package-lock.json ]]; then
    change "install the Node dependencies in $CHECKOUT (npm ci)" as_owner npm ci --no-audit --no-fund
    if $dry_run; then BUILD_CURRENT=false; fi
  else
    kept "Node dependencies are installed"
  fi
  local main=$CHECKOUT/dist/filter/main.js
  if [[ ! -f $main ]] || [[ -n $(find "$CHECKOUT"/{lib,filter,cli} "$CHECKOUT/tsconfig.json" "$CHECKOUT/package.json" -newer "$main" -print -quit) ]]; then
    change "build $CHECKOUT/dist (npm run build)" as_owner npm run -s build
    if $dry_run; then BUILD_CURRENT=false; fi
  else
    kept "the build is up to date"
  fi
}
