import type { Envelope } from '../courier/queue';
import { formatAddressPattern, matchesAddressPattern } from '../config/addressPattern';
import { isSrsLocalPart, splitAddress } from '../srs';
import type { Decision, DecideContext, PassRule } from './decision';
import { classifyRecipients, isRelayedRole, type ClassifiedRecipient } from './recipientRoles';
import { decideSrsRecipients } from './srsRecipients';
import { forwardSender } from './storedSenders';

/**
 * The decision for one message, pure. First match wins:
 * 1. a recipient that is an SRS address of ours → reverse it, or reject the message;
 * 2. senders that are never rewritten → pass (null, already SRS, local, excluded);
 * 3. the recipients: rewrite when one is an external target of a forwarding alias in a forwarded
 *    domain; pass when none is (local only, excluded, relayed, backup MX, other domains) or when local
 *    recipients share the message and mixed-recipients is 'pass';
 * 4. a sender that SRS cannot encode (e.g. no local part) → pass with the reason: the message
 *    is delivered as it came rather than refused for a sender we merely fail to rewrite.
 */
export function decide(envelope: Envelope, context: DecideContext): Decision {
  return decideSrsRecipients(envelope, context) ?? decideSender(envelope, context) ?? decideRewrite(envelope, context);
}

function decideSender(envelope: Envelope, context: DecideContext): Decision | undefined {
  const { policy, localDomains } = context;
  const { sender } = envelope;
  if (sender === '') return pass('null-sender', 'the null sender (a bounce) is never rewritten');
  const parts = splitAddress(sender);
  if (parts === null) return pass('local-sender', 'the sender has no domain: a local user');
  const domain = parts.domain.toLowerCase();
  if (domain === policy.srsDomain && isSrsLocalPart(parts.local)) {
    return pass('already-srs', 'the sender is already an SRS address of ours');
  }
  if (domain === policy.srsDomain || localDomains.isLocal(domain)) {
    return pass('local-sender', `the sender's domain ${domain} is local`);
  }
  const excluded = policy.excludeSenders.find((pattern) => matchesAddressPattern(sender, pattern));
  if (excluded !== undefined) {
    return pass('excluded-sender', `the sender matches exclude-senders entry ${formatAddressPattern(excluded)}`);
  }
  return undefined;
}

function decideRewrite(envelope: Envelope, context: DecideContext): Decision {
  const { policy } = context;
  const classified = classifyRecipients(envelope, context);
  const has = (role: ClassifiedRecipient['role']): boolean => classified.some((c) => c.role === role);
  if (classified.every((c) => c.role === 'local')) return pass('only-local-recipients', 'every recipient is delivered here');

  const rewriteRelayed = policy.rewriteRelayed && classified.some((c) => isRelayedRole(c.role));
  const targets = classified.filter((c) => c.role === 'forwarded' || (rewriteRelayed && isRelayedRole(c.role)));
  if (targets.length === 0) return whyNotForwarded(envelope, has);
  if (has('local') && policy.mixedRecipients === 'pass') {
    return pass('mixed-recipients', 'local recipients share the message and mixed-recipients is pass');
  }

  const forwarded = forwardSender(envelope.sender, context.srs, policy);
  if (!forwarded.ok) return pass('sender-not-encodable', `the sender cannot be rewritten: ${forwarded.error.message}`);
  const aliasRule = has('forwarded');
  const stored = forwarded.value.store === undefined ? {} : { store: forwarded.value.store };
  return {
    kind: 'rewrite',
    rule: aliasRule ? 'forwarded-alias' : 'rewrite-relayed',
    reason: aliasRule
      ? 'an alias forwards mail from an external sender to an external address'
      : 'relayed mail of an external sender is rewritten (rewrite-relayed is on)',
    from: envelope.sender,
    to: forwarded.value.address,
    forwardedTo: targets.map((c) => c.recipient.address),
    ...stored,
  };
}

/** Every external recipient is excluded, direct or of another domain: name the likeliest cause. */
function whyNotForwarded(envelope: Envelope, has: (role: ClassifiedRecipient['role']) => boolean): Decision {
  if (has('direct')) {
    if (envelope.source === 'local') {
      return pass('local-submission', 'a local submission addressed to external recipients, not a forward');
    }
    if (envelope.source === 'authsmtp' || envelope.relayClient) {
      return pass('relayed-by-local-user', 'a relay client addressed external recipients directly (rewrite-relayed is off)');
    }
    return pass('not-forwarded', `external recipients without an alias (source ${envelope.source || 'unknown'})`);
  }
  if (has('backup-mx')) {
    return pass('backup-mx-relay', 'Courier relays for the recipient domain (esmtpacceptmailfor): backup-MX mail, not a forward');
  }
  if (has('other-domain')) return pass('not-forwarded-domain', 'the forwarding alias is in no domain of forwarded-domains');
  return pass('excluded-recipients', 'every external recipient matches exclude-recipients');
}

function pass(rule: PassRule, reason: string): Decision {
  return { kind: 'pass', rule, reason };
}
