/**
 * How the host lets incoming messages in while it trains: it runs a slice of
 * batches, then queues the next slice as a macrotask, so a `pause` or `stop`
 * waiting in the port is handled between two slices (never inside a batch).
 *
 * setImmediate (Node, Electron utility process) and a MessageChannel (Web
 * Worker) both queue a task without setTimeout's 4 ms clamp, which would waste a
 * large share of each slice. A microtask (Promise.then) would NOT do: messages
 * are tasks and would starve behind it.
 */
export type Schedule = (fn: () => void) => void;

export function defaultSchedule(): Schedule {
  const g = globalThis as { setImmediate?: (fn: () => void) => unknown };
  if (typeof g.setImmediate === 'function') {
    const setImmediate = g.setImmediate;
    return (fn) => {
      setImmediate(fn);
    };
  }
  if (typeof MessageChannel === 'function') {
    const channel = new MessageChannel();
    const queue: (() => void)[] = [];
    channel.port1.onmessage = () => {
      const fn = queue.shift();
      if (fn) fn();
    };
    return (fn) => {
      queue.push(fn);
      channel.port2.postMessage(0);
    };
  }
  return (fn) => {
    setTimeout(fn, 0);
  };
}

/** Milliseconds from a monotonic clock where there is one. */
export function defaultNow(): () => number {
  const perf = (globalThis as { performance?: { now(): number } }).performance;
  return perf ? () => perf.now() : () => Date.now();
}
