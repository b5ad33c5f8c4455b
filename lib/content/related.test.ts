import { describe, expect, it } from 'vitest';
import { rankRelated } from './related';

const article = (slug: string, tags: string[], date = '2026-01-01', related: string[] = [], title = slug) => ({
  slug,
  title,
  date,
  tags,
  related,
});

describe('rankRelated', () => {
  const self = article('self', ['a', 'b', 'c'], '2026-01-01', ['named-2', 'named-1']);
  const candidates = [
    self,
    article('one-tag-new', ['a'], '2026-02-01'),
    article('two-tags', ['a', 'b'], '2025-01-01'),
    article('one-tag-old', ['b'], '2025-06-01'),
    article('named-1', ['z'], '2024-01-01'),
    article('named-2', ['a', 'b', 'c'], '2024-01-01'),
    article('no-shared-tags', ['z'], '2026-03-01'),
  ];

  it('puts the editor\'s picks first, in their order, then fills by shared tags, then newest', () => {
    expect(rankRelated(self, candidates, 5).map((a) => a.slug)).toEqual([
      'named-2',
      'named-1',
      'two-tags',
      'one-tag-new',
      'one-tag-old',
    ]);
  });

  it('stops at the limit, never includes the article itself or one without shared tags', () => {
    expect(rankRelated(self, candidates, 3).map((a) => a.slug)).toEqual(['named-2', 'named-1', 'two-tags']);
    const all = rankRelated(self, candidates, 50).map((a) => a.slug);
    expect(all).not.toContain('self');
    expect(all).not.toContain('no-shared-tags');
    expect(new Set(all).size).toBe(all.length);
  });

  it('skips picks that are not among the candidates (hidden articles)', () => {
    const visible = candidates.filter((a) => a.slug !== 'named-2');
    expect(rankRelated(self, visible, 2).map((a) => a.slug)).toEqual(['named-1', 'two-tags']);
  });

  it('breaks ties of shared tags and date by title', () => {
    const me = article('me', ['t']);
    const others = [article('x', ['t'], '2026-01-01', [], 'Zebra'), article('y', ['t'], '2026-01-01', [], 'Aardvark')];
    expect(rankRelated(me, others).map((a) => a.title)).toEqual(['Aardvark', 'Zebra']);
  });

  it('lists a pick once even if it also shares tags, and a repeated pick once', () => {
    const me = article('me', ['t'], '2026-01-01', ['x', 'x']);
    const others = [article('x', ['t']), article('y', ['t'])];
    expect(rankRelated(me, others).map((a) => a.slug)).toEqual(['x', 'y']);
  });

  it('returns nothing for a limit of 0', () => {
    expect(rankRelated(self, candidates, 0)).toEqual([]);
  });
});
