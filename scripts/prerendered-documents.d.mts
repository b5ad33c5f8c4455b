// Types for prerendered-documents.mjs (plain JavaScript: npm's postbuild and prepare-standalone.mjs run it with bare node).
export declare const DOCUMENTS_DIR: string;
export declare function writePrerenderedDocuments(options?: { root?: string; log?: (line: string) => void }): Promise<{ source: string; served: string }[]>;
