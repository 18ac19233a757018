import type { Envelope } from '../../lib/courier/queue';

/** The `u` record values Courier writes: an external MTA, a relay client, a local submission or re-injection. */
export const SOURCES = ['smtp', 'authsmtp', 'local'] as const;
export type Source = (typeof SOURCES)[number];

export function parseSource(text: string): Source | undefined {
  return (SOURCES as readonly string[]).includes(text) ? (text as Source) : undefined;
}

/**
 * A message with one recipient as submit records it: the null sender is '', an
 * authsmtp client carries ORELAYCLIENT. Addresses may come in angle brackets (`<>` too).
 */
export function envelopeFor(sender: string, recipient: string, originalRecipient: string, source: Source): Envelope {
  return {
    sender: unbracket(sender),
    recipients: [
      {
        file: 0,
        index: 0,
        address: unbracket(recipient),
        originalRecipient: unbracket(originalRecipient),
        dsn: '',
        done: false,
        doneReply: '',
      },
    ],
    source,
    relayClient: source === 'authsmtp',
    messageId: '',
  };
}

function unbracket(address: string): string {
  return address.startsWith('<') && address.endsWith('>') ? address.slice(1, -1) : address;
}
