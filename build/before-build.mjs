// @ts-check
// electron-builder `beforeBuild` hook.
//
// Returning false tells electron-builder that node_modules are handled outside it, so it
// neither installs nor rebuilds dependencies for Electron (there are no native modules)
// nor copies any of them into app.asar. That is right for this app: esbuild bundles
// main, preload and the engine's utility-process entry, and vite bundles the renderer,
// so every library the app uses at run time is already inside dist/. scripts/dist.mjs
// checks the bundles for leftover run-time imports before it calls electron-builder.
//
// It also keeps packaging offline: no `npm install` runs during a build.

/** @returns {Promise<boolean>} false: dependencies are not electron-builder's business */
export default async function beforeBuild() {
  return false;
}
