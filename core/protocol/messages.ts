/**
 * The one protocol between the studio (renderer, or Electron main when it
 * restores a crashed engine) and the engine host.
 *
 * Rules (DESIGN.md):
 * - every message has a `type`;
 * - every command carries an `id` and is answered by exactly one `ack {id}` or
 *   `error {id, code, message}`. Commands that produce data (inspect, exportModel…)
 *   send their result event (carrying the same `id`) BEFORE the ack, so a client
 *   that awaits the ack already holds the result;
 * - large arrays travel as typed arrays whose buffers are transferred, never as
 *   JSON arrays;
 * - the host validates every incoming message with these schemas; an invalid one
 *   gets an `error` event (code BAD_MESSAGE), never a throw.
 *
 * Event schemas exist too, so a client can check what it receives (useful at a
 * process boundary and in tests), and so the TypeScript types of both directions
 * come from one place.
 *
 * The schemas live by direction: shared building blocks in schemas.ts, commands
 * in commands.ts, events in events.ts (probe commands and events in
 * probe-messages.ts). This module re-exports their public surface, so clients
 * import the protocol from one place.
 */

export {
  PROTOCOL_VERSION,
  commandIdSchema,
  bytesSchema,
  fileBytesSchema,
  dataOptionsSchema,
  SYNTHETIC_2D_KINDS,
  synthetic2DSchema,
  builtinMnistSchema,
  builtinDatasetSchema,
} from './schemas.js';
export type { CommandId, Bytes, FileBytes, DataOptions, Synthetic2DKind, Synthetic2D, BuiltinDataset } from './schemas.js';
export * from './commands.js';
export * from './events.js';
