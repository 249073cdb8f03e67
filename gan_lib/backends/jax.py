"""The JAX room: gradients from jax over the variables' values, and the stateless step that JAX's fit() compiles.

Keras on JAX keeps every variable's value outside the model while fit() runs and hands a step the
whole state. `Trainer` runs the game's ordinary, stateful `train_step` inside a `keras.StatelessScope`
holding that state, and reads the new state back from the scope; each gradient is taken by
`jax.value_and_grad` of the loss as a function of the values of the variables it differentiates.
"""

import functools

import jax
import keras

from gan_lib.backends.one_program import gaussian_noise, global_mean, replica_share  # noqa: F401 - this room's


class _Scope(keras.StatelessScope):
    """A StatelessScope that reads the variables it does not hold from the scope it is nested in,
    and remembers which variables were assigned in it."""

    def __init__(self, state_mapping=()):
        super().__init__(state_mapping=list(state_mapping))
        self.assigned = {}

    def add_update(self, update):
        super().add_update(update)
        self.assigned[id(update[0])] = update[0]

    def get_current_value(self, variable):
        value = super().get_current_value(variable)
        if value is None and self.original_scope is not None:
            value = self.original_scope.get_current_value(variable)
        return value

    def updates(self):
        return list(self.assigned.values()), [self.state_mapping[key] for key in self.assigned]


def _pure(fn, variables, assigned):
    """`fn` as a pure function of the values of `variables` (and of its arguments): what else it
    assigns (BatchNorm statistics, seed states) comes back beside its output, the variables in `assigned`."""

    def pure(values, *args):
        with _Scope(zip(variables, values)) as scope:
            value, aux = fn(*args)
        assigned[:], new_values = scope.updates()
        return value, (aux, new_values)

    return pure


def _assign(variables, values):
    for variable, value in zip(variables, values):
        variable.assign(value)


def value_and_grad(fn, variables):
    """`(value, aux), gradients` of `fn() -> (value, aux)` with respect to `variables`: jax.value_and_grad."""
    assigned = []
    pure = _pure(fn, variables, assigned)
    (value, (aux, updates)), gradients = jax.value_and_grad(pure, has_aux=True)([v.value for v in variables])
    _assign(assigned, updates)
    return (value, aux), gradients


def values_and_grads(fn, variable_lists):
    """One pass of `fn() -> (values, aux)`; the gradient of `values[i]` with respect to `variable_lists[i]`
    (jax.vjp: one forward pass, one backward pass per value)."""
    flat = [v for variables in variable_lists for v in variables]
    assigned = []
    values, backward, (aux, updates) = jax.vjp(_pure(fn, flat, assigned), [v.value for v in flat], has_aux=True)
    gradients, start = [], 0
    for i, variables in enumerate(variable_lists):
        seeds = tuple(keras.ops.ones_like(v) if j == i else keras.ops.zeros_like(v) for j, v in enumerate(values))
        gradients.append(backward(seeds)[0][start : start + len(variables)])
        start += len(variables)
    _assign(assigned, updates)
    return (values, aux), gradients


def input_value_and_grad(fn, x):
    """`(value, aux), gradient` of `fn(x) -> (value, aux)` with respect to the array `x` (differentiable in turn)."""
    assigned = []
    pure = _pure(lambda x: fn(x), [], assigned)
    x = keras.ops.convert_to_tensor(x, "float32")
    (value, (aux, updates)), gradient = jax.value_and_grad(lambda x: pure([], x), has_aux=True)(x)
    _assign(assigned, updates)
    return (value, aux), gradient


def steps_per_execution(default):
    """`default`: the steps Keras's JAX fit() runs per call, one compiled step after another."""
    return default


def _stateless_step(model, step, state, data):
    """Keras's JAX train_step signature, `(state, data) -> (logs, state)`, around the stateful `step(data)`."""
    groups = _state_variables(model)
    with _Scope(pair for variables, values in zip(groups, state) for pair in zip(variables, values)) as scope:
        logs = step(data)
    held = {id(v) for variables in groups for v in variables}
    stray = [v.path for v in scope.assigned.values() if id(v) not in held]
    if stray:
        raise RuntimeError(f"the step assigned variables that are not part of the model's state: {stray}")
    return logs, tuple([scope.state_mapping[id(v)] for v in variables] for variables in groups)


def _state_variables(model):
    """The variables of the state that Keras's JAX trainer hands a step, in its order."""
    return (model.trainable_variables, model.non_trainable_variables, model.optimizer.variables, model.metrics_variables)


class Trainer:
    """What fit() on JAX needs from the GAN: both optimizers' variables in the state it hands a step,
    and the game's train_step made stateless, then compiled by Keras as usual."""

    @property
    def non_trainable_variables(self):
        """The networks' and both optimizers' (those of the last compile): what the step updates besides weights."""
        optimizers = [getattr(self, name, None) for name in ("d_optimizer", "g_optimizer")]
        return super().non_trainable_variables + [v for o in optimizers if o is not None for v in o.variables]

    def make_train_function(self, force=False):
        if self.train_function is not None and not force:
            return self.train_function
        self.train_step = functools.partial(_stateless_step, self, self.train_step)  # what Keras's JAX fit() compiles
        try:
            super().make_train_function(force=True)
        finally:
            del self.train_step
        return self.train_function
