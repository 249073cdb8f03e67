"""The losses of the two players, written once with keras.ops: the same numbers on every Keras backend."""

import keras

GENERATOR_LOSSES = ("non-saturating", "minimax")
SEMI_SUPERVISED_LOSSES = ("feature-matching", "non-saturating")  # the semi-supervised generator's (Salimans et al. 2016)


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


def real_logit(class_logits):
    """The logit of D(x) = Z(x) / (Z(x) + 1), Z = sum_k exp(l_k), from K class logits: log Z, their log-sum-exp
    (Salimans et al. 2016; the K + 1-th, "generated" logit fixed at 0)."""
    return keras.ops.logsumexp(class_logits, axis=-1, keepdims=True)


def supervised_loss(one_hot_labels, class_logits):
    """Per-example cross-entropy of the class logits against the true class (softmax over the K classes)."""
    return keras.ops.categorical_crossentropy(one_hot_labels, class_logits, from_logits=True)


def feature_matching(real_features, fake_features):
    """The generator's feature-matching loss: the mean square of the difference between the batch means of the
    discriminator's features on real and on generated samples (Salimans et al. 2016, section 3.1)."""
    gap = keras.ops.mean(real_features, axis=0) - keras.ops.mean(fake_features, axis=0)
    return keras.ops.mean(keras.ops.square(gap))


def ema_decay_at(update, ema_decay):
    """The decay the moving average uses at the generator's `update`-th update (1 for the first).

    `ema_decay`, or less early on, as in tf.train.ExponentialMovingAverage, so that the average forgets
    the random start: (1 + update) / (10 + update) until that exceeds `ema_decay` (at update 8,990 for
    0.999, 17,990 for 0.9995). Until then the average spans about the last (10 + update) / 9 updates,
    a ninth of the run so far, whatever `ema_decay` says."""
    return keras.ops.minimum(ema_decay, (1.0 + update) / (10.0 + update))

