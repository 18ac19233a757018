import { closeSync, renameSync, rmSync } from 'node:fs';
import net from 'node:net';

/**
 * The floor any Node filter is measured against: it speaks the filter protocol the way
 * courierfilter starts a filter (socket at argv[2], fd 3 closed when ready, stdin EOF = stop),
 * reads submit's request up to the empty line and answers 200 Ok. It opens no file and logs
 * nothing. Compiled to dist/bench/doNothingFilter.js and started by courierPace.
 */
const socketPath = process.argv[2];
if (socketPath === undefined) throw new Error('usage: doNothingFilter.js SOCKET');
const bindPath = `${socketPath}.binding`;

const server = net.createServer((connection) => {
  let request = '';
  connection.setEncoding('utf8');
  connection.on('data', (text: string) => {
    request += text;
    if (request.endsWith('\n\n')) connection.end('200 Ok\n');
  });
  connection.on('error', () => undefined);
});
rmSync(bindPath, { force: true });
server.listen(bindPath, () => {
  renameSync(bindPath, socketPath);
  closeSync(3);
});
process.stdin.on('end', () => {
  rmSync(socketPath, { force: true });
  process.exit(0);
});
process.stdin.resume();
