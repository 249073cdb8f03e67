"""The notebooks' setup cell works in Colab: run offline, with a stand-in for Colab's module, the
clone URL pointed at this repository (what it has committed) and a temporary folder for /content."""

import os
import pathlib
import subprocess
import sys

import nbformat

ROOT = pathlib.Path(__file__).resolve().parent.parent
COLAB_HOME = '"/content/gan-notebooks"'


def setup_cell():
    """The first code cell of the first notebook: the setup cell every notebook shares."""
    nb = nbformat.read(ROOT / "notebooks" / "01_quadratic_toy_gan.ipynb", as_version=4)
    return next(cell.source for cell in nb.cells if cell.cell_type == "code")


def run_as_colab(cell, home, cwd):
    """Run the cell in a fresh Python, as Colab's kernel would, with git fetching from ROOT."""
    assert cell.count(COLAB_HOME) == 1, "the cell names Colab's folder once"
    program = "\n".join(
        [
            "import sys, types",
            'sys.modules["google.colab"] = types.ModuleType("google.colab")',
            'sys.modules["google.colab"].output = types.ModuleType("google.colab.output")  # JAX imports it in Colab',
            cell.replace(COLAB_HOME, repr(str(home))),
            "import gan_lib",
            "print(gan_lib.__file__)",
        ]
    )
    # Only this process's git sees the redirection: no git configuration file is touched.
    git = {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"url.{ROOT.as_uri()}.insteadOf",
        "GIT_CONFIG_VALUE_0": "https://github.com/gan-notebooks/gan-notebooks",
    }
    return subprocess.run(
        [sys.executable, "-c", program], cwd=cwd, env={**os.environ, **git}, capture_output=True, text=True, timeout=300
    )


def test_setup_cell_clones_the_series_and_imports_gan_lib_from_it(tmp_path):
    home = tmp_path / "content" / "gan-notebooks"
    result = run_as_colab(setup_cell(), home, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    # The clone's gan_lib, not the one this test environment has installed.
    assert pathlib.Path(result.stdout.splitlines()[-1]) == home / "gan_lib" / "__init__.py"
    assert "seed 0" in result.stdout
    assert (home / "data" / "mnist.npz").exists()
