"""What JAX's and PyTorch's rooms share: one program computes the whole batch (keras.distribution on JAX
shards one global array), so its mean and its random draws are already those of the global batch."""

import keras


def global_mean(per_example):
    """The batch mean."""
    return keras.ops.mean(per_example)


def replica_share(draw, n):
    """`draw(n)`: one program draws for the global batch."""
    return draw(n)


def gaussian_noise(x, stddev, seed_generator):
    """`x` plus N(0, stddev^2) noise drawn from the next seed of `seed_generator` (keras.random's own generator)."""
    return x + keras.random.normal(keras.ops.shape(x), stddev=stddev, dtype=x.dtype, seed=seed_generator)
