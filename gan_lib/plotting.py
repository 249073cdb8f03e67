"""Pictures of a GAN: image grids, loss curves, 2-D scatters, feature spaces and progress GIFs."""

import imageio.v2 as imageio
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from PIL import Image, ImageDraw

from gan_lib.data import unscale_images
from gan_lib.files import atomic_path


def image_grid(images, ncols=None, pad=2):
    """Tile images (N, H, W) in [-1, 1] or uint8 into one uint8 picture, `ncols` to a row."""
    images = np.asarray(images)
    if images.dtype != np.uint8:
        images = unscale_images(images)
    images = images.reshape(images.shape[:3])
    n, h, w = images.shape
    ncols = ncols or int(np.ceil(np.sqrt(n)))
    nrows = int(np.ceil(n / ncols))
    grid = np.full((nrows * (h + pad) + pad, ncols * (w + pad) + pad), 255, np.uint8)
    for i, image in enumerate(images):
        r, c = divmod(i, ncols)
        grid[pad + r * (h + pad) : pad + r * (h + pad) + h, pad + c * (w + pad) : pad + c * (w + pad) + w] = image
    return grid


def translation_grid(inputs, outputs, targets, ncols=10, pad=2):
    """Input, output and truth rows of `ncols` pictures each (then the next `ncols`, and so on): one uint8
    picture. Pictures are in [-1, 1] or uint8; a short last row is filled with black."""
    parts = [a if np.asarray(a).dtype == np.uint8 else unscale_images(a) for a in (inputs, outputs, targets)]
    ncols = min(ncols, len(parts[0]))
    rows = []
    for i in range(0, len(parts[0]), ncols):
        for part in parts:
            row = part[i : i + ncols]
            rows.append(np.concatenate([row, np.zeros((ncols - len(row), *row.shape[1:]), np.uint8)]))
    return image_grid(np.concatenate(rows), ncols=ncols, pad=pad)


def show_images(images, ncols=None, title=None, row_labels=None, ax=None):
    """Draw an image grid (white digits on black, as MNIST), optionally naming each row."""
    grid = image_grid(images, ncols)
    if ax is None:
        _, ax = plt.subplots(figsize=(0.55 * grid.shape[1] / 30 + 1, 0.55 * grid.shape[0] / 30 + 0.5))
    ax.imshow(grid, cmap="gray", vmin=0, vmax=255)
    ax.set_xticks([])
    ax.set_yticks([])
    if row_labels is not None:
        h = (grid.shape[0] - 2) / len(row_labels)
        ax.set_yticks([2 + h * (i + 0.5) for i in range(len(row_labels))], [str(r) for r in row_labels])
    if title:
        ax.set_title(title)
    return ax


def plot_history(history, title=None, real_label=1.0, fake_label=0.0):
    """Loss curves and, against the training step, the discriminator's mean outputs D(x) and D(G(z)) (for
    pix2pix, on real and generated pairs: D(y, x) and D(G(x), x)) or, for WGAN-GP, the critic's Wasserstein
    estimate and its gradient penalty.

    The dashed line is what a discriminator that cannot tell real from generated outputs: the mean of
    its two targets, 0.5 with labels 1 and 0 but 0.45 with a smoothed real label of 0.9. The axis is
    zoomed to the curves and that line, so that swings of a few hundredths can be read."""
    steps = history["step"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.5))
    wasserstein = "wasserstein" in history
    left.plot(steps, history["d_loss"], label="critic" if wasserstein else "discriminator")
    left.plot(steps, history["g_loss"], label="generator (cGAN part)" if "l1" in history else "generator")
    left.set_xlabel("step")
    left.set_ylabel("loss")
    left.legend(loc="upper left")
    if "l1" in history:  # pix2pix: the generator's L1 distance to the truth, on its own scale
        l1_axis = left.twinx()
        l1_axis.plot(steps, history["l1"], color="tab:green", label="L1 to the truth")
        l1_axis.set_ylabel("L1")
        l1_axis.legend(loc="upper right")
    if wasserstein:
        right.plot(steps, history["wasserstein"], label="E[D(x)] - E[D(G(z))]: Wasserstein estimate")
        right.plot(steps, history["gradient_penalty"], label="gradient penalty E[(|grad D| - 1)^2]")
        right.set_yscale("symlog", linthresh=1e-2)
    else:
        translation = "l1" in history  # pix2pix judges (picture, input) pairs: a real y or G(x), beside x
        right.plot(steps, history["d_real"], label="D(y, x), real pair" if translation else "D(x), real")
        right.plot(steps, history["d_fake"], label="D(G(x), x), generated pair" if translation else "D(G(z)), generated")
        undecided = (real_label + fake_label) / 2
        right.axhline(undecided, color="gray", lw=0.8, ls="--", label=f"{undecided:g}: cannot tell")
        values = np.concatenate([np.asarray(history["d_real"], float), np.asarray(history["d_fake"], float), [undecided]])
        low, high = np.nanmin(values), np.nanmax(values)
        margin = 0.1 * max(high - low, 0.02)
        right.set_ylim(max(0.0, low - margin), min(1.0, high + margin))
        right.set_ylabel("mean discriminator output")
    right.set_xlabel("step")
    right.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_points(real, fake=None, ax=None, title=None, limits=None, legend=True):
    """Scatter real and generated 2-D points over each other, the legend outside the axes on the right
    (inside, it would hide the modes near the top edge); a figure of several such axes wants a layout
    that makes room for it (`fig.tight_layout()` or `layout="constrained"`) and one `legend` only."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4), layout="constrained")
    ax.scatter(real[:, 0], real[:, 1], s=4, alpha=0.5, label="real")
    if fake is not None:
        ax.scatter(fake[:, 0], fake[:, 1], s=4, alpha=0.5, label="generated")
    if limits is not None:
        ax.set_xlim(*limits[0])
        ax.set_ylim(*limits[1])
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    if legend:
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, markerscale=3)
    if title:
        ax.set_title(title)
    return ax


def plot_features(real_features, fake_features, ax=None, title=None):
    """The discriminator's 2-D feature space: real and generated points and the centroid of each."""
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4))
    for points, label, color in ((real_features, "real", "C0"), (fake_features, "generated", "C1")):
        ax.scatter(points[:, 0], points[:, 1], s=4, alpha=0.4, color=color, label=label)
        centre = points.mean(axis=0)
        ax.scatter(*centre, s=180, marker="X", color=color, edgecolor="black", label=f"{label} centroid")
    ax.set_xlabel("feature 1")
    ax.set_ylabel("feature 2")
    ax.legend(fontsize="small")
    if title:
        ax.set_title(title)
    return ax


def plot_class_histogram(counts, reference=None, ax=None, title="classes of generated digits"):
    """Bar chart of how many samples fall in each class, with a reference (e.g. real data) beside it."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3))
    classes = np.arange(len(counts))
    ax.bar(classes - 0.2, np.asarray(counts) / np.sum(counts), width=0.4, label="generated")
    if reference is not None:
        ax.bar(classes + 0.2, np.asarray(reference) / np.sum(reference), width=0.4, label="real")
    ax.set_xticks(classes)
    ax.set_xlabel("class")
    ax.set_ylabel("fraction")
    ax.legend()
    ax.set_title(title)
    return ax


def figure_to_array(fig):
    """Render a matplotlib figure to an RGB uint8 array (and close it)."""
    fig.canvas.draw()
    array = np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()
    plt.close(fig)
    return array


def captioned(picture, caption, scale=2):
    """Enlarge a uint8 picture and write a caption above it, for one frame of a GIF."""
    image = Image.fromarray(picture).convert("RGB")
    image = image.resize((image.width * scale, image.height * scale), Image.NEAREST)
    framed = Image.new("RGB", (image.width, image.height + 16), "white")
    framed.paste(image, (0, 16))
    ImageDraw.Draw(framed).text((4, 2), caption, fill="black")
    return np.asarray(framed)


def save_gif(pictures, path, seconds_per_frame=0.4, hold_last=4):
    """Write uint8 pictures as a looping GIF, atomically; the last frame is held a little longer."""
    pictures = list(pictures) + [pictures[-1]] * hold_last
    with atomic_path(path) as tmp:
        imageio.mimsave(tmp, pictures, format="GIF", duration=seconds_per_frame * 1000, loop=0)
    return path


def save_picture(picture, path):
    """Save a uint8 picture (grey or RGB) as a PNG, atomically."""
    with atomic_path(path) as tmp:
        imageio.imwrite(tmp, picture, format="PNG")
    return path


def save_figure(fig, path, dpi=100):
    """Save a figure atomically and close it."""
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return path


def plot_health(history, title=None, coverage_label="mode"):
    """A `TrainingHealth` history as one panel: the discriminator's outputs, the generator's gradient
    norms under both losses (log scale), and, if measured, coverage as a steps-by-bins heat map."""
    steps = np.asarray(history["step"])
    coverage = history.get("coverage")
    fig, axes = plt.subplots(1, 3 if coverage else 2, figsize=(15 if coverage else 10, 3.5))
    outputs, gradients = axes[0], axes[1]
    outputs.plot(steps, history["d_real"], label="D(x), real")
    outputs.plot(steps, history["d_fake"], label="D(G(z)), generated")
    outputs.axhline(0.5, color="gray", lw=0.8, ls="--")
    outputs.set_ylim(0, 1)
    outputs.set_ylabel("mean discriminator output")
    gradients.semilogy(steps, history["g_grad_non_saturating"], label="non-saturating: -log D(G(z))")
    gradients.semilogy(steps, history["g_grad_minimax"], label="minimax: log(1 - D(G(z)))")
    gradients.set_ylabel("generator gradient norm")
    for ax in (outputs, gradients):
        ax.set_xlabel("step")
        ax.legend(fontsize="small")
    if coverage:
        counts, at = np.asarray(coverage, np.float64), steps
        if len(at) > 1 and at[0] == 0:  # the untrained generator's column would set the colour scale
            counts, at = counts[1:], at[1:]
        ax = axes[2]
        last = at[-1] if len(at) > 1 else at[0] + 1  # one measurement: one column
        colours = plt.get_cmap("viridis").copy()
        colours.set_bad("white")  # no sample at all: a log scale has no colour for 0
        image = ax.imshow(np.ma.masked_equal(counts.T, 0), aspect="auto", origin="lower", cmap=colours,
                          norm=matplotlib.colors.LogNorm(vmin=1, vmax=max(counts.max(), 2)), interpolation="nearest",
                          extent=(at[0], last, -0.5, counts.shape[1] - 0.5))
        fig.colorbar(image, ax=ax, label="samples (log scale; white: none)")
        ax.set_xlabel("step")
        ax.set_ylabel(coverage_label)
        covered = np.count_nonzero(counts, axis=1)
        ax.set_title(f"{covered[-1]} of {counts.shape[1]} {coverage_label}s covered at step {at[-1]}\n"
                     "by the generator being trained", fontsize="medium")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
