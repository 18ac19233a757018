import { isMap, isNode, isScalar, LineCounter, parseDocument, type Document, type YAMLError } from 'yaml';
import type { core } from 'zod';
import { fail, ok } from '../result';
import { unexpectedProblem, type ConfigProblem, type ConfigResult } from './problems';
import type { Policy } from './policy';
import { KNOWN_KEYS, policySchema } from './schema';
import { suggestKey } from './suggestKey';
import { refusedReferences } from './yamlAliases';

type Path = readonly (string | number)[];

/**
 * Parses and validates a policy file's text. Pure: every problem comes back with the line and
 * column of the offending node, so an admin can go straight to it. Never throws: whatever the
 * text, the answer is a policy or problems, so a typo cannot stop the filter or srsctl.
 */
export function parsePolicy(text: string, fileName: string): ConfigResult<Policy> {
  try {
    return parseText(text, fileName);
  } catch (error) {
    return fail([unexpectedProblem(fileName, error)]);
  }
}

function parseText(text: string, fileName: string): ConfigResult<Policy> {
  const lineCounter = new LineCounter();
  // logLevel 'error': yaml's warnings go to process.emitWarning, i.e. the filter's stderr, unasked.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, logLevel: 'error' });
  const locate = (key: string, offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { file: fileName, line, column: col, key };
  };

  const yamlErrors = [...doc.errors, ...doc.warnings];
  if (yamlErrors.length > 0) {
    return fail(
      yamlErrors.map((error) => ({
        code: 'yaml-syntax',
        ...locate('', error.pos[0]),
        message: describeYamlError(error),
      })),
    );
  }

  const refused = refusedReferences(doc, text);
  if (refused.length > 0) {
    return fail(refused.map(({ offset, key, message }) => ({ code: 'yaml-alias', ...locate(formatKey(key), offset), message })));
  }

  // An empty file is an empty mapping: the admin then learns which keys are required.
  // maxAliasCount 0: no alias is ever expanded, should one get past the refusal above.
  const parsed = policySchema.safeParse(doc.toJS({ maxAliasCount: 0 }) ?? {});
  if (parsed.success) return ok(parsed.data);
  const problems = parsed.error.issues.flatMap((issue) => problemsOf(issue, doc, locate));
  return fail(problems.sort(byPosition));
}

/** Zod reports unknown keys after the others; an admin reads the file top to bottom. */
function byPosition(a: ConfigProblem, b: ConfigProblem): number {
  return (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
}

function describeYamlError(error: YAMLError): string {
  if (error.code === 'MULTIPLE_DOCS') return 'the policy must be one YAML document (remove the second ---)';
  if (error.message.includes('block-seq-ind')) {
    return `${error.message} (a lone - is YAML's list marker: quote it, e.g. separator: '-')`;
  }
  return error.message;
}

function problemsOf(
  issue: core.$ZodIssue,
  doc: Document,
  locate: (key: string, offset: number) => Pick<ConfigProblem, 'file' | 'line' | 'column' | 'key'>,
): ConfigProblem[] {
  const path: Path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const hint = suggestKey(key, KNOWN_KEYS[formatKey(path)] ?? []);
      return {
        code: 'unknown-key',
        ...locate(formatKey([...path, key]), keyOffset(doc, path, key)),
        message: `unknown key${hint === undefined ? '' : `; did you mean '${hint}'?`}`,
      };
    });
  }
  const present = doc.hasIn(path) || path.length === 0;
  return [
    {
      code: issue.code === 'invalid_type' && !present ? 'missing-key' : 'invalid-value',
      ...locate(formatKey(path), valueOffset(doc, path)),
      message: issue.message,
    },
  ];
}

/** `exclude-senders[2]`, `courier.sysconfdir`: how an admin names the spot. */
function formatKey(path: Path): string {
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join('');
}

/** Start of the node at path; a missing node is reported at its nearest present ancestor. */
function valueOffset(doc: Document, path: Path): number {
  for (let depth = path.length; depth > 0; depth--) {
    const node = doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) return node.range[0];
  }
  return doc.contents?.range?.[0] ?? 0;
}

function keyOffset(doc: Document, mapPath: Path, key: string): number {
  const map = mapPath.length === 0 ? doc.contents : doc.getIn(mapPath, true);
  if (isMap(map)) {
    const pair = map.items.find((item) => isScalar(item.key) && item.key.value === key);
    if (isScalar(pair?.key) && pair.key.range) return pair.key.range[0];
  }
  return valueOffset(doc, mapPath);
}
