import { env } from './env';

/** Development-only tools (the mailbox) must not exist in a production build. */
export function isDevelopment(): boolean {
  return env.NODE_ENV === 'development';
}
