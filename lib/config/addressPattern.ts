import { fail, ok, type Failure, type Result } from '../result';
import { splitAddress } from '../srs';
import { isDomainName } from './domain';

/**
 * An entry of exclude-senders / exclude-recipients, normalised to lower case:
 * `user@domain` one address, `domain` or `@domain` that domain, `.domain` or `@.domain` its subdomains
 * (not the domain itself: list both to cover both).
 */
export type AddressPattern =
  | { readonly kind: 'address'; readonly address: string }
  | { readonly kind: 'domain'; readonly domain: string }
  | { readonly kind: 'subdomains'; readonly domain: string };

/** The message says what the entry must look like; the policy loader reports it at the entry. */
export type AddressPatternResult = Result<AddressPattern, Failure<'invalid-value'>>;

const SYNTAX = fail({ code: 'invalid-value', message: "must be 'user@domain', 'domain' ('@domain') or '.domain' (its subdomains)" } as const);

export function parseAddressPattern(text: string): AddressPatternResult {
  const lower = text.trim().toLowerCase();
  const at = lower.lastIndexOf('@');
  if (at > 0) {
    const parts = splitAddress(lower);
    return parts === null || /\s/.test(parts.local) || !isDomainName(parts.domain)
      ? SYNTAX
      : ok({ kind: 'address', address: lower });
  }
  const domainPart = at === 0 ? lower.slice(1) : lower;
  const subdomains = domainPart.startsWith('.');
  const domain = subdomains ? domainPart.slice(1) : domainPart;
  if (!isDomainName(domain)) return SYNTAX;
  return ok({ kind: subdomains ? 'subdomains' : 'domain', domain });
}

/** Case-insensitive, like the patterns; an address without a domain matches no pattern. */
export function matchesAddressPattern(address: string, pattern: AddressPattern): boolean {
  const lower = address.toLowerCase();
  const domain = splitAddress(lower)?.domain;
  if (domain === undefined) return false;
  switch (pattern.kind) {
    case 'address':
      return lower === pattern.address;
    case 'domain':
      return domain === pattern.domain;
    case 'subdomains':
      return domain.endsWith(`.${pattern.domain}`);
  }
}

export function matchesAnyAddressPattern(address: string, patterns: readonly AddressPattern[]): boolean {
  return patterns.some((pattern) => matchesAddressPattern(address, pattern));
}

/** Back to the text an admin writes, for `srsctl explain` and logs. */
export function formatAddressPattern(pattern: AddressPattern): string {
  switch (pattern.kind) {
    case 'address':
      return pattern.address;
    case 'domain':
      return pattern.domain;
    case 'subdomains':
      return `.${pattern.domain}`;
  }
}
