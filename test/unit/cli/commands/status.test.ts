import { formatStatus } from '../../../../cli/commands/status';
import type { StatusReport } from '../../../../filter/control';

const running: StatusReport = {
  name: 'srsfilter',
  pid: 4242,
  startedAt: '2026-11-29T10:00:00.000Z',
  uptimeSeconds: 3725,
  configPath: '/etc/courier/srsfilter.yaml',
  policyLoadedAt: '2026-11-29T10:00:00.000Z',
  srsDomain: 'example.org',
  secrets: 2,
  decisions: { rewrite: 5, reverse: 1, pass: 9, reject: 2, error: 0 },
  store: null,
  storeProblem: null,
};

test('a filter without a store: no store line', () => {
  expect(formatStatus(running)).toBe(
    [
      'srsfilter is running',
      'pid: 4242',
      'uptime: 1h 2m 5s (since 2026-11-29T10:00:00.000Z)',
      'policy: /etc/courier/srsfilter.yaml, loaded 2026-11-29T10:00:00.000Z',
      'srs-domain: example.org',
      'secrets: 2',
      'decisions since start: rewrite=5 reverse=1 pass=9 reject=2 error=0',
      '',
    ].join('\n'),
  );
});

test('a filter with a store: its location, its error count and the latest error', () => {
  const store = {
    location: 'redis:127.0.0.1:6379',
    errors: 3,
    last: { code: 'store-timeout', message: 'no answer within 200 ms', at: Date.parse('2026-11-29T11:00:00.000Z') },
  };
  expect(formatStatus({ ...running, store })).toContain(
    'store: redis:127.0.0.1:6379, 3 error(s), last 2026-11-29T11:00:00.000Z store-timeout: no answer within 200 ms\n',
  );
  expect(formatStatus({ ...running, store: { ...store, errors: 0, last: null } })).toContain('store: redis:127.0.0.1:6379, 0 error(s)\n');
});

test('a store that could not be opened is said so', () => {
  expect(formatStatus({ ...running, storeProblem: 'lmdb:/var/lib/courier/srsfilter/senders.lmdb: permission denied' })).toContain(
    'store: not available (lmdb:/var/lib/courier/srsfilter/senders.lmdb: permission denied): long senders are embedded, stored ones get 451\n',
  );
});
