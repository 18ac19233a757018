import { isDeepStrictEqual } from 'node:util';
import type { Policy } from '../lib/config';
import type { Runtime } from './runtime';

/** A value short enough to show in a change; longer ones (lists) are only named. */
const MAX_SHOWN_CHARS = 40;

/**
 * What a reload changed, one short phrase per item, for the admin who ran `srsctl reload`:
 * the policy keys by their YAML names (`separator: '=' -> '-'`), the secrets by count (never
 * their content). Empty when nothing differs.
 */
export function describeRuntimeChanges(before: Runtime, after: Runtime): string[] {
  const changes: string[] = [];
  for (const key of Object.keys(after.policy) as (keyof Policy)[]) {
    const [old, now] = [before.policy[key], after.policy[key]];
    if (!isDeepStrictEqual(old, now)) changes.push(describeChange(yamlKey(key), old, now));
  }
  const [oldSecrets, newSecrets] = [before.srs.options.secrets, after.srs.options.secrets];
  if (oldSecrets.length !== newSecrets.length) {
    changes.push(`secrets: ${oldSecrets.length} -> ${newSecrets.length}`);
  } else if (!isDeepStrictEqual(oldSecrets, newSecrets)) {
    changes.push(`secrets: replaced (${newSecrets.length})`);
  }
  return changes;
}

function describeChange(key: string, old: unknown, now: unknown): string {
  const [shownOld, shownNow] = [show(old), show(now)];
  return shownOld === undefined || shownNow === undefined ? key : `${key}: ${shownOld} -> ${shownNow}`;
}

function show(value: unknown): string | undefined {
  if (typeof value === 'object' && value !== null) return undefined;
  const text = typeof value === 'string' ? `'${value}'` : String(value);
  return text.length > MAX_SHOWN_CHARS ? undefined : text;
}

/** Policy fields are the YAML keys in camelCase (policy.ts). */
function yamlKey(field: string): string {
  return field.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}
