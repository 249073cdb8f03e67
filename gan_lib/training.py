"""GAN and its variants: keras.Model subclasses whose train_step plays the two-player game.

Each step updates the discriminator on a real and a generated batch, then the generator through
the discriminator, each with its own optimizer and its own gradients. Nothing is ever frozen: each
update differentiates only the weights of the network it updates. The game is written once with
keras.ops; taking gradients, the one thing that differs between Keras backends, is
`gan_lib.backends` (a GradientTape on TensorFlow, jax.value_and_grad on JAX). A new game is a subclass here
that overrides the update or the losses it changes, with its options class in `gan_lib.options` (GAMES).
"""

import keras
import numpy as np
from keras import ops

from gan_lib import backends, data
from gan_lib.callbacks import NaNGuard
from gan_lib.losses import (
    GENERATOR_LOSSES, SEMI_SUPERVISED_LOSSES, discriminator_loss, ema_decay_at, feature_matching, generator_loss, real_logit, supervised_loss,
)
from gan_lib.sampling import generate, latent_noise, latent_path, translate

__all__ = [  # the game's classes, and what notebooks and scripts reach through this module
    "GAN", "ConditionalGAN", "PackedGAN", "WassersteinGAN", "ConditionalWassersteinGAN", "Pix2Pix", "SemiSupervisedGAN",
    "GENERATOR_LOSSES", "SEMI_SUPERVISED_LOSSES", "NOISE", "DEFAULT_STEPS_PER_EXECUTION",
    "discriminator_loss", "ema_decay_at", "generate", "generator_loss", "latent_noise", "latent_path", "translate",
]

NOISE = ("normal", "uniform")
DEFAULT_STEPS_PER_EXECUTION = 50


def _global_norm(tensors):
    """The Euclidean norm of a list of tensors taken together (as tf.linalg.global_norm)."""
    return ops.sqrt(sum(ops.sum(ops.square(t)) for t in tensors))


def _unpack(data):
    """(samples, labels or None) from what a dataset yields: x, (x,) or (x, y)."""
    if isinstance(data, (tuple, list)):
        return data[0], (data[1] if len(data) > 1 else None)
    return data, None


def _shape(tensor_or_shape):
    shape = getattr(tensor_or_shape, "shape", tensor_or_shape)
    return tuple(shape)


class GAN(backends.Trainer, keras.Model):
    """A generator and a discriminator trained against each other with `fit()`.

    Options: `generator_loss` ("non-saturating" or "minimax"), one-sided label smoothing
    (`real_label=0.9`) and a soft fake label (`fake_label`), `d_steps` discriminator updates per
    generator update, the `noise` distribution ("normal" or "uniform" on [-1, 1]), `ema_decay`,
    which keeps an exponential moving average of the generator's weights for sampling (with a warm-up:
    see `ema_decay_at`), and
    `r1_weight` (Mescheder et al. 2018), which adds r1_weight / 2 * |grad D(x)|^2 on real samples to
    the discriminator's loss, so that the game settles at the data instead of circling around it, and
    `simultaneous`, which makes both updates from one generated batch (see `simultaneous_step`).
    """

    num_inputs = 1

    def __init__(
        self,
        generator,
        discriminator,
        *,
        generator_loss="non-saturating",
        real_label=1.0,
        fake_label=0.0,
        d_steps=1,
        noise="normal",
        ema_decay=None,
        r1_weight=0.0,
        simultaneous=False,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if generator_loss not in GENERATOR_LOSSES:
            raise ValueError(f"generator_loss must be one of {GENERATOR_LOSSES}, got {generator_loss!r}")
        if noise not in NOISE:
            raise ValueError(f"noise must be one of {NOISE}, got {noise!r}")
        for name, value in (("real_label", real_label), ("fake_label", fake_label)):
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {value!r}")
        if not isinstance(d_steps, int) or d_steps < 1:
            raise ValueError(f"d_steps must be a positive int, got {d_steps!r}")
        if ema_decay is not None and not 0.0 < ema_decay < 1.0:
            raise ValueError(f"ema_decay must be None or in (0, 1), got {ema_decay!r}")
        if not r1_weight >= 0:
            raise ValueError(f"r1_weight must be >= 0 (0 turns the penalty off), got {r1_weight!r}")
        if simultaneous and d_steps != 1:
            raise ValueError(f"simultaneous updates make one discriminator update per step; got d_steps={d_steps}")
        self._check_models(generator, discriminator)
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(generator.inputs[0].shape[-1])
        self.generator_loss, self.noise = generator_loss, noise
        self.real_label, self.fake_label = float(real_label), float(fake_label)
        self.d_steps, self.ema_decay, self.r1_weight = d_steps, ema_decay, float(r1_weight)
        self.simultaneous = bool(simultaneous)
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.ema_generator = None
        if ema_decay is not None:
            self.ema_generator = keras.models.clone_model(generator)
            self.ema_generator.set_weights(generator.get_weights())
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.d_real_tracker = keras.metrics.Mean(name="d_real")
        self.d_fake_tracker = keras.metrics.Mean(name="d_fake")
        self.built = True  # both networks are built: the GAN's weights are theirs (and the optimizers')

    # --- construction checks -------------------------------------------------------------

    def _check_models(self, generator, discriminator):
        n = self.num_inputs
        for model, role, what in ((generator, "generator", "noise"), (discriminator, "discriminator", "image")):
            if len(model.inputs) != n:
                expected = f"[{what}, one-hot label]" if n == 2 else what
                raise ValueError(
                    f"{type(self).__name__} needs a {role} with {n} input(s) ({expected}); "
                    f"{model.name} has {len(model.inputs)}"
                )
        made, judged = _shape(generator.output)[1:], _shape(discriminator.inputs[0])[1:]
        if self._judged_shape(made) != judged:
            raise ValueError(
                f"the generator makes samples of shape {made} but the discriminator takes {judged}; "
                f"build the discriminator for {self._judged_shape(made)}"
            )
        if n == 2 and _shape(generator.inputs[1])[1:] != _shape(discriminator.inputs[1])[1:]:
            raise ValueError(
                f"the generator's label input {_shape(generator.inputs[1])[1:]} differs from the "
                f"discriminator's {_shape(discriminator.inputs[1])[1:]}; build both with the same num_classes"
            )

    def _judged_shape(self, made):
        """The shape of what the discriminator takes, for samples of shape `made`."""
        return made

    @property
    def sample_shape(self):
        return _shape(self.generator.output)[1:]

    # --- keras.Model API -------------------------------------------------------------------

    def compile(self, d_optimizer=None, g_optimizer=None, *, jit_compile=True, steps_per_execution=None, **kwargs):
        """Set one optimizer per network (default Adam 2e-4, beta_1 0.5) and compile the step.

        By default the step is XLA-compiled and 50 steps run per call (1 where the backend runs one:
        under a multi-replica tf.distribute strategy, on PyTorch; see `gan_lib.backends`), which is
        also how often callbacks and the progress bar see the logs.
        """
        self.d_optimizer = d_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5)
        self.g_optimizer = g_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5)
        if self.d_optimizer is self.g_optimizer:
            raise ValueError("the generator and the discriminator need two distinct optimizer objects")
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)
        if steps_per_execution is None:
            steps_per_execution = backends.steps_per_execution(DEFAULT_STEPS_PER_EXECUTION)
        super().compile(jit_compile=jit_compile, steps_per_execution=steps_per_execution, **kwargs)
        if not self.optimizer.built:  # Keras's own (compile's default) updates nothing here: no slots for it
            self.optimizer.build([])

    @property
    def metrics(self):
        # Listed here so that Keras resets them at the start of every epoch.
        return [self.d_loss_tracker, self.g_loss_tracker, self.d_real_tracker, self.d_fake_tracker]

    # Keras saves a SeedGenerator's state only for layers that own one, not for a Model attribute;
    # save it with the GAN so that a resumed run draws the same noise as an uninterrupted one.
    # The GAN owns no weights of its own (its networks and optimizers save theirs).
    def save_own_variables(self, store):
        store["noise_state"] = keras.ops.convert_to_numpy(self.seed_generator.state)

    def load_own_variables(self, store):
        self.seed_generator.state.assign(store["noise_state"])

    def call(self, inputs, training=False):
        return self.generator(inputs, training=training)

    def fit(self, x=None, *args, callbacks=None, **kwargs):
        """`keras.Model.fit`, after checking the data's shape against the generator's output.

        A NaN in either loss stops training and puts back the last finite generator weights.
        """
        self._check_data(x)
        steps, per_call = kwargs.get("steps_per_epoch"), self.steps_per_execution
        if steps is not None and steps % per_call:
            raise ValueError(
                f"steps_per_epoch={steps} is not a multiple of steps_per_execution={per_call}: "
                f"Keras would run {-(-steps // per_call) * per_call} steps; choose a multiple or compile "
                "with another steps_per_execution"
            )
        if hasattr(x, "element_spec"):
            kwargs.setdefault("shuffle", False)  # a stream of batches shuffles itself; Keras would only warn
        if isinstance(x, data.Stream):  # gan_lib.data's batches where TensorFlow is not the backend
            x = (batch if isinstance(batch, tuple) else (batch,) for batch in x)  # a generator of tuples, as fit() takes
        callbacks = list(callbacks or [])
        if not any(isinstance(c, NaNGuard) for c in callbacks):
            callbacks.append(NaNGuard())
        return super().fit(x, *args, callbacks=callbacks, **kwargs)

    def _check_data(self, x):
        samples, labels = _unpack(getattr(x, "element_spec", x))
        if samples is None:
            return
        have = _shape(samples)[1:]
        if have != self.sample_shape:
            raise ValueError(
                f"the data holds samples of shape {have} but the generator makes {self.sample_shape}; "
                "reshape the data or build the generator and discriminator for that shape"
            )
        if self.num_inputs == 2:
            want = _shape(self.generator.inputs[1])[1:]
            if labels is None or _shape(labels)[1:] != want:
                got = None if labels is None else _shape(labels)[1:]
                raise ValueError(
                    f"ConditionalGAN needs (images, one-hot labels) with labels of shape {want}, got {got}; "
                    "see gan_lib.data.image_dataset(images, labels)"
                )

    # --- the game --------------------------------------------------------------------------

    def _split(self, data):
        """Return (real samples, None): an unconditional GAN ignores any labels in the data."""
        return _unpack(data)[0], None

    def sample_noise(self, n):
        """Latent vectors for `n` samples, drawn from the model's seeded noise stream."""
        return backends.replica_share(self._draw_noise, n)

    def _draw_noise(self, n):
        shape = (n, self.latent_dim)
        if self.noise == "uniform":
            return keras.random.uniform(shape, -1.0, 1.0, seed=self.seed_generator)
        return keras.random.normal(shape, seed=self.seed_generator)

    def _condition(self, n, real_labels):
        """Labels the generator is asked for (none for an unconditional GAN)."""
        return None

    def _generator_inputs(self, n, condition):
        """What the generator makes `n` samples from: fresh noise, and the condition if there is one."""
        return self._inputs(self.sample_noise(n), condition)

    def _inputs(self, x, labels):
        if labels is None:
            return x
        return [ops.convert_to_tensor(x, "float32"), ops.convert_to_tensor(labels, "float32")]  # tensors both, as Keras wants

    def judge(self, samples, labels=None, training=True):
        """The discriminator's logits for a batch, in training mode unless told: what every update differentiates."""
        return self.discriminator(self._inputs(samples, labels), training=training)

    def judge_with_gradient_norms(self, samples, labels=None):
        """The logits on `samples` and |grad D(x)| at each (the norm over all that is judged at once:
        a sample, or a pack), differentiable in turn: what R1 and the gradient penalty are made of."""

        def total(x):  # the logits' sum: its gradient holds each logit's gradient at its own sample
            logits = self.judge(x, labels)
            return ops.sum(logits), logits

        (_, logits), grads = backends.input_value_and_grad(total, samples)
        grads = ops.reshape(grads, (ops.shape(logits)[0], -1))
        return logits, ops.sqrt(ops.sum(ops.square(grads), axis=1) + 1e-12)

    def discriminator_step(self, real, real_labels=None):
        """One discriminator update on a real batch and a generated one; the generator is untouched."""
        batch = ops.shape(real)[0]
        fake_labels = self._condition(batch, real_labels)
        fake = self.generator(self._generator_inputs(batch, fake_labels), training=True)

        def loss():
            losses, logs = self.discriminator_losses(real, fake, real_labels, fake_labels)
            return backends.global_mean(losses), (losses, logs)

        (_, (losses, logs)), grads = backends.value_and_grad(loss, self.discriminator.trainable_variables)
        self.d_optimizer.apply(grads, self.discriminator.trainable_variables)
        return losses, logs

    def discriminator_losses(self, real, fake, real_labels=None, fake_labels=None):
        """Per-example losses of the discriminator on a real and a generated batch, and the per-example
        values its step logs besides: D(x) and D(G(z))."""
        if self.r1_weight:
            real_logits, slopes = self.judge_with_gradient_norms(real, real_labels)
        else:
            real_logits = self.judge(real, real_labels)
        fake_logits = self.judge(fake, fake_labels)
        losses = discriminator_loss(real_logits, fake_logits, self.real_label, self.fake_label)
        if self.r1_weight:
            losses += 0.5 * self.r1_weight * ops.square(slopes)
        # The fake logits too: a simultaneous step's generator loss is made of them.
        return losses, {"d_real": ops.sigmoid(real_logits), "d_fake": ops.sigmoid(fake_logits), "fake_logits": fake_logits}

    def generator_losses(self, fake_logits):
        """Per-example generator losses from the discriminator's logits on generated samples."""
        return generator_loss(fake_logits, self.generator_loss)

    def generator_step(self, batch, real_labels=None):
        """One generator update through the discriminator, whose weights are read but not changed."""
        fake_labels = self._condition(batch, real_labels)
        given = self._generator_inputs(batch, fake_labels)

        def loss():
            fake = self.generator(given, training=True)
            losses = self.generator_losses(self.judge(fake, fake_labels))
            return backends.global_mean(losses), losses

        (_, losses), grads = backends.value_and_grad(loss, self.generator.trainable_variables)
        self.g_optimizer.apply(grads, self.generator.trainable_variables)
        if self.ema_generator is not None:
            self._update_ema()
        return losses

    def simultaneous_step(self, real, real_labels=None):
        """Both updates from one generated batch, as the TensorFlow DCGAN tutorial does: one generator pass
        per step instead of two, but the generator's update follows the discriminator as it was before its
        own update of this step, not after it."""
        batch = ops.shape(real)[0]
        fake_labels = self._condition(batch, real_labels)
        given = self._generator_inputs(batch, fake_labels)

        def losses():
            fake = self.generator(given, training=True)
            d_losses, d_logs = self.discriminator_losses(real, fake, real_labels, fake_labels)
            g_losses = self.generator_losses(d_logs["fake_logits"])
            means = (backends.global_mean(d_losses), backends.global_mean(g_losses))
            return means, (d_losses, d_logs, g_losses)

        players = (self.discriminator.trainable_variables, self.generator.trainable_variables)
        (_, (d_losses, d_logs, g_losses)), (d_grads, g_grads) = backends.values_and_grads(losses, players)
        self.d_optimizer.apply(d_grads, self.discriminator.trainable_variables)
        self.g_optimizer.apply(g_grads, self.generator.trainable_variables)
        if self.ema_generator is not None:
            self._update_ema()
        return d_losses, d_logs, g_losses

    def train_step(self, data):
        real, real_labels = self._split(data)
        if self.simultaneous:
            d_losses, d_logs, g_losses = self.simultaneous_step(real, real_labels)
        else:
            for _ in range(self.d_steps):
                d_losses, d_logs = self.discriminator_step(real, real_labels)
            g_losses = self.generator_step(ops.shape(real)[0], real_labels)
        logs = {"d_loss": d_losses, "g_loss": g_losses, **d_logs}  # of the last discriminator update
        for tracker in self.metrics:
            tracker.update_state(ops.mean(logs[tracker.name]))
        return {m.name: m.result() for m in self.metrics}

    def _update_ema(self):
        decay = ema_decay_at(ops.cast(self.g_optimizer.iterations, "float32"), self.ema_decay)
        for average, weight in zip(self.ema_generator.weights, self.generator.weights):
            average.assign(decay * average + (1.0 - decay) * ops.cast(weight, average.dtype))

    # --- sampling --------------------------------------------------------------------------

    @property
    def sampler(self):
        """The generator used for pictures and metrics: the moving average if there is one."""
        return self.ema_generator if self.ema_generator is not None else self.generator

    def generate(self, n=None, noise=None, labels=None, seed=0, averaged=True):
        """Samples in inference mode (see `generate`) from the sampler, or with `averaged=False`
        from the generator being trained (what the discriminator plays against)."""
        generator = self.sampler if averaged else self.generator
        return generate(generator, n, noise=noise, labels=labels, noise_kind=self.noise, seed=seed)

    def probe(self, real, noise, real_labels=None, fake_labels=None):
        """The state of the game on fixed inputs, in inference mode, changing no weight: the mean of
        D(x) on `real`, of D(G(z)) on `noise`, and the norm of the generator's gradient under each
        generator loss (the minimax one vanishes when the discriminator wins; see GENERATOR_LOSSES).
        A conditional GAN takes integer class labels for both; a packed one, multiples of `pack` samples."""
        if self.num_inputs == 2 and (real_labels is None or fake_labels is None):
            raise ValueError("a conditional GAN's probe needs real_labels and fake_labels: one integer class per sample")
        real_logits = self.judge(ops.convert_to_tensor(real, "float32"), self._one_hot(real_labels), training=False)
        gradients = {kind: self._generator_gradients(noise, kind, fake_labels) for kind in GENERATOR_LOSSES}
        fake_logits = gradients[GENERATOR_LOSSES[0]][0]
        result = {"d_real": float(ops.mean(ops.sigmoid(real_logits))), "d_fake": float(ops.mean(ops.sigmoid(fake_logits)))}
        for kind, (_, grads) in gradients.items():
            result[f"g_grad_{kind.replace('-', '_')}"] = float(_global_norm(grads))
        return result

    def generator_gradients(self, noise, kind=None, labels=None):
        """The gradient of the mean generator loss on fixed `noise`, one tensor per generator weight, in
        inference mode and changing no weight: the direction the next generator update would follow.
        `kind` is one of GENERATOR_LOSSES, or None for the game's own loss; `labels` are integer classes."""
        return self._generator_gradients(noise, kind, labels)[1]

    def _generator_gradients(self, noise, kind, labels=None):
        """The discriminator's logits on G(noise) and the gradient of the mean generator loss of `kind`."""
        if self.num_inputs == 2 and labels is None:
            raise ValueError("a conditional GAN's generator needs labels: one integer class per noise vector")
        labels = self._one_hot(labels)
        noise = ops.convert_to_tensor(noise, "float32")

        def loss():
            fake_logits = self.judge(self.generator(self._inputs(noise, labels), training=False), labels, training=False)
            losses = self.generator_losses(fake_logits) if kind is None else generator_loss(fake_logits, kind)
            return ops.mean(losses), fake_logits

        (_, fake_logits), grads = backends.value_and_grad(loss, self.generator.trainable_variables)
        return fake_logits, grads

    def _one_hot(self, labels):
        return None if labels is None else ops.one_hot(np.asarray(labels), self.num_classes)


class ConditionalGAN(GAN):
    """A GAN whose generator and discriminator both see a one-hot label (Mirza & Osindero 2014).

    Real images come with their true labels; generated ones with the labels the generator was
    asked for, drawn uniformly over the classes.
    """

    num_inputs = 2

    def __init__(self, generator, discriminator, **kwargs):
        super().__init__(generator, discriminator, **kwargs)
        self.num_classes = int(generator.inputs[1].shape[-1])

    def _split(self, data):
        return _unpack(data)

    def _draw_classes(self, n):
        return keras.random.randint((n,), 0, self.num_classes, seed=self.seed_generator)

    def _condition(self, n, real_labels):
        classes = backends.replica_share(self._draw_classes, n)
        return ops.one_hot(classes, self.num_classes)


class PackedGAN(GAN):
    """PacGAN (Lin et al. 2018): the discriminator judges `pack` samples at once, all real or all
    generated. A generator that keeps drawing the same few modes makes packs that look alike, which
    is easy to catch, so packing penalises mode collapse. The samples of a pack are stacked along
    their first axis: build the discriminator for a sample shape of (pack * n, ...)."""

    def __init__(self, generator, discriminator, *, pack=2, **kwargs):
        if not isinstance(pack, int) or pack < 1:
            raise ValueError(f"pack must be a positive int, got {pack!r}")
        self.pack = pack
        super().__init__(generator, discriminator, **kwargs)

    def _judged_shape(self, made):
        return (self.pack * made[0], *made[1:])

    def judge(self, samples, labels=None, training=True):
        """Logits for packs of `pack` consecutive samples: one logit per pack."""
        shape = self._judged_shape(self.sample_shape)
        return self.discriminator(ops.reshape(samples, (-1, *shape)), training=training)

    def _check_data(self, x):
        super()._check_data(x)
        batch = _shape(_unpack(getattr(x, "element_spec", x))[0])[0]
        if batch is not None and batch % self.pack:
            raise ValueError(f"the batch size {batch} is not a multiple of pack={self.pack}; choose one that is")


class WassersteinGAN(GAN):
    """WGAN-GP (Gulrajani et al. 2017): a critic that scores samples instead of classifying them.

    The critic minimises E[D(G(z))] - E[D(x)] + gp_weight * E[(|grad D(x_hat)| - 1)^2], where x_hat
    lies at a random point between a real and a generated sample; the penalty keeps the critic close
    to 1-Lipschitz, so that E[D(x)] - E[D(G(z))] (logged as `wasserstein`) estimates the Wasserstein
    distance. The generator minimises -E[D(G(z))]. `n_critic` critic updates per generator update
    reuse the step's real batch, as keras.io's WGAN-GP does. A conditional critic judges x_hat with
    the real sample's label.
    """

    def __init__(self, generator, critic, *, gp_weight=10.0, n_critic=5, **kwargs):
        js_options = {"generator_loss", "real_label", "fake_label", "d_steps", "r1_weight", "simultaneous"} & set(kwargs)
        if js_options:
            raise ValueError(
                f"{', '.join(sorted(js_options))}: options of the Jensen-Shannon game, not of WGAN-GP; "
                "a WassersteinGAN takes n_critic (critic updates per generator update) and gp_weight"
            )
        if not isinstance(n_critic, int) or n_critic < 1:
            raise ValueError(f"n_critic must be a positive int, got {n_critic!r}")
        if not gp_weight >= 0:
            raise ValueError(f"gp_weight must be >= 0, got {gp_weight!r}")
        super().__init__(generator, critic, d_steps=n_critic, **kwargs)
        self.gp_weight = float(gp_weight)
        self.wasserstein_tracker = keras.metrics.Mean(name="wasserstein")
        self.penalty_tracker = keras.metrics.Mean(name="gradient_penalty")

    @property
    def n_critic(self):
        return self.d_steps

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker, self.wasserstein_tracker, self.penalty_tracker]

    def discriminator_losses(self, real, fake, real_labels=None, fake_labels=None):
        """Per-example critic losses, with the Wasserstein estimate D(x) - D(G(z)) and the penalty."""
        real_scores = ops.mean(self.judge(real, real_labels), axis=-1)
        fake_scores = ops.mean(self.judge(fake, fake_labels), axis=-1)
        penalty = self.gradient_penalty(real, fake, real_labels)
        losses = fake_scores - real_scores + self.gp_weight * penalty
        return losses, {"wasserstein": real_scores - fake_scores, "gradient_penalty": penalty}

    def generator_losses(self, fake_logits):
        return -ops.mean(fake_logits, axis=-1)

    def probe(self, *args, **kwargs):
        """Not for a critic: D(x), D(G(z)) and the two generator losses belong to the Jensen-Shannon game."""
        raise ValueError(
            "probe (and TrainingHealth) measure the Jensen-Shannon game's D(x), D(G(z)) and generator losses; "
            "a WassersteinGAN's critic scores are not probabilities: watch its logged `wasserstein` and "
            "`gradient_penalty` instead (StepHistory, plotting.plot_history)"
        )

    def gradient_penalty(self, real, fake, labels=None):
        """Per-example (|grad D(x_hat)| - 1)^2 on random points between real and generated samples."""
        return ops.square(self.interpolate_gradient_norms(real, fake, labels) - 1.0)

    def interpolate_gradient_norms(self, real, fake, labels=None, seed=None):
        """|grad D(x_hat)| at x_hat = real + alpha (fake - real), one alpha ~ U(0, 1) per pair, the norm
        taken over all that the critic judges at once (a sample, or a pack). The alphas come from the
        training's noise stream, or with an integer `seed` from that seed alone (a measurement)."""
        real, fake = ops.convert_to_tensor(real, "float32"), ops.convert_to_tensor(fake, "float32")
        broadcast = (1,) * (len(real.shape) - 1)
        draw = self.seed_generator if seed is None else seed
        alpha = backends.replica_share(lambda n: keras.random.uniform((n, *broadcast), seed=draw), ops.shape(real)[0])
        return self.judge_with_gradient_norms(real + alpha * (fake - real), labels)[1]

    def critic_slopes(self, real, seed=0):
        """|grad D| at points between `real` samples and as many of the generator being trained, drawn with
        `seed`: the slope the penalty holds near 1, measured without touching the training's noise stream."""
        fake = self.generate(len(real), seed=seed, averaged=False)
        return ops.convert_to_numpy(self.interpolate_gradient_norms(real, fake, seed=seed))


class ConditionalWassersteinGAN(WassersteinGAN, ConditionalGAN):
    """WGAN-GP with a generator and a critic that both see a one-hot label (see ConditionalGAN)."""


class Pix2Pix(GAN):
    """Image-to-image translation (Isola et al. 2017, "pix2pix"): a conditional GAN whose condition is a picture.

    The generator turns an input picture x into an output G(x); the discriminator judges the pair (y, x) of
    the true target and its input against (G(x), x), patch by patch (see `models.patchgan_discriminator`).
    The generator minimises gan_weight * (the non-saturating cGAN loss) + l1_weight * |y - G(x)|, the L1
    distance averaged over pixels (the paper's lambda = 100). `gan_weight=0` is L1 regression alone (the
    discriminator still trains and watches, but the generator ignores it); a discriminator built with
    `sees_input=False` judges outputs without their inputs (the paper's unconditional "GAN" rows).
    The data are (input, target) pairs (`data.paired_dataset`); the generator's only noise is its dropout.
    """

    def __init__(self, generator, discriminator, *, l1_weight=100.0, gan_weight=1.0, **kwargs):
        noise_options = {"generator_loss", "d_steps", "noise", "r1_weight", "simultaneous"} & set(kwargs)
        if noise_options:
            raise ValueError(
                f"{', '.join(sorted(noise_options))}: options of the noise-driven games, not of pix2pix; "
                "a Pix2Pix takes l1_weight and gan_weight (and real_label, fake_label, ema_decay, seed)"
            )
        for name, value in (("l1_weight", l1_weight), ("gan_weight", gan_weight)):
            if not value >= 0:
                raise ValueError(f"{name} must be >= 0 (0 leaves its loss out), got {value!r}")
        if not l1_weight and not gan_weight:
            raise ValueError("l1_weight and gan_weight are both 0: the generator would have no loss; give one of them a weight")
        super().__init__(generator, discriminator, **kwargs)
        self.l1_weight, self.gan_weight = float(l1_weight), float(gan_weight)
        self.sees_input = len(discriminator.inputs) == 2
        self.latent_dim = None  # no z: the input picture takes its place
        self.l1_tracker = keras.metrics.Mean(name="l1")

    def _check_models(self, generator, discriminator):
        picture, made = _shape(generator.inputs[0])[1:], _shape(generator.output)[1:]
        if len(generator.inputs) != 1 or picture != made:
            raise ValueError(f"Pix2Pix needs a generator from one picture to a picture of its shape; {generator.name} "
                             f"takes {[_shape(i)[1:] for i in generator.inputs]} and makes {made}")
        judged = [_shape(i)[1:] for i in discriminator.inputs]
        if judged not in ([made], [made, made]):
            raise ValueError(f"Pix2Pix needs a discriminator of the output {made} (and, to see the input, the input "
                             f"{made}); {discriminator.name} takes {judged}")

    @property
    def metrics(self):
        return [*super().metrics, self.l1_tracker]

    def _check_data(self, x):
        inputs, targets = _unpack(getattr(x, "element_spec", x))
        if inputs is None or targets is None or _shape(inputs)[1:] != self.sample_shape or _shape(targets)[1:] != self.sample_shape:
            got = [None if t is None else _shape(t)[1:] for t in (inputs, targets)]
            raise ValueError(
                f"Pix2Pix trains on (input, target) pairs of pictures of shape {self.sample_shape}, got {got}; "
                "see gan_lib.data.paired_dataset(inputs, targets)"
            )

    def _split(self, data):
        """(targets, inputs): the real samples, and the pictures they are the translations of."""
        inputs, targets = _unpack(data)
        return targets, inputs

    def _condition(self, n, real_labels):
        return real_labels  # the fake is made from the same input as the real target it is judged against

    def _generator_inputs(self, n, condition):
        return condition

    def judge(self, samples, labels=None, training=True):
        """The discriminator's logits, one per patch, for outputs (with their inputs `labels` if it sees them)."""
        return self.discriminator(self._inputs(samples, labels if self.sees_input else None), training=training)

    def train_step(self, data):
        targets, inputs = self._split(data)
        d_losses, d_logs = self.discriminator_step(targets, inputs)
        g_losses, l1 = self.generator_step(inputs, targets)
        logs = {"d_loss": d_losses, "g_loss": g_losses, "l1": l1, **d_logs}
        for tracker in self.metrics:
            tracker.update_state(ops.mean(logs[tracker.name]))
        return {m.name: m.result() for m in self.metrics}

    def generator_step(self, inputs, targets):
        """One generator update on gan_weight * cGAN loss + l1_weight * L1; returns both per example."""

        def loss():
            outputs = self.generator(inputs, training=True)
            gan = self.generator_losses(self.judge(outputs, inputs))
            l1 = ops.mean(ops.abs(ops.convert_to_tensor(targets, "float32") - outputs), axis=(1, 2))
            return backends.global_mean(self.gan_weight * gan + self.l1_weight * l1), (gan, l1)

        (_, (gan, l1)), grads = backends.value_and_grad(loss, self.generator.trainable_variables)
        self.g_optimizer.apply(grads, self.generator.trainable_variables)
        if self.ema_generator is not None:
            self._update_ema()
        return gan, l1

    def generate(self, n=None, noise=None, labels=None, seed=0, averaged=True):
        """Outputs for the input pictures given as `noise` (in pix2pix a picture takes the place of z), in
        inference mode: dropout off. `sampling.translate` draws them with dropout on."""
        if noise is None:
            raise ValueError("Pix2Pix translates pictures: pass the input pictures as noise=..., e.g. data.corrupt(images)")
        if labels is not None:
            raise ValueError("Pix2Pix takes no class labels: its condition is the input picture")
        return translate(self.sampler if averaged else self.generator, noise)

    def probe(self, *args, **kwargs):
        """Not for pix2pix: the probe draws noise, and a translation network has none."""
        raise ValueError("probe (and TrainingHealth) draw noise for the generator; a Pix2Pix translates pictures: "
                         "watch its logged d_real, d_fake and l1 instead (StepHistory, plotting.plot_history)")


class SemiSupervisedGAN(GAN):
    """The semi-supervised GAN (Salimans et al. 2016): a discriminator that names the digit learns from a few
    labelled digits and from every unlabelled one.

    The discriminator outputs K class logits l (and the features of its last hidden layer); its real/fake
    logit is log Z, Z = sum_k exp(l_k), so D(x) = Z / (Z + 1) needs no output of its own. It minimises the
    cross-entropy of the classes on the labelled batch plus `unlabelled_weight` times the paper's unsupervised
    loss, half the GAN discriminator's loss on the unlabelled and generated batches. The generator matches the
    mean of those features on real digits (`generator_loss="feature-matching"`, the paper's) or maximises
    log D(G(z)) ("non-saturating"). The data are (unlabelled, labelled, one-hot labels) batches
    (`data.semi_supervised_dataset`); `classifier()` is the discriminator as a K-class classifier.
    """

    def __init__(self, generator, discriminator, *, generator_loss="feature-matching", unlabelled_weight=1.0, **kwargs):
        other_games = {"real_label", "fake_label", "r1_weight", "simultaneous"} & set(kwargs)
        if other_games:
            raise ValueError(f"{', '.join(sorted(other_games))}: options of the plain GAN, not of the semi-supervised one; "
                             "a SemiSupervisedGAN takes generator_loss and unlabelled_weight")
        if generator_loss not in SEMI_SUPERVISED_LOSSES:
            raise ValueError(f"generator_loss must be one of {SEMI_SUPERVISED_LOSSES}, got {generator_loss!r}")
        if not unlabelled_weight >= 0:
            raise ValueError(f"unlabelled_weight must be >= 0 (0: the labelled digits alone), got {unlabelled_weight!r}")
        super().__init__(generator, discriminator, **kwargs)
        self.generator_loss, self.unlabelled_weight = generator_loss, float(unlabelled_weight)
        self.num_classes = int(_shape(discriminator.outputs[0])[-1])
        self.supervised_tracker = keras.metrics.Mean(name="supervised")

    def _check_models(self, generator, discriminator):
        if len(generator.inputs) != 1 or len(discriminator.inputs) != 1 or len(discriminator.outputs) != 2:
            raise ValueError("SemiSupervisedGAN needs a generator of noise and a discriminator of an image with two outputs, "
                             "(class logits, features): see models.classifier_discriminator")
        made, judged = _shape(generator.output)[1:], _shape(discriminator.inputs[0])[1:]
        if made != judged:
            raise ValueError(f"the generator makes samples of shape {made} but the discriminator takes {judged}; "
                             f"build the discriminator for {made}")

    @property
    def metrics(self):
        return [*super().metrics, self.supervised_tracker]

    def _check_data(self, x):
        spec = getattr(x, "element_spec", x)
        if not isinstance(spec, (tuple, list)) or len(spec) != 3 or _shape(spec[0])[1:] != self.sample_shape \
                or _shape(spec[1])[1:] != self.sample_shape or _shape(spec[2])[1:] != (self.num_classes,):
            raise ValueError(f"SemiSupervisedGAN trains on (unlabelled images, labelled images, one-hot labels) batches of images "
                             f"of shape {self.sample_shape} and {self.num_classes} classes; see data.semi_supervised_dataset")

    def train_step(self, data):
        unlabelled, labelled, labels = data
        for _ in range(self.d_steps):
            d_losses, d_logs = self.discriminator_step(unlabelled, labelled, labels)
        g_losses = self.generator_step(unlabelled)
        logs = {"d_loss": d_losses, "g_loss": g_losses, **d_logs}
        for tracker in self.metrics:
            tracker.update_state(ops.mean(logs[tracker.name]))
        return {m.name: m.result() for m in self.metrics}

    def discriminator_step(self, unlabelled, labelled, labels):
        """One update on the supervised loss of the labelled batch and the unsupervised loss of the unlabelled and
        generated ones, the three judged in one pass (the discriminator has no BatchNorm to tell them apart)."""
        batch = ops.shape(unlabelled)[0]
        fake = self.generator(self.sample_noise(batch), training=True)
        judged = ops.concatenate([ops.convert_to_tensor(labelled, "float32"), unlabelled, fake])
        n = ops.shape(labelled)[0]

        def loss():
            class_logits, _ = self.discriminator(judged, training=True)
            supervised = supervised_loss(labels, class_logits[:n])
            real, fake_logit = real_logit(class_logits[n : n + batch]), real_logit(class_logits[n + batch :])
            unsupervised = 0.5 * discriminator_loss(real, fake_logit)
            total = backends.global_mean(supervised) + self.unlabelled_weight * backends.global_mean(unsupervised)
            return total, (supervised, unsupervised, real, fake_logit)

        (total, (supervised, unsupervised, real, fake_logit)), grads = backends.value_and_grad(loss, self.discriminator.trainable_variables)
        self.d_optimizer.apply(grads, self.discriminator.trainable_variables)
        losses = supervised + self.unlabelled_weight * unsupervised
        return losses, {"d_real": ops.sigmoid(real), "d_fake": ops.sigmoid(fake_logit), "supervised": supervised}

    def generator_step(self, unlabelled):
        """One generator update: feature matching against this unlabelled batch, or the non-saturating loss."""
        given = self.sample_noise(ops.shape(unlabelled)[0])
        real_features = self.discriminator(unlabelled, training=True)[1]

        def loss():
            logits, features = self.discriminator(self.generator(given, training=True), training=True)
            if self.generator_loss == "feature-matching":
                value = feature_matching(real_features, features)
                return value, ops.expand_dims(value, 0)
            losses = generator_loss(real_logit(logits))
            return backends.global_mean(losses), losses

        (_, losses), grads = backends.value_and_grad(loss, self.generator.trainable_variables)
        self.g_optimizer.apply(grads, self.generator.trainable_variables)
        if self.ema_generator is not None:
            self._update_ema()
        return losses

    def classifier(self):
        """The discriminator as a classifier: an image in [-1, 1] -> its K class logits (sharing its weights)."""
        return keras.Model(self.discriminator.input, self.discriminator.outputs[0], name="classifier")

    def probe(self, *args, **kwargs):
        """Not for the semi-supervised GAN: its discriminator's logits are the classes'."""
        raise ValueError("probe (and TrainingHealth) read a one-logit discriminator; a SemiSupervisedGAN's has K class "
                         "logits: watch its logged d_real, d_fake and supervised loss instead (StepHistory, plotting.plot_history)")
