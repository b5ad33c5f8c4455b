'use client';

import { useId, useState, type FormEvent } from 'react';

type Status = { kind: 'idle' } | { kind: 'sending' } | { kind: 'done'; message: string } | { kind: 'error'; message: string };

/**
 * The signup form. Without JavaScript it is a plain form post that lands on a result page;
 * with JavaScript it posts JSON and shows the answer inline in an aria-live region. The server
 * component that renders it passes the endpoint (lib/newsletter/paths.ts names it).
 */
export function SubscribeForm({ source, action }: { source: string; action: string }) {
  const id = useId();
  const [status, setStatus] = useState<Status>({ kind: 'idle' });

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setStatus({ kind: 'sending' });
    try {
      const response = await fetch(action, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({
          email: String(form.get('email') ?? ''),
          source,
          website: String(form.get('website') ?? ''),
        }),
      });
      const body = (await response.json().catch(() => null)) as
        | { message?: string; error?: string; fieldErrors?: { email?: string[] } }
        | null;
      if (response.ok) {
        setStatus({ kind: 'done', message: body?.message ?? 'Check your inbox to confirm your subscription.' });
      } else {
        const message = body?.fieldErrors?.email?.[0] ?? body?.error ?? 'Something went wrong. Please try again.';
        setStatus({ kind: 'error', message });
      }
    } catch {
      setStatus({ kind: 'error', message: 'Could not reach the server. Check your connection and try again.' });
    }
  }

  const invalid = status.kind === 'error';
  return (
    <form action={action} method="post" onSubmit={onSubmit} className="mt-4" noValidate={false}>
      <input type="hidden" name="source" value={source} />
      {/* Honeypot: invisible to people, tempting to naive bots. A filled one is answered like success and ignored. */}
      <div aria-hidden="true" className="absolute -left-[10000px] h-px w-px overflow-hidden">
        <label htmlFor={`${id}-website`}>Website</label>
        <input id={`${id}-website`} type="text" name="website" tabIndex={-1} autoComplete="off" defaultValue="" />
      </div>
      <div className="flex flex-col gap-2 sm:flex-row">
        <label htmlFor={`${id}-email`} className="sr-only">
          Email address
        </label>
        <input
          id={`${id}-email`}
          type="email"
          name="email"
          required
          autoComplete="email"
          placeholder="you@example.com"
          aria-invalid={invalid || undefined}
          aria-describedby={`${id}-status`}
          className="min-w-0 flex-1 rounded-md border border-zinc-300 bg-white px-3 py-2 text-zinc-900 placeholder:text-zinc-500 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100 dark:placeholder:text-zinc-400"
        />
        <button
          type="submit"
          disabled={status.kind === 'sending'}
          className="rounded-md bg-zinc-900 px-4 py-2 font-medium text-white hover:bg-zinc-700 disabled:opacity-60 dark:bg-zinc-100 dark:text-zinc-900 dark:hover:bg-zinc-300"
        >
          {status.kind === 'sending' ? 'Subscribing…' : 'Subscribe'}
        </button>
      </div>
      <p
        id={`${id}-status`}
        role="status"
        aria-live="polite"
        className={`mt-2 min-h-5 text-sm ${invalid ? 'text-red-700 dark:text-red-400' : 'text-emerald-700 dark:text-emerald-400'}`}
      >
        {status.kind === 'done' || status.kind === 'error' ? status.message : ''}
      </p>
    </form>
  );
}
