"""WGAN-GP: the gradient penalty and the critic's update are the hand-computed ones on a linear critic,
n_critic critic updates run per generator update, the Jensen-Shannon game's options are refused, and
QualityTrace measures what a critic's estimate is set beside."""

import keras
from keras import ops
import numpy as np
import pytest

from gan_lib import data, metrics, models, recipes
from gan_lib.callbacks import QualityTrace
from gan_lib.training import ConditionalWassersteinGAN, WassersteinGAN

W = np.array([[0.6], [-2.0]], "float32")  # the linear critic's weights: |w| = 2.088...
B = np.array([3.0, -1.0], "float32")  # every generated sample


def linear_game(gp_weight=10.0, n_critic=1, label_weights=None):
    """A generator whose every sample is B, and a linear critic w·x (+ u·label if conditional): the
    critic's gradient with respect to its input is w everywhere, so the penalty is (|w| - 1)^2."""
    z = keras.Input((3,))
    point = keras.layers.Dense(2, kernel_initializer="zeros", bias_initializer=keras.initializers.Constant(B))
    x = keras.Input((2,))
    if label_weights is None:
        generator = keras.Model(z, point(z))
        critic = keras.Model(x, keras.layers.Dense(1, use_bias=False, kernel_initializer=keras.initializers.Constant(W))(x))
        return WassersteinGAN(generator, critic, gp_weight=gp_weight, n_critic=n_critic, seed=0)
    label = keras.Input((len(label_weights),))
    generator = keras.Model([z, label], point(keras.layers.Concatenate()([z, label])))
    kernel = np.concatenate([W, np.asarray(label_weights, "float32")[:, None]])
    joined = keras.layers.Concatenate()([x, label])
    critic = keras.Model([x, label], keras.layers.Dense(1, use_bias=False, kernel_initializer=keras.initializers.Constant(kernel))(joined))
    return ConditionalWassersteinGAN(generator, critic, gp_weight=gp_weight, n_critic=n_critic, seed=0)


REAL = np.array([[0.0, 1.0], [2.0, 2.0], [-1.0, 0.5], [4.0, -3.0]], "float32")


def test_gradient_penalty_of_a_linear_critic_is_its_weight_norm_minus_one_squared():
    gan = linear_game()
    fake = np.tile(B, (len(REAL), 1))
    penalty = np.asarray(gan.gradient_penalty(ops.convert_to_tensor(REAL), ops.convert_to_tensor(fake)))
    np.testing.assert_allclose(penalty, (np.linalg.norm(W) - 1.0) ** 2 * np.ones(len(REAL)), rtol=1e-5)


def test_a_conditional_critic_is_penalised_on_its_image_input_only():
    gan = linear_game(label_weights=[5.0, -7.0, 1.0])
    labels = ops.one_hot([0, 1, 2, 1], 3)
    penalty = np.asarray(gan.gradient_penalty(ops.convert_to_tensor(REAL), ops.convert_to_tensor(np.tile(B, (4, 1))), labels))
    np.testing.assert_allclose(penalty, (np.linalg.norm(W) - 1.0) ** 2 * np.ones(4), rtol=1e-5)


def test_critic_losses_and_logs_are_the_hand_computed_ones():
    gan = linear_game(gp_weight=3.0)
    losses, logs = gan.discriminator_losses(ops.convert_to_tensor(REAL), ops.convert_to_tensor(np.tile(B, (4, 1))))
    real_scores, fake_score = (REAL @ W)[:, 0], float(B @ W[:, 0])
    penalty = (np.linalg.norm(W) - 1.0) ** 2
    np.testing.assert_allclose(logs["wasserstein"], real_scores - fake_score, rtol=1e-5)
    np.testing.assert_allclose(logs["gradient_penalty"], penalty, rtol=1e-5)
    np.testing.assert_allclose(losses, fake_score - real_scores + 3.0 * penalty, rtol=1e-5)


def test_a_critic_update_follows_the_gradient_through_the_penalty():
    # one SGD step on w: the loss's gradient is mean(fake) - mean(real) + λ 2 (|w| - 1) w / |w|;
    # the last term exists only if the critic's tape differentiates the nested tape's gradient
    gan = linear_game(gp_weight=10.0)
    gan.compile(keras.optimizers.SGD(0.01), keras.optimizers.SGD(0.01), jit_compile=False, steps_per_execution=1)
    norm = np.linalg.norm(W)
    grad = (B - REAL.mean(axis=0))[:, None] + 10.0 * 2.0 * (norm - 1.0) * W / norm
    gan.discriminator_step(ops.convert_to_tensor(REAL))
    np.testing.assert_allclose(gan.discriminator.get_weights()[0], W - 0.01 * grad, rtol=1e-5)
    assert np.array_equal(gan.generator.get_weights()[1], B)  # a critic step leaves the generator alone


def test_generator_loss_is_minus_the_critics_mean_score():
    gan = linear_game()
    scores = ops.convert_to_tensor([[1.5], [-0.5], [2.0]])
    np.testing.assert_allclose(gan.generator_losses(scores), [-1.5, 0.5, -2.0])


def test_the_generators_gradient_is_minus_the_critics_weights():
    # loss -mean(w·G(z)) with G(z) = K z + b: d/db = -w and d/dK = -mean(z) w^T, whatever the critic's scale
    gan = linear_game()
    noise = np.random.default_rng(0).standard_normal((8, 3)).astype("float32")
    kernel, bias = (np.asarray(g) for g in gan.generator_gradients(noise))
    np.testing.assert_allclose(bias, -W[:, 0], rtol=1e-5)
    np.testing.assert_allclose(kernel, -np.outer(noise.mean(axis=0), W[:, 0]), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("conditional", [False, True])
def test_n_critic_updates_per_generator_update_and_the_logs(tiny_models, tiny_batches, conditional):
    generator, critic = tiny_models(conditional=conditional)
    kind = ConditionalWassersteinGAN if conditional else WassersteinGAN
    gan = kind(generator, critic, n_critic=3, seed=1)
    gan.compile(steps_per_execution=2)  # XLA, several steps per call: the default fast path
    critic_before = [w.copy() for w in critic.get_weights()]
    history = gan.fit(tiny_batches(conditional), steps_per_epoch=4, epochs=1, verbose=0).history
    assert int(gan.d_optimizer.iterations) == 12 and int(gan.g_optimizer.iterations) == 4
    assert set(history) == {"d_loss", "g_loss", "wasserstein", "gradient_penalty"}
    assert all(np.isfinite(v).all() for v in history.values())
    assert history["gradient_penalty"][0] >= 0.0
    assert any(not np.array_equal(a, b) for a, b in zip(critic_before, critic.get_weights()))


def test_a_generator_update_leaves_the_critic_alone(tiny_models):
    generator, critic = tiny_models(batch_norm=False)
    gan = WassersteinGAN(generator, critic, seed=0)
    gan.compile(jit_compile=False)
    before = [w.copy() for w in critic.get_weights()]
    g_before = [w.copy() for w in generator.get_weights()]
    gan.generator_step(8)
    assert all(np.array_equal(a, b) for a, b in zip(before, critic.get_weights()))
    assert any(not np.array_equal(a, b) for a, b in zip(g_before, generator.get_weights()))


@pytest.mark.parametrize(
    "options, message",
    [
        ({"generator_loss": "minimax"}, "generator_loss: options of the Jensen-Shannon game"),
        ({"real_label": 0.9, "d_steps": 2}, "d_steps, real_label: options of the Jensen-Shannon game"),
        ({"gp_weight": -1.0}, "gp_weight must be >= 0"),
        ({"n_critic": 0}, "n_critic must be a positive int"),
    ],
)
def test_options_of_the_other_game_and_bad_values_are_refused(tiny_models, options, message):
    with pytest.raises(ValueError, match=message):
        WassersteinGAN(*tiny_models(), **options)


def test_the_wgan_recipe_builds_a_wasserstein_gan_with_the_papers_optimizer():
    recipe = recipes.get("grid-wgan")
    gan = recipes.build(recipe, seed=0)
    assert type(gan) is WassersteinGAN and gan.n_critic == recipe.d_steps
    assert float(gan.g_optimizer.beta_2) == recipe.beta_2 == 0.9
    with pytest.raises(ValueError, match="pack is an option of the gan game; grid-wgan has .* the wgan-gp game"):
        recipes.get("grid-wgan", pack=2)
    assert type(recipes.build(recipes.get("mnist-cgan", game="wgan-gp"))) is ConditionalWassersteinGAN
    assert gan.sample_shape == tuple(data.mixture_dataset(data.mixture("grid"), 8).element_spec.shape[1:])


def test_quality_trace_measures_the_trained_generator_on_schedule():
    keras.utils.set_random_seed(0)
    generator = models.mlp_generator(latent_dim=4, hidden=(8,))
    gan = WassersteinGAN(generator, models.mlp_discriminator(hidden=(8,)), n_critic=1, seed=0)
    gan.compile(steps_per_execution=2)
    trace = QualityTrace(every=4, n=300)
    images = data.load_mnist().x_train[:64]
    gan.fit(data.image_dataset(images, batch_size=16, seed=0), steps_per_epoch=8, epochs=1, callbacks=[trace], verbose=0)
    assert trace.history["step"] == [0, 4, 8]
    last = metrics.mnist_report(gan.generate(300, averaged=False))["generated"]
    assert trace.history["frechet_distance"][-1] == pytest.approx(last["frechet_distance"])
    assert trace.history["classifier_score"][-1] == pytest.approx(last["classifier_score"])
    assert trace.history["frechet_distance"][0] != trace.history["frechet_distance"][-1]  # it trained in between


def test_the_health_probe_of_the_js_game_is_refused_with_what_to_watch_instead(tiny_models, tiny):
    gan = WassersteinGAN(*tiny_models(), seed=0)
    with pytest.raises(ValueError, match="watch its logged `wasserstein`"):
        gan.probe(np.zeros((2, *tiny.image_shape)), np.zeros((2, tiny.latent_dim)))


def test_critic_slopes_measure_without_drawing_from_the_training_noise_stream():
    keras.utils.set_random_seed(0)
    gan = WassersteinGAN(models.mlp_generator(8, (16,)), models.mlp_discriminator(hidden=(16,)), seed=0)
    real = np.random.default_rng(0).uniform(-1, 1, (32, 28, 28)).astype("float32")
    state = keras.ops.convert_to_numpy(gan.seed_generator.state).copy()
    slopes = gan.critic_slopes(real, seed=3)
    assert slopes.shape == (32,) and np.all(slopes > 0)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(gan.seed_generator.state), state)
    np.testing.assert_allclose(gan.critic_slopes(real, seed=3), slopes, rtol=1e-6)  # the same seed, the same points
