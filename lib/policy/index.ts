export { changesOf } from './changes';
export { decide } from './decide';
export type { DecideContext, Decision, ReversedRecipient } from './decision';
export { applyBounceCap, type BounceCounter, type CappedDecision, type TakeResult } from './bounceCap';
