/** Labels of letters, digits, '-' and '_' (Unicode letters too: Courier >= 1.0 speaks UTF-8 domains). */
const DOMAIN = /^[\p{L}\p{N}_-]+(?:\.[\p{L}\p{N}_-]+)*$/u;

export function isDomainName(text: string): boolean {
  return DOMAIN.test(text);
}
