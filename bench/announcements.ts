/** 6. Announcements: a placeholder until the announcement issue lands. */
export const ANNOUNCEMENTS_PLACEHOLDER = [
  '**pending: needs the announcement feature** (a later issue).',
  '',
  'Design: enqueue an announcement to 100,000 subscribers (generated rows in a fresh database): enqueue wall time and the ' +
    'process group\'s peak memory; then the send rate through the outbox worker against the fake Resend API rate-limited ' +
    '(`/_fake/rate-limit`), with the count of deliveries, duplicates (must be 0) and 429 retries afterwards.',
].join('\n');
