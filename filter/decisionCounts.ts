import type { DecisionCounts } from './control';
import type { DecisionCode } from './decisionLine';

const KEY_OF: Record<DecisionCode, keyof DecisionCounts> = {
  SRS_REWRITE: 'rewrite',
  SRS_REVERSE: 'reverse',
  SRS_PASS: 'pass',
  SRS_REJECT: 'reject',
  SRS_ERROR: 'error',
};

/** How many decision lines of each code the filter has logged since it started (`srsctl status`). */
export class DecisionCounter {
  private readonly counts: DecisionCounts = { rewrite: 0, reverse: 0, pass: 0, reject: 0, error: 0 };

  add(code: DecisionCode): void {
    this.counts[KEY_OF[code]] += 1;
  }

  snapshot(): DecisionCounts {
    return { ...this.counts };
  }
}
