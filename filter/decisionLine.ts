import type { Rule } from '../lib/policy';

export type DecisionCode = 'SRS_REWRITE' | 'SRS_REVERSE' | 'SRS_PASS' | 'SRS_REJECT' | 'SRS_ERROR';

/**
 * The one line a message gets. Field order is fixed so that admins can grep and cut it:
 * code, qid, then the addresses, then rcpts, rule, reason, ms.
 */
export interface DecisionLine {
  readonly code: DecisionCode;
  readonly qid: string;
  /** The envelope sender as it arrived ('' = null sender). */
  readonly from: string;
  /** The new sender (rewrite) or the original address a recipient was reversed to. */
  readonly to?: string;
  /** The first external target a rewrite is for, or the SRS recipient reversed or refused. */
  readonly rcpt?: string;
  /** How many recipients a rewrite is for, or were reversed; otherwise the message's recipients. */
  readonly rcpts: number;
  readonly rule: Rule;
  readonly reason: string;
  /** SRS error code (reject) or internal error code (error). */
  readonly error?: string;
  readonly ms: number;
}

// Long addresses are shortened so that the reason and timing always fit on the line.
const MAX_ADDRESS_CHARS = 120;

export function formatDecisionLine(line: DecisionLine): string {
  let out = `code=${line.code} qid=${line.qid || '-'} from=${formatAddress(line.from)}`;
  if (line.rcpt !== undefined) out += ` rcpt=${formatAddress(line.rcpt)}`;
  if (line.to !== undefined) out += ` to=${formatAddress(line.to)}`;
  if (line.error !== undefined) out += ` error=${line.error}`;
  out += ` rcpts=${line.rcpts} rule=${line.rule} reason=${formatQuoted(line.reason)}`;
  return `${out} ms=${line.ms.toFixed(2)}`;
}

function formatAddress(address: string): string {
  const short =
    address.length > MAX_ADDRESS_CHARS ? `${address.slice(0, MAX_ADDRESS_CHARS)}...` : address;
  return `<${short}>`;
}

function formatQuoted(text: string): string {
  return `"${text.replace(/["\\]/g, '\\$&')}"`;
}
