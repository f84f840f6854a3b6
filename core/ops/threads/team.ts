import { StudioError, errorMessage } from '../../errors.js';
import { CTRL, ERROR_TEXT_BYTES } from './control.js';
import type { ThreadPool, WorkerEndpoint } from './types.js';
import { WORKER_SOURCE } from './worker-source.js';

export interface TeamInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** Byte offset of the control block (control.ts) in `memory`. */
  ctrl: number;
  /** Byte offset of the job area. */
  job: number;
  /** The calling thread's own share of a job: runJob(job, 0, nthreads) of its instance. */
  runOnCaller: (nthreads: number) => void;
}

/** How long a worker may take to start (instantiate the module) before we give up. */
const START_TIMEOUT_MS = 30_000;
/** How long the caller waits for the workers after finishing its own share. */
const FINISH_TIMEOUT_MS = 120_000;
/** The caller polls DONE this long before it sleeps (the shares are equal, so usually briefly). */
const CALLER_SPIN_MS = 0.2;

/**
 * The calling thread plus `workers` kernel workers sharing one WebAssembly memory.
 * `run()` is synchronous, like every Ops kernel: the caller posts the job through
 * shared memory, does its own share, and waits (Atomics.wait) for the rest. That is
 * allowed in Node's main thread, in workers and in the Electron utility process,
 * which is everywhere the engine runs (never a browser window's main thread).
 */
export class KernelTeam {
  private readonly words: Int32Array;
  private closed = false;

  private constructor(
    private readonly init: TeamInit,
    private readonly endpoints: WorkerEndpoint[],
  ) {
    this.words = new Int32Array(init.memory.buffer, init.ctrl, CTRL.ERROR_TEXT + ERROR_TEXT_BYTES / 4);
  }

  /** Threads taking part in each job: the workers and the caller. */
  get threads(): number {
    return this.endpoints.length + 1;
  }

  static async start(pool: ThreadPool, workers: number, init: TeamInit): Promise<KernelTeam> {
    if (typeof SharedArrayBuffer !== 'function' || !(init.memory.buffer instanceof SharedArrayBuffer)) {
      throw new StudioError('INTERNAL', 'kernel threads need a shared WebAssembly memory');
    }
    const endpoints: WorkerEndpoint[] = [];
    const ready: Promise<void>[] = [];
    for (let i = 1; i <= workers; i++) {
      let endpoint: WorkerEndpoint;
      try {
        endpoint = pool.spawn(WORKER_SOURCE, `backprop-kernels-${i}`);
      } catch (e) {
        await Promise.all(endpoints.map((w) => w.terminate()));
        throw new StudioError('INTERNAL', `could not start kernel thread ${i} (${pool.kind}): ${errorMessage(e)}`);
      }
      endpoints.push(endpoint);
      ready.push(
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new StudioError('INTERNAL', `kernel thread ${i} (${pool.kind}) did not start within ${START_TIMEOUT_MS / 1000} s`)),
            START_TIMEOUT_MS,
          );
          endpoint.onMessage((data) => {
            const msg = data as { type?: string; message?: string };
            if (msg?.type === 'ready') {
              clearTimeout(timer);
              resolve();
            } else if (msg?.type === 'failed') {
              clearTimeout(timer);
              reject(new StudioError('INTERNAL', `kernel thread ${i} could not load the kernels: ${msg.message ?? 'unknown error'}`));
            }
          });
          endpoint.onError((err) => {
            clearTimeout(timer);
            reject(new StudioError('INTERNAL', `kernel thread ${i} (${pool.kind}) failed: ${err.message}`));
          });
        }),
      );
      endpoint.postMessage({ type: 'init', module: init.module, memory: init.memory, ctrl: init.ctrl, job: init.job, index: i });
    }
    try {
      await Promise.all(ready);
    } catch (e) {
      await Promise.all(endpoints.map((w) => w.terminate()));
      throw e;
    }
    return new KernelTeam(init, endpoints);
  }

  /** Run the job already written to the job area on every thread; returns when all are done. */
  run(): void {
    if (this.closed) throw new StudioError('INTERNAL', 'kernel threads were shut down (ops disposed)');
    const w = this.words;
    const helpers = this.endpoints.length;
    Atomics.store(w, CTRL.NTHREADS, helpers + 1);
    Atomics.store(w, CTRL.DONE, 0);
    // The job arguments were written with plain stores before this sequentially
    // consistent add; a worker that sees the new GEN sees them too.
    Atomics.add(w, CTRL.GEN, 1);
    Atomics.notify(w, CTRL.GEN);
    let callerError: unknown = null;
    try {
      this.init.runOnCaller(helpers + 1);
    } catch (e) {
      callerError = e;
    }
    this.waitForHelpers(helpers);
    const failed = Atomics.load(w, CTRL.ERROR);
    if (failed !== 0) {
      Atomics.store(w, CTRL.ERROR, 0);
      const len = Math.min(Atomics.load(w, CTRL.ERROR_LENGTH), ERROR_TEXT_BYTES);
      const bytes = new Uint8Array(this.init.memory.buffer, this.init.ctrl + CTRL.ERROR_TEXT * 4, len).slice();
      throw new StudioError('INTERNAL', new TextDecoder().decode(bytes));
    }
    if (callerError !== null) throw callerError;
  }

  private waitForHelpers(helpers: number): void {
    const w = this.words;
    const spinUntil = performance.now() + CALLER_SPIN_MS;
    let n = 0;
    let done: number;
    while ((done = Atomics.load(w, CTRL.DONE)) < helpers) {
      if ((++n & 255) !== 0 || performance.now() < spinUntil) continue;
      const giveUp = performance.now() + FINISH_TIMEOUT_MS;
      while ((done = Atomics.load(w, CTRL.DONE)) < helpers) {
        try {
          Atomics.wait(w, CTRL.DONE, done, 100);
        } catch {
          // Atomics.wait is not allowed on this thread (a browser window): keep polling.
        }
        if (performance.now() > giveUp) {
          this.closed = true;
          throw new StudioError(
            'INTERNAL',
            `kernel threads stopped responding (${helpers - done} of ${helpers} did not finish within ${FINISH_TIMEOUT_MS / 1000} s)`,
          );
        }
      }
      return;
    }
  }

  /** Stop the workers (they leave their loop, then are terminated). Idempotent. */
  async close(): Promise<void> {
    if (this.closed && this.endpoints.length === 0) return;
    this.closed = true;
    const w = this.words;
    Atomics.store(w, CTRL.STOP, 1);
    Atomics.add(w, CTRL.GEN, 1);
    Atomics.notify(w, CTRL.GEN);
    const endpoints = this.endpoints.splice(0);
    await Promise.all(endpoints.map((e) => e.terminate()));
  }
}
