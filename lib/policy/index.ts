export { changesOf } from './changes';
export { decide } from './decide';
export type { DecideContext, Decision } from './decision';
