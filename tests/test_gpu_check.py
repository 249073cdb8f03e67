"""tools/gpu_check.sh, the check for a GPU machine with JAX, run on the CPU with its quick selection."""

import importlib.util
import os
import pathlib
import subprocess
import sys

import keras
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="needs JAX (requirements-jax.txt)")
@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="run once, in the TensorFlow row of the tests")
def test_gpu_check_runs_its_tests_and_speed_rows_and_prints_the_table():
    env = {key: value for key, value in os.environ.items() if key != "KERAS_BACKEND"}
    done = subprocess.run(
        ["bash", str(ROOT / "tools" / "gpu_check.sh"), "--cpu", "--quick"],
        cwd=ROOT, env={**env, "PYTHON": sys.executable}, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:] + done.stdout[-3000:]
    out = done.stdout
    assert "KERAS_BACKEND=jax on CPU" in out
    assert "| unit tests (tests/test_data.py) | " in out and "| 01_quadratic_toy_gan.ipynb (nbval) | " in out
    assert out.count(" passed") >= 2 and "FAILED" not in out
    for row in ("toy, batch 256", "MLP GAN (mnist-gan), batch 32", "MLP GAN (mnist-gan), batch 128", "DCGAN (mnist-dcgan), batch 64"):
        assert f"| {row} | " in out, row


def test_gpu_check_refuses_an_unknown_option():
    done = subprocess.run(["bash", str(ROOT / "tools" / "gpu_check.sh"), "--gpu"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2 and "unknown option --gpu" in done.stderr
