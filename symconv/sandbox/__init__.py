"""``symconv.sandbox``: Theano's sandbox names (``sandbox.rng_mrg.MRG_RandomStreams``)."""
