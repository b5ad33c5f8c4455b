'use client';

import { useId, useState, type FormEvent } from 'react';

type Preference = { delivery: 'every' | 'weekly'; pausedUntil: string | null };
type Status = { kind: 'idle' } | { kind: 'sending' } | { kind: 'done'; message: string } | { kind: 'error'; message: string };

export type PreferenceFormProps = {
  action: string;
  token: string;
  preference: Preference;
  /** The current choice in words (lib/reader-preference.ts preferenceSummary), kept true after a JSON save. */
  summary: string;
  /** The date input's bounds (tomorrow … a year ahead), from lib/reader-preference.ts. */
  bounds: { min: string; max: string };
  /** The answer of a form post without JavaScript (the route redirected back with it). */
  initial?: { kind: 'done' | 'error'; message: string };
};

/**
 * How often we write: every article, a weekly digest, or a pause until a date. Without JavaScript a
 * plain form post that comes back to the manage page with the result; with it, a JSON post whose
 * answer shows in the aria-live line. The server re-validates the date either way.
 */
export function PreferenceForm({ action, token, preference, summary: initialSummary, bounds, initial }: PreferenceFormProps) {
  const id = useId();
  const [summary, setSummary] = useState(initialSummary);
  const [status, setStatus] = useState<Status>(initial ? { kind: initial.kind, message: initial.message } : { kind: 'idle' });
  const [choice, setChoice] = useState<'every' | 'weekly' | 'pause'>(preference.pausedUntil ? 'pause' : preference.delivery);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setStatus({ kind: 'sending' });
    try {
      const response = await fetch(action, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ token, delivery: String(form.get('delivery') ?? ''), until: String(form.get('until') ?? '') }),
      });
      const body = (await response.json().catch(() => null)) as { message?: string; error?: string; summary?: string } | null;
      if (response.ok && body?.summary) setSummary(body.summary);
      setStatus(
        response.ok
          ? { kind: 'done', message: body?.message ?? 'Saved.' }
          : { kind: 'error', message: body?.error ?? 'Something went wrong. Please try again.' },
      );
    } catch {
      setStatus({ kind: 'error', message: 'Could not reach the server. Check your connection and try again.' });
    }
  }

  const option = (value: 'every' | 'weekly' | 'pause', label: string, hint: string) => (
    <label className="flex items-start gap-3">
      <input
        type="radio"
        name="delivery"
        value={value}
        defaultChecked={choice === value}
        onChange={() => setChoice(value)}
        className="mt-1.5"
      />
      <span>
        <span className="font-medium text-zinc-950 dark:text-white">{label}</span>
        <span className="block text-sm text-zinc-600 dark:text-zinc-400">{hint}</span>
      </span>
    </label>
  );

  const invalid = status.kind === 'error';
  return (
    <form action={action} method="post" onSubmit={onSubmit} className="space-y-4">
      <p>{summary}</p>
      <input type="hidden" name="token" value={token} />
      <fieldset className="space-y-3">
        <legend className="sr-only">How often we write</legend>
        {option('every', 'Every new article', 'An email each time an article is published.')}
        {option('weekly', 'A weekly digest', 'One email a week listing what was published; none in a week with nothing new.')}
        {option('pause', 'Pause for a while', 'Nothing until the date below, then back to what you had.')}
      </fieldset>
      <div className="pl-7">
        <label htmlFor={`${id}-until`} className="block text-sm font-medium text-zinc-900 dark:text-zinc-100">
          Start again on
        </label>
        <input
          id={`${id}-until`}
          type="date"
          name="until"
          min={bounds.min}
          max={bounds.max}
          defaultValue={preference.pausedUntil ?? ''}
          aria-invalid={invalid || undefined}
          aria-describedby={`${id}-status`}
          className="mt-1 rounded-md border border-zinc-300 bg-white px-3 py-2 text-zinc-900 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
        />
      </div>
      <button
        type="submit"
        disabled={status.kind === 'sending'}
        className="rounded-md border border-zinc-300 px-4 py-2 font-medium text-zinc-900 hover:bg-zinc-100 disabled:opacity-60 dark:border-zinc-600 dark:text-zinc-100 dark:hover:bg-zinc-800"
      >
        {status.kind === 'sending' ? 'Saving…' : 'Save'}
      </button>
      <p
        id={`${id}-status`}
        aria-live="polite"
        aria-atomic="true"
        className={`min-h-5 text-sm ${invalid ? 'text-red-700 dark:text-red-400' : 'text-emerald-700 dark:text-emerald-400'}`}
      >
        {status.kind === 'done' || status.kind === 'error' ? status.message : ''}
      </p>
    </form>
  );
}
