import type { Envelope, Recipient } from '../courier/queue';
import { matchesAnyAddressPattern } from '../config/addressPattern';
import { splitAddress } from '../srs';
import type { DecideContext } from './decision';

/**
 * What one undelivered recipient means for the sender rewrite:
 * - local: delivered here (the SRS return-path is not needed);
 * - excluded: an external target listed in exclude-recipients;
 * - forwarded: an external target that reached us for a local address in a forwarded domain;
 * - other-domain: forwarded, but for a local domain not listed in forwarded-domains;
 * - backup-mx: external, in a domain Courier accepts mail for (esmtpacceptmailfor), and nothing
 *   shows an alias: Courier relays it to the domain's own MX;
 * - direct: external, and nothing shows an alias: the client addressed it itself (relaying).
 */
export type RecipientRole = 'local' | 'excluded' | 'forwarded' | 'other-domain' | 'backup-mx' | 'direct';

/** Roles of mail relayed as it came, not forwarded: rewritten only under rewrite-relayed. */
export function isRelayedRole(role: RecipientRole): boolean {
  return role === 'direct' || role === 'backup-mx';
}

export interface ClassifiedRecipient {
  readonly recipient: Recipient;
  readonly role: RecipientRole;
}

/**
 * How forwarding shows in the control files Courier writes (test/fixtures/courier):
 * - a single-target alias, or a `.courier`/aliasdir forward re-injected by local delivery:
 *   `R` = the local address that forwarded;
 * - members of a multi-address alias: empty `R`, and the alias itself is a recipient already
 *   done with `I<n> R 250 Ok - delivered to alias.` — members cannot be told from direct
 *   recipients of the same message, so every empty-`R` external recipient counts as a member;
 * - a client without relay rights (`u` smtp, no ORELAYCLIENT) gets `513 Relaying denied` for an
 *   external RCPT outside the domains Courier accepts mail for, so each of its other external
 *   recipients comes from an alias, whatever R says.
 * The alias records come first: a backup-MX domain can be an alias's target too. An empty-`R`
 * recipient of a backup-MX domain beside a multi-address alias counts as a member (the copy is
 * rewritten, which still delivers), since nothing tells the two apart.
 */
export function classifyRecipients(envelope: Envelope, context: DecideContext): ClassifiedRecipient[] {
  const { policy } = context;
  const isLocal = (domain: string): boolean => domain === policy.srsDomain || context.localDomains.isLocal(domain);
  const isForwarded = (domain: string): boolean =>
    policy.forwardedDomains.length === 0 || policy.forwardedDomains.includes(domain);
  const localDomainOf = (address: string): string | undefined => {
    const domain = domainOf(address);
    return domain !== undefined && isLocal(domain) ? domain : undefined;
  };

  const multiAliasDomains = envelope.recipients
    .filter((recipient) => recipient.done && /delivered to alias/i.test(recipient.doneReply))
    .flatMap((alias) => localDomainOf(alias.address) ?? []);
  const cannotRelay = envelope.source === 'smtp' && !envelope.relayClient;

  const roleOf = (recipient: Recipient): RecipientRole => {
    const domain = domainOf(recipient.address);
    if (domain === undefined || isLocal(domain)) return 'local';
    if (matchesAnyAddressPattern(recipient.address, policy.excludeRecipients)) return 'excluded';
    const aliasDomain = localDomainOf(recipient.originalRecipient);
    const aliasDomains = aliasDomain !== undefined ? [aliasDomain] : multiAliasDomains;
    if (aliasDomains.length > 0) return aliasDomains.some(isForwarded) ? 'forwarded' : 'other-domain';
    if (context.acceptMailFor.accepts(domain)) return 'backup-mx';
    if (!cannotRelay) return 'direct';
    // An alias made it, but nothing says which domain's: only "every local domain" covers it.
    return policy.forwardedDomains.length === 0 ? 'forwarded' : 'other-domain';
  };

  return envelope.recipients
    .filter((recipient) => !recipient.done)
    .map((recipient) => ({ recipient, role: roleOf(recipient) }));
}

function domainOf(address: string): string | undefined {
  return splitAddress(address)?.domain.toLowerCase();
}
