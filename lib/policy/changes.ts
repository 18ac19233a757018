import type { EnvelopeChanges } from '../courier/queue';
import type { Decision } from './decision';

/** The control-file edits a decision asks for (lib/courier's withChanges applies them). */
export function changesOf(decision: Decision): EnvelopeChanges {
  switch (decision.kind) {
    case 'rewrite':
      return { sender: decision.to };
    case 'reverse':
      return { sender: decision.sender, recipients: decision.recipients };
    case 'pass':
    case 'reject':
      return {};
  }
}
