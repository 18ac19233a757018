# shellcheck shell=bash
# Sourced by install.sh: the Debian package srsfilter_<version>_<arch>.deb, made from the
# checkout's build and packaging/ with dpkg-deb and installed with apt, so that Debian's
# courier-mta and nodejs come as its dependencies and dpkg knows every file it installs.

PACKAGE=srsfilter
PACKAGING=$CHECKOUT/packaging
# The embedded sender store (LMDB) is a Node-API binding whose prebuilt binary npm brings for
# this machine: the package is for this architecture, not 'all'.
PACKAGE_ARCH=$(dpkg --print-architecture)
# What postinst and prerm source (installed under $APP_DIR/setup).
SETUP_PARTS=(change courier policy filter configure)
# The dpkg options every install uses: an edited policy (conffile) is kept without asking,
# and one that is gone (removed by hand while the package was removed) comes back.
DPKG_CONFFILE_OPTIONS=(-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold -o Dpkg::Options::=--force-confmiss)

package_version() { "$BUILD_NODE" -p 'require(process.argv[1]).version' "$CHECKOUT/package.json"; }

# build_package: stages the package tree and builds $DEB from it, in a directory removed on
# exit. A dry run without a current build has nothing to stage: DEB stays empty.
build_package() {
  DEB=""
  local version
  version=$(package_version)
  [[ $(sed -n '1s/^srsfilter (\([^)]*\)).*/\1/p' "$PACKAGING/changelog") == "$version" ]] ||
    die "packaging/changelog does not start with version $version (package.json's): add an entry"
  if ! $BUILD_CURRENT; then
    change "build ${PACKAGE}_${version}_${PACKAGE_ARCH}.deb" true
    return
  fi
  if ! command -v strip >/dev/null || ! command -v objdump >/dev/null; then
    change "install Debian's binutils (apt-get): strip and objdump for the package's native bindings" apt_get install -y -qq binutils
  fi
  local work
  work=$(mktemp -d /tmp/srsfilter-package.XXXXXX)
  on_exit rm -rf "$work"
  chmod 0755 "$work" # apt reads the .deb as its own user
  STAGE=$work/root
  stage_package "$version"
  DEB=$work/${PACKAGE}_${version}_${PACKAGE_ARCH}.deb
  dpkg-deb --root-owner-group -Zxz --build "$STAGE" "$DEB" >/dev/null
  kept "built $(basename "$DEB") ($(du -k "$DEB" | cut -f1) KiB)"
}

stage_package() {
  local version=$1 rel command
  install -d "$STAGE/DEBIAN" "$STAGE$APP_DIR/setup" "$STAGE$BIN_DIR" "$STAGE$LIBEXECDIR/filters" \
    "$STAGE$SYSCONFDIR" "$STAGE/usr/share/doc/$PACKAGE"
  # the runtime part of the build: dist/{lib,filter,cli}/**.js
  while IFS= read -r rel; do
    install -D -m 0644 "$CHECKOUT/dist/$rel" "$STAGE$APP_DIR/dist/$rel"
  done < <(cd "$CHECKOUT/dist" && find lib filter cli -type f -name '*.js' | LC_ALL=C sort)
  stage_production_modules
  for rel in "${SETUP_PARTS[@]}"; do install -m 0644 "$CHECKOUT/install/$rel.sh" "$STAGE$APP_DIR/setup/"; done
  write_wrapper "$STAGE$LIBEXECDIR/filters/$FILTER_NAME" "$APP_DIR/dist/filter/main.js --name \"\$(basename \"\$0\")\""
  for command in "${CLI_COMMANDS[@]}"; do
    [[ -f $CHECKOUT/dist/cli/$command.js ]] || die "the build has no dist/cli/$command.js"
    write_wrapper "$STAGE$BIN_DIR/$command" "$APP_DIR/dist/cli/$command.js"
  done
  # the shipped policy, beside dist/ as in the checkout: what `srsctl policy init` renders
  install -D -m 0644 "$CHECKOUT/config/srsfilter.yaml" "$STAGE$APP_DIR/config/srsfilter.yaml"
  render_policy "${srs_domain:-$(default_srs_domain)}" "$STAGE$(policy_file)"
  install -m 0644 "$PACKAGING/copyright" "$STAGE/usr/share/doc/$PACKAGE/copyright"
  gzip -9n <"$PACKAGING/changelog" >"$STAGE/usr/share/doc/$PACKAGE/changelog.gz"
  find "$STAGE" -type d -exec chmod 0755 {} +
  find "$STAGE" -type f -exec chmod go-w {} +
  # what starts with #! (the commands of the build and of the modules) is executable
  local file
  while IFS= read -r -d '' file; do
    if [[ $(head -c2 "$file") == '#!' ]]; then chmod 0755 "$file"; fi
  done < <(find "$STAGE$APP_DIR" -type f \( -name '*.js' -o -name '*.mjs' \) -print0)
  stage_control "$version"
}

# The dependencies (no devDependencies) as the lock file pins them, installed by npm into
# the staged tree; no install scripts run (the native bindings come prebuilt in npm packages).
stage_production_modules() {
  local app=$STAGE$APP_DIR
  install -m 0644 "$CHECKOUT/package.json" "$CHECKOUT/package-lock.json" "$app/"
  (cd "$app" && npm ci --omit=dev --ignore-scripts --prefer-offline --no-audit --no-fund --silent)
  rm -rf "$app/node_modules/.bin" "$app/package-lock.json"
  # npm brings the native bindings (the LMDB store's) prebuilt for several C libraries: Debian's
  # is glibc, so the musl builds go, and the rest are stripped as Debian ships shared objects;
  # the C sources lmdb would build from when no prebuild fits are not needed.
  find "$app/node_modules" -name '*.musl.node' -delete
  rm -rf "$app/node_modules/lmdb/dependencies"
  find "$app/node_modules" -name '*.node' -exec strip --strip-unneeded {} +
  # npm's own bookkeeping and the modules' lint, VCS and publish files: nothing runs them
  find "$app/node_modules" -type f -name '.*' -delete
  find "$app/node_modules" -type f -exec chmod 0644 {} +
}

# courierfilter starts the filter as the mail user with an empty environment and cwd /usr, as
# $filters/active/NAME: hence the absolute node path and the name taken from $0.
write_wrapper() {
  printf '#!/bin/sh\n# srsfilter (package srsfilter)\nexec %s %s "$@"\n' "$NODE" "$2" >"$1"
  chmod 0755 "$1"
}

stage_control() {
  local part size libc
  for part in postinst prerm postrm; do install -m 0755 "$PACKAGING/$part" "$STAGE/DEBIAN/$part"; done
  install -m 0644 "$PACKAGING/conffiles" "$STAGE/DEBIAN/conffiles"
  (cd "$STAGE" && find . -path ./DEBIAN -prune -o -path ./etc -prune -o -type f -print | sed 's|^\./||' |
    LC_ALL=C sort | xargs -d '\n' md5sum) >"$STAGE/DEBIAN/md5sums"
  size=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
  # the newest glibc symbol version the native bindings need: the floor of libc6
  libc=$(find "$STAGE" -name '*.node' -exec objdump -T {} + | grep -o 'GLIBC_[0-9.]*' | sed 's/^GLIBC_//' | sort -uV | tail -n 1)
  [[ -n $libc ]] || die "no glibc symbol version found in the package's native bindings"
  sed -e "s/@VERSION@/$1/" -e "s/@ARCH@/$PACKAGE_ARCH/" -e "s/@LIBC@/$libc/" -e "s/@INSTALLED_SIZE@/$size/" "$PACKAGING/control" >"$STAGE/DEBIAN/control"
}

# package_current: the installed package is this very build (same version, files, maintainer
# scripts and shipped policy), and its policy is in place: a policy removed by hand comes back
# through a reinstall (--force-confmiss).
package_current() {
  [[ -e $(policy_file) ]] || return 1
  [[ $(dpkg-query -W -f='${db:Status-Abbrev}${Version}' "$PACKAGE" 2>/dev/null) == "ii $(package_version)" ]] || return 1
  local part
  for part in md5sums conffiles postinst prerm postrm; do
    cmp -s "$STAGE/DEBIAN/$part" "/var/lib/dpkg/info/$PACKAGE.$part" || return 1
  done
  local shipped
  shipped=$(md5sum <"$STAGE$(policy_file)" | cut -d' ' -f1)
  dpkg-query -W -f='${Conffiles}\n' "$PACKAGE" | grep -qxF " $(policy_file) $shipped"
}

package_installed() {
  [[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$PACKAGE" 2>/dev/null) == i* ]]
}

install_package() {
  if [[ -z $DEB ]]; then
    change "install the package with apt-get; its postinst creates the secret, adds esmtp to enablefiltering, writes the aliasdir files and starts the filter" true
  elif package_current; then
    kept "package $PACKAGE $(package_version) is installed and is this build"
    configure_srsfilter
  else
    retire_script_install
    change "install $(basename "$DEB") (apt-get); its postinst sets up and starts the filter" apt_install_package
  fi
}

# An srsfilter that an earlier install.sh copied in, without a package: its filter stops and
# its app directory goes (the package brings all of it). Its commands in /usr/local/bin still
# run the package's build, and pipe aliases may name them: they are left, with a note.
retire_script_install() {
  [[ -d $APP_DIR ]] && ! dpkg-query -S "$APP_DIR" >/dev/null 2>&1 || return 0
  stop_filter
  remove_path "$APP_DIR"
  local command
  for command in "${CLI_COMMANDS[@]}"; do
    if grep -qs "installed by srsfilter's install.sh" "/usr/local/bin/$command"; then
      warn "/usr/local/bin/$command (from an earlier install.sh) is left: it runs the package's build; remove it once no alias names it"
    fi
  done
}

# apt-get's output is kept quiet but for what the maintainer scripts report (their ok/do lines).
apt_install_package() {
  local reinstall=()
  package_installed && reinstall=(--reinstall)
  local rc=0 log
  log=$(mktemp)
  on_exit rm -f "$log"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --allow-downgrades "${reinstall[@]}" \
    "${DPKG_CONFFILE_OPTIONS[@]}" "$DEB" >"$log" 2>&1 || rc=$?
  grep -E '^  (ok|do|WARN) ' "$log" || true
  if ((rc != 0)); then
    cat "$log" >&2
    die "apt-get install $(basename "$DEB") failed (exit $rc)"
  fi
}

remove_package() {
  if package_installed; then
    change "remove the package $PACKAGE (apt-get remove; its prerm stops the filter)" apt_get remove -y -q "$PACKAGE"
  else
    kept "package $PACKAGE is not installed"
  fi
}
