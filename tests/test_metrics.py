"""Tests of gan_lib.metrics: real data scores at the top, noise and mode collapse at the bottom."""

import json

import keras
import numpy as np
import pytest

from gan_lib import data, evaluator, metrics, weights
from gan_lib.evaluator import EVALUATOR_PATH, RECREATE_COMMAND

N = 1000


@pytest.fixture(scope="module")
def mnist():
    return data.load_mnist()


@pytest.fixture(scope="module")
def real(mnist):
    """Evaluator outputs and labels of the first N test digits."""
    return metrics.evaluator_outputs(data.scale_images(mnist.x_test[:N])), mnist.y_test[:N].astype(np.int64)


@pytest.fixture(scope="module")
def noise_outputs():
    images = np.random.default_rng(0).uniform(-1.0, 1.0, (N, 28, 28)).astype(np.float32)
    return metrics.evaluator_outputs(images)


@pytest.fixture(scope="module")
def collapsed_outputs(mnist):
    """A collapsed generator: N copies of a single real digit."""
    return metrics.evaluator_outputs(np.repeat(data.scale_images(mnist.x_test[:1]), N, axis=0))


# --- The evaluator file -------------------------------------------------------------------------


def test_evaluator_file_is_small_and_holds_only_arrays_for_the_built_network():
    assert EVALUATOR_PATH.stat().st_size < 1_000_000
    with np.load(EVALUATOR_PATH, allow_pickle=False) as npz:
        shapes = {key: npz[key].shape for key in npz.files}
    assert shapes == {key: w.shape for key, w in weights.weight_arrays(evaluator.build_evaluator()).items()}
    model = metrics.load_evaluator()
    assert model.get_layer("features").output.shape[-1] >= 32
    assert tuple(model.outputs[0].shape) == (None, data.NUM_CLASSES)


def test_saved_weights_load_back_exactly(tmp_path):
    keras.utils.set_random_seed(1)
    model = evaluator.build_evaluator()
    path = tmp_path / "evaluator.weights.npz"
    weights.save_weights(model, path)
    loaded = metrics.load_evaluator(path)
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    for saved, restored in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(saved, restored)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left behind


def test_evaluator_judges_uint8_pixels_as_their_scaled_images(mnist):
    as_uint8 = metrics.evaluator_outputs(mnist.x_test[:8])
    as_float = metrics.evaluator_outputs(data.scale_images(mnist.x_test[:8]))
    np.testing.assert_allclose(as_uint8.probabilities, as_float.probabilities, atol=1e-6)


@pytest.mark.parametrize("contents", [None, b"not an npz file", b"PK\x03\x04 truncated zip"])
def test_missing_or_corrupt_evaluator_names_the_file_and_the_fix(tmp_path, contents):
    path = tmp_path / "evaluator.weights.npz"
    if contents is not None:
        path.write_bytes(contents)
    with pytest.raises(metrics.EvaluatorFileError) as caught:
        metrics.load_evaluator(path)
    assert str(path) in str(caught.value) and RECREATE_COMMAND in str(caught.value)


ANOTHER_NETWORK = {
    "narrower": lambda: weights.weight_arrays(evaluator.build_evaluator(features=32)),
    "foreign": lambda: {"dense/0": np.zeros((3, 1), np.float32)},
}


@pytest.mark.parametrize("other", ANOTHER_NETWORK.values(), ids=ANOTHER_NETWORK.keys())
def test_weights_of_another_network_are_refused(tmp_path, other):
    path = tmp_path / "other.weights.npz"
    np.savez(path, **other())
    with pytest.raises(metrics.EvaluatorFileError, match="not an MNIST evaluator's weights") as caught:
        metrics.load_evaluator(path)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize("images", [np.zeros((4, 28)), np.zeros((4, 14, 14)), np.full((4, 28, 28), 255.0)])
def test_images_of_the_wrong_shape_or_range_are_refused(images):
    with pytest.raises(ValueError):
        metrics.evaluator_outputs(images)


# --- Classifier score, class histogram, conditional accuracy -------------------------------------


def test_real_digits_score_near_the_top(real):
    outputs, _ = real
    assert metrics.classifier_score(outputs.probabilities) > 9.0
    assert metrics.class_balance(metrics.class_histogram(outputs.probabilities)) > 0.95


def test_uniform_noise_scores_near_the_bottom(noise_outputs):
    assert metrics.classifier_score(noise_outputs.probabilities) < 2.0
    assert max(metrics.class_histogram(noise_outputs.probabilities)) > 0.5 * N


def test_a_collapsed_generator_scores_one_and_fills_one_bin(mnist, collapsed_outputs):
    histogram = metrics.class_histogram(collapsed_outputs.probabilities)
    assert metrics.classifier_score(collapsed_outputs.probabilities) == pytest.approx(1.0, abs=1e-3)
    assert histogram[mnist.y_test[0]] == N and sum(histogram) == N
    assert metrics.class_balance(histogram) == 0.0


def test_classifier_score_of_confident_balanced_predictions_is_the_number_of_classes():
    assert metrics.classifier_score(np.eye(10)[np.arange(100) % 10]) == pytest.approx(10.0)
    assert metrics.classifier_score(np.full((100, 10), 0.1)) == pytest.approx(1.0)


def test_conditional_accuracy_with_true_labels_is_high_and_with_shuffled_labels_is_chance(real):
    outputs, labels = real
    overall, per_class = metrics.conditional_accuracy(outputs.probabilities, labels)
    assert overall > 0.97 and min(per_class) > 0.9
    shuffled, _ = metrics.conditional_accuracy(outputs.probabilities, np.random.default_rng(0).permutation(labels))
    assert shuffled < 0.2


def test_classes_never_asked_for_have_no_accuracy(real):
    outputs, labels = real
    asked = labels == 3
    overall, per_class = metrics.conditional_accuracy(outputs.probabilities[asked], labels[asked])
    assert per_class[3] == overall and all(per_class[c] is None for c in range(10) if c != 3)


@pytest.mark.parametrize("labels", [np.zeros(3, np.int64), np.full(N, 10), np.zeros(N)])
def test_labels_asked_must_be_one_valid_class_per_sample(real, labels):
    with pytest.raises(ValueError, match="labels_asked"):
        metrics.conditional_accuracy(real[0].probabilities, labels)


# --- Fréchet distance ------------------------------------------------------------------------------


def test_psd_sqrt_squares_back_even_for_a_singular_matrix():
    b = np.random.default_rng(0).normal(size=(6, 3))
    matrix = b @ b.T  # rank 3: half the eigenvalues are zero up to round-off
    root = metrics.psd_sqrt(matrix)
    np.testing.assert_allclose(root @ root, matrix, atol=1e-10)
    np.testing.assert_allclose(root, root.T)
    assert np.linalg.eigvalsh(root).min() > -1e-10


def test_frechet_distance_of_1d_and_diagonal_gaussians_matches_the_hand_computed_value():
    # 1-D: (m1 - m2)^2 + (s1 - s2)^2 with s = 2 and 3.
    assert metrics.frechet_distance_gaussians(1.0, 4.0, -2.0, 9.0) == pytest.approx(9.0 + 1.0)
    # Diagonal: the 1-D formula summed over the axes, also after one rotation of both Gaussians.
    mean1, mean2, sd1, sd2 = np.array([0.0, 1.0]), np.array([1.0, 1.0]), np.array([1.0, 2.0]), np.array([2.0, 4.0])
    expected = np.sum((mean1 - mean2) ** 2) + np.sum((sd1 - sd2) ** 2)
    assert metrics.frechet_distance_gaussians(mean1, np.diag(sd1**2), mean2, np.diag(sd2**2)) == pytest.approx(expected)
    c, s = np.cos(0.7), np.sin(0.7)
    rotation = np.array([[c, -s], [s, c]])
    rotated = [rotation @ np.diag(sd**2) @ rotation.T for sd in (sd1, sd2)]
    distance = metrics.frechet_distance_gaussians(rotation @ mean1, rotated[0], rotation @ mean2, rotated[1])
    assert distance == pytest.approx(expected)


def test_frechet_distance_of_samples_is_zero_for_the_same_set_and_near_the_formula_for_gaussians():
    rng = np.random.default_rng(0)
    a = rng.normal(0.0, 1.0, (20000, 3))
    b = rng.normal(1.0, 2.0, (20000, 3))
    assert metrics.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-9)
    assert metrics.frechet_distance(a, b) == pytest.approx(3 * (1.0 + 1.0), rel=0.05)


def test_real_against_real_is_close_and_noise_or_collapse_is_far(real, noise_outputs, collapsed_outputs, mnist):
    other_real = metrics.evaluator_outputs(data.scale_images(mnist.x_test[N : 2 * N]))
    real_vs_real = metrics.frechet_distance(real[0].features, other_real.features)
    assert real_vs_real < 5.0
    assert metrics.frechet_distance(noise_outputs.features, real[0].features) > 20 * real_vs_real
    assert metrics.frechet_distance(collapsed_outputs.features, real[0].features) > 20 * real_vs_real


# --- The quadratic toy -----------------------------------------------------------------------------


def test_points_on_the_curve_with_uniform_x_score_zero():
    points = data.quadratic_samples(2000, seed=0)
    assert metrics.curve_residual(points) < 1e-6
    assert metrics.x_ks_statistic(points) < 0.05
    assert metrics.x_wasserstein(points) < 0.02


def test_points_off_the_curve_have_the_hand_computed_residual():
    points = data.quadratic_samples(2000, seed=0) + np.float32([0.0, 250.0])
    assert metrics.curve_residual(points) == pytest.approx(250.0 / 50.0**2, rel=1e-4)


def test_x_in_a_narrow_band_is_far_from_uniform_though_on_the_curve():
    x = np.random.default_rng(0).uniform(-5.0, 5.0, 2000)
    band = np.stack([x, 10.0 + x**2], axis=1)
    assert metrics.curve_residual(band) < 1e-6
    assert metrics.x_ks_statistic(band) > 0.4
    assert metrics.x_wasserstein(band) > 0.2
    # All x at 0: the uniform's CDF is 1/2 there, and the quantiles lie on average scale/4 away.
    at_zero = np.tile([0.0, 10.0], (1000, 1))
    assert metrics.x_ks_statistic(at_zero) == pytest.approx(0.5)
    assert metrics.x_wasserstein(at_zero) == pytest.approx(0.25)


def test_toy_report_puts_real_points_beside_generated_ones():
    report = metrics.toy_report(data.quadratic_samples(500, seed=1) * np.float32([1.0, 1.1]))
    assert json.loads(json.dumps(report)) == report
    assert report["generated"].keys() == report["real"].keys()
    assert report["real"]["n"] == 500 and report["real"]["curve_residual"] < 1e-6
    assert report["generated"]["curve_residual"] > 0.01


# --- The MNIST report ----------------------------------------------------------------------------


def test_mnist_report_of_real_digits_matches_its_real_reference(mnist):
    images, labels = data.scale_images(mnist.x_train[:N]), mnist.y_train[:N].astype(np.int64)
    report = metrics.mnist_report(images, labels_asked=labels)
    generated, real = report["generated"], report["real"]
    assert json.loads(json.dumps(report)) == report
    assert generated.keys() == real.keys()
    assert generated["n"] == N and real["n"] == len(mnist.x_test) // 2
    assert real["classifier_score"] > 9.0 and real["frechet_distance"] < 2.0 and real["conditional_accuracy"] > 0.98
    assert generated["classifier_score"] > 9.0 and generated["conditional_accuracy"] > 0.98
    assert "conditional_accuracy" not in metrics.mnist_report(images)["real"]
    assert metrics.format_report(report).count("\n") == len(generated)


def test_rank_correlation_is_spearmans():
    rank_correlation = metrics.rank_correlation
    assert rank_correlation([1, 2, 3, 4], [10, 20, 35, 100]) == pytest.approx(1.0)  # monotone, not linear
    assert rank_correlation([1, 2, 3, 4], [9, 7, 5, 1]) == pytest.approx(-1.0)
    # with ties: ranks (1, 2.5, 2.5, 4) against (1, 2, 3, 4), Pearson of the ranks by hand
    r = np.array([1, 2.5, 2.5, 4]) - 2.5
    assert rank_correlation([0, 5, 5, 9], [1, 2, 3, 4]) == pytest.approx(r @ (np.arange(1, 5) - 2.5) / np.sqrt(r @ r * 5))
    with pytest.raises(ValueError, match="same length"):
        rank_correlation([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="constant"):
        rank_correlation([1, 1, 1], [1, 2, 3])


def test_interval_means_average_since_the_previous_measurement():
    steps, values = [50, 100, 150, 200, 250, 300], [6.0, 4.0, 3.0, 1.0, 2.0, 2.0]
    assert metrics.interval_means(steps, values, [100, 300]) == pytest.approx([5.0, 2.0])
    assert metrics.interval_means(steps, values, [150]) == pytest.approx([13.0 / 3])
    with pytest.raises(ValueError, match="between steps 100 and 120"):
        metrics.interval_means(steps, values, [100, 120])


def test_loss_beside_quality_pairs_interval_means_with_the_measurements_after_them():
    history = {"step": [50, 100, 150, 200, 250, 300], "d_loss": [6.0, 4.0, 3.0, 1.0, 2.0, 2.0]}
    trace = {"step": [0, 100, 200, 300], "frechet_distance": [90.0, 40.0, 10.0, 20.0]}  # step 0: before any loss
    tracked = metrics.loss_beside_quality(history, trace, "d_loss")
    assert tracked["steps"] == [100, 200, 300]
    assert tracked["loss"] == pytest.approx([5.0, 2.0, 2.0])
    assert tracked["frechet_distance"] == pytest.approx([40.0, 10.0, 20.0])
    # ranks (2, 0.5, 0.5) against (2, 0, 1): covariance 1.5, variances 1.5 and 2
    assert tracked["rank_correlation"] == pytest.approx(np.sqrt(3.0) / 2.0)


def test_slant_is_the_shift_of_the_ink_per_pixel_upwards():
    upright, leaning_right, leaning_left = -np.ones((3, 28, 28), np.float32)
    for row in range(4, 24):
        upright[row, 14] = 1.0
        leaning_right[row, 14 + (14 - row) // 2] = 1.0  # half a pixel right for every pixel up
        leaning_left[row, 14 - (14 - row) // 2] = 1.0
    slants = metrics.slant(np.stack([upright, leaning_right, leaning_left]))
    assert slants[0] == pytest.approx(0.0, abs=1e-9)
    assert slants[1] == pytest.approx(0.5, abs=0.02) and slants[2] == pytest.approx(-slants[1])


def test_slant_of_uint8_digits_is_that_of_their_scaled_images(mnist):
    np.testing.assert_allclose(metrics.slant(mnist.x_test[:20]), metrics.slant(data.scale_images(mnist.x_test[:20])), rtol=1e-5)
