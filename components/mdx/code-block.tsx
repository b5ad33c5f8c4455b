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
 * title="…", see lib/mdx/rehype-code-title.ts), its language and a copy button (the only client
 * component in an article besides the theme toggle).
 */
export function CodeBlock({ 'data-language': language, 'data-title': title, children, ...rest }: PreProps) {
  if (!language) return <pre {...rest}>{children}</pre>;
  const name = languageName(language);
  return (
    <div
      data-code-block
      className="code-block not-prose my-6 overflow-hidden rounded-lg border border-zinc-200 bg-zinc-50 dark:border-zinc-800 dark:bg-zinc-900"
    >
      <div className="flex items-center justify-between border-b border-zinc-200 px-4 py-1.5 dark:border-zinc-800">
        {title ? (
          <span className="flex min-w-0 items-baseline gap-3 pr-3">
            <span data-code-title className="truncate font-mono text-xs font-medium text-zinc-800 dark:text-zinc-200">
              {title}
            </span>
            <span className="font-mono text-xs font-medium tracking-wide text-zinc-500 uppercase dark:text-zinc-400">{name}</span>
          </span>
        ) : (
          <span className="font-mono text-xs font-medium tracking-wide text-zinc-500 uppercase dark:text-zinc-400">{name}</span>
        )}
        <CopyButton />
      </div>
      <pre
        {...rest}
        data-language={language}
        aria-label={title ? `${title}, ${name} code` : `${name} code`}
        className="overflow-x-auto py-3 font-mono text-[13px] leading-relaxed"
      >
        {children}
      </pre>
    </div>
  );
}
