"""The tutorials' classification interface, for models that end in a LogisticRegression."""


class Classifier:
    """``p_y_given_x``, ``y_pred``, ``negative_log_likelihood(y)`` and ``errors(y)`` of ``self.output_layer``."""

    output_layer = None

    @property
    def p_y_given_x(self):
        return self.output_layer.p_y_given_x

    @property
    def y_pred(self):
        return self.output_layer.y_pred

    def negative_log_likelihood(self, y):
        """Mean negative log-likelihood of the labels `y` under the model."""
        return self.output_layer.negative_log_likelihood(y)

    def errors(self, y):
        """Fraction of the minibatch misclassified (the zero-one loss)."""
        return self.output_layer.errors(y)
