import { describe, expect, it } from 'vitest';
import { articlePathOf } from '@/components/article/body-links';

describe('articlePathOf', () => {
  it('keeps only the article page of a link into it', () => {
    expect(articlePathOf('/articles/understanding-distributed-systems')).toBe('/articles/understanding-distributed-systems');
    expect(articlePathOf('/articles/raft#log-matching')).toBe('/articles/raft');
    expect(articlePathOf('/articles/raft?ref=next-up')).toBe('/articles/raft');
    expect(articlePathOf('/articles/raft/')).toBe('/articles/raft');
  });

  it('is undefined for every other page, the archive included', () => {
    expect(articlePathOf('/articles')).toBeUndefined();
    expect(articlePathOf('/articles/')).toBeUndefined();
    expect(articlePathOf('/articles/#top')).toBeUndefined();
    expect(articlePathOf('/tags/raft')).toBeUndefined();
    expect(articlePathOf('/')).toBeUndefined();
  });
});
