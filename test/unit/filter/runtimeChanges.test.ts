import { parsePolicy, srsInitOf } from '../../../lib/config';
import { createSrs } from '../../../lib/srs';
import type { Runtime } from '../../../filter/runtime';
import { describeRuntimeChanges } from '../../../filter/runtimeChanges';

/** The parts of a runtime the description reads: the policy and the secrets. */
function runtimeOf(yaml: string, secrets: readonly string[] = ['s3cret']): Runtime {
  const parsed = parsePolicy(`srs-domain: example.org\nsecrets-file: /etc/courier/srsfilter.secret\n${yaml}`, 'srsfilter.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  const srs = createSrs(srsInitOf(parsed.value, secrets.map((secret) => Buffer.from(secret))));
  return { policy: parsed.value, srs } as unknown as Runtime;
}

describe('describeRuntimeChanges', () => {
  test('nothing when nothing differs', () => {
    expect(describeRuntimeChanges(runtimeOf(''), runtimeOf(''))).toEqual([]);
  });

  test('scalars with both values under their YAML names, lists by name only', () => {
    const before = runtimeOf("separator: '-'\n");
    const after = runtimeOf("separator: '='\nexclude-senders: [.partner.test]\nrewrite-relayed: true\n");
    expect(describeRuntimeChanges(before, after)).toEqual([
      "separator: '-' -> '='",
      'exclude-senders',
      'rewrite-relayed: false -> true',
    ]);
  });

  test('secrets by count, or as replaced, never their content', () => {
    expect(describeRuntimeChanges(runtimeOf(''), runtimeOf('', ['n3w', 's3cret']))).toEqual(['secrets: 1 -> 2']);
    const replaced = describeRuntimeChanges(runtimeOf(''), runtimeOf('', ['n3w']));
    expect(replaced).toEqual(['secrets: replaced (1)']);
    expect(replaced.join()).not.toContain('n3w');
  });
});
