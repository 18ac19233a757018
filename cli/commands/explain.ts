import { DEFAULT_POLICY_PATH, type Policy } from '../../lib/config';
import type { Envelope } from '../../lib/courier/queue';
import { completeWithStore, decide, type Decision, type ReversedRecipient } from '../../lib/policy';
import { loadCourierDomains, loadPolicySrs } from '../../lib/runtime';
import { parseCommandLine } from '../io/commandLine';
import { envelopeFor, parseSource, SOURCES } from '../explain/hypotheticalEnvelope';
import { fail, failWithDetails, warn, type CliIo } from '../io/cliIo';
import { openPolicyStore } from '../srsSetup/senderStore';
import { STATUS } from '../io/exitStatus';

const OPTIONS = {
  config: { type: 'string' },
  'original-recipient': { type: 'string' },
  source: { type: 'string' },
} as const;

/**
 * `srsctl explain SENDER RECIPIENT [--original-recipient R] [--source S]`: the decision the
 * running filter would take for such a message, with the installed policy, secrets and
 * Courier's local domains. SENDER may be `<>` or '' for the null sender.
 */
export async function runExplain(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommandLine(args, OPTIONS);
  if (!parsed.ok) return fail(io, parsed.error, STATUS.usage);
  const { values, positionals } = parsed.value;
  const [sender, recipient, ...extra] = positionals;
  if (sender === undefined || recipient === undefined || extra.length > 0) {
    return fail(io, 'explain needs exactly SENDER and RECIPIENT', STATUS.usage);
  }
  const source = parseSource(values.source ?? 'smtp');
  if (source === undefined) return fail(io, `--source must be one of ${SOURCES.join(', ')}, not '${values.source}'`, STATUS.usage);

  const configPath = values.config ?? DEFAULT_POLICY_PATH;
  const loaded = await loadPolicySrs(configPath, { permissions: 'warn' });
  if (!loaded.ok) return failWithDetails(io, loaded.error, `cannot use the policy ${configPath}`, STATUS.usage);
  for (const warning of loaded.value.warnings) warn(io, warning);
  const { policy, srs } = loaded.value;
  const domains = await loadCourierDomains(policy);
  if (!domains.ok) return failWithDetails(io, domains.error, "cannot read Courier's domains", STATUS.usage);

  const envelope = envelopeFor(sender, recipient, values['original-recipient'] ?? '', source);
  const decision = await lookUpStoredSenders(decide(envelope, { policy, srs, ...domains.value }), policy, io);
  io.stdout(formatExplanation(envelope, decision, policy));
  return STATUS.ok;
}

/** A reversal of a stored-sender key is looked up as the filter would; a rewrite writes nothing (it is only explained). */
async function lookUpStoredSenders(decision: Decision, policy: Policy, io: CliIo): Promise<Decision> {
  if (decision.kind !== 'reverse' || !decision.recipients.some((recipient) => recipient.storeKey !== undefined)) return decision;
  const opened = await openPolicyStore(policy);
  if (!opened.ok) warn(io, `the sender store ${opened.error.location} cannot be opened: ${opened.error.message}`);
  const store = opened.ok ? opened.value : null;
  try {
    return (await completeWithStore(decision, store)).decision;
  } finally {
    await store?.close();
  }
}

/**
 * `key: value` lines, stable for scripts; changes show as `old -> new`. A reversal sent back
 * also names the cap it counts toward (explain counts nothing itself).
 */
export function formatExplanation(envelope: Envelope, decision: Decision, policy: Pick<Policy, 'maxBouncesPerAddress'>): string {
  const lines = [
    `message: from <${envelope.sender}> to ${envelope.recipients.map(describeRecipient).join(', ')} (source ${envelope.source})`,
    `decision: ${decision.kind}`,
    `rule: ${decision.rule}`,
    `reason: ${decision.reason}`,
  ];
  switch (decision.kind) {
    case 'rewrite':
      lines.push(`sender: <${decision.from}> -> <${decision.to}>`);
      if (decision.store !== undefined) {
        const { key, ttlSeconds, fallback } = decision.store;
        lines.push(`store: the filter stores the sender under ${key} for ${ttlSeconds / 86_400} days (if the store fails: <${fallback}>)`);
      }
      break;
    case 'reverse':
      lines.push(`sender: <${envelope.sender}> -> <${decision.sender}>`);
      lines.push(...decision.recipients.map((change) => describeReversal(change, decision.sentBack)));
      if (decision.sentBack) {
        lines.push(`bounce cap: counts toward max-bounces-per-address (${policy.maxBouncesPerAddress} per SRS address)`);
      }
      break;
    case 'reject':
      lines.push(`reply: ${decision.reply.code} ${decision.reply.text}`);
      break;
    case 'pass':
      break;
  }
  return lines.map((line) => `${line}\n`).join('');
}

function describeReversal(change: ReversedRecipient, sentBack: boolean): string {
  const kept = sentBack ? '' : ` (srs-bounces; the bounce is for <${change.original}>)`;
  return `recipient: <${change.from}> -> <${change.to}>${kept}`;
}

function describeRecipient(recipient: Envelope['recipients'][number]): string {
  const alias = recipient.originalRecipient === '' ? '' : ` (for <${recipient.originalRecipient}>)`;
  return `<${recipient.address}>${alias}`;
}
