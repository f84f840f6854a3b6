import type { ModelFileContent } from '../../model/model-file.js';

/** README.md of the exported PyTorch project: this model, and how to train it on one machine or many. */
export function projectReadme(content: ModelFileContent): string {
  const { spec } = content;
  const layers = spec.layers.map((l) => (l.kind === 'affine' ? `affine ${l.units}` : l.kind)).join(' → ');
  const training = content.training;
  const classes = content.classNames ? content.classNames.slice(0, 20).join(', ') + (content.classNames.length > 20 ? ', …' : '') : 'unknown';
  return `# Backprop Studio model, as a PyTorch project

Exported by Backprop Studio. The network: input ${spec.inputSize} → ${layers}, loss ${spec.loss}
(classes: ${classes}).${content.normalization ? ' The features are standardized with the statistics stored in the model file.' : ''}
${training ? `It was trained with ${training.optimizer}, learning rate ${training.learningRate}, batch ${training.batchSize}, ${training.epochs} epochs.\n` : ''}
| file | what |
| --- | --- |
| \`model.safetensors\` | the studio's model file: weights and, in \`__metadata__\`, the spec, classes, standardization |
| \`model.py\` | \`StudioNet\`, a \`torch.nn.Module\` with the file's parameter names (\`fc1.weight\` [out, in] …), loaded with \`load_state_dict(strict=True)\`; safetensors read and written with \`json\` and \`torch\` only |
| \`data.py\` | reads the files the studio reads: CSV/TSV (header detected, label column), IDX images (plain or .gz) |
| \`optim.py\` | the studio's optimizers in the book's formulas (SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam) as \`torch.optim.Optimizer\` subclasses |
| \`train.py\` | trains on, prints the studio's JSON epoch lines, writes a model file the studio opens again |

Needs Python 3.8+, PyTorch (1.13 or later) and NumPy. No other package.

## Use the model

\`\`\`python
import torch
from model import load_model
from data import load_data
net, meta = load_model("model.safetensors")
x, y = load_data("data.csv", meta)              # prepared as the studio does: columns, classes, standardization
p = net.predict(torch.from_numpy(x))            # the probabilities of "backprop-studio predict"
\`\`\`

## Train on, one process

\`\`\`sh
python train.py TRAIN_FILE [--test FILE] [--label COLUMN] [--epochs N] [--batch B] [--lr LR] \\
                [--optimizer sgd|momentum|nesterov|adagrad|rmsprop|adam] [--no-shuffle] [--seed S] [--out FILE]
\`\`\`

Settings not given come from the model's training settings. IDX images find their labels
file beside them by name (\`train-images-idx3-ubyte.gz\` → \`train-labels-idx1-ubyte.gz\`) or
take \`--labels FILE\` (\`--test-labels\` for \`--test\`). Every epoch prints one JSON line,
the same keys as \`backprop-studio train --json\`:

\`\`\`json
{"event": "epoch", "epoch": 1, "loss": 0.31, "trainAccuracy": 0.91, "testAccuracy": 0.9, "testLoss": 0.33, "seconds": 0.8}
\`\`\`

The result (\`--out\`, default \`trained.safetensors\`) is a studio model file:
\`backprop-studio eval trained.safetensors TEST_FILE\`, or Open model in the studio.
With \`--no-shuffle\` the samples are visited in file order, as \`backprop-studio train
--no-shuffle\` does, and the losses follow the studio's step for step (float32 rounding aside).

## Train on many processes: torchrun

\`train.py\` runs under \`torchrun\` with DistributedDataParallel: the gloo backend on CPU,
nccl when CUDA is there (one GPU per process, \`LOCAL_RANK\`), a \`DistributedSampler\`
splitting every epoch, and only rank 0 printing and writing. \`--batch\` stays the global
batch: each of W processes takes ceil(B / W) rows of every step. BatchNorm layers become
SyncBatchNorm on CUDA (statistics over the whole global batch); on CPU each process
normalizes its own share and DDP keeps rank 0's running statistics. Dropout masks are
seeded per process (\`--seed\` + rank).

One machine, 4 processes (4 GPUs, or 4 CPU workers):

\`\`\`sh
torchrun --standalone --nproc_per_node=4 train.py TRAIN_FILE --test TEST_FILE --epochs 10
\`\`\`

Two machines with 4 GPUs each: run the same command on both (HOST is the first machine's
address, reachable from the other; any free port):

\`\`\`sh
torchrun --nnodes=2 --nproc_per_node=4 --rdzv_id=studio1 --rdzv_backend=c10d --rdzv_endpoint=HOST:29400 \\
         train.py TRAIN_FILE --test TEST_FILE --epochs 10 --out trained.safetensors
\`\`\`

Every machine needs this folder and the data files at the same paths.

PyTorch 1.13 on Python 3.11 (Debian 12's \`python3-torch\`): torchrun stops at start with
\`AttributeError: 'NoneType' object has no attribute 'get'\` (its default \`--redirects 0\`
is not understood there). Add \`--redirects=2 --tee=2\` (stderr to a log file and to the
console; stdout as usual) and it runs; newer PyTorch versions do not need it. Newer torchrun
versions also accept \`--rdzv-endpoint\` and friends with dashes; \`python -m
torch.distributed.run\` is the same program where the \`torchrun\` command is not on PATH.
`;
}
