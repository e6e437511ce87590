"""The tensor layer: TensorVariable and the op tables (``symconv.tensor`` re-exports them under Theano's names)."""
