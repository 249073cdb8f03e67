"""The semi-supervised GAN: the real/fake probability from the class logits, its losses on known values, the few
labels and their stream, the noise layer, the updates, the recipe, and `classify` on the command line."""

import json

import keras
import numpy as np
import pytest

from gan_lib import cli, data, losses, metrics, models, recipes
from gan_lib.callbacks import ClassifierError
from gan_lib.training import SemiSupervisedGAN

SHAPE, CLASSES, BATCH = (4, 4), 3, 6


def _sgan(seed=0, d_lr=1e-3, g_lr=1e-3, optimizer=keras.optimizers.Adam, input_noise=0.3, hidden_noise=0.5, **options):
    keras.utils.set_random_seed(seed)
    generator = models.mlp_generator(latent_dim=5, hidden=(8,), image_shape=SHAPE)
    discriminator = models.classifier_discriminator(SHAPE, hidden=(12, 8), num_classes=CLASSES, input_noise=input_noise, hidden_noise=hidden_noise)
    gan = SemiSupervisedGAN(generator, discriminator, seed=1, **options)
    gan.compile(optimizer(d_lr), optimizer(g_lr), jit_compile=False, steps_per_execution=1)
    return gan


@pytest.fixture(scope="module")
def tiny():
    """60 random 4 x 4 images with labels 0..2, twenty of each, and 6 of them labelled."""
    rng = np.random.default_rng(7)
    images, labels = rng.integers(0, 256, (60, *SHAPE), dtype=np.uint8), np.repeat(np.arange(CLASSES), 20)
    return images, labels, data.few_labels(labels, 6, seed=0, num_classes=CLASSES)


def _stream(tiny, seed=0):
    return data.semi_supervised_dataset(*tiny, batch_size=BATCH, seed=seed, num_classes=CLASSES)


def _weights(model):
    """The trainable weights (BatchNorm's moving statistics move in any pass in training mode)."""
    return [keras.ops.convert_to_numpy(w) for w in model.trainable_weights]


# --- the real/fake decision and the losses ------------------------------------------------------


def test_d_is_z_over_z_plus_one_from_the_class_logits():
    logits = np.log(np.array([[1.0, 2.0, 3.0], [0.5, 0.25, 0.25], [1e-3, 1e-3, 1e-3]], np.float32))
    z = np.exp(logits).sum(axis=1)
    d = keras.ops.convert_to_numpy(keras.ops.sigmoid(losses.real_logit(logits)))[:, 0]
    np.testing.assert_allclose(d, z / (z + 1), rtol=1e-6)  # 6/7, 1/2, 0.003/1.003


def test_supervised_loss_is_minus_log_softmax_of_the_true_class():
    logits = np.array([[2.0, 0.0, -1.0], [0.0, 0.0, 0.0]], np.float32)
    labels = data.one_hot([0, 2], CLASSES)
    expected = [-np.log(np.exp(2) / (np.exp(2) + 1 + np.exp(-1))), np.log(3)]
    np.testing.assert_allclose(keras.ops.convert_to_numpy(losses.supervised_loss(labels, logits)), expected, rtol=1e-5)


def test_unsupervised_loss_is_the_paper_s_half_gan_loss():
    # Salimans et al.: -E log D(x) - E log(1 - D(G(z))), each expectation halved; with Z = 2 and Z = 1/2.
    real, fake = np.log([[1.0, 1.0, 0.0 + 1e-30]]).astype(np.float32), np.log([[0.25, 0.25, 1e-30]]).astype(np.float32)
    loss = 0.5 * keras.ops.convert_to_numpy(losses.discriminator_loss(losses.real_logit(real), losses.real_logit(fake)))[0]
    assert loss == pytest.approx(0.5 * (-np.log(2 / 3) - np.log(1 - 0.5 / 1.5)), rel=1e-5)


def test_feature_matching_is_the_mean_square_gap_of_the_batch_means():
    real = np.array([[1.0, 2.0], [3.0, 2.0]], np.float32)  # means (2, 2)
    fake = np.array([[0.0, 5.0], [0.0, 5.0], [0.0, 5.0]], np.float32)  # means (0, 5)
    assert float(losses.feature_matching(real, fake)) == pytest.approx((4 + 9) / 2)


# --- the few labels -----------------------------------------------------------------------------------


def test_few_labels_takes_as_many_of_each_class_by_the_seed_alone():
    labels = data.load_mnist().y_train
    chosen = data.few_labels(labels, 100, seed=3)
    assert len(chosen) == len(set(chosen)) == 100 and chosen.max() < len(labels)
    assert np.bincount(labels[chosen], minlength=10).tolist() == [10] * 10
    np.testing.assert_array_equal(chosen, data.few_labels(labels, 100, seed=3))
    assert len(set(chosen) & set(data.few_labels(labels, 100, seed=4))) < 10  # another seed, other digits
    assert np.bincount(labels[data.few_labels(labels, 20, seed=3)]).tolist() == [2] * 10


@pytest.mark.parametrize("count", [0, 105, -10, 10.0])
def test_few_labels_refuses_a_count_that_is_not_a_multiple_of_the_classes(count):
    with pytest.raises(ValueError, match="positive multiple of 10"):
        data.few_labels(np.repeat(np.arange(10), 50), count)


def test_the_stream_pairs_unlabelled_digits_with_the_few_and_their_true_labels(tiny):
    images, labels, chosen = tiny
    scaled = data.scale_images(images)
    for unlabelled, labelled, one_hot in (tuple(np.asarray(t) for t in batch) for batch in _stream(tiny).take(25)):
        assert unlabelled.shape == labelled.shape == (BATCH, *SHAPE) and one_hot.shape == (BATCH, CLASSES)
        index = [int(np.flatnonzero((scaled == image).all(axis=(1, 2)))[0]) for image in labelled]
        assert set(index) <= set(chosen.tolist())  # labelled batches hold only the chosen few
        np.testing.assert_array_equal(one_hot.argmax(axis=1), labels[index])


# --- the networks and the game -----------------------------------------------------------------------


def test_noise_layer_is_off_in_inference_and_has_its_spread_in_training():
    layer = models.GaussianNoise(0.5, seed=3)
    x = np.zeros((200, 50), np.float32)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(x)), x)
    noisy = keras.ops.convert_to_numpy(layer(x, training=True))
    assert noisy.std() == pytest.approx(0.5, rel=0.03) and abs(noisy.mean()) < 0.01
    assert not np.array_equal(noisy, keras.ops.convert_to_numpy(layer(x, training=True)))  # fresh noise each call


def test_the_discriminator_classifies_and_gives_its_last_hidden_features():
    discriminator = models.classifier_discriminator(hidden=(1000, 500, 250, 250, 250))
    logits, features = discriminator(np.zeros((2, 28, 28), np.float32))
    assert logits.shape == (2, 10) and features.shape == (2, 250)
    assert discriminator.count_params() == 784 * 1000 + 1000 + 1000 * 500 + 500 + 500 * 250 + 250 + 2 * (250 * 250 + 250) + 2510


@pytest.mark.parametrize("loss", ["feature-matching", "non-saturating"])
@pytest.mark.parametrize("frozen, moved", [("discriminator", "generator"), ("generator", "discriminator")])
def test_each_update_changes_only_its_own_network(tiny, loss, frozen, moved):
    # A learning rate of 0 makes one network's update a no-op: whatever moves in it, the other update moved.
    gan = _sgan(generator_loss=loss, **{f"{frozen[0]}_lr": 0.0})
    before = {name: _weights(getattr(gan, name)) for name in (frozen, moved)}
    gan.fit(_stream(tiny), steps_per_epoch=2, epochs=1, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(_weights(getattr(gan, frozen)), before[frozen]))
    assert not all(np.array_equal(a, b) for a, b in zip(_weights(getattr(gan, moved)), before[moved]))


def _discriminator_move(tiny, generator_seed, unlabelled_weight):
    """The discriminator's weights after one step, from the same discriminator (and noise) beside a generator
    made with `generator_seed`."""
    gan = _sgan(input_noise=0.0, hidden_noise=0.0, unlabelled_weight=unlabelled_weight, g_lr=0.0)
    keras.utils.set_random_seed(generator_seed)
    for weight in gan.generator.trainable_weights:
        weight.assign(weight + np.random.default_rng(generator_seed).normal(0, 0.5, weight.shape).astype(np.float32))
    gan.fit(_stream(tiny), steps_per_epoch=1, epochs=1, verbose=0)
    return _weights(gan.discriminator)


def test_with_unlabelled_weight_0_the_discriminator_learns_from_the_labels_alone(tiny):
    for a, b in zip(_discriminator_move(tiny, 1, 0.0), _discriminator_move(tiny, 2, 0.0)):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)  # the generator (and the unlabelled digits) play no part
    assert not all(np.allclose(a, b) for a, b in zip(_discriminator_move(tiny, 1, 1.0), _discriminator_move(tiny, 2, 1.0)))


def test_logged_losses_are_the_losses_of_the_step(tiny):
    gan = _sgan(d_lr=0.0, g_lr=0.0, input_noise=0.0, hidden_noise=0.0)
    history = gan.fit(_stream(tiny), steps_per_epoch=1, epochs=1, verbose=0).history
    _, labelled, one_hot = (np.asarray(t) for t in next(iter(_stream(tiny))))
    classifier = gan.classifier()
    assert history["supervised"][0] == pytest.approx(float(keras.ops.mean(losses.supervised_loss(one_hot, classifier(labelled)))), rel=1e-5)
    assert 0 < history["d_real"][0] < 1 and 0 < history["d_fake"][0] < 1 and history["g_loss"][0] >= 0


def test_test_error_is_measured_every_few_steps_and_at_the_end(tiny):
    images, labels, _ = tiny
    gan = _sgan()
    errors = ClassifierError(images, labels, every=2)
    gan.fit(_stream(tiny), steps_per_epoch=5, epochs=1, verbose=0, callbacks=[errors])
    assert errors.steps == [2, 4, 5] and all(0 <= e <= 1 for e in errors.errors)
    predicted = metrics.class_probabilities(gan.classifier(), images).argmax(axis=1)
    assert errors.errors[-1] == np.mean(predicted != labels)


def test_fit_needs_the_three_part_batches(tiny):
    gan = _sgan()
    with pytest.raises(ValueError, match="unlabelled images, labelled images, one-hot labels"):
        gan.fit(data.image_dataset(tiny[0], batch_size=BATCH), steps_per_epoch=1, epochs=1, verbose=0)


@pytest.mark.parametrize("options, message", [
    ({"generator_loss": "minimax"}, "generator_loss must be one of"),
    ({"unlabelled_weight": -1.0}, "unlabelled_weight must be >= 0"),
    ({"real_label": 0.9}, "options of the plain GAN"),
])
def test_bad_options_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        _sgan(**options)


def test_the_recipe_builds_the_paper_s_networks_and_refuses_other_counts():
    recipe = recipes.get("mnist-sgan")
    generator, discriminator = recipes.build_models(recipe)
    assert [layer.units for layer in discriminator.layers if isinstance(layer, keras.layers.Dense)] == [1000, 500, 250, 250, 250, 10]
    assert [layer.units for layer in generator.layers if isinstance(layer, keras.layers.Dense)] == [500, 500, 784]
    assert recipes.get("mnist-sgan", labels=20).task.labels == 20
    with pytest.raises(ValueError, match="multiple of 10"):
        recipes.get("mnist-sgan", labels=25)
    with pytest.raises(ValueError, match="few-labels task"):
        recipes.get("mnist-gan", game="sgan")


# --- the command line ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sgan_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("sgan")
    argv = ["train", "mnist-sgan", "--steps", "60", "--batch-size", "20", "--labels", "20", "--out", str(out)]
    assert cli.main(argv) == 0
    return out


def test_train_saves_the_classifier_and_its_test_error(sgan_run):
    report = json.loads((sgan_run / "metrics.json").read_text())
    classifier = report["quality"]["classifier"]
    assert classifier["labels"] == 20 and classifier["n"] == 10000
    assert classifier["test_error"] == classifier["test_errors"] / 10000 < 0.9  # 60 steps from 20 labels: better than chance
    model = keras.models.load_model(sgan_run / "classifier.keras", safe_mode=True)
    mnist = data.load_mnist()
    assert metrics.classifier_report(model, mnist.x_test, mnist.y_test)["test_errors"] == classifier["test_errors"]


def test_classify_writes_labels_and_probabilities(sgan_run, tmp_path, capsys):
    images = data.load_mnist().x_test[:50]
    np.savez(tmp_path / "digits.npz", images=images)
    assert cli.main(["classify", str(sgan_run), "--images", str(tmp_path / "digits.npz"), "--out", str(tmp_path / "p.npz")]) == 0
    with np.load(tmp_path / "p.npz", allow_pickle=False) as npz:
        assert npz["labels"].shape == (50,) and npz["labels"].dtype == np.int64
        assert npz["probabilities"].shape == (50, 10) and np.allclose(npz["probabilities"].sum(axis=1), 1, atol=1e-5)
        np.testing.assert_array_equal(npz["labels"], npz["probabilities"].argmax(axis=1))


@pytest.mark.parametrize("write, message", [
    (lambda path: path.write_bytes(b"PK\x03\x04 not a zip"), "not a readable .npz file"),
    (lambda path: np.savez(path, pictures=np.zeros((2, 28, 28), np.uint8)), "no array named 'images'"),
    (lambda path: np.savez(path, images=np.zeros((2, 32, 32), np.uint8)), "must be uint8 of shape (N, 28, 28)"),
    (lambda path: np.savez(path, images=np.zeros((2, 28, 28), np.float32)), "must be uint8 of shape (N, 28, 28)"),
])
def test_classify_refuses_a_bad_file_in_one_line(sgan_run, tmp_path, capsys, write, message):
    path = tmp_path / "bad.npz"
    write(path)
    status = cli.main(["classify", str(sgan_run), "--images", str(path), "--out", str(tmp_path / "p.npz")])
    err = capsys.readouterr().err
    assert status == 2 and message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "p.npz").exists()


def test_classify_needs_a_semi_supervised_run(tmp_path, capsys):
    np.savez(tmp_path / "digits.npz", images=np.zeros((2, 28, 28), np.uint8))
    assert cli.main(["classify", str(tmp_path), "--images", str(tmp_path / "digits.npz"), "--out", str(tmp_path / "p.npz")]) == 2
    assert "no classifier.keras" in capsys.readouterr().err
