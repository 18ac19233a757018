import net from 'node:net';

/**
 * One SMTP transaction, one command at a time (no PIPELINING), on a connection of its own:
 * greeting, EHLO, MAIL, RCPT, DATA, the message, QUIT.
 *
 * Not nodemailer, on purpose: nodemailer pipelines MAIL/RCPT/DATA whenever the server offers
 * it, and Courier's esmtpd then holds its RCPT reply until the client's delayed ACK, which takes
 * most of the transaction and buries the filter's fraction of a millisecond. The reference
 * figures in bench/README.md were measured with a client that sends one command at a time, as
 * this one does.
 */
export interface Transaction {
  readonly host: string;
  readonly port: number;
  /** The client's own address: 127.0.0.2 looks like an MTA on the internet. */
  readonly localAddress: string;
  readonly helo: string;
  readonly from: string;
  readonly to: string;
  /** The message with CRLF line ends and no line that is a lone ".". */
  readonly message: string;
}

/** Where a reply ends: its last line has a space (or nothing) after the code. */
const FINAL_LINE = /(?:^|\r\n)(\d{3})(?: [^\r\n]*)?\r\n$/;
const TIMEOUT_MS = 30_000;

export function sendOneByOne(transaction: Transaction): Promise<void> {
  const { host, port, localAddress, helo, from, to, message } = transaction;
  // Each command with the reply class it needs; the greeting needs no command.
  const steps: [command: string | null, expect: string][] = [
    [null, '2'],
    [`EHLO ${helo}\r\n`, '2'],
    [`MAIL FROM:<${from}>\r\n`, '2'],
    [`RCPT TO:<${to}>\r\n`, '2'],
    ['DATA\r\n', '3'],
    [`${message}.\r\n`, '2'],
    ['QUIT\r\n', '2'],
  ];
  return new Promise((resolve, reject) => {
    const socket = net.createConnection({ host, port, localAddress, noDelay: true });
    socket.setTimeout(TIMEOUT_MS, () => socket.destroy(new Error(`no SMTP reply in ${TIMEOUT_MS} ms`)));
    socket.setEncoding('latin1');
    let step = 0;
    let reply = '';
    socket.on('data', (text: string) => {
      reply += text;
      const final = FINAL_LINE.exec(reply);
      if (final === null) return;
      const [command, expect] = steps[step] as [string | null, string];
      if (!(final[1] ?? '').startsWith(expect)) {
        socket.destroy(new Error(`${command?.trim() ?? 'greeting'}: ${reply.trim()}`));
        return;
      }
      reply = '';
      step++;
      const next = steps[step];
      if (next === undefined) {
        socket.end();
        resolve();
      } else socket.write(next[0] as string);
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`connection closed after ${step} of ${steps.length} replies`)));
  });
}
