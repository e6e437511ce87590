"""LeNet5 in PyTorch eager mode (optional: used only when torch is importable).

The same parameters, data and plain SGD update; the data sit in one tensor and each minibatch
is a view of it. ``threads`` sets ``torch.set_num_threads`` around each measured call (None:
PyTorch's default, one OpenMP thread per core). On a 2-core machine shared with other work, and
in a process where XLA's thread pool also lives, PyTorch's default is many times slower than
one thread (OpenMP threads spin at barriers while their core is taken), so both are measured.
``TorchCompiled`` is the same model and update through ``torch.compile``. Theano's filter flip is folded into the initial weights (a fixed permutation
of the parameters), which leaves the amount of work unchanged.
"""
import numpy as np


_DEFAULT_THREADS = None


def available():
    try:
        import torch  # noqa: F401
    except Exception as exc:  # noqa: BLE001 - any import failure means "skip"
        return False, f"{type(exc).__name__}: {exc}"
    return True, None


class TorchEager:
    family = "torch"
    per_call = True

    def __init__(self, name, label, config, threads=None):
        self.name, self.label, self.config, self.threads = name, label, config, threads

    def build(self, params, data):
        import torch

        global _DEFAULT_THREADS
        if _DEFAULT_THREADS is None:
            _DEFAULT_THREADS = torch.get_num_threads()
        self.torch = torch
        self.F = torch.nn.functional
        flipped = {k: (v[:, :, ::-1, ::-1] if k in ("W0", "W1") else v) for k, v in params.items()}
        self.params = {k: torch.tensor(np.ascontiguousarray(v), dtype=torch.float32, requires_grad=True)
                       for k, v in flipped.items()}
        self.data_x = torch.from_numpy(np.ascontiguousarray(data[0], np.float32))
        self.data_y = torch.from_numpy(np.asarray(data[1], np.int64))

    def _logits(self, x):
        F, p, c = self.F, self.params, self.config
        h = x.view(x.shape[0], 1, *c.image)
        h = torch_tanh(F.max_pool2d(F.conv2d(h, p["W0"]), c.pool) + p["b0"][None, :, None, None])
        h = torch_tanh(F.max_pool2d(F.conv2d(h, p["W1"]), c.pool) + p["b1"][None, :, None, None])
        h = torch_tanh(h.flatten(1) @ p["W2"] + p["b2"])
        return h @ p["W3"] + p["b3"]

    def _batch(self, i):
        b = self.config.batch_size
        return self.data_x[i * b:(i + 1) * b], self.data_y[i * b:(i + 1) * b]

    def _set_threads(self):
        wanted = self.threads or _DEFAULT_THREADS
        if self.torch.get_num_threads() != wanted:
            self.torch.set_num_threads(wanted)

    def _cost(self, x, y):
        return self.F.cross_entropy(self._logits(x), y)

    def _errors(self, x, y):
        return (self._logits(x).argmax(1) != y).float().mean()

    def train(self, indices):
        torch, lr = self.torch, self.config.learning_rate
        self._set_threads()
        costs = []
        for i in indices:
            x, y = self._batch(i)
            cost = self._cost(x, y)
            cost.backward()
            with torch.no_grad():
                for p in self.params.values():
                    p.sub_(p.grad, alpha=lr)
                    p.grad = None
            costs.append(cost.item())
        return costs

    def evaluate(self, indices):
        errors = []
        self._set_threads()
        with self.torch.inference_mode():
            for i in indices:
                x, y = self._batch(i)
                errors.append(self._errors(x, y).item())
        return np.asarray(errors)

    def get_params(self):
        return {k: (v.detach().numpy()[:, :, ::-1, ::-1] if k in ("W0", "W1") else v.detach().numpy())
                for k, v in self.params.items()}


class TorchCompiled(TorchEager):
    """The same steps through ``torch.compile`` (TorchInductor, C++/OpenMP code on CPU).

    The cost (forward) is compiled, so AOTAutograd compiles its backward too; ``cost.backward()``
    runs that compiled backward, and the SGD update is the eager in-place loop of TorchEager. The
    eval step (forward, argmax, error rate) is compiled as one function. Compilation happens in the
    first call of each (reported as the first call's time, excluded from the throughput).
    The thread count is set before compiling: Inductor bakes it into the generated OpenMP code.
    """

    def build(self, params, data):
        super().build(params, data)
        self._set_threads()
        self._cost = self.torch.compile(self._eager_cost, backend="inductor")
        self._errors = self.torch.compile(self._eager_errors, backend="inductor")

    def _eager_cost(self, x, y):
        return TorchEager._cost(self, x, y)

    def _eager_errors(self, x, y):
        return TorchEager._errors(self, x, y)


def torch_tanh(x):
    return x.tanh()
