/**
 * optim.py of the exported PyTorch project: the studio's optimizers in the
 * book's formulas (core/optimizers.ts, "Deep Learning from Scratch" ch. 6) as
 * torch.optim.Optimizer subclasses, so training continues with the same update
 * rule. Where PyTorch's built-in differs (eps 1e-7 inside the square root's
 * sum, Adam's folded bias correction, Nesterov's form), the docstrings say how.
 */
export const OPTIM_PY = String.raw`"""The studio's optimizers (the book's formulas) as torch.optim.Optimizer subclasses.

    sgd       w -= lr·g                                     (= torch.optim.SGD)
    momentum  v = momentum·v - lr·g;  w += v                (torch's SGD(momentum) keeps v/(-lr): the same
                                                             path while lr is constant, rounded differently)
    nesterov  v = momentum·v - lr·g;  w += momentum²·v - (1 + momentum)·lr·g
                                                            (torch's SGD(nesterov=True) is the same method in
                                                             another parametrization)
    adagrad   h += g²;  w -= lr·g / (√h + 1e-7)             (torch: eps 1e-10)
    rmsprop   h = decay·h + (1 - decay)·g²;  w -= lr·g / (√h + 1e-7)   (torch: alpha = decay, eps 1e-8)
    adam      lr_t = lr·√(1 - β2^t) / (1 - β1^t);  m += (1 - β1)(g - m);  v += (1 - β2)(g² - v);
              w -= lr_t·m / (√v + 1e-7)                     (torch: eps 1e-8 added to √v̂ after the correction)

Every update is done in float32 on the parameters' own storage, like the studio's kernels.
"""
import torch

EPS = 1e-7


class BookOptimizer(torch.optim.Optimizer):
    """Common part: one state dict per parameter, a shared step count (Adam's t)."""

    def __init__(self, params, lr, **extra):
        super().__init__(params, dict(lr=lr, **extra))
        self.steps = 0

    @torch.no_grad()
    def step(self, closure=None):
        loss = closure() if closure is not None else None
        self.steps += 1
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    self.update(p, p.grad, self.state[p], group)
        return loss

    def slot(self, state, name, p):
        if name not in state:
            state[name] = torch.zeros_like(p)
        return state[name]


class SGD(BookOptimizer):
    def update(self, w, g, state, group):
        w.sub_(group["lr"] * g)


class Momentum(BookOptimizer):
    def __init__(self, params, lr, momentum=0.9):
        super().__init__(params, lr, momentum=momentum)

    def update(self, w, g, state, group):
        v = self.slot(state, "v", w)
        v.mul_(group["momentum"]).sub_(group["lr"] * g)
        w.add_(v)


class Nesterov(BookOptimizer):
    def __init__(self, params, lr, momentum=0.9):
        super().__init__(params, lr, momentum=momentum)

    def update(self, w, g, state, group):
        lr, m = group["lr"], group["momentum"]
        v = self.slot(state, "v", w)
        v.mul_(m).sub_(lr * g)
        w.add_(m * m * v)
        w.sub_((1 + m) * lr * g)


class AdaGrad(BookOptimizer):
    def update(self, w, g, state, group):
        h = self.slot(state, "h", w)
        h.add_(g * g)
        w.sub_(group["lr"] * g / (h.sqrt() + EPS))


class RMSprop(BookOptimizer):
    def __init__(self, params, lr, decay=0.99):
        super().__init__(params, lr, decay=decay)

    def update(self, w, g, state, group):
        d = group["decay"]
        h = self.slot(state, "h", w)
        h.mul_(d).add_((1 - d) * g * g)
        w.sub_(group["lr"] * g / (h.sqrt() + EPS))


class Adam(BookOptimizer):
    def __init__(self, params, lr, beta1=0.9, beta2=0.999):
        super().__init__(params, lr, beta1=beta1, beta2=beta2)

    def update(self, w, g, state, group):
        b1, b2, t = group["beta1"], group["beta2"], self.steps
        lr_t = group["lr"] * (1 - b2 ** t) ** 0.5 / (1 - b1 ** t)
        m = self.slot(state, "m", w)
        v = self.slot(state, "v", w)
        m.add_((1 - b1) * (g - m))
        v.add_((1 - b2) * (g * g - v))
        w.sub_(lr_t * m / (v.sqrt() + EPS))


def create_optimizer(kind, params, training):
    """The optimizer a studio training config names, with its settings."""
    lr = training["learningRate"]
    if kind == "sgd":
        return SGD(params, lr)
    if kind == "momentum":
        return Momentum(params, lr, training.get("momentum", 0.9))
    if kind == "nesterov":
        return Nesterov(params, lr, training.get("momentum", 0.9))
    if kind == "adagrad":
        return AdaGrad(params, lr)
    if kind == "rmsprop":
        return RMSprop(params, lr, training.get("decay", 0.99))
    if kind == "adam":
        return Adam(params, lr, training.get("beta1", 0.9), training.get("beta2", 0.999))
    raise ValueError(f"optimizer {kind!r} is not one of sgd, momentum, nesterov, adagrad, rmsprop, adam")
`;
