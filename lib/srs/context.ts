import type { Signer } from './hash';
import type { SrsOptions } from './types';

/** What forwarding and reversing share: the resolved options and the signer made from their secrets once. */
export interface SrsContext {
  readonly options: SrsOptions;
  readonly signer: Signer;
}
