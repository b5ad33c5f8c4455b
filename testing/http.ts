/**
 * HTTP for tests and benchmarks that drive servers they started: one request on a connection of
 * its own, and waiting for a server to answer.
 */
import http from 'node:http';
import type { Child } from './processes';
import { sleep } from './wait';

/** `body` is the answer as UTF-8 text; `bytes` as received (a gzip answer is not decoded). */
export type HttpAnswer = { status: number; headers: http.IncomingHttpHeaders; body: string; bytes: Buffer };

export type HttpRequestOptions = {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
};

/**
 * One HTTP request on a connection of its own (no keep-alive: a balancer reload or an instance
 * going away can then never catch a request on an idle connection it is closing), answered
 * within `timeoutMs` or rejected; an answer cut off midway rejects with code ECUT. node:http
 * rather than fetch: every timer here is one this code holds (the fleet proof, using fetch with
 * AbortSignal.timeout(), once stalled for minutes).
 */
export function httpRequest(url: string | URL, options: HttpRequestOptions): Promise<HttpAnswer> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const request = http.request({
      host: target.hostname,
      port: target.port,
      method: options.method ?? 'GET',
      path: `${target.pathname}${target.search}`,
      agent: false,
      headers: {
        connection: 'close',
        ...(options.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(options.body)) }),
        ...options.headers,
      },
    });
    const timer = setTimeout(() => request.destroy(new Error(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    const fail = (err: Error) => {
      clearTimeout(timer);
      reject(err);
    };
    request.on('error', fail);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', fail);
      response.on('end', () => {
        clearTimeout(timer);
        if (!response.complete) reject(Object.assign(new Error('the answer was cut off'), { code: 'ECUT' }));
        else {
          const bytes = Buffer.concat(chunks);
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: bytes.toString('utf8'), bytes });
        }
      });
    });
    request.end(options.body);
  });
}

export type WaitForHttpOptions = {
  /** Which status ends the wait (default: 200). */
  accept?: (status: number) => boolean;
  timeoutMs?: number;
  /** Per request. */
  requestTimeoutMs?: number;
  everyMs?: number;
  /** The server's process: its exit ends the wait at once, with its output. */
  process?: Child;
};

/** Polls `url` until it answers a status `accept`s; returns that answer, or throws with the last one. */
export async function waitForHttp(url: string, options: WaitForHttpOptions = {}): Promise<HttpAnswer> {
  const accept = options.accept ?? ((status: number) => status === 200);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const child = options.process;
  const output = () => (child ? `:\n${child.output().slice(-4000)}` : '');
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child && !child.running) {
      const exit = await child.exited;
      throw new Error(`${child.name} exited (${exit.error ?? exit.code ?? exit.signal}) before ${url} answered${output()}`);
    }
    try {
      const answer = await httpRequest(url, { timeoutMs: options.requestTimeoutMs ?? 3_000 });
      if (accept(answer.status)) return answer;
      last = `${answer.status} ${answer.body.slice(0, 200)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(options.everyMs ?? 200);
  }
  throw new Error(`${url} did not answer as expected within ${timeoutMs / 1000} s (last answer: ${last})${output()}`);
}
