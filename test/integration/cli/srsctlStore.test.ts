/**
 * srsctl with a policy that stores senders: forward stores, reverse and explain look up, check
 * reports the store; with the embedded store the filter uses, and a real redis-server.
 */
import { describeWithRedis } from '../../support/withOptionalTools';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startRedisServer, type RedisServer } from '../../../kit/redisServer';
import { createCourierTree, type CourierTree } from './courierTree';
import { runNode, SRSCTL } from './support';

jest.setTimeout(60_000);

const LONG = '0100018c7a1b2c3d-4e5f6a7b-8c9d-4e1f-9a3b-4c5d6e7f8a9b-000000@us-east-1.amazonses.com';
const STORED = /^SRS0-....=..=1=([0-9A-V]{32})@example\.org$/;

let tree: CourierTree;
beforeEach(() => {
  tree = createCourierTree();
});
afterEach(() => tree.remove());

const srsctl = (...args: string[]) => runNode(SRSCTL, [args[0] ?? '', '--config', tree.policyPath, ...args.slice(1)], { env: tree.env() });

describe('srsctl with the embedded store (original-envelope: auto)', () => {
  beforeEach(() => tree.writePolicy('original-envelope: auto\n'));

  test('check notes a store the filter has not created yet; forward creates it, reverse reads it, check counts it', () => {
    expect(srsctl('check').stdout).toMatch(/note +sender store lmdb:.*senders\.lmdb does not exist yet/);
    const forward = srsctl('forward', LONG, 'alice@sender.test');
    expect(forward.status).toBe(0);
    const [stored = '', short = ''] = forward.stdout.trim().split('\n');
    expect(stored).toMatch(STORED);
    expect(short).toMatch(/=sender\.test=alice@example\.org$/);
    expect(existsSync(path.join(tree.root, 'var/srsfilter/senders.lmdb'))).toBe(true);

    expect(srsctl('reverse', stored.toLowerCase())).toMatchObject({ status: 0, stdout: `${LONG}\n` });
    expect(srsctl('check').stdout).toMatch(/ok +sender store lmdb:.* is reachable: 1 stored sender\(s\)/);
    expect(srsctl('explain', '<>', stored).stdout).toContain(`recipient: <${stored}> -> <${LONG}>`);
    expect(srsctl('explain', LONG, 'someone@remote.test', '--original-recipient', 'fwd@example.org').stdout).toMatch(
      /^store: the filter stores the sender under [0-9A-V]{32}@1 for 21 days \(if the store fails: <SRS0-.*amazonses\.com=0100018c/m,
    );
  });

  test('reverse of a key that is not stored fails: unknown-alias', () => {
    const stored = srsctl('forward', LONG).stdout.trim();
    const other = createCourierTree(tree.secret);
    try {
      other.writePolicy('original-envelope: auto\n');
      const run = runNode(SRSCTL, ['reverse', '--config', other.policyPath, stored], { env: other.env() });
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(/\(unknown-alias\)/);
    } finally {
      other.remove();
    }
  });
});

describeWithRedis('srsctl with Redis', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis.stop();
  });

  test("forward writes postsrsd 2's key; check counts; with Redis down forward prints the stateless form and check fails", async () => {
    tree.writePolicy(`original-envelope: database\nenvelope-database: ${redis.location}\n`);
    const forwarded = srsctl('forward', 'bob@sender.test').stdout.trim();
    const key = STORED.exec(forwarded)?.[1];
    expect(spawnSync('redis-cli', ['-p', String(redis.port), 'GET', `PostSRSd/${key}@1`], { encoding: 'utf8' }).stdout.trim()).toBe('bob@sender.test');
    expect(srsctl('check').stdout).toContain(`ok      sender store ${redis.location} is reachable: 1 stored sender(s)`);

    await redis.kill();
    const fallback = srsctl('forward', 'bob@sender.test');
    expect(fallback).toMatchObject({ status: 0, stdout: expect.stringMatching(/=sender\.test=bob@example\.org\n$/) });
    expect(fallback.stderr).toMatch(/not stored/);
    expect(srsctl('reverse', forwarded)).toMatchObject({ status: 1, stderr: expect.stringMatching(/\((store-unavailable|no-store)\)/) });
    expect(srsctl('check')).toMatchObject({ status: 1, stdout: expect.stringContaining(`PROBLEM sender store ${redis.location} is not reachable`) });
    await redis.restart();
  });
});
