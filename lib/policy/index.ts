export { changesOf } from './changes';
export { decide } from './decide';
export type { DecideContext, Decision, FailureRule, OnErrorRule, PassRule, RejectRule, ReverseRule, ReversedRecipient, RewriteRule, Rule } from './decision';
export { applyBounceCap, applyBounceCapNow, countsBounces, type CappedDecision } from './bounceCap';
export { asksTheStore, completeWithStore, lookUpSender, storeSender, type StoreOutcome } from './completeWithStore';
export { forwardSender, usesStore, type StoreWrite } from './storedSenders';
