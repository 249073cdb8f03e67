"""pix2pix: the corruptions, the U-Net and the PatchGAN, the L1 + cGAN game, its recipe and its command line."""

import keras
import numpy as np
import pytest

from gan_lib import cli, data, metrics, models, recipes
from gan_lib.training import Pix2Pix, translate

SIDE = 28


def _pix2pix(sees_input=True, patch_size=10, dropout=0.0, d_lr=1e-3, g_lr=1e-3, optimizer=keras.optimizers.Adam, **options):
    keras.utils.set_random_seed(0)
    generator = models.unet_generator(widths=(4, 8, 8), dropout=dropout)
    discriminator = models.patchgan_discriminator(patch_size=patch_size, widths=(4, 8, 8), sees_input=sees_input)
    gan = Pix2Pix(generator, discriminator, seed=1, **options)
    gan.compile(optimizer(d_lr), optimizer(g_lr), jit_compile=False, steps_per_execution=1)
    return gan


@pytest.fixture(scope="module")
def pairs():
    """16 training digits and their inputs with the bottom half hidden, in [-1, 1]."""
    targets = data.scale_images(data.load_mnist().x_train[:16])
    return data.corrupt(targets), targets


def _stream(pairs, batch_size=8):
    return data.paired_dataset(*pairs, batch_size=batch_size)


# --- the inputs -------------------------------------------------------------------------------


def test_bottom_half_hides_the_bottom_and_keeps_the_top(pairs):
    inputs, targets = pairs
    np.testing.assert_array_equal(inputs[:, : SIDE // 2], targets[:, : SIDE // 2])
    assert np.all(inputs[:, SIDE // 2 :] == 0.0) and np.any(targets[:, SIDE // 2 :] > 0)


def test_pool_4x_is_constant_on_each_block_and_keeps_its_mean(pairs):
    targets = pairs[1]
    pooled = data.corrupt(targets, "pool-4x")
    blocks = pooled.reshape(-1, 7, 4, 7, 4)
    assert np.all(blocks == blocks[:, :, :1, :, :1])
    np.testing.assert_allclose(blocks[:, :, 0, :, 0], targets.reshape(-1, 7, 4, 7, 4).mean(axis=(2, 4)), atol=1e-6)


def test_edges_are_ink_with_background_beside_them(pairs):
    targets = pairs[1]
    edges = data.corrupt(targets, "edges") > 0
    assert edges.any() and not np.any(edges & (targets <= 0))  # only ink is an edge
    assert np.count_nonzero(edges) < np.count_nonzero(targets > 0)  # and not all of it: the inside is left out


def test_corruption_is_checked(pairs):
    with pytest.raises(ValueError, match="unknown corruption 'blur'; choose one of bottom-half, pool-4x, edges"):
        data.corrupt(pairs[1], "blur")


def test_paired_batches_keep_each_input_with_its_target(pairs):
    inputs, targets = next(iter(_stream(pairs)))
    inputs, targets = np.asarray(inputs), np.asarray(targets)
    assert inputs.shape == targets.shape == (8, SIDE, SIDE)
    np.testing.assert_array_equal(inputs, data.corrupt(targets))
    with pytest.raises(ValueError, match="must pair up"):
        data.paired_dataset(pairs[0][:3], pairs[1])


# --- the networks -----------------------------------------------------------------------------


def test_unet_maps_a_picture_to_a_picture_in_the_tanh_range(pairs):
    generator = models.unet_generator(widths=(4, 8, 8))
    outputs = translate(generator, pairs[0])
    assert outputs.shape == pairs[0].shape and np.abs(outputs).max() <= 1.0


def test_unet_skip_connections_carry_a_pixel_to_the_output_nearby(pairs):
    # With the bottleneck silenced, only the skip connections join input and output: a changed pixel must
    # change the output near it, through them, and nothing far away.
    generator = models.unet_generator(widths=(4, 8, 8), dropout=0.0)
    bottleneck = generator.get_layer("bottleneck")
    bottleneck.set_weights([np.zeros_like(w) for w in bottleneck.get_weights()])
    picture = pairs[0][:1].copy()
    changed = picture.copy()
    changed[0, 5, 5] = -picture[0, 5, 5] + 0.5
    difference = np.abs(translate(generator, changed) - translate(generator, picture))[0]
    assert difference[3:8, 3:8].max() > 1e-4
    assert difference[20:, :].max() == 0.0 and difference[:, 20:].max() == 0.0  # beyond the skip paths' reach


@pytest.mark.parametrize("patch_size, cells", [(1, 784), (4, 196), (10, 49), (22, 16), (28, 1)])
def test_patchgan_gives_one_logit_per_patch_and_each_sees_only_its_patch(patch_size, cells):
    discriminator = models.patchgan_discriminator(patch_size=patch_size, widths=(4, 8, 8), sees_input=False)
    image = np.random.default_rng(0).uniform(-1, 1, (1, SIDE, SIDE)).astype(np.float32)
    changed = image.copy()
    changed[0, 0, 0] = -image[0, 0, 0]
    logits = np.asarray(discriminator(image)), np.asarray(discriminator(changed))
    assert logits[0].shape == (1, cells)
    moved = np.count_nonzero(np.abs(logits[0] - logits[1]) > 1e-7)
    if patch_size == 1:
        assert moved == 1  # PixelGAN: only the pixel's own logit
    elif patch_size < SIDE:
        assert 0 < moved < cells  # a corner pixel lies outside most patches
    else:
        assert moved == 1


def test_patchgan_judges_the_pair_joined_as_channels():
    discriminator = models.patchgan_discriminator(widths=(4, 8, 8))
    assert [tuple(i.shape[1:]) for i in discriminator.inputs] == [(SIDE, SIDE), (SIDE, SIDE)]
    assert tuple(discriminator.get_layer("pair").output.shape[1:]) == (SIDE, SIDE, 2)
    with pytest.raises(ValueError, match="patch_size must be one of 1, 4, 10, 22, 28"):
        models.patchgan_discriminator(patch_size=16)


# --- the game ---------------------------------------------------------------------------------


def _weights(model):
    return [np.array(w) for w in model.get_weights()]


@pytest.mark.parametrize("frozen, moved", [("discriminator", "generator"), ("generator", "discriminator")])
def test_each_update_changes_only_its_own_network(pairs, frozen, moved):
    # A learning rate of 0 makes one network's update a no-op: whatever moves in it, the other update moved.
    gan = _pix2pix(**{f"{frozen[0]}_lr": 0.0})
    before = {name: _weights(getattr(gan, name)) for name in (frozen, moved)}
    gan.fit(_stream(pairs), steps_per_epoch=1, epochs=1, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(_weights(getattr(gan, frozen)), before[frozen]))
    assert not all(np.array_equal(a, b) for a, b in zip(_weights(getattr(gan, moved)), before[moved]))


def _generator_move(pairs, l1_weight, gan_weight):
    """The generator's weight change in one plain SGD step (learning rate 1: minus the gradient), the
    discriminator frozen by a learning rate of 0."""
    gan = _pix2pix(d_lr=0.0, g_lr=1.0, optimizer=keras.optimizers.SGD, l1_weight=l1_weight, gan_weight=gan_weight)
    before = _weights(gan.generator)
    gan.fit(_stream(pairs), steps_per_epoch=1, epochs=1, verbose=0)
    return [after - b for after, b in zip(_weights(gan.generator), before)], gan


def test_the_l1_weight_enters_the_generator_loss_exactly(pairs):
    gan_only, _ = _generator_move(pairs, 0.0, 1.0)
    l1_only, gan = _generator_move(pairs, 1.0, 0.0)
    both, _ = _generator_move(pairs, 100.0, 1.0)
    for move, a, b in zip(both, gan_only, l1_only):
        np.testing.assert_allclose(move, a + 100.0 * b, rtol=1e-3, atol=1e-6)
    # and the logged L1 is the mean |target - output| before the step, as the loss saw it
    inputs, targets = (np.asarray(t) for t in next(iter(_stream(pairs))))
    fresh = _pix2pix(l1_weight=1.0, gan_weight=0.0)
    expected = np.mean(np.abs(targets - translate(fresh.generator, inputs)))
    history = fresh.fit(_stream(pairs), steps_per_epoch=1, epochs=1, verbose=0).history
    assert history["l1"][0] == pytest.approx(expected, rel=1e-5)


def test_an_unconditional_discriminator_judges_outputs_alone(pairs):
    gan = _pix2pix(sees_input=False)
    assert not gan.sees_input
    gan.fit(_stream(pairs), steps_per_epoch=2, epochs=1, verbose=0)
    assert np.isfinite(gan.history.history["d_loss"][0])


@pytest.mark.parametrize(
    "options, message",
    [
        ({"l1_weight": 0.0, "gan_weight": 0.0}, "both 0"),
        ({"l1_weight": -1.0}, "l1_weight must be >= 0"),
        ({"noise": "uniform"}, "options of the noise-driven games"),
    ],
)
def test_bad_options_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        _pix2pix(**options)


def test_fit_needs_input_target_pairs(pairs):
    gan = _pix2pix()
    with pytest.raises(ValueError, match="paired_dataset"):
        gan.fit(data.image_dataset(pairs[1], batch_size=8), steps_per_epoch=1, verbose=0)


def test_dropout_is_the_only_noise_and_only_when_asked(pairs):
    generator = models.unet_generator(widths=(4, 8, 8), dropout=0.5)
    inputs = pairs[0][:4]
    np.testing.assert_array_equal(translate(generator, inputs), translate(generator, inputs))
    assert not np.array_equal(translate(generator, inputs, dropout=True), translate(generator, inputs, dropout=True))


# --- measures ---------------------------------------------------------------------------------


def test_sharpness_is_lower_for_a_blurred_digit_and_zero_for_a_flat_one(pairs):
    targets = pairs[1]
    assert metrics.sharpness(data.corrupt(targets, "pool-4x")) < metrics.sharpness(targets)
    assert metrics.sharpness(np.zeros((2, SIDE, SIDE), np.float32)) == 0.0


def test_translation_report_of_the_truth_itself():
    mnist = data.load_mnist()
    truth = mnist.x_test[:500]
    report = metrics.translation_report(truth, truth, mnist.y_test[:500])
    generated, real = report["generated"], report["real"]
    assert generated["l1"] == 0.0 and generated["conditional_accuracy"] > 0.97
    assert real["sharpness"] == pytest.approx(metrics.sharpness(mnist.x_test[1::2]))
    with pytest.raises(ValueError, match="one target and one label per output"):
        metrics.translation_report(truth, truth, mnist.y_test[:10])


# --- recipes and the command line -------------------------------------------------------------


def test_the_recipe_and_its_ablation_options_build_the_paper_s_rows():
    gan = recipes.build(recipes.get("mnist-pix2pix"))
    assert isinstance(gan, Pix2Pix) and gan.sees_input and (gan.l1_weight, gan.gan_weight) == (100.0, 1.0)
    assert not recipes.build(recipes.get("mnist-pix2pix", d_sees_input=False)).sees_input
    with pytest.raises(ValueError, match="latent_dim must be 0"):
        recipes.get("mnist-pix2pix", latent_dim=100)
    with pytest.raises(ValueError, match="the digits task takes mlp or dcgan networks, got unet"):
        recipes.get("mnist-dcgan", network="unet")
    with pytest.raises(ValueError, match="the gan game.s generator draws from noise, the pairs task.s from pictures"):
        recipes.get("mnist-pix2pix", game="gan")


@pytest.fixture(scope="module")
def pix2pix_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("pix2pix")
    argv = ["train", "mnist-pix2pix", "--steps", "50", "--batch-size", "16", "--unconditional-d", "--gan-weight", "2", "--out", str(out)]
    assert cli.main(argv) == 0
    return out


def test_train_writes_the_run_with_its_options_and_measures(pix2pix_run):
    import json

    report = json.loads((pix2pix_run / "metrics.json").read_text())
    assert report["config"]["network"]["d_sees_input"] is False and report["config"]["game"]["gan_weight"] == 2.0
    generated = report["quality"]["generated"]
    assert generated["n"] == 10000 and {"l1", "conditional_accuracy", "frechet_distance", "sharpness"} <= set(generated)
    for name in ("samples.png", "progress.gif", "losses.png", "history.json"):
        assert (pix2pix_run / name).stat().st_size > 0


def test_sample_writes_inputs_outputs_and_true_labels(pix2pix_run, tmp_path, capsys):
    out = tmp_path / "translated.npz"
    assert cli.main(["sample", str(pix2pix_run), "--n", "12", "--out", str(out)]) == 0
    mnist = data.load_mnist()
    with np.load(out) as npz:
        assert sorted(npz.files) == ["images", "inputs", "labels"]
        assert npz["images"].shape == npz["inputs"].shape == (12, SIDE, SIDE) and npz["images"].dtype == np.uint8
        np.testing.assert_array_equal(npz["labels"], mnist.y_test[:12])
        np.testing.assert_array_equal(npz["inputs"], data.unscale_images(data.corrupt(mnist.x_test[:12])))
    picture = tmp_path / "translated.png"
    assert cli.main(["sample", str(pix2pix_run), "--n", "12", "--out", str(picture)]) == 0
    assert picture.stat().st_size > 0
    assert cli.main(["sample", str(pix2pix_run), "--label", "3", "--out", str(out)]) == 2
    assert "takes no label" in capsys.readouterr().err
