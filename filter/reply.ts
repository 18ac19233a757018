import { CONTROL_CHARACTER } from '../lib/text';

/** An SMTP-style answer to submit: one code, one or more lines of text. */
export interface Reply {
  /** 200 accepts; 4xx makes the sending MTA retry; 5xx refuses the message. */
  readonly code: number;
  readonly lines: readonly string[];
}

export const ACCEPTED: Reply = { code: 200, lines: ['Ok'] };
export const TEMPORARY_FAILURE: Reply = {
  code: 451,
  lines: ['4.3.0 srsfilter: temporary failure, try again later'],
};

export function badRequestReply(reason: string): Reply {
  return { code: 451, lines: [`4.3.0 srsfilter: bad request: ${reason}`] };
}

// SMTP reply lines are at most 512 octets with the code; stay well inside.
const MAX_TEXT_CHARS = 400;

/**
 * The bytes sent to submit: `NNN-text` for every line but the last, `NNN text` for the last.
 * Text comes partly from the message (an address), so control characters are replaced: a CR
 * or LF inside a line would forge a reply line of its own.
 */
export function formatReply(reply: Reply): string {
  const lines = reply.lines.length === 0 ? [''] : reply.lines;
  const last = lines.length - 1;
  let out = '';
  lines.forEach((text, index) => {
    const safe = text.replace(CONTROL_CHARACTER, '?').slice(0, MAX_TEXT_CHARS);
    out += `${reply.code}${index === last ? ' ' : '-'}${safe}\n`;
  });
  return out;
}
