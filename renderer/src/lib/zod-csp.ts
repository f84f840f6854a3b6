import { z } from 'zod';

/**
 * The desktop app's Content-Security-Policy has no 'unsafe-eval': zod must not
 * try to compile validators with `new Function` (it would fall back, but only
 * after a CSP violation report per page load). Imported first by main.ts.
 */
z.config({ jitless: true });
