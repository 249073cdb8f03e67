"""Recipes: the fields the command line can set reach the GAN and its optimizers, any number of
steps is laid out in whole calls, and bad values give a clear error."""

import json
import re

import keras
import numpy as np
import pytest

from gan_lib import backends, recipes


@pytest.mark.parametrize("steps", [1, 9, 10, 11, 999, 1000, 1001, 1234, 6000])
def test_epochs_add_up_to_any_number_of_steps(steps):
    schedule = recipes.epochs(recipes.get("toy", steps=steps))
    assert sum(length for length, _ in schedule) == steps
    for length, per_call in schedule:
        assert length % per_call == 0 and length <= 1000 and per_call <= 10


def test_a_remainder_runs_as_short_epochs_at_the_end():
    assert recipes.epochs(recipes.get("toy", steps=1234)) == [(1000, 10), (230, 10), (4, 4)]
    assert recipes.epochs(recipes.get("toy", steps=2000)) == [(1000, 10), (1000, 10)]
    assert recipes.steps_before(recipes.get("toy", steps=1234), 2) == 1230


@pytest.mark.parametrize(
    "kind, options, expected",
    [
        ("adam", {"beta_1": 0.3}, {"beta_1": 0.3}),
        ("rmsprop", {}, {}),
        ("sgd", {"momentum": 0.9}, {"momentum": 0.9}),
    ],
)
def test_optimizers_of_each_kind_with_their_own_learning_rates(kind, options, expected):
    recipe = recipes.get("toy", optimizer=kind, g_learning_rate=0.01, d_learning_rate=0.02, **options)
    d_optimizer, g_optimizer = recipes.optimizers(recipe)
    assert type(d_optimizer).__name__.lower() == kind and d_optimizer is not g_optimizer
    assert float(d_optimizer.learning_rate) == pytest.approx(0.02)
    assert float(g_optimizer.learning_rate) == pytest.approx(0.01)
    for name, value in expected.items():
        assert getattr(d_optimizer, name) == value and getattr(g_optimizer, name) == value


def test_sgd_with_momentum_trains_the_recipe_gan():
    recipe = recipes.get(
        "toy", steps=4, optimizer="sgd", momentum=0.9, d_steps=2, generator_loss="minimax", latent_dim=3
    )
    keras.utils.set_random_seed(0)
    gan = recipes.build(recipe, seed=0)
    assert (gan.latent_dim, gan.d_steps, gan.generator_loss) == (3, 2, "minimax")
    recipes.fit(gan, recipe, recipes.dataset(recipe), verbose=0)
    assert int(gan.g_optimizer.iterations) == 4 and int(gan.d_optimizer.iterations) == 8
    assert isinstance(gan.g_optimizer, keras.optimizers.SGD) and gan.g_optimizer.momentum == 0.9


def test_a_short_last_call_trains_as_one_step_per_call_would():
    """13 steps as a call of 10 and a call of 3 see the same batches and noise as 13 single steps."""
    recipe = recipes.get("toy", steps=13)
    trained = []
    for per_call in (10, 1):
        keras.utils.set_random_seed(0)
        gan = recipes.build(recipe.replace(steps_per_execution=per_call), seed=0)
        recipes.fit(gan, recipe.replace(steps_per_execution=per_call), recipes.dataset(recipe), verbose=0)
        assert int(gan.g_optimizer.iterations) == 13 and gan.steps_per_execution == per_call
        trained.append(gan.generator.get_weights())
    for a, b in zip(*trained):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_the_progress_bar_counts_epochs_over_the_whole_run(capsys):
    recipe = recipes.get("toy", steps=25, steps_per_execution=5, checkpoint_every=10)  # epochs of 10, 10, 5
    keras.utils.set_random_seed(0)
    recipes.fit(recipes.build(recipe, seed=0), recipe, recipes.dataset(recipe), verbose=2)
    assert re.findall(r"Epoch \d+/\d+", capsys.readouterr().out) == ["Epoch 1/3", "Epoch 2/3", "Epoch 3/3"]
    # a progress bar of the caller's own replaces the run's: one bar, counting per fit() call as Keras does
    recipes.fit(recipes.build(recipe, seed=0), recipe, recipes.dataset(recipe), callbacks=[keras.callbacks.ProgbarLogger()], verbose=2)
    assert re.findall(r"Epoch \d+/\d+", capsys.readouterr().out) == ["Epoch 1/2", "Epoch 2/2", "Epoch 3/3"]


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"steps": 0}, "steps must be a positive int"),
        ({"latent_dim": 2.5}, "latent_dim must be a positive int"),
        ({"d_steps": 0}, "d_steps must be a positive int"),
        ({"g_learning_rate": -1e-3}, "g_learning_rate must be positive"),
        ({"d_learning_rate": 0.0}, "d_learning_rate must be positive"),
        ({"momentum": 1.0}, "momentum must be in [0, 1)"),
        ({"beta_1": -0.1}, "beta_1 must be in [0, 1)"),
        ({"optimizer": "adagrad"}, "optimizer must be one of adam, rmsprop, sgd"),
        ({"generator_loss": "hinge"}, "generator_loss must be one of non-saturating, minimax"),
        ({"beta_2": 1.0}, "beta_2 must be in [0, 1)"),
        ({"game": "hinge"}, "game must be one of gan, wgan-gp, pix2pix"),
        ({"game": "wgan-gp", "generator_loss": "minimax"}, "generator_loss is an option of the gan game or the sgan game; mnist-gan has "
                                                            "the digits task, the mlp networks, the wgan-gp game"),
        ({"game": "wgan-gp", "r1_weight": 1.0}, "r1_weight is an option of the gan game"),
        ({"r1_weight": -0.5}, "r1_weight must be >= 0"),
        ({"network": "resnet"}, "networks must be one of mlp, dcgan, unet"),
        ({"network": "unet"}, "the digits task takes mlp or dcgan networks, got unet"),
        ({"game": "pix2pix"}, "the pix2pix game's generator draws from pictures, the digits task's from noise"),
        ({"g_activation": "tanh"}, "g_activation must be one of leaky_relu, relu"),
        ({"d_dropout": 1.0}, "d_dropout must be in [0, 1)"),
        ({"kernel_size": 3}, "kernel_size is an option of the dcgan networks or the unet networks; mnist-gan has the "
                             "digits task, the mlp networks"),
        ({"network": "dcgan", "kernel_size": 0}, "kernel_size must be a positive int"),
        ({"corruption": "edges"}, "corruption is an option of the pairs task"),
        ({"noise": "cauchy"}, "noise must be one of normal, uniform"),
    ],
)
def test_bad_recipe_values_raise_a_clear_error(changes, message):
    with pytest.raises(ValueError) as err:
        recipes.get("mnist-gan", **changes)
    assert message in str(err.value)


def test_unknown_recipe_lists_the_known_ones():
    with pytest.raises(ValueError, match="choose one of toy, mnist-gan, mnist-cgan, ring, grid"):
        recipes.get("cifar")


def test_cosine_decay_reaches_zero_at_the_last_update_of_each_network():
    recipe = recipes.get("toy", steps=100, d_steps=2, lr_decay="cosine", g_learning_rate=0.01, d_learning_rate=0.02)
    d_optimizer, g_optimizer = recipes.optimizers(recipe)
    assert float(g_optimizer.learning_rate) == pytest.approx(0.01)
    g_optimizer.iterations.assign(50)
    d_optimizer.iterations.assign(100)  # two discriminator updates per generator update: also half way
    assert float(g_optimizer.learning_rate) == pytest.approx(0.005)
    assert float(d_optimizer.learning_rate) == pytest.approx(0.01)
    g_optimizer.iterations.assign(100)
    assert float(g_optimizer.learning_rate) == pytest.approx(0.0, abs=1e-9)


def test_a_packed_recipe_builds_a_packed_gan_that_trains():
    recipe = recipes.get("ring", steps=20, pack=4)
    gan = recipes.build(recipe, seed=0)
    assert gan.pack == 4 and gan.discriminator.inputs[0].shape[1:] == (8,)
    recipes.fit(gan, recipe, recipes.dataset(recipe), verbose=0)
    assert int(gan.g_optimizer.iterations) == 20
    with pytest.raises(ValueError, match="batch_size must be a multiple of pack=3"):
        recipes.get("ring", pack=3)


@pytest.mark.parametrize("conditional", [False, True])
def test_the_dcgan_recipe_builds_convolutional_networks_without_xla_that_both_train(conditional):
    recipe = recipes.get("mnist-dcgan", steps=2, batch_size=8, steps_per_execution=1, conditional=conditional)
    gan = recipes.build(recipe, seed=0)
    kinds = {type(layer).__name__ for model in (gan.generator, gan.discriminator) for layer in model.layers}
    assert {"Conv2DTranspose", "Conv2D"} <= kinds and gan.jit_compile == (backends.BACKEND == "jax")  # JAX always compiles
    assert len(gan.generator.inputs) == len(gan.discriminator.inputs) == (2 if conditional else 1)
    before = [[np.asarray(w).copy() for w in model.trainable_weights] for model in (gan.generator, gan.discriminator)]
    recipes.fit(gan, recipe, recipes.dataset(recipe), verbose=0)
    for model, old in zip((gan.generator, gan.discriminator), before):
        assert all(not np.array_equal(a, np.asarray(b)) for a, b in zip(old, model.trainable_weights)), model.name
    with pytest.raises(ValueError, match="the mixture task takes mlp networks, got dcgan"):
        recipes.get("grid", network="dcgan")


@pytest.mark.parametrize("name", ["mnist-gan", "mnist-dcgan"])
def test_the_builder_options_of_a_recipe_reach_its_networks(name):
    dcgan = recipes.get(name).network.kind == "dcgan"
    convolutions = dict(kernel_size=5, g_dense=(24,), d_dense=(12,)) if dcgan else {}
    recipe = recipes.get(name, g_activation="relu", d_dropout=0.25, **convolutions)
    generator, discriminator = recipes.build_models(recipe)
    if dcgan:
        assert generator.get_layer("dense_0").units == 24 and discriminator.get_layer("dense_0").units == 12
    slopes = {layer.negative_slope for layer in generator.layers if isinstance(layer, keras.layers.LeakyReLU)}
    assert slopes == {0.0}
    assert {layer.rate for layer in discriminator.layers if isinstance(layer, keras.layers.Dropout)} == {0.25}
    kernels = {layer.kernel.shape[:2] for layer in discriminator.layers if isinstance(layer, keras.layers.Conv2D)}
    assert kernels == ({(5, 5)} if dcgan else set())


def test_the_conditional_dcgan_recipe_is_the_dcgans_convolutions_with_a_label():
    recipe, dcgan = recipes.get("mnist-cdcgan", steps=2, batch_size=8, steps_per_execution=1), recipes.get("mnist-dcgan")
    assert recipe.conditional and recipe.network.kind == "dcgan" and (recipe.g_hidden, recipe.d_hidden) == (dcgan.g_hidden, dcgan.d_hidden)
    assert (recipe.r1_weight, recipe.g_activation, recipe.g_learning_rate) == (dcgan.r1_weight, dcgan.g_activation, dcgan.g_learning_rate)
    gan = recipes.build(recipe, seed=0)
    assert type(gan).__name__ == "ConditionalGAN" and gan.r1_weight == dcgan.r1_weight
    recipes.fit(gan, recipe, recipes.dataset(recipe), verbose=0)
    assert np.isfinite(gan.history.history["d_loss"][-1])


def test_each_option_keeps_its_flat_name_routed_to_the_group_that_holds_it():
    recipe = recipes.get("grid", pack=2, mixture="ring", g_hidden=(32,), steps=7)
    assert (recipe.game.pack, recipe.task.mixture, recipe.network.g_hidden, recipe.steps) == (2, "ring", (32,), 7)
    assert (recipe.pack, recipe.mixture, recipe.g_hidden) == (2, "ring", (32,))  # read by the same names
    assert recipe.replace(gp_weight=0.5, game="wgan-gp").game == recipes.GAMES["wgan-gp"](gp_weight=0.5)
    with pytest.raises(AttributeError, match="gp_weight is an option of the wgan-gp game; grid has the mixture task"):
        recipe.gp_weight


def test_a_group_changes_kind_keeping_the_options_both_kinds_hold():
    dcgan = recipes.get("mnist-gan", network="dcgan", g_hidden=(8, 4))
    assert dcgan.network.kind == "dcgan" and dcgan.network.d_hidden == recipes.get("mnist-gan").d_hidden
    assert dcgan.network.g_hidden == (8, 4) and dcgan.network.kernel_size == 4  # what the perceptrons lack: its default
    assert recipes.get("mnist-dcgan", network="mlp").network == recipes.NETWORKS["mlp"](
        g_hidden=(64, 32), d_hidden=(32, 64), g_activation="relu")


@pytest.mark.parametrize("name", list(recipes.RECIPES))
def test_a_recipe_travels_through_its_run_config_and_back(name):
    recipe = recipes.get(name)
    config = json.loads(json.dumps(recipe.config()))  # as run.json holds it
    assert recipes.Recipe.from_config(config) == recipe
    groups = {key for key in config if isinstance(config[key], dict)}
    assert groups == {"task", "network", "game"} and all(config[group]["kind"] for group in groups)


def test_a_toy_run_config_holds_no_option_of_another_game_or_task():
    config = recipes.get("toy").config()
    flat = {key for value in config.values() if isinstance(value, dict) for key in value} | set(config)
    for foreign in ("corruption", "l1_weight", "gan_weight", "patch_size", "d_sees_input", "gp_weight", "kernel_size",
                    "g_dense", "mixture", "conditional"):
        assert foreign not in flat


def test_a_flat_config_of_the_layout_before_the_groups_is_read_as_the_recipe_it_trained():
    old = {**json.loads(json.dumps(recipes.get("mnist-wgan").fields())), "network": "mlp", "game": "wgan-gp"}
    old.update(mixture=None, conditional=False, corruption="bottom-half", r1_weight=0.0, pack=1, seed=3)  # other kinds' options
    del old["task"]
    assert recipes.Recipe.from_config(old) == recipes.get("mnist-wgan")
