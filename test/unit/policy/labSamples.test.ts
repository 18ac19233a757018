import { readFixture } from '../../../kit/repo';
import type { Policy } from '../../../lib/config';
import { parseControlFile } from '../../../lib/courier/queue/controlFile';
import { envelopeOf } from '../../../lib/courier/queue/envelope';
import type { Envelope } from '../../../lib/courier/queue';
import { decide, type Decision } from '../../../lib/policy';
import { contextWith } from './support';

/** Control files a real Courier wrote (test/fixtures/courier/README.md). */
function sample(name: string): Envelope {
  const parsed = parseControlFile(readFixture(name));
  if (!parsed.ok) throw new Error(parsed.error.message);
  return envelopeOf([parsed.value]);
}

type Row = readonly [file: string, policy: Partial<Policy>, expected: Partial<Decision>];

describe('decide on control files a real Courier wrote (srs-domain example.org)', () => {
  const rows: Row[] = [
    ['single-alias-to-remote.ctl', {}, { kind: 'rewrite', rule: 'forwarded-alias', forwardedTo: ['someone@remote.test'] }],
    ['single-alias-to-remote.ctl', { forwardedDomains: ['example.org'] }, { kind: 'rewrite', rule: 'forwarded-alias' }],
    ['single-alias-to-remote.ctl', { forwardedDomains: ['lists.example.org'] }, { kind: 'pass', rule: 'not-forwarded-domain' }],
    ['multi-alias.ctl', {}, { kind: 'rewrite', rule: 'forwarded-alias', forwardedTo: ['other@remote.test'] }],
    ['multi-alias.ctl', { mixedRecipients: 'pass' }, { kind: 'pass', rule: 'mixed-recipients' }],
    ['two-remote-alias.ctl', {}, { kind: 'rewrite', forwardedTo: ['one@remote.test', 'two@remote.test'] }],
    ['external-127.0.0.2-fwd+multi.ctl', {}, { kind: 'rewrite', forwardedTo: ['someone@remote.test', 'other@remote.test'] }],
    ['mixed-fwd-local-direct.ctl', {}, { kind: 'rewrite', forwardedTo: ['someone@remote.test'] }],
    ['dotcourier-forward-reinjected-local.ctl', {}, { kind: 'rewrite', rule: 'forwarded-alias', forwardedTo: ['dottarget@remote.test'] }],
    ['local-only.ctl', {}, { kind: 'pass', rule: 'only-local-recipients' }],
    ['two-remote-direct.ctl', {}, { kind: 'pass', rule: 'relayed-by-local-user' }],
    ['two-remote-direct.ctl', { rewriteRelayed: true }, { kind: 'rewrite', rule: 'rewrite-relayed' }],
    // The fixture's placeholder SRS0=HHHH=TT… has a hash no secret of ours signs.
    ['srs-bounce-external-nullsender.ctl', {}, { kind: 'reject', rule: 'srs-invalid', srsError: 'bad-hash', recipient: 'srsbounce-SRS0=HHHH=TT=sender.test=alice@example.org' }],
    ['srs-bounce-external-nullsender.after-probe.ctl', {}, { kind: 'pass', rule: 'null-sender' }],
    ['single-alias-to-remote.after-probe.ctl', {}, { kind: 'pass', rule: 'already-srs' }],
    ['multi-alias.after-probe.ctl', {}, { kind: 'pass', rule: 'already-srs' }],
  ];

  it.each(rows)('%s %j', (file, policy, expected) => {
    expect(decide(sample(file), contextWith(policy))).toMatchObject(expected);
  });
});
