/** Something holding backend memory that must be given back explicitly (a network, a trainer). */
export interface Disposable {
  dispose(): void;
}

/** Run `fn`; if it throws, `owner` (made for a change that will not happen now) gives its memory back first. */
export function disposeOnThrow<T>(owner: Disposable, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    owner.dispose();
    throw e;
  }
}
