/**
 * Values main passes to the preload on its command line
 * (webPreferences.additionalArguments): the sandboxed preload cannot ask `app`.
 */
export const APP_VERSION_ARG = '--studio-app-version=';
