"""gan_lib: the models, training step, callbacks, plots and metrics behind the GAN notebooks."""

import os

# TensorFlow's C++ start-up notes (oneDNN, CUDA probing) hide the lesson; errors still show.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__version__ = "0.1.0"
