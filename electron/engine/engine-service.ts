import { createHost, type EngineHost, type HostOptions } from '../../core/host/host.js';
import { batchOutgoing } from '../../core/protocol/batching-port.js';
import { fromMessagePortMain, type MessagePortMainLike } from '../../core/protocol/port.js';
import { describeZodError } from '../../core/spec.js';
import { mainToEngineSchema, type EngineToMain } from '../../contract/engine-control.js';
import { EngineTap } from './engine-tap.js';

/**
 * The engine process's wiring: the host behind an EngineTap, the tap talking to
 * main over the parent port. Written against structural types so tests can
 * drive it with plain objects; engine-process.ts calls it with process.parentPort.
 */

/** What process.parentPort offers in an Electron utility process. */
export interface ParentPortLike {
  on(event: 'message', listener: (e: { data: unknown; ports: MessagePortMainLike[] }) => void): unknown;
  postMessage(message: unknown): void;
}

export interface EngineService {
  readonly host: EngineHost;
  readonly tap: EngineTap;
  /** Send a control message to main. */
  readonly toMain: (message: EngineToMain) => void;
}

export function startEngineService(parent: ParentPortLike, hostOptions: HostOptions): EngineService {
  const toMain = (message: EngineToMain): void => parent.postMessage(message);
  const tap = new EngineTap(toMain);
  const host = createHost(tap.hostPort, hostOptions);
  parent.on('message', (e) => {
    const parsed = mainToEngineSchema.safeParse(e.data);
    if (!parsed.success) {
      // Main is our own code; a bad message here is a bug worth a loud line, not a crash.
      console.error(`[engine] ${describeZodError(parsed.error, 'message from main')}`);
      return;
    }
    const msg = parsed.data;
    switch (msg.type) {
      case 'attach-renderer': {
        const port = e.ports[0];
        if (!port) {
          console.error('[engine] attach-renderer without a port');
          return;
        }
        // The renderer hears one message per engine task (core/protocol/batching-port.ts says why).
        tap.attachRenderer(batchOutgoing(fromMessagePortMain(port)), () => (port as { close?: () => void }).close?.());
        return;
      }
      case 'run-commands':
        void tap.runCommands(msg.requestId, msg.commands);
        return;
      case 'ping':
        // Answered here, not by the host: what main asks is whether this loop still turns.
        toMain({ type: 'pong' });
        return;
    }
  });
  return { host, tap, toMain };
}
