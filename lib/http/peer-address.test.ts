import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { clientAddress, rateLimitSubject } from './client-address';
import { installPeerAddressHook, peerChainHeader } from './peer-address';

/** A real HTTP server on loopback (the hook patches every http.Server); answers with the headers it saw. */
async function serverSeeing(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(req.headers));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function headersSeen(url: string, headers: Record<string, string>, method = 'POST'): Promise<IncomingHttpHeaders> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers, method }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve(JSON.parse(body) as IncomingHttpHeaders));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('installPeerAddressHook', () => {
  it('stamps every request that can change state with X-Forwarded-For as received followed by the socket address, under an unguessable name', async () => {
    await installPeerAddressHook();
    await installPeerAddressHook(); // idempotent: one stamp, not two
    expect(peerChainHeader()).toMatch(/^x-quorum-peer-[0-9a-f]{24}$/);
    const server = await serverSeeing();
    try {
      const plain = await headersSeen(server.url, {});
      expect(plain[peerChainHeader()]).toBe('127.0.0.1');

      // An attacker forges X-Forwarded-For and even sends a header named like ours: the socket wins.
      const forged = await headersSeen(server.url, { 'x-forwarded-for': '203.0.113.9, 10.1.1.1', [peerChainHeader()]: '192.0.2.66' });
      expect(forged[peerChainHeader()]).toBe('203.0.113.9, 10.1.1.1, 127.0.0.1');
      const asRequest = new Request(server.url, { headers: { [peerChainHeader()]: String(forged[peerChainHeader()]) } });
      expect(rateLimitSubject(clientAddress(asRequest, 0))).toBe('v4:127.0.0.1');
    } finally {
      await server.close();
    }
  });

  it('leaves GET and HEAD alone: pages (and prerendered ones above all) pay nothing for it', async () => {
    await installPeerAddressHook();
    const server = await serverSeeing();
    try {
      expect((await headersSeen(server.url, {}, 'GET'))[peerChainHeader()]).toBeUndefined();
      expect((await headersSeen(server.url, {}, 'PUT'))[peerChainHeader()]).toBe('127.0.0.1');
    } finally {
      await server.close();
    }
  });
});
