import { checkReadiness, readinessResponse } from '@/lib/health';

// Readiness: 200 when this instance should get traffic, 503 { status, reason } otherwise.
export const dynamic = 'force-dynamic';

export async function GET() {
  return readinessResponse(await checkReadiness());
}
