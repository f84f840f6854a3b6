"""Train the SimpleConvNet of issue 10 in PyTorch from the engine's own starting point
(start.ts: its initial weights and its batch order), as the anchor does otherwise
(../../../shared/anchors/torch_convnet.py: torch.optim.Adam, CrossEntropyLoss, float32).

  replay.py <start.json> <idx folder> [--order engine|torch] [--init engine|torch]

--order torch / --init torch swap in PyTorch's own shuffle or He init (seeded with the same
seed) to tell which of the two a difference comes from; --order torch-separate draws PyTorch's
shuffle from a generator of its own (seed + 1000), as the engine keeps its shuffle stream apart
from its init stream. Prints test accuracy per epoch."""
import argparse, gzip, json, os, struct
import numpy as np
import torch
from torch import nn

ap = argparse.ArgumentParser(description=__doc__)
ap.add_argument("start")
ap.add_argument("data")
ap.add_argument("--order", choices=["engine", "torch", "torch-separate"], default="engine")
ap.add_argument("--init", choices=["engine", "torch"], default="engine")
ap.add_argument("--threads", type=int, default=2)
args = ap.parse_args()
torch.set_num_threads(args.threads)


def idx(name):
    for path in (os.path.join(args.data, name), os.path.join(args.data, name + ".gz")):
        if os.path.exists(path):
            raw = (gzip.open if path.endswith(".gz") else open)(path, "rb").read()
            dims = raw[3]
            shape = struct.unpack(">" + "I" * dims, raw[4:4 + 4 * dims])
            return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)
    raise SystemExit(f"{name} not found in {args.data}")


start = json.load(open(args.start))
seed = start["seed"]
gen = torch.Generator().manual_seed(seed)
order_gen = torch.Generator().manual_seed(seed + 1000) if args.order == "torch-separate" else gen
xtr = torch.from_numpy(idx("train-images-idx3-ubyte").astype(np.float32) / 255).reshape(-1, 1, 28, 28)
ytr = torch.from_numpy(idx("train-labels-idx1-ubyte").astype(np.int64))
xte = torch.from_numpy(idx("t10k-images-idx3-ubyte").astype(np.float32) / 255).reshape(-1, 1, 28, 28)
yte = torch.from_numpy(idx("t10k-labels-idx1-ubyte").astype(np.int64))

conv, fc1, fc2 = nn.Conv2d(1, 30, 5), nn.Linear(30 * 12 * 12, 100), nn.Linear(100, 10)
with torch.no_grad():
    if args.init == "engine":
        p = {k: np.array(v["data"], dtype=np.float32).reshape(v["shape"]) for k, v in start["params"].items()}
        conv.weight.copy_(torch.from_numpy(p["conv1.weight"].reshape(30, 1, 5, 5)))
        # The engine keeps an Affine weight as [in, out]; PyTorch's Linear as [out, in].
        fc1.weight.copy_(torch.from_numpy(p["fc1.weight"].T.copy()))
        fc2.weight.copy_(torch.from_numpy(p["fc2.weight"].T.copy()))
    else:
        for m in (conv, fc1, fc2):
            m.weight.copy_(torch.randn(m.weight.shape, generator=gen) * (2.0 / m.weight[0].numel()) ** 0.5)
    for m in (conv, fc1, fc2):
        m.bias.zero_()
model = nn.Sequential(conv, nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), fc1, nn.ReLU(), fc2)
opt = torch.optim.Adam(model.parameters(), lr=0.001)
lossf = nn.CrossEntropyLoss()


def accuracy(x, t):
    with torch.no_grad():
        return sum(int((model(x[i:i + 1000]).argmax(1) == t[i:i + 1000]).sum()) for i in range(0, len(x), 1000)) / len(x)


for epoch, engine_order in enumerate(start["orders"], 1):
    order = torch.tensor(engine_order) if args.order == "engine" else torch.randperm(len(xtr), generator=order_gen)
    for j in range(len(xtr) // 100):
        batch = order[j * 100:(j + 1) * 100]
        opt.zero_grad(set_to_none=True)
        lossf(model(xtr[batch]), ytr[batch]).backward()
        opt.step()
    print(f"seed {seed} init {args.init} order {args.order} epoch {epoch}: test accuracy {accuracy(xte, yte):.4f}", flush=True)
