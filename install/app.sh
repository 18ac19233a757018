# shellcheck shell=bash
# Sourced by install.sh: srsfilter itself. Builds the checkout, copies the build and its
# production dependencies to $APP_DIR, and places the filter wrapper and the commands.

NODE_MAJOR_MIN=20
# Set when anything the running filter executes changed: start_filter then restarts it.
APP_CHANGED=false

check_node() {
  NODE=$(command -v node || true)
  [[ -n $NODE ]] || die "node (>= $NODE_MAJOR_MIN) is not on PATH; install Node.js $NODE_MAJOR_MIN first (Debian 12's nodejs is 18: use NodeSource or the official tarball)"
  local major
  major=$("$NODE" -p 'process.versions.node.split(".")[0]')
  ((major >= NODE_MAJOR_MIN)) || die "$NODE is Node $major; srsfilter needs $NODE_MAJOR_MIN or newer"
  command -v npm >/dev/null || die "npm is not on PATH"
}

# ------------------------------------------------------------------ build
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

build() {
  if [[ ! -f $CHECKOUT/node_modules/.package-lock.json || $CHECKOUT/package-lock.json -nt $CHECKOUT/node_modules/.package-lock.json ]]; then
    change "install the Node dependencies in $CHECKOUT (npm ci)" as_owner npm ci --no-audit --no-fund
  else
    kept "Node dependencies are installed"
  fi
  local main=$CHECKOUT/dist/filter/main.js
  if [[ ! -f $main ]] || [[ -n $(find "$CHECKOUT"/{lib,filter,cli} "$CHECKOUT/tsconfig.json" "$CHECKOUT/package.json" -newer "$main" -print -quit) ]]; then
    change "build $CHECKOUT/dist (npm run build)" as_owner npm run -s build
  else
    kept "the build is up to date"
  fi
}

# ------------------------------------------------------------------ the installed app
install_app() {
  if [[ ! -d $CHECKOUT/dist ]]; then # only in a dry run: the build step would make it
    change "copy the build (dist/lib, filter, cli) and its production dependencies to $APP_DIR" true
    APP_CHANGED=true
    return
  fi
  local before=$changes f
  for f in package.json package-lock.json; do
    place_file "$CHECKOUT/$f" "$APP_DIR/$f" 0644 root:root
  done
  if ((changes > before)) || [[ ! -d $APP_DIR/node_modules ]]; then
    change "install the production dependencies in $APP_DIR (npm ci --omit=dev)" \
      env -C "$APP_DIR" npm ci --omit=dev --ignore-scripts --no-audit --no-fund --silent
  else
    kept "$APP_DIR/node_modules is current"
  fi
  sync_build
  if ((changes > before)); then APP_CHANGED=true; else kept "$APP_DIR is current"; fi
}

# The runtime part of the build (dist/{lib,filter,cli}/**.js) to $APP_DIR/dist: copies the
# files that differ, removes those an older build left.
sync_build() {
  local rel copy=() stale=()
  while IFS= read -r rel; do
    cmp -s "$CHECKOUT/dist/$rel" "$APP_DIR/dist/$rel" 2>/dev/null || copy+=("$rel")
  done < <(cd "$CHECKOUT/dist" && find lib filter cli -type f -name '*.js' | sort)
  if [[ -d $APP_DIR/dist ]]; then
    while IFS= read -r rel; do
      [[ $rel == *.js && -f $CHECKOUT/dist/$rel && $rel =~ ^(lib|filter|cli)/ ]] || stale+=("$rel")
    done < <(cd "$APP_DIR/dist" && find . -type f | sed 's|^\./||' | sort)
  fi
  if ((${#copy[@]} + ${#stale[@]} > 0)); then
    change "copy ${#copy[@]} file(s) of the build to $APP_DIR/dist, remove ${#stale[@]} old one(s)" \
      apply_build_sync "${#copy[@]}" "${copy[@]}" "${stale[@]}"
  fi
}

# apply_build_sync N COPY... STALE...: the first N paths are copied, the rest removed.
apply_build_sync() {
  local n=$1 rel
  shift
  for rel in "${@:1:n}"; do install -D -m 0644 -o root -g root "$CHECKOUT/dist/$rel" "$APP_DIR/dist/$rel"; done
  for rel in "${@:n+1}"; do rm -f "$APP_DIR/dist/$rel"; done
  find "$APP_DIR/dist" -depth -type d -empty -delete
}

# courierfilter starts the filter as the mail user with an empty environment, cwd /usr and
# PATH=/usr/bin:/bin:/usr/bin:/usr/local/bin, as $filters/active/NAME: hence the absolute
# node path and the name taken from $0.
install_wrappers() {
  local before=$changes
  place_text "$LIBEXECDIR/filters/$FILTER_NAME" 0755 root:root "#!/bin/sh
# srsfilter for courierfilter (installed by srsfilter's install.sh)
exec $NODE $APP_DIR/dist/filter/main.js --name \"\$(basename \"\$0\")\" \"\$@\"
"
  local command
  for command in "${CLI_COMMANDS[@]}"; do
    $dry_run || [[ -f $CHECKOUT/dist/cli/$command.js ]] || die "the build has no dist/cli/$command.js"
    place_text "$BIN_DIR/$command" 0755 root:root "#!/bin/sh
# installed by srsfilter's install.sh
exec $NODE $APP_DIR/dist/cli/$command.js \"\$@\"
"
  done
  if ((changes > before)); then APP_CHANGED=true; else kept "the filter wrapper and the commands are current"; fi
}

remove_app() {
  remove_path "$LIBEXECDIR/filters/$FILTER_NAME"
  local command
  for command in "${CLI_COMMANDS[@]}"; do remove_path "$BIN_DIR/$command"; done
  remove_path "$APP_DIR"
}
