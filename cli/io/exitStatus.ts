/** Exit statuses of srsctl's own subcommands (the Debian srs form keeps Perl's, see dropIn.ts). */
export const STATUS = {
  ok: 0,
  /** The address was refused (not SRS, bad hash, expired, …), check found a problem, or the action failed. */
  refused: 1,
  /** Bad command line, or a policy or secrets file that cannot be used. */
  usage: 2,
  /** status and reload: no filter answers (what init scripts' `status` answers for a stopped service). */
  notRunning: 3,
} as const;
