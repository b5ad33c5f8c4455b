import type { ReactNode } from 'react';
import type { CalloutType } from '@/lib/content/mdx-contract';
import { CALLOUT_LABELS as LABELS } from '@/lib/mdx/callout-labels';

const TONES: Record<CalloutType, string> = {
  insight: 'border-sky-500 bg-sky-50 dark:bg-sky-950/40',
  tip: 'border-emerald-500 bg-emerald-50 dark:bg-emerald-950/40',
  warning: 'border-amber-500 bg-amber-50 dark:bg-amber-950/40',
  note: 'border-zinc-400 bg-zinc-50 dark:bg-zinc-900',
};

/** `<Callout type="insight">…</Callout>` in MDX. The label comes from the type so every article words it alike. */
export function Callout({ type = 'note', children }: { type?: CalloutType; children: ReactNode }) {
  const kind: CalloutType = type in LABELS ? type : 'note';
  return (
    <div role="note" className={`callout not-prose my-6 rounded-r-md border-l-4 px-4 py-3 ${TONES[kind]}`} data-callout={kind}>
      <div className="text-[0.95rem] leading-relaxed [&>p]:inline [&>p+p]:mt-2 [&>p+p]:block">
        <strong className="font-semibold">{LABELS[kind]}</strong> {children}
      </div>
    </div>
  );
}
