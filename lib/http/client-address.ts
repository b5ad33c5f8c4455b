import ipaddr from 'ipaddr.js';
import { env } from '../env';
import { peerChainHeader } from './peer-address';

/**
 * The client's address, as a rate limit should see it.
 *
 * The chain is X-Forwarded-For followed by the socket's address (lib/http/peer-address.ts). It is
 * read from the right, as Express's `trust proxy = N` does: each of the TRUSTED_PROXY_HOPS proxies
 * in front appended the address it saw, so the entry N places left of the socket's is what the
 * outermost of them saw: the client. Entries further left were written by the client: ignored.
 *   0 (default): nothing in front, `node server.js` serves the internet: the socket's address.
 *   1: one proxy (an Ingress controller, or nginx alone in front of the app).
 *   2: the Ingress controller and the cache tier behind it (deploy/k8s, the fleet proof);
 *      +1 for each CDN or proxy further out.
 */

export type ClientAddress = { kind: 'ip'; address: string } | { kind: 'unknown' };

const UNKNOWN: ClientAddress = { kind: 'unknown' };

/** "1.2.3.4", "1.2.3.4:567", "[2001:db8::1]:443", "::ffff:1.2.3.4" → a normalised address, or undefined. */
export function parseAddress(entry: string): string | undefined {
  let value = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (bracketed) value = bracketed[1]!;
  else if (/^\d{1,3}(?:\.\d{1,3}){3}:\d+$/.test(value)) value = value.slice(0, value.lastIndexOf(':'));
  value = value.replace(/%[\w.-]+$/, ''); // a zone id (fe80::1%eth0) names an interface, not a host
  if (!ipaddr.isValid(value)) return undefined;
  // isValid accepts shorthand IPv4 ("1", "0x7f.1"), which no proxy writes: only dotted quads.
  if (!value.includes(':') && !ipaddr.IPv4.isValidFourPartDecimal(value)) return undefined;
  let parsed = ipaddr.parse(value);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.toString();
}

/** The client in `chain` (comma-separated, socket last) behind `trustedHops` proxies. */
export function clientFromChain(chain: string, trustedHops: number): ClientAddress {
  const entries = chain.split(',').map((entry) => entry.trim());
  // Fewer entries than hops: a request that came round the proxies; its furthest entry is still
  // one a proxy (or the socket) wrote, the best there is.
  const index = Math.max(0, entries.length - 1 - trustedHops);
  const address = parseAddress(entries[index] ?? '');
  return address ? { kind: 'ip', address } : UNKNOWN;
}

/** The address of the client that sent `request`; unknown when the peer-address hook did not see it. */
export function clientAddress(request: Request, trustedHops: number = env.TRUSTED_PROXY_HOPS): ClientAddress {
  const chain = request.headers.get(peerChainHeader());
  return chain === null ? UNKNOWN : clientFromChain(chain, trustedHops);
}

/**
 * What a rate limit counts per: an IPv4 address, or an IPv6 /64. A /64 is one network (a single
 * LAN or a single host's SLAAC range): a host can rotate through 2^64 addresses in it at will, but
 * not beyond it. A /56 would be a household on most ISPs, yet on ISPs that hand out /64s it would
 * put up to 256 neighbours in one bucket; /64 never merges two customers.
 */
export function rateLimitSubject(client: ClientAddress): string {
  if (client.kind === 'unknown') return 'unknown';
  const parsed = ipaddr.parse(client.address);
  if (parsed.kind() === 'ipv4') return `v4:${parsed.toString()}`;
  const prefix = (parsed as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16));
  return `v6:${prefix.join(':')}::/64`;
}
