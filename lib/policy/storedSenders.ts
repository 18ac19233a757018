import type { Policy } from '../config/policy';
import { ok, type Result } from '../result';
import {
  isSrsLocalPart,
  LOCAL_PART_MAX_OCTETS,
  localPartOctets,
  splitAddress,
  storedSenderKeyOf,
  type Srs,
  type SrsFailure,
} from '../srs';

const DAY_S = 86_400;

/** A sender the filter must write to the store before it answers. */
export interface StoreWrite {
  /** `KEY@1`, as postsrsd 2 stores it. */
  readonly key: string;
  readonly sender: string;
  /** max-age-days: the SRS address is refused after that anyway. */
  readonly ttlSeconds: number;
  /** The stateless SRS address, used when the store cannot take the sender: mail flows. */
  readonly fallback: string;
}

/** The sender's SRS address, and the sender to store first when the address carries a store key. */
export interface ForwardedAddress {
  readonly address: string;
  readonly store?: StoreWrite;
}

export type ForwardedSender = Result<ForwardedAddress, SrsFailure>;

/** Whether this policy has a store: for senders (auto, database), or only to count bounces (envelope-database set). */
export function usesStore(policy: Pick<Policy, 'originalEnvelope' | 'envelopeDatabase'>): boolean {
  return policy.originalEnvelope !== 'embedded' || policy.envelopeDatabase !== null;
}

/**
 * The SRS address for a sender under original-envelope: `embedded` always the stateless form;
 * `database` the stored form for every sender; `auto` only when the stateless local part
 * would pass the 64 octets of RFC 5321. SRS senders are forwarded as SRS1 as always: their
 * original is at their first hop, as postsrsd does. A sender SRS cannot encode is not stored
 * either: it passes unchanged, as without a store.
 */
export function forwardSender(
  sender: string,
  srs: Pick<Srs, 'forward'>,
  policy: Pick<Policy, 'srsDomain' | 'originalEnvelope' | 'maxAgeDays'>,
): ForwardedSender {
  const stateless = srs.forward(sender, policy.srsDomain);
  if (!stateless.ok) return stateless;
  const statelessOnly = ok({ address: stateless.value });
  if (policy.originalEnvelope === 'embedded') return statelessOnly;
  if (isSrsLocalPart(splitAddress(sender)?.local ?? '')) return statelessOnly;
  if (policy.originalEnvelope === 'auto' && localPartOctets(stateless.value) <= LOCAL_PART_MAX_OCTETS) return statelessOnly;
  const key = storedSenderKeyOf(sender);
  const stored = srs.forward(key, policy.srsDomain);
  if (!stored.ok) return statelessOnly;
  return ok({
    address: stored.value,
    store: { key, sender, ttlSeconds: policy.maxAgeDays * DAY_S, fallback: stateless.value },
  });
}
