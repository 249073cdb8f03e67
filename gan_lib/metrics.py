"""Measured quality of a GAN's samples, always beside the same number on real data.

MNIST: the evaluator CNN (`gan_lib.evaluator`) judges the digits: a classifier score (Inception
score style, at most 10), a Fréchet distance between its "features" activations, the class
histogram and, for a conditional GAN, how often the class asked for is what comes out.
The quadratic toy: how far points lie from the curve and how far their x is from uniform.
Everything takes and returns numpy arrays or plain Python numbers; only the evaluator and the
real-data references are cached, once per process.
"""

import functools
import pathlib
from typing import NamedTuple

import keras
import numpy as np

from gan_lib import data
from gan_lib.evaluator import (
    EVALUATOR_PATH, FEATURES, IMAGE_SHAPE, RECREATE_COMMAND, build_evaluator
)
from gan_lib.weights import read_arrays, set_weight_arrays

TOY_REAL_SEED = 2024  # the real toy reference is the same fresh sample in every run


# --- The evaluator ----------------------------------------------------------------------------


class EvaluatorFileError(ValueError):
    """The evaluator file is missing or unusable; the message names the file and how to re-create it."""


class EvaluatorOutputs(NamedTuple):
    probabilities: np.ndarray  # (n, classes): p(y | x)
    features: np.ndarray  # (n, units): the "features" layer's activations


def _evaluator_error(path, problem):
    command = RECREATE_COMMAND if path == EVALUATOR_PATH.resolve() else f"{RECREATE_COMMAND} --out {path}"
    return EvaluatorFileError(f"{path}: {problem}. Re-create it with `{command}` (a few minutes on a CPU).")


def load_evaluator(path=None):
    """Build the MNIST evaluator and load its weights from `path` (default data/evaluator.weights.npz),
    once per process. Never trains and never downloads: a missing or unusable file raises
    `EvaluatorFileError`.
    """
    path = (pathlib.Path(path) if path is not None else EVALUATOR_PATH).resolve()
    if not path.is_file():
        raise _evaluator_error(path, "no such file")
    # The modification time is part of the cache key, so a re-created file is loaded afresh.
    return _load_evaluator(path, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _load_evaluator(path, mtime_ns):
    try:
        arrays = read_arrays(path)
    except Exception as err:  # noqa: BLE001 - a damaged file fails in many ways: zip, .npy header, pickle refused
        raise _evaluator_error(path, f"not a readable .npz file of weights ({type(err).__name__}: {err})") from err
    model = build_evaluator()
    try:
        set_weight_arrays(model, arrays)
    except ValueError as err:
        raise _evaluator_error(path, f"not an MNIST evaluator's weights ({err})") from err
    return model


@functools.lru_cache(maxsize=4)
def _two_heads(evaluator):
    return keras.Model(evaluator.inputs, [evaluator.outputs[0], evaluator.get_layer(FEATURES).output])


def _as_images(images):
    """Images as float32 (n, 28, 28) in [-1, 1]; uint8 pixels (as in sampled .npz files) are scaled."""
    images = np.asarray(images)
    if images.dtype == np.uint8:
        images = data.scale_images(images)
    if images.shape[1:] not in (IMAGE_SHAPE, (*IMAGE_SHAPE, 1)):
        raise ValueError(f"expected images of shape (n, 28, 28), got {images.shape}")
    if len(images) == 0 or images.min() < -1.01 or images.max() > 1.01:
        raise ValueError("expected at least one image, with pixels in [-1, 1] (or uint8 0..255)")
    return images.reshape(-1, *IMAGE_SHAPE).astype(np.float32)


def evaluator_outputs(images, evaluator=None, batch_size=500):
    """The evaluator's class probabilities and "features" activations for images, as float64 numpy."""
    evaluator = load_evaluator() if evaluator is None else evaluator
    probabilities, features = _two_heads(evaluator).predict(_as_images(images), batch_size=batch_size, verbose=0)
    return EvaluatorOutputs(probabilities.astype(np.float64), features.astype(np.float64))


# --- Metrics on the evaluator's outputs ---------------------------------------------------------


def _log(p):
    # p log p -> 0 as p -> 0, so a floor on p changes nothing where p is zero.
    return np.log(np.maximum(p, 1e-30))


def classifier_score(probabilities):
    """exp(E_x KL(p(y|x) || p(y))): the number of classes when every sample is a clear digit and all
    classes are equally common, 1 when every sample looks alike (computed over all samples at once)."""
    p = np.asarray(probabilities, np.float64)
    marginal = p.mean(axis=0)
    return float(np.exp(np.mean(np.sum(p * (_log(p) - _log(marginal)), axis=1))))


def class_histogram(probabilities):
    """How many samples the evaluator puts in each class: a mode-collapsed generator fills few bins."""
    p = np.asarray(probabilities)
    return np.bincount(p.argmax(axis=1), minlength=p.shape[1]).tolist()


def class_balance(histogram):
    """Entropy of the class frequencies over its maximum: 1 when all classes are equally common, 0 for one class."""
    counts = np.asarray(histogram, np.float64)
    f = counts[counts > 0] / counts.sum()
    return float(np.sum(f * np.log(1.0 / f)) / np.log(len(counts)))


def conditional_accuracy(probabilities, labels_asked):
    """Fraction of samples the evaluator labels as the class asked for: (overall, per class).

    A class never asked for gets None, not NaN, so the result stays valid JSON.
    """
    p = np.asarray(probabilities)
    labels = np.asarray(labels_asked)
    if labels.shape != (len(p),) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels_asked must be {len(p)} integer labels, one per sample; got shape {labels.shape}")
    if labels.min() < 0 or labels.max() >= p.shape[1]:
        raise ValueError(f"labels_asked must lie in 0..{p.shape[1] - 1}, got {labels.min()}..{labels.max()}")
    hits = p.argmax(axis=1) == labels
    per_class = [float(hits[labels == c].mean()) if np.any(labels == c) else None for c in range(p.shape[1])]
    return float(hits.mean()), per_class


def psd_sqrt(matrix):
    """The symmetric square root of a symmetric positive semi-definite matrix, by eigen-decomposition.

    Round-off can leave tiny negative eigenvalues; they are set to zero rather than made complex.
    """
    m = np.asarray(matrix, np.float64)
    values, vectors = np.linalg.eigh((m + m.T) / 2)
    return (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T


def gaussian_moments(features):
    """Mean and covariance of feature vectors (one per row): the Gaussian a Fréchet distance compares."""
    features = np.asarray(features, np.float64)
    if features.ndim != 2 or len(features) < 2:
        raise ValueError(f"expected at least two feature vectors as rows of a 2-D array, got shape {features.shape}")
    return features.mean(axis=0), np.cov(features, rowvar=False)


def frechet_distance_gaussians(mean1, cov1, mean2, cov2):
    """Fréchet distance between N(mean1, cov1) and N(mean2, cov2): |m1 - m2|^2 + tr(C1 + C2 - 2 (C1 C2)^½)."""
    mean1, mean2 = np.atleast_1d(np.asarray(mean1, np.float64)), np.atleast_1d(np.asarray(mean2, np.float64))
    cov1, cov2 = np.atleast_2d(np.asarray(cov1, np.float64)), np.atleast_2d(np.asarray(cov2, np.float64))
    root1 = psd_sqrt(cov1)
    # C1 C2 has the eigenvalues of C1^½ C2 C1^½, which is symmetric PSD: its trace root stays real.
    cross = root1 @ cov2 @ root1
    trace_root = np.sum(np.sqrt(np.clip(np.linalg.eigvalsh((cross + cross.T) / 2), 0.0, None)))
    diff = mean1 - mean2
    return float(max(diff @ diff + np.trace(cov1) + np.trace(cov2) - 2.0 * trace_root, 0.0))


def frechet_distance(features1, features2):
    """Fréchet distance between Gaussians fitted to two sets of feature vectors (rows); 0 for equal sets.

    On the MNIST evaluator's "features" this is an FID-like number for digits. It is NOT comparable
    with the Inception FID of papers: another network, another feature space, another scale.
    """
    return frechet_distance_gaussians(*gaussian_moments(features1), *gaussian_moments(features2))


def rank_correlation(a, b):
    """Spearman's rank correlation of two equally long sequences (ties get their mean rank): 1 when one
    rises exactly when the other does, -1 when it falls. Does a loss track a quality measure?"""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.shape != b.shape or a.ndim != 1 or len(a) < 2:
        raise ValueError(f"expected two 1-D sequences of the same length (at least 2), got shapes {a.shape} and {b.shape}")
    ranks = [_mean_ranks(x) for x in (a, b)]
    if any(np.ptp(r) == 0 for r in ranks):
        raise ValueError("a constant sequence has no rank correlation")
    return float(np.corrcoef(*ranks)[0, 1])


def interval_means(steps, values, at_steps):
    """The mean of a per-step curve (e.g. a loss from `StepHistory`) over the steps since the previous
    entry of `at_steps` (the first: since step 0), to set a loss beside measurements taken at those steps."""
    steps, values = np.asarray(steps), np.asarray(values, np.float64)
    means = []
    for before, step in zip([0, *at_steps], at_steps):
        inside = (steps > before) & (steps <= step)
        if not inside.any():
            raise ValueError(f"no value logged between steps {before} and {step}: measure less often than the loss is logged")
        means.append(values[inside].mean())
    return np.array(means)


def loss_beside_quality(history, trace, key):
    """Does a loss track quality? The loss `history[key]` (a `StepHistory`) averaged over each interval
    between the measurements of a `QualityTrace`, the Fréchet distance measured at each interval's end,
    and their rank correlation. The trace's first measurement, before any loss was logged, is left out."""
    steps, frechet = list(trace["step"][1:]), np.asarray(trace["frechet_distance"][1:], np.float64)
    loss = interval_means(history["step"], history[key], steps)
    return {"steps": steps, "loss": loss, "frechet_distance": frechet, "rank_correlation": rank_correlation(loss, frechet)}


def _mean_ranks(x):
    order = np.argsort(x, kind="stable")
    ranks = np.empty(len(x))
    ranks[order] = np.arange(len(x), dtype=np.float64)
    for value in np.unique(x):  # tied values share the mean of their ranks
        tied = x == value
        ranks[tied] = ranks[tied].mean()
    return ranks


# --- MNIST report -----------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _mnist_reference(evaluator):
    """The real test set split into two disjoint halves: moments of one (the reference every
    Fréchet distance is measured against) and outputs and labels of the other (the real sample)."""
    mnist = data.load_mnist()
    outputs = evaluator_outputs(mnist.x_test, evaluator)
    reference = gaussian_moments(outputs.features[0::2])
    held_out = EvaluatorOutputs(outputs.probabilities[1::2], outputs.features[1::2])
    true_labels = mnist.y_test[1::2]
    for array in (*reference, *held_out, true_labels):
        array.flags.writeable = False  # shared by every later report in the process
    return reference, held_out, true_labels


def _mnist_metrics(outputs, reference, labels_asked):
    histogram = class_histogram(outputs.probabilities)
    metrics = {
        "n": len(outputs.probabilities),
        "classifier_score": classifier_score(outputs.probabilities),
        "frechet_distance": frechet_distance_gaussians(*gaussian_moments(outputs.features), *reference),
        "class_histogram": histogram,
        "class_balance": class_balance(histogram),
    }
    if labels_asked is not None:
        overall, per_class = conditional_accuracy(outputs.probabilities, labels_asked)
        metrics.update(conditional_accuracy=overall, conditional_accuracy_per_class=per_class)
    return metrics


def mnist_report(generated_images, evaluator=None, labels_asked=None):
    """Metrics of generated digits (in [-1, 1]) beside the same metrics on real held-out test digits.

    Returns {"generated": {...}, "real": {...}}, JSON-ready: n, classifier_score (max 10),
    frechet_distance (to the even-indexed test images; evaluator features, not Inception FID),
    class_histogram, class_balance and, with `labels_asked`, conditional_accuracy overall and
    per class. "real" is the odd-indexed half of the test set with its true labels, so its
    Fréchet distance is real against real. Use 5,000 or more images: the distance grows for few.
    """
    evaluator = load_evaluator() if evaluator is None else evaluator
    reference, held_out, true_labels = _mnist_reference(evaluator)
    generated = _mnist_metrics(evaluator_outputs(generated_images, evaluator), reference, labels_asked)
    real = _mnist_metrics(held_out, reference, None if labels_asked is None else true_labels)
    return {"generated": generated, "real": real}


def class_probabilities(classifier, images, batch_size=1000):
    """A classifier's softmax probabilities for images (uint8, or float in [-1, 1]), in inference mode."""
    images = np.asarray(images)
    images = data.scale_images(images) if images.dtype == np.uint8 else images.astype(np.float32)
    logits = np.concatenate([keras.ops.convert_to_numpy(classifier(images[i : i + batch_size], training=False))
                             for i in range(0, len(images), batch_size)])
    return np.asarray(keras.ops.convert_to_numpy(keras.ops.softmax(logits)), np.float32)


def classifier_report(classifier, images, labels):
    """A classifier's test error on labelled images: the fraction and the count of wrong digits."""
    wrong = int(np.sum(class_probabilities(classifier, images).argmax(axis=1) != np.asarray(labels)))
    return {"n": len(labels), "test_errors": wrong, "test_error": wrong / len(labels)}


# --- Image-to-image translation (pix2pix) --------------------------------------------------------


def sharpness(images):
    """Mean gradient magnitude of images in [-1, 1] (or uint8), on the 0..1 pixel scale: the mean length of
    (I(x+1, y) - I(x, y), I(x, y+1) - I(x, y)). A blurred digit's strokes fade over several pixels, so it
    scores lower than a sharp one with the same ink."""
    images = (_as_images(images).astype(np.float64) + 1.0) / 2.0
    dx, dy = np.diff(images, axis=2)[:, :-1, :], np.diff(images, axis=1)[:, :, :-1]
    return float(np.mean(np.sqrt(dx**2 + dy**2)))


def translation_report(outputs, targets, true_labels, evaluator=None):
    """Translated digits measured as Isola et al. (2017) measure pix2pix, beside real digits.

    generated: l1 (mean |output - target| per pixel, on the loss's [-1, 1] scale); conditional_accuracy, how
    often the evaluator, trained on real digits, labels an output as its target's true class (the paper's
    "FCN-score" protocol: a classifier of real images judging the generated ones); frechet_distance to real
    test digits and the classifier score (`mnist_report`); sharpness. real: the same on held-out real digits.
    """
    outputs, targets = _as_images(outputs), _as_images(targets)
    true_labels = np.asarray(true_labels)
    if outputs.shape != targets.shape or true_labels.shape != (len(outputs),):
        raise ValueError(f"expected one target and one label per output: outputs {outputs.shape}, targets "
                         f"{targets.shape}, labels {true_labels.shape}")
    report = mnist_report(outputs, evaluator, labels_asked=true_labels.astype(np.int64))
    real_images = data.load_mnist().x_test[1::2]  # the held-out half that `mnist_report`'s real row measures
    report["generated"].update(l1=float(np.mean(np.abs(outputs - targets))), sharpness=sharpness(outputs))
    report["real"].update(l1=0.0, sharpness=sharpness(real_images))
    return report


def slant(images):
    """The slant of each digit from its second moments: how far the ink shifts right per pixel upwards
    (mu11 / mu02 of the ink's distribution, the shear that MNIST's deskewing removes); 0 for an upright digit."""
    ink = (_as_images(images).astype(np.float64) + 1.0) / 2.0  # 0 for background, 1 for full ink
    rows, cols = np.indices(ink.shape[1:], dtype=np.float64)
    mass = ink.sum(axis=(1, 2)) + 1e-12
    mean_row = (ink * rows).sum(axis=(1, 2)) / mass
    mean_col = (ink * cols).sum(axis=(1, 2)) / mass
    drow = rows[None] - mean_row[:, None, None]
    dcol = cols[None] - mean_col[:, None, None]
    mu11 = (ink * drow * dcol).sum(axis=(1, 2)) / mass
    mu02 = (ink * drow**2).sum(axis=(1, 2)) / mass
    return -mu11 / (mu02 + 1e-12)  # rows grow downwards: ink further right at the top is a negative mu11


# --- The quadratic toy ------------------------------------------------------------------------


def _toy_x(points):
    points = np.asarray(points, np.float64)
    if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
        raise ValueError(f"expected toy points of shape (n, 2), got {points.shape}")
    return points[:, 0], points[:, 1]


def curve_residual(points, scale=100.0):
    """Mean vertical distance |y - (10 + x^2)| of the points from the curve, as a fraction of the
    curve's height (scale/2)^2 over the data's x range: 0.01 is 1% of the plot's height."""
    x, y = _toy_x(points)
    return float(np.mean(np.abs(y - data.quadratic_curve(x))) / (scale / 2) ** 2)


def x_ks_statistic(points, scale=100.0):
    """Kolmogorov-Smirnov statistic of the points' x against the uniform on [-scale/2, scale/2]:
    the largest gap between the two cumulative distribution functions, from 0 (same) to 1."""
    x = np.sort(_toy_x(points)[0])
    cdf = np.clip(x / scale + 0.5, 0.0, 1.0)
    steps = np.arange(1, len(x) + 1) / len(x)
    return float(max(np.max(steps - cdf), np.max(cdf - (steps - 1 / len(x)))))


def x_wasserstein(points, scale=100.0):
    """Wasserstein-1 distance of the points' x from the uniform on [-scale/2, scale/2], as a fraction
    of the range: how far, on average, each sorted x is from the evenly spaced uniform quantiles."""
    x = np.sort(_toy_x(points)[0])
    quantiles = ((np.arange(len(x)) + 0.5) / len(x) - 0.5) * scale
    return float(np.mean(np.abs(x - quantiles)) / scale)


def _toy_metrics(points, scale):
    return {
        "n": len(points),
        "curve_residual": curve_residual(points, scale),
        "x_ks_statistic": x_ks_statistic(points, scale),
        "x_wasserstein": x_wasserstein(points, scale),
    }


@functools.lru_cache(maxsize=8)
def _toy_real(n, scale):
    return _toy_metrics(data.quadratic_samples(n, scale, seed=TOY_REAL_SEED), scale)


def toy_report(points, scale=100.0):
    """Metrics of generated toy points beside the same metrics on as many fresh real points.

    Returns {"generated": {...}, "real": {...}}, JSON-ready: n, curve_residual, x_ks_statistic, x_wasserstein.
    """
    return {"generated": _toy_metrics(points, scale), "real": dict(_toy_real(len(points), float(scale)))}


# --- Mixtures of Gaussians: the mode-collapse benchmark ---------------------------------------


def nearest_mode(points, mix):
    """For each 2-D point, the index of its nearest mode and the distance to it."""
    points = np.asarray(points, np.float64)
    if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
        raise ValueError(f"expected 2-D points of shape (n, 2), got {points.shape}")
    distances = np.linalg.norm(points[:, None, :] - np.asarray(mix.modes, np.float64)[None], axis=-1)
    nearest = distances.argmin(axis=1)
    return nearest, distances[np.arange(len(points)), nearest]


def mixture_metrics(points, mix, radius=3.0):
    """The measures of Lin et al. (2018, PacGAN, Table 1) for 2-D points against a mixture's modes.

    A point is high quality if it lies within `radius` standard deviations of its nearest mode; a
    mode is captured if at least one high-quality point is nearest to it; reverse KL is
    KL(p || uniform) of the high-quality points' histogram over the modes (None if there are none).
    Real samples capture every mode at reverse KL near 0, with 1 - exp(-radius²/2) of them (98.9%)
    of high quality: the 2-D disc of 3 standard deviations holds that much of a Gaussian.
    """
    nearest, distance = nearest_mode(points, mix)
    good = distance <= radius * mix.std
    counts = np.bincount(nearest[good], minlength=len(mix.modes))
    reverse_kl = None
    if counts.sum():
        p = counts[counts > 0] / counts.sum()
        reverse_kl = float(np.sum(p * np.log(p * len(mix.modes))))
    return {
        "n": len(points),
        "modes": int(np.count_nonzero(counts)),
        "high_quality": float(good.mean()),
        "reverse_kl": reverse_kl,
        "mode_histogram": counts.tolist(),
    }


def mode_reached(points, mix, reach=0.25):
    """Per sample, the index of the mode it sits at (within `reach` of the distance between neighbouring modes,
    so that a sample on a bridge between two modes sits at neither), or -1 where it sits at none."""
    modes = np.asarray(mix.modes, np.float64)
    gaps = np.linalg.norm(modes[:, None] - modes[None], axis=-1)
    nearest, distance = nearest_mode(points, mix)
    return np.where(distance <= reach * gaps[gaps > 0].min(), nearest, -1)


def mode_hops(frames, mix, reach=0.25):
    """How much of a generator's mass hops between modes from one frame to the next (frames: snapshots of the
    same fixed noise): the share of the noise vectors whose sample sits at a mode in both frames
    (`mode_reached`) and at another mode than a frame before. One value per pair of frames; 0 for a generator
    that keeps its modes."""
    placed = [mode_reached(frame, mix, reach) for frame in frames]
    return np.array([float(np.mean((a >= 0) & (b >= 0) & (a != b))) for a, b in zip(placed[:-1], placed[1:])])


def late_mode_hops(frames, mix):
    """The mean of `mode_hops` over the second half of the frames: how much a run still hops once it has
    found its modes (notebook 05 and benchmarks/failures.py)."""
    hops = mode_hops(frames, mix)
    return float(np.mean(hops[len(hops) // 2:]))


def gradient_ratio(health):
    """From a `TrainingHealth` history: the median, over its measurements after the first, of the generator's
    gradient norm under the non-saturating loss over that under the minimax loss (on the same samples)."""
    ratios = np.divide(health["g_grad_non_saturating"][1:], health["g_grad_minimax"][1:])
    return float(np.median(ratios))


REAL_MIXTURE_SEED = 2025  # the real reference is the same fresh sample in every run


def mixture_report(points, mix):
    """Mixture metrics of generated points beside the same metrics on as many fresh real points."""
    real = data.mixture_samples(mix, len(points), seed=REAL_MIXTURE_SEED)
    return {"generated": mixture_metrics(points, mix), "real": mixture_metrics(real, mix)}


# --- Showing a report ---------------------------------------------------------------------------


def _cell(value):
    if isinstance(value, list):
        return " ".join(_cell(v) for v in value)
    if isinstance(value, float):
        return f"{value:.4g}"
    return "-" if value is None else str(value)


def format_report(report):
    """A report as a text table, one metric a line, the generated value beside the real one."""
    rows = [("metric", "generated", "real")]
    rows += [(name, _cell(value), _cell(report["real"].get(name))) for name, value in report["generated"].items()]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return "\n".join(f"{a:<{widths[0]}}  {b:>{widths[1]}}  {c:>{widths[2]}}" for a, b, c in rows)
