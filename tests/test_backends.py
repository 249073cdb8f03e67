"""gan_lib.backends: each backend's gradients, the same numbers that calculus gives, and nothing else changed."""

import keras
import numpy as np
import pytest
from keras import ops

from gan_lib import backends


def test_value_and_grad_of_a_linear_loss_is_its_input_and_aux_comes_back():
    w = keras.Variable(np.array([1.0, -2.0, 3.0], np.float32))
    x = np.array([0.5, 4.0, -1.0], np.float32)
    (value, aux), (grad,) = backends.value_and_grad(lambda: (ops.sum(w * x), "kept"), [w])
    assert float(value) == pytest.approx(0.5 - 8.0 - 3.0) and aux == "kept"
    np.testing.assert_allclose(np.asarray(grad), x)
    np.testing.assert_array_equal(np.asarray(w), [1.0, -2.0, 3.0])  # a gradient changes no weight


def test_values_and_grads_differentiates_each_value_by_its_own_variables():
    a, b = keras.Variable(np.float32(2.0)), keras.Variable(np.float32(3.0))

    def losses():
        shared = a * b  # one pass, two values
        return (shared * a, shared + b), None

    (values, _), (grad_a, grad_b) = backends.values_and_grads(losses, [[a], [b]])
    assert [float(v) for v in values] == [12.0, 9.0]
    assert float(grad_a[0]) == pytest.approx(2 * 2.0 * 3.0)  # d(a^2 b)/da
    assert float(grad_b[0]) == pytest.approx(2.0 + 1.0)  # d(ab + b)/db


def test_input_gradient_is_differentiable_in_turn():
    """R1 and the gradient penalty differentiate a gradient: |d(w x^2)/dx|^2 = 4 w^2 x^2, whose derivative in w is 8 w x^2."""
    w = keras.Variable(np.float32(1.5))
    x = np.array([2.0], np.float32)

    def penalty():
        (_, _), slope = backends.input_value_and_grad(lambda x: (ops.sum(w * x**2), None), x)
        return ops.sum(slope**2), None

    (value, _), (grad,) = backends.value_and_grad(penalty, [w])
    assert float(value) == pytest.approx(4 * 1.5**2 * 4.0)
    assert float(grad) == pytest.approx(8 * 1.5 * 4.0)


def test_what_a_loss_assigns_besides_is_kept():
    """BatchNorm's moving statistics, updated while the loss is computed, survive taking its gradient (on JAX
    they come back from the traced function and are assigned after it)."""
    layer = keras.layers.BatchNormalization(momentum=0.5)
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    layer.build(x.shape)
    (_, _), grads = backends.value_and_grad(lambda: (ops.sum(layer(x, training=True)), None), layer.trainable_variables)
    np.testing.assert_allclose(np.asarray(layer.moving_mean), 0.5 * x.mean(axis=0), rtol=1e-6)
    assert len(grads) == 2


def test_a_rooms_source_is_read_without_importing_it():
    assert backends.source("jax", "value_and_grad").startswith("def value_and_grad(fn, variables):")
    assert "tf.GradientTape()" in backends.source("tensorflow", "value_and_grad")
    with pytest.raises(ValueError, match="has no function 'nothing'"):
        backends.source("jax", "nothing")
