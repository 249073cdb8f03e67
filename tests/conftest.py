"""Shared fixtures for the unit tests of gan_lib: tiny models and data, so the suite stays fast.

The MLPs here have one hidden layer of 16 units and make 4x4 "images": every property the tests
check (shapes, which weights an update touches, seeds, checkpoints) holds at any size. The
fixtures are factories without state, so they live for the whole session; every call builds
fresh, seeded models.
"""

import gan_lib  # first, so that TensorFlow starts without its C++ log

import matplotlib

matplotlib.use("Agg")  # figures render off-screen, on CI as on a laptop

import types

import keras
import numpy as np
import pytest

from gan_lib.data import image_dataset, quadratic_dataset
from gan_lib.models import mlp_discriminator, mlp_generator
from gan_lib.training import GAN, ConditionalGAN

LATENT_DIM = 8
HIDDEN = (16,)
IMAGE_SHAPE = (4, 4)
NUM_CLASSES = 3
BATCH = 8


def pytest_collection_modifyitems(config, items):
    """Tests marked `tensorflow` (tf.distribute, the TensorFlow fast path and version floor) skip on other backends."""
    if keras.backend.backend() == "tensorflow":
        return
    skip = pytest.mark.skip(reason=f"needs the TensorFlow backend; Keras runs on {keras.backend.backend()}")
    for item in items:
        if "tensorflow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def tiny():
    """The sizes of the tiny models and batches, for tests that need to know them."""
    return types.SimpleNamespace(
        latent_dim=LATENT_DIM, hidden=HIDDEN, image_shape=IMAGE_SHAPE, num_classes=NUM_CLASSES, batch=BATCH
    )


@pytest.fixture(scope="session")
def tiny_models():
    """make(conditional=False, batch_norm=True, seed=0) -> (generator, discriminator), seeded."""

    def make(conditional=False, batch_norm=True, seed=0):
        keras.utils.set_random_seed(seed)
        num_classes = NUM_CLASSES if conditional else None
        generator = mlp_generator(
            latent_dim=LATENT_DIM,
            hidden=HIDDEN,
            image_shape=IMAGE_SHAPE,
            batch_norm=batch_norm,
            num_classes=num_classes,
        )
        discriminator = mlp_discriminator(image_shape=IMAGE_SHAPE, hidden=HIDDEN, num_classes=num_classes)
        return generator, discriminator

    return make


@pytest.fixture(scope="session")
def make_gan(tiny_models):
    """make(...) -> a compiled tiny GAN (or ConditionalGAN); models and noise stream seeded.

    `d_lr`/`g_lr` set each Adam's learning rate; other keywords go to the GAN constructor.
    """

    def make(
        conditional=False,
        batch_norm=True,
        seed=0,
        noise_seed=1,
        d_lr=1e-3,
        g_lr=1e-3,
        jit_compile=False,
        steps_per_execution=1,
        **options,
    ):
        generator, discriminator = tiny_models(conditional, batch_norm, seed)
        cls = ConditionalGAN if conditional else GAN
        gan = cls(generator, discriminator, seed=noise_seed, **options)
        gan.compile(
            keras.optimizers.Adam(d_lr, beta_1=0.5),
            keras.optimizers.Adam(g_lr, beta_1=0.5),
            jit_compile=jit_compile,
            steps_per_execution=steps_per_execution,
        )
        return gan

    return make


@pytest.fixture(scope="session")
def tiny_images():
    """64 random uint8 4x4 images and integer labels in 0..NUM_CLASSES-1."""
    rng = np.random.default_rng(1234)
    images = rng.integers(0, 256, (64, *IMAGE_SHAPE), dtype=np.uint8)
    labels = rng.integers(0, NUM_CLASSES, 64)
    return images, labels


@pytest.fixture(scope="session")
def tiny_batches(tiny_images):
    """batches(conditional=False, seed=0, batch_size=BATCH) -> an endless stream of tiny images."""

    def batches(conditional=False, seed=0, batch_size=BATCH):
        images, labels = tiny_images
        return image_dataset(
            images, labels if conditional else None, batch_size=batch_size, seed=seed, num_classes=NUM_CLASSES
        )

    return batches


@pytest.fixture(scope="session")
def toy_batches():
    """batches(batch_size=BATCH, seed=0) -> the quadratic toy stream (stateless: batch k is fixed)."""
    return lambda batch_size=BATCH, seed=0: quadratic_dataset(batch_size, seed=seed)


@pytest.fixture(scope="session")
def weights():
    """weights(model) -> a copy of all its weights (trainable and not), for before/after comparisons."""
    return lambda model: [np.array(w) for w in model.get_weights()]


@pytest.fixture(scope="session")
def same():
    """same(a, b) -> whether two weight lists are exactly equal."""
    return lambda a, b: len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))
