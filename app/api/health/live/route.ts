import { liveResponse } from '@/lib/health';

// Liveness: the process answers. No database, so an outage never restarts every pod at once.
export const dynamic = 'force-dynamic';

export function GET() {
  return liveResponse();
}
