import { EXIT } from '../../../../cli/pipeAlias/exitStatus';
import { planForward } from '../../../../cli/pipeAlias/planForward';
import { planReverse } from '../../../../cli/pipeAlias/planReverse';
import { parsePolicy, type Policy } from '../../../../lib/config';
import { forwardSender } from '../../../../lib/policy';
import { createSrs } from '../../../../lib/srs';

const NOW = Date.UTC(2025, 0, 15);
const srs = createSrs({ secrets: [Buffer.from('s3cret')], separator: '-', now: () => NOW });
const policy: Policy = (() => {
  const parsed = parsePolicy('srs-domain: example.org\nsecrets-file: /s\n', 'p');
  if (!parsed.ok) throw new Error('policy');
  return parsed.value;
})();
const isExampleOrg = (domain: string): boolean => domain === 'example.org';
const context = { policy, srs, localDomains: { isLocal: isExampleOrg }, acceptMailFor: { accepts: isExampleOrg } };
const srsOf = (sender: string): string => (srs.forward(sender, 'example.org') as { value: string }).value;

describe('planForward', () => {
  it('rewrites the sender to SRS of srs-domain for every target', () => {
    expect(planForward('alice@sender.test', ['a@r.test', 'b@r.test'], srs, 'example.org')).toEqual({
      ok: true,
      value: { reinjection: { sender: srsOf('alice@sender.test'), recipients: ['a@r.test', 'b@r.test'] } },
    });
  });

  it('keeps the null sender null', () => {
    expect(planForward('', ['a@r.test'], srs, 'example.org')).toEqual({ ok: true, value: { reinjection: { sender: '', recipients: ['a@r.test'] } } });
  });

  it('forwards an unencodable sender unchanged, with a note', () => {
    expect(planForward('root', ['a@r.test'], srs, 'example.org')).toEqual({
      ok: true,
      value: {
        reinjection: { sender: 'root', recipients: ['a@r.test'] },
        note: expect.stringMatching(/^sender <root> forwarded unchanged: /),
      },
    });
  });

  it('fails temporarily on what an admin must fix', () => {
    for (const [sender, targets] of [['a@b.test', []], ['a@b.test', ['-x@r.test']], [undefined, ['a@r.test']]] as const) {
      expect(planForward(sender, targets, srs, 'example.org')).toMatchObject({ ok: false, error: { status: EXIT.tempFail } });
    }
  });
});

describe('planReverse', () => {
  it('sends a bounce to the original address from the null sender', async () => {
    await expect(planReverse('', srsOf('alice@sender.test'), context, null)).resolves.toEqual({ ok: true, value: { reinjection: { sender: '', recipients: ['alice@sender.test'] } } });
    await expect(planReverse('PostMaster@bank.test', srsOf('alice@sender.test'), context, null)).resolves.toEqual({
      ok: true,
      value: { reinjection: { sender: '', recipients: ['alice@sender.test'] } },
    });
    await expect(planReverse('', `srsbounce-${srsOf('alice@sender.test')}`, context, null)).resolves.toMatchObject({ ok: true });
  });

  it('refuses invalid and non-ours addresses for good', async () => {
    await expect(planReverse('', 'SRS0-abcd=AB=sender.test=alice@example.org', context, null)).resolves.toEqual({
      ok: false,
      error: {
        status: EXIT.invalidAddress,
        message: expect.stringMatching(/\(bad-hash\)$/),
      },
    });
    await expect(planReverse('x@y.test', srsOf('alice@sender.test'), context, null)).resolves.toMatchObject({ ok: false, error: { status: EXIT.invalidAddress, message: expect.stringMatching(/not-bounce/) } });
    await expect(planReverse('', 'alice@example.org', context, null)).resolves.toMatchObject({ ok: false, error: { status: EXIT.invalidAddress, message: expect.stringMatching(/no SRS address of example\.org/) } });
  });

  it("refuses for good an address that reverses to one starting with '-' (sendmail would take it as an option)", async () => {
    await expect(planReverse('', srsOf('-fvictim@bank.test'), context, null)).resolves.toEqual({
      ok: false,
      error: {
        status: EXIT.invalidAddress,
        message: expect.stringMatching(/reverses to <-fvictim@bank\.test>, which starts with '-'/),
      },
    });
  });

  it('fails temporarily without Courier variables', async () => {
    await expect(planReverse(undefined, srsOf('a@b.test'), context, null)).resolves.toMatchObject({ ok: false, error: { status: EXIT.tempFail } });
    await expect(planReverse('', undefined, context, null)).resolves.toMatchObject({ ok: false, error: { status: EXIT.tempFail } });
  });

  it('looks a stored-sender key up in the store, and defers the bounce when the store fails', async () => {
    const stored: Policy = { ...policy, originalEnvelope: 'database' };
    const forwarded = forwardSender('alice@sender.test', srs, stored);
    if (!forwarded.ok || forwarded.value.store === undefined) throw new Error('no stored form');
    const { key } = forwarded.value.store;
    const holding = { get: async (k: string) => (k === key ? 'alice@sender.test' : null), put: async () => undefined };
    const failing = { get: async () => Promise.reject(new Error('connection refused')), put: async () => undefined };
    const storedContext = { ...context, policy: stored };
    await expect(planReverse('', forwarded.value.address, storedContext, holding)).resolves.toEqual({
      ok: true,
      value: { reinjection: { sender: '', recipients: ['alice@sender.test'] } },
    });
    await expect(planReverse('', forwarded.value.address, storedContext, failing)).resolves.toMatchObject({ ok: false, error: { status: EXIT.tempFail } });
    await expect(planReverse('', forwarded.value.address, storedContext, null)).resolves.toMatchObject({ ok: false, error: { status: EXIT.tempFail } });
    const empty = { get: async () => null, put: async () => undefined };
    await expect(planReverse('', forwarded.value.address, storedContext, empty)).resolves.toMatchObject({
      ok: false,
      error: {
        status: EXIT.invalidAddress,
        message: expect.stringMatching(/unknown-alias/),
      },
    });
  });
});

describe('exit statuses', () => {
  it("use Courier's permanent and temporary codes", () => {
    expect(EXIT).toEqual({ delivered: 0, invalidAddress: 67, tempFail: 75 });
  });
});
