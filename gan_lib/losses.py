"""The losses of the two players, written once with keras.ops: the same numbers on every Keras backend."""

import keras

GENERATOR_LOSSES = ("non-saturating", "minimax")


def bce(labels, logits):
    """Per-example binary cross-entropy of logits against a constant target (0, 1 or smoothed)."""
    targets = keras.ops.full_like(logits, labels)
    return keras.ops.mean(keras.ops.binary_crossentropy(targets, logits, from_logits=True), axis=-1)


def discriminator_loss(real_logits, fake_logits, real_label=1.0, fake_label=0.0):
    """Per-example -[log D(x) + log(1 - D(G(z)))], with optional smoothed targets for real and fake."""
    return bce(real_label, real_logits) + bce(fake_label, fake_logits)


def generator_loss(fake_logits, kind="non-saturating"):
    """Per-example generator loss: -log D(G(z)) (non-saturating) or log(1 - D(G(z))) (minimax)."""
    if kind == "non-saturating":
        return bce(1.0, fake_logits)
    return -bce(0.0, fake_logits)


def ema_decay_at(update, ema_decay):
    """The decay the moving average uses at the generator's `update`-th update (1 for the first).

    `ema_decay`, or less early on, as in tf.train.ExponentialMovingAverage, so that the average forgets
    the random start: (1 + update) / (10 + update) until that exceeds `ema_decay` (at update 8,990 for
    0.999, 17,990 for 0.9995). Until then the average spans about the last (10 + update) / 9 updates,
    a ninth of the run so far, whatever `ema_decay` says."""
    return keras.ops.minimum(ema_decay, (1.0 + update) / (10.0 + update))

