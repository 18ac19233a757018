// Assertions about what came out of Courier.
import { simpleParser } from 'mailparser';
import { perlReverse } from './perl-srs';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The one header Courier itself adds to a message an external MTA hands it, when it relays
 * it on by ESMTP (established with the filter stopped, see filter-failure.test.ts):
 *   Received: from <HELO> ([::ffff:<client ip>])
 *     by <me> with ESMTP
 *     id <inode>.<time>.<pid, in hex>; <date>
 */
const COURIER_RECEIVED = /^Received: from \S+ \(\[::ffff:127\.0\.0\.\d\]\)\r\n {2}by mail\.example\.org with E?SMTP\r\n {2}id [0-9A-F]{16}\.[0-9A-F]{16}\.[0-9A-F]{8}; [^\r\n]+\r\n/;

/** `raw` is `sent` with exactly Courier's Received header in front: no other byte changed. */
export function expectCourierAddedOnlyReceived(raw: Buffer, sent: Buffer): void {
  const text = raw.toString('latin1'); // latin1 maps bytes 1:1, so string equality is byte equality
  expect(text).toMatch(COURIER_RECEIVED);
  expect(text.replace(COURIER_RECEIVED, '')).toBe(sent.toString('latin1'));
}

/** The SRS0 form the filter emits by default: SRS0-HASH=TT=domain=local@srs-domain. */
export function srs0Pattern(sender: string, srsDomain: string, hashLength = 4): RegExp {
  const at = sender.lastIndexOf('@');
  const local = escapeRegExp(sender.slice(0, at));
  const domain = escapeRegExp(sender.slice(at + 1));
  return new RegExp(`^SRS0-[A-Za-z0-9+/]{${hashLength}}=[A-Z2-7]{2}=${domain}=${local}@${escapeRegExp(srsDomain)}$`);
}

/**
 * Guarded SRS: a sender that is another forwarder's SRS0 address becomes
 * SRS1-HASH=<first hop domain>=<its SRS0 local part after "SRS0">@srs-domain.
 */
export function srs1Pattern(firstHopSrs0: string, srsDomain: string): RegExp {
  const at = firstHopSrs0.lastIndexOf('@');
  const opaque = escapeRegExp(firstHopSrs0.slice('SRS0'.length, at));
  const hop = escapeRegExp(firstHopSrs0.slice(at + 1));
  return new RegExp(`^SRS1-[A-Za-z0-9+/]{4}=${hop}=${opaque}@${escapeRegExp(srsDomain)}$`);
}

/** A rewritten sender: SRS0 of `sender` at `srsDomain`, which Perl's `srs --reverse` turns back into `sender`. */
export async function expectSrs0Of(mailFrom: string, sender: string, srsDomain: string, secretsFile: string): Promise<void> {
  expect(mailFrom).toMatch(srs0Pattern(sender, srsDomain));
  expect(await perlReverse(mailFrom, secretsFile)).toBe(sender);
}

/** mailparser's view agrees: the message is still the one sent (id, subject, attachment bytes). */
export async function expectSameMessage(raw: Buffer, sent: Buffer): Promise<void> {
  const [got, original] = await Promise.all([simpleParser(raw), simpleParser(sent)]);
  expect(got.messageId).toBe(original.messageId);
  expect(got.subject).toBe(original.subject);
  expect(got.text).toBe(original.text);
  expect(got.attachments.map((a) => a.content.toString('base64'))).toEqual(original.attachments.map((a) => a.content.toString('base64')));
}

/** The value of the first `name:` header of a message (unfolded, trimmed). */
export function headerValue(raw: Buffer, name: string): string | undefined {
  const head = raw.toString('latin1').split(/\r?\n\r?\n/)[0] ?? ''; // Maildir files end lines with LF
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const line = unfolded.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}
