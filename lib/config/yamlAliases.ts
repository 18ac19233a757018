import { isAlias, isNode, isPair, isScalar, isSeq, Parser, visit, type Document, type Node } from 'yaml';

/** Where a refused anchor or alias sits: its offset in the text and the policy key it belongs to. */
export interface RefusedReference {
  readonly offset: number;
  readonly key: readonly (string | number)[];
  readonly message: string;
}

/**
 * Every YAML anchor (&name) and alias (*name) of the document. A policy never needs them, and
 * refusing them all keeps an unquoted glob (`*.partner.test` is an alias in YAML) and an alias
 * bomb (aliases of aliases, expanded exponentially) from ever being expanded.
 */
export function refusedReferences(doc: Document, text: string): RefusedReference[] {
  const anchors = anchorOffsets(text);
  const refused: RefusedReference[] = [];
  visit(doc, (_key, node, ancestors) => {
    if (!isNode(node)) return;
    const key = keyPath([...ancestors, node]);
    if (isAlias(node)) {
      refused.push({ offset: node.range?.[0] ?? 0, key, message: aliasMessage(node.source, key) });
    } else if (node.anchor !== undefined) {
      const offset = anchorOffsetOf(anchors.get(node.anchor) ?? [], node);
      refused.push({ offset, key, message: anchorMessage(node.anchor) });
    }
  });
  return refused;
}

function aliasMessage(name: string, key: readonly (string | number)[]): string {
  const written = `*${name}`;
  const isPattern = key[0] === 'exclude-senders' || key[0] === 'exclude-recipients';
  const hint = isPattern ? '; patterns are domain, .domain or user@domain' : '';
  return `${written} is a YAML alias, which the policy does not allow: quote it: ${singleQuoted(written)}${hint}`;
}

function anchorMessage(name: string): string {
  return `&${name} is a YAML anchor, which the policy does not allow: write each value out (quote a value that starts with &)`;
}

function singleQuoted(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** `exclude-senders`, 0 for `exclude-senders: [*.partner.test]`: how formatKey names the spot. */
function keyPath(chain: readonly unknown[]): (string | number)[] {
  const path: (string | number)[] = [];
  for (let i = 1; i < chain.length; i++) {
    const parent = chain[i - 1];
    const child = chain[i];
    if (isSeq(parent)) path.push(parent.items.indexOf(child));
    if (isPair(parent) && isScalar(parent.key)) path.push(String(parent.key.value));
  }
  return path;
}

/**
 * The composed node does not record where its anchor was written, only where the node starts;
 * the anchor is the last one of that name before the node (a name may be defined again later).
 */
function anchorOffsetOf(offsets: readonly number[], node: Node): number {
  const start = node.range?.[0] ?? 0;
  return offsets.filter((offset) => offset <= start).at(-1) ?? start;
}

/** Offsets of the `&name` tokens by name, in text order, read from the concrete syntax tree. */
function anchorOffsets(text: string): Map<string, number[]> {
  const offsets = new Map<string, number[]>();
  // An explicit stack: a deeply nested document must not overflow the call stack here.
  const pending: unknown[] = [...new Parser().parse(text)];
  for (let token = pending.pop(); token !== undefined; token = pending.pop()) {
    if (typeof token !== 'object' || token === null) continue;
    const { type, offset, source } = token as { type?: unknown; offset?: unknown; source?: unknown };
    if (type === 'anchor' && typeof offset === 'number' && typeof source === 'string') {
      const name = source.slice(1);
      const list = offsets.get(name) ?? [];
      list.push(offset);
      offsets.set(name, list);
    }
    for (const value of Object.values(token)) pending.push(value);
  }
  for (const list of offsets.values()) list.sort((a, b) => a - b);
  return offsets;
}
