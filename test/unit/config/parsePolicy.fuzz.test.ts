import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadFilterConfig, loadPolicy, parsePolicy, type ConfigProblemCode, type ConfigResult } from '../../../lib/config';
import { KNOWN_KEYS } from '../../../lib/config/schema';
import { fuzzParameters, fuzzTimeoutMs } from '../../support/fuzzSettings';

/*
 * The policy loader answers every input with a policy or with problems; it never throws, since
 * a throw on reload would stop the filter and with it the mail.
 */

const KNOWN_CODES: ReadonlySet<ConfigProblemCode> = new Set<ConfigProblemCode>([
  'yaml-syntax',
  'yaml-alias',
  'unknown-key',
  'missing-key',
  'invalid-value',
  'unreadable',
  'insecure-permissions',
  'no-secrets',
  'unexpected-error',
]);

function expectAnswer(result: ConfigResult<unknown>): void {
  if (result.ok) return;
  expect(result.error.length).toBeGreaterThan(0);
  for (const problem of result.error) {
    expect(KNOWN_CODES.has(problem.code)).toBe(true);
    expect(problem.message).not.toBe('');
    if (problem.line !== null) expect(problem.line).toBeGreaterThanOrEqual(1);
  }
}

/** What an admin's editor, a bad merge or a habit from other formats puts into YAML. */
const TOKENS = [
  ...(KNOWN_KEYS[''] ?? []).map((key) => `${key}: `),
  'srs-domain: example.org\n',
  'secrets-file: /etc/courier/srsfilter.secret\n',
  '*.partner.test', '&a ', '*a', '&', '*', '!!binary ', '!!set\n', '!!str ', '!local ', '? ', '<<: ', ': ', '- ', '-',
  '[', ']', '{', '}', ',', '#', "'", '"', '|', '>', '\\', '%YAML 1.1\n', '%TAG ! tag:x.test,2000:\n', '---\n', '...\n',
  '\n', '  ', '\t', '\r', '\ufeff', '\0', 'é', '\u2028', 'null', '~', 'true', 'yes', '0x1F', '.inf', '1e999', 'example.org',
];
const tokenSoupArb = fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }).map((tokens) => tokens.join(''));

/** Inserts tokens, deletes and duplicates slices at random places. */
const mutationArb = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(...TOKENS) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.nat({ max: 8 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.nat({ max: 20 }) }),
);
type Mutation = typeof mutationArb extends fc.Arbitrary<infer M> ? M : never;

function mutate(text: string, mutations: readonly Mutation[]): string {
  let result = text;
  for (const mutation of mutations) {
    const at = result.length === 0 ? 0 : mutation.at % (result.length + 1);
    if (mutation.kind === 'insert') result = result.slice(0, at) + mutation.text + result.slice(at);
    if (mutation.kind === 'delete') result = result.slice(0, at) + result.slice(at + mutation.length);
    if (mutation.kind === 'duplicate') result = result.slice(0, at + mutation.length) + result.slice(at);
  }
  return result;
}

/** A value yaml cannot write (a symbol, say) is no document; the loader is not what is tested then. */
function rendered(value: unknown): string {
  try {
    return stringify(value) ?? '';
  } catch {
    return '';
  }
}

const policyLikeArb = fc
  .dictionary(fc.constantFrom(...(KNOWN_KEYS[''] ?? []), 'courier', 'hash_length'), fc.jsonValue({ maxDepth: 2 }))
  .map((keys) => ({ 'srs-domain': 'example.org', 'secrets-file': '/etc/courier/srsfilter.secret', ...keys }));

const documentArb = fc.oneof(
  fc.jsonValue().map(rendered),
  fc.anything({ withMap: true, withSet: true, withNullPrototype: true, withSparseArray: true }).map(rendered),
  policyLikeArb.map(rendered),
  tokenSoupArb,
);

const mutatedDocumentArb = fc.tuple(documentArb, fc.array(mutationArb, { maxLength: 6 })).map(([text, mutations]) => mutate(text, mutations));

/** Bytes decoded as loadPolicy decodes the file: UTF-8, invalid sequences replaced. */
const bytesArb = fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('utf8'));

describe('the policy loader never throws', () => {
  it(
    'answers random and mutated YAML documents with a policy or problems',
    () => {
      fc.assert(
        fc.property(mutatedDocumentArb, (text) => expectAnswer(parsePolicy(text, 'srsfilter.yaml'))),
        fuzzParameters(),
      );
    },
    fuzzTimeoutMs(),
  );

  it(
    'answers random bytes with problems',
    () => {
      fc.assert(fc.property(bytesArb, (text) => expectAnswer(parsePolicy(text, 'srsfilter.yaml'))), fuzzParameters());
    },
    fuzzTimeoutMs(),
  );

  describe('from a file', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'srsfilter-policy-fuzz-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it(
      'answers random bytes and documents written to the policy file',
      async () => {
        const path = join(dir, 'srsfilter.yaml');
        const contentArb = fc.oneof(fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)), mutatedDocumentArb.map((text) => Buffer.from(text)));
        await fc.assert(
          fc.asyncProperty(contentArb, async (content) => {
            writeFileSync(path, content);
            expectAnswer(await loadPolicy(path));
            expectAnswer(await loadFilterConfig(path, { checkPermissions: false }));
          }),
          fuzzParameters(0.1),
        );
      },
      fuzzTimeoutMs(0.1),
    );
  });
});
