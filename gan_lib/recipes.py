"""Recipes: the hyper-parameters of each notebook's GAN, shared by the notebook and the CLI.

`get("mnist-gan")` returns the defaults a notebook trains with; `get("mnist-gan", steps=20000)`
trains longer. `build(recipe)` returns the compiled GAN, `dataset(recipe)` its real data.
"""

import dataclasses

import keras

from gan_lib import data, models, training


@dataclasses.dataclass(frozen=True)
class Recipe:
    """Everything that defines one training run (seed aside)."""

    name: str
    steps: int
    batch_size: int
    latent_dim: int
    g_hidden: tuple
    d_hidden: tuple
    optimizer: str = "adam"  # "adam" (Adam with beta_1) or "rmsprop"
    g_learning_rate: float = 2e-4
    d_learning_rate: float = 2e-4
    beta_1: float = 0.5
    batch_norm: bool = True
    noise: str = "normal"
    real_label: float = 1.0
    fake_label: float = 0.0
    ema_decay: float = None
    conditional: bool = False
    steps_per_execution: int = training.DEFAULT_STEPS_PER_EXECUTION
    snapshot_every: int = 500
    checkpoint_every: int = 1000
    scale: float = 100.0  # the toy's x range

    @property
    def toy(self):
        return self.name == "toy"

    def replace(self, **changes):
        """A copy with some fields changed, checked like `get`."""
        return _checked(dataclasses.replace(self, **changes))


RECIPES = {
    "toy": Recipe(
        name="toy",
        steps=6000,
        batch_size=256,
        latent_dim=2,
        g_hidden=(16, 16),
        d_hidden=(16, 16),
        optimizer="rmsprop",
        g_learning_rate=1e-3,
        d_learning_rate=1e-3,
        batch_norm=False,
        noise="uniform",
        steps_per_execution=10,
        snapshot_every=300,
        checkpoint_every=1000,
    ),
    # Adam with beta_1 0.5 as in DCGAN (Radford et al. 2015), but 8e-4 instead of 2e-4: on a
    # minutes-long CPU budget the larger step learns about twice as fast, and the moving average
    # of the generator's weights (ema_decay) smooths out the jitter it brings. 16,000 steps is
    # about 3.5 minutes on a 2-core CPU.
    "mnist-gan": Recipe(
        name="mnist-gan",
        steps=16000,
        batch_size=128,
        latent_dim=100,
        g_hidden=(256, 512, 1024),
        d_hidden=(512, 256),
        g_learning_rate=8e-4,
        d_learning_rate=8e-4,
        real_label=0.9,
        ema_decay=0.9995,
        snapshot_every=1000,
        checkpoint_every=2000,
    ),
}
# The conditional GAN: the same networks and optimizers; the label makes the task easier, so it
# needs half the steps, and a shorter moving average suits the shorter run.
RECIPES["mnist-cgan"] = dataclasses.replace(
    RECIPES["mnist-gan"], name="mnist-cgan", steps=8000, ema_decay=0.999, conditional=True, snapshot_every=500
)


def _checked(recipe):
    for name in ("steps", "batch_size"):
        value = getattr(recipe, name)
        if not isinstance(value, int) or value <= 0:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    if recipe.steps % recipe.steps_per_execution:
        raise ValueError(
            f"steps must be a multiple of {recipe.steps_per_execution} (the steps run per call), got {recipe.steps}"
        )
    return recipe


def get(name, **changes):
    """The recipe called `name` ("toy", "mnist-gan", "mnist-cgan"), with optional changes."""
    if name not in RECIPES:
        raise ValueError(f"unknown recipe {name!r}; choose one of {', '.join(RECIPES)}")
    return RECIPES[name].replace(**changes)


def build_models(recipe):
    """The recipe's (generator, discriminator), made by the gan_lib.models builders."""
    if recipe.toy:
        mean, std = data.quadratic_moments(recipe.scale)
        return (
            models.toy_generator(recipe.latent_dim, recipe.g_hidden, mean, std),
            models.toy_discriminator(recipe.d_hidden, mean, std),
        )
    classes = data.NUM_CLASSES if recipe.conditional else None
    return (
        models.mlp_generator(recipe.latent_dim, recipe.g_hidden, batch_norm=recipe.batch_norm, num_classes=classes),
        models.mlp_discriminator(hidden=recipe.d_hidden, num_classes=classes),
    )


def optimizers(recipe):
    """(d_optimizer, g_optimizer): two separate optimizers, one per network."""
    if recipe.optimizer == "rmsprop":
        return keras.optimizers.RMSprop(recipe.d_learning_rate), keras.optimizers.RMSprop(recipe.g_learning_rate)
    return (
        keras.optimizers.Adam(recipe.d_learning_rate, beta_1=recipe.beta_1),
        keras.optimizers.Adam(recipe.g_learning_rate, beta_1=recipe.beta_1),
    )


def build(recipe, generator=None, discriminator=None, seed=None):
    """The compiled GAN (or ConditionalGAN) of a recipe, on its own models unless given others."""
    if generator is None or discriminator is None:
        generator, discriminator = build_models(recipe)
    kind = training.ConditionalGAN if recipe.conditional else training.GAN
    gan = kind(
        generator,
        discriminator,
        real_label=recipe.real_label,
        fake_label=recipe.fake_label,
        noise=recipe.noise,
        ema_decay=recipe.ema_decay,
        seed=seed,
    )
    d_optimizer, g_optimizer = optimizers(recipe)
    gan.compile(d_optimizer, g_optimizer, steps_per_execution=recipe.steps_per_execution)
    return gan


def dataset(recipe, seed=0, mnist=None, skip=0):
    """The recipe's endless stream of real batches (toy points, or MNIST images with labels if
    conditional), `skip` batches in: where a resumed run left off."""
    if recipe.toy:
        real = data.quadratic_dataset(recipe.batch_size, recipe.scale, seed=seed)
    else:
        mnist = mnist or data.load_mnist()
        labels = mnist.y_train if recipe.conditional else None
        real = data.image_dataset(mnist.x_train, labels, recipe.batch_size, seed=seed)
    return real.skip(skip) if skip else real


def steps_per_epoch(recipe):
    """Steps between checkpoints: the largest divisor of `steps` not above `checkpoint_every`
    that is a whole number of calls (`steps_per_execution`)."""
    per_call = recipe.steps_per_execution
    top = min(recipe.checkpoint_every, recipe.steps)
    return max(k for k in range(per_call, top + 1, per_call) if recipe.steps % k == 0)


def fit(gan, recipe, real, callbacks=(), initial_epoch=0, verbose="auto"):
    """Train for `recipe.steps` in epochs of `steps_per_epoch(recipe)`, the unit a resume restarts from."""
    per_epoch = steps_per_epoch(recipe)
    return gan.fit(
        real,
        epochs=recipe.steps // per_epoch,
        steps_per_epoch=per_epoch,
        initial_epoch=initial_epoch,
        callbacks=list(callbacks),
        verbose=verbose,
    )
