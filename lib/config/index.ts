export {
  formatAddressPattern,
  matchesAddressPattern,
  matchesAnyAddressPattern,
  parseAddressPattern,
  type AddressPattern,
  type AddressPatternResult,
} from './addressPattern';
export { DEFAULT_POLICY_PATH, loadFilterConfig, loadPolicy, srsInitOf, type FilterConfig } from './load';
export { parsePolicy } from './parsePolicy';
export { formatStoreLocation, parseStoreLocation, type StoreLocation } from './envelopeDatabase';
export type { CourierOverrides, LogLevel, MixedRecipients, OnError, OriginalEnvelope, Policy, SrsBounces } from './policy';
export { formatProblem, type ConfigProblem, type ConfigProblemCode, type ConfigResult } from './problems';
export { parseSecrets, readSecretsFile, type ReadSecretsOptions, type SecretsReading, type SecretsResult } from './secrets';
export {
  formatMode,
  secretsFileCreation,
  secretsFileExposures,
  secretsFileFix,
  type FileOwnership,
  type MailOwners,
  type SecretsExposure,
  type SecretsExposureCode,
} from './secretsPermissions';
