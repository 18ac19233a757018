import { posix } from 'node:path';

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

export type StoreLocationResult = { readonly ok: true; readonly location: StoreLocation } | { readonly ok: false; readonly message: string };

const PORT_MAX = 65_535;

export function parseStoreLocation(text: string): StoreLocationResult {
  if (text.startsWith('redis:')) return parseRedis(text.slice('redis:'.length));
  if (text.startsWith('lmdb:')) {
    const path = text.slice('lmdb:'.length);
    if (posix.isAbsolute(path)) return { ok: true, location: { kind: 'lmdb', path } };
    return { ok: false, message: 'must name an absolute path after lmdb: (lmdb:/var/lib/courier/srsfilter/senders.lmdb)' };
  }
  if (text.startsWith('sqlite:')) {
    return { ok: false, message: "postsrsd's sqlite: is not supported: use redis: to share senders between hosts, or leave it unset" };
  }
  return { ok: false, message: 'must be redis:HOST:PORT, redis:/path/to/socket or lmdb:/path (or be left unset)' };
}

function parseRedis(rest: string): StoreLocationResult {
  const colon = rest.indexOf(':');
  if (rest.includes('/') || colon < 0) {
    if (posix.isAbsolute(rest)) return { ok: true, location: { kind: 'redis-socket', path: rest } };
    return { ok: false, message: 'must be redis:HOST:PORT or redis: followed by the absolute path of a unix socket' };
  }
  const host = rest.slice(0, colon);
  const portText = rest.slice(colon + 1);
  const port = /^[0-9]+$/.test(portText) ? Number(portText) : NaN;
  if (host.length === 0 || !Number.isInteger(port) || port < 1 || port > PORT_MAX) {
    return { ok: false, message: `must be redis:HOST:PORT with a port from 1 to ${PORT_MAX}` };
  }
  return { ok: true, location: { kind: 'redis', host, port } };
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
