import type { CommandOf, EngineEvent } from '../protocol/messages.js';
import type { Session } from './session.js';
import * as probes from './probes.js';
import * as imageProbes from './image-probes.js';

/*
 * Commands that look inside or try the network (inspect, gradcheck, export,
 * evaluation, the probes, decision regions, the sample browser): nothing in the
 * session changes, so a run goes on. Each is answered by its result events, which
 * the host sends before the ack.
 */

export const QUERY_COMMAND_TYPES = [
  'inspect',
  'gradcheck',
  'exportModel',
  'evaluate',
  'trace',
  'checkWeight',
  'predict',
  'evaluateFile',
  'predictFile',
  'featureMaps',
  'layerTensors',
  'predictGrid',
  'samples',
] as const;
export type QueryCommand = CommandOf<(typeof QUERY_COMMAND_TYPES)[number]>;

/** The events that answer a query, in the order to send them. */
export function answerQuery(s: Session, cmd: QueryCommand): EngineEvent[] {
  switch (cmd.type) {
    case 'inspect':
      return [s.inspect(cmd.id, cmd.layer)];
    case 'gradcheck':
      return [s.gradcheck(cmd.id, cmd.samples)];
    case 'exportModel':
      return [{ type: 'modelExported', id: cmd.id, bytes: s.exportModel() }];
    case 'evaluate': {
      const { evaluation, confusion } = s.evaluate();
      return confusion ? [{ ...evaluation, id: cmd.id }, confusion] : [{ ...evaluation, id: cmd.id }];
    }
    case 'trace':
      return [{ ...probes.trace(s.probeView(), cmd), id: cmd.id }];
    case 'checkWeight':
      return [{ ...probes.checkWeight(s.probeView(), cmd), id: cmd.id }];
    case 'predict':
      return [{ ...probes.predict(s.probeView(), cmd), id: cmd.id }];
    case 'evaluateFile':
      return [{ ...probes.evaluateFile(s.probeView(), cmd), id: cmd.id }];
    case 'predictFile':
      return [{ ...probes.predictFile(s.probeView(), cmd), id: cmd.id }];
    case 'featureMaps':
      return [{ ...imageProbes.featureMaps(s.probeView(), cmd), id: cmd.id }];
    case 'layerTensors':
      return [{ ...imageProbes.layerTensors(s.probeView(), cmd), id: cmd.id }];
    case 'predictGrid':
      return [{ ...s.predictGrid(cmd.bounds, cmd.cols, cmd.rows), id: cmd.id }];
    case 'samples':
      return [{ ...s.samples(cmd.which, cmd.offset, cmd.limit, cmd.pair), id: cmd.id }];
  }
}
