import { decodeAddress, recordType, type ControlFile } from './controlFile';

/*
 * Reads records the way Courier's ctlfile_openfn does: the n-th `R` and the n-th `N` belong to
 * the n-th `r` (by count, not by adjacency), and `S<n>`/`F<n>` mark recipient n done.
 */

/** One recipient of a control file, in file order. */
export interface Recipient {
  /** Which control file of the message holds it, 0-based in the order Courier sent the paths. */
  readonly file: number;
  /** Position among that file's `r` records, 0-based (the number `I`/`S` records use). */
  readonly index: number;
  /** The `r` record: where Courier will deliver. */
  readonly address: string;
  /** The `R` record (ORCPT): the alias it came from, '' when none. `rfc822;` prefix removed. */
  readonly originalRecipient: string;
  /** The `N` record: DSN NOTIFY flags ('' none, 'N' never, 'F','S','D' combinations). */
  readonly dsn: string;
  /**
   * True when an `S<index>` (delivered) or `F<index>` (failed) record marks it done, e.g. the
   * alias entry of a multi-member alias. Courier delivers done recipients no more.
   */
  readonly done: boolean;
  /**
   * Text of the `I<index> R …` record, '' when none (e.g. "250 Ok - delivered to alias.").
   * A multi-line reply has one record per line; they are joined with '\n'.
   */
  readonly doneReply: string;
}

/** What the policy needs to know about one message, read from its control file(s). */
export interface Envelope {
  /** The `s` record; '' for the null sender. */
  readonly sender: string;
  /** Every recipient of every control file, in order. */
  readonly recipients: readonly Recipient[];
  /** The `u` record: how it arrived ('smtp', 'authsmtp', 'local', …). */
  readonly source: string;
  /** True when an `ORELAYCLIENT=` record is present (the client may relay). */
  readonly relayClient: boolean;
  /** The `M` record: Courier's queue/message id. */
  readonly messageId: string;
}

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
