import { completeWithStore, decide, type DecideContext } from '../../lib/policy';
import type { SenderStore } from '../../lib/store';
import { envelopeFor } from '../explain/hypotheticalEnvelope';
import { fail, ok } from '../../lib/result';
import { EXIT } from './exitStatus';
import type { Plan } from './run';

/**
 * srs-reverser, for aliasdir files such as `.courier-SRS0-default` or the pipe-alias glue's
 * `.courier-srsbounce-default`: Courier sets RECIPIENT to the complete address it delivers
 * (`srsbounce-SRS0=…@example.org`, case kept) and SENDER to the envelope sender ('' for a
 * bounce). The filter's own decision is taken on that message, so the bounce prefix, the
 * srs-domain, reverse-only-bounces and srs-bounces apply exactly as in the filter; a reversal
 * re-injects the message from the null sender, as the filter sends it. An address that
 * carries a stored-sender key is looked up in `store` as the filter does (null: no store could
 * be opened; the bounce is then deferred). (This runs only when a bounce reaches local delivery
 * unreversed, in a process of its own: the bounce cap, counted in the filter, does not apply here.)
 */
export async function planReverse(
  sender: string | undefined,
  recipient: string | undefined,
  context: DecideContext,
  store: Pick<SenderStore, 'get' | 'put'> | null,
): Promise<Plan> {
  if (recipient === undefined || sender === undefined) {
    return fail({ status: EXIT.tempFail, message: 'RECIPIENT or SENDER is not set: run srs-reverser from a Courier aliasdir file' });
  }
  const { decision } = await completeWithStore(decide(envelopeFor(sender, recipient, '', 'local'), context), store);
  switch (decision.kind) {
    case 'reverse': {
      const recipients = decision.recipients.map((change) => change.to);
      // The hash proves only that we signed the address once, not that it is harmless.
      const optionLike = recipients.find((address) => address.startsWith('-'));
      if (optionLike !== undefined) {
        return fail({
          status: EXIT.invalidAddress,
          message: `<${recipient}> refused: it reverses to <${optionLike}>, which starts with '-' and would be read as an option by sendmail`,
        });
      }
      return ok({ reinjection: { sender: decision.sender, recipients } });
    }
    case 'reject': {
      // 451 is the store failing: Courier tries the delivery again later.
      const status = decision.reply.code === 451 ? EXIT.tempFail : EXIT.invalidAddress;
      return fail({ status, message: `<${recipient}> refused: ${decision.reason} (${decision.srsError})` });
    }
    case 'pass':
    case 'rewrite':
      return fail({
        status: EXIT.invalidAddress,
        message: `<${recipient}> is no SRS address of ${context.policy.srsDomain}: nothing to reverse`,
      });
  }
}
