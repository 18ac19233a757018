import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runPolicy } from '../../../../cli/commands/policy';
import { STATUS } from '../../../../cli/io/exitStatus';
import { findShippedPolicy } from '../../../../lib/config/shippedPolicy';
import { captureIo } from '../captureIo';

const SHIPPED = join(__dirname, '../../../../config/srsfilter.yaml');

async function run(...args: string[]): Promise<{ status: number; out: string; err: string }> {
  const io = captureIo();
  const status = await runPolicy(args, io);
  return { status, out: io.out(), err: io.err() };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'srsfilter-policy-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function policyFile(text: string): string {
  const path = join(dir, 'srsfilter.yaml');
  writeFileSync(path, text);
  return path;
}

describe('srsctl policy init', () => {
  it('finds the shipped policy above this code', () => {
    expect(findShippedPolicy()).toBe(SHIPPED);
    expect(findShippedPolicy('/')).toBeUndefined();
  });

  it('prints the shipped policy with the srs-domain given, every other line kept', async () => {
    const result = await run('init', '--srs-domain', 'mail.example.com');
    expect(result).toMatchObject({ status: STATUS.ok, err: '' });
    const shipped = readFileSync(SHIPPED, 'utf8');
    expect(parse(result.out)).toEqual({ ...parse(shipped), 'srs-domain': 'mail.example.com' });
    const changed = result.out.split('\n').filter((line, i) => line !== shipped.split('\n')[i]);
    expect(changed).toEqual(['srs-domain: mail.example.com']);
  });

  it('refuses a domain the filter would refuse, with the line and column (exit 2)', async () => {
    const result = await run('init', '--srs-domain', 'not a domain');
    expect(result.status).toBe(STATUS.usage);
    expect(result.out).toBe('');
    expect(result.err).toMatch(/srs-domain: .*\n.*--srs-domain 'not a domain' is refused\n$/);
  });

  it.each([[['init']], [['init', 'x']], [['init', '--domain', 'a.org']], [[]], [['put']]])('is a usage error: %j (exit 2)', async (args) => {
    expect(await run(...args)).toMatchObject({ status: STATUS.usage, out: '' });
  });
});

describe('srsctl policy get', () => {
  const POLICY = 'srs-domain: example.org\nsecrets-file: /etc/x.secret\nforwarded-domains: [a.test, b.test]\n';

  it.each([
    ['secrets-file', '/etc/x.secret\n'],
    ['hash-length', '4\n'],
    ['rewrite-relayed', 'false\n'],
    ['forwarded-domains', 'a.test\nb.test\n'],
    ['local-domains', ''],
    ['envelope-database', ''],
  ])('prints %s as the filter reads it', async (key, expected) => {
    expect(await run('get', key, '--config', policyFile(POLICY))).toEqual({ status: STATUS.ok, out: expected, err: '' });
  });

  it('refuses an unknown key, suggesting the likely one (exit 2)', async () => {
    const result = await run('get', 'secret-file', '--config', policyFile(POLICY));
    expect(result).toEqual({ status: STATUS.usage, out: '', err: "srsctl: unknown key 'secret-file' (did you mean 'secrets-file'?)\n" });
  });

  it('refuses a key whose value is a mapping (exit 2)', async () => {
    expect(await run('get', 'courier', '--config', policyFile(POLICY))).toMatchObject({ status: STATUS.usage, out: '' });
  });

  it('refuses a policy the filter would refuse, with each problem (exit 2)', async () => {
    const path = policyFile('srs-domain: example.org\n');
    const result = await run('get', 'secrets-file', '--config', path);
    expect(result.status).toBe(STATUS.usage);
    expect(result.err).toContain(`${path}:1:1: secrets-file: is required`);
    expect(result.err).toContain(`cannot use the policy ${path}`);
  });

  it.each([[['get']], [['get', 'a', 'b']]])('is a usage error: %j (exit 2)', async (args) => {
    expect(await run(...args)).toMatchObject({ status: STATUS.usage, out: '' });
  });
});
