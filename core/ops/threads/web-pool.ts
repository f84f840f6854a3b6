import type { ThreadPool, WorkerEndpoint } from './types.js';

/**
 * Kernel threads as Web Workers (browser mode: the engine itself runs in a Web Worker
 * and starts these from there). Shared WebAssembly memory needs cross-origin isolation:
 * the page must be served with `Cross-Origin-Opener-Policy: same-origin` and
 * `Cross-Origin-Embedder-Policy: require-corp`. Without it there is no pool, and the
 * engine runs on one thread and says so (see webThreadSupport).
 */
export interface ThreadSupport {
  ok: boolean;
  /** Why not, in one line a user can act on ('' when ok). */
  reason: string;
}

interface WebGlobals {
  Worker?: new (url: string, options?: { name?: string }) => {
    postMessage(m: unknown): void;
    onmessage: ((e: { data: unknown }) => void) | null;
    onerror: ((e: { message?: string }) => void) | null;
    terminate(): void;
  };
  Blob?: new (parts: string[], options?: { type?: string }) => unknown;
  URL?: { createObjectURL?(blob: unknown): string; revokeObjectURL?(url: string): void };
  crossOriginIsolated?: boolean;
  navigator?: { hardwareConcurrency?: number };
}

export function webThreadSupport(): ThreadSupport {
  const g = globalThis as unknown as WebGlobals;
  if (typeof g.Worker !== 'function') return { ok: false, reason: 'this context cannot start Web Workers' };
  if (typeof SharedArrayBuffer !== 'function' || g.crossOriginIsolated === false) {
    return {
      ok: false,
      reason: 'the page is not cross-origin isolated (serve it with COOP: same-origin and COEP: require-corp), so WebAssembly memory cannot be shared between threads',
    };
  }
  if (typeof g.Blob !== 'function' || typeof g.URL?.createObjectURL !== 'function') {
    return { ok: false, reason: 'this context cannot make Blob URLs for worker scripts' };
  }
  return { ok: true, reason: '' };
}

/** A pool of Web Workers, or null when webThreadSupport() says no. */
export function createWebWorkerPool(): ThreadPool | null {
  if (!webThreadSupport().ok) return null;
  const g = globalThis as unknown as Required<WebGlobals>;
  let url: string | null = null;
  return {
    kind: 'web-workers',
    cores: Math.max(1, g.navigator?.hardwareConcurrency ?? 1),
    spawn(source: string, name: string): WorkerEndpoint {
      url ??= g.URL.createObjectURL!(new g.Blob([source], { type: 'text/javascript' }));
      const worker = new g.Worker(url, { name });
      const messageListeners: ((d: unknown) => void)[] = [];
      const errorListeners: ((e: Error) => void)[] = [];
      worker.onmessage = (e) => messageListeners.forEach((l) => l(e.data));
      worker.onerror = (e) => errorListeners.forEach((l) => l(new Error(e.message ?? 'worker error')));
      return {
        postMessage: (m) => worker.postMessage(m),
        onMessage: (l) => void messageListeners.push(l),
        onError: (l) => void errorListeners.push(l),
        terminate: () => worker.terminate(),
      };
    },
  };
}
