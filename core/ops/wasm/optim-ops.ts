import type { FloatArray } from '../../matrix.js';
import type { Ops } from '../types.js';
import type { KernelContext } from './context.js';
import { JOB } from './job.js';

type OptimizerOps = Pick<Ops, 'sgdUpdate' | 'momentumUpdate' | 'nesterovUpdate' | 'adagradUpdate' | 'rmspropUpdate' | 'adamUpdate'>;

/**
 * The optimizer updates on the WebAssembly kernels (asm/optim.ts): in place, split across
 * threads for large parameters. Scalars derived from the settings (1 - β, momentum²...)
 * are formed here in double precision, as the reference and NumPy form them, and handed
 * to the kernels rounded once to float32.
 */
export function createOptimizerOps(c: KernelContext): OptimizerOps {
  const { k, job, ref } = c;
  /** Pointers of arrays that must all be float32 views of our memory, of w's length; null if any is not. */
  const pointers = (w: FloatArray, ...rest: FloatArray[]): number[] | null => {
    const pw = c.ptr(w);
    if (pw < 0) return null;
    const out = [pw];
    for (const a of rest) {
      const p = c.ptr(a);
      if (p < 0 || a.length !== w.length) return null;
      out.push(p);
    }
    return out;
  };

  return {
    sgdUpdate(w, g, lr) {
      const p = pointers(w, g);
      if (!p) {
        c.fellBack();
        ref.sgdUpdate(w, g, lr);
        return;
      }
      if (c.split(JOB.SGD, w.length)) {
        job.write(JOB.SGD, p[0]!, p[1]!, w.length).float(3, lr);
        c.runTeam();
      } else k.sgd(p[0]!, p[1]!, w.length, lr, 0, 1);
      c.finish();
    },

    momentumUpdate(w, g, v, lr, momentum) {
      const p = pointers(w, g, v);
      if (!p) {
        c.fellBack();
        ref.momentumUpdate(w, g, v, lr, momentum);
        return;
      }
      if (c.split(JOB.MOMENTUM, w.length)) {
        job.write(JOB.MOMENTUM, p[0]!, p[1]!, p[2]!, w.length).float(4, lr).float(5, momentum);
        c.runTeam();
      } else k.momentum(p[0]!, p[1]!, p[2]!, w.length, lr, momentum, 0, 1);
      c.finish();
    },

    nesterovUpdate(w, g, v, lr, momentum) {
      const p = pointers(w, g, v);
      if (!p) {
        c.fellBack();
        ref.nesterovUpdate(w, g, v, lr, momentum);
        return;
      }
      const mm = momentum * momentum, step = (1 + momentum) * lr;
      if (c.split(JOB.NESTEROV, w.length)) {
        job.write(JOB.NESTEROV, p[0]!, p[1]!, p[2]!, w.length).float(4, lr).float(5, momentum).float(6, mm).float(7, step);
        c.runTeam();
      } else k.nesterov(p[0]!, p[1]!, p[2]!, w.length, lr, momentum, mm, step, 0, 1);
      c.finish();
    },

    adagradUpdate(w, g, h, lr) {
      const p = pointers(w, g, h);
      if (!p) {
        c.fellBack();
        ref.adagradUpdate(w, g, h, lr);
        return;
      }
      if (c.split(JOB.ADAGRAD, w.length)) {
        job.write(JOB.ADAGRAD, p[0]!, p[1]!, p[2]!, w.length).float(4, lr);
        c.runTeam();
      } else k.adagrad(p[0]!, p[1]!, p[2]!, w.length, lr, 0, 1);
      c.finish();
    },

    rmspropUpdate(w, g, h, lr, decay) {
      const p = pointers(w, g, h);
      if (!p) {
        c.fellBack();
        ref.rmspropUpdate(w, g, h, lr, decay);
        return;
      }
      if (c.split(JOB.RMSPROP, w.length)) {
        job.write(JOB.RMSPROP, p[0]!, p[1]!, p[2]!, w.length).float(4, lr).float(5, decay).float(6, 1 - decay);
        c.runTeam();
      } else k.rmsprop(p[0]!, p[1]!, p[2]!, w.length, lr, decay, 1 - decay, 0, 1);
      c.finish();
    },

    adamUpdate(w, g, m, v, lr, beta1, beta2, t) {
      const p = pointers(w, g, m, v);
      if (!p) {
        c.fellBack();
        ref.adamUpdate(w, g, m, v, lr, beta1, beta2, t);
        return;
      }
      const lrT = (lr * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
      if (c.split(JOB.ADAM, w.length)) {
        job.write(JOB.ADAM, p[0]!, p[1]!, p[2]!, p[3]!, w.length).float(5, lrT).float(6, 1 - beta1).float(7, 1 - beta2);
        c.runTeam();
      } else k.adam(p[0]!, p[1]!, p[2]!, p[3]!, w.length, lrT, 1 - beta1, 1 - beta2, 0, 1);
      c.finish();
    },
  };
}
