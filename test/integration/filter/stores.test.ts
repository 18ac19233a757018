// The filter's stores across reloads, with the real embedded store (LMDB) on disk.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePolicy, type Policy } from '../../../lib/config';
import type { CourierPaths } from '../../../lib/courier/host';
import { createFilterStores } from '../../../filter/stores';

const dir = mkdtempSync(join(tmpdir(), 'srsfilter-stores-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function policyWith(extra: string): Policy {
  const parsed = parsePolicy(`srs-domain: example.org\nsecrets-file: /s\n${extra}`, 'srsfilter.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  return parsed.value;
}

const courier = { localstatedir: dir } as CourierPaths;
const withStore = policyWith(`original-envelope: auto\nenvelope-database: lmdb:${join(dir, 'senders.lmdb')}\n`);
const withoutStore = policyWith('');

test('a reload back to a store it just left takes that store up again, not a second handle on it', async () => {
  const stores = createFilterStores();
  const first = await stores.storeFor(withStore, courier);
  if (!first.ok || first.value === null) throw new Error('no store');
  stores.keepOnly(null);
  expect(await stores.storeFor(withoutStore, courier)).toEqual({ ok: true, value: null });

  const again = await stores.storeFor(withStore, courier);
  expect(again.ok && again.value).toBe(first.value);
  stores.keepOnly(first.value);
  await first.value.put('KEY@1', 'alice@sender.test', 60);
  expect(await first.value.get('KEY@1')).toBe('alice@sender.test');
  await first.value.close();
});
