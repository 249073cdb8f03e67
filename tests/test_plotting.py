"""gan_lib.plotting: image grids, figures (on the Agg backend set in conftest), GIFs and PNGs."""

import imageio.v3 as iio
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from gan_lib.plotting import (
    plot_health,
    captioned,
    figure_to_array,
    image_grid,
    plot_class_histogram,
    plot_features,
    plot_history,
    plot_points,
    save_figure,
    save_gif,
    save_picture,
    show_images,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_backend_is_off_screen():
    assert matplotlib.get_backend().lower() == "agg"


def test_image_grid_shape_dtype_and_placement():
    images = np.stack([np.full((4, 3), v, np.uint8) for v in (0, 50, 100, 150, 200)])
    grid = image_grid(images, pad=2)  # 5 images: 3 columns, 2 rows
    assert grid.dtype == np.uint8 and grid.shape == (2 * (4 + 2) + 2, 3 * (3 + 2) + 2)
    assert grid[2:6, 2:5].tolist() == images[0].tolist()
    assert np.all(grid[2:6, 7:10] == 50) and np.all(grid[8:12, 2:5] == 150) and np.all(grid[8:12, 7:10] == 200)
    assert np.all(grid[:2] == 255) and np.all(grid[:, :2] == 255)  # white padding
    assert np.all(grid[8:12, 12:15] == 255)  # the empty sixth cell stays white
    assert image_grid(images, ncols=5).shape == (4 + 4, 5 * 5 + 2)


def test_image_grid_takes_generator_output():
    # float images in [-1, 1] with a channel axis, as a generator makes them
    images = np.linspace(-1, 1, 4 * 2 * 2).reshape(4, 2, 2, 1).astype(np.float32)
    grid = image_grid(images, pad=0)
    assert grid.shape == (4, 4) and grid.dtype == np.uint8
    assert grid.min() == 0 and grid.max() == 255


def test_show_images_with_row_labels_renders():
    images = np.random.default_rng(0).uniform(-1, 1, (6, 4, 4))
    ax = show_images(images, ncols=3, title="digits", row_labels=[7, 8])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["7", "8"] and ax.get_title() == "digits"
    picture = figure_to_array(ax.figure)
    assert picture.ndim == 3 and picture.shape[2] == 3 and picture.dtype == np.uint8
    assert picture.min() < 100  # something was drawn on the white canvas


def test_plot_history_draws_every_curve():
    history = {
        "step": [2, 4, 6],
        "d_loss": [1.4, 1.3, 1.2],
        "g_loss": [0.7, 0.8, 0.9],
        "d_real": [0.5, 0.6, 0.6],
        "d_fake": [0.5, 0.4, 0.4],
    }
    fig = plot_history(history, title="toy")
    left, right = fig.axes
    assert [list(line.get_ydata()) for line in left.get_lines()] == [history["d_loss"], history["g_loss"]]
    assert list(right.get_lines()[0].get_xdata()) == history["step"]
    low, high = right.get_ylim()
    assert 0.35 < low < 0.4 and 0.6 < high < 0.65  # zoomed to the curves (0.4 to 0.6), not 0 to 1
    assert figure_to_array(fig).shape[2] == 3
    assert not plt.fignum_exists(fig.number)  # figure_to_array closes it


def test_plot_history_draws_cannot_tell_at_the_mean_of_the_two_targets():
    history = {"step": [1, 2], "d_loss": [1.3, 1.3], "g_loss": [0.8, 0.8], "d_real": [0.47, 0.48], "d_fake": [0.44, 0.43]}
    for real_label, level in ((1.0, 0.5), (0.9, 0.45)):
        right = plot_history(history, real_label=real_label).axes[1]
        line = next(line for line in right.get_lines() if "cannot tell" in line.get_label())
        assert list(line.get_ydata()) == [level, level]
        assert line.get_label() == f"{level:g}: cannot tell"
        plt.close(right.figure)


def test_health_coverage_is_a_log_scale_heat_map_without_the_untrained_step():
    history = {"step": [0, 10, 20], "d_real": [0.5] * 3, "d_fake": [0.5] * 3, "g_grad_non_saturating": [1.0] * 3,
               "g_grad_minimax": [0.1] * 3, "coverage": [[2500, 0, 0], [1000, 10, 0], [900, 99, 1]]}
    fig = plot_health(history)
    image = fig.axes[2].get_images()[0]
    assert isinstance(image.norm, matplotlib.colors.LogNorm) and image.norm.vmax == 1000  # not step 0's 2,500
    assert image.get_array().shape == (3, 2)  # modes x measurements after step 0
    assert image.get_array().mask[2, 0]  # no sample: masked, drawn white, not the scale's lowest colour
    assert fig.axes[2].get_title().startswith("3 of 3 modes covered at step 20")
    assert fig.axes[3].get_ylabel().startswith("samples (log scale")  # the colour bar
    plt.close(fig)


def test_plot_history_of_a_wasserstein_gan_draws_its_estimate_and_penalty():
    history = {"step": [2, 4], "d_loss": [-1.0, -0.5], "g_loss": [0.3, 0.2], "wasserstein": [2.0, 1.0], "gradient_penalty": [0.1, 0.05]}
    fig = plot_history(history)
    left, right = fig.axes
    assert left.get_legend().get_texts()[0].get_text() == "critic"
    assert [list(line.get_ydata()) for line in right.get_lines()] == [history["wasserstein"], history["gradient_penalty"]]
    figure_to_array(fig)


def test_points_legend_sits_outside_the_axes_and_inside_the_figure():
    """The legend must not hide points near the axes' edges (the grid's top row of modes), nor be cut off."""
    grid = np.stack(np.meshgrid(np.arange(-4, 5, 2), np.arange(-4, 5, 2)), -1).reshape(-1, 2).astype(float)
    ax = plot_points(grid, grid, limits=((-5, 5), (-5, 5)))
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legend, axes, whole = ax.get_legend().get_window_extent(renderer), ax.get_window_extent(renderer), fig.bbox
    assert legend.x0 >= axes.x1
    assert whole.x0 <= legend.x0 and legend.x1 <= whole.x1 and whole.y0 <= legend.y0 and legend.y1 <= whole.y1
    figure_to_array(fig)


def test_points_panels_of_one_figure_share_one_legend():
    """In a figure of several panels only the panel asked for draws the legend: the others keep their room."""
    points = np.zeros((4, 2))
    fig, axes = plt.subplots(1, 3)
    for ax in axes:
        plot_points(points, points, ax=ax, legend=ax is axes[-1])
    assert [ax.get_legend() is not None for ax in axes] == [False, False, True]
    assert [t.get_text() for t in axes[-1].get_legend().get_texts()] == ["real", "generated"]
    plt.close(fig)


def test_points_features_and_class_figures_render():
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(50, 2)), rng.normal(size=(50, 2)) + 1
    ax = plot_points(real, fake, title="toy", limits=((-5, 5), (-5, 5)))
    assert ax.get_xlim() == (-5.0, 5.0)
    assert figure_to_array(ax.figure).size > 0
    ax = plot_features(real, fake)
    centroids = [c.get_offsets() for c in ax.collections[1::2]]
    np.testing.assert_allclose(np.asarray(centroids[0])[0], real.mean(axis=0))
    np.testing.assert_allclose(np.asarray(centroids[1])[0], fake.mean(axis=0))
    assert figure_to_array(ax.figure).size > 0
    ax = plot_class_histogram([10, 30, 60], reference=[1, 1, 1])
    heights = [round(p.get_height(), 6) for p in ax.patches]
    assert heights == [0.1, 0.3, 0.6, round(1 / 3, 6), round(1 / 3, 6), round(1 / 3, 6)]
    assert figure_to_array(ax.figure).size > 0


def test_captioned_enlarges_and_frames():
    picture = np.zeros((10, 12), np.uint8)
    frame = captioned(picture, "step 100", scale=3)
    assert frame.shape == (30 + 16, 36, 3) and frame.dtype == np.uint8
    assert np.all(frame[16:] == 0)  # the picture, enlarged
    assert frame[:16].min() < 255  # the caption was written


def test_save_gif_writes_every_frame_and_holds_the_last(tmp_path):
    pictures = [np.full((8, 8, 3), v, np.uint8) for v in (0, 100, 200)]
    path = tmp_path / "progress.gif"
    assert save_gif(pictures, path, seconds_per_frame=0.25, hold_last=4) == path
    frames = iio.imread(path, index=None)
    assert frames.shape == (3, 8, 8, 3)
    for frame, picture in zip(frames, pictures):
        np.testing.assert_array_equal(frame, picture)
    with Image.open(path) as gif:
        durations = []
        for i in range(gif.n_frames):
            gif.seek(i)
            durations.append(gif.info["duration"])
        assert gif.info.get("loop") == 0  # loops forever
    # the held copies of the last frame are merged into one longer frame (in milliseconds)
    assert durations == [250, 250, 250 * 5]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["progress.gif"]


def test_save_gif_of_captioned_grids(tmp_path):
    grids = [image_grid(np.full((4, 5, 5), v, np.uint8)) for v in (0, 255)]
    frames = [captioned(g, f"step {i}") for i, g in enumerate(grids)]
    save_gif(frames, tmp_path / "p.gif", hold_last=0)
    assert len(iio.imread(tmp_path / "p.gif", index=None)) == 2


def test_save_picture_round_trip(tmp_path):
    picture = np.arange(64, dtype=np.uint8).reshape(8, 8) * 4
    save_picture(picture, tmp_path / "samples.png")
    np.testing.assert_array_equal(iio.imread(tmp_path / "samples.png"), picture)


def test_save_figure_writes_a_png_and_closes_the_figure(tmp_path):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    save_figure(fig, tmp_path / "losses.png")
    assert not plt.fignum_exists(fig.number)
    picture = iio.imread(tmp_path / "losses.png")
    assert picture.ndim == 3 and picture.shape[0] > 100


def test_plot_history_of_pix2pix_names_the_pairs_its_discriminator_judges():
    history = {"step": [1, 2], "d_loss": [1.3, 1.2], "g_loss": [0.8, 0.9], "l1": [0.2, 0.1], "d_real": [0.6, 0.6], "d_fake": [0.4, 0.4]}
    fig = plot_history(history)
    labels = [text.get_text() for text in fig.axes[1].get_legend().get_texts()]
    assert labels[:2] == ["D(y, x), real pair", "D(G(x), x), generated pair"]
    plt.close(fig)
