// What Courier does when the filter is gone, and a policy reloaded while
// mail flows. Also the baseline the other files compare with: Courier without the filter.
import { readFileSync, writeFileSync } from 'node:fs';
import { filterPid, markMailLog, restartFilter, startFilter, stopFilter } from '../../kit/realCourier/courier';
import { policyWith, readInstalledPolicy, withPolicySettings } from '../../kit/realCourier/policy';
import { carrying, type Sink } from '../../kit/realCourier/sink';
import { sendMail, type SendResult } from '../../kit/realCourier/smtpClient';
import { waitUntil } from '../../kit/realCourier/wait';
import { ADDRESSES as A, POLICY_FILE } from '../../kit/realCourier/world';
import { expectCourierAddedOnlyReceived, srs0Pattern } from './support/expect-mail';
import { e2eTest, useSink } from './support/harness';
import { buildMessage, newToken } from './support/message';
import { perlReverse } from './support/perl-srs';

const sink = useSink();
const { srsDomain, secretsFile } = readInstalledPolicy();

function sendToAlias(token: string): Promise<SendResult> {
  return sendMail({ from: A.externalSender, to: [A.alias] }, buildMessage(token, A.externalSender, A.alias));
}

/** kill -9: no clean exit, so the socket file stays behind. */
async function killFilter(): Promise<void> {
  const pid = filterPid();
  if (pid === undefined) throw new Error('no srsfilter process to kill');
  process.kill(pid, 'SIGKILL');
  await waitUntil(`srsfilter ${pid} to die`, () => (filterPid() === pid ? undefined : true));
}

async function expectRewrittenForward(): Promise<void> {
  const token = newToken('after');
  expect((await sendToAlias(token)).code).toBe(250);
  const copy = await sink().waitForOne(carrying(token));
  expect(copy.mailFrom).toMatch(srs0Pattern(A.externalSender, srsDomain));
}

describe('without a running filter', () => {
  e2eTest('filter stopped (filterctl stop): mail passes unfiltered, and Courier adds only its Received header', async () => {
    const token = newToken('baseline');
    const sent = buildMessage(token, A.externalSender, A.alias);
    await stopFilter();
    try {
      expect((await sendMail({ from: A.externalSender, to: [A.alias] }, sent)).code).toBe(250);
      const copy = await sink().waitForOne(carrying(token));
      expect(copy.mailFrom).toBe(A.externalSender);
      expectCourierAddedOnlyReceived(copy.raw, sent);
    } finally {
      await startFilter();
    }
  });

  e2eTest('filter stopped: a bounce to an SRS address still reaches the original sender (aliasdir file → srs-reverser)', async () => {
    const forwardToken = newToken('fwd');
    expect((await sendToAlias(forwardToken)).code).toBe(250);
    const srsAddress = (await sink().waitForOne(carrying(forwardToken))).mailFrom;
    expect(srsAddress).toMatch(srs0Pattern(A.externalSender, srsDomain));
    const token = newToken('fallback-bounce');
    await stopFilter();
    try {
      expect((await sendMail({ from: '', to: [srsAddress] }, buildMessage(token, 'mailer-daemon@remote.test', srsAddress))).code).toBe(250);
      const returned = await sink().waitForOne(carrying(token));
      expect({ mailFrom: returned.mailFrom, rcptTo: returned.rcptTo }).toEqual({ mailFrom: '', rcptTo: [A.externalSender] });
    } finally {
      await startFilter();
    }
  });

  e2eTest('filter killed (-9): Courier answers 432 at DATA (the sender retries later); filterctl stop + start brings it back', async () => {
    await killFilter();
    try {
      const reply = await sendToAlias(newToken('killed'));
      expect({ code: reply.code, command: reply.command }).toEqual({ code: 432, command: 'DATA' });
    } finally {
      await restartFilter();
    }
    await expectRewrittenForward();
  });

  e2eTest('on-error: accept covers errors inside a running filter only: a killed filter still means 432', async () => {
    await withPolicySettings({ 'on-error': 'accept' }, async () => {
      await killFilter();
      const reply = await sendToAlias(newToken('killed-accept'));
      expect({ code: reply.code, command: reply.command }).toEqual({ code: 432, command: 'DATA' });
    });
    await expectRewrittenForward();
  });
});

/** `total` messages to the alias from `clients` concurrent clients, one connection per message. */
async function sendStream(total: number, clients: number, onAccepted: (count: number) => void): Promise<Stream> {
  const sent: Stream = [];
  let accepted = 0;
  const client = async (id: number): Promise<void> => {
    for (let i = 0; i < total / clients; i++) {
      const token = newToken(`stream-${id}-${i}`);
      const reply = await sendToAlias(token);
      sent.push({ token, reply });
      if (reply.code === 250) onAccepted(++accepted);
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, id) => client(id)));
  return sent;
}

type Stream = { token: string; reply: SendResult }[];

/** The replies other than 250, as "code command: text". */
function refusals(stream: Stream): string[] {
  return stream.filter((m) => m.reply.code !== 250).map((m) => `${m.reply.code} ${m.reply.command}: ${m.reply.response}`);
}

/** Every message Courier accepted reached the sink; returns the senders they left with. */
async function expectAcceptedDelivered(stream: Stream, sinkNow: Sink): Promise<string[]> {
  const tokens = stream.filter((m) => m.reply.code === 250).map((m) => m.token);
  const copies = await sinkNow.waitFor((d) => tokens.some((t) => d.raw.includes(t)), { recipients: tokens.length, timeoutMs: 60_000 });
  expect(copies.map((c) => tokens.find((t) => c.raw.includes(t))).sort()).toEqual([...tokens].sort());
  return copies.map((c) => c.mailFrom);
}

describe('a policy edited and reloaded while mail flows', () => {
  const STREAM = 100;
  const CLIENTS = 4;
  const RELOAD_AFTER = 20;

  e2eTest('SIGHUP after 20 of 100 messages (4 clients): none refused, none lost, every one rewritten', async () => {
    const original = readFileSync(POLICY_FILE);
    const log = markMailLog();
    const pid = filterPid();
    if (pid === undefined) throw new Error('srsfilter is not running');
    try {
      const stream = await sendStream(STREAM, CLIENTS, (count) => {
        if (count !== RELOAD_AFTER) return;
        writeFileSync(POLICY_FILE, policyWith(original, { 'hash-length': 6 }));
        process.kill(pid, 'SIGHUP');
      });
      expect(refusals(stream)).toEqual([]);
      const senders = new Set(await expectAcceptedDelivered(stream, sink()));
      for (const sender of senders) {
        expect(sender).toMatch(/^SRS0-([A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{6})=/); // the old or the new hash-length
        expect(await perlReverse(sender, secretsFile)).toBe(A.externalSender);
      }
      await waitUntil('the filter to log "reloaded"', () => (log.linesSince().includes('reloaded:') ? true : undefined));
      const token = newToken('after-reload');
      expect((await sendToAlias(token)).code).toBe(250);
      expect((await sink().waitForOne(carrying(token))).mailFrom).toMatch(srs0Pattern(A.externalSender, srsDomain, 6));
      expect(filterPid()).toBe(pid); // reloaded in place, not restarted
    } finally {
      writeFileSync(POLICY_FILE, original);
      await restartFilter();
    }
  }, 120_000);

  // On stdin EOF the filter stops accepting, finishes what is in flight, then removes its
  // socket; a submit in between finds the socket but no listener: 432, and the
  // sending MTA retries. After the socket is gone and before the new filter is up, mail
  // passes unfiltered (as with the filter stopped). SIGHUP has neither gap.
  e2eTest('filterctl stop + start after 20 of 100 messages: none lost, at most a temporary 432 while it stops', async () => {
    let restarted: Promise<number> | undefined;
    const stream = await sendStream(STREAM, CLIENTS, (count) => {
      if (count === RELOAD_AFTER) restarted = restartFilter();
    });
    await restarted;
    expect(refusals(stream).filter((refusal) => !refusal.startsWith('432 DATA: 432 Mail filters temporarily unavailable'))).toEqual([]);
    await expectAcceptedDelivered(stream, sink());
    await expectRewrittenForward();
  }, 120_000);
});
