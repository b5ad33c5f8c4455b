import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { processSingleton } from '../process-singleton';

/**
 * Hands each request's TCP peer address to route handlers, which Next.js cannot do: a Request has
 * no socket, and Next only fills in X-Forwarded-For when the client sent none, so without this a
 * client chooses its own address (and its rate-limit bucket) by sending the header.
 *
 * `installPeerAddressHook()` (instrumentation.ts, Node.js runtime) wraps http.Server's emit so
 * that, before Next sees a request, the chain "X-Forwarded-For as received, then the socket's
 * address" is written into a header whose name carries a random per-process token. A client
 * cannot guess that name, so the header's presence proves the hook ran for this request; a request
 * without it (one that arrived while the server was still starting) is treated as unknown.
 *
 * Only requests that can change state are stamped: every rate-limited route is a POST, while a GET
 * or HEAD (every page, most of them served from the prerender cache) costs one comparison.
 */

type PeerState = { headerName: string; installed: boolean };

// One per process: instrumentation.ts installs the hook, each route bundle reads the header's name.
function state(): PeerState {
  return processSingleton('peer-address', () => ({ headerName: `x-quorum-peer-${randomBytes(12).toString('hex')}`, installed: false }));
}

/** The header the hook writes the verified chain into (lower case, as Node keeps header names). */
export function peerChainHeader(): string {
  return state().headerName;
}

/** "X-Forwarded-For as received, socket address": what the hook writes for one request. */
export function peerChain(forwardedFor: string | string[] | undefined, socketAddress: string | undefined): string {
  const received = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? '')).trim();
  const peer = socketAddress ?? 'unknown';
  return received ? `${received}, ${peer}` : peer;
}

function stamp(request: IncomingMessage): void {
  if (request.method === 'GET' || request.method === 'HEAD') return;
  const header = state().headerName;
  request.headers[header] = peerChain(request.headers['x-forwarded-for'], request.socket?.remoteAddress);
}

/** Idempotent. Every http.Server in the process stamps its POST, PUT, PATCH, DELETE… requests from now on. */
export async function installPeerAddressHook(): Promise<void> {
  const current = state();
  if (current.installed) return;
  const http = await import('node:http');
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function emitWithPeerAddress(this: unknown, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'request' || event === 'checkContinue' || event === 'checkExpectation') stamp(args[0] as IncomingMessage);
    return Reflect.apply(emit, this, [event, ...args]) as boolean;
  } as typeof emit;
  current.installed = true;
}
