import type { Envelope, Recipient } from '../courier/queue';
import type { Policy } from '../config/policy';
import { isSrsLocalPart, splitAddress, storedSenderKeyIn, type SrsFailure } from '../srs';
import { bounceKeyOf } from './bounceCap';
import type { Decision, DecideContext, ReversedRecipient } from './decision';
import { usesStore } from './storedSenders';

interface SrsRecipient {
  readonly recipient: Recipient;
  /** The SRS address to reverse: the recipient without the bounce prefix. */
  readonly srsAddress: string;
}

/**
 * Bounces to our SRS addresses: reverse them, or refuse the message. Undefined when no
 * recipient is an SRS address of ours (then the forwarding rules decide).
 */
export function decideSrsRecipients(envelope: Envelope, context: DecideContext): Decision | undefined {
  const { policy, srs } = context;
  const ours = envelope.recipients.flatMap((recipient) => srsRecipientOf(recipient, policy));
  const first = ours[0];
  if (first === undefined) return undefined;

  const bounce = isBounceSender(envelope.sender);
  // Refused before the hash is checked: a non-bounce learns nothing about which addresses are valid.
  if (policy.reverseOnlyBounces && !bounce) {
    return {
      kind: 'reject',
      rule: 'srs-not-bounce',
      reason: 'SRS addresses accept only bounces (null, MAILER-DAEMON or postmaster sender)',
      recipient: first.recipient.address,
      srsError: 'not-bounce',
      reply: {
        code: 550,
        text: `5.7.1 <${first.recipient.address}>: this SRS address accepts only bounces (mail from <> or MAILER-DAEMON)`,
      },
    };
  }

  const { srsBounces } = policy;
  const changes: ReversedRecipient[] = [];
  for (const { recipient, srsAddress } of ours) {
    const reversed = srs.reverse(srsAddress);
    if (!reversed.ok) return rejectInvalid(recipient.address, reversed.error);
    const storeKey = storedSenderKeyIn(reversed.value);
    if (storeKey !== null && !usesStore(policy)) return rejectNoStore(recipient.address);
    changes.push({
      file: recipient.file,
      index: recipient.index,
      from: recipient.address,
      original: reversed.value,
      to: srsBounces.mode === 'deliver' ? srsBounces.address : reversed.value,
      capKey: bounceKeyOf(srsAddress),
      ...(storeKey === null ? {} : { storeKey }),
    });
  }
  const what = bounce ? 'bounce' : 'mail';
  if (srsBounces.mode === 'deliver') {
    return {
      kind: 'reverse',
      rule: bounce ? 'srs-bounce-kept' : 'srs-mail-kept',
      reason: `a ${what} for <${changes[0]?.original ?? ''}> goes to srs-bounces <${srsBounces.address}> instead`,
      recipients: changes,
      sender: '',
      sentBack: false,
    };
  }
  return {
    kind: 'reverse',
    rule: bounce ? 'srs-bounce' : 'srs-reverse',
    reason: bounce
      ? 'bounce to our SRS address goes back to the original sender, from <>'
      : 'mail to our SRS address goes to the original sender, from <> (reverse-only-bounces is off)',
    recipients: changes,
    sender: '',
    sentBack: true,
  };
}

function rejectInvalid(recipient: string, failure: SrsFailure): Decision {
  return {
    kind: 'reject',
    rule: 'srs-invalid',
    reason: failure.message,
    recipient,
    srsError: failure.code,
    reply: { code: 550, text: `5.1.1 <${recipient}>: ${failure.message}` },
  };
}

/** A valid address of postsrsd's database mode (or ours), where no store is configured to look it up in. */
function rejectNoStore(recipient: string): Decision {
  return {
    kind: 'reject',
    rule: 'srs-no-store',
    reason: 'the SRS address carries a stored-sender key, but original-envelope is embedded and no envelope-database is set',
    recipient,
    srsError: 'no-store',
    reply: { code: 550, text: `5.1.1 <${recipient}>: no database for this SRS alias` },
  };
}

/**
 * Ours: an undelivered recipient in srs-domain whose local part is SRS0/SRS1, or starts with
 * the bounce prefix (then whatever follows must be SRS: `srsbounce-junk` is refused, as the
 * pipe-alias glue's aliasdir file would have accepted any such address). The SRS tag is tried first,
 * so a prefix such as `srs` cannot swallow the tag of a plain SRS0 address.
 */
function srsRecipientOf(recipient: Recipient, policy: Policy): SrsRecipient[] {
  if (recipient.done) return [];
  const parts = splitAddress(recipient.address);
  if (parts === null || parts.domain.toLowerCase() !== policy.srsDomain) return [];
  if (isSrsLocalPart(parts.local)) return [{ recipient, srsAddress: recipient.address }];
  const prefix = policy.bouncePrefix;
  if (prefix !== null && parts.local.toLowerCase().startsWith(prefix.toLowerCase())) {
    return [{ recipient, srsAddress: `${parts.local.slice(prefix.length)}@${parts.domain}` }];
  }
  return [];
}

/** RFC 3464 bounces come from <>; many MTAs still send them as MAILER-DAEMON@ or postmaster@. */
function isBounceSender(sender: string): boolean {
  if (sender === '') return true;
  const local = splitAddress(sender)?.local.toLowerCase();
  return local === 'mailer-daemon' || local === 'postmaster';
}
