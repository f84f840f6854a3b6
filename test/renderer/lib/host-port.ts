import { createHost, type EngineHost } from '../../../core/host/host.js';
import { batchOutgoing } from '../../../core/protocol/batching-port.js';
import { fromEventTarget, type EventTargetPort } from '../../../core/protocol/port.js';
import type { EnginePort } from '../../../renderer/src/lib/engine-client.js';

/**
 * A fresh engine host on one end of a real MessageChannel, the other end as the
 * renderer's EnginePort (what a new Web Worker would be), the host's events batched
 * per task as worker-entry.ts sends them. `cleanups` gets what
 * ends it after the test.
 */
export function hostOnChannel(cleanups: (() => void)[]): { port: EnginePort; host: EngineHost } {
  const channel = new MessageChannel();
  const host = createHost(batchOutgoing(fromEventTarget(channel.port1 as unknown as EventTargetPort)));
  cleanups.push(() => {
    host.dispose();
    channel.port1.close();
    channel.port2.close();
  });
  return { port: channel.port2 as unknown as EnginePort, host };
}
