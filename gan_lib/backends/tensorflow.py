"""The TensorFlow room: gradients from a GradientTape, tf.distribute's global batch, and a faster fit() path."""

import warnings

import keras
import tensorflow as tf



def value_and_grad(fn, variables):
    """`(value, aux), gradients` of `fn() -> (value, aux)` with respect to `variables`: one tape."""
    with tf.GradientTape() as tape:
        value, aux = fn()
    return (value, aux), tape.gradient(value, variables)


def values_and_grads(fn, variable_lists):
    """One pass of `fn() -> (values, aux)`; the gradient of `values[i]` with respect to `variable_lists[i]`."""
    with tf.GradientTape(persistent=True) as tape:
        values, aux = fn()
    gradients = [tape.gradient(value, variables) for value, variables in zip(values, variable_lists)]
    del tape
    return (values, aux), gradients


def input_value_and_grad(fn, x):
    """`(value, aux), gradient` of `fn(x) -> (value, aux)` with respect to the tensor `x`. Inside another
    tape (a player's), that tape differentiates the gradient in turn."""
    x = tf.convert_to_tensor(x, "float32")
    with tf.GradientTape() as tape:
        tape.watch(x)
        value, aux = fn(x)
    return (value, aux), tape.gradient(value, x)


def global_mean(per_example):
    """Mean over the global batch: under a tf.distribute strategy each replica divides by the
    replicas' total, so that the summed gradients are those of the whole batch's mean."""
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    return tf.reduce_mean(per_example) / replicas


def replica_share(draw, n):
    """`draw(n)`, with one random stream for the global batch under a tf.distribute strategy.

    Every replica reads the same seed, so per-replica draws would repeat one batch of noise on each
    replica. Instead each draws the global batch and keeps its own slice (replica i gets the i-th
    part of the batch, as with the data), which also makes N replicas draw what one device would.
    """
    context = tf.distribute.get_replica_context()
    replicas = context.num_replicas_in_sync if context is not None else 1
    if replicas == 1:
        return draw(n)
    start = tf.cast(context.replica_id_in_sync_group, "int32") * n
    return draw(n * replicas)[start : start + n]


def gaussian_noise(x, stddev, seed_generator):
    """`x` plus N(0, stddev^2) noise drawn from the next seed of `seed_generator`, with the Philox generator: under
    XLA on a CPU, TensorFlow's default choice of generator (the one keras.random takes) draws it about 40 times slower."""
    seed = tf.cast(seed_generator.next(), "int64")
    return x + tf.random.stateless_normal(tf.shape(x), seed=seed, stddev=stddev, dtype=x.dtype, alg="philox")


def _defining_class(cls, name):
    return next(c for c in cls.__mro__ if name in vars(c))


def steps_per_execution(default):
    """`default` steps per call, or 1 under a multi-replica strategy: Keras 3 cannot run several steps per
    call there (keras-team/keras#19246: "You must feed a value for placeholder tensor")."""
    return 1 if tf.distribute.get_strategy().num_replicas_in_sync > 1 else default


class Trainer:
    """What fit() on TensorFlow adds to the GAN: a whole call of steps in one XLA loop."""

    def make_train_function(self, force=False):
        """Keras's train function, with a faster path that the defaults take.

        With XLA and several steps per call on one device, fed a tf.data stream of fixed-shape
        batches (as gan_lib.data makes), a call takes its `steps_per_execution` batches and runs
        all its steps in one XLA loop instead of entering XLA once per step: the same steps on the
        same batches and noise, with less overhead per step. Otherwise, and for a subclass with its
        own train_step, Keras's loop runs; also, with a one-line warning, where this Keras or
        TensorFlow feeds fit() or traces differently from what the faster path relies on.
        """
        if self.train_function is not None and not force:
            return self.train_function
        super().make_train_function(force=True)
        one_per_step, steps = self.train_function, self.steps_per_execution
        one_device = self.distribute_strategy is tf.distribute.get_strategy() and not tf.distribute.has_strategy()
        own_step = _defining_class(type(self), "train_step").__module__ != "gan_lib.training"
        if not self.jit_compile or self.run_eagerly or steps == 1 or not one_device or own_step:
            return one_per_step

        def keras_loop(why):
            versions = f"Keras {keras.__version__} on TensorFlow {tf.__version__}"
            warnings.warn(f"{versions} {why}: GAN.fit runs Keras's own, slower loop", stacklevel=3)
            return one_per_step

        @tf.function(jit_compile=True)
        def run_steps(batches, count):
            def body(i):
                self.train_step(tf.nest.map_structure(lambda b: b[i], batches))
                return (i + 1,)

            tf.while_loop(lambda i: i < count, body, (tf.constant(0),))
            return {m.name: m.result() for m in self.metrics}  # what train_step returns

        @tf.function
        def whole_call(iterator):
            items = [iterator.get_next_as_optional() for _ in range(steps)]
            present = [item.has_value() for item in items]
            count = tf.reduce_sum(tf.cast(tf.stack(present), tf.int32))

            def stacked(batches):
                return tf.nest.map_structure(lambda *b: tf.stack(b), *batches)

            def zeros():
                return tf.nest.map_structure(lambda s: tf.zeros(s.shape, s.dtype), iterator.element_spec)

            def some():  # a finite stream ran out: its last steps, padded to a full call
                return stacked([tf.cond(p, item.get_value, zeros) for p, item in zip(present, items)])

            batches = tf.cond(tf.equal(count, steps), lambda: stacked([item.get_value() for item in items]), some)
            return count, run_steps(batches, count)

        def train_function(iterator):
            if not isinstance(iterator, tf.data.Iterator):  # the faster path reads batches from one
                self.train_function = keras_loop(f"feeds fit() a {type(iterator).__name__}")
                return one_per_step(iterator)
            if not all(spec.shape.is_fully_defined() for spec in tf.nest.flatten(iterator.element_spec)):
                return one_per_step(iterator)
            try:
                whole_call.get_concrete_function(iterator)  # traces only (once per stream): takes no batch
            except Exception as err:  # noqa: BLE001 - any Keras or TensorFlow that cannot trace it
                first_line = (str(err).strip().splitlines() or [""])[0][:200]
                self.train_function = keras_loop(f"cannot trace the faster path ({type(err).__name__}: {first_line})")
                return one_per_step(iterator)
            count, logs = whole_call(iterator)
            if int(count) == 0:
                raise StopIteration
            return logs

        self.train_function = train_function
        return train_function

