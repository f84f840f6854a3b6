/**
 * The one thing the engine host needs from its transport: send a message (with
 * buffers to transfer) and hear messages. The DOM MessagePort, a Worker's global
 * scope, Node's worker_threads MessagePort and Electron's MessagePortMain all
 * differ a little; small adapters make each of them a PortLike. Everything is
 * typed structurally so core/ imports neither electron nor DOM-only modules.
 */
export interface PortLike {
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
  /** Register the one message handler; returns a function that removes it. */
  onMessage(handler: (data: unknown) => void): () => void;
}

/** What DOM MessagePort, Worker, DedicatedWorkerGlobalScope and Node's MessagePort share (EventTarget style). */
export interface EventTargetPort {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (ev: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (ev: MessageEvent) => void): void;
  /** MessagePort needs start() when listening with addEventListener; workers have no start. */
  start?(): void;
}

/** A DOM MessagePort, a Worker, or a worker's `self` (browser mode, and Node's global MessageChannel). */
export function fromEventTarget(target: EventTargetPort): PortLike {
  return {
    postMessage: (message, transfer) => target.postMessage(message, transfer ?? []),
    onMessage(handler) {
      const listener = (ev: MessageEvent): void => handler(ev.data);
      target.addEventListener('message', listener);
      target.start?.();
      return () => target.removeEventListener('message', listener);
    },
  };
}

/**
 * Electron's MessagePortMain (in the utility process: `process.parentPort` hands
 * one over): `on('message', (e) => e.data)`, `postMessage(msg, transfer?)` where
 * transfer may only list ports, `start()`. ArrayBuffers are therefore copied, not
 * transferred: we pass no transfer list.
 */
export interface MessagePortMainLike {
  on(event: 'message', listener: (e: { data: unknown }) => void): unknown;
  off?(event: 'message', listener: (e: { data: unknown }) => void): unknown;
  removeListener?(event: 'message', listener: (e: { data: unknown }) => void): unknown;
  postMessage(message: unknown, transfer?: unknown[]): void;
  start(): void;
}

export function fromMessagePortMain(port: MessagePortMainLike): PortLike {
  return {
    postMessage: (message) => port.postMessage(message),
    onMessage(handler) {
      const listener = (e: { data: unknown }): void => handler(e.data);
      port.on('message', listener);
      port.start();
      return () => {
        if (port.off) port.off('message', listener);
        else port.removeListener?.('message', listener);
      };
    },
  };
}

/**
 * Node's worker_threads MessagePort in its EventEmitter style: `on('message', (data) => …)`
 * delivers the data itself, not an event.
 */
export interface NodeMessagePortLike {
  on(event: 'message', listener: (data: unknown) => void): unknown;
  off(event: 'message', listener: (data: unknown) => void): unknown;
  postMessage(message: unknown, transfer?: readonly unknown[]): void;
}

export function fromNodePort(port: NodeMessagePortLike): PortLike {
  return {
    postMessage: (message, transfer) => port.postMessage(message, transfer ?? []),
    onMessage(handler) {
      port.on('message', handler);
      return () => port.off('message', handler);
    },
  };
}
