export { boundStore, type BoundedStore, type StoreErrorCount } from './boundedStore';
export { defaultStoreLocation, openStore } from './openStore';
export { StoreError, type BounceCounter, type ImmediateBounceCounter, type OverCap, type SenderStore, type StoreErrorCode, type TakeResult } from './types';
