"""What differs between Keras backends, in one small room: taking gradients, and how fit() runs a step.

The game (`gan_lib.training`) is written once with keras.ops and calls only what this package
exports, taken from the module of the backend Keras runs on:

- `value_and_grad(fn, variables)`: `fn()` returns `(value, aux)`; gives `(value, aux), gradients`
  of `value` with respect to `variables` (TensorFlow: a GradientTape; JAX: jax.value_and_grad over
  the variables' values; PyTorch: torch.autograd.grad).
- `values_and_grads(fn, variable_lists)`: one pass of `fn()` that returns `(values, aux)`, the
  gradient of `values[i]` with respect to `variable_lists[i]` (both players' updates from one pass).
- `input_value_and_grad(fn, x)`: `fn(x)` returns `(value, aux)`; the gradient of `value` with
  respect to the tensor `x` (R1 and the gradient penalty), itself differentiable.
- `global_mean(per_example)` and `replica_share(draw, n)`: a mean and a random draw over the
  global batch when TensorFlow splits it across replicas (plain ones elsewhere).
- `gaussian_noise(x, stddev, seed_generator)`: x plus Gaussian noise, drawn fast where the backend's default
  generator is slow (TensorFlow's under XLA on a CPU).
- `steps_per_execution(default)`: how many steps fit() runs per call, unless told.
- `Trainer`: a mixin for the keras.Model that plays the game: what this backend's fit() needs.
"""

import ast
import importlib
import pathlib

import keras

BACKEND = keras.backend.backend()

if BACKEND not in ("tensorflow", "jax", "torch"):
    raise ImportError(
        f"gan_lib trains on Keras's tensorflow, jax and torch backends, not on {BACKEND!r}: "
        "set KERAS_BACKEND to one of them before importing keras"
    )
_room = importlib.import_module(f"gan_lib.backends.{BACKEND}")
Trainer = _room.Trainer
gaussian_noise = _room.gaussian_noise
global_mean = _room.global_mean
input_value_and_grad = _room.input_value_and_grad
replica_share = _room.replica_share
steps_per_execution = _room.steps_per_execution
value_and_grad = _room.value_and_grad
values_and_grads = _room.values_and_grads


def source(backend, name):
    """The source of function `name` in the room of `backend`, read without importing it (so that a
    notebook can show JAX's room where JAX is not installed)."""
    text = (pathlib.Path(__file__).parent / f"{backend}.py").read_text()
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return ast.get_source_segment(text, node)
    raise ValueError(f"gan_lib/backends/{backend}.py has no function {name!r}")


__all__ = ["BACKEND", "Trainer", "source", "gaussian_noise", "global_mean", "input_value_and_grad", "replica_share", "steps_per_execution", "value_and_grad", "values_and_grads"]
