/**
 * Steps of install.sh (install/*.sh, which the package's maintainer scripts share) run in bash
 * against a throw-away root: the policy-rc.d it writes for apt, the enablefiltering edit, the
 * node it trusts, and the policy it writes and reads through srsctl.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const INSTALL = path.resolve(__dirname, '../../../install');
const PARTS = ['change', 'configure', 'node', 'courier', 'policy'];
const CHECKOUT = path.resolve(__dirname, '../../..');
const SRSCTL = path.join(CHECKOUT, 'dist/cli/srsctl.js');
const NOBODY = 65_534;
const isRoot = process.getuid?.() === 0;

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'srsfilter-install-'));
  chmodSync(root, 0o755);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

interface Run {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly output: string;
}

/** `script` in bash (set -euo pipefail) after sourcing the install steps. */
function runSteps(script: string, env: NodeJS.ProcessEnv = {}): Run {
  const sources = PARTS.map((part) => `source ${JSON.stringify(path.join(INSTALL, `${part}.sh`))}`).join('\n');
  const run = spawnSync('/bin/bash', ['--norc', '--noprofile', '-c', `set -euo pipefail\n${sources}\n${script}`], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...env },
    timeout: 20_000,
  });
  return { status: run.status, signal: run.signal, output: run.stdout + run.stderr };
}

/** A directory holding an executable `name` with `body` (sh), first on PATH in runSteps. */
function fakeBin(name: string, body: string): string {
  const bin = path.join(root, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return bin;
}

describe('the policy-rc.d that keeps apt from starting services', () => {
  const policyRcD = (): string => path.join(root, 'policy-rc.d');
  const saw = (): string => path.join(root, 'apt-saw');
  const steps = (aptBody: string): Run => {
    const bin = fakeBin('apt-get', `[ -e "${policyRcD()}" ] && echo present >>"${saw()}"\n${aptBody}`);
    return runSteps(`POLICY_RC_D=${policyRcD()}; SYSTEMD_RUN_DIR=${root}/no-systemd\napt_install_courier`, {
      PATH: `${bin}:${process.env.PATH}`,
    });
  };

  it('is there while apt-get runs and gone after a normal run', () => {
    const run = steps('exit 0');
    expect(run.status).toBe(0);
    expect(readFileSync(saw(), 'utf8')).toBe('present\npresent\n');
    expect(existsSync(policyRcD())).toBe(false);
  });

  it('is gone after apt-get fails', () => {
    const run = steps('exit 100');
    expect(run.status).toBe(1);
    expect(run.output).toContain('apt-get update -qq failed (exit 100)');
    expect(readFileSync(saw(), 'utf8')).toBe('present\n');
    expect(existsSync(policyRcD())).toBe(false);
  });

  it.each(['TERM', 'INT', 'HUP'])('is gone after SIG%s while apt-get runs', (signal) => {
    const run = steps(`kill -${signal} $PPID; exit 0`);
    expect(run.status).not.toBe(0);
    expect(readFileSync(saw(), 'utf8')).toBe('present\n');
    expect(existsSync(policyRcD())).toBe(false);
  });

  it("leaves an admin's own policy-rc.d alone", () => {
    writeFileSync(policyRcD(), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    expect(steps('exit 0').status).toBe(0);
    expect(readFileSync(policyRcD(), 'utf8')).toBe('#!/bin/sh\nexit 0\n');
  });
});

describe('esmtp in enablefiltering', () => {
  const file = (): string => path.join(root, 'enablefiltering');
  const ensure = (prefix = ''): Run => runSteps(`SYSCONFDIR=${root}\n${prefix}ensure_enablefiltering`);

  it('is added to the first line, keeping the other lines, the owner and the mode', () => {
    writeFileSync(file(), 'local\nesmtp\n# note\n', { mode: 0o640 });
    if (isRoot) chownSync(file(), 0, NOBODY);
    const before = statSync(file());

    const run = ensure();

    expect(run).toMatchObject({ status: 0, output: expect.stringContaining(`do     add esmtp to the first line of ${file()}`) });
    expect(readFileSync(file(), 'utf8')).toBe('local esmtp\nesmtp\n# note\n');
    const after = statSync(file());
    expect([after.mode & 0o7777, after.uid, after.gid]).toEqual([0o640, before.uid, before.gid]);
  });

  it('is never half written: a write cut short (file size limit, as on a full disk) leaves the old file', () => {
    // Over the 1 KiB limit set below, so the rewrite cannot complete.
    const original = `local\n${'# a comment line that keeps the file above one KiB\n'.repeat(40)}`;
    writeFileSync(file(), original);

    const run = ensure('ulimit -f 1\n');

    expect(run.signal).toBe('SIGXFSZ');
    expect(readFileSync(file(), 'utf8')).toBe(original);
  });

  it('is left as it is when the first line has it', () => {
    writeFileSync(file(), 'esmtp local\n');
    const run = ensure();
    expect(run).toMatchObject({ status: 0, output: expect.stringContaining('has esmtp') });
    expect(readFileSync(file(), 'utf8')).toBe('esmtp local\n');
  });
});

describe('the node install.sh runs as root', () => {
  /** check_node with `node` (and npm) from a fake directory first on PATH. */
  const checkNodeIn = (bin: string): Run =>
    runSteps('check_node', { PATH: `${bin}:${process.env.PATH}` });
  const fakeNode = (): string => fakeBin('node', 'echo 18');

  it('is refused when another user owns it', () => {
    const bin = fakeNode();
    fakeBin('npm', 'exit 0');
    chownSync(path.join(bin, 'node'), isRoot ? NOBODY : (process.getuid?.() ?? NOBODY), -1);
    const run = checkNodeIn(bin);
    expect(run.status).toBe(1);
    expect(run.output).toContain(`refusing ${bin}/node: the file ${bin}/node is not owned by root`);
  });

  it('is refused in a directory others can write to', () => {
    const bin = fakeNode();
    chmodSync(bin, 0o777);
    const run = checkNodeIn(bin);
    expect(run.status).toBe(1);
    expect(run.output).toContain(`the directory ${bin} is writable by others than root (mode 777)`);
  });

  it('is refused when a directory above it is not root-owned', () => {
    const bin = fakeNode();
    if (isRoot) chownSync(root, NOBODY, -1);
    const run = checkNodeIn(bin);
    expect(run.status).toBe(1);
    expect(run.output).toContain(`the directory ${root} is not owned by root`);
  });

  (isRoot ? it : it.skip)("is taken when it and every directory above it are root's (a sticky /tmp is fine)", () => {
    const bin = fakeNode();
    const run = checkNodeIn(bin);
    expect(run).toMatchObject({ status: 0, output: expect.stringContaining(`ok     node ${bin}/node (Node 18)`) });
  });

  it("is Debian's nodejs and npm, installed with apt, when there is no node", () => {
    // PATH: the tools the step uses, no node and no npm
    const bin = path.join(root, 'tools');
    mkdirSync(bin);
    for (const tool of ['stat', 'readlink', 'dirname']) symlinkSync(`/usr/bin/${tool}`, path.join(bin, tool));
    const run = runSteps('dry_run=true\ncheck_node', { PATH: bin });
    expect(run.output).toContain("would  install Debian's nodejs and npm (apt-get)");
  });

  (isRoot ? it : it.skip)('is refused below Node 18', () => {
    const bin = fakeBin('node', 'echo 16');
    const run = checkNodeIn(bin);
    expect(run).toMatchObject({ status: 1, output: expect.stringContaining('is Node 16; srsfilter needs 18 or newer') });
  });
});

describe('the policy, through srsctl', () => {
  beforeAll(() => {
    if (!existsSync(SRSCTL)) throw new Error(`${SRSCTL} is missing: build first with \`npx tsc -p tsconfig.json\` (npm test does)`);
  });
  const output = (): string => path.join(root, 'srsfilter.yaml');
  const render = (domain: string): Run =>
    runSteps(`umask 077\nrender_policy ${JSON.stringify(domain)} ${output()}`, { BUILD_NODE: process.execPath, CHECKOUT });

  it('is the shipped policy with the srs-domain given, readable by all (0644) whatever the umask', () => {
    expect(render('mail.example.com')).toMatchObject({ status: 0, output: '' });
    const shipped = readFileSync(path.join(CHECKOUT, 'config/srsfilter.yaml'), 'utf8');
    expect(readFileSync(output(), 'utf8')).toBe(shipped.replace(/^srs-domain: .*$/m, 'srs-domain: mail.example.com'));
    expect(statSync(output()).mode & 0o777).toBe(0o644);
  });

  it('is refused for a domain the filter would refuse', () => {
    const run = render('not a domain');
    expect(run.status).toBe(1);
    expect(run.output).toContain("srsctl: --srs-domain 'not a domain' is refused");
    expect(run.output).toContain("install.sh: cannot write the policy with srs-domain 'not a domain' (above); use --srs-domain");
  });

  /** install_secret with srsctl (the checkout's build) in BIN_DIR and the policy `text` in SYSCONFDIR. */
  const installSecret = (text: string): Run => {
    const bin = fakeBin('srsctl', `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(SRSCTL)} "$@"`);
    writeFileSync(path.join(root, 'srsfilter.yaml'), text);
    return runSteps(`dry_run=true\nSYSCONFDIR=${root} BIN_DIR=${bin} APP_DIR=${root}/no-app MAILGROUP=courier\ninstall_secret`);
  };

  it("names the secrets file the policy names (srsctl policy get secrets-file)", () => {
    const run = installSecret(`srs-domain: example.org\nsecrets-file: ${root}/other.secret\n`);
    expect(run).toMatchObject({ status: 0, output: expect.stringContaining(`would  create ${root}/other.secret (new secret, srsctl genkey --group courier)`) });
  });

  (isRoot ? it : it.skip)('creates it with srsctl genkey: root, the mail group, 0640, noted for purge', () => {
    const bin = fakeBin('srsctl', `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(SRSCTL)} "$@"`);
    const secret = path.join(root, 'new.secret');
    const created = path.join(root, 'state', 'created-secrets');
    const run = runSteps(`BIN_DIR=${bin} MAILGROUP=daemon CREATED_SECRETS=${created}\ncreate_secret ${secret}\ncreate_secret ${secret} || true`);
    expect(run.output).toContain('it exists and a secret is never replaced');
    const made = statSync(secret);
    expect([made.mode & 0o7777, made.uid, made.gid]).toEqual([0o640, 0, 1]);
    expect(readFileSync(created, 'utf8')).toBe(`${secret}\n`);
  });

  it('stops at a policy srsctl refuses, with its problems', () => {
    const run = installSecret('srs-domain: example.org\n');
    expect(run.status).toBe(1);
    expect(run.output).toContain(`${root}/srsfilter.yaml:1:1: secrets-file: is required`);
    expect(run.output).toContain(`install.sh: ${root}/srsfilter.yaml is not valid (above); fix it and run install.sh again`);
  });

  (isRoot ? it : it.skip)('aliasdir files for SRS bounces: the ones srsctl names, piping to srs-reverser; removed only unedited', () => {
    const bin = fakeBin('srsctl', `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(SRSCTL)} "$@"`);
    const aliasdir = path.join(root, 'aliasdir');
    mkdirSync(aliasdir);
    const steps = (step: string): Run => runSteps(`SYSCONFDIR=${root} BIN_DIR=${bin}\n${step}`);
    expect(steps('install_srs_aliases')).toMatchObject({ status: 0 });
    const names = ['.courier-SRS0-default', '.courier-SRS1-default', '.courier-srs0-default', '.courier-srs1-default'];
    expect(readdirSync(aliasdir).sort()).toEqual([...names].sort());
    expect(readFileSync(path.join(aliasdir, '.courier-SRS0-default'), 'utf8')).toContain(`| ${bin}/srs-reverser\n`);
    writeFileSync(path.join(aliasdir, '.courier-srs1-default'), '| /usr/local/bin/mine\n');
    expect(steps('remove_srs_aliases')).toMatchObject({ status: 0 });
    expect(readdirSync(aliasdir)).toEqual(['.courier-srs1-default']);
  });

  it("reads Courier's paths as srsctl courier get answers, Debian's without an srsctl to ask", () => {
    const bin = fakeBin('srsctl', `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(SRSCTL)} "$@"`);
    const config = 'sysconfdir=/opt/c/etc\nlocalstatedir=/opt/c/var\nlibexecdir=/opt/c/lib\nbindir=/opt/c/bin\nsbindir=/opt/c/sbin\nmailuser=mail\nmailgroup=mail\n';
    fakeBin('courier-config', `printf '${config}'`);
    const show = 'echo "$LIBEXECDIR $SYSCONFDIR $LOCALSTATEDIR $MAILGROUP"';
    const env = { PATH: `${bin}:${process.env.PATH}` };
    expect(runSteps(`read_courier_config ${bin}/srsctl\n${show}`, env)).toMatchObject({ status: 0, output: '/opt/c/lib /opt/c/etc /opt/c/var mail\n' });
    expect(runSteps(`read_courier_config\n${show}`, env)).toMatchObject({ status: 0, output: '/usr/lib/courier /etc/courier /var/lib/courier courier\n' });
    fakeBin('courier-config', 'echo sysconfdir=relative');
    const broken = runSteps(`read_courier_config ${bin}/srsctl\n${show}`, env);
    expect(broken.status).toBe(1);
    expect(broken.output).toContain("install.sh: cannot read Courier's paths (above)");
  });
});

