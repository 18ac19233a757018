/** One recipient of a control file, in file order. */
export interface Recipient {
  /** Which control file of the message holds it, 0-based in the order Courier sent the paths. */
  readonly file: number;
  /** Position among that file's `r` records, 0-based (the number `I`/`S` records use). */
  readonly index: number;
  /** The `r` record: where Courier will deliver. */
  readonly address: string;
  /** The `R` record (ORCPT): the alias it came from, '' when none. `rfc822;` prefix removed. */
  readonly originalRecipient: string;
  /** The `N` record: DSN NOTIFY flags ('' none, 'N' never, 'F','S','D' combinations). */
  readonly dsn: string;
  /**
   * True when an `S<index>` (delivered) or `F<index>` (failed) record marks it done, e.g. the
   * alias entry of a multi-member alias. Courier delivers done recipients no more.
   */
  readonly done: boolean;
  /**
   * Text of the `I<index> R …` record, '' when none (e.g. "250 Ok - delivered to alias.").
   * A multi-line reply has one record per line; they are joined with '\n'.
   */
  readonly doneReply: string;
}

/** What the policy needs to know about one message, read from its control file(s). */
export interface Envelope {
  /** The `s` record; '' for the null sender. */
  readonly sender: string;
  /** Every recipient of every control file, in order. */
  readonly recipients: readonly Recipient[];
  /** The `u` record: how it arrived ('smtp', 'authsmtp', 'local', …). */
  readonly source: string;
  /** True when an `ORELAYCLIENT=` record is present (the client may relay). */
  readonly relayClient: boolean;
  /** The `M` record: Courier's queue/message id. */
  readonly messageId: string;
}

/**
 * A parsed control file. Only parseControlFile and the with* editors make one, so every
 * address record in it is valid UTF-8 and the first record is the `s` record.
 */
export interface ControlFile {
  /** Every record in file order, byte for byte, without its '\n'; byte 0 is the record type. */
  readonly records: readonly Buffer[];
}

/** Stable codes: they appear in logs and in the filter's 4xx reply. */
export type ControlFileErrorCode =
  | 'not-found' // the path does not exist (read/write)
  | 'unreadable' // no permission, or a directory (read)
  | 'unwritable' // no permission or read-only file system (write)
  | 'io-error' // any other operating-system error
  | 'too-large' // the file or one line is over the limits
  | 'truncated' // the last line has no '\n': not what submit wrote
  | 'nul-byte' // a NUL byte: Courier's C code would see a different file
  | 'no-sender' // empty file, or the first record is not `s`
  | 'duplicate-sender' // a second `s` record: which one is the sender is ambiguous
  | 'bad-encoding' // an address record (s, r, R) is no valid UTF-8 or holds a control character
  | 'outside-queue' // the opened file lies outside Courier's queue (a symlinked directory) or on another device
  | 'foreign-owner' // the opened file belongs neither to the mail user nor to the mail group
  | 'message-too-large'; // the control files of one message together are over the limit

export interface ControlFileFailure {
  readonly ok: false;
  readonly code: ControlFileErrorCode;
  /** One sentence for a log line; never contains the file's content. */
  readonly message: string;
}

export type ControlFileResult = { readonly ok: true; readonly file: ControlFile } | ControlFileFailure;

/** Bounds on what parseControlFile accepts, so a hostile or broken file cannot exhaust memory. */
export interface ControlFileLimits {
  readonly maxBytes: number;
  readonly maxLineBytes: number;
}

/** A new envelope recipient address for recipient `index` of control file `file`. */
export interface RecipientChange {
  readonly file: number;
  readonly index: number;
  readonly to: string;
}

/** The rewrite a policy decided; lib/policy builds its decisions on these types. */
export interface EnvelopeChanges {
  readonly sender?: string;
  readonly recipients?: readonly RecipientChange[];
}

/** What `courier-config` prints, the fields srsfilter uses. */
export interface CourierPaths {
  readonly sysconfdir: string;
  readonly localstatedir: string;
  readonly libexecdir: string;
  readonly bindir: string;
  readonly sbindir: string;
  readonly mailuser: string;
  readonly mailgroup: string;
}

export type CourierPathsErrorCode =
  | 'not-installed' // no courier-config on PATH
  | 'failed' // courier-config exited non-zero or timed out
  | 'bad-output'; // a needed field is missing or not an absolute path

export type CourierPathsResult =
  | { readonly ok: true; readonly paths: CourierPaths }
  | { readonly ok: false; readonly code: CourierPathsErrorCode; readonly message: string };

/** One line of `locals` (or of the policy's `local-domains`), normalised. */
export interface DomainRule {
  /** Lower-case Unicode domain; a leading '.' matches every subdomain (not the domain itself). */
  readonly pattern: string;
  /** A `!` line: the domain is NOT local, even if a later wildcard matches it. */
  readonly exclude: boolean;
}

/** One line of `hosteddomains`: a hosted domain, or an alias for one. */
export interface HostedDomain {
  /** Lower-case Unicode domain; a leading '.' matches every subdomain. */
  readonly domain: string;
  /** The domain after the TAB ('' when none): mail to `domain` is delivered as if to this. */
  readonly aliasOf: string;
}

/** Which configuration made a domain local: for `srsctl explain` and log lines. */
export interface LocalMatch {
  readonly source: 'locals' | 'hosteddomains' | 'local-domains';
  /** The matching line as normalised, e.g. '.example.org' or '*'. */
  readonly rule: string;
}

export interface LocalDomains {
  /**
   * Case-insensitive, IDN-aware, tolerates one trailing dot. '' is not local: Courier calls an
   * address without a domain local, but whether one may appear is the caller's judgement.
   */
  isLocal(domain: string): boolean;
  /** The rule that makes `domain` local, undefined when it is not local. */
  whyLocal(domain: string): LocalMatch | undefined;
}

/** The domains Courier's ESMTP server accepts mail for: its local domains and those it relays for. */
export interface AcceptMailFor {
  /** Case-insensitive, IDN-aware, tolerates one trailing dot; '' is not accepted. */
  accepts(domain: string): boolean;
}

export type ConfigReadFailure = {
  readonly ok: false;
  readonly code: 'unreadable';
  readonly message: string;
};

export type AcceptMailForResult = { readonly ok: true; readonly domains: AcceptMailFor } | ConfigReadFailure;

export type LocalDomainsResult = { readonly ok: true; readonly domains: LocalDomains } | ConfigReadFailure;

export type EnableFilteringResult =
  | {
      readonly ok: true;
      /** The mail sources submit filters ('esmtp', 'local', 'uucp'); [] when the file is absent. */
      readonly sources: readonly string[];
    }
  | ConfigReadFailure;
