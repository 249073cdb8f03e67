"""The first cell of every notebook: one seed, version checks with a helpful message, the device,
and a TensorFlow that starts without filling the output with its C++ log."""

import os
import platform
import re
import sys
import tempfile

# TensorFlow's C++ info and warnings (oneDNN, XLA compiling a step) would fill the notebooks'
# outputs. The level is read when TensorFlow is first imported; a user's own setting wins.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

MIN_PYTHON = (3, 11)  # the only Python the tests ran on (tools/check_versions.sh)
MIN_TENSORFLOW = (2, 16)
# Under MirroredStrategy, Keras before 3.5 does not sum the replicas' gradients and Keras before
# 3.10 logs only the first replica's metrics.
MIN_KERAS = (3, 10)


def _version(text):
    return tuple(int(part) for part in text.split(".")[:2])


def _dotted(version):
    return ".".join(map(str, version))


def check_versions():
    """Raise a RuntimeError that says what to install if Python, TensorFlow or Keras is too old."""
    if sys.version_info[:2] < MIN_PYTHON:
        raise RuntimeError(
            f"Python {platform.python_version()} is too old: the series needs Python >= "
            f"{_dotted(MIN_PYTHON)}, the oldest it was tested on"
        )
    import keras
    import tensorflow as tf

    for name, found, floor in (("TensorFlow", tf.__version__, MIN_TENSORFLOW), ("Keras", keras.__version__, MIN_KERAS)):
        if _version(found) < floor:
            raise RuntimeError(
                f"{name} {found} is too old: the series needs TensorFlow >= {_dotted(MIN_TENSORFLOW)} with "
                f"Keras >= {_dotted(MIN_KERAS)}; run `pip install -U -r requirements.txt`"
            )
    if keras.backend.backend() != "tensorflow":
        raise RuntimeError(
            f"Keras runs on {keras.backend.backend()}, but the GAN train_step uses tf.GradientTape: "
            "set KERAS_BACKEND=tensorflow before importing keras"
        )


# TensorFlow's start-up logs some lines before it reads TF_CPP_MIN_LOG_LEVEL (seen up to TF 2.21):
# absl's banners, info lines, and two errors that are harmless: no CUDA driver on a CPU machine,
# a CUDA plugin registered twice (Colab). A third comes when a training step is first run: grappler's
# remapper gives up on the DCGAN's training graph (a Conv2D + BiasAdd + LeakyReLU whose gradient reads
# the BiasAdd) and keeps the graph as it was before that pass: training gives the same numbers. The level
# still says which of them a user wants.
_LOG_LINE = re.compile(r"([IWEF])\d{4} [\d:.]+ +\d+ [^\]]+\] (.*)")
_BANNER = re.compile(r"WARNING: All log messages before absl::InitializeLog|To enable the following instructions:")
_HARMLESS_ERROR = re.compile(
    r"failed call to cuInit|Unable to register cu\w+ factory|remapper failed: INVALID_ARGUMENT: Mutation::Apply error"
)


def is_tensorflow_noise(line, level):
    """Whether TF_CPP_MIN_LOG_LEVEL=level would have hidden this line of TensorFlow's C++ log, counting the
    known harmless errors above as warnings."""
    log = _LOG_LINE.match(line)
    if log is None:
        return level > 0 and _BANNER.match(line) is not None
    severity = "IWEF".index(log[1])
    if severity == 2 and _HARMLESS_ERROR.search(log[2]):
        severity = 1
    return severity < level


class QuietTensorFlowLog:
    """From entering until `close()` (or the end of the block), catch what C++ code writes to file
    descriptor 2; then pass on every line but TensorFlow's noise (`is_tensorflow_noise`)."""

    def __init__(self):
        self.saved = None

    def __enter__(self):
        self.level = int(os.environ["TF_CPP_MIN_LOG_LEVEL"])
        sys.stderr.flush()
        self.saved, self.caught = os.dup(2), tempfile.TemporaryFile()
        os.dup2(self.caught.fileno(), 2)
        return self

    def close(self):
        if self.saved is None:
            return
        sys.stderr.flush()
        os.dup2(self.saved, 2)
        os.close(self.saved)
        self.saved = None
        self.caught.seek(0)
        lines = self.caught.read().decode(errors="replace").splitlines(keepends=True)
        self.caught.close()
        sys.stderr.write("".join(line for line in lines if not is_tensorflow_noise(line, self.level)))

    def __exit__(self, *exception):
        self.close()


def start_tensorflow():
    """Import TensorFlow and look for GPUs, the two steps that log before the log level applies."""
    with QuietTensorFlowLog():
        import tensorflow as tf

        tf.config.list_physical_devices("GPU")


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
