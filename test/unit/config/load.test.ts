import { chownSync, closeSync, ftruncateSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { loadFilterConfig, loadPolicy, srsInitOf } from '../../../lib/config';
import * as secretsModule from '../../../lib/config/secrets';
import { createSrs } from '../../../lib/srs';
import { me, tempDirPerTest } from '../../support/policyFiles';

const MAIL = `courier: {mailuser: ${me('-un')}, mailgroup: ${me('-gn')}}\n`;
const asRoot = process.getuid?.() === 0 ? it : it.skip;

describe('loadPolicy / loadFilterConfig', () => {
  const { dir: tempDir, write } = tempDirPerTest('srsfilter-config-');
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });

  it('turns a missing policy file into a problem', async () => {
    const path = join(dir, 'absent.yaml');
    expect(await loadPolicy(path)).toEqual({
      ok: false,
      error: [{ code: 'unreadable', file: path, line: null, column: null, key: '', message: 'no such file' }],
    });
  });

  it('names the error of a policy path it cannot read', async () => {
    expect(await loadPolicy(dir)).toMatchObject({ ok: false, error: [{ code: 'unreadable', message: 'cannot read the policy: EISDIR' }] });
  });

  it('locates problems in the named file', async () => {
    const path = write('p.yaml', 'srs-domain: example.org\nsecrets-file: /x\nhash-length: 99\n');
    expect(await loadPolicy(path)).toMatchObject({ ok: false, error: [{ file: path, line: 3, key: 'hash-length' }] });
  });

  it('loads the policy and the secrets it names', async () => {
    const secrets = write('secret', 'first\r\nsecond\n');
    const path = write('p.yaml', `srs-domain: example.org\nsecrets-file: ${secrets}\n${MAIL}`);
    const result = await loadFilterConfig(path, { checkPermissions: true });
    expect(result).toMatchObject({ ok: true, value: { policy: { srsDomain: 'example.org' }, secrets: [Buffer.from('first'), Buffer.from('second')] } });
  });

  it('reports an insecure secrets file with the policy\'s mail group in the fix', async () => {
    const secrets = write('secret', 's\n', 0o644);
    const path = write('p.yaml', `srs-domain: example.org\nsecrets-file: ${secrets}\ncourier: {mailuser: ${me('-un')}, mailgroup: mail}\n`);
    const result = await loadFilterConfig(path, { checkPermissions: true });
    expect(result).toMatchObject({ ok: false, error: [{ code: 'insecure-permissions', file: secrets, key: 'secrets-file' }] });
    expect(!result.ok && result.error[0]?.message).toContain(`chown root:mail ${secrets}`);
  });

  asRoot('refuses a 0640 secrets file of a group other than the mail group (root:adm), as srsctl check does', async () => {
    const secrets = write('secret', 's\n', 0o640);
    chownSync(secrets, 0, 4);
    const path = write('p.yaml', `srs-domain: example.org\nsecrets-file: ${secrets}\n${MAIL}`);
    const result = await loadFilterConfig(path, { checkPermissions: true });
    expect(result).toMatchObject({
      ok: false,
      error: [{ code: 'insecure-permissions', file: secrets, message: expect.stringMatching(/^the secrets file is readable by group 4 \(mode 0640\), not the mail group /) }],
    });
  });

  it('refuses to judge a secrets file for a mail user the system does not know', async () => {
    const secrets = write('secret', 's\n', 0o640);
    const path = write('p.yaml', `srs-domain: example.org\nsecrets-file: ${secrets}\ncourier: {mailuser: no-such-user-here, mailgroup: ${me('-gn')}}\n`);
    expect(await loadFilterConfig(path, { checkPermissions: true })).toMatchObject({
      ok: false,
      error: [{ code: 'insecure-permissions', message: 'cannot tell who may read the secrets file: the mail user no-such-user-here is unknown on this system' }],
    });
  });

  it('does not read secrets of a policy with problems', async () => {
    const path = write('p.yaml', 'srs-domain: example.org\nsecrets-file: relative\n');
    const result = await loadFilterConfig(path, { checkPermissions: true });
    expect(result).toMatchObject({ ok: false, error: [{ code: 'invalid-value', key: 'secrets-file' }] });
  });

  it('gives createSrs the policy\'s SRS settings (separator -, hash length)', async () => {
    const secrets = write('secret', 'tops3cr3t\n');
    const path = write('p.yaml', `srs-domain: example.com\nsecrets-file: ${secrets}\nhash-length: 6\n${MAIL}`);
    const result = await loadFilterConfig(path, { checkPermissions: true });
    if (!result.ok) throw new Error('expected a config');
    const srs = createSrs({ ...srsInitOf(result.value.policy, result.value.secrets), now: () => 1577836860_000 });
    const forwarded = srs.forward('test@otherdomain.com', result.value.policy.srsDomain);
    // Same hash as the vectors' known example (vmyz…), two characters longer, '-' after the tag.
    expect(forwarded).toEqual({ ok: true, value: expect.stringMatching(/^SRS0-vmyz..=2W=otherdomain\.com=test@example\.com$/) });
    expect(srs.options).toMatchObject({ hashLength: 6, hashMin: 6, maxAgeDays: 21, separator: '-', hashAlphabet: 'base64' });
  });

  it('answers an unquoted glob in the policy with a problem, never a throw', async () => {
    const path = write('p.yaml', `srs-domain: example.org\nsecrets-file: /x\nexclude-senders: [*.partner.test]\n${MAIL}`);
    expect(await loadPolicy(path)).toMatchObject({ ok: false, error: [{ code: 'yaml-alias', line: 3, column: 19 }] });
    expect(await loadFilterConfig(path, { checkPermissions: true })).toMatchObject({ ok: false, error: [{ code: 'yaml-alias' }] });
  });

  it('refuses a secrets file too large to be one, without reading it', async () => {
    const secrets = join(dir, 'secret');
    const fd = openSync(secrets, 'w', 0o640);
    ftruncateSync(fd, 3 * 1024 ** 3); // sparse: costs no disk, but more than readFile can hold
    closeSync(fd);
    const path = write('p.yaml', `srs-domain: example.org\nsecrets-file: ${secrets}\n${MAIL}`);
    const result = await loadFilterConfig(path, { checkPermissions: true });
    expect(result).toMatchObject({ ok: false, error: [{ code: 'unreadable', file: secrets, message: expect.stringMatching(/too large/) }] });
  });

  it('turns an exception nobody foresaw into a problem', async () => {
    const spy = jest.spyOn(secretsModule, 'readSecretsFile').mockRejectedValue(new Error('EIO in a strange place'));
    try {
      const path = write('p.yaml', `srs-domain: example.org\nsecrets-file: ${write('secret', 's\n')}\n`);
      expect(await loadFilterConfig(path, { checkPermissions: true })).toEqual({
        ok: false,
        error: [{ code: 'unexpected-error', file: path, line: null, column: null, key: '', message: 'cannot load: EIO in a strange place' }],
      });
    } finally {
      spy.mockRestore();
    }
  });
});
