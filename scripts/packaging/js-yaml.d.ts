// The one function used from js-yaml (a dependency of electron-builder, which ships
// no type declarations of its own): parse a YAML document.
declare module 'js-yaml' {
  export function load(text: string): unknown;
}
