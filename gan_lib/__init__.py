"""gan_lib: the models, training step, callbacks, plots and metrics behind the GAN notebooks."""

from gan_lib import environment

# Before any module of the package imports TensorFlow: notebooks, scripts and the command line
# all start without TensorFlow's C++ start-up log.
environment.start_keras()

__version__ = "0.1.0"
