/**
 * Where a command writes, injected so unit tests capture it. Commands return their exit status
 * instead of calling process.exit, so buffered output always reaches the pipe.
 */
export interface CliIo {
  /** Program name that prefixes every error line, e.g. `srsctl: …`. */
  readonly name: string;
  /** Text is written as UTF-8; a Buffer as its bytes. */
  readonly stdout: (output: string | Buffer) => void;
  readonly stderr: (text: string) => void;
}

export type Command = (args: readonly string[], io: CliIo) => Promise<number>;

/** One line on stderr, `name: message`; returns `status` so callers can `return fail(…)`. */
export function fail(io: CliIo, message: string, status: number): number {
  io.stderr(`${io.name}: ${message}\n`);
  return status;
}

/** Lines that explain a failure (e.g. each policy problem), then the failure itself. */
export function failWithDetails(io: CliIo, details: readonly string[], message: string, status: number): number {
  for (const detail of details) io.stderr(`${io.name}: ${detail}\n`);
  return fail(io, message, status);
}

/** Something the admin should know that does not stop the command. */
export function warn(io: CliIo, message: string): void {
  io.stderr(`${io.name}: warning: ${message}\n`);
}

/**
 * Entry point of a compiled CLI. Anything thrown is a bug: it is reported as one line (no stack
 * trace for the admin to wade through) with `bugStatus`, which each program picks so that even
 * a bug means what its caller expects (for Courier's pipe aliases: try again later).
 */
export function runMain(name: string, command: Command, bugStatus: number): void {
  const io: CliIo = {
    name,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  };
  command(process.argv.slice(2), io).then(
    (status) => {
      process.exitCode = status;
    },
    (error: unknown) => {
      process.exitCode = fail(io, `internal error: ${error instanceof Error ? error.message : String(error)}`, bugStatus);
    },
  );
}
