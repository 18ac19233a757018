import { formatProblem, parsePolicy, type ConfigProblem, type Policy } from '../../../lib/config';
import { policySchema } from '../../../lib/config/schema';

const MINIMAL = 'srs-domain: example.org\nsecrets-file: /etc/courier/srsfilter.secret\n';

function parsedValue(text: string): Policy {
  const result = parsePolicy(text, 'srsfilter.yaml');
  if (!result.ok) throw new Error(result.error.map(formatProblem).join('\n'));
  return result.value;
}

function problemsOf(text: string): readonly ConfigProblem[] {
  const result = parsePolicy(text, 'srsfilter.yaml');
  if (result.ok) throw new Error(`expected problems, got ${JSON.stringify(result.value)}`);
  return result.error;
}

describe('parsePolicy: defaults', () => {
  it('fills every key that srs-domain and secrets-file leave open', () => {
    expect(parsedValue(MINIMAL)).toEqual<Policy>({
      srsDomain: 'example.org',
      secretsFile: '/etc/courier/srsfilter.secret',
      forwardedDomains: [],
      localDomains: [],
      hashLength: 4,
      hashMinimum: 4,
      maxAgeDays: 21,
      separator: '-',
      hashAlphabet: 'base64',
      excludeSenders: [],
      excludeRecipients: [],
      rewriteRelayed: false,
      reverseOnlyBounces: true,
      mixedRecipients: 'rewrite',
      maxBouncesPerAddress: 10,
      srsBounces: { mode: 'reverse' },
      originalEnvelope: 'embedded',
      envelopeDatabase: null,
      bouncePrefix: 'srsbounce-',
      onError: 'tempfail',
      logLevel: 'info',
      courier: {},
    });
  });

  it('takes hash-minimum from hash-length when absent', () => {
    expect(parsedValue(`${MINIMAL}hash-length: 8\n`)).toMatchObject({ hashLength: 8, hashMinimum: 8 });
    expect(parsedValue(`${MINIMAL}hash-length: 8\nhash-minimum: 5\n`)).toMatchObject({ hashLength: 8, hashMinimum: 5 });
  });

  it('lower-cases domains and reads every key', () => {
    const policy = parsedValue(
      [
        'srs-domain: SRS.Example.ORG',
        'secrets-file: /etc/srs/secret',
        'forwarded-domains: [Example.org, lists.example.org]',
        "local-domains: [.Hosted.test, '!no.hosted.test']",
        'hash-length: 6',
        'max-age-days: 30',
        "separator: '='",
        'hash-alphabet: base64url',
        "exclude-senders: [Boss@Partner.test, '@news.test', .lists.test, '@.sub.test']",
        'exclude-recipients: [gmail.test]',
        'rewrite-relayed: true',
        'reverse-only-bounces: false',
        'mixed-recipients: pass',
        'max-bounces-per-address: 3',
        'srs-bounces: Postmaster@Example.ORG',
        'bounce-prefix: bounce+',
        'on-error: accept',
        'log-level: debug',
        'courier: {sysconfdir: /opt/courier/etc, localstatedir: /var/q, libexecdir: /opt/lib, mailuser: mail, mailgroup: mail}',
      ].join('\n'),
    );
    expect(policy).toEqual<Policy>({
      srsDomain: 'srs.example.org',
      secretsFile: '/etc/srs/secret',
      forwardedDomains: ['example.org', 'lists.example.org'],
      localDomains: ['.hosted.test', '!no.hosted.test'],
      hashLength: 6,
      hashMinimum: 6,
      maxAgeDays: 30,
      separator: '=',
      hashAlphabet: 'base64url',
      excludeSenders: [
        { kind: 'address', address: 'boss@partner.test' },
        { kind: 'domain', domain: 'news.test' },
        { kind: 'subdomains', domain: 'lists.test' },
        { kind: 'subdomains', domain: 'sub.test' },
      ],
      excludeRecipients: [{ kind: 'domain', domain: 'gmail.test' }],
      rewriteRelayed: true,
      reverseOnlyBounces: false,
      mixedRecipients: 'pass',
      maxBouncesPerAddress: 3,
      srsBounces: { mode: 'deliver', address: 'Postmaster@example.org' },
      originalEnvelope: 'embedded',
      envelopeDatabase: null,
      bouncePrefix: 'bounce+',
      onError: 'accept',
      logLevel: 'debug',
      courier: { sysconfdir: '/opt/courier/etc', localstatedir: '/var/q', libexecdir: '/opt/lib', mailuser: 'mail', mailgroup: 'mail' },
    });
  });

  it.each([
    ['bounce-prefix: null', { bouncePrefix: null }],
    ['bounce-prefix: ~', { bouncePrefix: null }],
    ['bounce-prefix:', { bouncePrefix: null }],
    ['forwarded-domains:', { forwardedDomains: [] }],
    ['exclude-senders: []', { excludeSenders: [] }],
    ['courier:', { courier: {} }],
    ['separator: "+"', { separator: '+' }],
    ['separator: =', { separator: '=' }],
    ['srs-bounces: reverse', { srsBounces: { mode: 'reverse' } }],
    ['srs-bounces: " pm@Example.org "', { srsBounces: { mode: 'deliver', address: 'pm@example.org' } }],
    ['original-envelope: auto', { originalEnvelope: 'auto' }],
    ['envelope-database:', { envelopeDatabase: null }],
    ['envelope-database: redis:localhost:6379', { envelopeDatabase: { kind: 'redis', host: 'localhost', port: 6379 } }],
    ['envelope-database: redis:/run/redis/redis-server.sock', { envelopeDatabase: { kind: 'redis-socket', path: '/run/redis/redis-server.sock' } }],
    ['envelope-database: lmdb:/var/lib/srs/senders.lmdb', { envelopeDatabase: { kind: 'lmdb', path: '/var/lib/srs/senders.lmdb' } }],
  ])('reads an empty or null value sensibly: %s', (line, expected) => {
    expect(parsedValue(`${MINIMAL}${line}\n`)).toMatchObject(expected);
  });
});

describe('parsePolicy: problems with their place', () => {
  type Row = [string, string, Pick<ConfigProblem, 'code' | 'key' | 'line' | 'column'>, RegExp];
  const rows: Row[] = [
    ['no srs-domain', 'secrets-file: /x\n', { code: 'missing-key', key: 'srs-domain', line: 1, column: 1 }, /required/],
    ['no secrets-file', 'srs-domain: example.org\n', { code: 'missing-key', key: 'secrets-file', line: 1, column: 1 }, /required/],
    ['a bad domain', 'srs-domain: exa mple.org\nsecrets-file: /x\n', { code: 'invalid-value', key: 'srs-domain', line: 1, column: 13 }, /domain name/],
    ['an empty srs-domain', 'srs-domain:\nsecrets-file: /x\n', { code: 'invalid-value', key: 'srs-domain', line: 1, column: 12 }, /domain name/],
    ['a relative secrets-file', 'srs-domain: a.test\nsecrets-file: secret\n', { code: 'invalid-value', key: 'secrets-file', line: 2, column: 15 }, /absolute path/],
    ['a typo', `${MINIMAL}hash_length: 5\n`, { code: 'unknown-key', key: 'hash_length', line: 3, column: 1 }, /did you mean 'hash-length'/],
    ['a nested typo', `${MINIMAL}courier:\n  mailusr: mail\n`, { code: 'unknown-key', key: 'courier.mailusr', line: 4, column: 3 }, /did you mean 'mailuser'/],
    ['an unknown key', `${MINIMAL}colour: blue\n`, { code: 'unknown-key', key: 'colour', line: 3, column: 1 }, /^unknown key$/],
    ['a string number', `${MINIMAL}hash-length: "4"\n`, { code: 'invalid-value', key: 'hash-length', line: 3, column: 14 }, /whole number/],
    ['a fraction', `${MINIMAL}max-age-days: 1.5\n`, { code: 'invalid-value', key: 'max-age-days', line: 3, column: 15 }, /whole number/],
    ['a hash too long', `${MINIMAL}hash-length: 28\n`, { code: 'invalid-value', key: 'hash-length', line: 3, column: 14 }, /at most 27/],
    ['hash-length 0', `${MINIMAL}hash-length: 0\n`, { code: 'invalid-value', key: 'hash-length', line: 3, column: 14 }, /at least 1/],
    ['an age past the stamp wrap', `${MINIMAL}max-age-days: 1024\n`, { code: 'invalid-value', key: 'max-age-days', line: 3, column: 15 }, /at most 1023/],
    ['hash-minimum over hash-length', `${MINIMAL}hash-length: 4\nhash-minimum: 5\n`, { code: 'invalid-value', key: 'hash-minimum', line: 4, column: 15 }, /must not exceed hash-length \(4\)/],
    ['a bad separator', `${MINIMAL}separator: '*'\n`, { code: 'invalid-value', key: 'separator', line: 3, column: 12 }, /one of '-', '=', '\+'/],
    ['a bare - separator', `${MINIMAL}separator: -\n`, { code: 'yaml-syntax', key: '', line: 3, column: 12 }, /quote it/],
    ['a yes/no boolean', `${MINIMAL}rewrite-relayed: yes\n`, { code: 'invalid-value', key: 'rewrite-relayed', line: 3, column: 18 }, /true or false/],
    ['a bad pattern', `${MINIMAL}exclude-senders:\n  - ok.test\n  - not a pattern\n`, { code: 'invalid-value', key: 'exclude-senders[1]', line: 5, column: 5 }, /user@domain/],
    ['a scalar for a list', `${MINIMAL}forwarded-domains: example.org\n`, { code: 'invalid-value', key: 'forwarded-domains', line: 3, column: 20 }, /must be a list/],
    ['a bad local domain', `${MINIMAL}local-domains: ['..x']\n`, { code: 'invalid-value', key: 'local-domains[0]', line: 3, column: 17 }, /domain name/],
    ['a bounce cap of 0', `${MINIMAL}max-bounces-per-address: 0\n`, { code: 'invalid-value', key: 'max-bounces-per-address', line: 3, column: 26 }, /at least 1/],
    ['an unlimited bounce cap', `${MINIMAL}max-bounces-per-address: .inf\n`, { code: 'invalid-value', key: 'max-bounces-per-address', line: 3, column: 26 }, /whole number/],
    ['srs-bounces without a domain', `${MINIMAL}srs-bounces: postmaster\n`, { code: 'invalid-value', key: 'srs-bounces', line: 3, column: 14 }, /'reverse' or an address user@domain/],
    ['srs-bounces with a display name', `${MINIMAL}srs-bounces: 'Post Master <pm@example.org>'\n`, { code: 'invalid-value', key: 'srs-bounces', line: 3, column: 14 }, /user@domain/],
    ['srs-bounces with a bad domain', `${MINIMAL}srs-bounces: pm@exa mple.org\n`, { code: 'invalid-value', key: 'srs-bounces', line: 3, column: 14 }, /user@domain/],
    ['an unknown original-envelope', `${MINIMAL}original-envelope: sqlite\n`, { code: 'invalid-value', key: 'original-envelope', line: 3, column: 20 }, /'embedded', 'auto', 'database'/],
    ['a redis port out of range', `${MINIMAL}envelope-database: redis:localhost:0\n`, { code: 'invalid-value', key: 'envelope-database', line: 3, column: 20 }, /port from 1 to 65535/],
    ['a relative redis socket', `${MINIMAL}envelope-database: redis:redis.sock\n`, { code: 'invalid-value', key: 'envelope-database', line: 3, column: 20 }, /absolute path of a unix socket/],
    ["postsrsd's sqlite", `${MINIMAL}envelope-database: sqlite:senders.db\n`, { code: 'invalid-value', key: 'envelope-database', line: 3, column: 20 }, /not supported/],
    ['a bad bounce prefix', `${MINIMAL}bounce-prefix: 'a b'\n`, { code: 'invalid-value', key: 'bounce-prefix', line: 3, column: 16 }, /without spaces/],
    ['a relative Courier path', `${MINIMAL}courier:\n  sysconfdir: etc\n`, { code: 'invalid-value', key: 'courier.sysconfdir', line: 4, column: 15 }, /absolute/],
    ['an unknown log level', `${MINIMAL}log-level: verbose\n`, { code: 'invalid-value', key: 'log-level', line: 3, column: 12 }, /'error', 'warn', 'info', 'debug'/],
    ['a list document', '- srs-domain\n', { code: 'invalid-value', key: '', line: 1, column: 1 }, /mapping/],
    ['a duplicate key', `${MINIMAL}srs-domain: other.test\n`, { code: 'yaml-syntax', key: '', line: 3, column: 1 }, /unique/],
    ['two documents', `${MINIMAL}---\nlog-level: info\n`, { code: 'yaml-syntax', key: '', line: 3, column: 1 }, /one YAML document/],
    ['an unknown tag', `${MINIMAL}log-level: !loud info\n`, { code: 'yaml-syntax', key: '', line: 3, column: 12 }, /tag/],
    ['an unclosed flow list (reported where the ] is missing)', `${MINIMAL}forwarded-domains: [a.test\n`, { code: 'yaml-syntax', key: '', line: 4, column: 1 }, /end with a \]/],
  ];

  it.each(rows)('%s', (_name, text, expected, message) => {
    const problems = problemsOf(text);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: 'srsfilter.yaml', ...expected });
    expect(problems[0]?.message).toMatch(message);
  });

  it('reports every problem at once, in file order', () => {
    const problems = problemsOf(
      ['srs-domain: bad domain', 'secrets-file: relative', 'hash_length: 5', 'hash-minimum: 9', "separator: '*'"].join('\n'),
    );
    expect(problems.map((p) => [p.line, p.key, p.code])).toEqual([
      [1, 'srs-domain', 'invalid-value'],
      [2, 'secrets-file', 'invalid-value'],
      [3, 'hash_length', 'unknown-key'],
      [4, 'hash-minimum', 'invalid-value'],
      [5, 'separator', 'invalid-value'],
    ]);
  });

  it('names both required keys for an empty file', () => {
    expect(problemsOf('# nothing yet\n').map((p) => [p.code, p.key])).toEqual([
      ['missing-key', 'srs-domain'],
      ['missing-key', 'secrets-file'],
    ]);
  });
});

describe('parsePolicy: anchors and aliases are refused, never expanded', () => {
  it("reads an unquoted glob as the alias it is in YAML and says how to quote it", () => {
    expect(problemsOf(`${MINIMAL}exclude-senders: [*.partner.test]\n`)).toEqual([
      {
        code: 'yaml-alias',
        file: 'srsfilter.yaml',
        line: 3,
        column: 19,
        key: 'exclude-senders[0]',
        message: expect.stringContaining("quote it: '*.partner.test'; patterns are domain, .domain or user@domain"),
      },
    ]);
  });

  it('locates an alias in a block list too', () => {
    expect(problemsOf(`${MINIMAL}exclude-recipients:\n  - ok.test\n  - *@partner.test\n`)).toMatchObject([
      { code: 'yaml-alias', line: 5, column: 5, key: 'exclude-recipients[1]', message: expect.stringContaining("quote it: '*@partner.test'") },
    ]);
  });

  it('refuses an anchor and its alias, even where the alias would resolve', () => {
    const problems = problemsOf(`srs-domain: &ours example.org\nsecrets-file: /x\nforwarded-domains: [*ours]\n`);
    expect(problems.map((p) => [p.code, p.line, p.column, p.key])).toEqual([
      ['yaml-alias', 1, 13, 'srs-domain'],
      ['yaml-alias', 3, 21, 'forwarded-domains[0]'],
    ]);
    expect(problems[0]?.message).toMatch(/^&ours is a YAML anchor/);
  });

  it('refuses an alias bomb without expanding it', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let level = 1; level < 9; level++) {
      const name = String.fromCharCode(97 + level);
      const previous = String.fromCharCode(96 + level);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(', ')}]`);
    }
    const problems = problemsOf(`${levels.join('\n')}\n`);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.code === 'yaml-alias')).toBe(true);
  });

  it('turns an exception nobody foresaw into a problem', () => {
    const spy = jest.spyOn(policySchema, 'safeParse').mockImplementation(() => {
      throw new RangeError('Maximum call stack size exceeded');
    });
    try {
      expect(problemsOf(MINIMAL)).toEqual([
        { code: 'unexpected-error', file: 'srsfilter.yaml', line: null, column: null, key: '', message: 'cannot load: Maximum call stack size exceeded' },
      ]);
    } finally {
      spy.mockRestore();
    }
  });

  it('turns an input too deep to walk into a problem', () => {
    const deep = `${MINIMAL}forwarded-domains: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`;
    expect(problemsOf(deep).length).toBeGreaterThan(0);
  });
});

describe('formatProblem', () => {
  it('writes file:line:column: key: message', () => {
    expect(
      formatProblem({ code: 'invalid-value', file: '/etc/courier/srsfilter.yaml', line: 3, column: 14, key: 'hash-length', message: 'must be at most 27' }),
    ).toBe('/etc/courier/srsfilter.yaml:3:14: hash-length: must be at most 27');
  });

  it('leaves out what a whole-file problem lacks', () => {
    expect(formatProblem({ code: 'unreadable', file: '/x.yaml', line: null, column: null, key: '', message: 'no such file' })).toBe(
      '/x.yaml: no such file',
    );
  });
});
