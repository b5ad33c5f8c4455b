import { describe, expect, it } from 'vitest';
import { clientAddress, clientFromChain, parseAddress, rateLimitSubject } from './client-address';
import { peerChain, peerChainHeader } from './peer-address';

const subjectOf = (chain: string, hops: number) => rateLimitSubject(clientFromChain(chain, hops));

describe('parseAddress', () => {
  it('normalises what proxies write, and refuses what they never do', () => {
    expect(parseAddress(' 203.0.113.7 ')).toBe('203.0.113.7');
    expect(parseAddress('203.0.113.7:51234')).toBe('203.0.113.7');
    expect(parseAddress('[2001:db8::1]:443')).toBe('2001:db8::1');
    expect(parseAddress('2001:0DB8:0000::0001')).toBe('2001:db8::1');
    expect(parseAddress('fe80::1%eth0')).toBe('fe80::1');
    // IPv4-mapped IPv6 is the IPv4 address: one client, one key.
    expect(parseAddress('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(parseAddress('::ffff:cb00:7107')).toBe('203.0.113.7');
    for (const junk of ['', 'unknown', '_hidden', '999.1.1.1', '1', '0x7f.1', '1.2.3', 'for=192.0.2.60', '[::1', 'a b']) {
      expect(parseAddress(junk), junk).toBeUndefined();
    }
  });
});

describe('clientFromChain: read from the right, past the trusted proxies', () => {
  it('with no proxy (0 hops), is the socket, whatever X-Forwarded-For says', () => {
    expect(clientFromChain(peerChain(undefined, '198.51.100.9'), 0)).toEqual({ kind: 'ip', address: '198.51.100.9' });
    for (let i = 0; i < 20; i += 1) {
      expect(subjectOf(peerChain(`10.0.0.${i}, 203.0.113.${i}`, '198.51.100.9'), 0)).toBe('v4:198.51.100.9');
    }
  });

  it('behind one proxy, is what the proxy appended, not what the client wrote before it', () => {
    // The client sent "1.1.1.1"; nginx appended the client's real address; the socket is nginx.
    const chain = peerChain('1.1.1.1, 203.0.113.50', '127.0.0.1');
    expect(clientFromChain(chain, 1)).toEqual({ kind: 'ip', address: '203.0.113.50' });
    expect(clientFromChain(chain, 2)).toEqual({ kind: 'ip', address: '1.1.1.1' });
  });

  it('falls back to the furthest entry when there are fewer entries than hops, and to unknown for garbage', () => {
    expect(clientFromChain(peerChain(undefined, '127.0.0.1'), 3)).toEqual({ kind: 'ip', address: '127.0.0.1' });
    expect(clientFromChain(peerChain('not-an-ip', '127.0.0.1'), 1)).toEqual({ kind: 'unknown' });
  });
});

describe('rateLimitSubject', () => {
  it('groups IPv6 by /64 and folds IPv4-mapped addresses into IPv4', () => {
    const a = subjectOf(peerChain(undefined, '2001:db8:1:2:aaaa::1'), 0);
    const b = subjectOf(peerChain(undefined, '2001:db8:1:2:ffff:ffff:ffff:ffff'), 0);
    const otherNetwork = subjectOf(peerChain(undefined, '2001:db8:1:3::1'), 0);
    expect(a).toBe('v6:2001:db8:1:2::/64');
    expect(b).toBe(a);
    expect(otherNetwork).not.toBe(a);
    expect(subjectOf(peerChain(undefined, '::ffff:192.0.2.1'), 0)).toBe(subjectOf(peerChain(undefined, '192.0.2.1'), 0));
    expect(rateLimitSubject({ kind: 'unknown' })).toBe('unknown');
  });
});

describe('clientAddress(request)', () => {
  it('trusts only the hook header: a request without it is unknown, even with X-Forwarded-For', () => {
    const forged = new Request('http://localhost/api', { headers: { 'x-forwarded-for': '203.0.113.1' } });
    expect(clientAddress(forged, 0)).toEqual({ kind: 'unknown' });
    expect(clientAddress(forged, 1)).toEqual({ kind: 'unknown' });
    // A client guessing the header's name by its prefix gets nothing either.
    const guessed = new Request('http://localhost/api', { headers: { 'x-quorum-peer': '203.0.113.1' } });
    expect(clientAddress(guessed, 0)).toEqual({ kind: 'unknown' });
    const stamped = new Request('http://localhost/api', { headers: { [peerChainHeader()]: peerChain('203.0.113.1', '198.51.100.2') } });
    expect(clientAddress(stamped, 0)).toEqual({ kind: 'ip', address: '198.51.100.2' });
  });
});
