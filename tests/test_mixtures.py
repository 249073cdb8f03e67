"""The mode-collapse benchmark: the ring and grid mixtures, their data stream, and the measures of
PacGAN's Table 1 on hand-made point sets with known answers."""

import numpy as np
import pytest

from gan_lib import data, metrics


def test_mixtures_follow_the_published_protocol():
    ring, grid = data.mixture("ring"), data.mixture("grid")
    assert ring.modes.shape == (8, 2) and ring.std == 0.01
    np.testing.assert_allclose(np.linalg.norm(ring.modes, axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(ring.modes[2], [0.0, 1.0], atol=1e-6)  # cos, sin of 2π·2/8
    assert grid.modes.shape == (25, 2) and grid.std == 0.05
    assert sorted(set(grid.modes[:, 0].tolist())) == [-4, -2, 0, 2, 4]
    assert len({tuple(m) for m in grid.modes.tolist()}) == 25
    with pytest.raises(ValueError, match="choose one of ring, grid"):
        data.mixture("spiral")


@pytest.mark.parametrize("name", ["ring", "grid"])
def test_real_samples_score_every_mode_at_the_gaussian_disc_fraction(name):
    mix = data.mixture(name)
    real = metrics.mixture_metrics(data.mixture_samples(mix, 100000, seed=0), mix)
    assert real["modes"] == len(mix.modes)
    assert real["high_quality"] == pytest.approx(1 - np.exp(-4.5), abs=0.002)  # 98.89%
    assert real["reverse_kl"] < 0.002


def test_hand_made_points_give_known_measures():
    ring = data.mixture("ring")
    on_mode = np.repeat(ring.modes[:2], [3, 1], axis=0)  # three points on mode 0, one on mode 1
    off = np.array([[0.0, 0.0], ring.modes[3] + [0.031, 0.0]])  # far from all; just past 3 std of mode 3
    report = metrics.mixture_metrics(np.concatenate([on_mode, off]), ring)
    assert report["modes"] == 2 and report["high_quality"] == pytest.approx(4 / 6)
    assert report["mode_histogram"] == [3, 1, 0, 0, 0, 0, 0, 0]
    expected = 0.75 * np.log(0.75 * 8) + 0.25 * np.log(0.25 * 8)
    assert report["reverse_kl"] == pytest.approx(expected)


def test_one_mode_collapse_and_no_good_point():
    grid = data.mixture("grid")
    collapsed = metrics.mixture_metrics(np.tile(grid.modes[7], (50, 1)), grid)
    assert collapsed["modes"] == 1 and collapsed["reverse_kl"] == pytest.approx(np.log(25))
    nowhere = metrics.mixture_metrics(np.full((10, 2), 1.0), grid)  # between the modes
    assert nowhere["modes"] == 0 and nowhere["high_quality"] == 0.0 and nowhere["reverse_kl"] is None


def test_mixture_dataset_is_seeded_and_matches_the_mixture():
    grid = data.mixture("grid")
    a = np.asarray(next(iter(data.mixture_dataset(grid, 4096, seed=3))))
    b = np.asarray(next(iter(data.mixture_dataset(grid, 4096, seed=3))))
    np.testing.assert_array_equal(a, b)
    batches = iter(data.mixture_dataset(grid, 4096, seed=3))
    assert not np.array_equal(np.asarray(next(batches)), np.asarray(next(batches)))
    report = metrics.mixture_metrics(a, grid)
    assert report["modes"] == 25 and report["high_quality"] > 0.97


def test_mixture_report_puts_real_data_beside_generated():
    ring = data.mixture("ring")
    report = metrics.mixture_report(np.tile(ring.modes[0], (200, 1)), ring)
    assert report["generated"]["modes"] == 1 and report["real"]["modes"] == 8
    assert report["real"]["n"] == 200


def test_mode_hops_count_samples_that_move_from_one_mode_to_another_not_those_on_bridges():
    ring = data.mixture("ring")
    at = lambda *modes: np.array([ring.modes[k] for k in modes], np.float64)
    bridge = (ring.modes[0] + ring.modes[1]) / 2  # half way between two neighbouring modes: at neither
    frames = [
        at(0, 0, 1, 2),
        at(0, 1, 1, 3),  # two of four samples hop: 0 -> 1 and 2 -> 3
        np.stack([bridge, *at(1, 1, 3)]),  # the first leaves its mode for a bridge: no hop
        np.stack([*at(4), bridge + 0.01, *at(1, 3)]),  # from the bridge to mode 4, a nudge along the bridge: no hop
    ]
    np.testing.assert_allclose(metrics.mode_hops(frames, ring), [0.5, 0.0, 0.0])
    grid = data.mixture("grid")
    near = grid.modes[:1] + 0.3  # 0.42 from the mode, within a quarter of the grid's spacing of 2: still at it
    assert metrics.mode_hops([near, grid.modes[1:2] + 0.3], grid) == [1.0]
    assert metrics.late_mode_hops(frames, ring) == 0.0  # the second half of [0.5, 0.0, 0.0]


def test_mode_reached_names_the_mode_a_sample_sits_at_and_none_for_a_bridge():
    grid = data.mixture("grid")
    bridge = (grid.modes[0] + grid.modes[1]) / 2
    points = np.stack([grid.modes[3] + 0.3, bridge, grid.modes[7] + 0.6])  # 0.42 and 0.85 from their modes (spacing 2)
    np.testing.assert_array_equal(metrics.mode_reached(points, grid), [3, -1, -1])


def test_gradient_ratio_is_the_median_ratio_after_the_first_measurement():
    health = {"g_grad_non_saturating": [100.0, 2.0, 9.0, 4.0], "g_grad_minimax": [1.0, 1.0, 1.0, 2.0]}
    assert metrics.gradient_ratio(health) == 2.0  # the ratios 2, 9 and 2; the untrained first one left out
