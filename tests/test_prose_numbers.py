"""Numbers that cannot go stale: every decimal number and percentage in a notebook's prose is printed
by one of its code cells (tools/prose_numbers.py says how numbers are found and matched), except the
published and design numbers below, which no code of the notebook measures."""

import importlib.util
import pathlib

import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("prose_numbers", ROOT / "tools" / "prose_numbers.py")
prose_numbers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(prose_numbers)

# notebook -> {number as written: why the prose may state it without a code cell printing it}
PUBLISHED = {
    "02_mnist_gan.ipynb": {
        "0.2": "the LeakyReLU slope of Keras-GAN's networks, a design choice",
        "99 %": "the shipped evaluator's test accuracy, measured when it was made (data/README.md)",
    },
    "03_mnist_cgan.ipynb": {"0.2": "the LeakyReLU slope of notebook 02's networks, a design choice"},
    "06_wasserstein_gan.ipynb": {
        "20.3": "Lucic et al. (2018), Table/Figure of MNIST FIDs: WGAN-GP's mean",
        "6.8": "Lucic et al. (2018): the non-saturating GAN's mean FID on MNIST",
    },
}


def notebooks():
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.name[:2])
def test_every_measured_number_in_the_prose_is_printed(path):
    allowed = PUBLISHED.get(path.name, {})
    stale = [f"cell {i}: {text}" for i, text in prose_numbers.unprinted(path) if text not in allowed]
    assert not stale, f"{path.name}: prose numbers that no code cell prints (print them, or list a published one here): {stale}"


def test_the_check_finds_a_number_no_cell_prints_and_accepts_a_rounded_one(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("The score is 8.9, 48 % of them; $\\beta = 0.5$ and `lr=2e-3` are not prose."),
        nbformat.v4.new_code_cell("print(score)", outputs=[nbformat.v4.new_output("stream", text="8.904 0.484\n")]),
        nbformat.v4.new_markdown_cell("A stale 2.54, and 1,234.5 images."),
    ]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    assert prose_numbers.unprinted(path) == [(2, "2.54"), (2, "1,234.5")]


def test_every_published_number_is_still_in_its_notebook():
    for name, numbers in PUBLISHED.items():
        nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
        written = {text for cell in nb.cells if cell.cell_type == "markdown" for text, *_ in prose_numbers.prose_numbers(cell.source)}
        assert set(numbers) <= written, f"{name}: allow-listed numbers no longer in its prose: {set(numbers) - written}"
