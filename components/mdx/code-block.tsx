import type { ComponentProps } from 'react';
import { CopyButton } from '@/components/ui/copy-button';

const LANGUAGE_NAMES: Record<string, string> = {
  ts: 'TypeScript',
  typescript: 'TypeScript',
  tsx: 'TSX',
  js: 'JavaScript',
  javascript: 'JavaScript',
  py: 'Python',
  python: 'Python',
  go: 'Go',
  sql: 'SQL',
  yaml: 'YAML',
  yml: 'YAML',
  json: 'JSON',
  bash: 'Bash',
  sh: 'Shell',
  shell: 'Shell',
  text: 'Text',
  rust: 'Rust',
  java: 'Java',
  nginx: 'nginx',
  dockerfile: 'Dockerfile',
  toml: 'TOML',
  promql: 'PromQL',
  http: 'HTTP',
};

export function languageName(language: string): string {
  return LANGUAGE_NAMES[language.toLowerCase()] ?? language.toUpperCase();
}

type PreProps = ComponentProps<'pre'> & { 'data-language'?: string; 'data-title'?: string };

/**
 * The <pre> that rehype-pretty-code produced at build time, framed with its title (a fence's
 * title="…", see lib/mdx/rehype-code-title.ts), its language and a Copy button (plain markup:
 * components/article/article-body.tsx handles its click).
 */
export function CodeBlock({ 'data-language': language, 'data-title': title, children, ...rest }: PreProps) {
  if (!language) return <pre {...rest}>{children}</pre>;
  const name = languageName(language);
  // Styled by class in app/styles/components.css: this frame repeats on every block of a page.
  return (
    <div data-code-block className="not-prose">
      <div>
        {title ? <span data-code-title>{title}</span> : null}
        <span>{name}</span>
        <CopyButton />
      </div>
      <pre {...rest} data-language={language} aria-label={title ? `${title}, ${name} code` : `${name} code`}>
        {children}
      </pre>
    </div>
  );
}
