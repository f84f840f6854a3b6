import { errorMessage, isStudioError, type ErrorCode } from '../errors.js';
import type { CommandId, EventOf, RunState } from '../protocol/messages.js';
import type { Session } from './session.js';

/*
 * The events the host builds from its own state (progress, status) and from a
 * failure (error). The host decides when to send them; these say what they hold.
 */

/** Where the run in progress stands, in epochs: the share done and the time left. */
export interface RunSpan {
  startEpoch: number;
  endEpoch: number;
}

export function progressEvent(
  s: Session,
  state: RunState,
  run: RunSpan | null,
  lastLoss: number | null,
  pendingLosses: readonly number[],
  samplesPerSecond: number,
): EventOf<'progress'> {
  let fraction = 0;
  let secondsLeft: number | null = null;
  if (run) {
    // In epochs (batch sizes may change with setTraining): completed ones plus the share of this one.
    const length = run.endEpoch - run.startEpoch;
    const at = s.epoch() + s.epochFraction();
    fraction = length > 0 ? Math.min(1, Math.max(0, (at - run.startEpoch) / length)) : 0;
    if (samplesPerSecond > 0) secondsLeft = (Math.max(0, run.endEpoch - at) * s.trainCount()) / samplesPerSecond;
  }
  const batchLosses = pendingLosses.length > 0 ? Float32Array.from(pendingLosses) : undefined;
  return {
    type: 'progress',
    state,
    iteration: s.iteration(),
    epoch: s.epoch(),
    loss: lastLoss,
    ...(batchLosses ? { batchLosses } : {}),
    samplesPerSecond,
    fraction,
    secondsLeft,
  };
}

export function statusEvent(s: Session | null, state: RunState): EventOf<'status'> {
  return {
    type: 'status',
    state,
    hasNetwork: s?.hasNetwork() ?? false,
    hasData: s?.hasData() ?? false,
    epoch: s?.hasNetwork() ? s.epoch() : 0,
    iteration: s?.hasNetwork() ? s.iteration() : 0,
  };
}

/** A failed command (`id`) or a failure outside any command, as one line with its code and place. */
export function errorEventFor(id: CommandId | undefined, e: unknown): EventOf<'error'> {
  const code: ErrorCode = isStudioError(e) ? e.code : 'INTERNAL';
  let message = errorMessage(e);
  if (!isStudioError(e)) {
    // A bug or an exhausted resource (RangeError: Array buffer allocation failed): still one line.
    message = `internal error: ${message.split('\n')[0]}`;
  }
  // Where the bad input is, when the error knows it (file, line, column, field).
  const where = isStudioError(e) && Object.keys(e.where).length > 0 ? { where: { ...e.where } } : {};
  return id === undefined ? { type: 'error', code, message, ...where } : { type: 'error', id, code, message, ...where };
}
