"""Real data for the GANs: the quadratic toy, mixtures of Gaussians, MNIST (verified, offline), and the
endless streams of batches that feed fit(): tf.data pipelines on TensorFlow, `Stream`s of NumPy batches
on Keras's other backends (which need no TensorFlow)."""

import hashlib
import itertools
import pathlib
from typing import NamedTuple

import keras
import numpy as np

DATA_DIR = pathlib.Path(__file__).resolve().parent.parent / "data"
MNIST_PATH = DATA_DIR / "mnist.npz"
MNIST_SHA256 = "06af5dfe73b70e3bc1c36439982b18a8d76803db9b544f6fdf838a37fbb01b64"
NUM_CLASSES = 10
_MNIST_LAYOUT = {
    "x_train": ((60000, 28, 28), np.uint8),
    "y_train": ((60000,), np.uint8),
    "x_test": ((10000, 28, 28), np.uint8),
    "y_test": ((10000,), np.uint8),
}



def _tensorflow():
    """TensorFlow, where it is Keras's backend (the tf.data pipelines); None elsewhere."""
    if keras.backend.backend() != "tensorflow":
        return None
    import tensorflow as tf

    return tf


class Stream:
    """An endless stream of NumPy batches, `batch(step)` for step = start, start + 1, ...: what feeds
    fit() where TensorFlow is not Keras's backend. Like a tf.data.Dataset it can `skip(n)` batches
    (where a resumed run goes on), `take(n)` and tell its `element_spec` (shapes and dtypes of a batch)."""

    def __init__(self, batch, start=0):
        self.batch, self.start = batch, start

    def skip(self, n):
        return Stream(self.batch, self.start + n)

    def __iter__(self):
        return (self.batch(step) for step in itertools.count(self.start))

    def take(self, n):
        """The first `n` batches, as a list."""
        return list(itertools.islice(self, n))

    @property
    def element_spec(self):
        first = self.batch(self.start)
        spec = lambda array: keras.KerasTensor(tuple(array.shape), keras.backend.standardize_dtype(array.dtype))  # noqa: E731
        return tuple(map(spec, first)) if isinstance(first, tuple) else spec(first)


def _stream(batch, seed):
    """A Stream whose batch `step` comes from its own generator, seeded by (seed, step): any batch is
    drawn without the ones before it, as TensorFlow's stateless random ops draw them."""
    return Stream(lambda step: batch(np.random.default_rng([seed, step])))


# --- The quadratic toy --------------------------------------------------------------------


def quadratic_curve(x):
    """The toy's curve, y = 10 + x^2 (numpy or TensorFlow x)."""
    return 10.0 + x**2


def quadratic_samples(n, scale=100.0, seed=None):
    """Return `n` points (x, 10 + x^2) with x uniform on [-scale/2, scale/2], as float32 (n, 2)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-scale / 2, scale / 2, size=n)
    return np.stack([x, quadratic_curve(x)], axis=1).astype(np.float32)


def quadratic_moments(scale=100.0):
    """Exact mean and standard deviation of (x, 10 + x^2): the models use them to work in unit scale."""
    a = scale / 2
    mean = (0.0, 10.0 + a**2 / 3)
    std = (a / np.sqrt(3.0), np.sqrt(4 * a**4 / 45))
    return mean, std


def quadratic_dataset(batch_size, scale=100.0, seed=0):
    """An endless stream of fresh toy batches, drawn statelessly so a seed fixes every batch."""
    half = scale / 2
    tf = _tensorflow()
    if tf is None:

        def draw(rng):
            x = rng.uniform(-half, half, (batch_size, 1)).astype(np.float32)
            return np.concatenate([x, quadratic_curve(x)], axis=1)

        return _stream(draw, seed)

    def batch(step):
        x = tf.random.stateless_uniform([batch_size, 1], seed=[seed, step], minval=-half, maxval=half)
        return tf.concat([x, quadratic_curve(x)], axis=1)

    return tf.data.Dataset.counter().map(batch).prefetch(tf.data.AUTOTUNE)


# --- Mixtures of Gaussians: the mode-collapse benchmark -------------------------------------


class Mixture(NamedTuple):
    """Equal-weight 2-D Gaussians with one standard deviation: the benchmark of VEEGAN and PacGAN."""

    name: str
    modes: np.ndarray  # (M, 2) means
    std: float


def ring_mixture():
    """8 Gaussians on the unit circle, std 0.01 (Srivastava et al. 2017; Lin et al. 2018, Table 1)."""
    angles = 2 * np.pi * np.arange(8) / 8
    return Mixture("ring", np.stack([np.cos(angles), np.sin(angles)], axis=1).astype(np.float32), 0.01)


def grid_mixture():
    """25 Gaussians at (i, j) for i, j in {-4, -2, 0, 2, 4}, std 0.05 (same papers)."""
    axis = np.arange(-4.0, 5.0, 2.0)
    return Mixture("grid", np.stack(np.meshgrid(axis, axis, indexing="ij"), axis=-1).reshape(-1, 2).astype(np.float32), 0.05)


MIXTURES = {"ring": ring_mixture, "grid": grid_mixture}


def mixture(name):
    """The mixture called `name` ("ring" or "grid")."""
    if name not in MIXTURES:
        raise ValueError(f"unknown mixture {name!r}; choose one of {', '.join(MIXTURES)}")
    return MIXTURES[name]()


def mixture_samples(mix, n, seed=None):
    """`n` points of a mixture as float32 (n, 2): a mode drawn uniformly, then Gaussian noise around it."""
    rng = np.random.default_rng(seed)
    centres = mix.modes[rng.integers(0, len(mix.modes), n)]
    return (centres + mix.std * rng.standard_normal((n, 2))).astype(np.float32)


def mixture_dataset(mix, batch_size, seed=0):
    """An endless stream of fresh mixture batches, drawn statelessly so a seed fixes every batch."""
    tf = _tensorflow()
    if tf is None:

        def draw(rng):
            centres = mix.modes[rng.integers(0, len(mix.modes), batch_size)]
            return (centres + mix.std * rng.standard_normal((batch_size, 2))).astype(np.float32)

        return _stream(draw, seed)
    modes = tf.constant(mix.modes)

    def batch(step):
        which = tf.random.stateless_uniform([batch_size], [seed, 2 * step], maxval=len(mix.modes), dtype=tf.int32)
        noise = tf.random.stateless_normal([batch_size, 2], [seed, 2 * step + 1], stddev=mix.std)
        return tf.gather(modes, which) + noise

    return tf.data.Dataset.counter().map(batch).prefetch(tf.data.AUTOTUNE)


# --- MNIST ------------------------------------------------------------------------------------


class MnistFileError(ValueError):
    """The local MNIST file is unusable; the message names the file, the fault and the fix."""


class Mnist(NamedTuple):
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def _file_error(path, problem):
    return MnistFileError(
        f"{path}: {problem}. Restore the genuine file (`git checkout -- data/mnist.npz` in the "
        f"repository, sha256 {MNIST_SHA256}), or delete it to let Keras download its own copy."
    )


def _read_mnist(path, sha256):
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    except Exception as err:  # noqa: BLE001
        # Damage surfaces in whichever layer reads it first (zip, zlib, numpy's header parser,
        # the array reader), each with its own exception type; all mean the file is unreadable.
        raise _file_error(path, f"not a readable .npz archive, it is truncated or corrupt ({err})") from err
    for key, (shape, dtype) in _MNIST_LAYOUT.items():
        if key not in arrays:
            raise _file_error(path, f"the array {key!r} is missing (found {sorted(arrays)})")
        if arrays[key].shape != shape or arrays[key].dtype != dtype:
            raise _file_error(
                path,
                f"{key!r} has shape {arrays[key].shape} and dtype {arrays[key].dtype}, "
                f"expected {shape} and {np.dtype(dtype)}",
            )
    if sha256 is not None:
        digest = hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()
        if digest != sha256:
            raise _file_error(path, f"its sha256 is {digest}, not the expected {sha256}")
    return Mnist(*(arrays[key] for key in _MNIST_LAYOUT))


def load_mnist(path=None, sha256=MNIST_SHA256):
    """Load MNIST as uint8 arrays from `path` (default: the repository's data/mnist.npz).

    The file is checked for layout and checksum; a bad file raises `MnistFileError` and is never
    replaced. Only when no local file exists does Keras's cached download serve instead.
    """
    path = pathlib.Path(path) if path is not None else MNIST_PATH
    if path.exists():
        return _read_mnist(path, sha256)
    if path != MNIST_PATH:
        raise FileNotFoundError(f"{path}: no such MNIST file; pass the path of mnist.npz or omit it")
    import keras

    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    return Mnist(x_train, y_train, x_test, y_test)


def scale_images(images):
    """Map uint8 pixels 0..255 to float32 in [-1, 1], the range of the generator's tanh."""
    return (np.asarray(images, np.float32) - 127.5) / 127.5


def unscale_images(images):
    """Map images in [-1, 1] back to uint8 pixels 0..255."""
    return np.clip(np.round((np.asarray(images) + 1.0) * 127.5), 0, 255).astype(np.uint8)


def one_hot(labels, num_classes=NUM_CLASSES):
    """Integer labels to float32 one-hot rows."""
    return np.eye(num_classes, dtype=np.float32)[np.asarray(labels, np.int64)]


def image_dataset(images, labels=None, batch_size=128, seed=0, num_classes=NUM_CLASSES):
    """An endless, shuffled stream of image batches in [-1, 1] (with one-hot labels if given).

    Batches have a fixed size so the compiled train step never retraces. Each pass over the data
    is a stateless permutation drawn from (seed, pass): the order depends on `seed` alone, not on
    a global seed, so a resumed run that skips the batches done sees the same stream.
    """
    images = _as_unit_images(images)
    return _shuffled_batches(images if labels is None else (images, one_hot(labels, num_classes)), batch_size, seed)


def paired_dataset(inputs, targets, batch_size=64, seed=0):
    """An endless, shuffled stream of (input, target) image batches in [-1, 1], the pairs kept together:
    what image-to-image translation (pix2pix) trains on. Shuffled as `image_dataset` shuffles."""
    inputs, targets = _as_unit_images(inputs), _as_unit_images(targets)
    if inputs.shape != targets.shape:
        raise ValueError(f"inputs {inputs.shape} and targets {targets.shape} must pair up one to one, with one shape")
    return _shuffled_batches((inputs, targets), batch_size, seed)


def few_labels(labels, count, seed=0, num_classes=NUM_CLASSES):
    """Indices of `count` labelled examples, count / num_classes of each class, drawn from `labels` by `seed`
    alone: the few labels a semi-supervised run may read (sorted, so a set of indices, not an order)."""
    labels = np.asarray(labels)
    per_class, rest = divmod(count, num_classes) if isinstance(count, int) and count > 0 else (0, 1)
    if rest or not per_class:
        raise ValueError(f"the number of labels must be a positive multiple of {num_classes} (as many of each class), got {count!r}")
    rng = np.random.default_rng([seed, count])
    chosen = []
    for digit in range(num_classes):
        of_digit = np.flatnonzero(labels == digit)
        if len(of_digit) < per_class:
            raise ValueError(f"{count} labels need {per_class} examples of class {digit}; the data hold {len(of_digit)}")
        chosen.append(rng.choice(of_digit, per_class, replace=False))
    return np.sort(np.concatenate(chosen))


def semi_supervised_dataset(images, labels, labelled, batch_size=100, seed=0, num_classes=NUM_CLASSES):
    """An endless stream of (unlabelled images, labelled images, their one-hot labels): a batch of all `images`
    (whose labels are never read) beside a batch of the few `labelled` ones (indices, see `few_labels`),
    each stream shuffled as `image_dataset` shuffles, the few labelled ones seen again and again."""
    labelled = np.asarray(labelled)
    unlabelled = image_dataset(images, batch_size=batch_size, seed=seed)
    few = image_dataset(np.asarray(images)[labelled], np.asarray(labels)[labelled], batch_size, seed + 1, num_classes)
    tf = _tensorflow()
    if tf is None:
        return Stream(lambda step: (unlabelled.batch(step), *few.batch(step)))
    return tf.data.Dataset.zip(unlabelled, few).map(lambda x, pair: (x, *pair)).prefetch(tf.data.AUTOTUNE)


def _as_unit_images(images):
    """Images as float32 in [-1, 1]; uint8 pixels are scaled."""
    return scale_images(images) if np.asarray(images).dtype == np.uint8 else np.asarray(images, np.float32)


def _shuffled_batches(items, batch_size, seed):
    """Fixed-size batches of `items` (an array or a tuple of arrays, one row per example), each pass a
    permutation drawn from (seed, pass): a tf.data pipeline on TensorFlow, a `Stream` elsewhere."""
    n = len(items[0] if isinstance(items, tuple) else items)
    tf = _tensorflow()
    if tf is None:
        return Stream(_ImageBatches(items, n, batch_size, seed))
    items = tf.nest.map_structure(tf.constant, items)

    def one_pass(epoch):
        order = tf.random.experimental.stateless_shuffle(tf.range(n, dtype=tf.int64), seed=tf.stack([seed, epoch]))
        return tf.data.Dataset.from_tensor_slices(order)

    return (
        tf.data.Dataset.counter()
        .flat_map(one_pass)
        .batch(batch_size, drop_remainder=True)
        .map(lambda index: tf.nest.map_structure(lambda array: tf.gather(array, index), items))
        .prefetch(tf.data.AUTOTUNE)
    )


# --- Pictures made from pictures: the inputs of image-to-image translation --------------------------


def hide_bottom_half(images):
    """The top half of each digit, the bottom half hidden (grey, 0): the inpainting task of Pathak et al. (2016)."""
    hidden = np.array(images, np.float32)
    hidden[:, hidden.shape[1] // 2 :] = 0.0
    return hidden


def pool_4x(images):
    """Each digit averaged over 4 x 4 blocks (28 x 28 -> 7 x 7) and drawn back at 28 x 28: 4x super-resolution."""
    images = np.asarray(images, np.float32)
    n, h, w = images.shape
    blocks = images.reshape(n, h // 4, 4, w // 4, 4).mean(axis=(2, 4))
    return blocks.repeat(4, axis=1).repeat(4, axis=2)


def edge_sketch(images):
    """The outline of each digit: ink pixels with a background pixel beside them (an edges-to-photo sketch)."""
    ink = np.asarray(images, np.float32) > 0
    padded = np.pad(ink, ((0, 0), (1, 1), (1, 1)))
    inside = padded[:, :-2, 1:-1] & padded[:, 2:, 1:-1] & padded[:, 1:-1, :-2] & padded[:, 1:-1, 2:]
    return np.where(ink & ~inside, 1.0, -1.0).astype(np.float32)


CORRUPTIONS = {"bottom-half": hide_bottom_half, "pool-4x": pool_4x, "edges": edge_sketch}


def corrupt(images, kind="bottom-half"):
    """The inputs a translation network completes: images (uint8 or in [-1, 1]) made into one of CORRUPTIONS,
    in [-1, 1]. Deterministic: the same images give the same inputs on every backend."""
    if kind not in CORRUPTIONS:
        raise ValueError(f"unknown corruption {kind!r}; choose one of {', '.join(CORRUPTIONS)}")
    images = _as_unit_images(images)
    if images.ndim != 3 or images.shape[1] % 4 or images.shape[2] % 4:
        raise ValueError(f"expected images of shape (n, height, width) with sides divisible by 4, got {images.shape}")
    return CORRUPTIONS[kind](images)


class _ImageBatches:
    """Batch `step` of the passes over `n` items, each pass a permutation drawn from (seed, pass); a
    batch may span the end of one pass and the start of the next, as tf.data's batching of the passes."""

    def __init__(self, items, n, batch_size, seed):
        self.items, self.n, self.batch_size, self.seed = items, n, batch_size, seed
        self.orders = {}

    def order(self, epoch):
        if epoch not in self.orders:
            self.orders = {epoch: np.random.default_rng([self.seed, epoch]).permutation(self.n)}
        return self.orders[epoch]

    def __call__(self, step):
        first = step * self.batch_size
        index = np.concatenate([
            self.order(epoch)[max(first - epoch * self.n, 0) : first + self.batch_size - epoch * self.n]
            for epoch in range(first // self.n, (first + self.batch_size - 1) // self.n + 1)
        ])
        if isinstance(self.items, tuple):
            return tuple(array[index] for array in self.items)
        return self.items[index]
