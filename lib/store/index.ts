export { boundStore, type BoundedStore, type StoreErrorCount } from './boundedStore';
export { defaultStoreLocation, openStore } from './openStore';
export { StoreError, type SenderStore, type StoreErrorCode } from './types';
