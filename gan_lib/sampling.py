"""Noise and samples: fixed latent vectors, paths between them, and a generator's samples (or translations) as NumPy."""

import keras
import numpy as np


def latent_noise(n, latent_dim, kind="normal", seed=0):
    """Noise from its own seed, identical in every run: snapshots on it show progress."""
    rng = np.random.default_rng(seed)
    if kind == "uniform":
        return rng.uniform(-1.0, 1.0, (n, latent_dim)).astype(np.float32)
    return rng.standard_normal((n, latent_dim)).astype(np.float32)


def latent_path(start, end, n, spherical=False):
    """`n` noise vectors from `start` to `end`: along the straight line, or along the great circle
    (slerp, White 2016), whose points keep the norm that normal noise has, where the line's do not."""
    start, end = np.asarray(start, np.float64), np.asarray(end, np.float64)
    if start.shape != end.shape or start.ndim != 1:
        raise ValueError(f"start and end must be two noise vectors of one size, got shapes {start.shape} and {end.shape}")
    t = np.linspace(0.0, 1.0, n)[:, None]
    if not spherical:
        return ((1 - t) * start + t * end).astype(np.float32)
    cosine = start @ end / (np.linalg.norm(start) * np.linalg.norm(end))
    angle = np.arccos(np.clip(cosine, -1.0, 1.0))
    if angle < 1e-6:  # the same direction: the arc is the line
        return latent_path(start, end, n)
    return ((np.sin((1 - t) * angle) * start + np.sin(t * angle) * end) / np.sin(angle)).astype(np.float32)


def generate(generator, n=None, noise=None, labels=None, noise_kind="normal", seed=0, batch_size=1024):
    """Samples of a (conditional) generator in inference mode, as numpy.

    Give `n` (noise drawn from `seed`) or the `noise` itself. A conditional generator takes
    integer `labels`, one per sample or one for all; by default the classes take turns.
    """
    latent_dim = int(generator.inputs[0].shape[-1])
    if noise is None:
        if n is None:
            raise ValueError("pass the number of samples n or the noise")
        noise = latent_noise(n, latent_dim, noise_kind, seed)
    inputs = [np.asarray(noise, np.float32)]
    if len(generator.inputs) == 2:
        num_classes = int(generator.inputs[1].shape[-1])
        count = len(inputs[0])
        labels = np.arange(count) % num_classes if labels is None else np.broadcast_to(labels, (count,))
        if labels.min() < 0 or labels.max() >= num_classes:
            raise ValueError(f"labels must lie in 0..{num_classes - 1}, got {labels.min()}..{labels.max()}")
        inputs.append(np.eye(num_classes, dtype=np.float32)[labels])
    elif labels is not None:
        raise ValueError("an unconditional generator takes no labels")
    # Direct calls in slices, not predict(): no per-call set-up, so frequent snapshots stay cheap.
    parts = []
    for i in range(0, len(inputs[0]), batch_size):
        batch = [x[i : i + batch_size] for x in inputs]
        parts.append(keras.ops.convert_to_numpy(generator(batch if len(batch) == 2 else batch[0], training=False)))
    return np.concatenate(parts)


def translate(generator, inputs, dropout=False, batch_size=1024):
    """A translation network's outputs for input pictures, as numpy: in inference mode, or with `dropout`
    on as in training (pix2pix's only noise: each call draws new dropout masks)."""
    inputs = np.asarray(inputs, np.float32)
    parts = [
        keras.ops.convert_to_numpy(generator(inputs[i : i + batch_size], training=dropout))
        for i in range(0, len(inputs), batch_size)
    ]
    return np.concatenate(parts)
