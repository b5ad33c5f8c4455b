/**
 * Whether a configured secret is a real one. Production refuses the values people paste from an
 * example file (`REPLACE-with-…`, `re_REPLACE_ME`, `changeme`) and strings with too little
 * entropy to be anyone's secret (`aaaa…`, `0123…`). The entropy figure is an estimate that
 * catches repeats and runs, not a proof of randomness: the smaller of the per-character Shannon
 * entropy of the characters and of the steps between them, times the length. A random base64 or
 * hex string scores near its true entropy on both; "abcdefgh…" scores 0 on the steps.
 */

const PLACEHOLDER =
  /replace|change[\s_-]?me|placeholder|example|your[\s_-]|insert|fill[\s_-]?in|todo|fixme|dummy|sample|secret|password|passw0rd|xxxx|\.\.\.|<[^>]*>/i;

export type SecretProblem = 'placeholder' | 'low-entropy';

function shannonBitsPerSymbol(symbols: readonly (string | number)[]): number {
  const counts = new Map<string | number, number>();
  for (const symbol of symbols) counts.set(symbol, (counts.get(symbol) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / symbols.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** Estimated bits of entropy in `value` (see the module comment). */
export function estimatedEntropyBits(value: string): number {
  const chars = [...value];
  if (chars.length < 2) return 0;
  const codes = chars.map((char) => char.codePointAt(0)!);
  const steps = codes.slice(1).map((code, i) => code - codes[i]!);
  return Math.min(shannonBitsPerSymbol(chars), shannonBitsPerSymbol(steps)) * chars.length;
}

/** Text a secret may hide a placeholder in: itself, and the bytes of its base64 body if it has one. */
function readings(value: string): string[] {
  const body = value.replace(/^(?:whsec_|re_|sk_)/, '');
  const decoded = /^[A-Za-z0-9+/_-]{8,}={0,2}$/.test(body) ? Buffer.from(body, 'base64').toString('latin1') : '';
  return /^[\x20-\x7e]+$/.test(decoded) ? [value, decoded] : [value];
}

/** Why `value` is not a usable secret (undefined: it is). `minBits` is the entropy it must reach. */
export function secretProblem(value: string, minBits: number): SecretProblem | undefined {
  if (readings(value).some((text) => PLACEHOLDER.test(text))) return 'placeholder';
  if (estimatedEntropyBits(value) < minBits) return 'low-entropy';
  return undefined;
}
