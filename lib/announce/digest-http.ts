import { z } from 'zod';
import { ContentError } from '../content/errors';
import { errorJson, HttpError, jsonResponse, parseBody } from '../newsletter/http';
import { log } from './log';
import type { WeeklyDigestResult } from './weekly-digest';

/** What POST /api/digest needs besides the service and the bearer check (lib/announce/http.ts). */

const flag = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1')]);

export const digestRequestSchema = z.object({ dryRun: flag.optional().default(false) }).strict();

/** The body: empty, or JSON / a form with `dryRun`. 400/413/415/422 as HttpError. */
export async function parseDigestRequest(request: Request): Promise<z.infer<typeof digestRequestSchema>> {
  const body = await parseBody(request, { allowEmpty: true });
  const parsed = digestRequestSchema.safeParse(body.fields);
  if (!parsed.success) throw new HttpError(422, 'invalid-request', z.prettifyError(parsed.error));
  return parsed.data;
}

export function digestJson(result: WeeklyDigestResult): Response {
  return jsonResponse({ ok: true, ...result });
}

export function digestErrorJson(err: unknown): Response {
  if (err instanceof ContentError) {
    log.error('digest-content-invalid', { err });
    return jsonResponse({ ok: false, error: 'The articles do not validate; no digest was queued.', code: 'content-invalid' }, 500);
  }
  return errorJson(err, 'digest');
}
