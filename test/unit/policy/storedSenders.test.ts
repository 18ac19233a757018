import type { Policy } from '../../../lib/config';
import { completeWithStore, decide, lookUpSender, storeSender, type Decision } from '../../../lib/policy';
import { StoreError, type SenderStore } from '../../../lib/store';
import { localPartOctets } from '../../../lib/srs';
import { contextWith, envelope } from './support';

const ALIAS = { r: 'someone@remote.test', R: 'fwd@example.org' };
const SHORT = 'alice@sender.test';
const LONG = '0100018c7a1b2c3d-4e5f6a7b-8c9d-4e1f-9a3b-4c5d6e7f8a9b-000000@us-east-1.amazonses.com';
const STORED = /^SRS0-[A-Za-z0-9+/]{4}=[A-Z2-7]{2}=1=[0-9A-V]{32}@example\.org$/;

function forward(sender: string, policy: Partial<Policy>): Decision {
  return decide(envelope({ sender, recipients: [ALIAS] }), contextWith(policy));
}

/** A store in memory: what completeWithStore is given after boundStore; failures on demand. */
function memoryStore(fail?: StoreError): Pick<SenderStore, 'put' | 'get'> & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return {
    entries,
    put: (key, sender) => (fail ? Promise.reject(fail) : (entries.set(key, sender), Promise.resolve())),
    get: (key) => (fail ? Promise.reject(fail) : Promise.resolve(entries.get(key) ?? null)),
  };
}

describe('original-envelope when forwarding', () => {
  test('embedded (the default) embeds every sender, long ones too', () => {
    const decision = forward(LONG, {});
    expect(decision).toMatchObject({ kind: 'rewrite', to: expect.stringContaining('=us-east-1.amazonses.com=0100018c') });
    expect(decision.kind === 'rewrite' && decision.store).toBeUndefined();
  });

  test('auto embeds a sender whose SRS local part fits in 64 octets', () => {
    const decision = forward(SHORT, { originalEnvelope: 'auto' });
    expect(decision).toMatchObject({ kind: 'rewrite', to: expect.stringMatching(/^SRS0-....=..=sender\.test=alice@example\.org$/) });
    expect(decision.kind === 'rewrite' && decision.store).toBeUndefined();
  });

  test('auto stores a sender whose SRS local part would pass 64 octets, with the stateless form as fallback', () => {
    const decision = forward(LONG, { originalEnvelope: 'auto' });
    expect(decision).toMatchObject({ kind: 'rewrite', to: expect.stringMatching(STORED) });
    if (decision.kind !== 'rewrite' || decision.store === undefined) throw new Error('expected a store write');
    expect(localPartOctets(decision.to)).toBeLessThanOrEqual(64);
    expect(decision.store).toMatchObject({ sender: LONG, ttlSeconds: 21 * 86_400, key: expect.stringMatching(/^[0-9A-V]{32}@1$/) });
    expect(localPartOctets(decision.store.fallback)).toBeGreaterThan(64);
  });

  test('database stores every sender', () => {
    expect(forward(SHORT, { originalEnvelope: 'database' })).toMatchObject({ kind: 'rewrite', to: expect.stringMatching(STORED) });
  });

  test('a foreign SRS sender is forwarded as SRS1, never stored (as postsrsd)', () => {
    const decision = forward(`SRS0=abcd=AB=${'x'.repeat(60)}.test=bob@hop.test`, { originalEnvelope: 'database' });
    expect(decision).toMatchObject({ kind: 'rewrite', to: expect.stringMatching(/^SRS1-/) });
    expect(decision.kind === 'rewrite' && decision.store).toBeUndefined();
  });
});

describe('completeWithStore', () => {
  test('stores the sender, then keeps the stored form', async () => {
    const store = memoryStore();
    const decision = forward(LONG, { originalEnvelope: 'auto' });
    const { decision: completed, storeError } = await completeWithStore(decision, store);
    expect(completed).toBe(decision);
    expect(storeError).toBeUndefined();
    expect([...store.entries.values()]).toEqual([LONG]);
  });

  test.each([
    ['a failing store', memoryStore(new StoreError('store-timeout', 'slow'))],
    ['no store at all', null],
  ])('with %s, the stateless form is used and the failure reported: mail flows', async (_name, store) => {
    const decision = forward(LONG, { originalEnvelope: 'auto' });
    const { decision: completed, storeError } = await completeWithStore(decision, store);
    expect(completed).toMatchObject({ kind: 'rewrite', to: decision.kind === 'rewrite' ? decision.store?.fallback : '' });
    expect(completed.kind === 'rewrite' && completed.store).toBeUndefined();
    expect(storeError).toBeInstanceOf(StoreError);
  });

  const bounceTo = (srsAddress: string, policy: Partial<Policy>): Decision =>
    decide(envelope({ sender: '', recipients: [{ r: srsAddress }] }), contextWith(policy));

  async function storedAddress(store: Pick<SenderStore, 'put' | 'get'>): Promise<string> {
    const decision = forward(LONG, { originalEnvelope: 'auto' });
    await completeWithStore(decision, store);
    return decision.kind === 'rewrite' ? decision.to : '';
  }

  test('reverses a stored key to the stored sender, whatever the case of the key', async () => {
    const store = memoryStore();
    const address = (await storedAddress(store)).toLowerCase();
    const decision = bounceTo(address, { originalEnvelope: 'auto' });
    expect(decision).toMatchObject({ kind: 'reverse', recipients: [{ storeKey: expect.stringMatching(/@1$/) }] });
    const { decision: completed } = await completeWithStore(decision, store);
    expect(completed).toMatchObject({ kind: 'reverse', recipients: [{ original: LONG, to: LONG }] });
  });

  test('an unknown (or expired) key is refused: 550 5.1.1 unknown alias', async () => {
    const address = await storedAddress(memoryStore());
    const { decision } = await completeWithStore(bounceTo(address, { originalEnvelope: 'auto' }), memoryStore());
    expect(decision).toMatchObject({ kind: 'reject', srsError: 'unknown-alias', reply: { code: 550, text: `5.1.1 <${address}>: unknown alias` } });
  });

  test('a store that cannot answer defers the bounce: 451 4.3.0', async () => {
    const address = await storedAddress(memoryStore());
    const failing = memoryStore(new StoreError('store-unavailable', 'down'));
    const { decision, storeError } = await completeWithStore(bounceTo(address, { originalEnvelope: 'auto' }), failing);
    expect(decision).toMatchObject({ kind: 'reject', srsError: 'store-unavailable', reply: { code: 451, text: expect.stringMatching(/^4\.3\.0 /) } });
    expect(storeError?.code).toBe('store-unavailable');
  });

  test('a stored key reaching a host without any store is refused (550), as postsrsd does', async () => {
    const address = await storedAddress(memoryStore());
    expect(bounceTo(address, {})).toMatchObject({ kind: 'reject', srsError: 'no-store', reply: { code: 550 } });
  });

  test('a store configured only for the bounce cap (embedded mode) still looks keys up', async () => {
    const address = await storedAddress(memoryStore());
    const decision = bounceTo(address, { envelopeDatabase: { kind: 'redis', host: 'localhost', port: 6379 } });
    expect(decision).toMatchObject({ kind: 'reverse' });
  });
});

describe('storeSender and lookUpSender (what completeWithStore and srsctl share)', () => {
  const WRITE = { key: 'KEY@1', sender: SHORT, ttlSeconds: 60, fallback: 'SRS0=stateless@example.org' };

  it('store a sender and find it again; an unknown key finds none', async () => {
    const store = memoryStore();
    expect(await storeSender(WRITE, store)).toBeNull();
    expect(await lookUpSender('KEY@1', store)).toEqual({ ok: true, value: SHORT });
    expect(await lookUpSender('OTHER@1', store)).toEqual({ ok: true, value: null });
  });

  it('say store-unavailable when there is no store', async () => {
    expect(await storeSender(WRITE, null)).toMatchObject({ code: 'store-unavailable' });
    expect(await lookUpSender('KEY@1', null)).toMatchObject({ ok: false, error: { code: 'store-unavailable' } });
  });

  it("keep a store's own error code, and call any other failure store-failed", async () => {
    expect(await storeSender(WRITE, memoryStore(new StoreError('store-timeout', 'slow')))).toMatchObject({ code: 'store-timeout' });
    const broken = { put: () => Promise.reject(new Error('boom')), get: () => Promise.reject(new Error('boom')) };
    expect(await storeSender(WRITE, broken)).toMatchObject({ code: 'store-failed', message: 'boom' });
    expect(await lookUpSender('KEY@1', broken)).toMatchObject({ ok: false, error: { code: 'store-failed', message: 'boom' } });
  });
});
