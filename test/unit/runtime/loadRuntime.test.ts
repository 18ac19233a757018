import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDecisionRuntime, loadPolicySrs } from '../../../lib/runtime';

/** The user running the tests stands in for the mail user, so the permission rule needs no courier-config. */
const me = (option: string): string => execFileSync('id', [option], { encoding: 'utf8' }).trim();

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'srsfilter-runtime-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string, mode = 0o640): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
}

/** A policy whose Courier is a tree under `dir`, its secrets file with `mode`. */
function policy(secretsMode: number): string {
  const secrets = write('secret', 'first\nsecond\n', secretsMode);
  const courier = `courier: {sysconfdir: ${dir}/etc, localstatedir: ${dir}/var, mailuser: ${me('-un')}, mailgroup: ${me('-gn')}}`;
  mkdirSync(join(dir, 'etc'), { recursive: true });
  return write('srsfilter.yaml', `srs-domain: example.org\nsecrets-file: ${secrets}\n${courier}\n`);
}

describe('loadPolicySrs', () => {
  it('gives the policy, an Srs with its secrets and how many there are', async () => {
    const loaded = await loadPolicySrs(policy(0o640), { permissions: 'refuse' });
    expect(loaded).toMatchObject({ ok: true, value: { policy: { srsDomain: 'example.org' }, secretCount: 2, warnings: [] } });
    if (loaded.ok) expect(loaded.value.srs.forward('a@example.net', 'example.org')).toMatchObject({ ok: true });
  });

  it("refuses a world-readable secrets file under 'refuse' (the filter)", async () => {
    const loaded = await loadPolicySrs(policy(0o644), { permissions: 'refuse' });
    expect(loaded).toEqual({ ok: false, error: [expect.stringContaining('is world-readable (mode 0644)')] });
  });

  it("uses a world-readable secrets file under 'warn' (srsctl, pipe aliases) and reports it", async () => {
    const loaded = await loadPolicySrs(policy(0o644), { permissions: 'warn' });
    expect(loaded).toMatchObject({ ok: true, value: { secretCount: 2, warnings: [expect.stringContaining('is world-readable (mode 0644)')] } });
  });

  it("still refuses under 'warn' what is not a matter of permissions", async () => {
    const path = policy(0o644);
    rmSync(join(dir, 'secret'));
    const loaded = await loadPolicySrs(path, { permissions: 'warn' });
    expect(loaded).toMatchObject({ ok: false, error: [expect.stringContaining('secret')] });
  });
});

describe('loadDecisionRuntime', () => {
  it("adds Courier's paths and domains as the policy's courier: keys place them", async () => {
    const path = policy(0o640);
    writeFileSync(join(dir, 'etc', 'locals'), 'example.org\n');
    const loaded = await loadDecisionRuntime(path, { permissions: 'refuse' });
    expect(loaded).toMatchObject({ ok: true, value: { courier: { sysconfdir: `${dir}/etc`, localstatedir: `${dir}/var` } } });
    if (loaded.ok) {
      expect(loaded.value.localDomains.isLocal('example.org')).toBe(true);
      expect(loaded.value.localDomains.isLocal('example.net')).toBe(false);
    }
  });

  it('names the policy and the part of Courier that cannot be read', async () => {
    const path = policy(0o640);
    mkdirSync(join(dir, 'etc', 'locals'));
    expect(await loadDecisionRuntime(path, { permissions: 'refuse' })).toEqual({
      ok: false,
      error: [expect.stringMatching(new RegExp(`^${path}: local domains: `))],
    });
  });
});
