// Test messages: each carries a unique token (in Message-ID and Subject) so a test
// finds its own copies among everything else the sink and mailboxes receive.
import { randomBytes } from 'node:crypto';

export function newToken(label: string): string {
  return `${label}-${randomBytes(6).toString('hex')}`;
}

/**
 * A message shaped like real signed mail, with the details a careless rewrite
 * breaks: a DKIM-Signature, folded headers, a MIME body with base64 and
 * quoted-printable parts, trailing white space, a line starting with a dot
 * (dot-stuffed on the wire), 8-bit UTF-8 text. CRLF line ends throughout.
 * The signature is only bytes to keep intact; receiver.ts signs for real.
 */
export function buildMessage(token: string, from: string, to: string): Buffer {
  const signature = [
    'DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=sender.test; s=e2e;',
    '\th=from:to:subject:date:message-id; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;',
    '\tb=dGhpcyBpcyBub3QgYSByZWFsIHNpZ25hdHVyZSwganVzdCBieXRlcyB0byBrZWVwIGludGFjdA==',
    '',
  ];
  return Buffer.concat([Buffer.from(signature.join('\r\n'), 'utf8'), buildUnsignedMessage(token, from, to)]);
}

/** buildMessage's message without a DKIM-Signature header. */
export function buildUnsignedMessage(token: string, from: string, to: string): Buffer {
  const lines = [
    `From: Alice Example <${from}>`,
    `To: ${to}`,
    'Cc: Carol Example <carol@remote.test>, dave@remote.test',
    'Reply-To: "Alice, A." <alice@sender.test>',
    `Subject: srsfilter e2e ${token}`,
    '  =?UTF-8?Q?gr=C3=BC=C3=9Fe?=',
    'Date: Tue, 25 Nov 2025 10:00:00 +0000',
    `Message-ID: <${token}@sender.test>`,
    'X-Trailing-Space: kept   ',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    'preamble',
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    'Grüße aus dem Test. Trailing blanks stay:  ',
    '.a line that starts with a dot',
    '..and one with two',
    '',
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'soft=',
    'break and =C3=BC',
    '--b1',
    'Content-Type: application/octet-stream; name="blob.bin"',
    'Content-Transfer-Encoding: base64',
    '',
    randomBytes(300).toString('base64').replace(/.{76}/g, '$&\r\n'),
    '--b1--',
    '',
  ];
  return Buffer.from(lines.join('\r\n'), 'utf8');
}
