/**
 * How Courier is set up on this host: its directories and mail user (courier-config), and the
 * configuration files that decide which domains are local or accepted, which mail sources are
 * filtered and how SPF failures are handled.
 */
export { readAcceptMailFor, type AcceptMailFor, type AcceptMailForResult } from './acceptMailFor';
export { readBofh, spfFailHandling, type BofhResult, type SmtpSpfSetting, type SpfFailHandling } from './bofh';
export type { ConfigReadFailure } from './configText';
export { readEnableFiltering, type EnableFilteringResult } from './enableFiltering';
export { readLocalDomains, type LocalDomains, type LocalDomainsResult, type LocalMatch } from './localDomains';
export { groupId, resolveMailIdentity, type MailIdentity, type MailIdentityErrorCode, type MailIdentityResult } from './mailIdentity';
export {
  courierFiles,
  discoverCourierPaths,
  OVERRIDABLE_COURIER_PATHS,
  resolveCourierPaths,
  type CourierFiles,
  type CourierPathOverrides,
  type CourierPaths,
  type CourierPathsErrorCode,
  type CourierPathsResult,
} from './paths';
