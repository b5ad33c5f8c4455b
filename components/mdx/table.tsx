import type { ComponentProps } from 'react';

/**
 * GFM tables scroll sideways inside their own box, so a wide table never widens the page on a phone.
 * The box is focusable so keyboard users can scroll it too; its name comes from lib/mdx/rehype-table-labels.ts.
 */
export function Table({ 'data-label': label, ...props }: ComponentProps<'table'> & { 'data-label'?: string }) {
  return (
    <div className="table-scroll" role="region" aria-label={label ?? 'Table'} tabIndex={0}>
      <table {...props} />
    </div>
  );
}
