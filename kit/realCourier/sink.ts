// The "rest of the internet": Courier's esmtproutes send every *.test domain here.
// One SMTP transaction Courier makes becomes one Delivery, kept in memory for the
// test file that started the sink.
import { SMTPServer } from 'smtp-server';
import { waitUntil } from './wait';
import { SINK_PORT } from './world';

export interface Delivery {
  /** MAIL FROM address; '' for the null sender. */
  readonly mailFrom: string;
  readonly rcptTo: readonly string[];
  /** The message exactly as received (dot-unstuffed, CRLF line ends). */
  readonly raw: Buffer;
  /** The address Courier connected from, as a receiving MTA sees it (SPF judges it). */
  readonly clientIp: string;
  /** The name Courier gave in EHLO/HELO. */
  readonly helo: string;
}

export interface Sink {
  /**
   * Resolves with the deliveries matching `match` once their recipients add up to
   * `recipients` (default 1); rejects with what arrived when `timeoutMs` passes.
   */
  waitFor(match: (d: Delivery) => boolean, options?: { recipients?: number; timeoutMs?: number }): Promise<Delivery[]>;
  /** The first delivery matching `match` (waits as waitFor does). */
  waitForOne(match: (d: Delivery) => boolean, timeoutMs?: number): Promise<Delivery>;
  close(): Promise<void>;
}

export async function startSink(): Promise<Sink> {
  const deliveries: Delivery[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    // Courier relays NOTIFY=NEVER recipients (alias members) with MAIL FROM:<> to a
    // server without DSN, which would hide the sender the filter wrote.
    hideDSN: false,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const { mailFrom, rcptTo } = session.envelope;
        deliveries.push({
          mailFrom: mailFrom === false ? '' : mailFrom.address,
          rcptTo: rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
          clientIp: session.remoteAddress,
          helo: session.hostNameAppearsAs,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(SINK_PORT, '127.0.0.1', () => resolve());
  });

  const sink: Sink = {
    waitFor(match, { recipients = 1, timeoutMs = 20_000 } = {}) {
      const found = (): Delivery[] => deliveries.filter(match);
      const count = (): number => found().reduce((n, d) => n + d.rcptTo.length, 0);
      return waitUntil(
        () => `${recipients} recipients at the sink; ${count()} arrived: ${JSON.stringify(found().map(describeDelivery))}`,
        () => (count() >= recipients ? found() : undefined),
        timeoutMs,
      );
    },
    async waitForOne(match, timeoutMs) {
      const [first] = await sink.waitFor(match, timeoutMs === undefined ? {} : { timeoutMs });
      if (first === undefined) throw new Error('sink: waitFor resolved without a delivery');
      return first;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return sink;
}

/** Matches the deliveries of the message carrying `token` (see message.ts). */
export function carrying(token: string): (d: Delivery) => boolean {
  return (d) => d.raw.includes(token);
}

function describeDelivery(d: Delivery): string {
  return `MAIL FROM:<${d.mailFrom}> RCPT TO:${d.rcptTo.map((r) => `<${r}>`).join(',')}`;
}
