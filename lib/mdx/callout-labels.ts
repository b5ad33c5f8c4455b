/** The words a callout opens with, by type; shared by the web component and the feed renderer. */
export const CALLOUT_LABELS = {
  insight: 'Key insight:',
  tip: 'Pro tip:',
  warning: 'Warning:',
  note: 'Note:',
} as const;

export type CalloutType = keyof typeof CALLOUT_LABELS;
