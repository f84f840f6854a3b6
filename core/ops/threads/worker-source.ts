import { CTRL, ERROR_TEXT_BYTES } from './control.js';

/**
 * How long a worker keeps polling for the next job before it sleeps (Atomics.wait).
 * A training step issues its shared kernels a few to a few dozen microseconds apart;
 * waking a sleeping thread costs about as much again, so a short spin keeps the helper
 * hot during a step. It stays short because on a busy machine (or next to the studio's
 * own window) a spinning helper takes CPU time from the thread it is waiting for.
 */
export const WORKER_SPIN_MS = 0.1;

/**
 * The script every kernel worker runs, as source text so it can be started the same
 * way everywhere: `new Worker(source, { eval: true })` in Node, a Blob URL in browsers.
 * It instantiates the kernel module over the shared memory it is handed, then loops:
 * wait for GEN to change, run its share of the job (`runJob(job, index, nthreads)`),
 * add 1 to DONE. A share that throws records the worker's index and message instead
 * of hanging the caller.
 */
export const WORKER_SOURCE = `'use strict';
const isNode = typeof require === 'function' && typeof process === 'object';
const port = isNode ? require('node:worker_threads').parentPort : self;
const listen = (fn) => isNode ? port.on('message', fn) : (self.onmessage = (e) => fn(e.data));
const GEN = ${CTRL.GEN}, DONE = ${CTRL.DONE}, STOP = ${CTRL.STOP}, ERROR = ${CTRL.ERROR};
const NTHREADS = ${CTRL.NTHREADS}, ERROR_LENGTH = ${CTRL.ERROR_LENGTH}, ERROR_TEXT = ${CTRL.ERROR_TEXT};
const SPIN_MS = ${WORKER_SPIN_MS};
listen((msg) => {
  if (!msg || msg.type !== 'init') return;
  let instance;
  try {
    instance = new WebAssembly.Instance(msg.module, { env: { memory: msg.memory } });
  } catch (e) {
    port.postMessage({ type: 'failed', message: String(e && e.message || e) });
    return;
  }
  const I = new Int32Array(msg.memory.buffer, msg.ctrl, ${CTRL.ERROR_TEXT} + ${ERROR_TEXT_BYTES / 4});
  const runJob = instance.exports.runJob;
  const index = msg.index, job = msg.job;
  // Read the generation before saying ready: the caller may post the first job the
  // moment it hears from us, and that job must look new.
  let seen = Atomics.load(I, GEN);
  port.postMessage({ type: 'ready', index });
  for (;;) {
    let g = Atomics.load(I, GEN);
    if (g === seen) {
      const until = performance.now() + SPIN_MS;
      let n = 0;
      while ((g = Atomics.load(I, GEN)) === seen) {
        if ((++n & 255) === 0 && performance.now() > until) {
          Atomics.wait(I, GEN, seen);
        }
      }
    }
    seen = g;
    if (Atomics.load(I, STOP) !== 0) break;
    try {
      runJob(job, index, Atomics.load(I, NTHREADS));
    } catch (e) {
      // The first worker to fail writes its message; the others only count themselves done.
      if (Atomics.compareExchange(I, ERROR, 0, index) === 0) {
        const text = new TextEncoder().encode('kernel thread ' + index + ': ' + String(e && e.message || e)).slice(0, ${ERROR_TEXT_BYTES});
        new Uint8Array(msg.memory.buffer, msg.ctrl + ERROR_TEXT * 4, text.length).set(text);
        Atomics.store(I, ERROR_LENGTH, text.length);
      }
    }
    Atomics.add(I, DONE, 1);
    Atomics.notify(I, DONE);
  }
  port.postMessage({ type: 'stopped', index });
});
`;
