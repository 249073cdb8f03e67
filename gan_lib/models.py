"""Keras builders for the generators and discriminators of the series.

Defaults follow the sources the notebooks teach: LeakyReLU 0.2, BatchNorm momentum 0.8 and a tanh
output for MNIST (Radford et al. 2015; the Keras-GAN MLP); hidden sizes (16, 16) and a 2-unit
feature layer for the quadratic toy. Discriminators return logits; the losses apply the sigmoid.
"""

import math

import keras
from keras import layers


def _check_sizes(name, sizes):
    sizes = tuple(sizes)
    if not sizes or not all(isinstance(s, int) and s > 0 for s in sizes):
        raise ValueError(f"{name} must be a non-empty sequence of positive ints, got {sizes!r}")
    return sizes


def _check_positive(name, value):
    if not isinstance(value, int) or value <= 0:
        raise ValueError(f"{name} must be a positive int, got {value!r}")


def _dense_stack(x, hidden, negative_slope, batch_norm=False, momentum=0.8, prefix="hidden"):
    for i, units in enumerate(hidden):
        x = layers.Dense(units, name=f"{prefix}_{i}")(x)
        if batch_norm:
            x = layers.BatchNormalization(momentum=momentum, name=f"{prefix}_{i}_bn")(x)
        x = layers.LeakyReLU(negative_slope, name=f"{prefix}_{i}_act")(x)
    return x


# --- The quadratic toy --------------------------------------------------------------------


def toy_generator(latent_dim=2, hidden=(16, 16), mean=(0.0, 0.0), std=(1.0, 1.0), negative_slope=0.2):
    """Noise (latent_dim,) -> a 2-D point. The last layer maps unit scale to data units (mean, std)."""
    _check_positive("latent_dim", latent_dim)
    hidden = _check_sizes("hidden", hidden)
    z = keras.Input((latent_dim,), name="z")
    x = _dense_stack(z, hidden, negative_slope)
    x = layers.Dense(2, name="unit_point")(x)
    point = layers.Normalization(mean=list(mean), variance=[s**2 for s in std], invert=True, name="point")(x)
    return keras.Model(z, point, name="toy_generator")


def toy_discriminator(hidden=(16, 16), mean=(0.0, 0.0), std=(1.0, 1.0), negative_slope=0.2):
    """A 2-D point -> a logit, through a 2-unit layer named "features" that can be plotted."""
    hidden = _check_sizes("hidden", hidden)
    point = keras.Input((2,), name="point")
    x = layers.Normalization(mean=list(mean), variance=[s**2 for s in std], name="unit_point")(point)
    x = _dense_stack(x, hidden, negative_slope)
    features = layers.Dense(2, name="features")(x)
    logit = layers.Dense(1, name="logit")(features)
    return keras.Model(point, logit, name="toy_discriminator")


def feature_model(discriminator, layer="features"):
    """The discriminator up to its feature layer, to draw the space in which it separates the data."""
    # `input`, not `inputs`: keep the discriminator's input structure (a tensor, not a 1-list),
    # so that calling the feature model on an array does not warn.
    return keras.Model(discriminator.input, discriminator.get_layer(layer).output, name=f"{discriminator.name}_{layer}")


# --- MNIST multilayer perceptrons ---------------------------------------------------------


def mlp_generator(
    latent_dim=100,
    hidden=(256, 512, 1024),
    image_shape=(28, 28),
    batch_norm=True,
    momentum=0.8,
    negative_slope=0.2,
    num_classes=None,
):
    """Noise (and, if `num_classes`, a one-hot label) -> an image in [-1, 1] through a tanh.

    `hidden=(128,), batch_norm=False` gives the single-hidden-layer generator of the first GAN
    tutorials. With `num_classes` the label is concatenated to the noise (Mirza & Osindero 2014).
    """
    _check_positive("latent_dim", latent_dim)
    hidden = _check_sizes("hidden", hidden)
    image_shape = _check_sizes("image_shape", image_shape)
    z = keras.Input((latent_dim,), name="z")
    inputs, x = _with_label(z, num_classes)
    x = _dense_stack(x, hidden, negative_slope, batch_norm, momentum)
    x = layers.Dense(math.prod(image_shape), activation="tanh", name="pixels")(x)
    image = layers.Reshape(image_shape, name="image")(x)
    name = "conditional_mlp_generator" if num_classes else "mlp_generator"
    return keras.Model(inputs, image, name=name)


def mlp_discriminator(image_shape=(28, 28), hidden=(512, 256), negative_slope=0.2, dropout=0.0, num_classes=None):
    """An image (and, if `num_classes`, a one-hot label) -> a logit: real or generated?"""
    image_shape = _check_sizes("image_shape", image_shape)
    hidden = _check_sizes("hidden", hidden)
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")
    image = keras.Input(image_shape, name="image")
    x = layers.Flatten(name="flat")(image)
    inputs, x = _with_label(x, num_classes, first=image)
    for i, units in enumerate(hidden):
        x = layers.Dense(units, name=f"hidden_{i}")(x)
        x = layers.LeakyReLU(negative_slope, name=f"hidden_{i}_act")(x)
        if dropout:
            x = layers.Dropout(dropout, name=f"hidden_{i}_dropout")(x)
    logit = layers.Dense(1, name="logit")(x)
    name = "conditional_mlp_discriminator" if num_classes else "mlp_discriminator"
    return keras.Model(inputs, logit, name=name)


def _with_label(x, num_classes, first=None):
    """Return (model inputs, tensor): `x` alone, or `x` joined with a one-hot label input."""
    first = x if first is None else first
    if num_classes is None:
        return first, x
    _check_positive("num_classes", num_classes)
    label = keras.Input((num_classes,), name="label")
    return [first, label], layers.Concatenate(name="with_label")([x, label])
