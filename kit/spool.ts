/**
 * A fake Courier spool in a temp directory, laid out like Courier's: etc/ (locals, the policy, the
 * secrets file), var/tmp (where submit queues a message while filters run), var/allfilters (the
 * filter sockets), and bin/ with a courier-config that describes this tree.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { FAKE_COURIER_CONFIG } from './repo';

export interface Spool {
  readonly root: string;
  readonly sysconfdir: string;
  readonly localstatedir: string;
  /** Where submit puts a message's files while filters run. */
  readonly queueDir: string;
  readonly socketDir: string;
  readonly binDir: string;
  readonly configPath: string;
  readonly secretsPath: string;
}

export interface SpoolOptions {
  /** Lines of Courier's `locals`. */
  readonly locals?: readonly string[];
  /** The secrets file's content. */
  readonly secrets?: string;
  /** Policy keys (YAML names) on top of the minimal policy. */
  readonly policy?: Readonly<Record<string, unknown>>;
}

export const TEST_SECRET = 'integration-test-secret';
export const SRS_DOMAIN = 'example.org';

export async function createSpool(options: SpoolOptions = {}): Promise<Spool> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'srsfilter-it-'));
  const spool: Spool = {
    root,
    sysconfdir: path.join(root, 'etc'),
    localstatedir: path.join(root, 'var'),
    queueDir: path.join(root, 'var/tmp'),
    socketDir: path.join(root, 'var/allfilters'),
    binDir: path.join(root, 'bin'),
    configPath: path.join(root, 'etc/srsfilter.yaml'),
    secretsPath: path.join(root, 'etc/srsfilter.secret'),
  };
  for (const dir of [spool.sysconfdir, spool.queueDir, spool.socketDir, spool.binDir]) {
    await fs.mkdir(dir, { recursive: true });
  }
  await fs.copyFile(FAKE_COURIER_CONFIG, path.join(spool.binDir, 'courier-config'));
  await fs.chmod(path.join(spool.binDir, 'courier-config'), 0o755);
  const locals = options.locals ?? ['localhost', 'mail.example.org', 'example.org'];
  await fs.writeFile(path.join(spool.sysconfdir, 'locals'), locals.map((l) => `${l}\n`).join(''));
  await fs.writeFile(spool.secretsPath, options.secrets ?? `${TEST_SECRET}\n`, { mode: 0o640 });
  await fs.chmod(spool.secretsPath, 0o640);
  await writePolicy(spool, options.policy ?? {});
  return spool;
}

/** The minimal policy the issue promises to work, plus `extra` keys. */
export function policyFor(spool: Spool, extra: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  return {
    'srs-domain': SRS_DOMAIN,
    'secrets-file': spool.secretsPath,
    'forwarded-domains': [SRS_DOMAIN],
    ...extra,
  };
}

export async function writePolicy(spool: Spool, extra: Readonly<Record<string, unknown>> = {}): Promise<void> {
  await fs.writeFile(spool.configPath, stringify(policyFor(spool, extra)));
}

export async function removeSpool(spool: Spool): Promise<void> {
  await fs.rm(spool.root, { recursive: true, force: true });
}

export interface QueuedMessage {
  readonly dataFile: string;
  readonly controlFiles: readonly string[];
}

let messageCounter = 0;

/**
 * Puts one message into the spool's queue the way submit does: a directory per message, the
 * control file(s), and the data file named `D<inode of the first control file>`.
 */
export async function queueMessage(
  spool: Spool,
  controlFiles: readonly (string | Buffer)[],
  data: string | Buffer = 'Subject: test\n\nbody\n',
): Promise<QueuedMessage> {
  messageCounter += 1;
  const dir = path.join(spool.queueDir, String(process.pid * 1000 + messageCounter));
  await fs.mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const [index, content] of controlFiles.entries()) {
    const file = path.join(dir, `1795630982.${messageCounter}.${index}.mail.example.org`);
    await fs.writeFile(file, content, { mode: 0o660 });
    paths.push(file);
  }
  const first = paths[0];
  if (first === undefined) throw new Error('a message needs a control file');
  const dataFile = path.join(dir, `D${(await fs.stat(first)).ino}`);
  await fs.writeFile(dataFile, data, { mode: 0o660 });
  return { dataFile, controlFiles: paths };
}
