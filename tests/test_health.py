"""The training-health panel: `GAN.probe` measures the game without touching it, its gradient norms
are the hand-computed ones, and `TrainingHealth` records them (and coverage) on schedule."""

import keras
import matplotlib.pyplot as plt
import numpy as np
import pytest

from gan_lib import data, recipes, runs
from gan_lib.callbacks import TrainingHealth, class_coverage, mixture_coverage
from gan_lib.training import GAN


def constant_game(logit):
    """A generator whose every sample is its bias b, and a linear discriminator w·x + c whose logit
    on b is `logit`: the generator's gradient is dloss/dlogit · w for every sample, so the two
    generator losses' gradients differ by exactly that factor: sigmoid(l) against 1 - sigmoid(l)."""
    z = keras.Input((3,))
    generator = keras.Model(z, keras.layers.Dense(2, kernel_initializer="zeros", bias_initializer="ones")(z))
    x = keras.Input((2,))
    discriminator = keras.Model(x, keras.layers.Dense(1, kernel_initializer="ones",
                                                      bias_initializer=keras.initializers.Constant(logit - 2.0))(x))
    return GAN(generator, discriminator, seed=0)


@pytest.mark.parametrize("logit", [-6.0, 0.0, 3.0])
def test_probe_gradient_norms_are_the_hand_computed_ones(logit):
    gan = constant_game(logit)
    noise = np.random.default_rng(0).standard_normal((16, 3)).astype("float32")
    probe = gan.probe(real=np.ones((4, 2), "float32"), noise=noise)
    d = 1.0 / (1.0 + np.exp(-logit))
    assert probe["d_fake"] == pytest.approx(d, rel=1e-5)
    # d/dl log(1 - sigmoid(l)) = -sigmoid(l);  d/dl -log sigmoid(l) = -(1 - sigmoid(l))
    assert probe["g_grad_minimax"] / probe["g_grad_non_saturating"] == pytest.approx(d / (1.0 - d), rel=1e-4)
    # the bias's gradient is dloss/dl · w with w = (1, 1); the kernel's adds mean(z) · w per input
    bias_only = (1.0 - d) * np.sqrt(2.0)
    kernel = (1.0 - d) * np.sqrt(2.0) * np.linalg.norm(noise.mean(axis=0))
    assert probe["g_grad_non_saturating"] == pytest.approx(np.hypot(bias_only, kernel), rel=1e-4)


def test_generator_gradients_follow_the_chosen_loss():
    gan = constant_game(1.0)  # every sample is b = (1, 1), its logit 1; the bias's gradient is dloss/dl · w
    noise = np.random.default_rng(0).standard_normal((8, 3)).astype("float32")
    d = 1.0 / (1.0 + np.exp(-1.0))
    np.testing.assert_allclose(gan.generator_gradients(noise, "non-saturating")[1], [-(1.0 - d)] * 2, rtol=1e-5)
    np.testing.assert_allclose(gan.generator_gradients(noise, "minimax")[1], [-d] * 2, rtol=1e-5)
    np.testing.assert_allclose(gan.generator_gradients(noise)[1], [-(1.0 - d)] * 2, rtol=1e-5)  # the game's own


def test_probe_changes_no_weight(make_gan, tiny):
    gan = make_gan(conditional=True)
    before = [np.asarray(w).copy() for w in gan.weights]
    real = np.zeros((6, *tiny.image_shape), "float32")
    noise = np.ones((6, tiny.latent_dim), "float32")
    probe = gan.probe(real, noise, real_labels=np.arange(6) % 3, fake_labels=np.arange(6) % 3)
    assert set(probe) == {"d_real", "d_fake", "g_grad_non_saturating", "g_grad_minimax"}
    for old, new in zip(before, gan.weights):
        np.testing.assert_array_equal(old, np.asarray(new))  # BatchNorm's moving statistics included


def test_a_conditional_probe_without_labels_is_a_clear_error(make_gan, tiny):
    gan = make_gan(conditional=True)
    with pytest.raises(ValueError, match="needs real_labels and fake_labels"):
        gan.probe(np.zeros((2, *tiny.image_shape)), np.zeros((2, tiny.latent_dim)))
    with pytest.raises(ValueError, match="needs labels"):
        gan.generator_gradients(np.zeros((2, tiny.latent_dim)))


def test_health_records_on_schedule_with_coverage(make_gan, tiny, tiny_batches):
    seen = []

    def coverage(samples):
        seen.append(samples.shape)
        return [len(samples), 0]

    health = TrainingHealth(np.zeros((5, *tiny.image_shape)), every=4, coverage=coverage, coverage_samples=7)
    make_gan(steps_per_execution=2).fit(tiny_batches(), steps_per_epoch=10, epochs=1, verbose=0, callbacks=[health])
    assert health.history["step"] == [0, 4, 8]
    assert health.history["coverage"] == [[7, 0]] * 3
    assert seen == [(7, *tiny.image_shape)] * 3
    assert all(len(values) == 3 for values in health.history.values())
    fig = health.plot()
    assert len(fig.axes) == 4  # outputs, gradients, coverage and its colour bar
    plt.close(fig)


def test_mixture_coverage_counts_high_quality_samples_per_mode():
    ring = data.mixture("ring")
    modes = np.asarray(ring.modes)
    far = modes[5] + 4 * ring.std  # beyond 3 std of every mode: not high quality
    counts = mixture_coverage(ring)(np.stack([modes[0], modes[0], modes[2], far]))
    assert counts == [2, 0, 1, 0, 0, 0, 0, 0]


def test_class_coverage_counts_the_evaluators_classes():
    mnist = data.load_mnist()
    images = data.scale_images(mnist.x_test[:200])
    counts = class_coverage()(images)
    assert sum(counts) == 200
    np.testing.assert_allclose(counts, np.bincount(mnist.y_test[:200], minlength=10), atol=6)


def test_health_on_a_packed_mixture_gan_from_uniform_noise():
    recipe = recipes.get("ring-pacgan", steps=6, batch_size=16, steps_per_execution=2, noise="uniform")
    ring = data.mixture("ring")
    gan = recipes.build(recipe, seed=0)
    health = TrainingHealth(data.mixture_samples(ring, 8, seed=0), every=2, coverage=mixture_coverage(ring),
                            coverage_samples=50)
    recipes.fit(gan, recipe, recipes.dataset(recipe, 0), callbacks=[health], verbose=0)
    assert health.history["step"] == [0, 2, 4, 6]
    assert all(len(counts) == 8 and sum(counts) <= 50 for counts in health.history["coverage"])
    assert all(0.0 < d < 1.0 for d in health.history["d_fake"])


def test_a_watched_run_trains_exactly_as_an_unwatched_one():
    """The health panel and the snapshots only look: the same seed gives the same generator with and without them."""
    recipe = recipes.get("ring", steps=200, snapshot_every=100, checkpoint_every=200, steps_per_execution=50)
    watched = runs.train_watched(recipe, seed=3, every=100)
    keras.utils.set_random_seed(3)
    plain = recipes.build(recipe, seed=3)
    recipes.fit(plain, recipe, recipes.dataset(recipe, 3), verbose=0)
    np.testing.assert_array_equal(watched.gan.generate(100), plain.generate(100))
    assert watched.health.history["step"] == [0, 100, 200] and watched.snapshots.steps == [0, 100, 200]
    assert watched.measured["n"] == runs.MIXTURE_SAMPLES and set(watched.measured) >= {"modes", "high_quality", "reverse_kl"}
