import { gradientCheck, GRADCHECK_THRESHOLD } from '../../core/gradcheck.js';
import { initOption, numberOption, usageError, type ParsedCommand } from '../args.js';
import { jsonLine, type CliIO } from '../io.js';
import { describeSpec, inputShapeOption, specFromCli, specParamCount } from '../network-spec.js';
import { shapeSize } from '../../core/layers/shape.js';

const MAX_GRADCHECK_PARAMS = 500_000;

/** The book's check (ch. 5.7): backprop against central differences, one row per parameter. */
export async function gradcheckCommand(io: CliIO, cmd: ParsedCommand): Promise<number> {
  const v = cmd.values;
  const shape = inputShapeOption(v, null);
  const inputs = shape ? shapeSize(shape) : numberOption(v, 'inputs', 12, { integer: true, min: 1, max: 4096 });
  if (shape && v.inputs !== undefined) throw usageError('give either --inputs or --input-shape, not both');
  const seed = numberOption(v, 'seed', 1, { integer: true, min: 0, max: 2 ** 32 - 1 });
  const batch = numberOption(v, 'batch', 3, { integer: true, min: 1, max: 4096 });
  const weightDecay = numberOption(v, 'weight-decay', 0, { min: 0, max: 100 });
  const init = v.init === undefined ? 'xavier' : initOption(v);
  const spec = await specFromCli(io, v, { inputSize: inputs, defaultSizes: [10, 3] });
  // Up to 2,000 sampled weights per parameter, two float64 forward passes each: the
  // time grows with the whole network's size (784-500-100-10 takes a minute or more).
  const params = specParamCount(spec);
  if (params > MAX_GRADCHECK_PARAMS) {
    throw usageError(
      `gradcheck of ${describeSpec(spec)}: ${params.toLocaleString('en-US')} parameters would take very long; ` +
        `the limit is ${MAX_GRADCHECK_PARAMS.toLocaleString('en-US')} (use smaller --inputs or --layers)`,
    );
  }
  const rows = gradientCheck(spec, { seed, batch, init, weightDecay });
  const allOk = rows.every((r) => r.ok);
  if (v.json === true) {
    for (const r of rows) {
      jsonLine(io, { event: 'gradcheck', name: r.name, shape: r.shape, maxAbsDiff: r.maxAbsDiff, meanAbsDiff: r.meanAbsDiff, relError: r.relError, ok: r.ok, checked: r.checked });
    }
    jsonLine(io, { event: 'done', ok: allOk, threshold: GRADCHECK_THRESHOLD });
  } else {
    io.out(`gradient check of ${describeSpec(spec)} in float64 (central differences vs backprop)`);
    const w = Math.max(9, ...rows.map((r) => r.name.length));
    io.out(`${'parameter'.padEnd(w)}  ${'shape'.padEnd(9)}  ${'max |diff|'.padStart(11)}  ${'mean |diff|'.padStart(11)}  ${'rel error'.padStart(10)}`);
    for (const r of rows) {
      io.out(`${r.name.padEnd(w)}  ${r.shape.join('x').padEnd(9)}  ${r.maxAbsDiff.toExponential(2).padStart(11)}  ${r.meanAbsDiff.toExponential(2).padStart(11)}  ${r.relError.toExponential(2).padStart(10)}  ${r.ok ? 'ok' : 'MISMATCH'}`);
    }
    io.out(allOk ? `all ${rows.length} parameters agree (relative error < ${GRADCHECK_THRESHOLD})` : 'backprop and numerical gradients DISAGREE');
  }
  return allOk ? 0 : 1;
}
