// Types for prepare-standalone.mjs (plain JavaScript: the Dockerfile runs it with bare node).
export declare function prepareStandalone(options?: { root?: string; log?: (line: string) => void }): Promise<string>;
