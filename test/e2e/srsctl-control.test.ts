// `srsctl reload` and `srsctl status` against the filter courierfilter runs as the mail user,
// from root (as an admin runs them) and from the mail user itself.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { filterPid, restartFilter, startFilter, stopFilter } from '../../kit/realCourier/courier';
import { policyWith, readInstalledPolicy } from '../../kit/realCourier/policy';
import { carrying } from '../../kit/realCourier/sink';
import { sendMail } from '../../kit/realCourier/smtpClient';
import { ADDRESSES as A, POLICY_FILE, SRSCTL } from '../../kit/realCourier/world';
import { srs0Pattern } from './support/expect-mail';
import { e2eTest, useSink } from './support/harness';
import { buildMessage, newToken } from './support/message';

const sink = useSink();
const { srsDomain } = readInstalledPolicy();

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(command, [...args], (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

const srsctl = (...args: string[]): Promise<Outcome> => run(SRSCTL, args);

/** The decision counts `srsctl status` prints, by code. */
function decisions(status: Outcome): Record<string, number> {
  const line = /^decisions since start: (.*)$/m.exec(status.stdout)?.[1] ?? '';
  return Object.fromEntries(line.split(' ').map((pair) => pair.split('=')).map(([code, n]) => [code, Number(n)]));
}

/** Sends one message to the alias and returns the sender its forwarded copy left with. */
async function forwardedSender(): Promise<string> {
  const token = newToken('control');
  expect((await sendMail({ from: A.externalSender, to: [A.alias] }, buildMessage(token, A.externalSender, A.alias))).code).toBe(250);
  return (await sink().waitForOne(carrying(token))).mailFrom;
}

describe('srsctl status', () => {
  e2eTest('as root: running, the pid courierfilter started, and a forwarded message counted as a rewrite', async () => {
    const before = await srsctl('status');
    expect(before).toMatchObject({ code: 0, stderr: '' });
    expect(before.stdout).toMatch(new RegExp(`^srsfilter is running\npid: ${filterPid()}\n`));
    expect(before.stdout).toContain(`srs-domain: ${srsDomain}\n`);
    expect(before.stdout).toMatch(/^secrets: [1-9]\d*$/m);

    expect(await forwardedSender()).toMatch(srs0Pattern(A.externalSender, srsDomain));
    const after = await srsctl('status');
    expect(decisions(after).rewrite).toBe((decisions(before).rewrite ?? NaN) + 1);
  });

  e2eTest('as the mail user courier too', async () => {
    const status = await run('runuser', ['-u', 'courier', '--', SRSCTL, 'status']);
    expect(status).toMatchObject({ code: 0, stderr: '' });
    expect(status.stdout).toMatch(/^srsfilter is running\n/);
  });

  e2eTest('filter stopped: not running, exit 3', async () => {
    await stopFilter();
    try {
      const status = await srsctl('status');
      expect(status.code).toBe(3);
      expect(status.stdout).toMatch(/^srsfilter is not running: /);
    } finally {
      await startFilter();
    }
  });
});

describe('srsctl reload', () => {
  e2eTest('applied in place: the change printed, exit 0, the next message signed the new way; a broken policy refused with its line', async () => {
    const original = readFileSync(POLICY_FILE);
    const pid = filterPid();
    try {
      writeFileSync(POLICY_FILE, policyWith(original, { 'hash-length': 6 }));
      const applied = await srsctl('reload');
      expect(applied).toMatchObject({ code: 0, stderr: '' });
      // hash-minimum follows hash-length unless the policy sets it.
      expect(applied.stdout).toMatch(/^reload applied: changed hash-length: \d+ -> 6; hash-minimum: \d+ -> 6\n/);
      expect(await forwardedSender()).toMatch(srs0Pattern(A.externalSender, srsDomain, 6));

      writeFileSync(POLICY_FILE, policyWith(original, { 'hash-length': 0 }));
      const refused = await srsctl('reload');
      expect(refused.code).toBe(1);
      expect(refused.stdout).toMatch(new RegExp(`^reload refused: 1 problem\\(s\\)\n  ${POLICY_FILE}:\\d+:\\d+: hash-length: `));
      expect(refused.stdout).toMatch(/\nthe old policy stays in force\n$/);
      expect(await forwardedSender()).toMatch(srs0Pattern(A.externalSender, srsDomain, 6));
      expect(filterPid()).toBe(pid);
    } finally {
      writeFileSync(POLICY_FILE, original);
      await restartFilter();
    }
  }, 60_000);
});
