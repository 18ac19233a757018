import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { createSrs, type SrsResult } from '../lib/srs';

/** One case of the shared SRS vector files (schema 1); fields this runner does not use are dropped. */
const vectorCaseSchema = z
  .object({
    id: z.string(),
    op: z.enum(['forward', 'reverse']),
    secrets: z.array(z.string()).min(1),
    now: z.number(),
    hashLength: z.number().int(),
    hashMin: z.number().int(),
    maxAgeDays: z.number().int(),
    separator: z.enum(['=', '+', '-']),
    aliasDomain: z.string().nullish(),
    input: z.string(),
    expect: z.string().nullable(),
    // Any code: a file naming one lib/srs never returns fails that case, not the whole run.
    error: z.string().nullable(),
  })
  .refine((vector) => vector.op === 'reverse' || Boolean(vector.aliasDomain), 'a forward case needs an aliasDomain');

const vectorFileSchema = z.object({ schema: z.literal(1), cases: z.array(vectorCaseSchema) });

export type VectorCase = z.infer<typeof vectorCaseSchema>;

export interface CaseOutcome {
  readonly id: string;
  readonly passed: boolean;
  readonly expected: string;
  readonly got: string;
}

export function parseVectorFile(text: string): VectorCase[] {
  return vectorFileSchema.parse(JSON.parse(text)).cases;
}

/** Runs one case against lib/srs with the case's clock and secrets (UTF-8 bytes, kept verbatim). */
export function runVectorCase(vector: VectorCase): CaseOutcome {
  const expected = vector.expect ?? `error ${vector.error ?? '(none given)'}`;
  let result: SrsResult;
  try {
    result = applyVectorCase(vector);
  } catch (error) {
    // Options in a file can be out of range, and createSrs throws on those.
    return { id: vector.id, passed: false, expected, got: `exception ${String(error)}` };
  }
  const passed = result.ok ? result.value === vector.expect : vector.expect === null && result.error.code === vector.error;
  return { id: vector.id, passed, expected, got: formatResult(result) };
}

function applyVectorCase(vector: VectorCase): SrsResult {
  const srs = createSrs({
    secrets: vector.secrets.map((secret) => Buffer.from(secret, 'utf8')),
    hashLength: vector.hashLength,
    hashMin: vector.hashMin,
    maxAgeDays: vector.maxAgeDays,
    separator: vector.separator,
    now: () => vector.now * 1000,
  });
  return vector.op === 'forward' ? srs.forward(vector.input, vector.aliasDomain ?? '') : srs.reverse(vector.input);
}

export function runVectors(cases: readonly VectorCase[]): { outcomes: CaseOutcome[]; passed: number; failed: number } {
  const outcomes = cases.map(runVectorCase);
  const passed = outcomes.filter((outcome) => outcome.passed).length;
  return { outcomes, passed, failed: outcomes.length - passed };
}

function formatResult(result: SrsResult): string {
  return result.ok ? result.value : `error ${result.error.code} (${result.error.message})`;
}

function main(): void {
  const { positionals } = parseArgs({ allowPositionals: true });
  const [file] = positionals;
  if (file === undefined || positionals.length !== 1) {
    process.stderr.write('usage: node dist/scripts/vectors.js VECTORS.json\n');
    process.exitCode = 2;
    return;
  }
  const { outcomes, passed, failed } = runVectors(parseVectorFile(readFileSync(file, 'utf8')));
  for (const outcome of outcomes.filter((each) => !each.passed)) {
    process.stdout.write(`${outcome.id}: expected ${outcome.expected}, got ${outcome.got}\n`);
  }
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  process.exitCode = failed > 0 ? 1 : 0;
}

if (require.main === module) main();
