import type { IpcMain, IpcMainEvent, IpcMainInvokeEvent } from 'electron';
import type { z } from 'zod';
import { describeZodError } from '../../core/spec.js';
import { errorMessage, isStudioError } from '../../core/errors.js';
import { isAppUrl } from './app-origin.js';
import type { IpcResult } from '../../contract/ipc-channels.js';

/**
 * Every IPC message main accepts passes two gates:
 * 1. the sender: the top frame of a page served from app://studio (not an iframe,
 *    not a page that somehow navigated elsewhere, not DevTools);
 * 2. the payload: parsed with a zod schema; extra arguments are refused.
 * Answers travel in an envelope so the renderer gets a clean one-line message
 * instead of Electron's "Error invoking remote method …" wrapping.
 */

/** The part of an IPC event the sender check reads. */
export interface SenderInfo {
  readonly senderFrame: { readonly url: string; readonly parent: unknown } | null;
}

export function isTrustedSender(event: SenderInfo): boolean {
  const frame = event.senderFrame;
  // null: the frame navigated away or was destroyed while the message was in flight.
  if (!frame) return false;
  if (frame.parent !== null) return false;
  return isAppUrl(frame.url);
}

function senderName(event: SenderInfo): string {
  const frame = event.senderFrame;
  if (!frame) return 'a destroyed frame';
  return `${frame.parent !== null ? 'a subframe at ' : ''}${frame.url || 'about:blank'}`;
}


export type Logger = (message: string) => void;

const defaultLog: Logger = (message) => console.warn(`[ipc] ${message}`);

/** Validate `args` (the arguments after the event) as exactly one payload of `schema`. */
export function parsePayload<S extends z.ZodType>(
  channel: string,
  schema: S,
  args: readonly unknown[],
): { ok: true; value: z.output<S> } | { ok: false; message: string } {
  if (args.length > 1) return { ok: false, message: `${channel}: expected one argument, got ${args.length}` };
  const r = schema.safeParse(args[0]);
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, message: describeZodError(r.error, channel) };
}

/** ipcMain.handle with the sender check, payload validation and the result envelope. */
export function handleChecked<S extends z.ZodType, R>(
  ipcMain: Pick<IpcMain, 'handle'>,
  channel: string,
  schema: S,
  handler: (payload: z.output<S>, event: IpcMainInvokeEvent) => Promise<R> | R,
  log: Logger = defaultLog,
): void {
  ipcMain.handle(channel, async (event, ...args): Promise<IpcResult<R>> => {
    if (!isTrustedSender(event)) {
      log(`refused ${channel} from ${senderName(event)}`);
      return { ok: false, code: 'FORBIDDEN', message: `${channel}: refused, the sender is not the studio` };
    }
    const parsed = parsePayload(channel, schema, args);
    if (!parsed.ok) {
      log(`invalid payload: ${parsed.message}`);
      return { ok: false, code: 'BAD_MESSAGE', message: parsed.message };
    }
    try {
      return { ok: true, value: await handler(parsed.value, event) };
    } catch (e) {
      return { ok: false, code: isStudioError(e) ? e.code : 'INTERNAL', message: errorMessage(e) };
    }
  });
}

/** ipcMain.on with the sender check and payload validation; bad messages are logged and dropped. */
export function onChecked<S extends z.ZodType>(
  ipcMain: Pick<IpcMain, 'on'>,
  channel: string,
  schema: S,
  listener: (payload: z.output<S>, event: IpcMainEvent) => void,
  log: Logger = defaultLog,
): void {
  ipcMain.on(channel, (event, ...args) => {
    if (!isTrustedSender(event)) {
      log(`refused ${channel} from ${senderName(event)}`);
      return;
    }
    const parsed = parsePayload(channel, schema, args);
    if (!parsed.ok) {
      log(`invalid payload: ${parsed.message}`);
      return;
    }
    listener(parsed.value, event);
  });
}
