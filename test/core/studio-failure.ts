import { StudioError } from '../../core/errors.js';

/**
 * The StudioError `run` throws, or undefined when it returns. Anything thrown that is
 * not a StudioError is a bug, not a refusal: it propagates and fails the test.
 */
function refusalOf(run: () => unknown): StudioError | undefined {
  try {
    run();
  } catch (e) {
    if (e instanceof StudioError) return e;
    throw e;
  }
  return undefined;
}

/** What `run` refuses with, as one comparable line `CODE: message`, or 'no error'. */
export function studioFailure(run: () => unknown): string {
  const e = refusalOf(run);
  return e ? `${e.code}: ${e.message}` : 'no error';
}

/**
 * The StudioError `run` refuses with, for tests that look at its code, message and
 * where (file, line, column, field); fails the test when `run` returns.
 */
export function studioRefusal(run: () => unknown): StudioError {
  const e = refusalOf(run);
  if (!e) throw new Error('expected a refusal (a StudioError), but it returned');
  return e;
}
