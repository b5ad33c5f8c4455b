/** Development-only tools (the mailbox) must not exist in a production build. */
export function isDevelopment(): boolean {
  return process.env.NODE_ENV === 'development';
}
