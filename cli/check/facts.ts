import type { Stats } from 'node:fs';
import { lstat, stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { FILTER_NAME } from '../../filter/control';
import { loadPolicy, readSecretsFile, type ConfigResult, type Policy, type SecretsResult } from '../../lib/config';
import {
  courierFiles,
  OVERRIDABLE_COURIER_PATHS,
  readBofh,
  readEnableFiltering,
  readLocalDomains,
  resolveCourierPaths,
  resolveMailIdentity,
  type BofhResult,
  type CourierPaths,
  type CourierPathsResult,
  type EnableFilteringResult,
  type LocalDomainsResult,
  type MailIdentityResult,
} from '../../lib/courier/host';
import { errnoCode } from '../../lib/errno';
import { aliasFileNames } from './aliasFiles';
import { gatherStore, type StoreFacts } from './storeFacts';

/** What stat/lstat said about a path. `unreadable`: not even root-less inspection was possible (e.g. EACCES). */
export type PathFacts =
  | { readonly state: 'missing' }
  | { readonly state: 'unreadable'; readonly code: string }
  | {
      readonly state: 'present';
      readonly kind: 'file' | 'directory' | 'symlink' | 'socket' | 'other';
      readonly mode: number;
      readonly uid: number;
      readonly gid: number;
    };

export type PresentPath = Extract<PathFacts, { state: 'present' }>;

export interface SecretsFacts {
  readonly path: string;
  readonly file: PathFacts;
  /** The contents as the filter reads them; permissions are judged by the checks, not here. */
  readonly read: SecretsResult;
  readonly mailGroup: string;
  /** The mail user and group as numbers, for the permission rule; a failure when either is unknown. */
  readonly mailIdentity: MailIdentityResult;
}

export interface CourierFacts {
  readonly paths: CourierPaths;
  /** `<libexecdir>/filters/srsfilter`, symlinks followed. */
  readonly filter: PathFacts;
  /** `<sysconfdir>/filters/active/srsfilter`, the symlink itself. */
  readonly activeLink: PathFacts;
  /** `<localstatedir>/allfilters/srsfilter`: present while the filter runs. */
  readonly socket: PathFacts;
  readonly enableFiltering: EnableFilteringResult;
  /** The `opt` settings of Courier's bofh file, among them the SPF checks at SMTP time. */
  readonly bofh: BofhResult;
  /** Courier's own local domains, without the policy's local-domains: those make Courier accept nothing. */
  readonly courierLocalDomains: LocalDomainsResult;
  readonly aliasDir: string;
  /** Which of the aliasdir files the policy needs exist (see aliasFiles.ts). */
  readonly aliasFiles: ReadonlyMap<string, PathFacts>;
}

export interface CheckFacts {
  readonly configPath: string;
  readonly policy: ConfigResult<Policy>;
  /** Undefined when the policy is unusable (its secrets-file is unknown then). */
  readonly secrets: SecretsFacts | undefined;
  readonly courierPaths: CourierPathsResult;
  readonly courier: CourierFacts | undefined;
  /** Undefined when the policy has no store (or is unusable). */
  readonly store: StoreFacts | undefined;
}

/** Reads everything `srsctl check` judges; never throws for what it finds. */
export async function gatherCheckFacts(configPath: string): Promise<CheckFacts> {
  const policy = await loadPolicy(configPath);
  const overrides = policy.ok ? policy.value.courier : {};
  // check reports on every path and on the mail user, so it needs them all.
  const courierPaths = await resolveCourierPaths(overrides, { needs: OVERRIDABLE_COURIER_PATHS });
  const mailGroup = courierPaths.ok ? courierPaths.value.mailgroup : (overrides.mailgroup ?? 'courier');
  const mailUser = courierPaths.ok ? courierPaths.value.mailuser : (overrides.mailuser ?? 'courier');
  return {
    configPath,
    policy,
    secrets: policy.ok ? await gatherSecrets(policy.value.secretsFile, mailUser, mailGroup) : undefined,
    courierPaths,
    courier: courierPaths.ok ? await gatherCourier(courierPaths.value, policy.ok ? policy.value : undefined) : undefined,
    store: policy.ok ? await gatherStore(policy.value) : undefined,
  };
}

async function gatherSecrets(path: string, mailUser: string, mailGroup: string): Promise<SecretsFacts> {
  return {
    path,
    file: await pathFacts(path, stat),
    read: await readSecretsFile(path, 'policy', { checkPermissions: false }),
    mailGroup,
    mailIdentity: await resolveMailIdentity(mailUser, mailGroup),
  };
}

async function gatherCourier(paths: CourierPaths, policy: Policy | undefined): Promise<CourierFacts> {
  const files = courierFiles(paths);
  const names = policy === undefined ? [] : aliasFileNames(policy);
  const aliasFiles = new Map<string, PathFacts>();
  for (const name of names) aliasFiles.set(name, await pathFacts(posix.join(files.aliasDir, name), stat));
  return {
    paths,
    filter: await pathFacts(posix.join(files.filtersDir, FILTER_NAME), stat),
    activeLink: await pathFacts(posix.join(files.activeFiltersDir, FILTER_NAME), lstat),
    socket: await pathFacts(posix.join(files.allFiltersSocketDir, FILTER_NAME), stat),
    enableFiltering: await readEnableFiltering(paths),
    bofh: await readBofh(paths),
    courierLocalDomains: await readLocalDomains(paths, []),
    aliasDir: files.aliasDir,
    aliasFiles,
  };
}

async function pathFacts(path: string, inspect: typeof stat | typeof lstat): Promise<PathFacts> {
  try {
    const stats = await inspect(path);
    return { state: 'present', kind: kindOf(stats), mode: stats.mode & 0o7777, uid: stats.uid, gid: stats.gid };
  } catch (error) {
    const code = errnoCode(error) ?? String(error);
    return code === 'ENOENT' || code === 'ENOTDIR' ? { state: 'missing' } : { state: 'unreadable', code };
  }
}

function kindOf(stats: Stats): PresentPath['kind'] {
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'directory';
  if (stats.isSocket()) return 'socket';
  return 'other';
}
