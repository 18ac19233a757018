import type { Policy } from '../../../lib/config';
import { applyBounceCap, decide, type Decision } from '../../../lib/policy';
import { ok } from '../../../lib/result';
import { StoreError, type BounceCounter, type TakeResult } from '../../../lib/store';
import { contextWith, envelope, srsAddressFor } from './support';

/** A counter that answers as scripted and records what it was asked. */
function fakeCounter(answer: (keys: readonly string[]) => TakeResult): BounceCounter & { calls: unknown[][] } {
  const calls: unknown[][] = [];
  return {
    calls,
    take: (keys, limit, windowMs) => {
      calls.push(['take', keys, limit, windowMs]);
      return Promise.resolve(answer(keys));
    },
    giveBack: (keys) => {
      calls.push(['giveBack', keys]);
      return Promise.resolve();
    },
  };
}

const ALICE_SRS0 = srsAddressFor('alice@sender.test');
const BOB_SRS0 = srsAddressFor('bob@sender.test');

function decisionFor(recipients: readonly string[], policy: Partial<Policy> = {}, sender = ''): { decision: Decision; policy: Policy } {
  const context = contextWith(policy);
  return { decision: decide(envelope({ sender, recipients: recipients.map((r) => ({ r })) }), context), policy: context.policy };
}

describe('applyBounceCap', () => {
  it('counts each reversed recipient once, with the cap and a window longer than an address lives', async () => {
    const { decision, policy } = decisionFor([ALICE_SRS0, BOB_SRS0], { maxBouncesPerAddress: 7, maxAgeDays: 21 });
    const counter = fakeCounter(() => ok());
    const capped = await applyBounceCap(decision, policy, counter);
    expect(capped.decision).toBe(decision);
    const keys = decision.kind === 'reverse' ? decision.recipients.map((r) => r.capKey) : [];
    expect(capped.counted).toEqual(keys);
    expect(counter.calls).toEqual([['take', keys, 7, 22 * 86_400_000]]);
  });

  it('refuses the message with 550 5.7.1 naming the cap when the counter says it is reached', async () => {
    const { decision, policy } = decisionFor([ALICE_SRS0, BOB_SRS0], { maxBouncesPerAddress: 3 });
    const bobKey = decision.kind === 'reverse' ? decision.recipients[1]?.capKey ?? '' : '';
    const capped = await applyBounceCap(decision, policy, fakeCounter(() => ({ ok: false, error: { key: bobKey } })));
    expect(capped).toEqual({
      decision: {
        kind: 'reject',
        rule: 'srs-bounce-cap',
        reason: expect.stringContaining('max-bounces-per-address is 3'),
        recipient: BOB_SRS0,
        srsError: 'too-many-bounces',
        reply: { code: 550, text: `5.7.1 <${BOB_SRS0}>: too many bounces to this SRS address (max-bounces-per-address is 3)` },
      },
      counted: [],
    });
  });

  it.each<readonly [string, Partial<Policy>, string, string]>([
    ['a kept bounce (srs-bounces is a mailbox)', { srsBounces: { mode: 'deliver', address: 'postmaster@example.org' } }, '', ALICE_SRS0],
    ['a refused bounce', {}, '', ALICE_SRS0.replace(/^SRS0-..../, 'SRS0-AAAA')],
    ['a forward', {}, 'alice@sender.test', 'someone@remote.test'],
  ])('counts nothing for %s', async (_name, policyOverrides, sender, recipient) => {
    const { decision, policy } = decisionFor([recipient], policyOverrides, sender);
    const counter = fakeCounter(() => ok());
    expect(await applyBounceCap(decision, policy, counter)).toEqual({ decision, counted: [] });
    expect(counter.calls).toEqual([]);
  });

  it('answers 451 4.3.0 when a shared count cannot be taken: the bounce is retried, never reversed uncounted', async () => {
    const { decision, policy } = decisionFor([ALICE_SRS0]);
    const failing: BounceCounter = {
      take: () => Promise.reject(new StoreError('store-unavailable', 'Redis is not connected')),
      giveBack: () => Promise.resolve(),
    };
    expect(await applyBounceCap(decision, policy, failing)).toEqual({
      decision: expect.objectContaining({ kind: 'reject', srsError: 'store-unavailable', reply: { code: 451, text: expect.stringMatching(/^4\.3\.0 /) } }),
      counted: [],
    });
  });
});
