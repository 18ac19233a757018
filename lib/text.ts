/**
 * The C0 control characters and DEL. Addresses and queue paths come from the message, and the
 * filter writes them into reply lines, log lines and control-file records, each of which ends
 * at a newline: a CR or LF inside one would forge a line of its own. Every place that refuses
 * or replaces such characters uses this one set.
 *
 * Global, for `replace`. To test for one, use hasControlCharacter: `test` on a global pattern
 * would start where its previous match ended.
 */
export const CONTROL_CHARACTER = /[\x00-\x1f\x7f]/g;

const ANY_CONTROL_CHARACTER = new RegExp(CONTROL_CHARACTER.source);

export function hasControlCharacter(text: string): boolean {
  return ANY_CONTROL_CHARACTER.test(text);
}
