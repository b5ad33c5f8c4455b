import { describe, expect, it } from 'vitest';
import {
  createLogger,
  EMAIL_MASK,
  isSecretKey,
  isValidRequestId,
  redact,
  redactString,
  requestIdOf,
  type LogLevel,
} from '@/lib/log';

/** Structured logs: the redaction rules (no email address, no token in any line) and the formats. */

// An address as a reader would recognise one (not `node_modules/@scope/pkg` in a stack trace).
const EMAIL_IN_LINE = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/;

function capture(format: 'json' | 'pretty', level: LogLevel = 'debug') {
  const lines: { line: string; level: LogLevel }[] = [];
  const logger = createLogger({
    format,
    level,
    now: () => new Date('2026-05-01T12:34:56.789Z'),
    write: (line, lineLevel) => lines.push({ line, level: lineLevel }),
  });
  return { logger, lines };
}

describe('redactString', () => {
  it.each([
    ['reader@example.com', EMAIL_MASK],
    ['signup from Reader.Name+news@mail.example.co.uk failed', `signup from ${EMAIL_MASK} failed`],
    ['<a.b@c.io>, x_y@d-e.org', `<${EMAIL_MASK}>, ${EMAIL_MASK}`],
    ['Key (email)=(dup@example.com) already exists.', `Key (email)=(${EMAIL_MASK}) already exists.`],
  ])('masks the email address in %j', (input, expected) => {
    expect(redactString(input)).toBe(expected);
  });

  it('masks token-like query parameters, keeping the rest of the URL', () => {
    expect(redactString('GET /newsletter/confirm?token=abc.DEF_123&next=/x')).toBe('GET /newsletter/confirm?token=[redacted]&next=/x');
    expect(redactString('/api/x?a=1&confirmationToken=zzz')).toBe('/api/x?a=1&confirmationToken=[redacted]');
    expect(redactString('body: secret=s3cr3t password=hunter2')).toBe('body: secret=[redacted] password=[redacted]');
  });

  it('masks Bearer and Basic credentials and URL passwords', () => {
    expect(redactString('authorization: Bearer abc.def-ghi')).toBe('authorization: Bearer [redacted]');
    expect(redactString('Basic dXNlcjpwYXNz')).toBe('Basic [redacted]');
    expect(redactString('connect to postgresql://app:pa55w0rd@db.internal:5432/app failed')).toBe(
      'connect to postgresql://app:[redacted]@db.internal:5432/app failed',
    );
  });

  it('leaves ordinary text alone', () => {
    const text = 'GET /articles/understanding-distributed-systems 200 in 12 ms (user@ handle, a@b)';
    expect(redactString(text)).toBe(text);
  });
});

describe('redact', () => {
  it('drops fields named like secrets, at any depth, and masks emails in values', () => {
    const input = {
      subscriberId: 'c0ffee',
      email: 'reader@example.com',
      token: 'tok',
      confirmationToken: 'tok2',
      NEWSLETTER_SECRET: 'x'.repeat(32),
      password: 'hunter2',
      headers: { authorization: 'Bearer abc', cookie: 'sid=1', 'x-api-key': 'k', accept: 'text/html' },
      nested: [{ apiKey: 'k', to: ['a@example.com'] }],
    };
    expect(redact(input)).toEqual({
      subscriberId: 'c0ffee',
      email: EMAIL_MASK,
      headers: { accept: 'text/html' },
      nested: [{ to: [EMAIL_MASK] }],
    });
  });

  it.each(['token', 'Token', 'resetToken', 'secret', 'clientSecret', 'password', 'passwd', 'authorization', 'Authorization', 'cookie', 'api_key'])(
    'treats %j as a secret field name',
    (name) => {
      expect(isSecretKey(name)).toBe(true);
    },
  );

  it('turns errors into plain, redacted objects with their cause', () => {
    const cause = Object.assign(new Error('duplicate key: dup@example.com'), { code: '23505' });
    const err = new Error('subscribe failed for reader@example.com', { cause });
    const out = redact({ err }) as { err: { name: string; message: string; stack: string; cause: { code: string; message: string } } };
    expect(out.err.name).toBe('Error');
    expect(out.err.message).toBe(`subscribe failed for ${EMAIL_MASK}`);
    expect(out.err.stack).not.toMatch(EMAIL_IN_LINE);
    expect(out.err.cause).toMatchObject({ code: '23505', message: `duplicate key: ${EMAIL_MASK}` });
  });

  it('survives cycles, deep nesting, bigint, dates, maps and functions', () => {
    const cyclic: Record<string, unknown> = { name: 'a' };
    cyclic.self = cyclic;
    const deep = { a: { b: { c: { d: { e: { f: { g: 'too deep' } } } } } } };
    const out = redact({ cyclic, deep, n: 10n, at: new Date('2026-01-02T03:04:05Z'), map: new Map([['to', 'x@y.io']]), fn: () => 1 });
    expect(out).toMatchObject({
      cyclic: { name: 'a', self: '[circular]' },
      n: '10',
      at: '2026-01-02T03:04:05.000Z',
      map: { to: EMAIL_MASK },
    });
    expect(JSON.stringify(out)).toContain('[truncated]');
    expect(out).not.toHaveProperty('fn');
  });
});

describe('createLogger', () => {
  it('writes one JSON object per line in production format: time, level, msg, requestId, fields', () => {
    const { logger, lines } = capture('json');
    logger.child({ requestId: 'req-1' }).info('subscribed', { subscriberId: 's1', ms: 12 });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.line).not.toContain('\n');
    expect(JSON.parse(lines[0]!.line)).toEqual({
      time: '2026-05-01T12:34:56.789Z',
      level: 'info',
      msg: 'subscribed',
      requestId: 'req-1',
      subscriberId: 's1',
      ms: 12,
    });
    expect(Object.keys(JSON.parse(lines[0]!.line)).slice(0, 4)).toEqual(['time', 'level', 'msg', 'requestId']);
  });

  it('never writes an email address or a token, whatever the caller passes', () => {
    const { logger, lines } = capture('json');
    logger.error('send to reader@example.com failed', {
      email: 'reader@example.com',
      token: 'abcdef',
      url: 'https://site.example/newsletter/confirm?token=abcdef',
      err: new Error('Resend said: invalid recipient reader@example.com'),
    });
    const { line } = lines[0]!;
    expect(line).not.toMatch(EMAIL_IN_LINE);
    expect(line).not.toContain('abcdef');
    expect(JSON.parse(line).msg).toBe(`send to ${EMAIL_MASK} failed`);
  });

  it('writes one readable line in development format, the stack escaped onto it', () => {
    const { logger, lines } = capture('pretty');
    logger.child({ requestId: 'req-2' }).warn('slow query', { ms: 812, table: 'subscribers', err: new Error('boom') });
    const { line, level } = lines[0]!;
    expect(level).toBe('warn');
    expect(line).not.toContain('\n');
    expect(line).toMatch(/^12:34:56\.789 WARN  slow query requestId=req-2 ms=812 table=subscribers err=\{"name":"Error"/);
  });

  it('cannot be told to overwrite time, level or msg through fields', () => {
    const { logger, lines } = capture('json');
    logger.info('real', { time: 'fake', level: 'error', msg: 'fake' });
    expect(JSON.parse(lines[0]!.line)).toMatchObject({ time: '2026-05-01T12:34:56.789Z', level: 'info', msg: 'real' });
  });

  it('skips lines below its level and routes warn/error apart from info', () => {
    const { logger, lines } = capture('json', 'info');
    logger.debug('hidden');
    logger.info('shown');
    logger.error('also shown');
    expect(lines.map((entry) => [JSON.parse(entry.line).msg, entry.level])).toEqual([
      ['shown', 'info'],
      ['also shown', 'error'],
    ]);
  });

  it('never throws, even when writing fails', () => {
    const logger = createLogger({
      format: 'json',
      write: () => {
        throw new Error('EPIPE');
      },
    });
    expect(() => logger.error('x')).not.toThrow();
  });
});

describe('request ids', () => {
  it('accepts short inert ids and refuses anything that could forge or bloat a log line', () => {
    expect(isValidRequestId('0f8e2a4c-1b2d-4e5f-8a9b-0c1d2e3f4a5b')).toBe(true);
    expect(isValidRequestId('lb-1:abc.def_1')).toBe(true);
    for (const bad of ['', 'a b', 'x\ny', '"quoted"', 'x'.repeat(129), null, undefined]) {
      expect(isValidRequestId(bad)).toBe(false);
    }
  });

  it('reads x-request-id from a request or headers, ignoring invalid ones', () => {
    expect(requestIdOf(new Request('http://x/', { headers: { 'x-request-id': 'abc' } }))).toBe('abc');
    expect(requestIdOf(new Headers({ 'x-request-id': 'bad id' }))).toBeUndefined();
    expect(requestIdOf(new Headers())).toBeUndefined();
  });
});
