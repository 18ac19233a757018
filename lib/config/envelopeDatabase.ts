import { posix } from 'node:path';
import { fail, ok, type Failure, type Result } from '../result';

/**
 * Where stored senders live (`envelope-database`, postsrsd's key and syntax):
 * - `redis:HOST:PORT`, or `redis:PATH` for a unix socket (a path is anything with a `/` or
 *   without a `:`, as postsrsd reads it);
 * - `lmdb:PATH`, an embedded store at an absolute path;
 * - unset: the embedded store under Courier's localstatedir (resolved where Courier's paths are known).
 */
export type StoreLocation =
  | { readonly kind: 'redis'; readonly host: string; readonly port: number }
  | { readonly kind: 'redis-socket'; readonly path: string }
  | { readonly kind: 'lmdb'; readonly path: string };

/** The message says what the value must look like; the policy loader reports it at the key. */
export type StoreLocationResult = Result<StoreLocation, Failure<'invalid-value'>>;

const PORT_MAX = 65_535;

export function parseStoreLocation(text: string): StoreLocationResult {
  if (text.startsWith('redis:')) return parseRedis(text.slice('redis:'.length));
  if (text.startsWith('lmdb:')) {
    const path = text.slice('lmdb:'.length);
    if (posix.isAbsolute(path)) return ok({ kind: 'lmdb', path });
    return invalid('must name an absolute path after lmdb: (lmdb:/var/lib/courier/srsfilter/senders.lmdb)');
  }
  if (text.startsWith('sqlite:')) {
    return invalid("postsrsd's sqlite: is not supported: use redis: to share senders between hosts, or leave it unset");
  }
  return invalid('must be redis:HOST:PORT, redis:/path/to/socket or lmdb:/path (or be left unset)');
}

function parseRedis(rest: string): StoreLocationResult {
  const colon = rest.indexOf(':');
  if (rest.includes('/') || colon < 0) {
    if (posix.isAbsolute(rest)) return ok({ kind: 'redis-socket', path: rest });
    return invalid('must be redis:HOST:PORT or redis: followed by the absolute path of a unix socket');
  }
  const host = rest.slice(0, colon);
  const portText = rest.slice(colon + 1);
  const port = /^[0-9]+$/.test(portText) ? Number(portText) : NaN;
  if (host.length === 0 || !Number.isInteger(port) || port < 1 || port > PORT_MAX) {
    return invalid(`must be redis:HOST:PORT with a port from 1 to ${PORT_MAX}`);
  }
  return ok({ kind: 'redis', host, port });
}

function invalid(message: string): StoreLocationResult {
  return fail({ code: 'invalid-value', message });
}

export function formatStoreLocation(location: StoreLocation): string {
  switch (location.kind) {
    case 'redis':
      return `redis:${location.host}:${location.port}`;
    case 'redis-socket':
      return `redis:${location.path}`;
    case 'lmdb':
      return `lmdb:${location.path}`;
  }
}
