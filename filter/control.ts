import path from 'node:path';
import { z } from 'zod';

/*
 * srsctl talks to the running filter over a UNIX socket of the filter's own, one JSON line each
 * way: a request, then the answer, then the filter closes the connection.
 *
 * Why a socket rather than a pid file, SIGHUP and a status file: the answer comes back on the
 * connection that asked, so a reload's verdict can never be another reload's; a dead filter
 * refuses the connection, so "running" needs no pid that may have been reused; and nothing has
 * to be written atomically or polled.
 *
 * Where: `<localstatedir>/srsfilter/<name>.control`, in a directory of its own that the filter
 * creates with mode 0700. The filter runs as Courier's mail user, which owns localstatedir; srsctl
 * runs as root or as that user, and nobody else can reach the socket. It is never in allfilters/
 * or filters/: courierfilter and submit treat every socket there as a mail filter.
 */

/** The name `filterctl start` knows the filter by, as the package installs it; `--name` tells another. */
export const FILTER_NAME = 'srsfilter';

export const CONTROL_DIR_NAME = 'srsfilter';

export function controlSocketPath(localstatedir: string, filterName: string): string {
  return path.join(localstatedir, CONTROL_DIR_NAME, `${filterName}.control`);
}

/** A request is one line; anything longer is not one of ours. */
export const MAX_CONTROL_LINE_BYTES = 1024;

export const controlRequestSchema = z.object({ command: z.enum(['status', 'reload']) });
export type ControlRequest = z.infer<typeof controlRequestSchema>;

export const decisionCountsSchema = z.object({
  rewrite: z.number(),
  reverse: z.number(),
  pass: z.number(),
  reject: z.number(),
  error: z.number(),
});
export type DecisionCounts = z.infer<typeof decisionCountsSchema>;

export const statusReportSchema = z.object({
  /** The filter's name: its socket is `allfilters/<name>`. */
  name: z.string(),
  pid: z.number(),
  /** ISO 8601 times. */
  startedAt: z.string(),
  uptimeSeconds: z.number(),
  configPath: z.string(),
  policyLoadedAt: z.string(),
  srsDomain: z.string(),
  secrets: z.number(),
  decisions: decisionCountsSchema,
  /** The sender store (envelope-database), or null when the policy uses none or it could not be opened. */
  store: z
    .object({
      location: z.string(),
      /** Store calls that failed or timed out since the store was opened. */
      errors: z.number(),
      last: z.object({ code: z.string(), message: z.string(), at: z.number() }).nullable(),
    })
    .nullable(),
  /** Why the policy's sender store could not be opened, or null. */
  storeProblem: z.string().nullable(),
});
export type StatusReport = z.infer<typeof statusReportSchema>;

export const reloadVerdictSchema = z.discriminatedUnion('applied', [
  z.object({
    applied: z.literal(true),
    /** What differs from the configuration before, one short phrase each; empty when nothing does. */
    changes: z.array(z.string()),
    secrets: z.number(),
  }),
  z.object({
    applied: z.literal(false),
    /** `file:line:column: key: message` where the file allows. */
    problems: z.array(z.string()),
  }),
]);
export type ReloadVerdict = z.infer<typeof reloadVerdictSchema>;

export const controlResponseSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('status'), status: statusReportSchema }),
  z.object({ kind: z.literal('reload'), reload: reloadVerdictSchema }),
  z.object({ kind: z.literal('error'), message: z.string() }),
]);
export type ControlResponse = z.infer<typeof controlResponseSchema>;
