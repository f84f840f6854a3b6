/**
 * How kernel threads come into being, injected so that core/ stays free of Node and
 * DOM imports: node/wasm-threads.ts makes worker_threads, web-pool.ts makes Web Workers.
 * A pool only spawns; KernelTeam (team.ts) runs the protocol over shared memory.
 */

/** One started worker, seen from the thread that started it. */
export interface WorkerEndpoint {
  postMessage(message: unknown): void;
  /** Messages the worker posts (the data itself, not an event). */
  onMessage(listener: (data: unknown) => void): void;
  /** The worker failed to start or threw outside the job loop. */
  onError(listener: (error: Error) => void): void;
  terminate(): void | Promise<unknown>;
}

export interface ThreadPool {
  /** For logs and the bench: "node-worker_threads", "web-workers". */
  readonly kind: string;
  /** Cores this host reports (os.availableParallelism(), navigator.hardwareConcurrency). */
  readonly cores: number;
  /**
   * Start a worker that runs `source`, a self-contained classic script (see
   * worker-source.ts). `name` shows up in debuggers and thread lists.
   */
  spawn(source: string, name: string): WorkerEndpoint;
}
