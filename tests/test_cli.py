"""The command line: `train` writes every artefact and resumes; `sample` writes arrays and grids;
bad arguments and broken run folders give a one-line error and exit status 2."""

import json
import pathlib

import keras
import numpy as np
import pytest

from gan_lib import callbacks, cli, data, recipes, runs, tasks


def run_cli(capsys, *argv):
    status = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def options(config):
    """A run configuration's options by their flat names."""
    return recipes.Recipe.from_config(config).fields()


@pytest.fixture(scope="module")
def toy_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("toy")
    assert cli.main(["train", "toy", "--steps", "200", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def cgan_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("cgan")
    assert cli.main(["train", "mnist-cgan", "--steps", "100", "--batch-size", "32", "--out", str(out)]) == 0
    return out


def test_train_ends_with_a_short_summary_and_keeps_the_full_report_in_metrics_json(tmp_path, capsys):
    status, out, _ = run_cli(capsys, "train", "toy", "--steps", 30, "--out", tmp_path)
    report = json.loads((tmp_path / "metrics.json").read_text())
    assert status == 0 and out.strip().endswith(runs.summary(report, tmp_path))
    lines = runs.summary(report, tmp_path).splitlines()
    assert len(lines) <= 8 and lines[0].startswith("toy: 30 steps") and "steps/s" in lines[0]
    assert any(line.split()[0] == "x_ks_statistic" and len(line.split()) == 3 for line in lines)  # generated beside real
    assert str(tmp_path / "metrics.json") in lines[-1] and "{" not in out  # the JSON stays in the file


def test_train_writes_every_artefact(toy_run):
    for name in runs.ARTEFACTS:
        assert (toy_run / name).stat().st_size > 0, name
    assert not (toy_run / "checkpoint").exists()
    report = json.loads((toy_run / "metrics.json").read_text())
    assert report["steps"] == 200 and report["diverged"] is None
    assert set(report["quality"]) == {"generated", "real"}
    assert report["speed"]["steps_per_second"] > 0
    history = json.loads((toy_run / "history.json").read_text())
    assert history["step"] == list(range(10, 201, 10))  # the toy logs every 10 steps
    assert keras.models.load_model(toy_run / "generator.keras", safe_mode=True).output.shape[1:] == (2,)


def test_sample_toy_points_and_picture(toy_run, tmp_path, capsys):
    status, _, _ = run_cli(capsys, "sample", toy_run, "--n", 300, "--out", tmp_path / "p.npz")
    assert status == 0
    with np.load(tmp_path / "p.npz", allow_pickle=False) as npz:
        assert npz["points"].shape == (300, 2) and npz["points"].dtype == np.float32
        assert "labels" not in npz.files
    assert run_cli(capsys, "sample", toy_run, "--out", tmp_path / "p.png")[0] == 0
    assert (tmp_path / "p.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_sample_conditional_arrays(cgan_run, tmp_path, capsys):
    assert run_cli(capsys, "sample", cgan_run, "--n", 20, "--out", tmp_path / "all.npz")[0] == 0
    with np.load(tmp_path / "all.npz", allow_pickle=False) as npz:
        assert npz["images"].shape == (20, 28, 28) and npz["images"].dtype == np.uint8
        assert np.bincount(npz["labels"], minlength=10).tolist() == [2] * 10  # balanced
    assert run_cli(capsys, "sample", cgan_run, "--n", 7, "--label", 3, "--out", tmp_path / "three.npz")[0] == 0
    with np.load(tmp_path / "three.npz", allow_pickle=False) as npz:
        assert npz["labels"].tolist() == [3] * 7
    report = json.loads((cgan_run / "metrics.json").read_text())
    assert len(report["quality"]["generated"]["conditional_accuracy_per_class"]) == 10


def test_same_noise_seed_same_samples(toy_run, tmp_path, capsys):
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        run_cli(capsys, "sample", toy_run, "--n", 50, "--seed", seed, "--out", tmp_path / f"{name}.npz")
    a, b, c = (np.load(tmp_path / f"{n}.npz")["points"] for n in "abc")
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "toy", "--steps", "0"], "steps must be a positive int"),
        (["train", "toy", "--batch-size", "0"], "batch_size must be a positive int"),
        (["train", "toy", "--lr", "-0.1"], "g_learning_rate must be positive"),
        (["train", "toy", "--momentum", "1.5"], "momentum must be in [0, 1)"),
        (["train", "toy", "--latent-dim", "0"], "latent_dim must be a positive int"),
        (["train", "toy", "--gp-weight", "1"], "--gp-weight: gp_weight is an option of the wgan-gp game; toy has the curve task, the mlp networks, the gan game"),
        (["train", "mnist-gan", "--kernel-size", "3"], "--kernel-size: kernel_size is an option of the dcgan networks or the unet networks"),
        (["train", "mnist-wgan", "--r1-weight", "1"], "--r1-weight: r1_weight is an option of the gan game; mnist-wgan has"),
        (["train", "mnist-gan", "--corruption", "edges"], "--corruption: corruption is an option of the pairs task"),
        (["sample", "{run}", "--out", "{tmp}/x.jpg"], "must end in .png"),
        (["sample", "{run}", "--label", "3", "--out", "{tmp}/x.npz"], "not conditional"),
        (["sample", "{tmp}/nowhere", "--out", "{tmp}/x.npz"], "no run.json"),
        (["sample", "{run}", "--n", "0", "--out", "{tmp}/x.npz"], "--n must be positive"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(toy_run, tmp_path, capsys, argv, message):
    argv = [a.format(run=toy_run, tmp=tmp_path) for a in argv]
    status, _, err = run_cli(capsys, *argv)
    assert status == 2
    assert message in err and len(err.strip().splitlines()) == 1


def test_train_options_reach_the_run_and_its_metrics(tmp_path, capsys):
    argv = ["train", "toy", "--steps", 25, "--optimizer", "SGD", "--lr", 0.01, "--d-lr", 0.02, "--momentum", 0.9]
    argv += ["--latent-dim", 3, "--d-steps", 2, "--generator-loss", "minimax", "--out", tmp_path]
    assert run_cli(capsys, *argv)[0] == 0
    config = json.loads((tmp_path / "metrics.json").read_text())["config"]
    assert config == {**json.loads((tmp_path / "run.json").read_text())}
    expected = dict(steps=25, optimizer="sgd", g_learning_rate=0.01, d_learning_rate=0.02, momentum=0.9)
    expected.update(latent_dim=3, d_steps=2, generator_loss="minimax")
    assert {key: options(config)[key] for key in expected} == expected
    assert json.loads((tmp_path / "history.json").read_text())["step"][-2:] == [20, 25]  # 25 is not a multiple of 10
    assert keras.models.load_model(tmp_path / "generator.keras").inputs[0].shape[1:] == (3,)


def test_unknown_optimizer_is_refused_with_the_choices(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["train", "toy", "--optimizer", "adagrad"])
    assert stop.value.code == 2 and "choose from adam, rmsprop, sgd" in capsys.readouterr().err.replace("'", "")


def test_resume_with_a_changed_option_names_it(toy_run, tmp_path, capsys):
    run = tmp_path / "run"
    run.mkdir()
    (run / "run.json").write_text((toy_run / "run.json").read_text())  # a run of `train toy --steps 200`
    (run / "checkpoint").mkdir()
    (run / "checkpoint" / "latest.json").write_text("{}")
    status, _, err = run_cli(capsys, "train", "toy", "--steps", 200, "--d-lr", 0.005, "--out", run, "--resume")
    assert status == 2 and "d_learning_rate was 0.001, now 0.005" in err


def test_broken_generator_file(toy_run, tmp_path, capsys):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "run.json").write_text((toy_run / "run.json").read_text())
    (broken / "generator.keras").write_bytes(b"not a keras archive")
    status, _, err = run_cli(capsys, "sample", broken, "--out", tmp_path / "x.npz")
    assert status == 2 and "cannot read the run" in err


def test_corrupt_mnist_is_reported_not_replaced(tmp_path, monkeypatch, capsys):
    corrupt = tmp_path / "mnist.npz"
    corrupt.write_bytes(data.MNIST_PATH.read_bytes()[:100000])
    monkeypatch.setattr(data, "MNIST_PATH", corrupt)
    status, _, err = run_cli(capsys, "train", "mnist-gan", "--steps", "50", "--out", tmp_path / "run")
    assert status == 2 and str(corrupt) in err and "truncated or corrupt" in err
    assert corrupt.stat().st_size == 100000


class Interrupt(Exception):
    pass


def test_resume_after_interrupt_equals_uninterrupted_run(tmp_path, monkeypatch):
    recipe = recipes.get("toy", steps=65, checkpoint_every=20, snapshot_every=20)  # epochs of 20, 20, 20 and 5
    runs.train(recipe, tmp_path / "straight", verbose=0)

    save = callbacks.Checkpoint.on_epoch_end

    def save_then_stop(self, epoch, logs=None):
        save(self, epoch, logs)
        if epoch == 1:  # killed right after the checkpoint of step 40
            raise Interrupt

    monkeypatch.setattr(callbacks.Checkpoint, "on_epoch_end", save_then_stop)
    with pytest.raises(Interrupt):
        runs.train(recipe, tmp_path / "resumed", verbose=0)
    monkeypatch.undo()

    with pytest.raises(runs.RunError, match="--resume"):
        runs.train(recipe, tmp_path / "resumed", verbose=0)  # would discard the unfinished run
    report = runs.train(recipe, tmp_path / "resumed", resume=True, verbose=0)
    assert report["steps"] == 65 and report["speed"]["steps_this_session"] == 25

    straight, resumed = (
        keras.models.load_model(tmp_path / d / "generator.keras").get_weights() for d in ("straight", "resumed")
    )
    for a, b in zip(straight, resumed):
        np.testing.assert_array_equal(a, b)
    hist_a, hist_b = (json.loads((tmp_path / d / "history.json").read_text()) for d in ("straight", "resumed"))
    assert hist_a == hist_b  # no step repeated or lost in the curves either


def test_resume_needs_a_checkpoint_and_the_same_arguments(tmp_path, capsys):
    status, _, err = run_cli(capsys, "train", "toy", "--steps", "20", "--out", tmp_path, "--resume")
    assert status == 2 and "no checkpoint" in err
    recipe = recipes.get("toy", steps=40, checkpoint_every=20)
    (tmp_path / "checkpoint").mkdir()
    (tmp_path / "checkpoint" / "latest.json").write_text("{}")
    runs.write_json(tmp_path / "run.json", {"name": "toy", "steps": 20, "seed": 0, "backend": keras.backend.backend()})
    with pytest.raises(runs.RunError, match="another configuration"):
        runs.train(recipe, tmp_path, resume=True, verbose=0)


def test_a_checkpoint_of_another_backend_is_refused_naming_it(tmp_path):
    recipe = recipes.get("toy", steps=40, checkpoint_every=20)
    (tmp_path / "checkpoint").mkdir()
    (tmp_path / "checkpoint" / "latest.json").write_text("{}")
    other = "torch" if keras.backend.backend() != "torch" else "jax"
    runs.write_json(tmp_path / "run.json", {**runs.run_config(recipe, 0), "backend": other})
    with pytest.raises(runs.RunError, match=f"trained on Keras's {other} backend.*KERAS_BACKEND={other}"):
        runs.train(recipe, tmp_path, resume=True, verbose=0)


@pytest.mark.parametrize(
    "recipe, changes", [("grid", {}), ("grid-r1", {"r1_weight": 0.5}), ("grid-wgan", {"gp_weight": 0.5, "beta_2": 0.8})]
)
def test_a_mixture_run_writes_points_and_the_benchmark_measures(tmp_path, capsys, recipe, changes):
    out = tmp_path / recipe
    flags = [x for key, value in changes.items() for x in (f"--{key.replace('_', '-')}", value)]
    assert run_cli(capsys, "train", recipe, "--steps", 30, *flags, "--out", out)[0] == 0
    config = json.loads((out / "metrics.json").read_text())["config"]
    assert {key: options(config)[key] for key in changes} == changes
    logged = "wasserstein" if recipe.endswith("wgan") else "d_real"
    assert logged in json.loads((out / "history.json").read_text())
    quality = json.loads((out / "metrics.json").read_text())["quality"]
    assert quality["generated"]["n"] == runs.MIXTURE_SAMPLES == 2500  # the papers' protocol
    assert quality["real"]["modes"] == 25 and quality["real"]["high_quality"] > 0.97
    assert run_cli(capsys, "sample", out, "--n", 40, "--out", tmp_path / "points.npz")[0] == 0
    with np.load(tmp_path / "points.npz", allow_pickle=False) as npz:
        assert npz["points"].shape == (40, 2) and npz["points"].dtype == np.float32


def test_dcgan_trains_and_samples_like_the_other_recipes(tmp_path, capsys):
    out = tmp_path / "dcgan"
    flags = ["--g-activation", "leaky_relu", "--d-dropout", 0.2, "--kernel-size", 3]
    assert run_cli(capsys, "train", "mnist-dcgan", "--steps", 50, "--batch-size", 16, *flags, "--out", out)[0] == 0
    report = json.loads((out / "metrics.json").read_text())
    assert report["config"]["network"]["kind"] == "dcgan" and report["config"]["jit_compile"] is False
    assert {k: options(report["config"])[k] for k in ("g_activation", "d_dropout", "kernel_size")} == {
        "g_activation": "leaky_relu", "d_dropout": 0.2, "kernel_size": 3}
    assert report["steps"] == 50 and report["quality"]["generated"]["n"] == 10000
    assert run_cli(capsys, "sample", out, "--n", 12, "--out", tmp_path / "d.npz")[0] == 0
    with np.load(tmp_path / "d.npz", allow_pickle=False) as npz:
        assert npz["images"].shape == (12, 28, 28) and npz["images"].dtype == np.uint8
        assert "labels" not in npz.files


@pytest.mark.tensorflow
def test_a_checkpoint_of_the_flat_layout_before_the_groups_resumes_as_one_of_todays_layout(tmp_path, capsys):
    """tests/fixtures: `train toy --steps 2000` stopped after its first 1,000 steps by the code before recipes had
    groups (every option at the top of run.json). It resumes from its 1,000th step, keeps the curves of the first
    1,000, and ends exactly where the same checkpoint described in today's layout does."""
    import shutil

    fixture = pathlib.Path(__file__).parent / "fixtures" / "toy-interrupted-flat-layout"
    old, new = tmp_path / "flat", tmp_path / "grouped"
    shutil.copytree(fixture, old)
    shutil.copytree(fixture, new)
    flat = json.loads((fixture / "run.json").read_text())
    assert "task" not in flat and flat["l1_weight"] == 100.0  # the old layout: every option of every game
    runs.write_json(new / "run.json", {**recipes.Recipe.from_config(flat).config(), "seed": flat["seed"], "backend": flat["backend"]})
    for folder in (old, new):
        assert run_cli(capsys, "train", "toy", "--steps", 2000, "--out", folder, "--resume")[0] == 0
    reports = [json.loads((folder / "metrics.json").read_text()) for folder in (old, new)]
    assert reports[0]["steps"] == 2000 and reports[0]["speed"]["steps_this_session"] == 1000
    assert reports[0]["quality"] == reports[1]["quality"] and "task" in reports[0]["config"]  # rewritten in today's layout
    history = json.loads((old / "history.json").read_text())
    with np.load(fixture / "checkpoint" / "epoch-00001.npz") as saved:
        np.testing.assert_array_equal(history["d_loss"][:100], saved["history/d_loss"])  # the first 1,000 steps kept
    a, b = (keras.models.load_model(folder / "generator.keras").get_weights() for folder in (old, new))
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("kind", list(tasks.TASKS))
def test_every_task_trains_and_samples_from_the_command_line(kind, tmp_path, capsys):
    """Each kind of data, through the task registry alone: the first recipe of the task trains a few steps and
    samples as arrays and as a picture."""
    name = next(n for n, recipe in recipes.RECIPES.items() if recipe.task.kind == kind)
    out = tmp_path / name
    assert run_cli(capsys, "train", name, "--steps", 20, "--batch-size", 16, "--out", out)[0] == 0
    assert all((out / artefact).stat().st_size > 0 for artefact in runs.ARTEFACTS)
    assert run_cli(capsys, "sample", out, "--n", 10, "--out", tmp_path / "s.npz")[0] == 0
    with np.load(tmp_path / "s.npz", allow_pickle=False) as npz:
        drawn = npz["points"] if recipes.get(name).points else npz["images"]
        assert len(drawn) == 10 and drawn.dtype == (np.float32 if recipes.get(name).points else np.uint8)
    assert run_cli(capsys, "sample", out, "--n", 10, "--out", tmp_path / "s.png")[0] == 0
    assert (tmp_path / "s.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
