import { z } from 'zod';
import { ContentError } from '../content/errors';
import { isSlug } from '../content/schema';
import { errorJson, HttpError, jsonResponse, parseBody } from '../newsletter/http';
import type { AnnounceResult } from './enqueue';
import { ArticleNotAnnounceableError } from './errors';
import { log } from './log';

/** What POST /api/announce needs besides the service: its body and answers (the bearer check is lib/http/bearer.ts). */

const flag = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1')]);

export const announceRequestSchema = z
  .object({
    /** Announce only this article (by slug), even one marked as announced by the first run. */
    article: z.string().trim().refine(isSlug, 'a lowercase article slug such as "distributed-systems"').optional(),
    /** Report what would be queued; write nothing. */
    dryRun: flag.optional().default(false),
  })
  .strict();

export type AnnounceRequest = z.infer<typeof announceRequestSchema>;

/** The body: empty, or JSON / a form with `article` and `dryRun`. 400/413/415/422 as HttpError. */
export async function parseAnnounceRequest(request: Request): Promise<AnnounceRequest> {
  const body = await parseBody(request, { allowEmpty: true });
  const parsed = announceRequestSchema.safeParse(body.fields);
  if (!parsed.success) throw new HttpError(422, 'invalid-request', z.prettifyError(parsed.error));
  return parsed.data;
}

/** 200 with what was (or would be) queued. */
export function announceJson(result: AnnounceResult): Response {
  return jsonResponse({ ok: true, ...result });
}

/** Maps the service's errors: an article that cannot be announced is the caller's (404/422). */
export function announceErrorJson(err: unknown): Response {
  if (err instanceof ArticleNotAnnounceableError) {
    return jsonResponse({ ok: false, error: err.message, code: `article-${err.reason}` }, err.reason === 'unknown' ? 404 : 422);
  }
  if (err instanceof ContentError) {
    // The deployed content does not validate: a build would have failed, so this is ours, not the caller's.
    log.error('announce-content-invalid', { err });
    return jsonResponse({ ok: false, error: 'The articles do not validate; nothing was announced.', code: 'content-invalid' }, 500);
  }
  return errorJson(err, 'announce');
}
