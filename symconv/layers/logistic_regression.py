"""Multi-class logistic regression: softmax(x W + b), the tutorials' output layer."""
from .. import tensor as T
from .base import Layer
from .init import as_shared, zeros


class LogisticRegression(Layer):
    """Softmax regression on `input` (a matrix, one example per row).

    ``W`` (n_in, n_out) and ``b`` (n_out,) start at zero, as in logistic_sgd.py,
    unless given (shared variables, shared as they are, or arrays).
    """

    def __init__(self, input, n_in, n_out, W=None, b=None):
        self.input = input
        self.n_in, self.n_out = int(n_in), int(n_out)
        self.W = as_shared(zeros((self.n_in, self.n_out)) if W is None else W, "W", (self.n_in, self.n_out))
        self.b = as_shared(zeros((self.n_out,)) if b is None else b, "b", (self.n_out,))
        # P(Y = i | x): one row of class probabilities per example.
        self.p_y_given_x = T.nnet.softmax(T.dot(input, self.W) + self.b)
        # The predicted class is the most probable one.
        self.y_pred = T.argmax(self.p_y_given_x, axis=1)
        self.params = [self.W, self.b]
        self.output = self.p_y_given_x

    def negative_log_likelihood(self, y):
        """Mean over the minibatch of -log P(Y = y_i | x_i).

        ``T.log(p_y_given_x)[T.arange(n), y]`` picks each row's log-probability
        of its own label; the mean (not the sum) keeps the learning rate
        independent of the batch size.
        """
        return -T.mean(T.log(self.p_y_given_x)[T.arange(y.shape[0]), y])

    def errors(self, y):
        """Fraction of examples in the minibatch whose predicted class is not `y`."""
        if y.ndim != self.y_pred.ndim:
            raise TypeError("y should have the same shape as self.y_pred",
                            ("y", y.type, "y_pred", self.y_pred.type))
        if not y.dtype.startswith(("int", "uint")):
            raise NotImplementedError(f"errors() needs integer labels, got y of dtype {y.dtype}")
        return T.mean(T.neq(self.y_pred, y))

    def architecture(self):
        return {"n_in": self.n_in, "n_out": self.n_out}

    @classmethod
    def from_params(cls, params, input, batch_size=None, n_in=None, n_out=None):
        W, b = params
        return cls(input, n_in, n_out, W=W, b=b)
