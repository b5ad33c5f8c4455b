import { searchTextResponse } from '@/lib/search/respond';

export async function GET(_request: Request, { params }: { params: Promise<{ version: string; slug: string }> }) {
  const { version, slug } = await params;
  return searchTextResponse(version, slug);
}
