"""A training run on disk: train a recipe into a folder, resume it, and sample from it.

The folder holds run.json (the recipe and seed), generator.keras, samples.png, progress.gif,
losses.png, history.json and metrics.json; while training, checkpoint/ holds the state to resume.
Whatever depends on the kind of data (the film's inputs, the pictures, the measures, what `sample`
writes) is the recipe's task's (`gan_lib.tasks`): this module asks it, and never which kind it is.
"""

import json
import pathlib
import time
from typing import NamedTuple

import keras
import numpy as np

from gan_lib import data, metrics, plotting, recipes, tasks
from gan_lib.callbacks import Checkpoint, Snapshots, StepHistory, TrainingHealth, global_step, mixture_coverage, remove_checkpoint
from gan_lib.files import atomic_path
from gan_lib.tasks import MIXTURE_SAMPLES, SNAPSHOT_SEED  # noqa: F401 - notebooks read them here

ARTEFACTS = ("generator.keras", "samples.png", "progress.gif", "losses.png", "history.json", "metrics.json")


class RunError(ValueError):
    """A run folder or a request that cannot be served; the message says why and what to do."""


def write_json(path, obj):
    """Write JSON atomically."""
    with atomic_path(path) as tmp:
        pathlib.Path(tmp).write_text(json.dumps(obj, indent=2) + "\n")


def snapshot_inputs(recipe, latent_dim):
    """(noise, labels) that every snapshot of a recipe's run is drawn from (its task's)."""
    return recipe.task.snapshot_inputs(recipe, latent_dim)


def translation_examples(recipe, n=None):
    """(inputs, targets, labels) of the first `n` test digits of a pix2pix recipe (`tasks.DigitPairs.examples`)."""
    return recipe.task.examples(n)


def toy_limits(recipe):
    """Axis limits that hold the whole toy curve with a margin."""
    return recipe.task.limits()


def mixture_limits(mix):
    """Square axis limits that hold every mode of a mixture (a data.Mixture) with a margin."""
    return tasks.GaussianMixture(mix.name).limits()


def picture(recipe, samples, caption=None):
    """One uint8 picture of a recipe's samples: an image grid, or real and generated points."""
    return recipe.task.picture(recipe, samples, caption)


def progress_frames(recipe, snapshots):
    """The frames of a progress GIF: each snapshot with its step."""
    return recipe.task.frames(recipe, snapshots)


def measure(recipe, gan, n=10000):
    """Measured quality of the trained generator beside the same measure on real data (its task's measures)."""
    return recipe.task.measure(recipe, gan, n)


def _check_resume(out, config, resume):
    pointer = out / "checkpoint" / "latest.json"
    if resume:
        if not pointer.exists():
            raise RunError(f"{out}: no checkpoint to resume from; train without --resume")
        saved_json = json.loads((out / "run.json").read_text())
        backend = saved_json.get("backend", "tensorflow")  # runs from before the other backends ran on TensorFlow
        if backend != config["backend"]:
            raise RunError(
                f"{out}: the checkpoint was trained on Keras's {backend} backend, which draws its own batches and "
                f"noise; resume it there (KERAS_BACKEND={backend}) or train a new run on {config['backend']}"
            )
        try:
            saved = _options(saved_json)
        except (TypeError, ValueError, KeyError) as err:
            raise RunError(f"{out}: the checkpoint belongs to another configuration (its run.json describes no recipe of "
                           f"today's: {err}); delete the folder to train from the start") from err
        now = _options(config)
        changed = {k: (saved.get(k), v) for k, v in now.items() if saved.get(k) != v}
        if changed:
            what = ", ".join(f"{k} was {a!r}, now {b!r}" for k, (a, b) in changed.items())
            raise RunError(f"{out}: the checkpoint belongs to another configuration ({what}); resume with the same arguments")
    elif pointer.exists():
        raise RunError(f"{out}: holds an unfinished run; continue it with --resume or delete the folder to start again")


def _options(config):
    """A run configuration (today's layout or the flat one of older runs) as flat option names and the seed."""
    return {**json.loads(json.dumps(recipes.Recipe.from_config(config).fields())), "seed": config.get("seed", 0)}


def run_config(recipe, seed):
    """What defines a run, as plain JSON values: the recipe (its common fields, then its task, networks and game,
    each with its kind and its own options), the seed and Keras's backend (each draws its own batches and noise)."""
    return {**recipe.config(), "seed": seed, "backend": keras.backend.backend()}


def train(recipe, out, seed=0, resume=False, verbose="auto"):
    """Train `recipe` into the folder `out` and write every artefact; return the metrics dict."""
    out = pathlib.Path(out)
    config = run_config(recipe, seed)
    _check_resume(out, config, resume)
    write_json(out / "run.json", config)

    keras.utils.set_random_seed(seed)
    gan = recipes.build(recipe, seed=seed)
    snapshots = Snapshots(*snapshot_inputs(recipe, gan.latent_dim), every=recipe.snapshot_every)
    history = StepHistory()
    checkpoint = Checkpoint(out / "checkpoint", stateful={"snapshots": snapshots, "history": history})
    initial_epoch = checkpoint.restore(gan) if resume else 0
    done = recipes.steps_before(recipe, initial_epoch)
    real = recipes.dataset(recipe, seed, skip=done)

    start = time.perf_counter()
    recipes.fit(gan, recipe, real, [snapshots, history, checkpoint], initial_epoch, verbose)
    seconds = time.perf_counter() - start
    steps = global_step(gan) - done

    with atomic_path(out / "generator.keras") as tmp:
        gan.sampler.save(tmp)
    for name, model in recipe.task.saved_models(gan).items():  # a semi-supervised run's classifier.keras
        with atomic_path(out / name) as tmp:
            model.save(tmp)
    fixed_noise, fixed_labels = snapshot_inputs(recipe, gan.latent_dim)
    final = gan.generate(noise=fixed_noise, labels=fixed_labels)
    plotting.save_picture(picture(recipe, final), out / "samples.png")
    plotting.save_gif(progress_frames(recipe, snapshots), out / "progress.gif")
    losses = plotting.plot_history(history.history, recipe.name, *recipe.game.targets)
    plotting.save_figure(losses, out / "losses.png")
    write_json(out / "history.json", history.history)
    report = {
        "recipe": recipe.name,
        "config": config,
        "steps": global_step(gan),
        "quality": measure(recipe, gan),
        "speed": {"steps_this_session": steps, "seconds": round(seconds, 2), "steps_per_second": round(steps / seconds, 1)},
        "diverged": gan.diverged,
    }
    write_json(out / "metrics.json", report)
    remove_checkpoint(out / "checkpoint")
    return report


def summary(report, out):
    """What a person reads when `train` ends: the measured quality beside real data, the speed, and the files."""
    speed, quality = report["speed"], report["quality"]
    lines = [f"{report['recipe']}: {report['steps']:,} steps, the last {speed['steps_this_session']:,} in {speed['seconds']:.0f} s "
             f"({speed['steps_per_second']:g} steps/s)", f"  {'measure':<24}{'generated':>12}{'real data':>12}"]
    for key, value in quality["generated"].items():
        if isinstance(value, (int, float)) and not isinstance(value, bool) and key != "n":
            real = quality["real"].get(key)
            lines.append(f"  {key:<24}{value:>12.4g}{real if real is None else format(real, '.4g'):>12}")
    files = ARTEFACTS
    if "classifier" in quality:
        classifier, files = quality["classifier"], (*ARTEFACTS, "classifier.keras")
        lines.append(f"  the discriminator as a classifier, from {classifier['labels']} labels: test error "
                     f"{classifier['test_error']:.2%} ({classifier['test_errors']} of {classifier['n']:,} test digits)")
    lines.append(f"wrote {', '.join(files)} to {out} (every measure: {pathlib.Path(out) / 'metrics.json'})")
    return "\n".join(lines)


class Watched(NamedTuple):
    """A mixture run trained in memory with its health panel and snapshots (`train_watched`)."""

    gan: object
    health: TrainingHealth
    snapshots: Snapshots
    measured: dict  # the papers' measures of MIXTURE_SAMPLES samples of the averaged generator
    seconds: float


def train_watched(recipe, seed=0, every=500):
    """Train a mixture recipe as `train` does, in memory, with a `TrainingHealth` panel measured every `every`
    steps and fixed-noise snapshots: what notebook 05 and benchmarks/failures.py watch a failing game with."""
    mix = recipe.task.mix
    keras.utils.set_random_seed(seed)
    gan = recipes.build(recipe, seed=seed)
    health = TrainingHealth(data.mixture_samples(mix, 256, seed=5), every=every, coverage=mixture_coverage(mix))
    snapshots = Snapshots(*snapshot_inputs(recipe, gan.latent_dim), every=recipe.snapshot_every)
    start = time.perf_counter()
    recipes.fit(gan, recipe, recipes.dataset(recipe, seed), callbacks=[health, snapshots], verbose=0)
    seconds = time.perf_counter() - start
    return Watched(gan, health, snapshots, measure(recipe, gan)["generated"], seconds)


def load_run(run_dir):
    """(recipe, generator) of a finished run folder, or a RunError saying what is missing."""
    run_dir = pathlib.Path(run_dir)
    for name in ("run.json", "generator.keras"):
        if not (run_dir / name).exists():
            raise RunError(f"{run_dir}: no {name}; is it a finished run of `python -m gan_lib train`?")
    try:
        recipe = recipes.Recipe.from_config(json.loads((run_dir / "run.json").read_text()))
        generator = keras.models.load_model(run_dir / "generator.keras", safe_mode=True)
    except Exception as err:  # any unreadable file is reported the same way
        raise RunError(f"{run_dir}: cannot read the run ({type(err).__name__}: {err}); train it again") from err
    return recipe, generator


def sample(run_dir, out, n=100, label=None, seed=0):
    """Write `n` samples of a finished run to `out`: a .png picture or .npz arrays, as the run's task draws them
    (a pix2pix run translates the first `n` test digits: `inputs`, `images` and their `labels`)."""
    out = pathlib.Path(out)
    if out.suffix not in (".png", ".npz"):
        raise RunError(f"{out}: the output must end in .png (a picture) or .npz (arrays)")
    if n <= 0:
        raise RunError(f"--n must be positive, got {n}")
    recipe, generator = load_run(run_dir)
    try:
        arrays, draw = recipe.task.sample(recipe, generator, n, label, seed)
    except tasks.TaskError as err:
        raise RunError(f"{run_dir}: {err}") from err
    if out.suffix == ".png":
        return plotting.save_picture(draw(), out)
    with atomic_path(out) as tmp:
        with open(tmp, "wb") as f:
            np.savez(f, **arrays)
    return out


def classify(run_dir, images_path, out):
    """Write the predicted digits (`labels`) and class `probabilities` of a semi-supervised run's classifier for
    the `images` (uint8, N x 28 x 28) of an .npz file to `out` (.npz)."""
    run_dir, images_path, out = pathlib.Path(run_dir), pathlib.Path(images_path), pathlib.Path(out)
    if out.suffix != ".npz":
        raise RunError(f"{out}: the output must end in .npz")
    if not (run_dir / "classifier.keras").exists():
        raise RunError(f"{run_dir}: no classifier.keras; classify reads a finished semi-supervised run (`python -m gan_lib train mnist-sgan`)")
    try:
        with np.load(images_path, allow_pickle=False) as arrays:
            images = arrays["images"] if "images" in arrays.files else None
    except Exception as err:  # noqa: BLE001 - a missing, truncated or foreign file reads the same to the user
        raise RunError(f"{images_path}: not a readable .npz file ({type(err).__name__}: {err})") from err
    if images is None:
        raise RunError(f"{images_path}: no array named 'images'; save the digits as np.savez(FILE, images=uint8 array of N x 28 x 28)")
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28) or not len(images):
        raise RunError(f"{images_path}: 'images' must be uint8 of shape (N, 28, 28), as MNIST's, got {images.dtype} {images.shape}")
    classifier = keras.models.load_model(run_dir / "classifier.keras", safe_mode=True)
    probabilities = metrics.class_probabilities(classifier, images)
    with atomic_path(out) as tmp:
        with open(tmp, "wb") as f:
            np.savez(f, labels=probabilities.argmax(axis=1).astype(np.int64), probabilities=probabilities)
    return out
