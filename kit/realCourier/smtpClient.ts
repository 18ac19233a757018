// Sends test mail to the real Courier the way another MTA would (nodemailer's SMTP client),
// and reports Courier's reply at the stage that decided it (RCPT or end of DATA).
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { EXTERNAL_CLIENT, SMTP_HOST, SMTP_PORT } from './world';

export interface SendResult {
  /** The reply that decided the message: 250 when queued, else the refusing code. */
  readonly code: number;
  readonly response: string;
  /** The command that reply answered: 'DATA' for the end-of-data verdict, 'RCPT TO' when every RCPT was refused. */
  readonly command: string;
}

export interface Envelope {
  /** '' for the null sender (a bounce). */
  readonly from: string;
  readonly to: readonly string[];
}

interface SmtpError extends Error {
  responseCode?: number;
  response?: string;
  command?: string;
}

function connect(client: string): Promise<SMTPConnection> {
  const connection = new SMTPConnection({
    host: SMTP_HOST,
    port: SMTP_PORT,
    localAddress: client,
    name: client === EXTERNAL_CLIENT ? 'mx.sender.test' : 'localhost',
    ignoreTLS: true,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    // bounded: Courier itself never gives up on a filter that does not answer at the end of DATA
    socketTimeout: 30_000,
  });
  return new Promise((resolve, reject) => {
    connection.once('error', reject);
    connection.connect(() => {
      connection.removeListener('error', reject);
      connection.on('error', () => undefined); // send() reports it
      resolve(connection);
    });
  });
}

function send(connection: SMTPConnection, envelope: Envelope, raw: Buffer): Promise<SendResult> {
  return new Promise((resolve, reject) => {
    connection.send({ from: envelope.from === '' ? false : envelope.from, to: [...envelope.to] }, raw, (err, info) => {
      if (err) {
        const e = err as SmtpError;
        if (e.responseCode === undefined) reject(err); // no SMTP reply at all
        else resolve({ code: e.responseCode, response: e.response ?? e.message, command: e.command ?? '' });
        return;
      }
      const response = info?.response ?? '';
      resolve({ code: Number(/^\d+/.exec(response)?.[0] ?? 0), response, command: 'DATA' });
    });
  });
}

/** One SMTP session from `client` (default: an external MTA) carrying one message. */
export async function sendMail(envelope: Envelope, raw: Buffer, client: string = EXTERNAL_CLIENT): Promise<SendResult> {
  const connection = await connect(client);
  try {
    return await send(connection, envelope, raw);
  } finally {
    connection.quit();
  }
}
