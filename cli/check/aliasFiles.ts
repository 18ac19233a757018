import type { Policy } from '../../lib/config';

/*
 * Which files in Courier's aliasdir make it accept RCPT TO for our SRS addresses:
 * Courier looks up `.courier-<local part>` and then `.courier-<prefix>-default` for each '-' in
 * the local part, case-sensitively, with '.' written as ':'. So `SRS0-HHHH=…` (separator '-')
 * is accepted by `.courier-SRS0-default` and nothing else is; `srs0-…` (an MTA that lower-cased
 * it) needs `.courier-srs0-default`. `SRS0=…` and `SRS0+…` contain no '-' before the address
 * data, so only the catch-all `.courier-default` accepts them, and every junk address too.
 */

/** The files install.sh writes into the aliasdir (`srsctl courier alias-files` names them). */
export const SRS_TAG_FILES = ['.courier-SRS0-default', '.courier-SRS1-default', '.courier-srs0-default', '.courier-srs1-default'];
export const CATCH_ALL_FILE = '.courier-default';

/** What the policy's addresses need: the tag files, or the catch-all for `=`/`+`. */
export function srsAliasFileNames(policy: Policy): readonly string[] {
  return policy.separator === '-' ? SRS_TAG_FILES : [CATCH_ALL_FILE];
}

/** `srsbounce-` → `.courier-srsbounce-default`; undefined when no aliasdir file can match the prefix (it must end in '-'). */
export function bouncePrefixFileName(prefix: string): string | undefined {
  return prefix.endsWith('-') ? `.courier-${prefix.replaceAll('.', ':')}default` : undefined;
}

/** Every aliasdir file `srsctl check` looks at for this policy. */
export function aliasFileNames(policy: Policy): readonly string[] {
  const prefixFile = policy.bouncePrefix === null ? undefined : bouncePrefixFileName(policy.bouncePrefix);
  return [...srsAliasFileNames(policy), ...(prefixFile === undefined ? [] : [prefixFile])];
}
