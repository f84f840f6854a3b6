/**
 * model.py of the exported PyTorch project: the studio's network as a
 * torch.nn.Module whose state_dict keys are the model file's tensor names
 * (fc1.weight [out, in], fc1.bias, …), and safetensors read and written with
 * nothing but json and torch (no safetensors package needed).
 */
export const MODEL_PY = String.raw`"""The Backprop Studio network as a torch.nn.Module, and safetensors files without the safetensors package.

    from model import load_model
    net, meta = load_model("model.safetensors")    # strict: every tensor name must match
    probabilities = net.predict(x)                  # x: N x features, raw rows as the studio reads them

The layer list comes from the file's own __metadata__.spec, so this file works for any
network the studio saves. Parameters keep the studio's names and layouts (fc1.weight is
[out, in], as in torch.nn.Linear), so load_state_dict(strict=True) maps them one to one.
"""
import json
import math

import torch
import torch.nn.functional as F
from torch import nn

ACTIVATIONS = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}
DTYPES = {"F32": torch.float32, "I64": torch.int64}
# __metadata__ values that hold JSON; the others (format, producer, labelColumn) are plain strings.
JSON_METADATA = {"spec", "training", "normalization", "classNames", "featureNames", "inputRange"}


def read_safetensors(path):
    """(tensors, metadata) of a safetensors file: 8 bytes header length (LE), JSON header, raw LE float32."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError(f"{path}: too short for a safetensors file")
    n = int.from_bytes(data[:8], "little")
    if n > len(data) - 8:
        raise ValueError(f"{path}: header length {n} runs past the end of the file")
    header = json.loads(data[8:8 + n])
    metadata = header.pop("__metadata__", {}) or {}
    tensors = {}
    for name, info in header.items():
        dtype = DTYPES.get(info["dtype"])
        if dtype is None:
            raise ValueError(f"{path}: tensor {name} is {info['dtype']}; the studio writes F32 and I64 only")
        begin, end = info["data_offsets"]
        raw = bytearray(data[8 + n + begin:8 + n + end])
        t = torch.frombuffer(raw, dtype=dtype) if raw else torch.zeros(0, dtype=dtype)
        tensors[name] = t.reshape(info["shape"]).clone()
    return tensors, metadata


def write_safetensors(path, tensors, metadata):
    """Write float32 tensors and string metadata; the studio opens the result (eval, Open model)."""
    header = {"__metadata__": metadata}
    chunks = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name].detach().to("cpu")
        # int64 counters (BatchNorm's num_batches_tracked) stay I64, everything else is float32
        kind, numpy_type = ("I64", "<i8") if t.dtype == torch.int64 else ("F32", "<f4")
        raw = t.contiguous().numpy().astype(numpy_type).tobytes()
        header[name] = {"dtype": kind, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # the data starts 8-byte aligned
    with open(path, "wb") as f:
        f.write(len(text).to_bytes(8, "little"))
        f.write(text)
        for raw in chunks:
            f.write(raw)


class StudioNet(nn.Module):
    """The layers of a studio spec, with the studio's parameter names.

    Parameter layers are numbered per kind in layer order: conv1, conv2 (Conv2d), fc1, fc2
    (Linear), bn1, bn2 (BatchNorm1d after a flat layer, BatchNorm2d on images), like the
    studio's layer-kind table. Affine flattens an image input by itself, as in the studio.
    """

    def __init__(self, spec):
        super().__init__()
        self.spec = spec
        self.loss_kind = spec.get("loss", "softmax-cross-entropy")
        self.input_shape = tuple(spec["inputShape"]) if spec.get("inputShape") else None
        self.steps = []  # (kind, module name or None, layer spec)
        shape = self.input_shape or (spec["inputSize"],)
        counts = {}

        def name_of(stem):
            counts[stem] = counts.get(stem, 0) + 1
            return f"{stem}{counts[stem]}"

        for i, layer in enumerate(spec["layers"]):
            kind = layer["kind"]
            name = None
            if kind == "affine":
                name = name_of("fc")
                self.add_module(name, nn.Linear(math.prod(shape), layer["units"]))
                shape = (layer["units"],)
            elif kind == "conv":
                name = name_of("conv")
                c, h, w = shape
                k, s, p = layer["size"], layer.get("stride", 1), layer.get("pad", 0)
                self.add_module(name, nn.Conv2d(c, layer["filters"], k, stride=s, padding=p))
                shape = (layer["filters"], (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1)
            elif kind == "pool":
                c, h, w = shape
                k, s = layer["size"], layer.get("stride") or layer["size"]
                name = None
                layer = dict(layer, stride=s)
                shape = (c, (h - k) // s + 1, (w - k) // s + 1)
            elif kind == "batchnorm":
                name = name_of("bn")
                norm = nn.BatchNorm2d if len(shape) == 3 else nn.BatchNorm1d
                self.add_module(name, norm(shape[0], eps=1e-5, momentum=0.1))
            elif kind == "dropout":
                name = name_of("dropout")
                self.add_module(name, nn.Dropout(layer["rate"]))
            elif kind == "flatten":
                shape = (math.prod(shape),)
            elif kind not in ACTIVATIONS:
                raise ValueError(f"layer {i + 1}: kind {kind!r} is not known to this model.py")
            self.steps.append((kind, name, layer))
        self.outputs = math.prod(shape)

    def forward(self, x):
        """The scores before the loss (what the studio's network.forward returns); x: N x features or N x C x H x W."""
        if self.input_shape is not None and x.dim() == 2:
            x = x.reshape(x.shape[0], *self.input_shape)
        for kind, name, layer in self.steps:
            if kind in ACTIVATIONS:
                x = ACTIVATIONS[kind](x)
            elif kind == "pool":
                x = F.max_pool2d(x, layer["size"], layer["stride"])
            elif kind == "flatten" or (kind == "affine" and x.dim() > 2):
                x = torch.flatten(x, 1)
            if name is not None:
                x = getattr(self, name)(x)
        return x

    def decay_term(self, weight_decay):
        """The book's weight decay: ½λ·ΣW² over Convolution and Affine weights (not biases, not BatchNorm)."""
        if not weight_decay:
            return 0.0
        return 0.5 * weight_decay * sum((m.weight ** 2).sum() for m in self.modules() if isinstance(m, (nn.Linear, nn.Conv2d)))

    def loss(self, scores, labels):
        """The studio's losses: mean cross-entropy of the softmax, or (1/2N)·Σ(y - onehot)² for mse."""
        if self.loss_kind == "mse":
            target = F.one_hot(labels, scores.shape[1]).to(scores.dtype)
            return 0.5 * ((scores - target) ** 2).sum() / scores.shape[0]
        return F.cross_entropy(scores, labels)

    @torch.no_grad()
    def predict(self, x):
        """Softmax probabilities (raw outputs for mse models), like backprop-studio predict."""
        scores = self.forward(x)
        return scores if self.loss_kind == "mse" else torch.softmax(scores, dim=1)


def load_model(path):
    """The network of a studio model file with its weights (strict), and the file's metadata (JSON decoded)."""
    tensors, metadata = read_safetensors(path)
    if "spec" not in metadata:
        raise ValueError(f"{path}: no network spec in __metadata__ (not saved by Backprop Studio)")
    meta = {k: (json.loads(v) if k in JSON_METADATA else v) for k, v in metadata.items()}
    net = StudioNet(meta["spec"])
    net.load_state_dict(tensors, strict=True)
    return net, meta


def save_model(path, net, meta):
    """Write the network's weights with the metadata the studio reads back."""
    metadata = {k: (json.dumps(v, separators=(",", ":")) if k in JSON_METADATA else v) for k, v in meta.items()}
    write_safetensors(path, net.state_dict(), metadata)


if __name__ == "__main__":
    import sys

    net, meta = load_model(sys.argv[1] if len(sys.argv) > 1 else "model.safetensors")
    print(net)
    print(f"{sum(p.numel() for p in net.parameters()):,} parameters; classes: {meta.get('classNames')}")
`;
