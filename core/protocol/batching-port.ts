import type { PortLike } from './port.js';

/**
 * The engine's events to the renderer, one message per engine task instead of one
 * per event.
 *
 * Why: a small network finishes hundreds of epochs a second, and every epoch end
 * sends four events (epoch, layer statistics, confusion, checkpoint). As separate
 * messages each one was a task on the page's main thread, with its own
 * deserialization and its own Svelte update pass: the page spent its time
 * handling messages and drew 10-20 frames a second (issue 12, C4). Gathered here
 * and posted once the engine's current task ends (a microtask), a training slice
 * of 12 ms arrives as one message, and the page updates once for all of it.
 *
 * Nothing is held longer than the task that produced it (an answer is not delayed),
 * and the order is kept. A lone event goes as itself; several go as an array, which
 * the receiver unpacks with `eventsOf`.
 */
export function batchOutgoing(port: PortLike, schedule: (flush: () => void) => void = queueMicrotask): PortLike {
  let messages: unknown[] = [];
  let transfer: ArrayBuffer[] = [];
  const flush = (): void => {
    const batch = messages;
    const buffers = transfer;
    messages = [];
    transfer = [];
    port.postMessage(batch.length === 1 ? batch[0] : batch, buffers);
  };
  return {
    postMessage(message, buffers) {
      if (messages.length === 0) schedule(flush);
      messages.push(message);
      // One buffer listed twice would make the whole batch fail to clone.
      for (const b of buffers ?? []) if (!transfer.includes(b)) transfer.push(b);
    },
    onMessage: (handler) => port.onMessage(handler),
  };
}

/** Most events one message may carry; a longer array is not something our engine sends. */
export const MAX_BATCH = 100_000;

/** The events of one message from the engine: itself, or the array a batching port sent. */
export function eventsOf(data: unknown): readonly unknown[] {
  if (!Array.isArray(data)) return [data];
  return data.length <= MAX_BATCH ? data : data.slice(0, MAX_BATCH);
}
