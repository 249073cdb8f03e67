"""gan_lib.models: what each builder takes and makes, and how it refuses bad arguments."""

import warnings

import keras
import numpy as np
import pytest

from gan_lib.data import quadratic_moments
from gan_lib.models import (
    dcgan_discriminator,
    dcgan_generator,
    feature_model,
    mlp_discriminator,
    mlp_generator,
    toy_discriminator,
    toy_generator,
)


@pytest.fixture(autouse=True)
def seeded():
    keras.utils.set_random_seed(0)


def _noise(n, dim, scale=1.0):
    return (scale * np.random.default_rng(0).standard_normal((n, dim))).astype(np.float32)


def test_toy_generator_makes_points_in_data_units():
    mean, std = quadratic_moments(100.0)
    generator = toy_generator(latent_dim=3, mean=mean, std=std)
    assert generator.input_shape == (None, 3) and generator.output_shape == (None, 2)
    points = keras.ops.convert_to_numpy(generator(_noise(32, 3)))
    assert points.shape == (32, 2)
    # the last layer maps unit scale to data units: point = unit_point * std + mean
    unit = keras.Model(generator.input, generator.get_layer("unit_point").output)(_noise(32, 3))
    np.testing.assert_allclose(points, keras.ops.convert_to_numpy(unit) * np.array(std) + np.array(mean), rtol=1e-5)


def test_toy_discriminator_and_its_feature_model():
    mean, std = quadratic_moments(100.0)
    discriminator = toy_discriminator(hidden=(8, 8), mean=mean, std=std)
    assert discriminator.input_shape == (None, 2) and discriminator.output_shape == (None, 1)
    points = np.array([[0.0, 10.0], [10.0, 110.0], [-30.0, 910.0]], np.float32)
    logits = keras.ops.convert_to_numpy(discriminator(points))
    assert logits.shape == (3, 1) and np.all(np.isfinite(logits))
    features = feature_model(discriminator)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # called like the discriminator, it must not warn
        values = keras.ops.convert_to_numpy(features(points))
    assert values.shape == (3, 2)
    # the feature model shares the discriminator's weights: the logit is an affine map of the features
    kernel, bias = discriminator.get_layer("logit").get_weights()
    np.testing.assert_allclose(values @ kernel + bias, logits, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("batch_norm", [True, False])
def test_mlp_generator_shape_and_tanh_range(batch_norm):
    generator = mlp_generator(latent_dim=8, hidden=(16,), image_shape=(4, 4), batch_norm=batch_norm)
    assert generator.input_shape == (None, 8) and generator.output_shape == (None, 4, 4)
    # large noise drives the tanh into saturation: the output still stays within [-1, 1]
    images = keras.ops.convert_to_numpy(generator(_noise(64, 8, scale=100.0), training=False))
    assert images.shape == (64, 4, 4)
    assert images.min() >= -1.0 and images.max() <= 1.0
    assert images.min() < -0.99 and images.max() > 0.99
    assert generator.layers[-2].activation is keras.activations.tanh
    has_bn = any(isinstance(layer, keras.layers.BatchNormalization) for layer in generator.layers)
    assert has_bn == batch_norm


def test_single_hidden_layer_generator_of_the_first_tutorials():
    generator = mlp_generator(latent_dim=100, hidden=(128,), batch_norm=False)
    dense = [layer for layer in generator.layers if isinstance(layer, keras.layers.Dense)]
    assert [layer.units for layer in dense] == [128, 28 * 28]
    assert not any(isinstance(layer, keras.layers.BatchNormalization) for layer in generator.layers)
    images = keras.ops.convert_to_numpy(generator(_noise(5, 100)))
    assert images.shape == (5, 28, 28) and np.abs(images).max() <= 1.0
    assert generator.count_params() == (100 * 128 + 128) + (128 * 784 + 784)


def test_mlp_discriminator_gives_one_logit_per_image():
    discriminator = mlp_discriminator(image_shape=(4, 4), hidden=(16, 8), dropout=0.3)
    assert discriminator.input_shape == (None, 4, 4) and discriminator.output_shape == (None, 1)
    images = np.random.default_rng(0).uniform(-1, 1, (6, 4, 4)).astype(np.float32)
    logits = keras.ops.convert_to_numpy(discriminator(images, training=False))
    assert logits.shape == (6, 1)
    # logits, not probabilities: no sigmoid on the last layer
    assert discriminator.get_layer("logit").activation is keras.activations.linear
    # dropout acts only in training
    again = keras.ops.convert_to_numpy(discriminator(images, training=False))
    np.testing.assert_array_equal(logits, again)


def test_conditional_builders_take_a_one_hot_label():
    generator = mlp_generator(latent_dim=8, hidden=(16,), image_shape=(4, 4), num_classes=3)
    discriminator = mlp_discriminator(image_shape=(4, 4), hidden=(16,), num_classes=3)
    assert [tuple(t.shape) for t in generator.inputs] == [(None, 8), (None, 3)]
    assert [tuple(t.shape) for t in discriminator.inputs] == [(None, 4, 4), (None, 3)]
    noise = np.repeat(_noise(1, 8), 3, axis=0)
    labels = np.eye(3, dtype=np.float32)
    images = keras.ops.convert_to_numpy(generator([noise, labels], training=False))
    assert images.shape == (3, 4, 4) and np.abs(images).max() <= 1.0
    # the same noise with another label gives another image: the label is used
    assert not np.allclose(images[0], images[1]) and not np.allclose(images[1], images[2])
    logits = keras.ops.convert_to_numpy(discriminator([images, labels]))
    assert logits.shape == (3, 1)


def test_dcgan_generator_upsamples_a_7x7_map_to_a_28x28_image():
    generator = dcgan_generator(latent_dim=8, widths=(16, 8))
    assert generator.input_shape == (None, 8) and generator.output_shape == (None, 28, 28)
    assert generator.get_layer("map").output.shape[1:] == (7, 7, 16)
    assert generator.get_layer("up_0").output.shape[1:] == (14, 14, 8)
    assert generator.get_layer("pixels").output.shape[1:] == (28, 28, 1)
    images = keras.ops.convert_to_numpy(generator(_noise(16, 8, scale=100.0), training=False))
    assert images.shape == (16, 28, 28) and images.min() >= -1.0 and images.max() <= 1.0
    # one width fewer: one upsampling fewer, from a 14x14 map
    assert dcgan_generator(latent_dim=8, widths=(8,)).get_layer("map").output.shape[1:] == (14, 14, 8)


def test_dcgan_discriminator_halves_the_side_per_width_without_batch_norm():
    discriminator = dcgan_discriminator(widths=(8, 16))
    assert discriminator.input_shape == (None, 28, 28) and discriminator.output_shape == (None, 1)
    assert discriminator.get_layer("down_0").output.shape[1:] == (14, 14, 8)
    assert discriminator.get_layer("down_1").output.shape[1:] == (7, 7, 16)
    assert not any(isinstance(layer, keras.layers.BatchNormalization) for layer in discriminator.layers)
    assert discriminator.get_layer("logit").activation is keras.activations.linear


def test_dcgan_discriminator_dropout_acts_in_training_only():
    discriminator = dcgan_discriminator(widths=(8, 16), dropout=0.3)
    assert [layer.rate for layer in discriminator.layers if isinstance(layer, keras.layers.Dropout)] == [0.3, 0.3]
    images = np.random.default_rng(0).uniform(-1, 1, (4, 28, 28)).astype(np.float32)
    judged = [keras.ops.convert_to_numpy(discriminator(images, training=False)) for _ in range(2)]
    np.testing.assert_array_equal(*judged)  # inference: no dropout, the same logits every time
    keras.utils.set_random_seed(0)
    trained = [keras.ops.convert_to_numpy(discriminator(images, training=True)) for _ in range(2)]
    assert not np.allclose(*trained)  # training: a new mask each call
    assert not any(isinstance(layer, keras.layers.Dropout) for layer in dcgan_discriminator(widths=(8,)).layers)


def test_dcgan_kernel_size_and_relu_keep_the_shapes():
    generator = dcgan_generator(latent_dim=8, widths=(16, 8), kernel_size=5, negative_slope=0.0)
    discriminator = dcgan_discriminator(widths=(8, 16), kernel_size=5)
    assert generator.get_layer("up_0").kernel.shape == (5, 5, 8, 16)  # transposed: (k, k, out, in)
    assert discriminator.get_layer("down_0").kernel.shape == (5, 5, 1, 8)
    assert generator.output_shape == (None, 28, 28) and discriminator.output_shape == (None, 1)
    # negative_slope 0 is the paper's ReLU: no negative activation survives
    act = keras.Model(generator.inputs, generator.get_layer("up_0_act").output)
    assert keras.ops.convert_to_numpy(act(_noise(8, 8), training=False)).min() == 0.0


def test_dcgan_hidden_dense_layers_sit_between_the_noise_and_the_map_and_before_the_logit():
    generator = dcgan_generator(latent_dim=8, widths=(16, 8), dense=(32, 24))
    assert [generator.get_layer(f"dense_{i}").units for i in range(2)] == [32, 24]
    assert generator.get_layer("project").input.shape[1:] == (24,)  # the map is made from the last hidden layer
    assert isinstance(generator.get_layer("dense_0_bn"), keras.layers.BatchNormalization)
    assert generator.output_shape == (None, 28, 28)
    discriminator = dcgan_discriminator(widths=(8, 16), dense=(20,))
    assert discriminator.get_layer("dense_0").input.shape[1:] == (7 * 7 * 16,)
    assert discriminator.get_layer("logit").input.shape[1:] == (20,)
    assert not any(isinstance(layer, keras.layers.BatchNormalization) for layer in discriminator.layers)
    before = {layer.name for layer in dcgan_generator(latent_dim=8, widths=(16, 8)).layers}
    assert not any(name.startswith("dense_") for name in before)  # none by default: the paper's generator


def test_conditional_dcgan_uses_the_label_in_both_networks():
    generator = dcgan_generator(latent_dim=8, widths=(8, 4), num_classes=3)
    discriminator = dcgan_discriminator(widths=(4, 8), num_classes=3)
    assert [tuple(t.shape) for t in generator.inputs] == [(None, 8), (None, 3)]
    assert [tuple(t.shape) for t in discriminator.inputs] == [(None, 28, 28), (None, 3)]
    noise, labels = np.repeat(_noise(1, 8), 3, axis=0), np.eye(3, dtype=np.float32)
    images = keras.ops.convert_to_numpy(generator([noise, labels], training=False))
    assert not np.allclose(images[0], images[1]) and not np.allclose(images[1], images[2])
    same_image = np.repeat(images[:1], 3, axis=0)
    logits = keras.ops.convert_to_numpy(discriminator([same_image, labels]))
    # one image judged under three labels: three different logits
    assert len(np.unique(logits.round(6))) == 3
    # the label reaches the discriminator as constant planes beside the pixels
    planes = keras.Model(discriminator.inputs, discriminator.get_layer("label_planes").output)([same_image, labels])
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(planes)[1, :, :, 1], np.ones((28, 28)))


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: toy_generator(latent_dim=0), "latent_dim must be a positive int, got 0"),
        (lambda: toy_generator(latent_dim=2.5), "latent_dim must be a positive int, got 2.5"),
        (lambda: toy_generator(hidden=()), "hidden must be a non-empty sequence of positive ints, got ()"),
        (lambda: toy_discriminator(hidden=(16, -1)), "hidden must be a non-empty sequence of positive ints"),
        (lambda: mlp_generator(hidden=(16.0,)), "hidden must be a non-empty sequence of positive ints"),
        (lambda: mlp_generator(image_shape=()), "image_shape must be a non-empty sequence of positive ints"),
        (lambda: mlp_generator(latent_dim=-3), "latent_dim must be a positive int, got -3"),
        (lambda: mlp_generator(num_classes=0), "num_classes must be a positive int, got 0"),
        (lambda: mlp_discriminator(image_shape=(28, 0)), "image_shape must be a non-empty sequence of positive ints"),
        (lambda: mlp_discriminator(dropout=1.0), r"dropout must be in [0, 1), got 1.0"),
        (lambda: mlp_discriminator(dropout=-0.1), r"dropout must be in [0, 1), got -0.1"),
        (lambda: mlp_discriminator(num_classes=-2), "num_classes must be a positive int, got -2"),
        (lambda: dcgan_generator(widths=(8, 8, 8)), "side that halves once per width, got (28, 28) with widths=(8, 8, 8)"),
        (lambda: dcgan_generator(image_shape=(28, 14)), "image_shape must be square"),
        (lambda: dcgan_generator(widths=()), "widths must be a non-empty sequence of positive ints"),
        (lambda: dcgan_discriminator(widths=(0,)), "widths must be a non-empty sequence of positive ints"),
        (lambda: dcgan_discriminator(num_classes=0), "num_classes must be a positive int, got 0"),
        (lambda: dcgan_discriminator(dropout=1.0), r"dropout must be in [0, 1), got 1.0"),
        (lambda: dcgan_discriminator(kernel_size=0), "kernel_size must be a positive int, got 0"),
        (lambda: dcgan_generator(kernel_size=2.5), "kernel_size must be a positive int, got 2.5"),
        (lambda: dcgan_generator(dense=(0,)), "dense must be a non-empty sequence of positive ints"),
    ],
)
def test_bad_builder_arguments_raise_a_clear_value_error(build, message):
    with pytest.raises(ValueError) as info:
        build()
    assert message in str(info.value)


def test_feature_model_of_a_missing_layer_names_it():
    discriminator = mlp_discriminator(image_shape=(4, 4), hidden=(16,))
    with pytest.raises(ValueError, match="features"):
        feature_model(discriminator)
