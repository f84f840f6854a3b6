import { StudioError } from '../../core/errors.js';

/**
 * What `run` refuses with, as one comparable line `CODE: message`, or 'no error'.
 * Anything thrown that is not a StudioError is a bug, not a refusal: it propagates.
 */
export function studioFailure(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    if (e instanceof StudioError) return `${e.code}: ${e.message}`;
    throw e;
  }
  return 'no error';
}
