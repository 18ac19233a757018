import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseVectorFile, runVectorCase } from '../../../scripts/vectors';

/** SRS_VECTORS, else the shared checkout beside the repository (CI clones shared/ as ../shared). */
function locateVectors(): string {
  const file = process.env.SRS_VECTORS ?? path.resolve(__dirname, '../../..', '../shared/srs-vectors/vectors.json');
  if (!existsSync(file)) throw new Error(`SRS vectors not found at ${file}: set SRS_VECTORS or put shared/ beside the repository`);
  return file;
}

const cases = parseVectorFile(readFileSync(locateVectors(), 'utf8'));

test('the vector file has cases', () => {
  expect(cases.length).toBeGreaterThan(0);
});

test.each(cases.map((vector) => [vector.id, vector] as const))('%s', (_id, vector) => {
  // On failure the diff shows the whole outcome: what was expected and what lib/srs returned.
  expect(runVectorCase(vector)).toMatchObject({ passed: true });
});
