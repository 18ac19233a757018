import {
  checkAliasFiles,
  checkCourier,
  checkEnableFiltering,
  checkFilterActive,
  checkFilterInstalled,
  checkMailUserCanRead,
  checkPolicy,
  checkSecretsFile,
  checkSmtpSpf,
  checkSrsDomainIsLocal,
  runChecks,
  type CheckResult,
} from '../../../../cli/check/checks';
import type { CheckFacts, CourierFacts, PathFacts, PresentPath, SecretsFacts } from '../../../../cli/check/facts';
import { formatCheckReport } from '../../../../cli/check/format';
import { parsePolicy, type Policy } from '../../../../lib/config';
import { parseBofhOptions } from '../../../../lib/courier/host/bofh';
import { createLocalDomains, parseLocals } from '../../../../lib/courier/host/localDomains';
import { DEBIAN_COURIER_PATHS as PATHS } from '../../../../lib/courier/host/paths';

function policyOf(extraYaml = ''): Policy {
  const parsed = parsePolicy(`srs-domain: example.org\nsecrets-file: /etc/courier/srsfilter.secret\n${extraYaml}`, 'srsfilter.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  return parsed.value;
}

const file = (mode: number, uid = 0, gid = 106): PresentPath => ({ state: 'present', kind: 'file', mode, uid, gid });
const MISSING: PathFacts = { state: 'missing' };
const COURIER = { user: 'courier', uid: 103, gids: [106], group: 'courier', gid: 106 };

function secretsFacts(overrides: Partial<SecretsFacts> = {}): SecretsFacts {
  return {
    path: '/etc/courier/srsfilter.secret',
    file: file(0o640),
    read: { ok: true, value: [Buffer.from('a'.repeat(32))] },
    mailGroup: 'courier',
    mailIdentity: { ok: true, value: COURIER },
    ...overrides,
  };
}

function courierFacts(overrides: Partial<CourierFacts> = {}): CourierFacts {
  const tagFiles = ['.courier-SRS0-default', '.courier-SRS1-default', '.courier-srs0-default', '.courier-srs1-default'];
  return {
    paths: PATHS,
    filter: file(0o755),
    activeLink: { state: 'present', kind: 'symlink', mode: 0o777, uid: 0, gid: 0 },
    socket: { state: 'present', kind: 'socket', mode: 0o660, uid: 103, gid: 106 },
    enableFiltering: { ok: true, value: ['esmtp'] },
    bofh: { ok: true, value: parseBofhOptions('opt BOFHSPFMAILFROM=pass,none,neutral,softfail,unknown\nopt BOFHSPFHELO=pass,none,neutral,softfail,unknown\n') },
    courierLocalDomains: { ok: true, value: createLocalDomains({ locals: parseLocals('example.org\n'), hostedDomains: [], extra: [], hostname: 'mx' }) },
    aliasDir: '/etc/courier/aliasdir',
    aliasFiles: new Map(tagFiles.map((name) => [name, file(0o644)])),
    ...overrides,
  };
}

const kinds = (results: readonly CheckResult[]) => results.map((result) => result.kind);
const problems = (results: readonly CheckResult[]) => results.filter((result) => result.kind === 'problem');

describe('secrets file checks', () => {
  it('pass a 0640 file the mail user reads through its group', () => {
    expect(checkSecretsFile(secretsFacts())).toEqual([{ kind: 'ok', text: 'secrets file /etc/courier/srsfilter.secret: 1 secret, mode 0640' }]);
  });

  it('name each exposure separately, each with the fix', () => {
    const found = checkSecretsFile(secretsFacts({ file: file(0o666) }));
    expect(found.map((result) => result.text)).toEqual([
      expect.stringMatching(/is group-writable \(mode 0666\)/),
      expect.stringMatching(/is world-writable/),
      expect.stringMatching(/is world-readable/),
    ]);
    for (const result of found) expect(result).toMatchObject({ fix: 'chmod 0640 /etc/courier/srsfilter.secret && chown root:courier /etc/courier/srsfilter.secret' });
  });

  it('note each secret shorter than 16 bytes, naming it by position and never showing it', () => {
    const read = { ok: true as const, value: [Buffer.from('a'.repeat(16)), Buffer.from('shortsecret'), Buffer.from('x'.repeat(15))] };
    const found = checkSecretsFile(secretsFacts({ read }));
    expect(kinds(found)).toEqual(['ok', 'note', 'note']);
    expect(found[1]?.text).toMatch(/^secret 2 of 3 in \/etc\/courier\/srsfilter\.secret is 11 bytes: .*srsctl genkey/);
    expect(found[2]?.text).toMatch(/^secret 3 of 3 .* is 15 bytes/);
    expect(found.map((result) => result.text).join('\n')).not.toContain('shortsecret');
  });

  it('tell how to create a missing one', () => {
    expect(checkSecretsFile(secretsFacts({ file: MISSING }))).toEqual([
      { kind: 'problem', text: expect.stringMatching(/does not exist/), fix: expect.stringMatching(/^srsctl genkey --output \/etc\/courier\/srsfilter\.secret --group /) },
    ]);
  });

  it('report one without a secret', () => {
    const read = { ok: false as const, error: { code: 'no-secrets' as const, file: 'f', line: null, column: null, key: 'secrets-file', message: 'holds no secret' } };
    expect(problems(checkSecretsFile(secretsFacts({ read })))).toEqual([{ kind: 'problem', text: 'holds no secret', fix: expect.stringMatching(/srsctl genkey/) }]);
  });

  it('find a file the mail user cannot read by owner, group or other bits', () => {
    const fix = 'fix';
    expect(checkMailUserCanRead('f', file(0o600, 0, 0), COURIER, fix)).toEqual([
      { kind: 'problem', text: 'the mail user courier cannot read f: the filter would not start', fix },
    ]);
    expect(checkMailUserCanRead('f', file(0o640, 0, 106), COURIER, fix)).toEqual([]);
    expect(checkMailUserCanRead('f', file(0o400, 103, 0), COURIER, fix)).toEqual([]);
    expect(checkMailUserCanRead('f', file(0o044, 103, 106), COURIER, fix)).toHaveLength(1); // the owner bits decide for the owner
  });

  it('apply the rule the filter refuses the file by: root:adm 0640 is a problem', () => {
    expect(problems(checkSecretsFile(secretsFacts({ file: file(0o640, 0, 4) })))).toEqual([
      {
        kind: 'problem',
        text: 'secrets file /etc/courier/srsfilter.secret is readable by group 4 (mode 0640), not the mail group courier: its members can forge bounces',
        fix: 'chmod 0640 /etc/courier/srsfilter.secret && chown root:courier /etc/courier/srsfilter.secret',
      },
      { kind: 'problem', text: 'the mail user courier cannot read /etc/courier/srsfilter.secret: the filter would not start', fix: expect.any(String) },
    ]);
    expect(problems(checkSecretsFile(secretsFacts({ file: file(0o600, 1000, 106) })))).toMatchObject([
      { text: expect.stringMatching(/is owned by uid 1000, neither root nor the mail user/) },
      { text: 'the mail user courier cannot read /etc/courier/srsfilter.secret: the filter would not start' },
    ]);
  });

  it('fail, as the filter does, when the mail user or group is unknown', () => {
    const mailIdentity = { ok: false as const, error: { code: 'unknown-user' as const, message: 'the mail user courier is unknown on this system' } };
    expect(checkSecretsFile(secretsFacts({ mailIdentity }))).toEqual([
      {
        kind: 'problem',
        text: 'cannot tell who may read secrets file /etc/courier/srsfilter.secret: the mail user courier is unknown on this system (the filter refuses to start so)',
        fix: expect.stringMatching(/courier: mailuser and mailgroup/),
      },
    ]);
  });
});

describe('policy check', () => {
  it('notes a hash-minimum under 4 (also when it comes from hash-length), without failing', () => {
    expect(checkPolicy('p', { ok: true, value: policyOf('hash-minimum: 4\n') })).toEqual([{ kind: 'ok', text: expect.any(String) }]);
    for (const yaml of ['hash-minimum: 2\n', 'hash-length: 2\n']) {
      expect(checkPolicy('p', { ok: true, value: policyOf(yaml) })).toEqual([
        { kind: 'ok', text: expect.any(String) },
        { kind: 'note', text: expect.stringMatching(/^hash-minimum 2: .*one forged bounce in 1024 is reversed; set hash-length and hash-minimum to 4 or more/) },
      ]);
    }
  });

  it('lists every problem with file, line and column', () => {
    const parsed = parsePolicy('srs-domain: example.org\nsecrets-file: rel\nhash-length: 99\n', '/etc/courier/srsfilter.yaml');
    const found = checkPolicy('/etc/courier/srsfilter.yaml', parsed);
    expect(found.map((result) => result.text)).toEqual([
      expect.stringMatching(/^\/etc\/courier\/srsfilter\.yaml:2:15: secrets-file: /),
      expect.stringMatching(/^\/etc\/courier\/srsfilter\.yaml:3:14: hash-length: /),
    ]);
    expect(kinds(found)).toEqual(['problem', 'problem']);
  });
});

describe("Courier's set-up", () => {
  it('passes a complete one', () => {
    expect(kinds(checkFilterInstalled(courierFacts()))).toEqual(['ok']);
    expect(kinds(checkFilterActive(courierFacts()))).toEqual(['ok', 'ok']);
  });

  it('wants an executable filter and the active symlink', () => {
    expect(checkFilterInstalled(courierFacts({ filter: file(0o644) }))).toMatchObject([{ kind: 'problem', text: expect.stringMatching(/no executable file/) }]);
    expect(checkFilterActive(courierFacts({ activeLink: MISSING }))).toMatchObject([{ kind: 'problem', fix: 'filterctl start srsfilter' }]);
    expect(checkFilterActive(courierFacts({ activeLink: { state: 'unreadable', code: 'EACCES' } }))).toMatchObject([{ fix: 'run srsctl check as root' }]);
  });

  it('notes an active filter without its socket', () => {
    expect(kinds(checkFilterActive(courierFacts({ socket: MISSING })))).toEqual(['ok', 'note']);
  });

  it('only notes an inactive or stopped filter before the start', () => {
    const beforeStart = { beforeStart: true };
    expect(checkFilterActive(courierFacts({ activeLink: MISSING, socket: MISSING }), beforeStart)).toEqual([
      { kind: 'note', text: 'the filter is not active yet: /etc/courier/filters/active/srsfilter does not exist (filterctl start srsfilter activates it)' },
    ]);
    expect(kinds(checkFilterActive(courierFacts({ socket: MISSING }), beforeStart))).toEqual(['ok', 'note']);
    expect(kinds(checkFilterActive(courierFacts(), beforeStart))).toEqual(['ok', 'ok']);
    expect(kinds(checkFilterActive(courierFacts({ activeLink: { state: 'unreadable', code: 'EACCES' } }), beforeStart))).toEqual(['problem']);
  });

  it('wants esmtp in enablefiltering and mentions local', () => {
    expect(kinds(checkEnableFiltering({ ok: true, value: ['esmtp', 'local'] }, 'ef'))).toEqual(['ok']);
    expect(kinds(checkEnableFiltering({ ok: true, value: ['esmtp'] }, 'ef'))).toEqual(['ok', 'note']);
    expect(kinds(checkEnableFiltering({ ok: true, value: [] }, 'ef'))).toEqual(['problem']);
  });

  it("notes, without failing, SPF checks at SMTP time that are off or accept a fail, and says why they matter with SRS", () => {
    const bofh = (text: string) => checkSmtpSpf({ ok: true, value: parseBofhOptions(text) }, '/etc/courier/bofh');
    expect(bofh('')).toEqual([
      {
        kind: 'note',
        text:
          '/etc/courier/bofh: BOFHSPFMAILFROM is off: a sender whose own SPF fails for the client (a forgery) is accepted, ' +
          'and SRS then sends it on under our SPF; to refuse it, set: opt BOFHSPFMAILFROM=pass,none,neutral,softfail,unknown',
      },
      { kind: 'note', text: expect.stringMatching(/^\/etc\/courier\/bofh: BOFHSPFHELO is off: .*MAIL FROM:<>.*; to refuse it, set: opt BOFHSPFHELO=pass,none,neutral,softfail,unknown$/) },
    ]);
    expect(bofh('opt BOFHSPFMAILFROM=all\nopt BOFHSPFHELO=pass,none\n')).toEqual([
      { kind: 'note', text: expect.stringMatching(/^\/etc\/courier\/bofh: opt BOFHSPFMAILFROM=all accepts an SPF fail: /) },
      { kind: 'ok', text: '/etc/courier/bofh: opt BOFHSPFHELO=pass,none refuses an SPF fail' },
    ]);
    expect(checkSmtpSpf({ ok: false, error: { code: 'unreadable', message: 'cannot read /etc/courier/bofh: EACCES' } }, '/etc/courier/bofh')).toMatchObject([{ kind: 'note' }]);
    expect(kinds(checkCourier(courierFacts({ bofh: { ok: true, value: new Map() } }), policyOf(), { beforeStart: false }))).not.toContain('problem');
  });

  it("wants srs-domain among Courier's own local domains", () => {
    const local = courierFacts().courierLocalDomains;
    expect(kinds(checkSrsDomainIsLocal(policyOf(), local, '/etc/courier'))).toEqual(['ok']);
    const elsewhere = parsePolicy('srs-domain: srs.example.net\nsecrets-file: /s\n', 'p');
    if (!elsewhere.ok) throw new Error('policy');
    expect(checkSrsDomainIsLocal(elsewhere.value, local, '/etc/courier')).toMatchObject([
      { kind: 'problem', fix: 'add srs.example.net to /etc/courier/locals (or to hosteddomains, then run makehosteddomains)' },
    ]);
  });
});

describe('aliasdir checks', () => {
  it("want the four tag files for separator '-'", () => {
    const facts = courierFacts();
    expect(kinds(checkAliasFiles(policyOf(), facts))).toEqual(['ok', 'ok', 'ok', 'ok', 'note']);
    const aliasFiles = new Map(facts.aliasFiles);
    aliasFiles.set('.courier-srs1-default', MISSING);
    expect(problems(checkAliasFiles(policyOf(), courierFacts({ aliasFiles })))).toMatchObject([
      { text: '/etc/courier/aliasdir/.courier-srs1-default is missing: Courier refuses RCPT TO for those SRS addresses (550 User unknown)' },
    ]);
  });

  it("refuse separator '=' unless a catch-all accepts everything, which is noted", () => {
    const policy = policyOf("separator: '='\nbounce-prefix: null\n");
    expect(kinds(checkAliasFiles(policy, courierFacts({ aliasFiles: new Map() })))).toEqual(['problem']);
    expect(kinds(checkAliasFiles(policy, courierFacts({ aliasFiles: new Map([['.courier-default', file(0o644)]]) })))).toEqual(['note']);
  });

  it('look for the bounce prefix file with dots as colons', () => {
    const policy = policyOf('bounce-prefix: srs.bounce-\n');
    const aliasFiles = new Map([...courierFacts().aliasFiles, ['.courier-srs:bounce-default', file(0o644)]]);
    expect(checkAliasFiles(policy, courierFacts({ aliasFiles })).at(-1)).toMatchObject({ kind: 'ok', text: expect.stringMatching(/\.courier-srs:bounce-default accepts/) });
  });
});

describe('the whole report', () => {
  const facts: CheckFacts = {
    configPath: '/etc/courier/srsfilter.yaml',
    policy: { ok: true, value: policyOf() },
    secrets: secretsFacts({ file: file(0o644) }),
    courierPaths: { ok: true, value: PATHS },
    courier: courierFacts(),
    store: undefined,
  };

  it('runs every check and formats problems with their fix', () => {
    const report = formatCheckReport(runChecks(facts));
    expect(report).toContain('ok      policy /etc/courier/srsfilter.yaml is valid (srs-domain example.org)\n');
    expect(report).toContain('PROBLEM secrets file /etc/courier/srsfilter.secret is world-readable (mode 0644): anyone who reads it can forge bounces\n        fix: chmod 0640 /etc/courier/srsfilter.secret && chown root:courier');
    expect(report.endsWith('\nsrsctl check: 1 problem\n')).toBe(true);
  });

  it('keeps every other problem before the start', () => {
    const inactive = { ...facts, courier: courierFacts({ activeLink: MISSING, socket: MISSING }) };
    expect(problems(runChecks(inactive))).toHaveLength(2);
    expect(problems(runChecks(inactive, { beforeStart: true }))).toMatchObject([{ text: expect.stringMatching(/^secrets file .* is world-readable/) }]);
  });

  it('skips what depends on an unusable policy or courier-config', () => {
    const results = runChecks({
      ...facts,
      policy: { ok: false, error: [{ code: 'unreadable', file: 'p', line: null, column: null, key: '', message: 'no such file' }] },
      secrets: undefined,
      courierPaths: { ok: false, error: { code: 'not-installed', message: 'courier-config not found on PATH: is courier-mta installed?' } },
      courier: undefined,
    });
    expect(results).toEqual([
      { kind: 'problem', text: 'p: no such file', fix: expect.stringMatching(/^create /) },
      { kind: 'problem', text: 'courier-config not found on PATH: is courier-mta installed?', fix: expect.any(String) },
    ]);
  });
});
