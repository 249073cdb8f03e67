"""The PyTorch room: gradients from torch.autograd; fit() on PyTorch runs the stateful step as it is."""

import keras
import torch

from gan_lib.backends.one_program import gaussian_noise, global_mean, replica_share  # noqa: F401 - this room's


def value_and_grad(fn, variables):
    """`(value, aux), gradients` of `fn() -> (value, aux)` with respect to `variables`: torch.autograd.grad."""
    value, aux = fn()
    return (value, aux), list(torch.autograd.grad(value, [v.value for v in variables]))


def values_and_grads(fn, variable_lists):
    """One pass of `fn() -> (values, aux)`; the gradient of `values[i]` with respect to `variable_lists[i]`."""
    values, aux = fn()
    gradients = [
        list(torch.autograd.grad(value, [v.value for v in variables], retain_graph=True))
        for value, variables in zip(values, variable_lists)
    ]
    return (values, aux), gradients


def input_value_and_grad(fn, x):
    """`(value, aux), gradient` of `fn(x) -> (value, aux)` with respect to the tensor `x` (differentiable in turn)."""
    x = keras.ops.convert_to_tensor(x, "float32").detach().requires_grad_(True)
    value, aux = fn(x)
    (gradient,) = torch.autograd.grad(value, x, create_graph=True)
    return (value, aux), gradient


def steps_per_execution(default):
    """1: Keras's PyTorch fit() runs one step per call."""
    return 1


class Trainer:
    """Nothing to add: Keras's PyTorch fit() calls the stateful train_step itself."""
