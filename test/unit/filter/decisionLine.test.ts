import { formatDecisionLine, type DecisionLine } from '../../../filter/decisionLine';

const PASS: DecisionLine = {
  code: 'SRS_PASS',
  qid: '0000000000164054.000000006B072786.000046B0',
  from: 'alice@sender.test',
  rcpts: 2,
  rule: 'null-sender',
  reason: 'the null sender (a bounce) is never rewritten',
  ms: 1.23456,
};

test('fields in a fixed order: code, qid, from, rcpt, to, error, rcpts, rule, reason, ms', () => {
  const line: DecisionLine = {
    ms: 0.5,
    reason: 'why',
    rule: 'srs-invalid',
    rcpts: 1,
    error: 'bad-hash',
    to: 'alice@sender.test',
    rcpt: 'SRS0=x@example.org',
    from: '',
    qid: 'Q1',
    code: 'SRS_REJECT',
  };
  expect(formatDecisionLine(line)).toBe(
    'code=SRS_REJECT qid=Q1 from=<> rcpt=<SRS0=x@example.org> to=<alice@sender.test> error=bad-hash rcpts=1 rule=srs-invalid reason="why" ms=0.50',
  );
});

test('fields left out are not written; ms has two decimals', () => {
  expect(formatDecisionLine(PASS)).toBe(
    'code=SRS_PASS qid=0000000000164054.000000006B072786.000046B0 from=<alice@sender.test> rcpts=2 rule=null-sender ' +
      'reason="the null sender (a bounce) is never rewritten" ms=1.23',
  );
});

test("an unknown queue id is written '-', so that every field has a value", () => {
  expect(formatDecisionLine({ ...PASS, qid: '' })).toMatch(/^code=SRS_PASS qid=- from=/);
});

test('the reason is quoted, with its quotes and backslashes escaped', () => {
  expect(formatDecisionLine({ ...PASS, reason: 'a "quoted" C:\\path' })).toContain(' reason="a \\"quoted\\" C:\\\\path" ');
});

test('an address longer than 120 characters is cut, and marked so; one of 120 is whole', () => {
  const exact = `${'a'.repeat(108)}@example.org`;
  expect(exact).toHaveLength(120);
  const long = `${'b'.repeat(300)}@example.org`;
  const line = formatDecisionLine({ ...PASS, from: exact, rcpt: long, to: long });
  expect(line).toContain(` from=<${exact}> `);
  expect(line).toContain(` rcpt=<${'b'.repeat(120)}...> to=<${'b'.repeat(120)}...> `);
});
