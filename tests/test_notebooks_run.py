"""A student's "Run all": Jupyter executes the first notebook from top to bottom, and every output
is the lesson's, without errors or TensorFlow's C++ log."""

import pathlib
import re
import shutil
import subprocess
import sys

import nbformat

ROOT = pathlib.Path(__file__).resolve().parent.parent
# absl's log lines ("I0000 00:00:1795.. 17509 port.cc:153] oneDNN ...") and its banner.
CPP_LOG = re.compile(r"^[IWEF]\d{4} [\d:.]+ +\d+ [^\]]+\] |absl::InitializeLog", re.MULTILINE)


def run_all(name, folder):
    """Execute a copy of notebook `name` in `folder` with nbconvert, as Jupyter's "Run all" does."""
    shutil.copy(ROOT / "notebooks" / name, folder / name)
    command = [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", name]
    command += ["--output", "executed.ipynb", "--ExecutePreprocessor.timeout=600"]
    result = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    return nbformat.read(folder / "executed.ipynb", as_version=4)


def test_toy_notebook_runs_cleanly(tmp_path):
    nb = run_all("01_quadratic_toy_gan.ipynb", tmp_path)
    outputs = [output for cell in nb.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [output for output in outputs if output.output_type == "error"]
    streams = "".join(output.text for output in outputs if output.output_type == "stream")
    assert not CPP_LOG.findall(streams), streams
    assert "seed 0" in streams  # the setup cell ran and reported the device
