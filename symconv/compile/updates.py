"""Updates and givens of a compiled function: checked pairs, and the updates shared variables carry themselves."""
from ..graph import Variable, clone_replace, leaves
from ..ops.literals import as_tensor_variable
from .shared import SharedVariable


def validated_updates(updates):
    """`updates` (a dict or (shared variable, new value) pairs) as checked pairs."""
    if updates is None:
        return []
    pairs = list(updates.items()) if isinstance(updates, dict) else list(updates)
    out, seen = [], set()
    for pair in pairs:
        if not (isinstance(pair, (list, tuple)) and len(pair) == 2):
            raise TypeError(f"updates must be (shared_variable, new_value) pairs, got {pair!r}")
        var, value = checked_update(*pair)
        if var in seen:
            raise ValueError(f"shared variable {var!r} is updated twice in the same function")
        seen.add(var)
        out.append((var, value))
    return out


def checked_update(var, value, context=""):
    """``(var, value)`` with `value` a tensor of `var`'s type; a TypeError if `var` is not shared or the types differ."""
    if not isinstance(var, SharedVariable):
        raise TypeError(f"{context}update target {var!r} is not a shared variable; only symconv.shared() values "
                        "can be updated")
    value = as_tensor_variable(value)
    if value.dtype != var.dtype or value.ndim != var.ndim:
        raise TypeError(
            f"{context}an update must have the type of its shared variable: {var!r} is {var.type}, but its new value "
            f"{value.describe()} is {value.type}. Cast it: T.cast(new_value, {var.dtype!r})")
    return var, value


def givens_map(givens):
    """`givens` (a dict or pairs) as {variable: replacement}, each replacement of the same kind."""
    if givens is None:
        return {}
    pairs = list(givens.items()) if isinstance(givens, dict) else list(givens)
    replace = {}
    for var, value in pairs:
        if not isinstance(var, Variable):
            raise TypeError(f"givens keys must be symbolic variables, got {var!r}")
        value = as_tensor_variable(value)
        if not var.type.same_kind(value.type):
            raise TypeError(f"givens: {var.describe()} is {var.type}, but its replacement {value!r} is {value.type}")
        replace[var] = value
    return replace


def default_updates(graphs, explicit, replace, no_default_updates):
    """Updates that shared variables carry themselves (random streams' states)."""
    found, frontier = [], list(graphs)
    while frontier:
        new = []
        for var in leaves(frontier):
            if isinstance(var, SharedVariable) and var.default_update is not None and var not in explicit:
                if isinstance(no_default_updates, (list, tuple)) and var in no_default_updates:
                    continue
                (update,) = clone_replace([var.default_update], replace)
                explicit[var] = update
                found.append((var, update))
                new.append(update)
        frontier = new
    return found
