/**
 * The origin the studio's pages are served from (`app://studio/`, see
 * electron/main/app-origin.ts for why not file://). Here, with no imports, because
 * main serves it and the sandboxed preload addresses the page by it.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'studio';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
