"""The option groups a recipe is made of: one small frozen dataclass per kind of networks and per game.

A recipe (`gan_lib.recipes`) holds the fields every run has beside three groups: its task (the kind of data,
`gan_lib.tasks`), its networks and its game. Each group knows its own options and checks them when made; a
recipe's `run.json` holds the options of its own groups only. A new game is one class here, registered in
GAMES, that says which training class plays it (`make`); new networks are one class in NETWORKS.
"""

import dataclasses
from typing import ClassVar

from gan_lib import models, training

ACTIVATIONS = {"leaky_relu": 0.2, "relu": 0.0}  # the generator's hidden activation: its negative slope


@dataclasses.dataclass(frozen=True)
class Options:
    """A group of options, checked when made; `kind` names it in recipes, run.json and messages."""

    kind: ClassVar[str] = ""
    group: ClassVar[str] = ""  # "task", "networks" or "game"

    def __post_init__(self):
        for field in dataclasses.fields(self):  # JSON gives lists where the options hold tuples
            if isinstance(getattr(self, field.name), list):
                object.__setattr__(self, field.name, tuple(getattr(self, field.name)))
        self.check()

    def check(self):
        """Raise ValueError, saying what to do, if an option is out of range."""

    def check_recipe(self, recipe):
        """Raise ValueError if the recipe's other fields do not fit these options (a game's, say)."""

    def fields(self):
        """The options as a dict of plain values."""
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}

    def config(self):
        """The options as JSON-ready values, with the kind first: what run.json stores."""
        return {"kind": self.kind, **{k: list(v) if isinstance(v, tuple) else v for k, v in self.fields().items()}}

    @classmethod
    def names(cls):
        return {field.name for field in dataclasses.fields(cls)}


def _positive_int(name, value):
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{name} must be a positive int, got {value!r}")


def _fraction(name, value, high_included=False):
    if not (0.0 <= value <= 1.0 if high_included else 0.0 <= value < 1.0):
        raise ValueError(f"{name} must be in [0, 1{']' if high_included else ')'}, got {value!r}")


# --- Networks ---------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Perceptrons(Options):
    """Dense networks: hidden layer sizes of each, BatchNorm in the generator, the generator's activation,
    dropout in the discriminator."""

    kind: ClassVar[str] = "mlp"
    group: ClassVar[str] = "networks"
    g_hidden: tuple = (256, 512, 1024)
    d_hidden: tuple = (512, 256)
    batch_norm: bool = True
    g_activation: str = "leaky_relu"  # one of ACTIVATIONS
    d_dropout: float = 0.0  # dropout after each hidden layer of the discriminator, in training only

    def check(self):
        if self.g_activation not in ACTIVATIONS:
            raise ValueError(f"g_activation must be one of {', '.join(ACTIVATIONS)}, got {self.g_activation!r}")
        _fraction("d_dropout", self.d_dropout)


@dataclasses.dataclass(frozen=True)
class Convolutions(Options):
    """DCGAN networks (Radford et al. 2015): channel widths, kernels, and hidden dense layers before the
    generator's 7 x 7 map and before the discriminator's logit (InfoGAN's: (1024,))."""

    kind: ClassVar[str] = "dcgan"
    group: ClassVar[str] = "networks"
    g_hidden: tuple = (64, 32)
    d_hidden: tuple = (32, 64)
    g_activation: str = "leaky_relu"  # one of ACTIVATIONS (the DCGAN paper's: "relu")
    d_dropout: float = 0.0
    kernel_size: int = 4  # the TensorFlow tutorial's: 5
    g_dense: tuple = ()
    d_dense: tuple = ()

    def check(self):
        if self.g_activation not in ACTIVATIONS:
            raise ValueError(f"g_activation must be one of {', '.join(ACTIVATIONS)}, got {self.g_activation!r}")
        _fraction("d_dropout", self.d_dropout)
        _positive_int("kernel_size", self.kernel_size)


@dataclasses.dataclass(frozen=True)
class UNet(Options):
    """pix2pix's networks: a U-Net generator and a PatchGAN discriminator whose logits each see `patch_size`
    pixels, of the (output, input) pair or, with d_sees_input=False, of the output alone."""

    kind: ClassVar[str] = "unet"
    group: ClassVar[str] = "networks"
    g_hidden: tuple = (32, 64, 128)
    d_hidden: tuple = (32, 64, 128)
    kernel_size: int = 4
    patch_size: int = 10  # one of models.PATCH_SIZES
    d_sees_input: bool = True

    def check(self):
        _positive_int("kernel_size", self.kernel_size)
        if self.patch_size not in models.PATCH_SIZES:
            raise ValueError(f"patch_size must be one of {', '.join(map(str, models.PATCH_SIZES))}, got {self.patch_size!r}")


@dataclasses.dataclass(frozen=True)
class ClassifierPerceptrons(Options):
    """The semi-supervised GAN's dense networks (Salimans et al. 2016): a generator of `g_hidden` with BatchNorm,
    and a discriminator that classifies (models.classifier_discriminator) with Gaussian noise on its pixels
    (`input_noise`) and after each hidden layer (`hidden_noise`)."""

    kind: ClassVar[str] = "classifier-mlp"
    group: ClassVar[str] = "networks"
    g_hidden: tuple = (500, 500)
    d_hidden: tuple = (1000, 500, 250, 250, 250)
    g_activation: str = "relu"
    input_noise: float = 0.3
    hidden_noise: float = 0.5

    def check(self):
        if self.g_activation not in ACTIVATIONS:
            raise ValueError(f"g_activation must be one of {', '.join(ACTIVATIONS)}, got {self.g_activation!r}")
        for name in ("input_noise", "hidden_noise"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name} must be >= 0 (0: no noise), got {getattr(self, name)!r}")


NETWORKS = {kind.kind: kind for kind in (Perceptrons, Convolutions, UNet, ClassifierPerceptrons)}


# --- Games --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class GanGame(Options):
    """The Jensen-Shannon game of Goodfellow et al. (training.GAN): its generator loss, the targets (a real
    label of 0.9 is one-sided label smoothing), R1, simultaneous updates, and packing (PacGAN)."""

    kind: ClassVar[str] = "gan"
    group: ClassVar[str] = "game"
    inputs: ClassVar[str] = "noise"  # what the generator draws from (a task's `inputs` must match)
    generator_loss: str = "non-saturating"
    real_label: float = 1.0
    fake_label: float = 0.0
    r1_weight: float = 0.0  # R1: the weight of |grad D(x)|^2 on real samples (0 is none)
    simultaneous: bool = False  # both updates from one generated batch (GAN.simultaneous_step)
    pack: int = 1  # samples the discriminator judges at once (PacGAN); 1 is the plain game

    def check(self):
        if self.generator_loss not in training.GENERATOR_LOSSES:
            raise ValueError(f"generator_loss must be one of {', '.join(training.GENERATOR_LOSSES)}, got {self.generator_loss!r}")
        _fraction("real_label", self.real_label, high_included=True)
        _fraction("fake_label", self.fake_label, high_included=True)
        if not self.r1_weight >= 0:
            raise ValueError(f"r1_weight must be >= 0 (0 turns the penalty off), got {self.r1_weight!r}")
        _positive_int("pack", self.pack)

    def check_recipe(self, recipe):
        if self.simultaneous and recipe.d_steps != 1:
            raise ValueError(f"simultaneous updates make one discriminator update per step; got d_steps={recipe.d_steps}")
        if recipe.batch_size % self.pack:
            raise ValueError(f"batch_size must be a multiple of pack={self.pack}, got {recipe.batch_size}")

    @property
    def targets(self):
        """(real, fake): the discriminator's targets, whose mean its outputs sit at when it cannot tell."""
        return self.real_label, self.fake_label

    def make(self, generator, discriminator, recipe, seed):
        """The keras.Model that plays this game on the recipe's networks."""
        options = dict(generator_loss=self.generator_loss, real_label=self.real_label, fake_label=self.fake_label,
                       d_steps=recipe.d_steps, r1_weight=self.r1_weight, simultaneous=self.simultaneous)
        kind = training.GAN
        if recipe.task.conditional:
            kind = training.ConditionalGAN
        elif self.pack > 1:
            kind, options = training.PackedGAN, {"pack": self.pack, **options}
        return kind(generator, discriminator, **options, noise=recipe.noise, ema_decay=recipe.ema_decay, seed=seed)


@dataclasses.dataclass(frozen=True)
class WassersteinGame(Options):
    """WGAN-GP (Gulrajani et al. 2017, training.WassersteinGAN): a critic, and the weight of its gradient penalty;
    the recipe's d_steps are its critic updates per generator update."""

    kind: ClassVar[str] = "wgan-gp"
    group: ClassVar[str] = "game"
    inputs: ClassVar[str] = "noise"
    pack: ClassVar[int] = 1  # the critic judges one sample at a time
    gp_weight: float = 10.0

    targets: ClassVar[tuple] = (1.0, 0.0)  # a critic scores instead: its plot draws the estimate, not these

    def check(self):
        if not self.gp_weight >= 0:
            raise ValueError(f"gp_weight must be >= 0, got {self.gp_weight!r}")

    def make(self, generator, discriminator, recipe, seed):
        kind = training.ConditionalWassersteinGAN if recipe.task.conditional else training.WassersteinGAN
        return kind(generator, discriminator, n_critic=recipe.d_steps, gp_weight=self.gp_weight, noise=recipe.noise,
                    ema_decay=recipe.ema_decay, seed=seed)


@dataclasses.dataclass(frozen=True)
class Pix2PixGame(Options):
    """pix2pix (Isola et al. 2017, training.Pix2Pix): the generator's loss is gan_weight times the cGAN loss plus
    l1_weight times the L1 distance to the truth (the paper's lambda = 100)."""

    kind: ClassVar[str] = "pix2pix"
    group: ClassVar[str] = "game"
    inputs: ClassVar[str] = "pictures"
    pack: ClassVar[int] = 1
    l1_weight: float = 100.0
    gan_weight: float = 1.0  # 0: L1 alone
    real_label: float = 1.0
    fake_label: float = 0.0

    def check(self):
        for name in ("l1_weight", "gan_weight"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name} must be >= 0 (0 leaves its loss out), got {getattr(self, name)!r}")
        if not self.l1_weight and not self.gan_weight:
            raise ValueError("l1_weight and gan_weight are both 0: the generator would have no loss; give one of them a weight")
        _fraction("real_label", self.real_label, high_included=True)
        _fraction("fake_label", self.fake_label, high_included=True)

    def check_recipe(self, recipe):
        if recipe.d_steps != 1:
            raise ValueError("a pix2pix recipe makes one discriminator and one generator update per step: leave d_steps at 1")

    @property
    def targets(self):
        return self.real_label, self.fake_label

    def make(self, generator, discriminator, recipe, seed):
        return training.Pix2Pix(generator, discriminator, l1_weight=self.l1_weight, gan_weight=self.gan_weight,
                                real_label=self.real_label, fake_label=self.fake_label, ema_decay=recipe.ema_decay, seed=seed)


@dataclasses.dataclass(frozen=True)
class SemiSupervisedGame(Options):
    """The semi-supervised GAN (Salimans et al. 2016, training.SemiSupervisedGAN): the generator's loss
    (feature matching, the paper's, or non-saturating) and the weight of the unlabelled digits' loss."""

    kind: ClassVar[str] = "sgan"
    group: ClassVar[str] = "game"
    inputs: ClassVar[str] = "noise"
    pack: ClassVar[int] = 1
    targets: ClassVar[tuple] = (1.0, 0.0)
    generator_loss: str = "feature-matching"
    unlabelled_weight: float = 1.0  # 0: the labelled digits alone, the baseline a student tries first

    def check(self):
        if self.generator_loss not in training.SEMI_SUPERVISED_LOSSES:
            raise ValueError(f"generator_loss must be one of {', '.join(training.SEMI_SUPERVISED_LOSSES)}, got {self.generator_loss!r}")
        if not self.unlabelled_weight >= 0:
            raise ValueError(f"unlabelled_weight must be >= 0 (0: the labelled digits alone), got {self.unlabelled_weight!r}")

    def check_recipe(self, recipe):
        if recipe.task.kind != "few-labels":
            raise ValueError(f"the sgan game trains a classifier from a few labels: it plays on the few-labels task, not {recipe.task.kind}")

    def make(self, generator, discriminator, recipe, seed):
        return training.SemiSupervisedGAN(generator, discriminator, generator_loss=self.generator_loss, unlabelled_weight=self.unlabelled_weight,
                                          d_steps=recipe.d_steps, noise=recipe.noise, ema_decay=recipe.ema_decay, seed=seed)


GAMES = {kind.kind: kind for kind in (GanGame, WassersteinGame, Pix2PixGame, SemiSupervisedGame)}
