import { spawn } from 'node:child_process';
import { errnoCode } from '../../lib/errno';
import { fail, ok, type Result } from '../../lib/result';
import { EXIT, type NotDelivered } from './exitStatus';

/** Courier's sendmail; SRSFILTER_SENDMAIL replaces it (the tests point it at a recorder). */
export function sendmailPath(env: NodeJS.ProcessEnv): string {
  return env.SRSFILTER_SENDMAIL ?? '/usr/sbin/sendmail';
}

/** What ends the options of Courier's sendmail (courier/sendmail.c): a lone `-`, not `--`. */
const END_OF_OPTIONS = '-';

export interface Reinjection {
  readonly sender: string;
  readonly recipients: readonly string[];
}

export type ReinjectResult = Result<void, NotDelivered>;

/**
 * Hands the message on our stdin to `sendmail -f SENDER - RECIPIENT...`. The child inherits
 * file descriptor 0 itself (Courier gives a pipe command the queued message file), so the body
 * reaches sendmail byte for byte and never passes through this process. An empty sender is
 * the null sender: Courier's sendmail takes `-f ''` as `MAIL FROM:<>`; `-f` and the sender
 * stay two arguments, so that the sender is taken whatever it starts with. Courier's sendmail
 * ends its options at a lone `-` only (it skips `--` and goes on reading options), so the
 * recipients follow a `-`. The callers still refuse a recipient that starts with `-`, which
 * any other sendmail would read as an option.
 */
export function reinject(sendmail: string, reinjection: Reinjection): Promise<ReinjectResult> {
  return new Promise((resolve) => {
    const child = spawn(sendmail, ['-f', reinjection.sender, END_OF_OPTIONS, ...reinjection.recipients], { stdio: 'inherit' });
    child.on('error', (error) => {
      resolve(fail({ status: EXIT.tempFail, message: `cannot run ${sendmail}: ${errnoCode(error) ?? error.message}` }));
    });
    child.on('exit', (code, signal) => resolve(resultOf(sendmail, code, signal)));
  });
}

/**
 * sendmail's 67 means the recipient was refused for good, which Courier must hear as such;
 * every other failure of sendmail is temporary.
 */
function resultOf(sendmail: string, code: number | null, signal: NodeJS.Signals | null): ReinjectResult {
  if (code === 0) return ok();
  if (code === EXIT.invalidAddress) return fail({ status: EXIT.invalidAddress, message: `${sendmail} refused a recipient (exit 67)` });
  const how = signal === null ? `exit ${code}` : `signal ${signal}`;
  return fail({ status: EXIT.tempFail, message: `${sendmail} failed (${how})` });
}
