import type pg from 'pg';

export declare const sleep: (ms: number) => Promise<void>;
export declare function within<T>(promise: Promise<T>, ms: number): Promise<T | null>;
export declare function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  everyMs?: number,
): Promise<T>;
export declare function freePort(): Promise<number>;
export declare function withAdmin<T>(adminUrl: string, run: (client: pg.Client) => Promise<T>): Promise<T>;
