/** Types of content-security-policy.mjs (the one CSP of the desktop pages and browser mode). */
export function contentSecurityPolicy(options?: { webAssembly?: boolean }): string;
export const DESKTOP_CONTENT_SECURITY_POLICY: string;
export const BROWSER_CONTENT_SECURITY_POLICY: string;
