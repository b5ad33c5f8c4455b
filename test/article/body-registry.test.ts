import { describe, expect, it } from 'vitest';
import { registerArticleBody, registeredArticleBody } from '@/components/article/body-registry';

describe('article body registry', () => {
  it('hands the latest registration of a path to the HTML render', () => {
    registerArticleBody('/articles/a', 'first');
    registerArticleBody('/articles/a', 'second');
    expect(registeredArticleBody('/articles/a')).toBe('second');
  });

  it('keeps only the newest 64 bodies, and says which path was missing', () => {
    for (let i = 0; i < 65; i += 1) registerArticleBody(`/articles/n${i}`, `body ${i}`);
    expect(() => registeredArticleBody('/articles/n0')).toThrow('/articles/n0: not registered');
    expect(registeredArticleBody('/articles/n1')).toBe('body 1');
    expect(registeredArticleBody('/articles/n64')).toBe('body 64');
  });
});
