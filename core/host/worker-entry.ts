import { fromEventTarget, type EventTargetPort } from '../protocol/port.js';
import { createHost } from './host.js';

/**
 * Web Worker entry for browser mode: the whole engine host, talking to the page
 * through the worker's own global scope (`self.postMessage` / `message` events).
 * The renderer creates it with `new Worker(new URL('…/worker-entry.ts', import.meta.url), { type: 'module' })`.
 */
createHost(fromEventTarget(self as unknown as EventTargetPort));
