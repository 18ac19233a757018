export { boundStore, type BoundedStore, type StoreErrorCount } from './boundedStore';
export { openStore, storeLocation, type PolicyStore, type StoreUnavailable } from './openStore';
export { StoreError, type BounceCounter, type ImmediateBounceCounter, type OverCap, type SenderStore, type StoreErrorCode, type TakeResult } from './types';
