"""``theano.dot``: the product of two symbolic values of any kind, by their ``__dot__`` / ``__rdot__``."""


def dot(l, r):  # noqa: E741 - Theano's argument names
    """``l.__dot__(r)``, else ``r.__rdot__(l)``; NotImplementedError when neither side is symbolic."""
    errors = [None, None]
    if hasattr(l, "__dot__"):
        try:
            return l.__dot__(r)
        except Exception as exc:  # noqa: BLE001 - Theano tries the other side, then reports both
            errors[0] = exc
    if hasattr(r, "__rdot__"):
        try:
            return r.__rdot__(l)
        except Exception as exc:  # noqa: BLE001
            errors[1] = exc
    raise NotImplementedError("Dot failed for the following reasons:", tuple(errors))
