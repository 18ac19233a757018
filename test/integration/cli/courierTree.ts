import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FAKE_COURIER_CONFIG } from '../../../kit/repo';

const FIXTURES = path.resolve(__dirname, '../../fixtures/cli');

/**
 * A throw-away Courier for the CLIs: `bin/courier-config` (first on PATH) describes the tree,
 * `bin/sendmail` records what it is given, `etc/` holds locals, the policy and its secret.
 */
export interface CourierTree {
  readonly root: string;
  readonly policyPath: string;
  readonly secretPath: string;
  /** The first line of the secrets file: what signs. */
  readonly secret: string;
  readonly sendmail: string;
  /** Environment for a CLI run: PATH, SRSFILTER_SENDMAIL and the recorder's directory, plus `extra`. */
  env(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /** What the fake sendmail was last called with; undefined when it never ran. */
  sendmailCall(): { readonly argv: string[]; readonly stdin: Buffer } | undefined;
  writePolicy(extraYaml?: string): void;
  remove(): void;
}

export function createCourierTree(secret = 'c0urier-tree-s3cret'): CourierTree {
  const root = mkdtempSync(path.join(tmpdir(), 'srsfilter-cli-'));
  for (const dir of ['bin', 'etc/aliasdir', 'etc/filters/active', 'lib/filters', 'var/allfilters', 'out']) {
    mkdirSync(path.join(root, dir), { recursive: true });
  }
  const install = (source: string, name: string): string => {
    const target = path.join(root, 'bin', name);
    copyFileSync(source, target);
    chmodSync(target, 0o755);
    return target;
  };
  install(FAKE_COURIER_CONFIG, 'courier-config');
  const sendmail = install(path.join(FIXTURES, 'fake-sendmail'), 'sendmail');
  writeFileSync(path.join(root, 'etc/locals'), 'localhost\nexample.org\n');
  writeFileSync(path.join(root, 'etc/enablefiltering'), 'esmtp\n');
  const secretPath = path.join(root, 'etc/srsfilter.secret');
  writeFileSync(secretPath, `${secret}\nold-s3cret\n`, { mode: 0o640 });
  chmodSync(secretPath, 0o640);
  const policyPath = path.join(root, 'etc/srsfilter.yaml');
  const out = path.join(root, 'out');

  const tree: CourierTree = {
    root,
    policyPath,
    secretPath,
    secret,
    sendmail,
    env: (extra = {}) => ({
      PATH: `${path.join(root, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      SRSFILTER_SENDMAIL: sendmail,
      FAKE_SENDMAIL_DIR: out,
      ...extra,
    }),
    sendmailCall: () => {
      try {
        const argv = readFileSync(path.join(out, 'argv'), 'utf8').split('\0').slice(0, -1);
        return { argv, stdin: readFileSync(path.join(out, 'stdin')) };
      } catch {
        return undefined;
      }
    },
    writePolicy: (extraYaml = '') => {
      writeFileSync(policyPath, `srs-domain: example.org\nsecrets-file: ${secretPath}\n${extraYaml}`);
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
  tree.writePolicy();
  return tree;
}
