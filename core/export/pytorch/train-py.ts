/**
 * train.py of the exported PyTorch project: continues training from the
 * studio's weights on the studio's data files, with the studio's optimizer
 * formulas and JSON epoch lines; under torchrun it runs DistributedDataParallel
 * (gloo on CPU, nccl on CUDA) with a DistributedSampler, and rank 0 alone
 * prints and writes. The file it writes opens in the studio again.
 */
export const TRAIN_PY = String.raw`"""Train a Backprop Studio model further in PyTorch: one process, or many with torchrun.

    python train.py TRAIN_FILE [--test FILE] [--label COLUMN] [--epochs N] [--batch B] [--lr LR]
                    [--optimizer NAME] [--no-shuffle] [--seed S] [--out FILE]
    torchrun --nproc_per_node=4 train.py TRAIN_FILE ...          # DistributedDataParallel

Starts from model.safetensors (beside this file, or --model), reads the same CSV/TSV/IDX files
as the studio (same label column, class order, standardization), steps with the studio's
optimizer formulas (optim.py), prints one JSON line per epoch with the keys of
"backprop-studio train --json", and writes a safetensors file the studio opens again.

--batch is the global batch: under torchrun each of the W processes takes ceil(B / W) rows
of it, so the number of steps per epoch and the averaged gradient stay what one process has.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, RandomSampler, SequentialSampler, TensorDataset

from data import DataError, load_data
from model import load_model, save_model
from optim import create_optimizer

HERE = os.path.dirname(os.path.abspath(__file__))
OPTIMIZERS = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]
EVAL_ROWS = 1000


def parse_args(argv):
    p = argparse.ArgumentParser(description="Train a Backprop Studio model further in PyTorch (torchrun for many processes).")
    p.add_argument("train_file", help="CSV/TSV or IDX images (plain or .gz)")
    p.add_argument("--test", help="held-out data, evaluated after every epoch")
    p.add_argument("--labels", help="the IDX labels file of TRAIN_FILE (default: found beside it by name)")
    p.add_argument("--test-labels", help="the IDX labels file of --test")
    p.add_argument("--label", help="CSV/TSV label column: a header name or a 0-based index (default: the model's, else the last)")
    p.add_argument("--epochs", type=int, help="default: the model's training settings")
    p.add_argument("--batch", type=int, help="global batch size (default: the model's)")
    p.add_argument("--lr", type=float, help="learning rate (default: the model's)")
    p.add_argument("--optimizer", choices=OPTIMIZERS, help="default: the model's")
    p.add_argument("--no-shuffle", action="store_true", help="visit the samples in file order (the studio's --no-shuffle)")
    p.add_argument("--seed", type=int, help="seed of the shuffles (default: the model's)")
    p.add_argument("--model", default=os.path.join(HERE, "model.safetensors"), help="the starting weights")
    p.add_argument("--out", default="trained.safetensors", help="where rank 0 writes the trained model")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    args = p.parse_args(argv)
    for name in ("epochs", "batch"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            p.error(f"--{name} must be at least 1")
    if args.lr is not None and not args.lr > 0:
        p.error("--lr must be greater than 0")
    return args


class Runtime:
    """One process of the run: its rank among WORLD_SIZE (torchrun's environment) and its device."""

    def __init__(self, device_choice):
        self.world = int(os.environ.get("WORLD_SIZE", "1"))
        self.distributed = self.world > 1
        cuda = torch.cuda.is_available() and device_choice != "cpu"
        if device_choice == "cuda" and not torch.cuda.is_available():
            raise SystemExit("train.py: --device cuda, but PyTorch sees no CUDA device")
        local_rank = int(os.environ.get("LOCAL_RANK", "0"))
        self.device = torch.device("cuda", local_rank) if cuda else torch.device("cpu")
        if cuda:
            torch.cuda.set_device(self.device)
        if self.distributed:
            dist.init_process_group("nccl" if cuda else "gloo")
        self.rank = dist.get_rank() if self.distributed else 0
        self.main = self.rank == 0

    def sum(self, values):
        """Element-wise sum of a list of floats over every process."""
        t = torch.tensor(values, dtype=torch.float64, device=self.device)
        if self.distributed:
            dist.all_reduce(t)
        return t.tolist()

    def close(self):
        if self.distributed:
            dist.destroy_process_group()


def emit(line):
    print(json.dumps({k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in line.items()}), flush=True)


@torch.no_grad()
def evaluate(net, x, y, rt):
    """Mean loss and accuracy over the whole set; each process takes every W-th row, the sums are shared."""
    net.eval()
    loss_sum, correct = 0.0, 0
    rows = torch.arange(rt.rank, len(y), rt.world)
    for start in range(0, len(rows), EVAL_ROWS):
        idx = rows[start:start + EVAL_ROWS]
        xb, yb = x[idx].to(rt.device), y[idx].to(rt.device)
        scores = net(xb)
        loss_sum += float(net.loss(scores, yb)) * len(idx)
        correct += int((scores.argmax(dim=1) == yb).sum())
    loss_sum, correct = rt.sum([loss_sum, float(correct)])
    return loss_sum / len(y), correct / len(y)


def main(argv):
    args = parse_args(argv)
    rt = Runtime(args.device)
    try:
        try:
            net, meta = load_model(args.model)
        except OSError as e:
            raise SystemExit(f"train.py: {args.model}: {e.strerror or e}")
        except ValueError as e:  # model.py's messages start with the path
            raise SystemExit(f"train.py: {e}")
        training = dict(meta.get("training") or {"optimizer": "sgd", "learningRate": 0.1, "batchSize": 100, "epochs": 5, "seed": 1})
        if args.optimizer is not None:
            training["optimizer"] = args.optimizer
        if args.lr is not None:
            training["learningRate"] = args.lr
        if args.batch is not None:
            training["batchSize"] = args.batch
        if args.epochs is not None:
            training["epochs"] = args.epochs
        if args.seed is not None:
            training["seed"] = args.seed
        if args.no_shuffle:
            training["shuffle"] = False
        try:
            x, y = load_data(args.train_file, meta, args.labels, args.label)
            test = load_data(args.test, meta, args.test_labels, args.label) if args.test else None
        except DataError as e:
            raise SystemExit(f"train.py: {e}")
        except OSError as e:
            raise SystemExit(f"train.py: {e.filename}: {e.strerror or e}")
        return train(net, meta, training, (torch.from_numpy(x), torch.from_numpy(y)), test and tuple(map(torch.from_numpy, test)), args, rt)
    finally:
        rt.close()


def train(net, meta, training, train_set, test_set, args, rt):
    x, y = train_set
    seed = int(training.get("seed", 1))
    # The studio's training.shuffle false (its --no-shuffle) carries over; --no-shuffle here sets it.
    no_shuffle = args.no_shuffle or training.get("shuffle") is False
    weight_decay = float(training.get("weightDecay") or 0)
    dataset = TensorDataset(x, y)
    if rt.distributed:
        sampler = DistributedSampler(dataset, num_replicas=rt.world, rank=rt.rank, shuffle=not no_shuffle, seed=seed)
    elif no_shuffle:
        sampler = SequentialSampler(dataset)
    else:
        sampler = RandomSampler(dataset, generator=torch.Generator().manual_seed(seed))
    loader = DataLoader(dataset, batch_size=math.ceil(training["batchSize"] / rt.world), sampler=sampler)

    torch.manual_seed(seed + rt.rank)  # Dropout masks: reproducible, different on every process
    if rt.distributed and rt.device.type == "cuda":
        # BatchNorm statistics over the whole global batch, as one process sees it (SyncBatchNorm needs CUDA).
        net = torch.nn.SyncBatchNorm.convert_sync_batchnorm(net)
    net.to(rt.device)
    model = DistributedDataParallel(net, device_ids=[rt.device.index] if rt.device.type == "cuda" else None) if rt.distributed else net
    optimizer = create_optimizer(training["optimizer"], net.parameters(), training)
    iterations, epochs_done, reason, last = 0, 0, "finished", None
    for epoch in range(1, training["epochs"] + 1):
        if rt.distributed:
            sampler.set_epoch(epoch)
        net.train()
        started = time.perf_counter()
        for xb, yb in loader:
            xb, yb = xb.to(rt.device), yb.to(rt.device)
            # The book's weight decay: ½λ·ΣW² added to the step's loss (dW += λW), not to the epoch's evaluation.
            loss = net.loss(model(xb), yb) + net.decay_term(weight_decay)
            # Every process stops together: a NaN on one is a NaN for all (the studio makes no update then).
            if rt.sum([0.0 if torch.isfinite(loss) else 1.0])[0] > 0:
                reason = "diverged"
                break
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            iterations += 1
        seconds = time.perf_counter() - started
        if reason == "diverged":
            break
        train_loss, train_acc = evaluate(net, x, y, rt)
        test_loss, test_acc = evaluate(net, *test_set, rt) if test_set else (None, None)
        epochs_done += 1
        last = dict(loss=train_loss, trainAccuracy=train_acc, testAccuracy=test_acc)
        if rt.main:
            emit(dict(event="epoch", epoch=epoch, loss=train_loss, trainAccuracy=train_acc, testAccuracy=test_acc, testLoss=test_loss, seconds=seconds))
        if not (math.isfinite(train_loss) and (test_loss is None or math.isfinite(test_loss))):
            reason = "diverged"
            break

    saved = None
    if rt.main and reason == "finished":
        saved = os.path.abspath(args.out)
        out_meta = dict(meta, training=training, producer=f"backprop-studio train.py (PyTorch {torch.__version__})")
        temporary = f"{saved}.tmp-{os.getpid()}"
        save_model(temporary, net.to("cpu"), out_meta)
        os.replace(temporary, saved)  # complete or absent, never half-written
    elif rt.main:
        print(f"train.py: {args.out} not written: the run diverged (try a smaller --lr)", file=sys.stderr)
    if rt.main:
        emit(dict(event="done", reason=reason, epochs=epochs_done, iterations=iterations,
                  loss=last and last["loss"], trainAccuracy=last and last["trainAccuracy"], testAccuracy=last and last["testAccuracy"], model=saved))
    return 0 if reason == "finished" else 3


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
`;
