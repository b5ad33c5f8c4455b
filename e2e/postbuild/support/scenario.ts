import { it, type TestContext } from 'vitest';

/**
 * The steps of one scenario against a running server, in order. Each step is a test of its own;
 * once one fails, the later ones are skipped (each builds on what the earlier ones did to the
 * server), and `diagnostics()` (the server's log, say) is printed with the failure.
 */
export function scenario(diagnostics: () => string | Promise<string> = () => '') {
  let failed: string | undefined;
  return (name: string, run: (context: TestContext) => Promise<void> | void, timeoutMs?: number) =>
    it(
      name,
      async (context) => {
        if (failed) context.skip(`an earlier step failed: ${failed}`);
        // On any failure, a timeout too (the step's own code may still be running then).
        context.onTestFailed(async () => {
          failed ??= name;
          const text = await Promise.resolve().then(diagnostics).catch((e: Error) => `(no diagnostics: ${e.message})`);
          if (text) console.error(`--- after the failure of "${name}" ---\n${text}`);
        });
        await run(context);
      },
      timeoutMs,
    );
}
