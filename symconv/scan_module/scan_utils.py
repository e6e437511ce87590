"""``theano.scan_module.scan_utils``: ``clone`` (also ``theano.clone``) and ``equal_computations``."""
from ..gof.graph import Constant, Variable, equal_computations, inputs  # noqa: F401
from ..graph import clone_replace
from ..ops.literals import as_tensor_variable


def _replacements(replace):
    if replace is None:
        return []
    if isinstance(replace, dict):
        return list(replace.items())
    if isinstance(replace, (list, tuple)):
        return list(replace)
    raise ValueError(f"clone's replace must be a dict, a list of pairs, a tuple or None, got {replace!r}")


def clone(output, replace=None, strict=True, share_inputs=True):
    """A copy of the graph of `output` (a variable or a list of them) with `replace`'s keys swapped for its values.

    ``share_inputs=False`` also copies the graph's inputs; a copied shared variable
    shares its value with the original (an update to one is seen by the other), as
    in Theano.  With ``strict``, a replacement must have the type of what it replaces.
    """
    pairs = []
    for old, new in _replacements(replace):
        new = new if isinstance(new, Variable) else as_tensor_variable(new)
        if strict and old.type != new.type:
            raise TypeError(f"clone: {new!r} of type {new.type} cannot replace {old!r} of type {old.type} "
                            f"(strict=True; pass strict=False to allow it)")
        pairs.append((old, new))
    outputs = list(output) if isinstance(output, (list, tuple)) else [output]
    mapping = dict(pairs)
    if not share_inputs:
        for leaf in inputs(outputs, blockers=list(mapping)):
            if leaf not in mapping and not isinstance(leaf, Constant):
                mapping[leaf] = leaf.clone()
    cloned = clone_replace(outputs, mapping)
    return type(output)(cloned) if isinstance(output, (list, tuple)) else cloned[0]
