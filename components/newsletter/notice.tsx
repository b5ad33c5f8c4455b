import Link from 'next/link';
import type { ReactNode } from 'react';

/** The frame of the small newsletter pages: one heading, a few lines, at most one action. */
export function Notice({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="mx-auto max-w-xl px-4 py-16 sm:px-6">
      <h1 className="text-2xl font-bold tracking-tight text-zinc-950 sm:text-3xl dark:text-white">{title}</h1>
      <div className="mt-4 space-y-4 text-zinc-700 dark:text-zinc-300">{children}</div>
      <p className="mt-10 text-sm">
        <Link href="/" className="text-sky-700 hover:underline dark:text-sky-400">
          ← Back to the articles
        </Link>
      </p>
    </div>
  );
}

export function PrimaryButton({ children }: { children: ReactNode }) {
  return (
    <button
      type="submit"
      className="rounded-md bg-zinc-900 px-5 py-2.5 font-medium text-white hover:bg-zinc-700 dark:bg-zinc-100 dark:text-zinc-900 dark:hover:bg-zinc-300"
    >
      {children}
    </button>
  );
}

/** The lesser actions of a page (beside its one PrimaryButton). */
export function SecondaryButton({ children }: { children: ReactNode }) {
  return (
    <button
      type="submit"
      className="rounded-md border border-zinc-300 px-4 py-2 font-medium text-zinc-900 hover:bg-zinc-100 dark:border-zinc-600 dark:text-zinc-100 dark:hover:bg-zinc-800"
    >
      {children}
    </button>
  );
}

/** The page shown when the database cannot be reached: nothing changed, try again later. */
export function UnavailableNotice() {
  return (
    <Notice title="The newsletter is unavailable right now">
      <p>We could not reach our records just now. Please try the link again in a few minutes.</p>
    </Notice>
  );
}
