"""Keras builders for the generators and discriminators of the series.

Defaults follow the sources the notebooks teach: LeakyReLU 0.2, BatchNorm momentum 0.8 and a tanh
output for MNIST (Radford et al. 2015; the Keras-GAN MLP); hidden sizes (16, 16) and a 2-unit
feature layer for the quadratic toy. Discriminators return logits; the losses apply the sigmoid.
"""

import math

import keras
from keras import layers

from gan_lib import backends


def _check_sizes(name, sizes):
    sizes = tuple(sizes)
    if not sizes or not all(isinstance(s, int) and s > 0 for s in sizes):
        raise ValueError(f"{name} must be a non-empty sequence of positive ints, got {sizes!r}")
    return sizes


def _check_positive(name, value):
    if not isinstance(value, int) or value <= 0:
        raise ValueError(f"{name} must be a positive int, got {value!r}")


def _check_dropout(dropout):
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")


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
    _check_dropout(dropout)
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


@keras.saving.register_keras_serializable(package="gan_lib")
class GaussianNoise(layers.Layer):
    """Additive Gaussian noise in training only, as keras.layers.GaussianNoise, drawn by `backends.gaussian_noise`
    (on TensorFlow under XLA on a CPU, Keras's own layer spends most of the semi-supervised GAN's step drawing it)."""

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.stddev, self.seed = float(stddev), seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training=False):
        return backends.gaussian_noise(inputs, self.stddev, self.seed_generator) if training and self.stddev else inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


def classifier_discriminator(image_shape=(28, 28), hidden=(1000, 500, 250, 250, 250), num_classes=10, input_noise=0.3, hidden_noise=0.5):
    """An image -> (num_classes class logits, the last hidden layer's features): the semi-supervised GAN's
    discriminator (Salimans et al. 2016), whose real/fake logit is the log-sum-exp of its class logits.

    As in the paper's MNIST network: ReLU layers of 1000-500-250-250-250, Gaussian noise of standard deviation
    `input_noise` on the pixels (scaled to [0, 1], as the paper's) and `hidden_noise` after each hidden layer,
    both in training only. The features, before their noise, are what feature matching compares."""
    image_shape = _check_sizes("image_shape", image_shape)
    hidden = _check_sizes("hidden", hidden)
    _check_positive("num_classes", num_classes)
    image = keras.Input(image_shape, name="image")
    x = layers.Flatten(name="flat")(image)
    x = layers.Rescaling(0.5, offset=0.5, name="unit_pixels")(x)  # [-1, 1] -> [0, 1]
    x = GaussianNoise(input_noise, name="pixel_noise")(x)
    for i, units in enumerate(hidden):
        features = layers.Dense(units, activation="relu", name=f"hidden_{i}")(x)
        x = GaussianNoise(hidden_noise, name=f"hidden_{i}_noise")(features)
    logits = layers.Dense(num_classes, name="class_logits")(x)
    return keras.Model(image, [logits, features], name="classifier_discriminator")


def _with_label(x, num_classes, first=None):
    """Return (model inputs, tensor): `x` alone, or `x` joined with a one-hot label input."""
    first = x if first is None else first
    if num_classes is None:
        return first, x
    _check_positive("num_classes", num_classes)
    label = keras.Input((num_classes,), name="label")
    return [first, label], layers.Concatenate(name="with_label")([x, label])


# --- MNIST convolutional networks (DCGAN) -------------------------------------------------


def dcgan_generator(
    latent_dim=100,
    widths=(64, 32),
    image_shape=(28, 28),
    momentum=0.8,
    negative_slope=0.2,
    kernel_size=4,
    dense=(),
    num_classes=None,
):
    """Noise (and, if `num_classes`, a one-hot label) -> a 28x28 image in [-1, 1] (Radford et al. 2015).

    A Dense layer makes a 7x7 map of `widths[0]` channels; each further width is a stride-2
    Conv2DTranspose that doubles the side, with BatchNorm and LeakyReLU (`negative_slope=0` is the
    paper's ReLU); a last stride-2 Conv2DTranspose to one channel and a tanh draw the pixels
    (7 -> 14 -> 28 for two widths). Images come out (28, 28), the same shape as the MLP's, so that
    data, metrics and plots serve both. `dense` adds hidden Dense layers (BatchNorm, same activation)
    between the noise and the map, as InfoGAN's MNIST generator has one of 1024 (Chen et al. 2016).
    """
    _check_positive("latent_dim", latent_dim)
    _check_positive("kernel_size", kernel_size)
    widths = _check_sizes("widths", widths)
    image_shape = _check_sizes("image_shape", image_shape)
    side = image_shape[0] // 2 ** len(widths)
    if len(image_shape) != 2 or image_shape[0] != image_shape[1] or side * 2 ** len(widths) != image_shape[0]:
        raise ValueError(
            f"image_shape must be square with a side that halves once per width, "
            f"got {image_shape} with widths={widths}"
        )
    z = keras.Input((latent_dim,), name="z")
    inputs, x = _with_label(z, num_classes)
    if dense:
        x = _dense_stack(x, _check_sizes("dense", dense), negative_slope, batch_norm=True, momentum=momentum, prefix="dense")
    x = layers.Dense(side * side * widths[0], use_bias=False, name="project")(x)
    x = layers.BatchNormalization(momentum=momentum, name="project_bn")(x)
    x = layers.LeakyReLU(negative_slope, name="project_act")(x)
    x = layers.Reshape((side, side, widths[0]), name="map")(x)
    for i, width in enumerate(widths[1:]):
        x = layers.Conv2DTranspose(width, kernel_size, strides=2, padding="same", use_bias=False, name=f"up_{i}")(x)
        x = layers.BatchNormalization(momentum=momentum, name=f"up_{i}_bn")(x)
        x = layers.LeakyReLU(negative_slope, name=f"up_{i}_act")(x)
    x = layers.Conv2DTranspose(1, kernel_size, strides=2, padding="same", activation="tanh", name="pixels")(x)
    image = layers.Reshape(image_shape, name="image")(x)
    name = "conditional_dcgan_generator" if num_classes else "dcgan_generator"
    return keras.Model(inputs, image, name=name)


def dcgan_discriminator(
    image_shape=(28, 28), widths=(32, 64), negative_slope=0.2, kernel_size=4, dropout=0.0, dense=(), num_classes=None
):
    """An image (and, if `num_classes`, a one-hot label) -> a logit, through stride-2 Conv2D layers
    with LeakyReLU and no BatchNorm (the discriminator must judge each image on its own), and
    `dropout` after each, as in the TensorFlow DCGAN tutorial (0.3 there; active only in training).
    `dense` adds hidden Dense layers (LeakyReLU) before the logit, as InfoGAN's MNIST discriminator has
    one of 1024 (Chen et al. 2016).

    The label, if any, joins as `num_classes` constant planes beside the pixels, so that the first
    filters see it (Mirza & Osindero 2014, in convolutional form).
    """
    image_shape = _check_sizes("image_shape", image_shape)
    widths = _check_sizes("widths", widths)
    _check_positive("kernel_size", kernel_size)
    _check_dropout(dropout)
    image = keras.Input(image_shape, name="image")
    x = layers.Reshape((*image_shape[:2], 1), name="channel")(image)
    inputs = image
    if num_classes is not None:
        _check_positive("num_classes", num_classes)
        label = keras.Input((num_classes,), name="label")
        planes = layers.Reshape((1, 1, num_classes), name="label_map")(label)
        planes = layers.UpSampling2D(image_shape[:2], name="label_planes")(planes)
        x = layers.Concatenate(name="with_label")([x, planes])
        inputs = [image, label]
    for i, width in enumerate(widths):
        x = layers.Conv2D(width, kernel_size, strides=2, padding="same", name=f"down_{i}")(x)
        x = layers.LeakyReLU(negative_slope, name=f"down_{i}_act")(x)
        if dropout:
            x = layers.Dropout(dropout, name=f"down_{i}_dropout")(x)
    x = layers.Flatten(name="flat")(x)
    if dense:
        x = _dense_stack(x, _check_sizes("dense", dense), negative_slope, prefix="dense")
    logit = layers.Dense(1, name="logit")(x)
    name = "conditional_dcgan_discriminator" if num_classes else "dcgan_discriminator"
    return keras.Model(inputs, logit, name=name)


# --- Image-to-image translation (pix2pix) ---------------------------------------------------


def unet_generator(image_shape=(28, 28), widths=(32, 64, 128), dropout=0.5, negative_slope=0.2, kernel_size=4):
    """A picture -> a picture in [-1, 1]: an encoder-decoder with skip connections (a U-Net; Isola et al. 2017).

    The encoder halves the side with each stride-2 Conv2D of `widths[:-1]` (LeakyReLU), then a convolution as
    large as what is left maps it to a 1 x 1 bottleneck of `widths[-1]` channels, which sees the whole picture
    (28 -> 14 -> 7 -> 1). The decoder mirrors it (ReLU), each level joined by its encoder twin's channels
    (the skip connections), so that what the input shows (the visible half, the edges) reaches the output
    without squeezing through the bottleneck. Dropout after each decoder level is the generator's only noise,
    as in the paper; it acts in training mode only (`sampling.translate(..., dropout=True)` keeps it on).
    No normalisation: each picture is translated on its own, in training as in inference.
    """
    image_shape = _check_sizes("image_shape", image_shape)
    widths = _check_sizes("widths", widths)
    _check_positive("kernel_size", kernel_size)
    _check_dropout(dropout)
    if len(widths) < 2:
        raise ValueError(f"widths needs at least one encoder level and the bottleneck, got {widths!r}")
    side = image_shape[0] // 2 ** (len(widths) - 1)
    if len(image_shape) != 2 or image_shape[0] != image_shape[1] or side * 2 ** (len(widths) - 1) != image_shape[0]:
        raise ValueError(f"image_shape must be square with a side that halves once per encoder width, got {image_shape} with widths={widths}")
    picture = keras.Input(image_shape, name="picture")
    x = layers.Reshape((*image_shape, 1), name="channel")(picture)
    skips = []
    for i, width in enumerate(widths[:-1]):
        x = layers.Conv2D(width, kernel_size, strides=2, padding="same", name=f"down_{i}")(x)
        x = layers.LeakyReLU(negative_slope, name=f"down_{i}_act")(x)
        skips.append(x)
    x = layers.Conv2D(widths[-1], side, name="bottleneck")(x)  # side x side -> 1 x 1: every pixel reaches every output
    x = layers.ReLU(name="bottleneck_act")(x)
    x = layers.Conv2DTranspose(widths[-2], side, name="up_bottleneck")(x)
    for i, (width, skip) in enumerate(zip([*widths[-3::-1], None], skips[::-1])):
        x = layers.ReLU(name=f"up_{i}_act")(x)
        if dropout:
            x = layers.Dropout(dropout, name=f"up_{i}_dropout")(x)
        x = layers.Concatenate(name=f"skip_{i}")([x, skip])
        if width is None:  # the last level draws the pixels
            x = layers.Conv2DTranspose(1, kernel_size, strides=2, padding="same", activation="tanh", name="pixels")(x)
        else:
            x = layers.Conv2DTranspose(width, kernel_size, strides=2, padding="same", name=f"up_{i}")(x)
    image = layers.Reshape(image_shape, name="image")(x)
    return keras.Model(picture, image, name="unet_generator")


PATCH_SIZES = (1, 4, 10, 22, 28)  # the receptive fields of 0-3 stride-2 4x4 convolutions, and the whole image


def patchgan_discriminator(image_shape=(28, 28), patch_size=10, widths=(32, 64, 128), negative_slope=0.2, sees_input=True):
    """(an image and, if `sees_input`, the picture it was made from) -> one logit per patch (Isola et al. 2017).

    The two pictures are joined as channels, so each logit judges a pair: is this output a real completion of
    this input? `patch_size` is how many pixels each logit sees: 1 (PixelGAN: one 1 x 1 convolution per width,
    a logit per pixel), 4, 10 or 22 (one, two or three stride-2 4 x 4 convolutions then a 1 x 1 logit: a grid of 14 x 14,
    7 x 7 or 4 x 4 patches), or the image's side (ImageGAN: one logit for the whole picture). The logits come
    out flattened, (batch, patches); the losses average over them.
    """
    image_shape = _check_sizes("image_shape", image_shape)
    widths = _check_sizes("widths", widths)
    sizes = (*PATCH_SIZES[:-1], image_shape[0])
    if patch_size not in sizes:
        raise ValueError(f"patch_size must be one of {', '.join(map(str, sizes))} (pixels each logit sees), got {patch_size!r}")
    levels, whole = sizes.index(patch_size), patch_size == image_shape[0]
    if levels > len(widths) and not whole:
        raise ValueError(f"patch_size={patch_size} needs {levels} convolution widths, got widths={widths!r}")
    image = keras.Input(image_shape, name="image")
    x = layers.Reshape((*image_shape, 1), name="channel")(image)
    inputs = image
    if sees_input:
        picture = keras.Input(image_shape, name="picture")
        x = layers.Concatenate(name="pair")([x, layers.Reshape((*image_shape, 1), name="picture_channel")(picture)])
        inputs = [image, picture]
    for i, width in enumerate(widths if whole or levels == 0 else widths[:levels]):
        size, strides = (1, 1) if levels == 0 else (4, 2)
        x = layers.Conv2D(width, size, strides=strides, padding="same", name=f"down_{i}")(x)
        x = layers.LeakyReLU(negative_slope, name=f"down_{i}_act")(x)
    if whole:
        x = layers.Flatten(name="flat")(x)
        logits = layers.Dense(1, name="logit")(x)
    else:
        x = layers.Conv2D(1, 1, name="patch_logits")(x)
        logits = layers.Flatten(name="logits")(x)
    name = "patchgan_discriminator" if sees_input else "unconditional_patchgan_discriminator"
    return keras.Model(inputs, logits, name=name)
