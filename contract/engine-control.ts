import { z } from 'zod';

/**
 * The small control channel between main and the engine's utility process
 * (process.parentPort), next to the protocol the renderer speaks over its own
 * MessagePort. Main uses it to hand over renderer ports, to run commands itself
 * (restore after a crash, export the model when the user saves on close) and to
 * hear what it must keep for a restart. Both sides validate what they receive:
 * the engine parses untrusted files, so main does not trust it blindly either.
 */

const commandId = z.union([z.number().int(), z.string().min(1).max(100)]);
const bytes = z.custom<ArrayBuffer | Uint8Array>((v) => v instanceof ArrayBuffer || v instanceof Uint8Array, {
  message: 'expected bytes',
});

// ---------------------------------------------------------------------------
// main -> engine process
// ---------------------------------------------------------------------------

/** `ports[0]` is the renderer's new port; the previous one is dropped. */
export const attachRendererSchema = z.object({ type: z.literal('attach-renderer') }).strict();

/** Run protocol commands one after another, each after the previous one's ack or error. */
export const runCommandsSchema = z
  .object({
    type: z.literal('run-commands'),
    requestId: z.number().int().min(0),
    commands: z.array(z.looseObject({ type: z.string(), id: commandId })).max(16),
  })
  .strict();

/** A sign of life, answered with `pong` by the engine process's message handler (core/host/heartbeat.ts). */
export const pingSchema = z.object({ type: z.literal('ping') }).strict();

export const mainToEngineSchema = z.discriminatedUnion('type', [attachRendererSchema, runCommandsSchema, pingSchema]);
export type MainToEngine = z.infer<typeof mainToEngineSchema>;

// ---------------------------------------------------------------------------
// engine process -> main
// ---------------------------------------------------------------------------

/** A state command from the renderer that the engine acknowledged (see restore-plan.ts). */
export const stateMessageSchema = z
  .object({ type: z.literal('state'), command: z.looseObject({ type: z.string(), id: commandId }) })
  .strict();

/** The engine's checkpoint at an epoch end, copied for main. */
export const checkpointMessageSchema = z
  .object({
    type: z.literal('checkpoint'),
    epoch: z.number().int().min(0),
    iteration: z.number().int().min(0),
    /** Where the run in progress ends (null: the epoch came from `step`): a restore resumes it paused. */
    endEpoch: z.number().int().min(0).nullable(),
    bytes,
  })
  .strict();

export const commandOutcomeSchema = z.union([
  z
    .object({
      ok: z.literal(true),
      type: z.string(),
      /** The command's result event (modelExported, configured, …), if it has one. */
      result: z.looseObject({ type: z.string() }).optional(),
    })
    .strict(),
  z.object({ ok: z.literal(false), type: z.string(), code: z.string(), message: z.string() }).strict(),
]);
export type CommandOutcome = z.infer<typeof commandOutcomeSchema>;

export const commandsDoneSchema = z
  .object({ type: z.literal('commands-done'), requestId: z.number().int().min(0), outcomes: z.array(commandOutcomeSchema) })
  .strict();

/** The engine process hit an error it cannot survive; it exits right after. */
export const fatalMessageSchema = z.object({ type: z.literal('fatal'), message: z.string().max(2000) }).strict();

/** The engine's loop turns (the answer to `ping`). */
export const pongMessageSchema = z.object({ type: z.literal('pong') }).strict();

/**
 * How many commands the host runs in one piece (file reads, gradient checks) are
 * in flight; sent when that goes from none to some and back. Main's heartbeat
 * waits minutes instead of seconds meanwhile.
 */
export const busyMessageSchema = z.object({ type: z.literal('busy'), longCommands: z.number().int().min(0) }).strict();

export const engineToMainSchema = z.discriminatedUnion('type', [
  stateMessageSchema,
  checkpointMessageSchema,
  commandsDoneSchema,
  fatalMessageSchema,
  pongMessageSchema,
  busyMessageSchema,
]);
export type EngineToMain = z.infer<typeof engineToMainSchema>;

/** Ids of commands main runs itself; the engine process routes their answers to main. */
export const MAIN_COMMAND_ID_PREFIX = '__main:';
