/** Errors an editor (or a deploy script) can cause: a clear message, nothing written. */

export type ArticleRefusal = 'unknown' | 'draft' | 'scheduled';

/** `--article <slug>` / `{ "article": "<slug>" }` names an article readers cannot see. */
export class ArticleNotAnnounceableError extends Error {
  constructor(
    readonly slug: string,
    readonly reason: ArticleRefusal,
    detail?: string,
  ) {
    super(
      reason === 'unknown'
        ? `no article with slug "${slug}" in the content folder`
        : reason === 'draft'
          ? `"${slug}" is a draft: drafts are never announced`
          : `"${slug}" is scheduled for ${detail ?? 'a later day'}: it is announced once it is published`,
    );
    this.name = 'ArticleNotAnnounceableError';
  }
}
