// jest glue shared by the e2e files: one sink per file, and tests whose failure message
// carries what Courier and the filter logged meanwhile.
import { markMailLog } from '../../../kit/realCourier/courier';
import { startSink, type Sink } from '../../../kit/realCourier/sink';

/** Starts the sink before the file's tests and closes it after them. */
export function useSink(): () => Sink {
  let sink: Sink | undefined;
  beforeAll(async () => {
    sink = await startSink();
  });
  afterAll(async () => {
    await sink?.close();
  });
  return () => {
    if (sink === undefined) throw new Error('the sink is not running (useSink registers it in beforeAll)');
    return sink;
  };
}

const LOG_LINES_SHOWN = 60;

function lastLines(text: string): string {
  return text.trimEnd().split('\n').slice(-LOG_LINES_SHOWN).join('\n');
}

/** A test with a deadline; when it fails, the mail log lines written during it are appended. */
export function e2eTest(name: string, body: () => Promise<void>, timeoutMs = 30_000): void {
  test(
    name,
    async () => {
      const log = markMailLog();
      try {
        await body();
      } catch (error) {
        if (error instanceof Error) error.message += `\n--- mail log during this test (last ${LOG_LINES_SHOWN} lines) ---\n${lastLines(log.linesSince())}`;
        throw error;
      }
    },
    timeoutMs,
  );
}
