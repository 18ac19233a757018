# shellcheck shell=bash
# Sourced by install.sh and the package's maintainer scripts: the policy and its secret. The
# policy is the package's conffile (dpkg keeps an edited one); the secret is made on the
# machine, once, and never shipped or overwritten.

# Where postinst notes each secrets file it made, for purge.
CREATED_SECRETS=/var/lib/srsfilter/created-secrets

policy_file() { echo "$SYSCONFDIR/srsfilter.yaml"; }

# The secrets file the policy names, as srsfilter itself reads the policy.
policy_secrets_file() { "$BIN_DIR/srsctl" policy get secrets-file --config "$(policy_file)"; }

default_srs_domain() {
  local f
  for f in "$SYSCONFDIR/defaultdomain" "$SYSCONFDIR/me"; do
    if [[ -s $f ]]; then
      head -n1 "$f" | tr -d '[:space:]'
      return
    fi
  done
  hostname -f
}

# render_policy DOMAIN OUTPUT: the shipped policy with its srs-domain (build time, the checkout's srsctl).
render_policy() {
  (umask 022 && "$BUILD_NODE" "$CHECKOUT/dist/cli/srsctl.js" policy init --srs-domain "$1" >"$2") ||
    die "cannot write the policy with srs-domain '$1' (above); use --srs-domain"
}

# The secrets file the policy names; a dry run before the package is installed has no srsctl
# to read the policy with: then it is only named.
install_secret() {
  local secrets_file="the policy's secrets-file"
  if [[ -e $(policy_file) && -x $BIN_DIR/srsctl ]]; then
    secrets_file=$(policy_secrets_file) || die "$(policy_file) is not valid (above); fix it and run install.sh again"
  elif ! $dry_run; then
    die "$(policy_file) is missing; bring back the package's copy: apt-get install --reinstall -o Dpkg::Options::=--force-confmiss srsfilter"
  fi
  if [[ -e $secrets_file ]]; then
    kept "$secrets_file exists (never overwritten)"
    return
  fi
  change "create $secrets_file (new secret, srsctl genkey --group $MAILGROUP)" create_secret "$secrets_file"
}

create_secret() {
  "$BIN_DIR/srsctl" genkey --output "$1" --group "$MAILGROUP"
  mkdir -p "$(dirname "$CREATED_SECRETS")"
  grep -qxF -- "$1" "$CREATED_SECRETS" 2>/dev/null || printf '%s\n' "$1" >>"$CREATED_SECRETS"
}
