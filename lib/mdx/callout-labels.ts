import type { CalloutType } from '../content/mdx-contract';

/** The words a callout opens with, by type; shared by the web component and the feed renderer. */
export const CALLOUT_LABELS: Readonly<Record<CalloutType, string>> = {
  insight: 'Key insight:',
  tip: 'Pro tip:',
  warning: 'Warning:',
  note: 'Note:',
};
