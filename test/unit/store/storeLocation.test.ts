import { fail, ok } from '../../../lib/result';
import { storeLocation } from '../../../lib/store';

describe('storeLocation', () => {
  it("is the policy's envelope-database, without asking for Courier's localstatedir", async () => {
    const localstatedir = jest.fn(async () => ok('/var/lib/courier'));
    const redis = { kind: 'redis-socket', path: '/run/redis/redis.sock' } as const;
    expect(await storeLocation(redis, localstatedir)).toEqual({ ok: true, value: redis });
    expect(localstatedir).not.toHaveBeenCalled();
  });

  it("is the embedded file under Courier's localstatedir when the policy names no database", async () => {
    expect(await storeLocation(null, async () => ok('/var/lib/courier'))).toEqual({
      ok: true,
      value: { kind: 'lmdb', path: '/var/lib/courier/srsfilter/senders.lmdb' },
    });
  });

  it('passes on why the localstatedir is not known', async () => {
    expect(await storeLocation(null, async () => fail('no courierd'))).toEqual({ ok: false, error: 'no courierd' });
  });
});
