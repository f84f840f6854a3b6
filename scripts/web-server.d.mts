import type { Server } from 'node:http';

/** The desktop app's Content-Security-Policy plus 'wasm-unsafe-eval' (contract/content-security-policy.mjs). */
export const CONTENT_SECURITY_POLICY: string;
/** Headers on every response of the browser-mode server. */
export const HEADERS: Readonly<Record<string, string>>;
/** Serve `dist` on 127.0.0.1:`port` (0 = any free port). */
export function serve(dist: string, port: number): Promise<Server>;
