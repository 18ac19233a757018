export { changesOf } from './changes';
export { decide } from './decide';
export type { DecideContext, Decision, ReversedRecipient } from './decision';
export { applyBounceCap, type BounceCounter, type CappedDecision, type TakeResult } from './bounceCap';
export { completeWithStore, lookUpSender, storeSender, type StoreOutcome } from './completeWithStore';
export { forwardSender, usesStore, type StoreWrite } from './storedSenders';
