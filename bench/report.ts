/**
 * How every benchmark states a result: a figure, the anchor it is read against
 * (a goal from bench/README.md or a reference measured in the same run) and the ratio.
 * all.ts collects the figures of every benchmark into one summary table.
 */

/** The direction a figure must go to meet its goal. */
export type Goal = { readonly atLeast: number } | { readonly below: number };

export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** What the figure is divided by for its ratio, e.g. the goal or Courier without a filter. */
  readonly anchor?: { readonly label: string; readonly value: number };
  readonly goal?: Goal;
}

/** Sorted ascending; nearest-rank percentile, p in 0..100. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] ?? Number.NaN;
}

export function median(values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

export function isGoalMet(figure: Figure): boolean | undefined {
  const goal = figure.goal;
  if (goal === undefined) return undefined;
  return 'atLeast' in goal ? figure.value >= goal.atLeast : figure.value < goal.below;
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toFixed(digits);
}

function formatGoal(goal: Goal): string {
  return 'atLeast' in goal ? `>= ${formatNumber(goal.atLeast)}` : `< ${formatNumber(goal.below)}`;
}

function formatRatio(figure: Figure): string {
  const anchor = figure.anchor;
  if (anchor === undefined) return '';
  const ratio = figure.value / anchor.value;
  return `${ratio >= 0.01 ? ratio.toFixed(2) : ratio.toPrecision(2)}x ${anchor.label}`;
}

function formatVerdict(figure: Figure): string {
  const met = isGoalMet(figure);
  if (met === undefined || figure.goal === undefined) return '';
  return `goal ${formatGoal(figure.goal)}: ${met ? 'met' : 'MISSED'}`;
}

/** One plain line, e.g. `rewrite 50 conn: 5123 msg/s  1.02x goal  goal >= 5000: met`. */
export function formatFigure(figure: Figure): string {
  const parts = [`${figure.name}: ${formatNumber(figure.value)} ${figure.unit}`, formatRatio(figure), formatVerdict(figure)];
  return parts.filter((part) => part !== '').join('  ');
}

export function printFigures(figures: readonly Figure[]): void {
  for (const figure of figures) console.log(`  ${formatFigure(figure)}`);
}

/** Fixed-width columns so the table reads in a terminal and in a note. */
export function formatSummaryTable(figures: readonly Figure[]): string {
  const rows = figures.map((f) => [f.name, formatNumber(f.value), f.unit, formatRatio(f), formatVerdict(f)]);
  const header = ['figure', 'value', 'unit', 'ratio to anchor', 'goal'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const formatRow = (row: readonly string[]): string =>
    row.map((cell, i) => (i === 1 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [formatRow(header), formatRow(widths.map((w) => '-'.repeat(w))), ...rows.map(formatRow)].join('\n');
}
