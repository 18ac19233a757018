import type { Srs } from '../../lib/srs';
import { fail, ok } from '../../lib/result';
import { EXIT } from './exitStatus';
import type { Plan } from './run';

/**
 * srs-forwarder, as the per-alias pipe glue with Debian's srs did it: the envelope sender becomes an
 * SRS address of srs-domain (SRS0, or SRS1 for an SRS sender), the null sender stays null.
 * A sender SRS cannot encode (e.g. a bare local user name) is forwarded unchanged with a note:
 * the target is fine, refusing the message would help nobody.
 */
export function planForward(sender: string | undefined, targets: readonly string[], srs: Pick<Srs, 'forward'>, srsDomain: string): Plan {
  if (targets.length === 0) {
    return tempFail('no TARGET: the alias line must name the address to forward to, e.g. | srs-forwarder user@example.net');
  }
  const optionLike = targets.find((target) => target.startsWith('-'));
  if (optionLike !== undefined) return tempFail(`TARGET ${optionLike} starts with '-': sendmail would read it as an option`);
  if (sender === undefined) return tempFail('SENDER is not set: run srs-forwarder from a Courier pipe alias');
  if (sender === '') return ok({ reinjection: { sender: '', recipients: targets } });
  const forwarded = srs.forward(sender, srsDomain);
  if (!forwarded.ok) {
    return ok({ reinjection: { sender, recipients: targets }, note: `sender <${sender}> forwarded unchanged: ${forwarded.error.message}` });
  }
  return ok({ reinjection: { sender: forwarded.value, recipients: targets } });
}

function tempFail(message: string): Plan {
  return fail({ status: EXIT.tempFail, message });
}
