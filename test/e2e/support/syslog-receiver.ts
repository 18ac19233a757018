// A stand-in syslog daemon for machines without one: Courier logs only through
// syslog(3), so without a receiver on /dev/log every diagnostic is lost.
// Node has no UNIX datagram sockets, but glibc's syslog(3) falls back to a
// stream socket when /dev/log refuses datagrams, and then ends every message
// with a NUL byte; that is the framing read here.
//
//   node -r ts-node/register/transpile-only syslog-receiver.ts LOGFILE
import { appendFileSync, chmodSync, unlinkSync } from 'node:fs';
import { createServer } from 'node:net';

const SOCKET = '/dev/log';
const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

/** `<PRI>Mmm dd hh:mm:ss tag: text` → `hh:mm:ss.mmm severity tag: text` (our clock, ms resolution). */
function formatLine(message: string): string {
  const match = /^<(\d+)>(?:\w{3} [ \d]\d \d\d:\d\d:\d\d )?(.*)$/s.exec(message);
  const severity = match ? (SEVERITIES[Number(match[1]) % 8] ?? 'info') : 'info';
  const text = (match ? match[2] ?? '' : message).replace(/\n+$/, '');
  const stamp = new Date().toISOString().slice(11, 23);
  return `${stamp} ${severity} ${text}\n`;
}

function main(logFile: string): void {
  try {
    unlinkSync(SOCKET); // the caller checked that no daemon serves it: a stale socket
  } catch {
    // nothing to remove
  }
  const server = createServer((connection) => {
    let pending = '';
    connection.setEncoding('utf8');
    connection.on('data', (chunk: string) => {
      const parts = (pending + chunk).split('\0');
      pending = parts.pop() ?? '';
      if (parts.length > 0) appendFileSync(logFile, parts.map(formatLine).join(''));
    });
    connection.on('error', () => connection.destroy());
  });
  server.listen(SOCKET, () => chmodSync(SOCKET, 0o666));
  const stop = (): void => {
    server.close(); // also removes the socket file
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

const logFile = process.argv[2];
if (logFile === undefined) {
  process.stderr.write('usage: syslog-receiver.ts LOGFILE\n');
  process.exit(2);
}
main(logFile);
