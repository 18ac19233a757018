/**
 * Control files for the load client, made from ones a real Courier wrote (test/fixtures/courier)
 * so the filter parses exactly what Courier writes.
 */
const RECIPIENT_RECORDS = /^r[^\n]*\nR[^\n]*\nN[^\n]*\n/m;

/**
 * `template` with its one r/R/N triple replaced by `count` triples: distinct external targets
 * of distinct aliases of example.org, as a message to `count` forwarding aliases arrives.
 */
export function withForwardedRecipients(template: Buffer, count: number): Buffer {
  const text = template.toString('utf8');
  if (!RECIPIENT_RECORDS.test(text)) throw new Error('template has no r/R/N recipient records');
  const triples = Array.from({ length: count }, (_, i) => `rtarget${i}@remote.test\nRfwd${i}@example.org\nN\n`);
  return Buffer.from(text.replace(RECIPIENT_RECORDS, triples.join('')), 'utf8');
}
