/**
 * Entry of the engine's utility process (utilityProcess.fork of the bundled
 * dist/electron/engine-process.js). A thin shell: the host and its tap are wired
 * in engine-service.ts, the numeric backend is chosen in engine-ops.ts.
 */
import { errorMessage } from '../../core/errors.js';
import { loadEngineOps } from './engine-ops.js';
import { startEngineService, type ParentPortLike } from './engine-service.js';

const parent = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
if (!parent) {
  console.error('engine-process.js runs inside Electron (utilityProcess.fork); use the CLI to train from a terminal.');
  process.exit(2);
}

const service = startEngineService(parent, { ops: () => loadEngineOps() });

/** Tell main why, then exit: main restarts the engine and restores its state. */
function die(message: string): void {
  service.toMain({ type: 'fatal', message: message.split('\n')[0]!.slice(0, 2000) });
  // Give the message a moment to leave before the process goes.
  setTimeout(() => process.exit(1), 100);
}

service.host.ready.catch((e: unknown) => die(`the engine could not start: ${errorMessage(e)}`));
process.on('uncaughtException', (e) => die(`engine crashed: ${errorMessage(e)}`));
process.on('unhandledRejection', (e) => die(`engine crashed: ${errorMessage(e)}`));
