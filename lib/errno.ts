/**
 * The errno name ('ENOENT', 'EACCES' …) of an operating-system error, undefined for anything
 * else. Checked by shape, not instanceof: errors from node:fs cross realms (e.g. under jest).
 */
export function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}
