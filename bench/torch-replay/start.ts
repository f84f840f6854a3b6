/**
 * The engine's starting point for the SimpleConvNet of issue 10, written for replay.py:
 * the initial weights that `backprop-studio train --layers conv30x5,relu,pool2,fc100,relu,fc10
 * --init he --seed N` builds, and the order in which its trainer visits the 60,000 training
 * images in each epoch. With both, PyTorch trains the same run, so a difference in final
 * accuracy between the engine and the PyTorch anchor can be told apart from the luck of the
 * draw (different initial weights and batch order).
 *
 *   node bench/torch-replay/run.mjs --seed 1 --epochs 3 --data <folder with the IDX files>
 */
import { writeFileSync } from 'node:fs';
import { layerListOption } from '../../cli/network-spec.js';
import { buildNetwork } from '../../core/network.js';
import { Rng } from '../../core/rng.js';
import { shuffleStreamSeed } from '../../core/trainer.js';

const [out, seedText, epochsText, countText] = process.argv.slice(2);
const seed = Number(seedText);
const epochs = Number(epochsText);
const count = Number(countText);
const list = layerListOption({ layers: 'conv30x5,relu,pool2,fc100,relu,fc10' });
if (!list || !('layers' in list)) throw new Error('the SimpleConvNet tokens did not parse');
const network = buildNetwork({ inputSize: 784, inputShape: [1, 28, 28], layers: list.layers, loss: 'softmax-cross-entropy' }, { init: 'he', seed });
const params: Record<string, { shape: [number, number]; data: number[] }> = {};
for (const p of network.namedParams()) {
  params[`${p.layer}.${p.name}`] = { shape: [p.param.value.rows, p.param.value.cols], data: Array.from(p.param.value.data) };
}
// The trainer's own shuffle stream: a new permutation at the start of every epoch.
const rng = new Rng(shuffleStreamSeed(seed));
const orders = Array.from({ length: epochs }, () => Array.from(rng.permutation(count)));
writeFileSync(out, JSON.stringify({ seed, params, orders }));
