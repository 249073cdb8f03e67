"""R1 (Mescheder et al. 2018): on a linear discriminator w·x + c, whose gradient with respect to its
input is w everywhere, the penalty adds exactly r1_weight / 2 * |w|^2 per judged sample or pack, an
update follows its gradient r1_weight * w, and a WGAN-GP refuses it (it has its own penalty). On the same
linear game, a simultaneous step's generator update is the hand-computed one."""

import keras
from keras import ops
import numpy as np
import pytest

from gan_lib.training import GAN, PackedGAN, WassersteinGAN

W = np.array([0.6, -2.0, 1.5, 0.25], "float32")  # the first two for one sample, all four for a pack of two
REAL = np.array([[0.0, 1.0], [2.0, 2.0], [-1.0, 0.5], [4.0, -3.0]], "float32")
FAKE = np.array([[3.0, -1.0]] * 4, "float32")


def linear_game(r1_weight, pack=1):
    """A generator of constant samples and a linear discriminator on one sample (or a pack of two)."""
    z = keras.Input((3,))
    generator = keras.Model(z, keras.layers.Dense(2, kernel_initializer="zeros", bias_initializer="ones")(z))
    x = keras.Input((2 * pack,))
    kernel = keras.initializers.Constant(W[: 2 * pack, None])
    discriminator = keras.Model(x, keras.layers.Dense(1, kernel_initializer=kernel, bias_initializer="ones")(x))
    if pack > 1:
        return PackedGAN(generator, discriminator, pack=pack, r1_weight=r1_weight, seed=0)
    return GAN(generator, discriminator, r1_weight=r1_weight, seed=0)


@pytest.mark.parametrize("pack", [1, 2])
def test_r1_adds_half_its_weight_times_the_squared_gradient_norm(pack):
    plain, _ = linear_game(0.0, pack).discriminator_losses(ops.convert_to_tensor(REAL), ops.convert_to_tensor(FAKE))
    penalised, logs = linear_game(3.0, pack).discriminator_losses(ops.convert_to_tensor(REAL), ops.convert_to_tensor(FAKE))
    squared_norm = float(np.sum(W[: 2 * pack] ** 2))  # a pack's gradient spans all its coordinates
    assert penalised.shape == (len(REAL) // pack,)
    np.testing.assert_allclose(penalised - plain, 0.5 * 3.0 * squared_norm, rtol=1e-5)
    # D(x) and D(G(z)) stay probabilities, untouched by the penalty; the fake logits are passed on as they are
    assert set(logs) == {"d_real", "d_fake", "fake_logits"}


def test_an_update_follows_the_penalty_gradient_r1_weight_times_w():
    # one SGD step from the same weights, with and without R1: the kernels differ by -lr * r1_weight * w
    # (the gradient of r1_weight / 2 * |w|^2), the biases not at all (the penalty does not depend on c)
    kernels, biases = [], []
    for r1_weight in (0.0, 2.0):
        gan = linear_game(r1_weight)
        gan.compile(keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.1), jit_compile=False, steps_per_execution=1)
        gan.discriminator_step(ops.convert_to_tensor(REAL))
        kernel, bias = gan.discriminator.get_weights()
        kernels.append(kernel[:, 0])
        biases.append(bias)
    np.testing.assert_allclose(kernels[1] - kernels[0], -0.1 * 2.0 * W[:2], rtol=1e-5)
    np.testing.assert_allclose(biases[1], biases[0], rtol=1e-6)


def test_a_wasserstein_gan_refuses_r1(tiny_models):
    with pytest.raises(ValueError, match="r1_weight"):
        WassersteinGAN(*tiny_models(batch_norm=False), r1_weight=1.0)


def test_a_simultaneous_step_moves_the_generator_through_the_discriminator_before_its_update():
    # The generator's output is its bias b (zero kernel), judged w.b + c with w = W[:2], c = 1: the
    # non-saturating loss softplus(-(w.b + c)) has the gradient -sigmoid(-(w.b + c)) * w with respect to b.
    lr, b = 0.1, np.ones(2, "float32")
    moved = {}
    for simultaneous in (True, False):
        gan = linear_game(0.0)
        gan.simultaneous = simultaneous
        gan.compile(keras.optimizers.SGD(lr), keras.optimizers.SGD(lr), jit_compile=False, steps_per_execution=1)
        gan.train_step(ops.convert_to_tensor(REAL))
        assert not np.allclose(np.asarray(gan.discriminator.layers[-1].kernel)[:, 0], W[:2])  # both networks moved
        moved[simultaneous] = np.asarray(gan.generator.layers[-1].bias)
    logit = float(b @ W[:2] + 1.0)
    np.testing.assert_allclose(moved[True], b + lr * W[:2] / (1 + np.exp(logit)), rtol=1e-5)
    assert not np.allclose(moved[False], moved[True])  # the two-pass step follows the updated discriminator


def test_simultaneous_updates_need_one_discriminator_update_per_step_and_the_js_game():
    z, x = keras.Input((3,)), keras.Input((2,))
    generator, discriminator = keras.Model(z, keras.layers.Dense(2)(z)), keras.Model(x, keras.layers.Dense(1)(x))
    with pytest.raises(ValueError, match="one discriminator update per step; got d_steps=2"):
        GAN(generator, discriminator, simultaneous=True, d_steps=2)
    with pytest.raises(ValueError, match="simultaneous: options of the Jensen-Shannon game"):
        WassersteinGAN(generator, discriminator, simultaneous=True)
