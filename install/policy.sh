# shellcheck shell=bash
# Sourced by install.sh: the policy and its secret. Both are created only when missing and
# never overwritten: they are the admin's from then on.

POLICY=""

# The secrets file the policy names, as srsfilter itself reads the policy; $1 is the directory
# holding the build (dist/).
policy_secrets_file() {
  "$NODE" -e '
    const { loadPolicy, formatProblem } = require(process.argv[1]);
    loadPolicy(process.argv[2]).then((r) => {
      if (!r.ok) { for (const p of r.problems) console.error(formatProblem(p)); process.exit(1); }
      console.log(r.value.secretsFile);
    });' "$1/dist/lib/config" "$POLICY"
}

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

render_policy() {
  "$NODE" -e '
    const fs = require("fs");
    const YAML = require(process.argv[1]);
    const doc = YAML.parseDocument(fs.readFileSync(process.argv[2], "utf8"));
    doc.set("srs-domain", process.argv[3]);
    fs.writeFileSync(process.argv[4], String(doc), { mode: 0o644, flag: "wx" });' \
    "$APP_DIR/node_modules/yaml" "$CHECKOUT/config/srsfilter.yaml" "$1" "$POLICY"
}

install_policy() {
  POLICY=$SYSCONFDIR/srsfilter.yaml
  if [[ -e $POLICY ]]; then
    kept "$POLICY exists (never overwritten)"
    [[ -z $srs_domain ]] || warn "--srs-domain ignored: $POLICY exists; edit its srs-domain instead"
    return
  fi
  local domain=${srs_domain:-$(default_srs_domain)}
  [[ $domain =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$ ]] || die "not a domain name: '$domain' (use --srs-domain)"
  change "create $POLICY (srs-domain: $domain)" render_policy "$domain"
}

# The secrets file the policy names; a dry run may have neither the policy nor a build yet:
# then the default policy's file.
install_secret() {
  local secrets_file=$SYSCONFDIR/srsfilter.secret build_root=$APP_DIR
  [[ -d $APP_DIR/dist ]] || build_root=$CHECKOUT
  if [[ -e $POLICY && -d $build_root/dist ]]; then
    secrets_file=$(policy_secrets_file "$build_root") || die "$POLICY is not valid (above); fix it and run install.sh again"
  fi
  if [[ -e $secrets_file ]]; then
    kept "$secrets_file exists (never overwritten)"
    return
  fi
  change "create $secrets_file (new secret, root:$MAILGROUP 0640)" create_secret "$secrets_file"
}

create_secret() {
  (umask 077 && "$BIN_DIR/srsctl" genkey --output "$1")
  chown "root:$MAILGROUP" "$1"
  chmod 0640 "$1"
}
