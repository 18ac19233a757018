import { decodeAddress, recordType } from './controlFile';
import type { ControlFile, Envelope, Recipient } from '../types';

/*
 * Reads records the way Courier's ctlfile_openfn does: the n-th `R` and the n-th `N` belong to
 * the n-th `r` (by count, not by adjacency), and `S<n>`/`F<n>` mark recipient n done.
 */

/** The envelope of one message. `files` are its control files in the order submit sent them. */
export function envelopeOf(files: readonly ControlFile[]): Envelope {
  const first = files[0];
  if (first === undefined) throw new RangeError('a message has at least one control file');
  const head = messageFields(first);
  return { ...head, recipients: files.flatMap((file, index) => recipientsOf(file, index)) };
}

function messageFields(file: ControlFile): Omit<Envelope, 'recipients'> {
  let source: string | undefined;
  let messageId: string | undefined;
  let relayClient = false;
  for (const record of file.records) {
    const type = recordType(record);
    if (type === 'u') source ??= textOf(record);
    else if (type === 'M') messageId ??= textOf(record);
    else if (type === 'O' && textOf(record).startsWith('RELAYCLIENT=')) relayClient = true;
  }
  return { sender: addressOf(file.records[0] as Buffer), source: source ?? '', messageId: messageId ?? '', relayClient };
}

function recipientsOf(file: ControlFile, fileIndex: number): Recipient[] {
  const addresses: string[] = [];
  const originals: string[] = [];
  const dsns: string[] = [];
  const done = new Set<number>();
  const replies = new Map<number, string[]>();
  for (const record of file.records) {
    const type = recordType(record);
    if (type === 'r') addresses.push(addressOf(record));
    else if (type === 'R') originals.push(withoutRfc822Prefix(addressOf(record)));
    else if (type === 'N') dsns.push(textOf(record));
    else if (type === 'S' || type === 'F') markDone(done, textOf(record));
    else if (type === 'I') collectReply(replies, textOf(record));
  }
  return addresses.map((address, index) => ({
    file: fileIndex,
    index,
    address,
    originalRecipient: originals[index] ?? '',
    dsn: dsns[index] ?? '',
    done: done.has(index),
    doneReply: replies.get(index)?.join('\n') ?? '',
  }));
}

/** `S<n> <time> …` / `F<n> …`: recipient n is delivered or failed. */
function markDone(done: Set<number>, body: string): void {
  const match = /^(\d+)(?: |$)/.exec(body);
  if (match) done.add(Number(match[1]));
}

/** `I<n> R <text>`: one line of the reply recorded for recipient n. Other `I` kinds are kept, not read. */
function collectReply(replies: Map<number, string[]>, body: string): void {
  const match = /^(\d+) R (.*)$/s.exec(body);
  if (!match) return;
  const index = Number(match[1]);
  replies.set(index, [...(replies.get(index) ?? []), match[2] as string]);
}

/** Courier before 1.0 wrote ORCPT as `rfc822;addr`; later versions write the bare address. */
function withoutRfc822Prefix(original: string): string {
  return /^rfc822;/i.test(original) ? original.slice('rfc822;'.length) : original;
}

/** parseControlFile has checked every address record, so this cannot fail on a parsed file. */
function addressOf(record: Buffer): string {
  const address = decodeAddress(record);
  if (address === undefined) throw new Error('address record escaped parseControlFile validation');
  return address;
}

function textOf(record: Buffer): string {
  return record.toString('utf8', 1);
}
