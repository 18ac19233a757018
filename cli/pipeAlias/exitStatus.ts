/*
 * Exit statuses Courier understands from a pipe delivery (`| command` in an alias or aliasdir
 * file), per dot-courier(5) and module.local/localmail.c:
 * - 0 (and 99): delivered;
 * - 64 65 67 68 69 76 77 78 100 112: permanent failure, the message is returned to its sender
 *   (subject to Courier's backscatter suppression); 70 (EX_SOFTWARE) too, without tracking;
 * - anything else, e.g. 75 (EX_TEMPFAIL): temporary, the message stays queued and is retried.
 * So srs-forwarder and srs-reverser fail permanently only for an address that can never be
 * delivered (a forged, expired or malformed SRS address); everything an admin can fix (a
 * broken policy, an unreadable secret, a wrong alias line, sendmail not starting) is temporary,
 * and the mail waits in the queue until it is fixed.
 */
export const EXIT = {
  delivered: 0,
  /** EX_NOUSER: the SRS address is invalid and always will be. */
  invalidAddress: 67,
  /** EX_TEMPFAIL: try again later. */
  tempFail: 75,
} as const;

/** A delivery that did not happen: the exit status Courier must see, and the line for its delivery log. */
export interface NotDelivered {
  readonly status: number;
  readonly message: string;
}
