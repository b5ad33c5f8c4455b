// node --import ./scripts/lib/server-only.mjs (every tsx script in package.json loads it)
//
// Scripts are server code. Modules that hold secrets import 'server-only', which Next resolves to
// an empty module on the server and to an error in client components (the build then fails);
// plain Node resolves it to that error. This hook gives scripts what Next gives routes.
import { register } from 'node:module';

register('data:text/javascript,' + encodeURIComponent(`
  export async function resolve(specifier, context, nextResolve) {
    if (specifier !== 'server-only') return nextResolve(specifier, context);
    return nextResolve(specifier, { ...context, conditions: [...context.conditions, 'react-server'] });
  }
`));
