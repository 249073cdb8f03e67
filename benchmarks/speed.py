"""Training speed: the classic Keras GAN loop, a plain eager loop and gan_lib's `GAN.fit`, measured
in one run on one machine, and how close `GAN.fit` comes to the machine's own matmul (perceptrons) and
convolution (DCGAN) throughput.

    python benchmarks/speed.py            # the full run (3-5 minutes), writes speed_results.md
    python benchmarks/speed.py --quick    # a smoke run (about 2 minutes); numbers are rough
    python benchmarks/speed.py --sweep 1,10,25,50,100   # (c) at several steps_per_execution
    python benchmarks/speed.py --layouts  # the DCGAN's kernels channels last and first (TF_ENABLE_ONEDNN_OPTS=0: without oneDNN)

Variants (same architecture, optimizers, losses and batch; see benchmarks/README.md):
  (a) classic  `discriminator.train_on_batch` on a real and a fake batch, then
               `combined.train_on_batch` with the discriminator frozen, made correct for Keras 3;
               fakes from `generator.predict` as in Keras-GAN, or (a′) from `predict_on_batch`;
  (b) eager    a plain eager loop with two `tf.GradientTape`s and numpy batches;
  (c) GAN.fit  gan_lib's `GAN` compiled with its defaults, fed by gan_lib.data's tf.data pipelines.
For the DCGAN of notebook 04 (the mnist-dcgan recipe's networks and batch):
  (t) tutorial the TensorFlow DCGAN tutorial's step: a `@tf.function` with two tapes, no XLA;
  (c) GAN.fit  as the recipe compiles it (no XLA, its steps_per_execution), with one generator pass
               per step (`simultaneous=True`, the tutorial's work), and with XLA;
  kernels only the convolutions and matmuls of (t)'s and (c)'s steps alone: TensorFlow's own rate on them.

Every measurement is repeated; repetitions interleave the variants, and the table reports the
median steps per second with the range. Ratios and the matmul fraction are medians of per-repetition
ratios of neighbouring measurements, so that a load change on the machine hits both sides alike.
"""

import argparse
import datetime
import math
import os
import platform
import re
import sys
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from gan_lib import data, models, recipes, training  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
LATENT, G_HIDDEN, D_HIDDEN, IMAGE = 100, (256, 512, 1024), (512, 256), (28, 28)
MLP_BATCHES = (32, 128)
TOY_BATCH = 256
BARS = {"classic": 10.0, "toy": 50.0, "fraction": 0.75, "dcgan": 1.5}  # (c)/(a) at 32, toy (c)/(b), fraction at 128, DCGAN (c)/(t)


def adam():
    """The optimizer of every variant: gan_lib's default (Adam 2e-4, beta_1 0.5)."""
    return keras.optimizers.Adam(2e-4, beta_1=0.5)


def weights(model):
    return [w.copy() for w in model.get_weights()]


def changed(before, model):
    return any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


# --- the variants ------------------------------------------------------------------------------
# Each builds its models in __init__, compiles and warms up in `setup()` (timed separately, never
# counted as training), and `run(steps)` trains that many steps and returns the seconds they took.


class MnistSource:
    """Numpy batches for the hand-written loops: a random batch of scaled MNIST and fresh noise."""

    def __init__(self, images, batch, seed=0):
        self.images, self.batch = images, batch
        self.rng = np.random.default_rng(seed)

    def real(self):
        return self.images[self.rng.integers(0, len(self.images), self.batch)]

    def noise(self):
        return self.rng.standard_normal((self.batch, LATENT), dtype=np.float32)


class Classic:
    """(a) The Keras-2-era loop of Keras-GAN's gan.py, the model this MLP GAN comes from:

        fake = generator.predict(noise)
        discriminator.train_on_batch(real, ones); discriminator.train_on_batch(fake, zeros)
        combined.train_on_batch(noise, ones)     # combined = D(G(z)) with D frozen

    with `predict_on_batch` instead of `predict` for (a′), the leanest form of the same loop.
    Losses are binary cross-entropy on the logits; compile() keeps its defaults (on a CPU-only
    machine Keras 3 then runs the step as a tf.function without XLA).

    Keras 2 froze the discriminator inside the combined model by setting `trainable = False` after
    compiling D and before compiling the combined model: compile() read the flag. Keras 3 reads it
    when a model's train function is traced, at its first `train_on_batch`, so that order leaves the
    standalone D with no trainable weights (it warns, and never learns). The Keras 3 order used
    here: D's first train_on_batch (which traces its train function) while D is trainable, then
    `D.trainable = False`, then the combined model's first train_on_batch. Both traced functions
    keep what they read; a re-trace (a new batch shape, `make_train_function(force=True)`) would
    read the flag again, so the batch shape stays fixed. `verify()` checks it on the weights.
    """

    def __init__(self, images, batch, predict="predict"):
        keras.utils.set_random_seed(0)
        self.name = "(a) classic" if predict == "predict" else "(a′) classic, lean"
        self.source = MnistSource(images, batch)
        self.generator = models.mlp_generator(LATENT, G_HIDDEN, IMAGE)
        self.discriminator = models.mlp_discriminator(IMAGE, D_HIDDEN)
        self.discriminator.compile(adam(), keras.losses.BinaryCrossentropy(from_logits=True))
        z = keras.Input((LATENT,))
        self.combined = keras.Model(z, self.discriminator(self.generator(z)), name="combined")
        self.combined.compile(adam(), keras.losses.BinaryCrossentropy(from_logits=True))
        self.ones, self.zeros = np.ones((batch, 1), np.float32), np.zeros((batch, 1), np.float32)
        # `predict` sets up a data adapter and callbacks at every call; predict_on_batch does not.
        self.predict = getattr(self.generator, predict)
        self.kwargs = {"verbose": 0} if predict == "predict" else {}

    def setup(self):
        source, d = self.source, self.discriminator
        d.train_on_batch(source.real(), self.ones)  # builds D's train function while D is trainable
        d.trainable = False  # read by the combined model's train function, built next
        self.step()
        for _ in range(3):
            self.step()
        self.verify()

    def step(self):
        source, d = self.source, self.discriminator
        fake = self.predict(source.noise(), **self.kwargs)
        d.train_on_batch(source.real(), self.ones)
        d.train_on_batch(fake, self.zeros)
        self.combined.train_on_batch(source.noise(), self.ones)

    def run(self, steps):
        start = time.perf_counter()
        for _ in range(steps):
            self.step()
        return time.perf_counter() - start

    def verify(self):
        """The standalone D trains; inside the combined model D stays fixed while G trains."""
        d, g, source = self.discriminator, self.generator, self.source
        before = weights(d)
        d.train_on_batch(source.real(), self.ones)
        assert changed(before, d), "classic loop: D.train_on_batch did not change the discriminator"
        before_d, before_g = weights(d), weights(g)
        self.combined.train_on_batch(source.noise(), self.ones)
        assert not changed(before_d, d), "classic loop: the combined update changed the frozen discriminator"
        assert changed(before_g, g), "classic loop: the combined update did not change the generator"


def keras2_order_trains_discriminator():
    """Does the Keras 2 order (freeze D before its first train_on_batch) still train D? On tiny models."""
    g = models.mlp_generator(4, (8,), (4, 4), batch_norm=False)
    d = models.mlp_discriminator((4, 4), (8,))
    d.compile(adam(), keras.losses.BinaryCrossentropy(from_logits=True))
    d.trainable = False
    z = keras.Input((4,))
    combined = keras.Model(z, d(g(z)))
    combined.compile(adam(), keras.losses.BinaryCrossentropy(from_logits=True))
    before = weights(d)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "The model does not have any trainable weights."
        d.train_on_batch(np.zeros((8, 4, 4), np.float32), np.ones((8, 1), np.float32))
    return changed(before, d)


class Eager:
    """(b) A plain eager loop: numpy batches, two GradientTapes, the optimizers' `apply`, no tf.function."""

    name = "(b) eager"

    def __init__(self, generator, discriminator, real, noise):
        self.generator, self.discriminator = generator, discriminator
        self.real, self.noise = real, noise
        self.d_optimizer, self.g_optimizer = adam(), adam()

    def setup(self):
        self.run(3)

    def step(self):
        g, d = self.generator, self.discriminator
        fake = g(self.noise(), training=True)
        with tf.GradientTape() as tape:
            real_logits = d(self.real(), training=True)
            fake_logits = d(fake, training=True)
            loss = tf.reduce_mean(training.discriminator_loss(real_logits, fake_logits))
        self.d_optimizer.apply(tape.gradient(loss, d.trainable_variables), d.trainable_variables)
        with tf.GradientTape() as tape:
            logits = d(g(self.noise(), training=True), training=True)
            loss = tf.reduce_mean(training.generator_loss(logits))
        self.g_optimizer.apply(tape.gradient(loss, g.trainable_variables), g.trainable_variables)

    def run(self, steps):
        start = time.perf_counter()
        for _ in range(steps):
            self.step()
        return time.perf_counter() - start


class _Clock(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.times = []

    def on_train_batch_end(self, batch, logs=None):
        self.times.append(time.perf_counter())


class Fit:
    """(c) gan_lib's GAN, compiled with its defaults, trained by `fit` on a gan_lib.data pipeline.

    Time runs from the end of the first call of `steps_per_execution` steps to the end of the last:
    the sustained speed of a long run, without fit()'s start (building the iterator, callbacks).
    """

    name = "(c) GAN.fit"

    keras_loop = False  # --keras-loop: Keras's own loop, one XLA call per step, for comparison

    def __init__(self, gan, dataset, keras_loop=None, **compile_options):
        self.gan, self.dataset = gan, dataset
        self.gan.compile(**compile_options)
        self.chunk = int(self.gan.steps_per_execution)
        if self.keras_loop if keras_loop is None else keras_loop:
            super(training.GAN, self.gan).make_train_function()  # fit() then keeps this one

    def setup(self):
        self.gan.fit(self.dataset, steps_per_epoch=2 * self.chunk, epochs=1, verbose=0)

    def run(self, steps):
        calls = max(2, math.ceil(steps / self.chunk)) + 1
        clock = _Clock()
        before = int(self.gan.g_optimizer.iterations.numpy())
        self.gan.fit(self.dataset, steps_per_epoch=calls * self.chunk, epochs=1, verbose=0, callbacks=[clock])
        done = int(self.gan.g_optimizer.iterations.numpy()) - before
        assert done == calls * self.chunk and len(clock.times) == calls, "GAN.fit ran an unexpected number of steps"
        self.last_steps = (calls - 1) * self.chunk
        return clock.times[-1] - clock.times[0]


def mlp_gan():
    return training.GAN(*mlp_models(), seed=0)


def mlp_models():
    return models.mlp_generator(LATENT, G_HIDDEN, IMAGE), models.mlp_discriminator(IMAGE, D_HIDDEN)


class Tutorial:
    """(t) The train step of the TensorFlow DCGAN tutorial: one `@tf.function` (no XLA) with a tape per
    network around one generator pass, called once per batch of the same tf.data stream as (c)."""

    name = "(t) tutorial"

    def __init__(self, generator, discriminator, dataset, latent_dim):
        self.batches = iter(dataset)
        g, d, d_optimizer, g_optimizer = generator, discriminator, adam(), adam()

        @tf.function
        def train_step(images):
            noise = tf.random.normal([tf.shape(images)[0], latent_dim])
            with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
                generated = g(noise, training=True)
                real_output = d(images, training=True)
                fake_output = d(generated, training=True)
                gen_loss = tf.reduce_mean(training.generator_loss(fake_output))
                disc_loss = tf.reduce_mean(training.discriminator_loss(real_output, fake_output))
            g_optimizer.apply_gradients(zip(gen_tape.gradient(gen_loss, g.trainable_variables), g.trainable_variables))
            d_optimizer.apply_gradients(zip(disc_tape.gradient(disc_loss, d.trainable_variables), d.trainable_variables))
            return disc_loss

        self.train_step = train_step

    def setup(self):
        self.run(3)

    def run(self, steps):
        start = time.perf_counter()
        for _ in range(steps):
            loss = self.train_step(next(self.batches))
        loss.numpy()
        return time.perf_counter() - start


def dcgan_block():
    """The mnist-dcgan networks at the recipe's batch: (t), (c) without and with XLA, (c) with one
    generator pass per step, and the kernels-only references of (t)'s and (c)'s steps."""
    recipe = recipes.get("mnist-dcgan")
    stream = lambda: data.image_dataset(data.load_mnist().x_train, batch_size=recipe.batch_size, seed=0)  # noqa: E731

    def fit(jit_compile, steps_per_execution, simultaneous=False):
        keras.utils.set_random_seed(0)
        gan = training.GAN(*recipes.build_models(recipe), simultaneous=simultaneous, seed=0)
        return Fit(gan, stream(), jit_compile=jit_compile, steps_per_execution=steps_per_execution)  # adam() both

    keras.utils.set_random_seed(0)
    tutorial = Tutorial(*recipes.build_models(recipe), stream(), recipe.latent_dim)
    c, c_sim = fit(False, recipe.steps_per_execution), fit(False, recipe.steps_per_execution, simultaneous=True)
    batch = tf.TensorSpec((recipe.batch_size, *IMAGE), tf.float32)
    # XLA at one step per call (Keras's loop), and at 5 per call (gan_lib's whole-call loop, which runs
    # 50 per call for the perceptrons: on a CPU its convolutions are slow enough that 5 keep a measurement short).
    return [
        ("dc_t", tutorial),
        ("dc_c", c),
        ("dc_c_sim", c_sim),
        ("dc_c_xla", fit(True, 1)),
        ("dc_c_xla5", fit(True, 5)),
        ("dc_k_t", Kernels(tutorial.train_step, batch)),
        ("dc_k_c", Kernels(tf.function(c.gan.train_step), batch)),
        ("dc_k_c_sim", Kernels(tf.function(c_sim.gan.train_step), batch)),
    ]


# --- the convolutions and matmuls of one step, and TensorFlow's own rate on them ------------------

KERNELS = ("Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter", "MatMul")


def kernel_flops(op):
    """FLOPs of one convolution or matmul of a traced graph: 2 per multiply-add, padding included.

    A convolution's forward pass, its input gradient (which is also what a Conv2DTranspose runs
    forward) and its filter gradient each cost 2 * (size of the smaller-side map) * kh * kw * c_in,
    where the smaller-side map is the stride-2 output of the forward convolution."""
    if op.type == "MatMul":
        a, b = op.inputs[0].shape, op.inputs[1].shape
        m, k = (a[1], a[0]) if op.get_attr("transpose_a") else (a[0], a[1])
        n = b[0] if op.get_attr("transpose_b") else b[1]
        return 2 * m * k * n
    if op.type == "Conv2D":
        small, (kh, kw, cin, _) = op.outputs[0].shape, op.inputs[1].shape
    elif op.type == "Conv2DBackpropInput":
        small, (kh, kw, cin, _) = op.inputs[2].shape, op.inputs[1].shape
    else:  # Conv2DBackpropFilter: its output is the filter
        small, (kh, kw, cin, _) = op.inputs[2].shape, op.outputs[0].shape
    return 2 * math.prod(small) * kh * kw * cin


def step_kernels(step, spec):
    """The convolutions and matmuls that one call of the tf.function `step` on a `spec` batch runs.

    Only those its outputs and its updates need: a tape records some gradient ops that nothing uses
    (the generator's backward pass a second time, in the tutorial's step), and TensorFlow prunes them
    from the function before running it."""
    graph = step.get_concrete_function(spec).graph
    live, stack = set(), [t.op for t in graph.outputs] + list(graph.control_outputs)
    while stack:
        op = stack.pop()
        if op not in live:
            live.add(op)
            stack += [t.op for t in op.inputs] + list(op.control_inputs)
    return [op for op in graph.get_operations() if op in live and op.type in KERNELS]


class Kernels:
    """Kernels only: every convolution and matmul of one training step, each replayed by its own
    TensorFlow op (`tf.raw_ops`, same shapes and attributes) on random inputs, one step per call of a
    tf.function without XLA, as the recipe runs. Nothing else of the step runs (no BatchNorm, activations,
    losses or Adam updates) and no op waits for another, so TensorFlow may run two at once: its speed is
    what this machine's TensorFlow does on exactly this convolution and matmul work."""

    name = "kernels only"

    def __init__(self, step, spec, layout="NHWC"):
        """`layout="NCHW"` runs the convolutions channels first (the step's own are channels last)."""
        self.step, self.spec, self.layout = step, spec, layout

    def _shape(self, op, shape):
        """A feature map's shape in this layout; filters and matmul operands keep theirs."""
        if self.layout == "NCHW" and op.type != "MatMul" and len(shape) == 4:
            return [shape[0], shape[3], shape[1], shape[2]]
        return shape

    def setup(self):
        ops = step_kernels(self.step, self.spec)
        self.flops = sum(kernel_flops(op) for op in ops)
        self.counts = {kind: sum(op.type == kind for op in ops) for kind in KERNELS}
        rng = np.random.default_rng(0)
        calls, tensors = [], []
        for op in ops:
            inputs, filters = {}, {"Conv2D": 1, "Conv2DBackpropInput": 1, "Conv2DBackpropFilter": None}.get(op.type)
            for position, (arg, tensor) in enumerate(zip(op.op_def.input_arg, op.inputs)):
                if tensor.dtype == tf.int32:  # a backprop op's output size: the op's own output shape
                    size = op.outputs[0].shape.as_list()
                    inputs[arg.name] = tf.constant(size if op.type.endswith("Filter") else self._shape(op, size), tf.int32)
                else:
                    shape = tensor.shape.as_list()
                    inputs[arg.name] = len(tensors)
                    shape = shape if position == filters else self._shape(op, shape)
                    tensors.append(tf.constant(rng.standard_normal(shape), tf.float32))
            attrs = {key: op.get_attr(key) for key in op.node_def.attr if key != "T"}
            if self.layout == "NCHW" and op.type != "MatMul":
                attrs["data_format"], attrs["strides"] = b"NCHW", [1, 1, *attrs["strides"][1:3]]
            calls.append((getattr(tf.raw_ops, op.type), inputs, attrs))
        self.tensors = tensors

        @tf.function(jit_compile=False)
        def program(tensors):
            outputs = []
            for kernel, inputs, attrs in calls:
                args = {k: tensors[v] if isinstance(v, int) else v for k, v in inputs.items()}
                outputs.append(kernel(**args, **attrs))
            return outputs

        self.program = program
        self.run(3)

    def run(self, steps):
        start = time.perf_counter()
        for _ in range(steps):
            out = self.program(self.tensors)
        out[-1].numpy()
        return time.perf_counter() - start


# --- floating-point work of one MLP-GAN step, and the matmul throughput on the same shapes -------


def _dense(sizes):
    return list(zip(sizes[:-1], sizes[1:]))


def step_matmuls(batch):
    """(m, k, n, transpose_a, transpose_b) of every matmul in one GAN train_step of the MLP GAN.

    Forward x @ W is (B, k) @ (k, n); the backward pass adds dW = x^T @ dy, (k, B) @ (B, n), for
    each layer whose weights the tape differentiates, and dx = dy @ W^T, (B, n) @ (n, k), for each
    layer whose input needs a gradient (never the first layer: its input is data or noise).
      D update: G forward (no tape); D forward on the real and on the fake batch; for both,
                dW of the 3 D layers and dx of D layers 2-3.
      G update: G forward, D forward; dx through all 3 D layers (D's dW is not needed and XLA
                removes it); dW of the 4 G layers and dx of G layers 2-4.
    Bias adds, BatchNorm, activations, losses and the Adam updates are not counted.
    """
    g, d = _dense((LATENT, *G_HIDDEN, math.prod(IMAGE))), _dense((math.prod(IMAGE), *D_HIDDEN, 1))

    def forward(layers):
        return [(batch, k, n, False, False) for k, n in layers]

    def weight_grads(layers):
        return [(k, batch, n, True, False) for k, n in layers]

    def input_grads(layers):
        return [(batch, n, k, False, True) for k, n in layers]

    d_update = forward(g) + 2 * (forward(d) + weight_grads(d) + input_grads(d[1:]))
    g_update = forward(g) + forward(d) + input_grads(d) + weight_grads(g) + input_grads(g[1:])
    return d_update + g_update


def flops(matmuls):
    return sum(2 * m * k * n for m, k, n, _, _ in matmuls)


class Matmuls:
    """The matmul skeleton of the MLP-GAN step: the same matmuls and nothing else, XLA-compiled.

    The step's data flow with every other operation removed: the generator and discriminator
    chains of products, each layer's weight matrix shared by its forward and input-gradient
    products as in the real step, gradients seeded by the logits themselves. `STEPS_PER_CALL`
    skeleton steps run per call (unrolled, each fed by the previous one's input gradients, so that
    XLA can neither merge nor hoist them), which spares the per-call overhead the way
    steps_per_execution does for GAN.fit. Its matmul list is checked against `step_matmuls`.
    """

    name = "matmuls only"
    STEPS_PER_CALL = 10

    def __init__(self, batch):
        rng = np.random.default_rng(0)

        def matrix(rows, cols, scale=1.0):
            return tf.constant(rng.standard_normal((rows, cols)) * scale, tf.float32)

        g, d = _dense((LATENT, *G_HIDDEN, math.prod(IMAGE))), _dense((math.prod(IMAGE), *D_HIDDEN, 1))
        self.g_weights = [matrix(k, n, k**-0.5) for k, n in g]  # unit-variance activations
        self.d_weights = [matrix(k, n, k**-0.5) for k, n in d]
        self.inputs = (matrix(batch, LATENT), matrix(batch, LATENT), matrix(batch, math.prod(IMAGE)))
        self.shapes = []

        @tf.function(jit_compile=True)
        def program(z, z2, real, g_weights, d_weights):
            outputs = []
            for _ in range(self.STEPS_PER_CALL):
                z, z2, real, grads = self._step(z, z2, real, g_weights, d_weights)
                outputs += grads
            return outputs + [real]

        self.program = program

    def _matmul(self, a, b, ta=False, tb=False):
        m, k = (a.shape[1], a.shape[0]) if ta else (a.shape[0], a.shape[1])
        self.shapes.append((m, k, b.shape[0] if tb else b.shape[1], ta, tb))
        return tf.matmul(a, b, transpose_a=ta, transpose_b=tb)

    def _step(self, z, z2, real, g_weights, d_weights):
        mm, grads = self._matmul, []

        def chain(x, weights):
            activations = [x]
            for w in weights:
                activations.append(mm(activations[-1], w))
            return activations

        # discriminator update: G forward, then D forward and backward on the real and the fake batch
        fake = chain(z, g_weights)[-1]
        for x in (real, fake):
            activations = chain(x, d_weights)
            dy = activations[-1]
            for i in reversed(range(len(d_weights))):
                grads.append(mm(activations[i], dy, ta=True))  # dW
                if i > 0:
                    dy = mm(dy, d_weights[i], tb=True)  # dx
        # generator update: G and D forward, input gradients through D, then G's backward pass
        g_activations = chain(z2, g_weights)
        dy = chain(g_activations[-1], d_weights)[-1]
        for i in reversed(range(len(d_weights))):
            dy = mm(dy, d_weights[i], tb=True)
        d_image = dy
        for i in reversed(range(len(g_weights))):
            grads.append(mm(g_activations[i], dy, ta=True))
            if i > 0:
                dy = mm(dy, g_weights[i], tb=True)
        # the next skeleton step's inputs, rescaled to about unit variance (no denormals)
        return dy[:, :LATENT] * 16.0, dy[:, -LATENT:] * 16.0, d_image * 28.0, grads

    def setup(self):
        self.program(*self.inputs, self.g_weights, self.d_weights)
        one_step = self.shapes[: len(self.shapes) // self.STEPS_PER_CALL]
        assert sorted(one_step) == sorted(step_matmuls(self.inputs[0].shape[0])), "skeleton != step_matmuls"
        self.run(self.STEPS_PER_CALL)

    def run(self, steps):
        calls = max(1, round(steps / self.STEPS_PER_CALL))
        start = time.perf_counter()
        for _ in range(calls):
            out = self.program(*self.inputs, self.g_weights, self.d_weights)
        out[-1].numpy()
        self.last_steps = calls * self.STEPS_PER_CALL
        return time.perf_counter() - start


def hlo_matmul_flops(gan, batch):
    """FLOPs of the dot operations XLA actually keeps in the compiled train step, or None."""
    try:
        step = tf.function(gan.train_step, jit_compile=True)
        hlo = step.experimental_get_compiler_ir(tf.zeros((batch, *IMAGE)))(stage="optimized_hlo")
    except Exception:  # noqa: BLE001 - a cross-check only; the count above stands without it
        return None
    shapes = {
        name: [int(x) for x in dims.split(",") if x]
        for name, dims in re.findall(r"%([\w.\-]+) = f32\[([\d,]*)\]", hlo)
    }
    total, count = 0, 0
    for out, lhs, contracting in re.findall(
        r"= f32\[([\d,]*)\]\S* dot\(%([\w.\-]+), %[\w.\-]+\), lhs_contracting_dims=\{(\d+)\}", hlo
    ):
        out = [int(x) for x in out.split(",") if x]
        total += 2 * math.prod(out) * shapes[lhs][int(contracting)]
        count += 1
    return count, total


# --- measuring -----------------------------------------------------------------------------------


def measure(blocks, reps, seconds, log):
    """Interleaved repetitions: {key: [(steps, seconds), ...]}.

    Each block's variants run back to back, in an order rotated at every repetition, so that the
    measurements a ratio compares are taken seconds apart, and none is always first.
    """
    counts = {}
    for block in blocks:
        for key, variant in block:
            steps = 2  # calibrate: enough steps for about `seconds` of work
            while True:
                took = variant.run(steps)
                done = getattr(variant, "last_steps", steps)
                if took > 0.25 * seconds or steps >= 100000:
                    break
                steps *= 4
            counts[key] = max(2, int(done * seconds / max(took, 1e-9)))
    results = {key: [] for block in blocks for key, _ in block}
    for rep in range(reps):
        for block in blocks:
            for key, variant in block[rep % len(block) :] + block[: rep % len(block)]:
                took = variant.run(counts[key])
                results[key].append((getattr(variant, "last_steps", counts[key]), took))
        log(f"  repetition {rep + 1}/{reps} done, load average {os.getloadavg()[0]:.1f}")
    return results


def rates(samples):
    return np.array([steps / took for steps, took in samples])


def paired_ratio(results, top, bottom):
    """Median over repetitions of rate(top) / rate(bottom), each pair measured seconds apart."""
    return float(np.median(rates(results[top]) / rates(results[bottom])))


def fmt_rate(samples):
    r = rates(samples)
    return f"{np.median(r):,.1f} ({r.min():,.1f}–{r.max():,.1f})"


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            names = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    gpus = len(tf.config.list_physical_devices("GPU"))
    versions = f"TensorFlow {tf.__version__}, Keras {keras.__version__}"
    return f"{cpu}, {os.cpu_count()} logical CPUs, {gpus} GPU(s); {versions}"


def mlp_block(images, batch):
    """The MLP-GAN variants at one batch size, and the matmul reference of its step."""
    source = MnistSource(images, batch, seed=1)
    keras.utils.set_random_seed(0)
    eager = Eager(*mlp_models(), source.real, source.noise)
    keras.utils.set_random_seed(0)
    fit = Fit(mlp_gan(), data.image_dataset(data.load_mnist().x_train, batch_size=batch, seed=0))
    block = [
        ("a", Classic(images, batch, predict="predict")),
        ("a_lean", Classic(images, batch, predict="predict_on_batch")),
        ("b", eager),
        ("c", fit),
        ("mm", Matmuls(batch)),
    ]
    return [(f"mlp{batch}_{key}", variant) for key, variant in block]


def toy_block():
    """The toy GAN (notebook 01's models and noise) as (b) and (c)."""
    recipe = recipes.get("toy")
    rng = np.random.default_rng(1)
    generator, discriminator = recipes.build_models(recipe)
    eager = Eager(
        generator,
        discriminator,
        lambda: data.quadratic_samples(TOY_BATCH, recipe.scale, seed=rng),
        lambda: rng.uniform(-1.0, 1.0, (TOY_BATCH, recipe.latent_dim)).astype(np.float32),
    )
    return [("toy_b", eager), ("toy_c", toy_fit(recipe))]


def toy_fit(recipe, per_step=None, **compile_options):
    generator, discriminator = recipes.build_models(recipe)
    gan = training.GAN(generator, discriminator, noise=recipe.noise, seed=0)
    return Fit(gan, data.quadratic_dataset(TOY_BATCH, recipe.scale, seed=0), per_step, **compile_options)


def set_up(blocks, log):
    for block in blocks:
        for key, variant in block:
            start = time.perf_counter()
            variant.setup()
            log(f"set up {key} ({variant.name}) in {time.perf_counter() - start:.1f} s")


def sweep(values, reps, seconds, log, keras_loop=False):
    """(c) GAN.fit at several steps_per_execution, and on Keras's loop too if asked: a markdown table."""
    images = data.load_mnist().x_train
    loops = (False, True) if keras_loop else (False,)
    blocks, rows = [], []
    for batch in MLP_BATCHES:
        block = []
        for spe in values:
            for per_step in loops:
                keras.utils.set_random_seed(0)
                stream = data.image_dataset(images, batch_size=batch, seed=0)
                fit = Fit(mlp_gan(), stream, per_step, steps_per_execution=spe)
                block.append((f"mlp{batch}_spe{spe}_{per_step}", fit))
        blocks.append(block)
        rows += [(f"MLP GAN, batch {batch}" + (", Keras loop" if k else ""), f"mlp{batch}", k) for k in loops]
    recipe = recipes.get("toy")
    blocks.append([
        (f"toy_spe{spe}_{per_step}", toy_fit(recipe, per_step, steps_per_execution=spe))
        for spe in values
        for per_step in loops
    ])
    rows += [(f"toy GAN, batch {TOY_BATCH}" + (", Keras loop" if k else ""), "toy", k) for k in loops]
    set_up(blocks, log)
    results = measure(blocks, reps, seconds, log)
    lines = [
        "| (c) GAN.fit, steps/s | " + " | ".join(f"steps_per_execution={v}" for v in values) + " |",
        "|---|" + "---:|" * len(values),
    ]
    for label, prefix, per_step in rows:
        cells = [fmt_rate(results[f"{prefix}_spe{v}_{per_step}"]) for v in values]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def layouts(reps, seconds, log):
    """Kernels only of the tutorial's step, channels last (the step's own) against channels first."""
    tutorial = dict(dcgan_block())["dc_t"]
    tutorial.setup()
    spec = tf.TensorSpec((recipes.get("mnist-dcgan").batch_size, *IMAGE), tf.float32)
    onednn = os.environ.get("TF_ENABLE_ONEDNN_OPTS", "default (on)")
    lines = [f"TF_ENABLE_ONEDNN_OPTS={onednn}: kernels only of the tutorial's DCGAN step, steps/s (GFLOP/s)"]
    block = []
    for layout in ("NHWC", "NCHW"):
        kernels = Kernels(tutorial.train_step, spec, layout)
        try:
            set_up([[(layout, kernels)]], log)
            block.append((layout, kernels))
        except tf.errors.OpError as error:  # TensorFlow's own CPU kernels take channels last only
            lines.append(f"  {layout}: not run by this TensorFlow ({error.message.splitlines()[0]})")
    results = measure([block], reps, seconds, log)
    for key, kernels in block:
        r = np.median(rates(results[key]))
        lines.append(f"  {key}: {fmt_rate(results[key])} ({kernels.flops * r / 1e9:.0f})")
    if len(block) == 2:
        lines.append(f"  channels first / channels last: {paired_ratio(results, 'NCHW', 'NHWC'):.2f}×")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="3 short repetitions: a smoke run, rough numbers")
    parser.add_argument("--reps", type=int, help="repetitions (default 7, quick 3)")
    parser.add_argument("--seconds", type=float, help="seconds per measurement (default 1.5, quick 0.4)")
    parser.add_argument("--sweep", metavar="N,N,...", help="instead: only (c), at these steps_per_execution (printed)")
    parser.add_argument("--layouts", action="store_true", help="instead: the DCGAN's kernels channels last and first")
    parser.add_argument("--keras-loop", action="store_true", help="(c) on Keras's per-step loop (--sweep: as well)")
    parser.add_argument("--out", default=os.path.join(HERE, "speed_results.md"), help="where the table is written")
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    args = parser.parse_args(argv)
    reps = args.reps or (3 if args.quick else 7)
    seconds = args.seconds or (0.4 if args.quick else 1.5)
    began, load_before = time.perf_counter(), os.getloadavg()

    def log(message):
        print(f"[{time.perf_counter() - began:6.1f} s] {message}", file=sys.stderr, flush=True)

    log(f"{machine()}; load average {load_before[0]:.1f}")
    if args.layouts:
        print(layouts(reps, seconds, log))
        return
    if args.sweep:
        table = sweep([int(v) for v in args.sweep.split(",")], reps, seconds, log, args.keras_loop)
        print(table)
        return

    Fit.keras_loop = args.keras_loop
    log("the Keras 2 order of the classic loop, on tiny models")
    keras2_order_trains = keras2_order_trains_discriminator()
    images = data.scale_images(data.load_mnist().x_train)
    blocks = [mlp_block(images, batch) for batch in MLP_BATCHES] + [toy_block(), dcgan_block()]
    set_up(blocks, log)
    variants = {key: variant for block in blocks for key, variant in block}
    hlo = None
    if not args.quick:
        log("cross-checking the matmul count against the compiled train step (XLA HLO)")
        hlo = hlo_matmul_flops(variants["mlp128_c"].gan, 128)

    log(f"measuring: {reps} interleaved repetitions of about {seconds} s per variant")
    results = measure(blocks, reps, seconds, log)
    for variant in variants.values():
        if isinstance(variant, Classic):
            variant.verify()  # still correct after all the timed steps: nothing re-traced
    load_after = os.getloadavg()
    ratio = lambda top, bottom: paired_ratio(results, top, bottom)  # noqa: E731

    lines = [
        "| model | batch | (a) classic | (a′) classic, lean | (b) eager | (c) GAN.fit "
        "| (c)/(a) | (c)/(a′) | (c)/(b) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for batch in MLP_BATCHES:
        p = f"mlp{batch}"
        lines.append(
            f"| MNIST MLP GAN | {batch} | {fmt_rate(results[p + '_a'])} | {fmt_rate(results[p + '_a_lean'])} | "
            f"{fmt_rate(results[p + '_b'])} | {fmt_rate(results[p + '_c'])} | {ratio(p + '_c', p + '_a'):.1f}× | "
            f"{ratio(p + '_c', p + '_a_lean'):.1f}× | {ratio(p + '_c', p + '_b'):.1f}× |"
        )
    lines.append(
        f"| quadratic toy GAN | {TOY_BATCH} | – | – | {fmt_rate(results['toy_b'])} | {fmt_rate(results['toy_c'])} "
        f"| – | – | {ratio('toy_c', 'toy_b'):.0f}× |"
    )
    dc_batch = recipes.get("mnist-dcgan").batch_size
    lines += [
        "",
        "| model | batch | (t) tutorial step | (c) GAN.fit, no XLA | (c) one generator pass | (c) XLA, 1 step per call "
        "| (c) XLA, 5 per call | (c)/(t) | (c, one pass)/(t) | (c, XLA 1)/(t) | (c, XLA 5)/(t) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| MNIST DCGAN (mnist-dcgan) | {dc_batch} | {fmt_rate(results['dc_t'])} | {fmt_rate(results['dc_c'])} | "
        f"{fmt_rate(results['dc_c_sim'])} | {fmt_rate(results['dc_c_xla'])} | {fmt_rate(results['dc_c_xla5'])} | "
        f"{ratio('dc_c', 'dc_t'):.2f}× | {ratio('dc_c_sim', 'dc_t'):.2f}× | {ratio('dc_c_xla', 'dc_t'):.2f}× | "
        f"{ratio('dc_c_xla5', 'dc_t'):.2f}× |",
        "",
        "| DCGAN step | convolutions + matmuls | work, GFLOP/step | ms/step | GFLOP/s | kernels only, GFLOP/s "
        "| fraction | kernels only ÷ (t), steps/s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, key in (("(t) tutorial", "t"), ("(c) GAN.fit", "c"), ("(c) one generator pass", "c_sim")):
        kernels = variants[f"dc_k_{key}"]
        c, k = np.median(rates(results[f"dc_{key}"])), np.median(rates(results[f"dc_k_{key}"]))
        counts = " + ".join(str(kernels.counts[kind]) for kind in KERNELS)
        lines.append(
            f"| {label} | {counts} | {kernels.flops / 1e9:.3f} | {1e3 / c:.1f} | {kernels.flops * c / 1e9:.0f} | "
            f"{kernels.flops * k / 1e9:.0f} | {ratio(f'dc_{key}', f'dc_k_{key}'):.0%} | "
            f"{ratio(f'dc_k_{key}', 'dc_t'):.2f}× |"
        )
    lines += [
        "",
        "| MLP GAN | batch | matmul work, GFLOP/step | (c) ms/step | (c) GFLOP/s | matmuls only, GFLOP/s | fraction |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    fractions = {}
    for batch in MLP_BATCHES:
        p, work = f"mlp{batch}", flops(step_matmuls(batch))
        c, mm = np.median(rates(results[p + "_c"])), np.median(rates(results[p + "_mm"]))
        fractions[batch] = ratio(p + "_c", p + "_mm")
        lines.append(
            f"| one training step | {batch} | {work / 1e9:.3f} | {1e3 / c:.2f} | {work * c / 1e9:.0f} | "
            f"{work * mm / 1e9:.0f} | {fractions[batch]:.0%} |"
        )
    checks = [
        ("(c)/(a), MLP GAN, batch 32", ratio("mlp32_c", "mlp32_a"), BARS["classic"], "{:.1f}×"),
        ("(c)/(a′), the same, lean classic loop", ratio("mlp32_c", "mlp32_a_lean"), BARS["classic"], "{:.1f}×"),
        ("(c)/(b), toy GAN, batch 256", ratio("toy_c", "toy_b"), BARS["toy"], "{:.0f}×"),
        ("matmul fraction, MLP GAN, batch 128", fractions[128], BARS["fraction"], "{:.0%}"),
        ("(c)/(t), DCGAN, the recipe's compile", ratio("dc_c", "dc_t"), BARS["dcgan"], "{:.2f}×"),
        ("(c, one generator pass)/(t), DCGAN, the tutorial's work", ratio("dc_c_sim", "dc_t"), BARS["dcgan"], "{:.2f}×"),
        ("kernels only/(t): the most any step with (t)'s work gains", ratio("dc_k_t", "dc_t"), BARS["dcgan"], "{:.2f}×"),
    ]
    lines += ["", "| bar | measured | needed | reached |", "|---|---:|---:|:---:|"]
    for label, value, bar, form in checks:
        lines.append(f"| {label} | {form.format(value)} | ≥ {form.format(bar)} | {'yes' if value >= bar else 'no'} |")
    notes = [
        "",
        f"Steps per second: median (range) of {reps} interleaved repetitions of about {seconds} s; ratios and "
        "fractions are medians of per-repetition ratios of measurements taken seconds apart. "
        "(a) makes fakes with `generator.predict` as the Keras-GAN loop does, (a′) with `predict_on_batch`. "
        f"(c) is `GAN.compile()` with its defaults: XLA, steps_per_execution={variants['mlp128_c'].chunk}"
        + (", here forced onto Keras's per-step loop (--keras-loop)." if args.keras_loop else ".")
        + f" For the DCGAN, (c) is compiled as the mnist-dcgan recipe does (no XLA, steps_per_execution="
        f"{variants['dc_c'].chunk}) and with XLA at one and at five steps per call; (t) makes one generator pass per step "
        "where (c) makes two (one per update), as the tutorial and gan_lib's step are written; '(c) one generator "
        "pass' is `GAN(simultaneous=True)`, the tutorial's update and work in gan_lib's loop.",
        "Convolutions + matmuls: the Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter and MatMul ops each step's "
        "traced function keeps (those its outputs and updates need), counted in that order; work is 2 FLOPs per "
        "multiply-add of each, padding included. 'Kernels only' replays exactly those ops with their shapes and "
        "attributes on random inputs, one step per call, no XLA: TensorFlow's own rate on that work. The fraction "
        "is kernels-only time over step time; the last column is how many times faster than (t) a step with "
        "(t)'s convolutions and matmuls could run if nothing else took time.",
        f"Matmul work: 2·m·k·n summed over the {len(step_matmuls(128))} matmuls of one step (discriminator update "
        "on a real and a fake batch, generator update through the discriminator; forward products, weight "
        "gradients and input gradients, as listed in `step_matmuls`). 'Matmuls only' is the step's matmul "
        "skeleton: exactly those products, with the step's data flow and nothing else, XLA-compiled.",
    ]
    if hlo is not None:
        count, total = hlo
        notes.append(
            f"Cross-check: the compiled batch-128 step keeps {count} dot ops worth {total / 1e9:.4f} GFLOP, against "
            f"{flops(step_matmuls(128)) / 1e9:.4f} counted (XLA turns the three rank-1 products of the logit "
            "layer's input gradient into multiplies)."
        )
    notes += [
        "Classic loop checked before and after timing: the standalone discriminator trains; inside the "
        "combined model it stays fixed while the generator trains. The Keras 2 order (freeze before D's first "
        f"train_on_batch) {'still trains D' if keras2_order_trains else 'leaves D untrained'} under this Keras.",
        f"{machine()}. Load average {load_before[0]:.1f} before, {load_after[0]:.1f} after; "
        f"{datetime.datetime.now().isoformat(timespec='minutes')}; whole run {time.perf_counter() - began:.0f} s.",
    ]
    table = "\n".join(lines + notes) + "\n"
    print(table)
    if not args.no_write:
        with open(args.out, "w") as f:
            f.write(table)
        log(f"wrote {args.out}")


if __name__ == "__main__":
    main()
