// What a receiving MTA makes of a copy at the sink: SPF, DKIM and DMARC as judged by mailauth,
// with the test domains' DNS records served by a stub resolver (the suite has no DNS).
import { generateKeyPairSync } from 'node:crypto';
import type { Delivery } from '../../../kit/realCourier/sink';

/** The sender's own mail servers: anywhere but this host, so its SPF fails for Courier's copy. */
const SENDER_SPF = 'v=spf1 ip4:192.0.2.0/24 -all';
/** Our host: Courier relays from 127.0.0.1, the address the sink sees. */
const OUR_SPF = 'v=spf1 ip4:127.0.0.1 -all';
const DKIM_SELECTOR = 'receiver-test';

/** mailauth 4.8 ships no type declarations: the part of its results the tests read. */
interface Result {
  readonly result: string;
}
export interface Judgement {
  readonly spf: { readonly domain: string; readonly status: Result };
  readonly dkim: { readonly results: readonly { readonly signingDomain: string; readonly status: Result & { readonly aligned?: string | false } }[] };
  readonly dmarc: false | { readonly domain: string; readonly status: Result; readonly alignment: { readonly dkim: { readonly result: string | false } } };
}
type Resolver = (name: string, type: string) => Promise<string[][]>;
interface Mailauth {
  authenticate(
    message: Buffer,
    options: { ip: string; helo: string; sender: string; mta: string; resolver: Resolver; disableArc: boolean; disableBimi: boolean },
  ): Promise<Judgement>;
}
interface DkimSigner {
  dkimSign(
    message: Buffer,
    options: { signatureData: { signingDomain: string; selector: string; privateKey: string }[] },
  ): Promise<{ signatures: string; errors: unknown[] }>;
}
const mailauth = require('mailauth') as Mailauth;
const { dkimSign } = require('mailauth/lib/dkim/sign') as DkimSigner;

/** One key for the whole run: the sender domain's DKIM key, published in the stub zone. */
const dkimKey = generateKeyPairSync('rsa', { modulusLength: 2048 });

/**
 * The DNS a receiver on the internet would see: SPF for the sender's domain (not this host)
 * and for srs-domain (this host), the sender's DKIM key and DMARC policy.
 */
export function testZone(senderDomain: string, srsDomain: string): Map<string, string[]> {
  const publicKey = dkimKey.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  return new Map([
    [`${senderDomain} TXT`, [SENDER_SPF]],
    [`${srsDomain} TXT`, [OUR_SPF]],
    [`${DKIM_SELECTOR}._domainkey.${senderDomain} TXT`, [`v=DKIM1; k=rsa; p=${publicKey}`]],
    [`_dmarc.${senderDomain} TXT`, ['v=DMARC1; p=reject']],
  ]);
}

/** Answers from `zone` only; any other name is NXDOMAIN, as dns.promises.resolve reports it. */
function stubResolver(zone: ReadonlyMap<string, readonly string[]>): Resolver {
  return async (name, type) => {
    const records = zone.get(`${name.toLowerCase()} ${type}`);
    if (records !== undefined) return records.map((text) => [text]);
    throw Object.assign(new Error(`stub resolver: no ${type} record for ${name}`), { code: 'ENOTFOUND' });
  };
}

/** `message` with a real DKIM signature of `domain` in front, as the sender's outbound MTA adds it. */
export async function signAs(domain: string, message: Buffer): Promise<Buffer> {
  const privateKey = dkimKey.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const signed = await dkimSign(message, { signatureData: [{ signingDomain: domain, selector: DKIM_SELECTOR, privateKey }] });
  if (signed.errors.length > 0) throw new Error(`DKIM signing failed: ${JSON.stringify(signed.errors)}`);
  return Buffer.concat([Buffer.from(signed.signatures, 'utf8'), message]);
}

/**
 * The sink's verdict on `delivery` as it came (client address, HELO, MAIL FROM, bytes);
 * `sender` replaces MAIL FROM to ask what the same copy would get with another sender.
 */
export function judge(delivery: Delivery, zone: ReadonlyMap<string, readonly string[]>, sender: string = delivery.mailFrom): Promise<Judgement> {
  return mailauth.authenticate(delivery.raw, {
    ip: delivery.clientIp,
    helo: delivery.helo,
    sender,
    mta: 'sink.test',
    resolver: stubResolver(zone),
    disableArc: true,
    disableBimi: true,
  });
}
