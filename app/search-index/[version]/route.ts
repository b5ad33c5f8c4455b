import { searchIndexResponse } from '@/lib/search/respond';

export async function GET(_request: Request, { params }: { params: Promise<{ version: string }> }) {
  return searchIndexResponse((await params).version);
}
