import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatProblem, parsePolicy, type Policy } from '../../../lib/config';

const SHIPPED = readFileSync(join(__dirname, '../../../config/srsfilter.yaml'), 'utf8');
/** A commented-out setting: `# key: value` with the key right after "# " (prose never looks so). */
const COMMENTED_SETTING = /^# ([a-z][a-z-]*:.*)$/gm;

function parsed(text: string): Policy {
  const result = parsePolicy(text, 'srsfilter.yaml');
  if (!result.ok) throw new Error(result.error.map(formatProblem).join('\n'));
  return result.value;
}

describe('config/srsfilter.yaml', () => {
  it('parses, with the installer placeholders', () => {
    expect(parsed(SHIPPED)).toMatchObject({ srsDomain: 'example.org', secretsFile: '/etc/courier/srsfilter.secret' });
  });

  it('states the true default of every key it comments out', () => {
    const uncommented = SHIPPED.replace(COMMENTED_SETTING, '$1');
    expect(uncommented).not.toBe(SHIPPED);
    expect(parsed(uncommented)).toEqual(parsed(SHIPPED));
  });

  it('documents every key the policy knows', () => {
    const settings = [...SHIPPED.matchAll(/^(?:# )?([a-z][a-z-]*):/gm)].map((match) => match[1]);
    expect(new Set(settings)).toEqual(
      new Set([
        'srs-domain',
        'secrets-file',
        'forwarded-domains',
        'local-domains',
        'hash-length',
        'hash-minimum',
        'max-age-days',
        'separator',
        'hash-alphabet',
        'exclude-senders',
        'exclude-recipients',
        'original-envelope',
        'envelope-database',
        'rewrite-relayed',
        'reverse-only-bounces',
        'srs-bounces',
        'max-bounces-per-address',
        'mixed-recipients',
        'bounce-prefix',
        'on-error',
        'log-level',
        'courier',
      ]),
    );
  });
});
