import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseVectorFile, runVectorCase } from '../../../scripts/vectors';

/** Mail::SRS's answers, kept in the repository (test/fixtures/srs-vectors/README.md). */
const VECTORS = path.resolve(__dirname, '../../fixtures/srs-vectors/vectors.json');

const cases = parseVectorFile(readFileSync(VECTORS, 'utf8'));

test('the vector file has cases', () => {
  expect(cases.length).toBeGreaterThan(0);
});

test.each(cases.map((vector) => [vector.id, vector] as const))('%s', (_id, vector) => {
  // On failure the diff shows the whole outcome: what was expected and what lib/srs returned.
  expect(runVectorCase(vector)).toMatchObject({ passed: true });
});
