"""gan_lib: the models, training step, callbacks, plots and metrics behind the GAN notebooks."""

__version__ = "0.1.0"
