"""The first cell of every notebook: one seed, version checks with a helpful message, the device,
and a TensorFlow that starts without filling the output with its C++ log.

The series runs on Keras's TensorFlow backend (the default, and what the notebooks teach with),
and on JAX and PyTorch: `KERAS_BACKEND=jax` before Keras is imported."""

import importlib.util
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


BACKENDS = ("tensorflow", "jax", "torch")


def check_versions():
    """Raise a RuntimeError that says what to install if Python, Keras or TensorFlow (on its backend) is too old."""
    if sys.version_info[:2] < MIN_PYTHON:
        raise RuntimeError(
            f"Python {platform.python_version()} is too old: the series needs Python >= "
            f"{_dotted(MIN_PYTHON)}, the oldest it was tested on"
        )
    import keras

    backend = keras.backend.backend()
    if backend not in BACKENDS:
        raise RuntimeError(f"Keras runs on {backend}; the series trains on {', '.join(BACKENDS)}: set KERAS_BACKEND to one of them")
    found = [("Keras", keras.__version__, MIN_KERAS)]
    if backend == "tensorflow":
        import tensorflow as tf

        found.insert(0, ("TensorFlow", tf.__version__, MIN_TENSORFLOW))
    for name, version, floor in found:
        if _version(version) < floor:
            raise RuntimeError(
                f"{name} {version} is too old: the series needs TensorFlow >= {_dotted(MIN_TENSORFLOW)} with "
                f"Keras >= {_dotted(MIN_KERAS)}; run `pip install -U -r requirements.txt`"
            )


# TensorFlow's start-up logs some lines before it reads TF_CPP_MIN_LOG_LEVEL (seen up to TF 2.21):
# absl's banners, info lines, and two errors that are harmless: no CUDA driver on a CPU machine,
# a CUDA plugin registered twice (Colab). A third comes when a training step is first run: grappler's
# remapper gives up on the DCGAN's training graph (a Conv2D + BiasAdd + LeakyReLU whose gradient reads
# the BiasAdd) and keeps the graph as it was before that pass: training gives the same numbers. The level
# still says which of them a user wants.
# A line of the log: absl's format (TF 2.18 and later: "E0000 00:00:1796567388.991575  16741 file.cc:967] ...") or
# the older one ("2026-12-07 19:33:37.288276: E tensorflow/core/.../file.cc:961] ..."): (severity, message).
_LOG_LINE = re.compile(r"([IWEF])\d{4} [\d:.]+ +\d+ [^\]]+\] (.*)|\d{4}-\d\d-\d\d [\d:.]+: ([IWEF]) [^\]]+\] (.*)")
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
    letter, message = (log[1], log[2]) if log[1] else (log[3], log[4])
    severity = "IWEF".index(letter)
    if severity == 2 and _HARMLESS_ERROR.search(message):
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


def start_keras():
    """Import Keras and, where it is the backend, TensorFlow with its GPUs: the steps that log before
    TensorFlow's log level applies."""
    with QuietTensorFlowLog():
        import keras

        if keras.backend.backend() == "tensorflow":
            import tensorflow as tf

            tf.config.list_physical_devices("GPU")
        elif importlib.util.find_spec("tensorflow") is not None:
            import tensorflow  # noqa: F401 - where installed, Keras imports it on other backends too (clone_model)


def describe_device():
    """One line: the versions, the backend, and whether it trains on a GPU or the CPU."""
    import keras

    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        stack, gpus = f"TensorFlow {tf.__version__}", len(tf.config.list_physical_devices("GPU"))
    elif backend == "jax":
        import jax

        stack, gpus = f"JAX {jax.__version__}", sum(d.platform == "gpu" for d in jax.devices())
    else:
        import torch

        stack, gpus = f"PyTorch {torch.__version__}", torch.cuda.device_count()
    device = f"{gpus} GPU(s)" if gpus else "the CPU (no GPU found; every notebook still trains in minutes)"
    return f"Python {platform.python_version()}, {stack}, Keras {keras.__version__}, on {device}"


def prepare(seed=0):
    """Check versions, seed Python, NumPy and the backend with one call, and say where we run."""
    check_versions()
    import keras

    keras.utils.set_random_seed(seed)
    print(describe_device())
    print(f"seed {seed}: the same seed on the same machine gives the same numbers")
