"""gan_lib.pretrained: the shipped full runs load, were made by today's recipe, and are re-made by one command."""

import hashlib
import json

import numpy as np
import pytest

from gan_lib import pretrained, recipes, runs, training
from gan_lib.weights import save_weights


@pytest.mark.parametrize("name", pretrained.SHIPPED)
def test_each_shipped_run_loads_and_was_made_by_todays_recipe(name):
    generator, report = pretrained.load(name)
    # the command and the file agree on the recipe (the weights are the command's to make), whichever layout
    # of run configuration the file was made in; an option added after it counts at its default
    assert recipes.Recipe.from_config(report["config"]) == recipes.get(name) and report["config"]["seed"] == pretrained.SEED
    assert report["steps"] == recipes.get(name).steps and report["diverged"] is None
    images = training.generate(generator, 16)
    assert images.shape == (16, 28, 28) and np.abs(images).max() <= 1.0 and images.std() > 0.1


@pytest.fixture
def short_dcgan(monkeypatch, tmp_path):
    """mnist-dcgan cut to 50 steps of batch 8, its shipped file in tmp_path: what `make` then `load` see."""
    recipe = recipes.get("mnist-dcgan", steps=50, batch_size=8, steps_per_execution=25, snapshot_every=25)
    monkeypatch.setitem(recipes.RECIPES, "mnist-dcgan", recipe)
    monkeypatch.setattr(pretrained, "path", lambda name: tmp_path / f"{name}.weights.npz")
    return tmp_path


def test_make_ships_the_generator_of_the_command_line_run(short_dcgan):
    report = pretrained.make("mnist-dcgan", out=short_dcgan / "run", verbose=0)
    generator, shipped_report = pretrained.load("mnist-dcgan")
    assert shipped_report == report
    _, trained = runs.load_run(short_dcgan / "run")  # what `python -m gan_lib train` wrote
    np.testing.assert_array_equal(training.generate(generator, 8), training.generate(trained, 8))


def test_a_file_made_with_another_recipe_is_refused_with_the_command_that_re_makes_it(short_dcgan):
    generator, _ = recipes.build_models(recipes.get("mnist-dcgan"))
    config = runs.run_config(recipes.get("mnist-dcgan", steps=100), pretrained.SEED)
    save_weights(generator, pretrained.path("mnist-dcgan"), config=json.dumps(config), report="{}")
    with pytest.raises(pretrained.PretrainedFileError, match=r"differs in steps\); re-make it with `python -m gan_lib.pretrained mnist-dcgan`"):
        pretrained.load("mnist-dcgan")


def test_a_damaged_or_missing_file_is_refused_with_the_command(short_dcgan):
    with pytest.raises(pretrained.PretrainedFileError, match="not a readable shipped run.*python -m gan_lib.pretrained"):
        pretrained.load("mnist-dcgan")  # missing
    pretrained.path("mnist-dcgan").write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(pretrained.PretrainedFileError, match="not a readable shipped run"):
        pretrained.load("mnist-dcgan")


@pytest.mark.parametrize("name", pretrained.SHIPPED)
def test_data_readme_gives_each_shipped_file_its_checksum_and_command(name):
    readme = (pretrained.path(name).parent / "README.md").read_text()
    assert hashlib.sha256(pretrained.path(name).read_bytes()).hexdigest() in readme
    assert f"`{pretrained.command(name)}`" in readme


def test_a_run_written_before_a_recipe_field_existed_counts_it_at_its_default():
    flat = {**recipes.get("mnist-dcgan").fields(), "network": "dcgan", "game": "gan", "seed": pretrained.SEED}
    del flat["task"]
    older = {k: v for k, v in flat.items() if k not in ("patch_size", "corruption", "g_dense")}  # before pix2pix, and the dense layers
    assert recipes.Recipe.from_config(older) == recipes.get("mnist-dcgan", g_dense=())
    assert recipes.Recipe.from_config({**older, "steps": 5}).steps == 5  # what the run wrote is kept
