import type { CheckResult } from './checks';

const LABELS: Readonly<Record<CheckResult['kind'], string>> = { ok: 'ok', problem: 'PROBLEM', note: 'note' };
const WIDTH = 'PROBLEM '.length;

/** One line per finding, a problem followed by its fix; then a one-line verdict. */
export function formatCheckReport(results: readonly CheckResult[]): string {
  const lines = results.flatMap((result) => {
    const head = `${LABELS[result.kind].padEnd(WIDTH)}${result.text}`;
    return result.kind === 'problem' ? [head, `${' '.repeat(WIDTH)}fix: ${result.fix}`] : [head];
  });
  const problems = results.filter((result) => result.kind === 'problem').length;
  lines.push('', problems === 0 ? 'srsctl check: no problems' : `srsctl check: ${problems} problem${problems === 1 ? '' : 's'}`);
  return lines.map((line) => `${line}\n`).join('');
}
