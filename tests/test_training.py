"""gan_lib.training: the GAN's checks, losses, train step, seeds, options, saving and NaN guard."""

import json
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
from keras import ops

from gan_lib import backends
from gan_lib.data import Stream, image_dataset, quadratic_moments, scale_images
from gan_lib.models import mlp_discriminator, mlp_generator, toy_discriminator, toy_generator
from gan_lib.training import (
    GAN,
    ConditionalGAN,
    discriminator_loss,
    ema_decay_at,
    generate,
    generator_loss,
    latent_noise,
    latent_path,
)

def _iterations(gan):
    return int(np.asarray(gan.d_optimizer.iterations)), int(np.asarray(gan.g_optimizer.iterations))


# --- construction checks ----------------------------------------------------------------------


def test_generator_and_discriminator_must_agree_on_the_sample_shape():
    generator = mlp_generator(latent_dim=8, hidden=(16,), image_shape=(4, 4))
    discriminator = mlp_discriminator(image_shape=(5, 5), hidden=(16,))
    with pytest.raises(ValueError) as info:
        GAN(generator, discriminator)
    assert "(4, 4)" in str(info.value) and "(5, 5)" in str(info.value)


def test_conditional_gan_needs_two_inputs_on_both_networks(tiny_models):
    generator, discriminator = tiny_models(conditional=False)
    with pytest.raises(ValueError, match=r"ConditionalGAN needs a generator with 2 input\(s\)"):
        ConditionalGAN(generator, discriminator)
    generator, discriminator = tiny_models(conditional=True)
    with pytest.raises(ValueError, match=r"GAN needs a generator with 1 input\(s\)"):
        GAN(generator, discriminator)
    with pytest.raises(ValueError, match=r"ConditionalGAN needs a discriminator with 2 input\(s\)"):
        ConditionalGAN(generator, mlp_discriminator(image_shape=(4, 4), hidden=(16,)))


def test_conditional_gan_label_sizes_must_agree():
    generator = mlp_generator(latent_dim=8, hidden=(16,), image_shape=(4, 4), num_classes=3)
    discriminator = mlp_discriminator(image_shape=(4, 4), hidden=(16,), num_classes=4)
    with pytest.raises(ValueError) as info:
        ConditionalGAN(generator, discriminator)
    assert "(3,)" in str(info.value) and "(4,)" in str(info.value) and "num_classes" in str(info.value)


@pytest.mark.parametrize(
    "option, value",
    [
        ("generator_loss", "wasserstein"),
        ("noise", "cauchy"),
        ("real_label", 1.5),
        ("fake_label", -0.1),
        ("d_steps", 0),
        ("d_steps", 1.5),
        ("ema_decay", 1.0),
        ("ema_decay", 0.0),
        ("r1_weight", -1.0),
    ],
)
def test_bad_option_values_are_refused(tiny_models, option, value):
    generator, discriminator = tiny_models()
    with pytest.raises(ValueError) as info:
        GAN(generator, discriminator, **{option: value})
    assert option in str(info.value) and repr(value) in str(info.value)


def test_one_optimizer_for_both_networks_is_refused(tiny_models):
    gan = GAN(*tiny_models())
    shared = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="two distinct optimizer"):
        gan.compile(shared, shared)


# --- fit refuses data of the wrong shape before training --------------------------------------


@pytest.mark.parametrize("jit_compile", [False, True])
def test_fit_on_wrong_sample_shape_fails_before_any_training(make_gan, toy_batches, weights, same, tiny, jit_compile):
    gan = make_gan(jit_compile=jit_compile)
    before_g, before_d = weights(gan.generator), weights(gan.discriminator)
    wrong = Stream(lambda step: np.zeros((tiny.batch, 5, 5), np.float32))
    with pytest.raises(ValueError) as info:
        gan.fit(wrong, steps_per_epoch=2, epochs=1, verbose=0)
    assert "(5, 5)" in str(info.value) and "(4, 4)" in str(info.value)
    # the toy's 2-D points are refused by an image GAN, and numpy arrays are checked as well
    with pytest.raises(ValueError, match=r"\(2,\).*\(4, 4\)"):
        gan.fit(toy_batches(), steps_per_epoch=2, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"\(16,\).*\(4, 4\)"):
        gan.fit(np.zeros((32, 16), np.float32), batch_size=tiny.batch, epochs=1, verbose=0)
    assert _iterations(gan) == (0, 0)
    assert same(weights(gan.generator), before_g) and same(weights(gan.discriminator), before_d)


def test_conditional_fit_without_labels_fails_before_training(make_gan, tiny_batches, same, weights, tiny):
    gan = make_gan(conditional=True)
    before = weights(gan.generator)
    with pytest.raises(ValueError, match=r"one-hot labels.*\(3,\), got None"):
        gan.fit(tiny_batches(conditional=False), steps_per_epoch=2, epochs=1, verbose=0)
    wrong_labels = image_dataset(*_tiny_images_labels(), batch_size=tiny.batch, num_classes=5)
    with pytest.raises(ValueError, match=r"\(3,\), got \(5,\)"):
        gan.fit(wrong_labels, steps_per_epoch=2, epochs=1, verbose=0)
    assert _iterations(gan) == (0, 0) and same(weights(gan.generator), before)


def _tiny_images_labels():
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (32, 4, 4), dtype=np.uint8), rng.integers(0, 3, 32)


# --- one train step: each update moves only its own network -----------------------------------


@pytest.mark.parametrize("batch_norm", [False, True])
def test_discriminator_update_changes_only_the_discriminator(make_gan, tiny_batches, weights, same, batch_norm):
    # With the generator's learning rate at 0 the generator update is a no-op: whatever moves
    # in the generator would have been moved by the discriminator's update.
    gan = make_gan(g_lr=0.0, batch_norm=batch_norm)
    g0, d0 = gan.generator.get_weights(), weights(gan.discriminator)
    g0_trainable = [np.array(v) for v in gan.generator.trainable_weights]
    gan.fit(tiny_batches(), steps_per_epoch=1, epochs=1, verbose=0)
    assert _iterations(gan) == (1, 1)
    assert not same(weights(gan.discriminator), d0)
    assert same([np.array(v) for v in gan.generator.trainable_weights], g0_trainable)
    if not batch_norm:
        assert same(weights(gan.generator), g0)
    # (with batch norm, the generator's moving statistics follow the batches it makes in training
    # mode, as in every GAN tutorial; they are statistics, not weights any optimizer touches)


def test_generator_update_changes_only_the_generator(make_gan, tiny_batches, weights, same):
    gan = make_gan(d_lr=0.0, batch_norm=False)
    g0, d0 = weights(gan.generator), weights(gan.discriminator)
    gan.fit(tiny_batches(), steps_per_epoch=1, epochs=1, verbose=0)
    assert _iterations(gan) == (1, 1)
    assert same(weights(gan.discriminator), d0)
    assert not same(weights(gan.generator), g0)


# --- losses -----------------------------------------------------------------------------------

REAL_LOGITS = np.array([[2.0], [-1.0], [0.5], [0.0]], np.float32)
FAKE_LOGITS = np.array([[-3.0], [0.0], [1.5], [4.0]], np.float32)


def _bce(target, logits):
    p = 1.0 / (1.0 + np.exp(-logits.astype(np.float64)))
    return -(target * np.log(p) + (1 - target) * np.log(1 - p))[:, 0]


@pytest.mark.parametrize("real_label, fake_label", [(1.0, 0.0), (0.9, 0.0), (0.9, 0.15)])
def test_discriminator_loss_with_label_smoothing(real_label, fake_label):
    got = np.asarray(discriminator_loss(ops.convert_to_tensor(REAL_LOGITS), ops.convert_to_tensor(FAKE_LOGITS), real_label, fake_label))
    want = _bce(real_label, REAL_LOGITS) + _bce(fake_label, FAKE_LOGITS)
    assert got.shape == (4,)
    np.testing.assert_allclose(got, want, rtol=1e-5)


def test_discriminator_loss_hand_computed_value():
    # one example, written out: real logit 0 (D = 1/2), fake logit 0, targets 0.9 and 0.15
    got = np.asarray(discriminator_loss(ops.convert_to_tensor([[0.0]]), ops.convert_to_tensor([[0.0]]), 0.9, 0.15))
    np.testing.assert_allclose(got, [2 * np.log(2.0)], rtol=1e-6)  # -t log 1/2 - (1-t) log 1/2 = log 2, twice
    got = np.asarray(discriminator_loss(ops.convert_to_tensor([[np.log(3.0)]], "float32"), ops.convert_to_tensor([[0.0]]), 0.9, 0.15))
    # D(x) = 3/4: -(0.9 log 3/4 + 0.1 log 1/4) + log 2
    np.testing.assert_allclose(got, [-(0.9 * np.log(0.75) + 0.1 * np.log(0.25)) + np.log(2.0)], rtol=1e-6)


def test_generator_losses_non_saturating_and_minimax():
    logits = ops.convert_to_tensor(FAKE_LOGITS)
    d = 1.0 / (1.0 + np.exp(-FAKE_LOGITS[:, 0].astype(np.float64)))
    non_saturating = np.asarray(generator_loss(logits, "non-saturating"))
    minimax = np.asarray(generator_loss(logits, "minimax"))
    np.testing.assert_allclose(non_saturating, -np.log(d), rtol=1e-5)
    np.testing.assert_allclose(minimax, np.log(1 - d), rtol=1e-5)
    # why the non-saturating loss: where D rejects the fakes (logit -3), its gradient is larger
    slope = {kind: backends.input_value_and_grad(lambda x: (ops.sum(generator_loss(x, kind)), None), logits)[1]
             for kind in ("non-saturating", "minimax")}
    assert abs(np.asarray(slope["non-saturating"])[0, 0]) > 10 * abs(np.asarray(slope["minimax"])[0, 0])


def test_logged_losses_equal_the_loss_functions_on_the_step(make_gan, tiny_batches, tiny):
    # with both learning rates 0 nothing moves, so the logged losses can be recomputed afterwards
    gan = make_gan(d_lr=0.0, g_lr=0.0, batch_norm=False, real_label=0.9, fake_label=0.15, generator_loss="minimax")
    batch = next(iter(tiny_batches()))
    history = gan.fit(Stream(lambda step: batch), steps_per_epoch=1, epochs=1, verbose=0)
    noise = keras.random.normal((tiny.batch, gan.latent_dim), seed=keras.random.SeedGenerator(1))
    fake_d = gan.generator(noise, training=True)
    noise_g = keras.random.normal((tiny.batch, gan.latent_dim), seed=_advanced(1, 1))
    fake_g = gan.generator(noise_g, training=True)
    d_want = np.asarray(discriminator_loss(gan.discriminator(batch), gan.discriminator(fake_d), 0.9, 0.15)).mean()
    g_want = np.asarray(generator_loss(gan.discriminator(fake_g), "minimax")).mean()
    np.testing.assert_allclose(history.history["d_loss"][0], d_want, rtol=1e-5)
    np.testing.assert_allclose(history.history["g_loss"][0], g_want, rtol=1e-5)


def _advanced(seed, draws):
    generator = keras.random.SeedGenerator(seed)
    for _ in range(draws):
        generator.next()
    return generator


# --- seeds ------------------------------------------------------------------------------------


def _train(make_gan, tiny_batches, steps=6, **options):
    gan = make_gan(**options)
    gan.fit(tiny_batches(), steps_per_epoch=steps, epochs=1, verbose=0)
    return gan


@pytest.mark.parametrize("jit_compile", [False, True])
def test_same_seed_same_weights_other_seed_other_weights(make_gan, tiny_batches, weights, same, jit_compile):
    options = dict(jit_compile=jit_compile, steps_per_execution=3)
    a = _train(make_gan, tiny_batches, noise_seed=1, **options)
    b = _train(make_gan, tiny_batches, noise_seed=1, **options)
    assert _iterations(a) == _iterations(b) == (6, 6)
    assert same(weights(a.generator), weights(b.generator))
    assert same(weights(a.discriminator), weights(b.discriminator))
    if not jit_compile:  # (one XLA compilation less: the noise seed acts the same either way)
        c = _train(make_gan, tiny_batches, noise_seed=2, **options)
        assert not same(weights(a.generator), weights(c.generator))
        assert not same(weights(a.discriminator), weights(c.discriminator))


def test_toy_gan_trains_on_the_quadratic_stream(toy_batches):
    mean, std = quadratic_moments()
    keras.utils.set_random_seed(0)
    generator = toy_generator(mean=mean, std=std)
    discriminator = toy_discriminator(mean=mean, std=std)
    gan = GAN(generator, discriminator, seed=0)
    gan.compile(steps_per_execution=2)  # the defaults: Adam 2e-4, beta_1 0.5, XLA
    history = gan.fit(toy_batches(batch_size=32), steps_per_epoch=4, epochs=1, verbose=0).history
    assert _iterations(gan) == (4, 4)
    assert all(np.isfinite(history[key][-1]) for key in ("d_loss", "g_loss", "d_real", "d_fake"))
    points = gan.generate(n=100)
    assert points.shape == (100, 2) and np.all(np.isfinite(points))
    # in data units: spread on the scale of the toy (thousands in y), not of unit noise
    assert points[:, 1].std() > 10 * points[:, 0].std() > 0


# --- options ----------------------------------------------------------------------------------


def test_d_steps_makes_that_many_discriminator_updates_per_generator_update(make_gan, tiny_batches):
    gan = _train(make_gan, tiny_batches, steps=3, d_steps=2)
    assert _iterations(gan) == (6, 3)
    assert gan.diverged is None  # a clean run has not diverged


def test_ema_decay_warms_up_and_reaches_the_configured_decay_only_at_its_crossing():
    assert float(ema_decay_at(1, 0.9)) == pytest.approx(2 / 11)
    for decay, crossing in ((0.999, 8990), (0.9995, 17990)):
        assert float(ema_decay_at(crossing - 1, decay)) < decay
        assert float(ema_decay_at(crossing, decay)) == pytest.approx(decay)
        assert float(ema_decay_at(10 * crossing, decay)) == pytest.approx(decay)
    # before the crossing the average spans (10 + update) / 9 updates, a ninth of the run so far
    assert 1 / (1 - float(ema_decay_at(4000, 0.999))) == pytest.approx(4010 / 9, rel=1e-4)


def test_ema_generator_is_the_moving_average_of_the_generator(make_gan, tiny_batches, weights, same):
    decay = 0.9
    gan = make_gan(ema_decay=decay, g_lr=1e-2)
    start = weights(gan.generator)
    assert same(weights(gan.ema_generator), start)
    gan.fit(tiny_batches(), steps_per_epoch=1, epochs=1, verbose=0)
    # after step 1 the warm-up decay min(0.9, (1 + 1) / (10 + 1)) applies
    warm = min(decay, 2 / 11)
    for average, before, after in zip(weights(gan.ema_generator), start, weights(gan.generator)):
        np.testing.assert_allclose(average, warm * before + (1 - warm) * after, rtol=1e-5, atol=1e-7)
    gan.fit(tiny_batches(seed=1), steps_per_epoch=5, epochs=1, verbose=0)
    assert not same(weights(gan.ema_generator), weights(gan.generator))
    # samples come from the average, not from the raw generator
    assert gan.sampler is gan.ema_generator
    noise = latent_noise(6, gan.latent_dim)
    np.testing.assert_array_equal(gan.generate(noise=noise), generate(gan.ema_generator, noise=noise))
    assert not np.allclose(gan.generate(noise=noise), generate(gan.generator, noise=noise))


def test_uniform_noise_lies_in_the_unit_box(make_gan):
    gan = make_gan(noise="uniform")
    z = keras.ops.convert_to_numpy(gan.sample_noise(4096))
    assert z.shape == (4096, gan.latent_dim)
    assert z.min() >= -1.0 and z.max() <= 1.0
    assert z.min() < -0.99 and z.max() > 0.99 and abs(z.mean()) < 0.05  # fills the box
    fixed = latent_noise(4096, gan.latent_dim, "uniform")
    assert fixed.min() >= -1.0 and fixed.max() <= 1.0
    normal = keras.ops.convert_to_numpy(make_gan(noise="normal").sample_noise(4096))
    assert np.abs(normal).max() > 2.0


def test_noise_stream_is_seeded_and_moves_on(make_gan):
    a, b = make_gan(noise_seed=3), make_gan(noise_seed=3)
    first = keras.ops.convert_to_numpy(a.sample_noise(4))
    np.testing.assert_array_equal(first, keras.ops.convert_to_numpy(b.sample_noise(4)))
    assert not np.array_equal(first, keras.ops.convert_to_numpy(a.sample_noise(4)))


# --- sampling ---------------------------------------------------------------------------------


def test_conditional_generate_with_labels_and_balanced_by_default(make_gan, tiny_batches):
    gan = make_gan(conditional=True)
    gan.fit(tiny_batches(conditional=True), steps_per_epoch=2, epochs=1, verbose=0)
    noise = latent_noise(7, gan.latent_dim, seed=4)
    eye = np.eye(gan.num_classes, dtype=np.float32)
    as_two = gan.generate(noise=noise, labels=2)
    want = keras.ops.convert_to_numpy(gan.generator([noise, eye[[2] * 7]], training=False))
    np.testing.assert_allclose(as_two, want, rtol=1e-6)
    per_sample = gan.generate(noise=noise, labels=[0, 2, 1, 1, 0, 2, 2])
    np.testing.assert_allclose(
        per_sample, keras.ops.convert_to_numpy(gan.generator([noise, eye[[0, 2, 1, 1, 0, 2, 2]]])), rtol=1e-6
    )
    # by default the classes take turns: 0, 1, 2, 0, 1, 2, 0
    np.testing.assert_array_equal(gan.generate(noise=noise), gan.generate(noise=noise, labels=np.arange(7) % 3))
    assert gan.generate(n=12).shape == (12, *gan.sample_shape)
    with pytest.raises(ValueError, match=r"0\.\.2"):
        gan.generate(noise=noise, labels=3)


def test_unconditional_generate(make_gan):
    gan = make_gan()
    samples = gan.generate(n=5, seed=2)
    assert samples.shape == (5, *gan.sample_shape) and np.abs(samples).max() <= 1.0
    np.testing.assert_array_equal(samples, gan.generate(n=5, seed=2))  # fixed noise: same pictures
    with pytest.raises(ValueError, match="no labels"):
        gan.generate(n=5, labels=1)
    with pytest.raises(ValueError, match="number of samples"):
        gan.generate()


# --- saving -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["mlp", "conditional", "toy"])
def test_saved_generator_loads_safely_without_custom_objects(make_gan, tiny_batches, tmp_path, kind):
    if kind == "toy":
        generator = toy_generator(latent_dim=2, hidden=(8,), mean=(0.0, 843.3), std=(28.9, 745.4))
    else:
        gan = make_gan(conditional=kind == "conditional")
        gan.fit(tiny_batches(conditional=kind == "conditional"), steps_per_epoch=2, epochs=1, verbose=0)
        generator = gan.generator  # trained: the batch-norm statistics are no longer the defaults
    path = tmp_path / "generator.keras"
    generator.save(path)
    loaded = keras.models.load_model(path, safe_mode=True)
    assert loaded.count_params() == generator.count_params()
    np.testing.assert_array_equal(generate(loaded, n=9, seed=5), generate(generator, n=9, seed=5))


# --- NaN --------------------------------------------------------------------------------------


class _Recorder(keras.callbacks.Callback):
    """Generator weights (and the EMA's) at every callback, by step."""

    def __init__(self):
        super().__init__()
        self.at = {}

    def on_train_batch_end(self, batch, logs=None):
        step = int(np.asarray(self.model.g_optimizer.iterations))
        self.at[step] = [self.model.generator.get_weights(), self.model.ema_generator.get_weights()]


@pytest.mark.parametrize("steps_per_execution, jit_compile", [(1, False), (2, True)])
def test_nan_stops_training_and_puts_back_the_last_finite_generator(
    make_gan, tiny_images, tiny, same, steps_per_execution, jit_compile
):
    data = scale_images(tiny_images[0][:48])
    data[4 * tiny.batch :] = np.nan  # steps 1..4 are finite, step 5 on sees NaN
    stream = Stream(lambda step: data[step % 6 * tiny.batch : (step % 6 + 1) * tiny.batch])
    gan = make_gan(ema_decay=0.9, steps_per_execution=steps_per_execution, jit_compile=jit_compile)
    recorder = _Recorder()
    with pytest.warns(RuntimeWarning, match="training stopped"):
        gan.fit(stream, steps_per_epoch=12, epochs=2, verbose=0, callbacks=[recorder])
    stopped = 5 if steps_per_execution == 1 else 6  # the first callback that sees the NaN
    assert int(np.asarray(gan.g_optimizer.iterations)) == stopped  # stopped early: not 24 steps
    assert max(recorder.at) == stopped
    assert f"stopped at step {stopped}" in gan.diverged and "weights of step 4" in gan.diverged
    assert "d_loss" in gan.diverged
    assert not all(np.isfinite(w).all() for w in recorder.at[stopped][0])  # the NaN did reach G
    for model, good in ((gan.generator, recorder.at[4][0]), (gan.ema_generator, recorder.at[4][1])):
        assert all(np.isfinite(w).all() for w in model.get_weights())
        assert same(model.get_weights(), good)


# --- MirroredStrategy on two logical CPUs (in a subprocess: devices are fixed at TF start) ------

MIRRORED = textwrap.dedent(
    """
    import json, os, sys
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import keras
    import numpy as np
    from gan_lib.data import image_dataset
    from gan_lib.models import mlp_discriminator, mlp_generator
    from gan_lib.training import GAN, ConditionalGAN, ConditionalWassersteinGAN, WassersteinGAN

    rng = np.random.default_rng(0)
    images, labels = rng.integers(0, 256, (64, 4, 4), dtype=np.uint8), rng.integers(0, 3, 64)

    KINDS = {"plain": GAN, "conditional": ConditionalGAN, "wgan-gp": WassersteinGAN,
             "conditional-wgan-gp": ConditionalWassersteinGAN}

    def run(strategy, kind):
        keras.utils.set_random_seed(0)
        conditional = kind.startswith("conditional")
        classes = 3 if conditional else None
        with strategy.scope():
            g = mlp_generator(latent_dim=8, hidden=(16,), image_shape=(4, 4), batch_norm=False, num_classes=classes)
            d = mlp_discriminator(image_shape=(4, 4), hidden=(16,), num_classes=classes)
            start = g.get_weights() + d.get_weights()
            gan = KINDS[kind](g, d, seed=1)
            # SGD for WGAN-GP: Adam scales each gradient to a step near its learning rate, which would grow the
            # two devices' different rounding of the penalty's near-zero gradients into visible differences
            make = (lambda: keras.optimizers.SGD(1e-2)) if "wgan" in kind else (lambda: keras.optimizers.Adam(1e-2))
            # one step per call: Keras cannot run several under MirroredStrategy (keras#19246)
            gan.compile(make(), make(), jit_compile=False, steps_per_execution=1)
        ds = image_dataset(images, labels if conditional else None, batch_size=16, seed=0, num_classes=3)
        history = gan.fit(ds, steps_per_epoch=4, epochs=1, verbose=0).history
        end = g.get_weights() + d.get_weights()
        return {
            "replicas": strategy.num_replicas_in_sync,
            "history": {k: float(v[-1]) for k, v in history.items()},
            "moved": float(max(np.abs(a - b).max() for a, b in zip(start, end))),
            "weights": [w.tolist() for w in end],
            "iterations": [int(np.asarray(gan.d_optimizer.iterations)), int(np.asarray(gan.g_optimizer.iterations))],
        }

    out = {}
    # One strategy object for all runs: a second MirroredStrategy in the same process would reuse
    # the first one's collective keys. jit_compile=False: XLA on CPU cannot reach the variables on
    # the second logical device (true of any Keras model, not only of a GAN).
    one_device = tf.distribute.OneDeviceStrategy("/cpu:0")
    mirrored = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    for kind in KINDS:
        out[kind] = {"one": run(one_device, kind), "two": run(mirrored, kind)}
    with mirrored.scope():
        g = mlp_generator(latent_dim=8, hidden=(16,), image_shape=(4, 4))
        gan = GAN(g, mlp_discriminator(image_shape=(4, 4), hidden=(16,)))
        gan.compile()
        out["default_steps_per_execution"] = int(gan.steps_per_execution)
    json.dump(out, sys.stdout)
    """
)


@pytest.fixture(scope="module", autouse=True)
def mirrored_run(request):
    """The two-device run, started in the background as this module begins (when one of its tests
    is selected) so that it overlaps with the other tests here."""
    wanted = backends.BACKEND == "tensorflow" and any(
        "mirrored_results" in getattr(item, "fixturenames", ()) for item in request.session.items
    )
    process = None
    if wanted:
        process = subprocess.Popen(
            [sys.executable, "-c", MIRRORED], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
    yield process
    if process is not None and process.poll() is None:
        process.kill()
        process.communicate()


@pytest.fixture(scope="module")
def mirrored_results(mirrored_run):
    out, err = mirrored_run.communicate(timeout=600)
    assert mirrored_run.returncode == 0, err[-3000:]
    return json.loads(out)


@pytest.mark.tensorflow
@pytest.mark.parametrize("kind", ["plain", "conditional", "wgan-gp", "conditional-wgan-gp"])
def test_mirrored_strategy_on_two_devices_matches_one_device(mirrored_results, kind):
    one, two = mirrored_results[kind]["one"], mirrored_results[kind]["two"]
    assert one["replicas"] == 1 and two["replicas"] == 2
    critic_updates = 5 if "wgan" in kind else 1  # per generator update
    assert one["iterations"] == two["iterations"] == [4 * critic_updates, 4]
    assert one["moved"] > 1e-2  # the runs really trained, so agreement below means something
    assert len(one["history"]) == 4
    for key in one["history"]:
        np.testing.assert_allclose(two["history"][key], one["history"][key], rtol=1e-4, err_msg=key)
    for a, b in zip(one["weights"], two["weights"]):
        np.testing.assert_allclose(np.array(b), np.array(a), rtol=1e-4, atol=1e-5)


@pytest.mark.tensorflow
def test_default_compile_under_mirrored_strategy_runs_one_step_per_call(mirrored_results):
    assert mirrored_results["default_steps_per_execution"] == 1


def test_latent_paths_join_the_two_vectors_and_the_arc_keeps_the_norm():
    rng = np.random.default_rng(0)
    start, end = rng.standard_normal(100), rng.standard_normal(100)
    end *= np.linalg.norm(start) / np.linalg.norm(end)  # two vectors of one norm
    line, arc = latent_path(start, end, 9), latent_path(start, end, 9, spherical=True)
    for path in (line, arc):
        assert path.shape == (9, 100) and path.dtype == np.float32
        np.testing.assert_allclose(path[[0, -1]], [start, end], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(line[4], (start + end) / 2, rtol=1e-5, atol=1e-6)
    # the arc keeps the norm all the way; the line's midpoint is shorter by cos(angle / 2)
    np.testing.assert_allclose(np.linalg.norm(arc, axis=1), np.linalg.norm(start), rtol=1e-5)
    angle = np.arccos(start @ end / np.linalg.norm(start) ** 2)
    assert np.linalg.norm(line[4]) == pytest.approx(np.linalg.norm(start) * np.cos(angle / 2), rel=1e-5)
    # equal angles between neighbours on the arc
    cosines = np.sum(arc[1:] * arc[:-1], axis=1) / np.linalg.norm(start) ** 2
    np.testing.assert_allclose(cosines, np.cos(angle / 8), rtol=1e-5)
    np.testing.assert_allclose(latent_path(start, 2 * start, 3, spherical=True)[1], 1.5 * start, rtol=1e-6)
    with pytest.raises(ValueError, match="two noise vectors of one size"):
        latent_path(start, end[:50], 3)
