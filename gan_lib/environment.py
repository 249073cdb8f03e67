"""The first cell of every notebook: one seed, version checks with a helpful message, the device."""

import platform
import sys

MIN_PYTHON = (3, 9)
MIN_TENSORFLOW = (2, 16)


def _version(text):
    return tuple(int(part) for part in text.split(".")[:2])


def check_versions():
    """Raise a RuntimeError that says what to install if Python, TensorFlow or Keras is too old."""
    if sys.version_info[:2] < MIN_PYTHON:
        raise RuntimeError(f"Python {platform.python_version()} is too old: the series needs Python >= 3.9")
    import keras
    import tensorflow as tf

    if _version(tf.__version__) < MIN_TENSORFLOW:
        raise RuntimeError(
            f"TensorFlow {tf.__version__} is too old: the series needs TensorFlow >= 2.16 with Keras 3; "
            "run `pip install -U -r requirements.txt`"
        )
    if _version(keras.__version__) < (3, 0):
        raise RuntimeError(f"Keras {keras.__version__} is Keras 2: run `pip install -U 'keras>=3'`")
    if keras.backend.backend() != "tensorflow":
        raise RuntimeError(
            f"Keras runs on {keras.backend.backend()}, but the GAN train_step uses tf.GradientTape: "
            "set KERAS_BACKEND=tensorflow before importing keras"
        )


def describe_device():
    """One line: the versions and whether TensorFlow trains on a GPU or the CPU."""
    import keras
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    device = f"{len(gpus)} GPU(s)" if gpus else "the CPU (no GPU found; every notebook still trains in minutes)"
    return f"Python {platform.python_version()}, TensorFlow {tf.__version__}, Keras {keras.__version__}, on {device}"


def prepare(seed=0):
    """Check versions, seed Python, NumPy and TensorFlow with one call, and say where we run."""
    check_versions()
    import keras

    keras.utils.set_random_seed(seed)
    print(describe_device())
    print(f"seed {seed}: the same seed on the same machine gives the same numbers")
