import { StudioError } from '../errors.js';
import { EarlyStopping } from '../early-stopping.js';
import type { EventOf } from '../protocol/messages.js';
import type { Session } from './session.js';

/*
 * Early stopping of a run (training.earlyStopping), as the host applies it: the
 * watcher a new run gets, the look at every epoch's loss, and the best weights put
 * back at the end. The host decides when; these decide what.
 */

/** The watcher of a new run, or null; refuses a watch on a set the session does not have. */
export function earlyStoppingFor(s: Session): EarlyStopping | null {
  const settings = s.trainingConfig()?.earlyStopping;
  if (!settings) return null;
  if (settings.monitor === 'validation' && !s.hasValidation()) {
    throw new StudioError('NOT_READY', 'early stopping watches the validation loss, but no validation set is held out: set a validation split (it takes effect with new weights) or watch the test loss', { field: 'earlyStopping.monitor' });
  }
  if (settings.monitor === 'test' && !s.hasTestSet()) {
    throw new StudioError('NOT_READY', 'early stopping watches the test loss, but the data has no test set', { field: 'earlyStopping.monitor' });
  }
  return new EarlyStopping(settings);
}

/**
 * An epoch ended: early stopping looks at its loss. Returns the words of the
 * run's end when it must end here, else null.
 */
export function watchEpoch(early: EarlyStopping | null | undefined, epoch: EventOf<'epoch'>, s: Session): string | null {
  if (!early) return null;
  const { monitor, patience } = early.settings;
  const loss = monitor === 'validation' ? epoch.validationLoss : epoch.testLoss;
  if (loss === undefined || loss === null) return null;
  if (!early.observe(epoch.epoch, loss, s.weights())) return null;
  return `finished early: the ${monitor} loss has not improved for ${patience} epoch${patience === 1 ? '' : 's'}`;
}

/**
 * At the end of a watched run, the best epoch's weights go back into the network;
 * says so. When weights were put back, `checkpoint` holds them: the host sends it
 * at once, since a crash from here on must come back with the restored weights.
 */
export function restoreBest(
  early: EarlyStopping | null | undefined,
  s: Session,
  message: string,
): { message: string; bestEpoch?: number; checkpoint?: EventOf<'checkpoint'> } {
  if (!early || early.bestEpoch === null) return { message };
  const best = early.bestEpoch;
  const restored = early.restoreBest(s.weights());
  const loss = `${early.settings.monitor} loss ${early.bestValue.toPrecision(4)}`;
  if (restored === null) return { message: `${message}; epoch ${best} had the lowest ${loss}`, bestEpoch: best };
  return { message: `${message}; the weights of epoch ${best} (${loss}) were restored`, bestEpoch: best, checkpoint: s.checkpointNow(null) };
}
