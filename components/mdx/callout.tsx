import type { ReactNode } from 'react';
import type { CalloutType } from '@/lib/content/mdx-contract';
import { CALLOUT_LABELS as LABELS } from '@/lib/mdx/callout-labels';

/**
 * `<Callout type="insight">…</Callout>` in MDX. The label comes from the type so every article
 * words it alike; the tone follows data-callout (app/styles/components.css).
 */
export function Callout({ type = 'note', children }: { type?: CalloutType; children: ReactNode }) {
  const kind: CalloutType = type in LABELS ? type : 'note';
  return (
    <div role="note" className="callout not-prose" data-callout={kind}>
      <div>
        <strong>{LABELS[kind]}</strong> {children}
      </div>
    </div>
  );
}
