import type { CliIo } from '../../../cli/io/cliIo';

/** A CliIo that keeps what a command writes. */
export function captureIo(name = 'srsctl'): CliIo & { readonly out: () => string; readonly err: () => string } {
  let stdout = '';
  let stderr = '';
  return {
    name,
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    out: () => stdout,
    err: () => stderr,
  };
}
