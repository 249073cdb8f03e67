"""Tasks: one small class per kind of data, holding in one place what a run needs to know about it.

A task knows its real data stream, the fixed inputs that snapshots and the progress film draw from, how to
build networks that fit its samples, how a picture and a film frame are drawn, how a generator is measured
beside real data, and what `sample` writes. `gan_lib.runs` asks the recipe's task and never which kind of data
it is: a new kind of data is one new class here, registered in TASKS (with the networks it accepts).
"""

import dataclasses
from typing import ClassVar

import numpy as np

from gan_lib import data, metrics, models, plotting, training
from gan_lib.options import ACTIVATIONS, Options

SNAPSHOT_SEED = 1234  # the fixed noise (or inputs) that every snapshot of a run is drawn from
MIXTURE_SAMPLES = 2500  # the papers' protocol for the mixtures: 2,500 samples


class TaskError(ValueError):
    """A request a task cannot serve (a label for an unconditional generator, say); the message says why."""


@dataclasses.dataclass(frozen=True)
class Task(Options):
    """What every task answers; `points` tasks draw 2-D points, the others 28 x 28 pictures."""

    group: ClassVar[str] = "task"
    networks: ClassVar[tuple] = ("mlp",)  # the kinds of networks (options.NETWORKS) that fit its samples
    inputs: ClassVar[str] = "noise"  # what its generators draw from: "noise" (z), or "pictures" to translate
    points: ClassVar[bool] = False
    conditional: ClassVar[bool] = False

    def dataset(self, recipe, seed=0, mnist=None):
        """The endless stream of real batches."""
        raise NotImplementedError

    def snapshot_inputs(self, recipe, latent_dim):
        """(noise, labels) that every snapshot of a run is drawn from."""
        n = 1000 if self.points else 100
        return training.latent_noise(n, latent_dim, recipe.noise, SNAPSHOT_SEED), None

    def build_models(self, recipe):
        """(generator, discriminator) for the recipe's networks."""
        raise NotImplementedError

    def picture(self, recipe, samples, caption=None):
        """One uint8 picture of samples (`samples.png`)."""
        raise NotImplementedError

    def frames(self, recipe, snapshots):
        """The frames of the progress film, each with its step."""
        return [self.picture(recipe, frame, f"step {step}") for step, frame in zip(snapshots.steps, snapshots.frames)]

    def measure(self, recipe, gan, n=10000):
        """The trained generator's quality beside the same measures on real data."""
        raise NotImplementedError

    def sample(self, recipe, generator, n, label=None, seed=0):
        """`n` samples of a saved generator: (the arrays `sample --out F.npz` writes, a function that draws the
        picture `--out F.png` writes)."""
        if label is not None:
            raise TaskError(f"a {recipe.name} generator is not conditional; drop --label")
        samples = training.generate(generator, n, noise_kind=recipe.noise, seed=seed)
        return self._arrays(samples), lambda: self.picture(recipe, samples)

    def saved_models(self, gan):
        """Models a run saves besides its generator, by file name."""
        return {}

    def _arrays(self, samples):
        return {"points": np.asarray(samples, np.float32)} if self.points else {"images": data.unscale_images(samples)}


# --- 2-D points -------------------------------------------------------------------------------------


class _Points(Task):
    points: ClassVar[bool] = True

    def limits(self):
        raise NotImplementedError

    def real_points(self, n, seed):
        raise NotImplementedError

    def picture(self, recipe, samples, caption=None):
        real = self.real_points(len(samples), SNAPSHOT_SEED)
        ax = plotting.plot_points(real, samples, title=caption, limits=self.limits())
        return plotting.figure_to_array(ax.figure)


@dataclasses.dataclass(frozen=True)
class QuadraticCurve(_Points):
    """Notebook 01's points (x, 10 + x^2), x uniform on [-scale/2, scale/2]."""

    kind: ClassVar[str] = "curve"
    scale: float = 100.0  # the width of x's range

    def dataset(self, recipe, seed=0, mnist=None):
        return data.quadratic_dataset(recipe.batch_size, self.scale, seed=seed)

    def build_models(self, recipe):
        mean, std = data.quadratic_moments(self.scale)
        return (models.toy_generator(recipe.latent_dim, recipe.network.g_hidden, mean, std),
                models.toy_discriminator(recipe.network.d_hidden, mean, std))

    def limits(self):
        """Axis limits that hold the whole curve with a margin."""
        half = self.scale / 2
        return (-1.2 * half, 1.2 * half), (-0.1 * half**2, 1.2 * (10 + half**2))

    def real_points(self, n, seed):
        return data.quadratic_samples(n, self.scale, seed=seed)

    def measure(self, recipe, gan, n=10000):
        return metrics.toy_report(gan.generate(n), scale=self.scale)


@dataclasses.dataclass(frozen=True)
class GaussianMixture(_Points):
    """The mode-collapse benchmark's 2-D mixtures (data.MIXTURES: "ring" of 8 modes, "grid" of 25), measured as
    the papers do on MIXTURE_SAMPLES samples."""

    kind: ClassVar[str] = "mixture"
    mixture: str = "ring"

    def check(self):
        if self.mixture not in data.MIXTURES:
            raise ValueError(f"mixture must be one of {', '.join(data.MIXTURES)}, got {self.mixture!r}")

    @property
    def mix(self):
        return data.mixture(self.mixture)

    def dataset(self, recipe, seed=0, mnist=None):
        return data.mixture_dataset(self.mix, recipe.batch_size, seed=seed)

    def build_models(self, recipe):
        spread = float(self.mix.modes.std())  # the generator works in unit scale
        judged = 2 * recipe.game.pack  # a packed discriminator takes `pack` points side by side
        return (models.toy_generator(recipe.latent_dim, recipe.network.g_hidden, std=(spread, spread)),
                models.mlp_discriminator(image_shape=(judged,), hidden=recipe.network.d_hidden))

    def limits(self):
        """Square axis limits that hold every mode with a margin."""
        reach = 1.25 * float(np.abs(self.mix.modes).max())
        return (-reach, reach), (-reach, reach)

    def real_points(self, n, seed):
        return data.mixture_samples(self.mix, n, seed=seed)

    def measure(self, recipe, gan, n=MIXTURE_SAMPLES):
        return metrics.mixture_report(gan.generate(MIXTURE_SAMPLES), self.mix)


# --- Pictures ------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Digits(Task):
    """MNIST digits drawn from noise, or with `conditional` from noise and a one-hot label (notebooks 02-06)."""

    kind: ClassVar[str] = "digits"
    networks: ClassVar[tuple] = ("mlp", "dcgan")
    conditional: bool = False

    def dataset(self, recipe, seed=0, mnist=None):
        mnist = mnist or data.load_mnist()
        labels = mnist.y_train if self.conditional else None
        return data.image_dataset(mnist.x_train, labels, recipe.batch_size, seed=seed)

    def snapshot_inputs(self, recipe, latent_dim):
        """A conditional GAN's: a 10 x 10 grid, a row per class, the same noise down each column, so that a row
        shows what the label controls and a column what the noise controls."""
        if not self.conditional:
            return super().snapshot_inputs(recipe, latent_dim)
        noise = np.tile(training.latent_noise(10, latent_dim, recipe.noise, SNAPSHOT_SEED), (10, 1))
        return noise, np.repeat(np.arange(data.NUM_CLASSES), 10)

    def build_models(self, recipe):
        net, classes = recipe.network, data.NUM_CLASSES if self.conditional else None
        slope = ACTIVATIONS[net.g_activation]
        if net.kind == "dcgan":
            return (
                models.dcgan_generator(recipe.latent_dim, net.g_hidden, negative_slope=slope, kernel_size=net.kernel_size,
                                       dense=net.g_dense, num_classes=classes),
                models.dcgan_discriminator(widths=net.d_hidden, kernel_size=net.kernel_size, dropout=net.d_dropout,
                                           dense=net.d_dense, num_classes=classes),
            )
        return (
            models.mlp_generator(recipe.latent_dim, net.g_hidden, batch_norm=net.batch_norm, negative_slope=slope, num_classes=classes),
            models.mlp_discriminator(hidden=net.d_hidden, dropout=net.d_dropout, num_classes=classes),
        )

    def picture(self, recipe, samples, caption=None):
        grid = plotting.image_grid(samples, ncols=10)
        return plotting.captioned(grid, caption) if caption else grid

    def frames(self, recipe, snapshots):
        """25 digits a frame, or for a conditional GAN three noise vectors (a row each) drawn with all ten labels:
        a light film loads fast in a notebook."""
        return [plotting.captioned(self.film_grid(frame), f"step {step}", scale=1) for step, frame in zip(snapshots.steps, snapshots.frames)]

    def film_grid(self, images):
        if self.conditional:
            by_noise = np.asarray(images).reshape(data.NUM_CLASSES, 10, 28, 28)[:, :3].transpose(1, 0, 2, 3)
            return plotting.image_grid(by_noise.reshape(-1, 28, 28), ncols=data.NUM_CLASSES)
        return plotting.image_grid(np.asarray(images)[:25], ncols=5)

    def measure(self, recipe, gan, n=10000):
        """The evaluator's measures of `n` samples (a conditional GAN's asked for each digit in turn) and, where the
        game keeps a moving average, of the raw generator on the same noise (`raw_generator`)."""
        labels = np.arange(n) % data.NUM_CLASSES if self.conditional else None
        report = metrics.mnist_report(gan.generate(n, labels=labels), labels_asked=labels)
        if gan.ema_generator is not None:  # what the moving average buys
            report["raw_generator"] = metrics.mnist_report(gan.generate(n, labels=labels, averaged=False), labels_asked=labels)["generated"]
        return report

    def sample(self, recipe, generator, n, label=None, seed=0):
        """Digits; a conditional generator's balanced over the classes (in a grid, class after class) unless
        `label` picks one, with their `labels`."""
        if not self.conditional:
            return super().sample(recipe, generator, n, label, seed)
        if label is not None and not 0 <= label < data.NUM_CLASSES:
            raise TaskError(f"--label must be in 0..{data.NUM_CLASSES - 1}, got {label}")
        labels = np.full(n, label) if label is not None else np.arange(n) * data.NUM_CLASSES // n
        samples = training.generate(generator, n, labels=labels, noise_kind=recipe.noise, seed=seed)
        return {**self._arrays(samples), "labels": labels.astype(np.int64)}, lambda: self.picture(recipe, samples)


@dataclasses.dataclass(frozen=True)
class DigitPairs(Task):
    """pix2pix's pairs (notebook 07): each MNIST digit made into an input by `corruption` (data.CORRUPTIONS), the
    digit itself the target; a run is measured on the 10,000 test digits."""

    kind: ClassVar[str] = "pairs"
    networks: ClassVar[tuple] = ("unet",)
    inputs: ClassVar[str] = "pictures"
    corruption: str = "bottom-half"

    def check(self):
        if self.corruption not in data.CORRUPTIONS:
            raise ValueError(f"corruption must be one of {', '.join(data.CORRUPTIONS)}, got {self.corruption!r}")

    def examples(self, n=None):
        """(inputs, targets, labels) of the first `n` test digits (all 10,000 by default): inputs made by the
        corruption, targets in [-1, 1], the digits' true classes."""
        mnist = data.load_mnist()
        if n is not None and not 0 < n <= len(mnist.x_test):
            raise TaskError(f"--n must be in 1..{len(mnist.x_test)} for a translation run (the test digits), got {n}")
        targets = data.scale_images(mnist.x_test[:n])
        return data.corrupt(targets, self.corruption), targets, mnist.y_test[:n]

    def dataset(self, recipe, seed=0, mnist=None):
        targets = (mnist or data.load_mnist()).x_train
        return data.paired_dataset(data.corrupt(targets, self.corruption), targets, recipe.batch_size, seed=seed)

    def snapshot_inputs(self, recipe, latent_dim):
        """The input pictures of the first ten test digits: they take z's place."""
        return self.examples(10)[0], None

    def build_models(self, recipe):
        net = recipe.network
        return (models.unet_generator(widths=net.g_hidden, dropout=0.5, kernel_size=net.kernel_size),
                models.patchgan_discriminator(patch_size=net.patch_size, widths=net.d_hidden, sees_input=net.d_sees_input))

    def picture(self, recipe, samples, caption=None):
        """The outputs of the first test digits: input, output and truth rows."""
        inputs, targets, _ = self.examples(len(samples))
        grid = plotting.translation_grid(inputs, samples, targets, ncols=10)
        return plotting.captioned(grid, caption) if caption else grid

    def frames(self, recipe, snapshots):
        inputs, targets, _ = self.examples(len(snapshots.frames[0]))  # read once for every frame
        return [plotting.captioned(plotting.translation_grid(inputs, frame, targets), f"step {step}", scale=1)
                for step, frame in zip(snapshots.steps, snapshots.frames)]

    def measure(self, recipe, gan, n=10000):
        """Every test digit's input translated, judged against its truth and its true class."""
        inputs, targets, labels = self.examples(n)
        return metrics.translation_report(gan.generate(noise=inputs), targets, labels)

    def sample(self, recipe, generator, n, label=None, seed=0):
        """The first `n` test digits translated: `inputs`, `images` (the outputs) and `labels` (their true classes)."""
        if label is not None:
            raise TaskError(f"a {recipe.name} generator translates pictures, it takes no label; drop --label")
        inputs, targets, labels = self.examples(n)
        outputs = training.translate(generator, inputs)
        arrays = {"inputs": data.unscale_images(inputs), "images": data.unscale_images(outputs), "labels": labels.astype(np.int64)}
        return arrays, lambda: plotting.translation_grid(inputs, outputs, targets, ncols=10)


@dataclasses.dataclass(frozen=True)
class FewLabels(Task):
    """The semi-supervised GAN's digits (notebook 10): every MNIST training digit unlabelled, and `labels` of them
    (as many of each class, drawn by the run's seed) with their labels; a run is measured as a generator and as
    a classifier of the 10,000 test digits."""

    kind: ClassVar[str] = "few-labels"
    networks: ClassVar[tuple] = ("classifier-mlp",)
    labels: int = 100

    picture, frames, film_grid = Digits.picture, Digits.frames, Digits.film_grid  # unconditional digits, as 02's

    def check(self):
        if not isinstance(self.labels, int) or isinstance(self.labels, bool) or self.labels <= 0 or self.labels % data.NUM_CLASSES:
            raise ValueError(f"labels must be a positive multiple of {data.NUM_CLASSES} (as many of each digit), got {self.labels!r}")

    def dataset(self, recipe, seed=0, mnist=None):
        mnist = mnist or data.load_mnist()
        labelled = data.few_labels(mnist.y_train, self.labels, seed)
        return data.semi_supervised_dataset(mnist.x_train, mnist.y_train, labelled, recipe.batch_size, seed)

    def build_models(self, recipe):
        net = recipe.network
        return (models.mlp_generator(recipe.latent_dim, net.g_hidden, negative_slope=ACTIVATIONS[net.g_activation]),
                models.classifier_discriminator(hidden=net.d_hidden, input_noise=net.input_noise, hidden_noise=net.hidden_noise))

    def measure(self, recipe, gan, n=10000):
        """The generator's digits measured as 02's, and the discriminator as a classifier of the test digits."""
        report = metrics.mnist_report(gan.generate(n))
        mnist = data.load_mnist()
        report["classifier"] = {"labels": self.labels, **metrics.classifier_report(gan.classifier(), mnist.x_test, mnist.y_test)}
        return report

    def saved_models(self, gan):
        return {"classifier.keras": gan.classifier()}


TASKS = {kind.kind: kind for kind in (QuadraticCurve, GaussianMixture, Digits, DigitPairs, FewLabels)}
