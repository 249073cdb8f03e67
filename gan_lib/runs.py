"""A training run on disk: train a recipe into a folder, resume it, and sample from it.

The folder holds run.json (the recipe and seed), generator.keras, samples.png, progress.gif,
losses.png, history.json and metrics.json; while training, checkpoint/ holds the state to resume.
"""

import dataclasses
import json
import pathlib
import time
from typing import NamedTuple

import keras
import numpy as np

from gan_lib import data, metrics, plotting, recipes, training
from gan_lib.callbacks import Checkpoint, Snapshots, StepHistory, TrainingHealth, global_step, mixture_coverage, remove_checkpoint
from gan_lib.files import atomic_path

SNAPSHOT_SEED = 1234
MIXTURE_SAMPLES = 2500
ARTEFACTS = ("generator.keras", "samples.png", "progress.gif", "losses.png", "history.json", "metrics.json")


class RunError(ValueError):
    """A run folder or a request that cannot be served; the message says why and what to do."""


def write_json(path, obj):
    """Write JSON atomically."""
    with atomic_path(path) as tmp:
        pathlib.Path(tmp).write_text(json.dumps(obj, indent=2) + "\n")


def snapshot_inputs(recipe, latent_dim):
    """(noise, labels) that every snapshot of a recipe's run is drawn from.

    For a conditional GAN: a 10 x 10 grid, a row per class, the same noise down each column,
    so a row shows what the label controls and a column what the noise controls.
    """
    if recipe.translation:  # the input pictures of the first ten test digits: they take z's place
        return translation_examples(recipe, 10)[0], None
    if recipe.conditional:
        noise = np.tile(training.latent_noise(10, latent_dim, recipe.noise, SNAPSHOT_SEED), (10, 1))
        return noise, np.repeat(np.arange(data.NUM_CLASSES), 10)
    n = 1000 if recipe.points else 100
    return training.latent_noise(n, latent_dim, recipe.noise, SNAPSHOT_SEED), None


def translation_examples(recipe, n=None):
    """(inputs, targets, labels) of the first `n` MNIST test digits (all 10,000 by default): inputs made by the
    recipe's corruption, targets in [-1, 1], the digits' true classes. A pix2pix run is measured on them."""
    mnist = data.load_mnist()
    if n is not None and not 0 < n <= len(mnist.x_test):
        raise RunError(f"--n must be in 1..{len(mnist.x_test)} for a translation run (the test digits), got {n}")
    targets = data.scale_images(mnist.x_test[:n])
    return data.corrupt(targets, recipe.corruption), targets, mnist.y_test[:n]


def toy_limits(recipe):
    """Axis limits that hold the whole toy curve with a margin."""
    half = recipe.scale / 2
    return (-1.2 * half, 1.2 * half), (-0.1 * half**2, 1.2 * (10 + half**2))


def mixture_limits(mix):
    """Square axis limits that hold every mode of a mixture with a margin."""
    reach = 1.25 * float(np.abs(mix.modes).max())
    return (-reach, reach), (-reach, reach)


def picture(recipe, samples, caption=None):
    """One uint8 picture of a recipe's samples: an image grid, or real and generated points."""
    if recipe.toy:
        real = data.quadratic_samples(len(samples), recipe.scale, seed=SNAPSHOT_SEED)
        ax = plotting.plot_points(real, samples, title=caption, limits=toy_limits(recipe))
        return plotting.figure_to_array(ax.figure)
    if recipe.mixture:
        mix = data.mixture(recipe.mixture)
        real = data.mixture_samples(mix, len(samples), seed=SNAPSHOT_SEED)
        ax = plotting.plot_points(real, samples, title=caption, limits=mixture_limits(mix))
        return plotting.figure_to_array(ax.figure)
    if recipe.translation:  # the outputs of the first test digits: input, output and truth rows
        inputs, targets, _ = translation_examples(recipe, len(samples))
        grid = plotting.translation_grid(inputs, samples, targets, ncols=10)
    else:
        grid = plotting.image_grid(samples, ncols=10)
    return plotting.captioned(grid, caption) if caption else grid


def film_grid(recipe, images):
    """The part of an MNIST snapshot a progress GIF shows: 25 digits, or for a conditional GAN three
    noise vectors (a row each) drawn with all ten labels. A light film loads fast in a notebook."""
    if recipe.conditional:
        by_noise = np.asarray(images).reshape(data.NUM_CLASSES, 10, 28, 28)[:, :3].transpose(1, 0, 2, 3)
        return plotting.image_grid(by_noise.reshape(-1, 28, 28), ncols=data.NUM_CLASSES)
    return plotting.image_grid(np.asarray(images)[:25], ncols=5)


def progress_frames(recipe, snapshots):
    """The frames of a progress GIF: each snapshot with its step."""
    if recipe.points:
        return [picture(recipe, frame, f"step {step}") for step, frame in zip(snapshots.steps, snapshots.frames)]
    if recipe.translation:  # input, output and truth rows; the inputs and truths read once for every frame
        inputs, targets, _ = translation_examples(recipe, len(snapshots.frames[0]))
        return [
            plotting.captioned(plotting.translation_grid(inputs, frame, targets), f"step {step}", scale=1)
            for step, frame in zip(snapshots.steps, snapshots.frames)
        ]
    return [
        plotting.captioned(film_grid(recipe, frame), f"step {step}", scale=1)
        for step, frame in zip(snapshots.steps, snapshots.frames)
    ]


def measure(recipe, gan, n=10000):
    """Measured quality of the trained generator beside the same measure on real data (and, for MNIST with a
    moving average, of the raw generator: `raw_generator`)."""
    if recipe.toy:
        return metrics.toy_report(gan.generate(n), scale=recipe.scale)
    if recipe.mixture:  # 2,500 samples, as in the protocol of the papers we compare with
        return metrics.mixture_report(gan.generate(MIXTURE_SAMPLES), data.mixture(recipe.mixture))
    if recipe.translation:  # every test digit's input translated, judged against its truth and true class
        inputs, targets, labels = translation_examples(recipe, n)
        return metrics.translation_report(gan.generate(noise=inputs), targets, labels)
    labels = np.arange(n) % data.NUM_CLASSES if recipe.conditional else None
    report = metrics.mnist_report(gan.generate(n, labels=labels), labels_asked=labels)
    if gan.ema_generator is not None:  # what the moving average buys: the generator being trained, on the same noise
        report["raw_generator"] = metrics.mnist_report(gan.generate(n, labels=labels, averaged=False), labels_asked=labels)["generated"]
    return report


def _check_resume(out, config, resume):
    pointer = out / "checkpoint" / "latest.json"
    if resume:
        if not pointer.exists():
            raise RunError(f"{out}: no checkpoint to resume from; train without --resume")
        saved = with_defaults(json.loads((out / "run.json").read_text()))
        backend = saved.get("backend", "tensorflow")  # runs from before the other backends ran on TensorFlow
        if backend != config["backend"]:
            raise RunError(
                f"{out}: the checkpoint was trained on Keras's {backend} backend, which draws its own batches and "
                f"noise; resume it there (KERAS_BACKEND={backend}) or train a new run on {config['backend']}"
            )
        changed = {k: (saved.get(k), v) for k, v in config.items() if k != "backend" and saved.get(k) != v}
        if changed:
            what = ", ".join(f"{k} was {a!r}, now {b!r}" for k, (a, b) in changed.items())
            raise RunError(f"{out}: the checkpoint belongs to another configuration ({what}); resume with the same arguments")
    elif pointer.exists():
        raise RunError(f"{out}: holds an unfinished run; continue it with --resume or delete the folder to start again")


def with_defaults(config):
    """A saved run configuration with every Recipe field it lacks at that field's default: a field added after
    the run was written (pix2pix's, say) is one the run trained with at its default value."""
    defaults = {f.name: f.default for f in dataclasses.fields(recipes.Recipe) if f.default is not dataclasses.MISSING}
    return {**json.loads(json.dumps(defaults)), **config}


def run_config(recipe, seed):
    """What defines a run, as plain JSON values (tuples become lists): the recipe's fields, the seed and
    Keras's backend (each draws its own batches and noise from the seed)."""
    return {**json.loads(json.dumps(dataclasses.asdict(recipe))), "seed": seed, "backend": keras.backend.backend()}


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
    fixed_noise, fixed_labels = snapshot_inputs(recipe, gan.latent_dim)
    final = gan.generate(noise=fixed_noise, labels=fixed_labels)
    plotting.save_picture(picture(recipe, final), out / "samples.png")
    plotting.save_gif(progress_frames(recipe, snapshots), out / "progress.gif")
    losses = plotting.plot_history(history.history, recipe.name, recipe.real_label, recipe.fake_label)
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
    mix = data.mixture(recipe.mixture)
    keras.utils.set_random_seed(seed)
    gan = recipes.build(recipe, seed=seed)
    health = TrainingHealth(data.mixture_samples(mix, 256, seed=5), every=every, coverage=mixture_coverage(mix))
    snapshots = Snapshots(*snapshot_inputs(recipe, gan.latent_dim), every=recipe.snapshot_every)
    start = time.perf_counter()
    recipes.fit(gan, recipe, recipes.dataset(recipe, seed), callbacks=[health, snapshots], verbose=0)
    seconds = time.perf_counter() - start
    return Watched(gan, health, snapshots, metrics.mixture_metrics(gan.generate(MIXTURE_SAMPLES), mix), seconds)


def load_run(run_dir):
    """(run config, generator) of a finished run folder, or a RunError saying what is missing."""
    run_dir = pathlib.Path(run_dir)
    for name in ("run.json", "generator.keras"):
        if not (run_dir / name).exists():
            raise RunError(f"{run_dir}: no {name}; is it a finished run of `python -m gan_lib train`?")
    try:
        config = json.loads((run_dir / "run.json").read_text())
        generator = keras.models.load_model(run_dir / "generator.keras", safe_mode=True)
    except Exception as err:  # any unreadable file is reported the same way
        raise RunError(f"{run_dir}: cannot read the run ({type(err).__name__}: {err}); train it again") from err
    return config, generator


def sample(run_dir, out, n=100, label=None, seed=0):
    """Write `n` samples of a finished run to `out`: a .png grid or .npz arrays. A translation run (pix2pix)
    translates the first `n` test digits' inputs: the npz holds `inputs`, `images` (the outputs) and `labels`
    (the digits' true classes), the png input, output and truth rows."""
    out = pathlib.Path(out)
    if out.suffix not in (".png", ".npz"):
        raise RunError(f"{out}: the output must end in .png (a picture) or .npz (arrays)")
    if n <= 0:
        raise RunError(f"--n must be positive, got {n}")
    config, generator = load_run(run_dir)
    recipe = recipes.get(config["name"]).replace(**{k: config[k] for k in ("steps", "batch_size", "scale") if k in config})
    if recipe.translation:
        return _sample_translation(recipe.replace(corruption=config["corruption"]), generator, run_dir, out, n, label)
    conditional = len(generator.inputs) == 2
    if label is not None and not conditional:
        raise RunError(f"{run_dir}: a {config['name']} generator is not conditional; drop --label")
    if label is not None and not 0 <= label < data.NUM_CLASSES:
        raise RunError(f"--label must be in 0..{data.NUM_CLASSES - 1}, got {label}")
    labels = None
    if conditional:
        # Balanced over the classes; in a grid, class after class.
        labels = np.full(n, label) if label is not None else np.arange(n) * data.NUM_CLASSES // n
    samples = training.generate(generator, n, labels=labels, noise_kind=config["noise"], seed=seed)
    if out.suffix == ".npz":
        arrays = {"points": samples.astype(np.float32)} if recipe.points else {"images": data.unscale_images(samples)}
        if labels is not None:
            arrays["labels"] = labels.astype(np.int64)
        with atomic_path(out) as tmp:
            with open(tmp, "wb") as f:
                np.savez(f, **arrays)
    else:
        plotting.save_picture(picture(recipe, samples), out)
    return out


def _sample_translation(recipe, generator, run_dir, out, n, label):
    if label is not None:
        raise RunError(f"{run_dir}: a {recipe.name} generator translates pictures, it takes no label; drop --label")
    inputs, targets, labels = translation_examples(recipe, n)
    outputs = training.translate(generator, inputs)
    if out.suffix == ".png":
        return plotting.save_picture(plotting.translation_grid(inputs, outputs, targets, ncols=10), out)
    arrays = {"inputs": data.unscale_images(inputs), "images": data.unscale_images(outputs), "labels": labels.astype(np.int64)}
    with atomic_path(out) as tmp:
        with open(tmp, "wb") as f:
            np.savez(f, **arrays)
    return out
