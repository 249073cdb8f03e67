"""Callbacks for GAN.fit: NaN guard, fixed-noise snapshots, per-interval history, checkpoints and
a training-health panel.

All of them count steps with the generator optimizer's `iterations`, so they agree with each
other across epochs, `steps_per_execution` and a resumed run.
"""

import json
import os
import pathlib
import warnings

import keras
import numpy as np

from gan_lib.files import atomic_path
from gan_lib.metrics import class_histogram, classifier_report, evaluator_outputs, mixture_metrics, mnist_report
from gan_lib.sampling import latent_noise


def global_step(model):
    """Generator updates done so far: the training step that every callback reports."""
    return int(keras.ops.convert_to_numpy(model.g_optimizer.iterations))


class NaNGuard(keras.callbacks.Callback):
    """Stops training when a loss turns NaN or infinite, putting back the last finite generator.

    `GAN.fit` adds one by default. After a stop, `model.diverged` holds the message.
    """

    def __init__(self, keys=("d_loss", "g_loss")):
        super().__init__()
        self.keys = keys

    def _generators(self):
        return [g for g in (self.model.generator, self.model.ema_generator) if g is not None]

    def _keep(self):
        self._good = [g.get_weights() for g in self._generators()]
        self._good_step = global_step(self.model)

    def on_train_begin(self, logs=None):
        self.model.diverged = None
        self._keep()

    def on_train_batch_end(self, batch, logs=None):
        bad = [k for k in self.keys if k in (logs or {}) and not np.isfinite(float(logs[k]))]
        if not bad:
            self._keep()
            return
        for generator, weights in zip(self._generators(), self._good):
            generator.set_weights(weights)
        self.model.stop_training = True
        self.model.diverged = (
            f"training stopped at step {global_step(self.model)}: {', '.join(bad)} became "
            f"{float(logs[bad[0]])}. The generator was put back to its weights of step {self._good_step}, "
            "the last with finite losses. Lower the learning rates or check the data for NaN."
        )
        warnings.warn(self.model.diverged, RuntimeWarning, stacklevel=2)


class Snapshots(keras.callbacks.Callback):
    """Samples the generator on the same fixed noise every `every` steps: the frames of progress."""

    def __init__(self, noise, labels=None, every=500):
        super().__init__()
        self.noise, self.labels, self.every = noise, labels, every
        self.steps, self.frames = [], []

    def take(self):
        self.steps.append(global_step(self.model))
        self.frames.append(self.model.generate(noise=self.noise, labels=self.labels))

    def on_train_begin(self, logs=None):
        if not self.steps:
            self.take()

    def on_train_batch_end(self, batch, logs=None):
        if global_step(self.model) - self.steps[-1] >= self.every:
            self.take()

    def on_train_end(self, logs=None):
        if global_step(self.model) != self.steps[-1]:
            self.take()

    def get_state(self):
        return {"steps": np.asarray(self.steps), "frames": np.asarray(self.frames)}

    def set_state(self, state):
        self.steps, self.frames = list(state["steps"]), list(state["frames"])


class ClassifierError(keras.callbacks.Callback):
    """A semi-supervised GAN's classifier measured on labelled test digits every `every` steps and at the end:
    its error curve (`steps`, `errors`), the model's weights untouched."""

    def __init__(self, images, labels, every=500):
        super().__init__()
        self.images, self.labels, self.every = images, labels, every
        self.steps, self.errors = [], []

    def take(self):
        self.steps.append(global_step(self.model))
        self.errors.append(classifier_report(self.model.classifier(), self.images, self.labels)["test_error"])

    def on_train_batch_end(self, batch, logs=None):
        if global_step(self.model) - (self.steps[-1] if self.steps else 0) >= self.every:
            self.take()

    def on_train_end(self, logs=None):
        if not self.steps or global_step(self.model) != self.steps[-1]:
            self.take()


class StepHistory(keras.callbacks.Callback):
    """Every metric, averaged over each interval between callbacks (every `steps_per_execution` steps).

    Keras reports running means since the epoch began; the mean over the latest interval follows
    exactly from two of them, so the curves need no extra work inside the compiled step. Steps are
    counted with `global_step`, not Keras's `batch` argument, whose meaning changed between Keras
    versions (the first step of a call in older ones, the last in newer ones).
    """

    def __init__(self):
        super().__init__()
        self.history = {"step": []}

    def on_epoch_begin(self, epoch, logs=None):
        self._start, self._done, self._means = global_step(self.model), 0, {}

    def on_train_batch_end(self, batch, logs=None):
        done = global_step(self.model) - self._start  # steps in this epoch, as the running means count them
        for key, value in (logs or {}).items():
            value = float(value)
            total_before = self._done * self._means.get(key, 0.0)
            self.history.setdefault(key, []).append((done * value - total_before) / (done - self._done))
            self._means[key] = value
        self.history["step"].append(global_step(self.model))
        self._done = done

    def get_state(self):
        return {key: np.asarray(values) for key, values in self.history.items()}

    def set_state(self, state):
        self.history = {key: list(np.asarray(values).tolist()) for key, values in state.items()}


class _Periodic(keras.callbacks.Callback):
    """Calls `measure()` as training begins and then every `every` steps; `measure` appends the step
    to `self.history["step"]`, so a resumed `fit()` goes on from the last measurement."""

    def on_train_begin(self, logs=None):
        if not self.history["step"]:
            self.measure()

    def on_train_batch_end(self, batch, logs=None):
        if global_step(self.model) - self.history["step"][-1] >= self.every:
            self.measure()

    def _labels(self, n):
        """For a conditional model, one class per sample, the classes taking turns; otherwise None."""
        classes = getattr(self.model, "num_classes", None)
        return None if classes is None else np.arange(n) % classes


class TrainingHealth(_Periodic):
    """The signs of a failing game, measured every `every` steps on fixed inputs (see `GAN.probe`).

    D(x) on a fixed real batch and D(G(z)) on fixed noise; the norm of the generator's gradient
    under both generator losses; and, with `coverage` (samples -> histogram, e.g.
    `mixture_coverage(mix)` or `class_coverage()`), which modes or classes `coverage_samples`
    samples of the generator being trained fall in. `plot()` draws them as one panel.
    """

    def __init__(self, real, real_labels=None, every=250, coverage=None, coverage_samples=2500, seed=0):
        super().__init__()
        self.real, self.real_labels, self.every = np.asarray(real, np.float32), real_labels, every
        self.coverage, self.coverage_samples, self.seed = coverage, coverage_samples, seed
        self.history = {"step": []}

    def measure(self):

        model, n = self.model, len(self.real)
        noise = latent_noise(n, model.latent_dim, model.noise, self.seed)
        values = model.probe(self.real, noise, self.real_labels, self._labels(n))
        if self.coverage is not None:
            samples = model.generate(self.coverage_samples, labels=self._labels(self.coverage_samples),
                                     seed=self.seed + 1, averaged=False)
            values["coverage"] = np.asarray(self.coverage(samples)).tolist()
        self.history["step"].append(global_step(self.model))
        for key, value in values.items():
            self.history.setdefault(key, []).append(value)

    def plot(self, title=None, coverage_label="mode"):
        """One figure: D(x) and D(G(z)), the generator's gradient norms, and coverage over the steps."""
        from gan_lib.plotting import plot_health  # plotting imports matplotlib: only when drawing

        return plot_health(self.history, title=title, coverage_label=coverage_label)


class QualityTrace(_Periodic):
    """The evaluator's measures of `n` MNIST samples every `every` steps (`metrics.mnist_report`), to set
    beside the losses: does a loss track quality? Samples come from the generator being trained, the
    one the discriminator or critic judges, with the same noise (`seed`) each time."""

    def __init__(self, every=500, n=2000, seed=0, evaluator=None):
        super().__init__()
        self.every, self.n, self.seed, self.evaluator = every, n, seed, evaluator
        self.history = {"step": [], "frechet_distance": [], "classifier_score": []}

    def measure(self):
        images = self.model.generate(self.n, labels=self._labels(self.n), seed=self.seed, averaged=False)
        generated = mnist_report(images, self.evaluator)["generated"]
        self.history["step"].append(global_step(self.model))
        for key in ("frechet_distance", "classifier_score"):
            self.history[key].append(generated[key])


def mixture_coverage(mix):
    """Coverage for `TrainingHealth` on a mixture: high-quality samples per mode (PacGAN's histogram)."""
    return lambda points: mixture_metrics(points, mix)["mode_histogram"]


def class_coverage(evaluator=None):
    """Coverage for `TrainingHealth` on MNIST: samples per class, as the evaluator labels them."""
    return lambda images: class_histogram(evaluator_outputs(images, evaluator).probabilities)


class Checkpoint(keras.callbacks.Callback):
    """Saves the whole training state at each epoch's end so that an interrupted run can resume.

    Weights (with both optimizers and the noise stream) and the state of `stateful` callbacks go
    to new files first; then `latest.json` is replaced atomically to point at them. A kill at any
    moment leaves the previous checkpoint whole.
    """

    def __init__(self, directory, stateful=None):
        super().__init__()
        self.directory = pathlib.Path(directory)
        self.stateful = dict(stateful or {})
        self.pointer = self.directory / "latest.json"

    def on_epoch_end(self, epoch, logs=None):
        self.directory.mkdir(parents=True, exist_ok=True)
        tag = f"epoch-{epoch + 1:05d}"
        with atomic_path(self.directory / f"{tag}.weights.h5") as tmp:
            self.model.save_weights(tmp)
        with atomic_path(self.directory / f"{tag}.npz") as tmp:
            arrays = {f"{name}/{key}": value for name, cb in self.stateful.items() for key, value in cb.get_state().items()}
            with open(tmp, "wb") as f:
                np.savez(f, **arrays)
        with atomic_path(self.pointer) as tmp:
            pathlib.Path(tmp).write_text(json.dumps({"epoch": epoch + 1, "tag": tag}))
        for old in self.directory.glob("epoch-*"):
            if not old.name.startswith(tag):
                old.unlink()

    def restore(self, model):
        """Load the latest checkpoint into `model` and the callbacks; return the epoch to start at."""
        if not self.pointer.exists():
            return 0
        try:
            latest = json.loads(self.pointer.read_text())
            epoch, tag = int(latest["epoch"]), latest["tag"]  # TypeError if it is not such a dict
            model.load_weights(self.directory / f"{tag}.weights.h5")
            with np.load(self.directory / f"{tag}.npz", allow_pickle=False) as npz:
                arrays = {key: npz[key] for key in npz.files}
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise ValueError(
                f"{self.directory}: the checkpoint cannot be read ({err}); "
                "delete the folder to train from the start"
            ) from err
        for name, cb in self.stateful.items():
            prefix = f"{name}/"
            cb.set_state({key[len(prefix):]: value for key, value in arrays.items() if key.startswith(prefix)})
        return epoch


def remove_checkpoint(directory):
    """Delete a finished run's checkpoint files."""
    directory = pathlib.Path(directory)
    for path in directory.glob("*"):
        os.remove(path)
    if directory.exists():
        directory.rmdir()
