import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { parseSecrets, readSecretsFile } from '../../../lib/config';
import { createSrs } from '../../../lib/srs';

const texts = (secrets: Buffer[]): string[] => secrets.map((secret) => secret.toString('latin1'));

/** Whoever runs the tests owns the files they write, as the mail user owns them. */
const ME = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, group: 'daemon' };
const CHECKED = { checkPermissions: true, mail: ME } as const;
/** Giving a file to another user or group takes root. */
const asRoot = ME.uid === 0 ? it : it.skip;

describe('parseSecrets', () => {
  it.each([
    ['one line with LF', 'tops3cr3t\n', ['tops3cr3t'], ['tops3cr3t\n']],
    ['one line without LF', 'tops3cr3t', ['tops3cr3t'], ['tops3cr3t']],
    ['CRLF', 'tops3cr3t\r\n', ['tops3cr3t'], ['tops3cr3t\r\n']],
    ['trailing spaces are part of the secret', 'tops3cr3t  \n', ['tops3cr3t  '], ['tops3cr3t  \n']],
    ['rotation: first signs, all kept in order', 'new\nold\n', ['new', 'old'], ['new\n', 'old\n']],
    ['comments and blank lines skipped', '# made 2024\n\n   \n\t\r\nkey\n#old\n', ['key'], ['key\n']],
    ['a # inside a line is kept', 'a#b\n', ['a#b'], ['a#b\n']],
    ['a leading space before # is no comment', ' #x\n', [' #x'], [' #x\n']],
    ['empty file', '', [], []],
  ])('%s', (_name, content, policy, perl) => {
    expect(texts(parseSecrets(Buffer.from(content, 'latin1'), 'policy'))).toEqual(policy);
    expect(texts(parseSecrets(Buffer.from(content, 'latin1'), 'perl'))).toEqual(perl);
  });

  it('keeps bytes that are not UTF-8', () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x0a]);
    expect(parseSecrets(bytes, 'policy')).toEqual([Buffer.from([0xff, 0xfe, 0x00, 0x41])]);
  });

  // The vectors' newline-in-secret trap: srs --secretfile signs FHfC, postsrsd (and --secret) vmyz.
  it.each([
    ['perl', 'SRS0=FHfC=2W=otherdomain.com=test@example.com'],
    ['policy', 'SRS0=vmyz=2W=otherdomain.com=test@example.com'],
  ] as const)('the %s reading of "tops3cr3t\\n" signs as the vectors say', (reading, expected) => {
    const srs = createSrs({ secrets: parseSecrets(Buffer.from('tops3cr3t\n'), reading), now: () => 1577836860_000, separator: '=' });
    expect(srs.forward('test@otherdomain.com', 'example.com')).toEqual({ ok: true, value: expected });
  });
});

describe('readSecretsFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'srsfilter-secrets-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function secretFile(content: string, mode: number): string {
    const path = join(dir, 'secret');
    writeFileSync(path, content);
    chmodSync(path, mode);
    return path;
  }

  it('reads the secrets of a 0640 file', async () => {
    const path = secretFile('# rotated 2025\nnew\nold\n', 0o640);
    const result = await readSecretsFile(path, 'policy', CHECKED);
    expect(result).toEqual({ ok: true, value: [Buffer.from('new'), Buffer.from('old')] });
  });

  it('reads the perl way when asked', async () => {
    const path = secretFile('tops3cr3t\n', 0o600);
    expect(await readSecretsFile(path, 'perl', CHECKED)).toEqual({ ok: true, value: [Buffer.from('tops3cr3t\n')] });
  });

  it.each([
    [0o644, 'is world-readable \\(mode 0644\\)'],
    [0o660, 'is group-writable \\(mode 0660\\)'],
    [0o642, 'is world-writable \\(mode 0642\\)'],
    [0o666, 'is group-writable .*; it is world-writable .*; it is world-readable'],
  ])('refuses mode %o (%s) and names the fix', async (mode, exposure) => {
    const path = secretFile('s\n', mode);
    const result = await readSecretsFile(path, 'policy', CHECKED);
    expect(result).toMatchObject({ ok: false, error: { code: 'insecure-permissions', file: path, key: 'secrets-file', line: null } });
    if (result.ok) return;
    expect(result.error.message).toMatch(new RegExp(`^the secrets file ${exposure}.*; fix: chmod 0640 ${path} && chown root:daemon ${path}$`));
  });

  asRoot('refuses a 0640 file of a group other than the mail group, as root:adm (needs root to chown)', async () => {
    const path = secretFile('s\n', 0o640);
    chownSync(path, 0, 4);
    const result = await readSecretsFile(path, 'policy', CHECKED);
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'insecure-permissions', message: expect.stringMatching(/^the secrets file is readable by group 4 \(mode 0640\), not the mail group daemon: /) },
    });
  });

  asRoot('refuses a file owned by neither root nor the mail user (needs root to chown)', async () => {
    const path = secretFile('s\n', 0o600);
    chownSync(path, 65534, ME.gid);
    const result = await readSecretsFile(path, 'policy', CHECKED);
    expect(result).toMatchObject({ ok: false, error: { code: 'insecure-permissions', message: expect.stringMatching(/^the secrets file is owned by uid 65534, neither root nor the mail user/) } });
  });

  it('accepts any mode without the check (srsctl --secretfile reads like srs)', async () => {
    const path = secretFile('s\n', 0o666);
    expect(await readSecretsFile(path, 'perl', { checkPermissions: false })).toEqual({ ok: true, value: [Buffer.from('s\n')] });
  });

  it('reports a missing file as a problem', async () => {
    const result = await readSecretsFile(join(dir, 'absent'), 'policy', CHECKED);
    expect(result).toMatchObject({ ok: false, error: { code: 'unreadable', message: expect.stringMatching(/no such file/) } });
  });

  it('reports a file without secrets', async () => {
    const result = await readSecretsFile(secretFile('# only a comment\n\n', 0o640), 'policy', CHECKED);
    expect(result).toMatchObject({ ok: false, error: { code: 'no-secrets' } });
  });

  it('refuses a directory', async () => {
    const path = join(dir, 'sub');
    mkdirSync(path, { mode: 0o750 });
    expect(await readSecretsFile(path, 'policy', { checkPermissions: false })).toMatchObject({
      ok: false,
      error: { code: 'unreadable', message: expect.stringMatching(/not a regular file/) },
    });
  });

  it('refuses a FIFO without waiting for a writer', async () => {
    const path = join(dir, 'fifo');
    execFileSync('mkfifo', ['-m', '0600', path]);
    expect(await readSecretsFile(path, 'policy', CHECKED)).toMatchObject({
      ok: false,
      error: { code: 'unreadable', message: expect.stringMatching(/not a regular file/) },
    });
  });
});
