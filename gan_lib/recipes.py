"""Recipes: everything that defines a training run, shared by the notebooks and the command line.

A recipe holds the fields every run has (steps, batch, the optimizers and their rates, the moving average, how
often to snapshot and checkpoint) beside three small groups of options: its task (the kind of data,
`gan_lib.tasks`), its networks and its game (`gan_lib.options`). `get("mnist-gan")` returns the defaults a
notebook trains with; `get("mnist-gan", steps=20000)` trains longer. Every option keeps one flat name, routed
to the group that holds it: `get("grid", pack=2)`, `recipe.replace(gp_weight=0.0)`, `recipe.real_label`.
`build(recipe)` returns the compiled GAN, `dataset(recipe)` its real data. A new recipe is one entry in RECIPES.
"""

import dataclasses
import itertools
import json

import keras

from gan_lib import backends, environment, options, tasks, training
from gan_lib.options import ACTIVATIONS, GAMES, NETWORKS  # noqa: F401 - what the command line offers

OPTIMIZERS = ("adam", "rmsprop", "sgd")
LR_DECAYS = (None, "cosine")
GROUPS = {"task": tasks.TASKS, "network": NETWORKS, "game": GAMES}  # a recipe's three groups and their kinds


class ForeignOption(ValueError):
    """An option that no group of the recipe holds; the message names the group that does."""

    def __init__(self, name, recipe_name, groups):
        self.option = name
        owners = [f"the {kind} {cls.group}" for registry in GROUPS.values() for kind, cls in registry.items() if name in cls.names()]
        mine = ", ".join(f"the {group.kind} {group.group}" for group in groups)
        where = f"an option of {' or '.join(owners)}" if owners else "no option of any recipe"
        super().__init__(f"{name} is {where}; {recipe_name} has {mine}")


@dataclasses.dataclass(frozen=True)
class Recipe:
    """Everything that defines one training run (seed aside): its groups, then the fields every run has."""

    name: str
    task: tasks.Task
    network: options.Options
    game: options.Options
    steps: int
    batch_size: int
    latent_dim: int  # the size of z (0 where the generator's input is a picture: pix2pix)
    noise: str = "normal"  # z's distribution, one of training.NOISE
    optimizer: str = "adam"  # one of OPTIMIZERS: Adam with beta_1, RMSprop, or SGD with momentum
    g_learning_rate: float = 2e-4
    d_learning_rate: float = 2e-4
    beta_1: float = 0.5  # Adam only
    beta_2: float = 0.999  # Adam only
    momentum: float = 0.0  # SGD only
    lr_decay: str = None  # None (constant) or "cosine": from the learning rate down to 0 at the last step
    d_steps: int = 1  # discriminator (critic) updates per generator update
    ema_decay: float = None  # a moving average of the generator's weights, for sampling (None: none)
    jit_compile: bool = True  # XLA: faster for the perceptrons; on a CPU, far slower for convolutions
    steps_per_execution: int = training.DEFAULT_STEPS_PER_EXECUTION
    snapshot_every: int = 500
    checkpoint_every: int = 1000

    def __post_init__(self):
        _check(self)

    def __getattr__(self, name):
        """A group's option by its flat name: `recipe.real_label` is `recipe.game.real_label`."""
        if name.startswith("__") or name in ("task", "network", "game"):
            raise AttributeError(name)
        for group in (self.task, self.network, self.game):
            if name in group.names():
                return getattr(group, name)
        raise AttributeError(f"{self.name}: {ForeignOption(name, self.name, self.groups)}")

    @property
    def groups(self):
        return (self.task, self.network, self.game)

    @property
    def points(self):
        """Whether samples are 2-D points rather than pictures."""
        return self.task.points

    def fields(self):
        """Every option as a flat dict: the common fields, each group's kind and its options."""
        common = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name not in GROUPS}
        kinds = {"task": self.task.kind, "network": self.network.kind, "game": self.game.kind}
        return {**common, **kinds, **{k: v for group in self.groups for k, v in group.fields().items()}}

    def config(self):
        """The recipe as JSON-ready values, each group with its kind: what run.json stores."""
        common = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name not in GROUPS}
        return {**json.loads(json.dumps(common)), **{group: getattr(self, group).config() for group in GROUPS}}

    def replace(self, **changes):
        """A copy with some options changed, each by its flat name, checked like `get`. A group changes kind by
        name (`network="dcgan"`, `game="wgan-gp"`), keeping the options both kinds share."""
        common = {f.name for f in dataclasses.fields(self)} - set(GROUPS)
        groups = {name: getattr(self, name) for name in GROUPS}
        for name in GROUPS:
            if name in changes:
                groups[name] = _switched(groups[name], changes.pop(name), GROUPS[name])
        by_group = {name: {} for name in GROUPS}
        for option in [k for k in changes if k not in common]:
            owner = next((name for name, group in groups.items() if option in group.names()), None)
            if owner is None:
                raise ForeignOption(option, changes.get("name", self.name), tuple(groups.values()))
            by_group[owner][option] = changes.pop(option)
        groups = {name: dataclasses.replace(group, **by_group[name]) if by_group[name] else group for name, group in groups.items()}
        return dataclasses.replace(self, **changes, **groups)

    @classmethod
    def from_config(cls, config):
        """The recipe a run.json (or a shipped file) holds, in today's layout or in the flat one of runs written
        before recipes had groups (every option at the top level)."""
        config = {k: v for k, v in config.items() if k not in ("seed", "backend")}
        if not isinstance(config.get("task"), dict):
            config = _grouped(config)
        groups = {name: GROUPS[name][config[name]["kind"]](**{k: v for k, v in config[name].items() if k != "kind"}) for name in GROUPS}
        common = {k: v for k, v in config.items() if k not in GROUPS}
        return cls(**common, **groups)


def _switched(group, kind, registry):
    """`group` as another kind of its registry (given by name), with the options both kinds hold."""
    if isinstance(kind, options.Options):
        return kind
    if kind not in registry:
        raise ValueError(f"{group.group} must be one of {', '.join(registry)}, got {kind!r}")
    new = registry[kind]
    return group if new is type(group) else new(**{k: v for k, v in group.fields().items() if k in new.names()})


def _grouped(flat):
    """A flat run configuration (the layout before recipes had groups) as today's: the task, networks and game
    it trained, each with the options that kind holds (the others had no effect on the run)."""
    game = flat.get("game", "gan")
    if flat.get("name") == "toy":
        task = {"kind": "curve", "scale": flat.get("scale", 100.0)}
    elif flat.get("mixture"):
        task = {"kind": "mixture", "mixture": flat["mixture"]}
    elif game == "pix2pix":
        task = {"kind": "pairs", "corruption": flat.get("corruption", "bottom-half")}
    else:
        task = {"kind": "digits", "conditional": bool(flat.get("conditional", False))}
    grouped = {"task": task}
    for name, kind in (("network", flat.get("network", "mlp")), ("game", game)):
        cls = GROUPS[name][kind]
        grouped[name] = {"kind": kind, **{k: flat[k] for k in cls.names() if k in flat}}
    common = {f.name for f in dataclasses.fields(Recipe)} - set(GROUPS)
    return {**{k: v for k, v in flat.items() if k in common}, **grouped}


def _check(recipe):
    """The checks that span the groups and the common fields (each group checks its own)."""
    if recipe.network.kind not in recipe.task.networks:
        raise ValueError(f"the {recipe.task.kind} task takes {' or '.join(recipe.task.networks)} networks, got {recipe.network.kind}")
    if recipe.game.inputs != recipe.task.inputs:
        raise ValueError(f"the {recipe.game.kind} game's generator draws from {recipe.game.inputs}, the {recipe.task.kind} "
                         f"task's from {recipe.task.inputs}: choose a game that plays on the task")
    for name in ("steps", "batch_size", "d_steps", "steps_per_execution"):
        value = getattr(recipe, name)
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    if recipe.task.inputs == "noise" and (not isinstance(recipe.latent_dim, int) or recipe.latent_dim <= 0):
        raise ValueError(f"latent_dim must be a positive int, got {recipe.latent_dim!r}")
    if recipe.task.inputs != "noise" and recipe.latent_dim != 0:
        raise ValueError(f"the {recipe.task.kind} task's generator draws from {recipe.task.inputs}, not from z: latent_dim must be 0, got {recipe.latent_dim!r}")
    for name in ("g_learning_rate", "d_learning_rate"):
        if not getattr(recipe, name) > 0:
            raise ValueError(f"{name} must be positive, got {getattr(recipe, name)!r}")
    for name in ("beta_1", "beta_2", "momentum"):
        if not 0.0 <= getattr(recipe, name) < 1.0:
            raise ValueError(f"{name} must be in [0, 1), got {getattr(recipe, name)!r}")
    if recipe.lr_decay not in LR_DECAYS:
        raise ValueError(f"lr_decay must be one of {LR_DECAYS}, got {recipe.lr_decay!r}")
    if recipe.optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, got {recipe.optimizer!r}")
    if recipe.noise not in training.NOISE:
        raise ValueError(f"noise must be one of {', '.join(training.NOISE)}, got {recipe.noise!r}")
    if recipe.ema_decay is not None and not 0.0 < recipe.ema_decay < 1.0:
        raise ValueError(f"ema_decay must be None or in (0, 1), got {recipe.ema_decay!r}")
    for group in recipe.groups:
        group.check_recipe(recipe)


RECIPES = {
    "toy": Recipe(
        name="toy",
        task=tasks.QuadraticCurve(),
        network=options.Perceptrons(g_hidden=(16, 16), d_hidden=(16, 16), batch_norm=False),
        game=options.GanGame(),
        steps=6000,
        batch_size=256,
        latent_dim=2,
        noise="uniform",
        optimizer="rmsprop",
        g_learning_rate=1e-3,
        d_learning_rate=1e-3,
        steps_per_execution=10,
        snapshot_every=300,
        checkpoint_every=1000,
    ),
    # Adam with beta_1 0.5 as in DCGAN (Radford et al. 2015), but 8e-4 instead of 2e-4, for a
    # minutes-long CPU budget, with a moving average of the generator's weights (ema_decay) for
    # sampling. 16,000 steps is about nine minutes on a 2-core CPU (benchmarks/quality_results.md).
    "mnist-gan": Recipe(
        name="mnist-gan",
        task=tasks.Digits(),
        network=options.Perceptrons(g_hidden=(256, 512, 1024), d_hidden=(512, 256)),
        game=options.GanGame(real_label=0.9),
        steps=16000,
        batch_size=128,
        latent_dim=100,
        g_learning_rate=8e-4,
        d_learning_rate=8e-4,
        ema_decay=0.9995,
        snapshot_every=1000,
        checkpoint_every=2000,
    ),
}
# The conditional GAN: the same networks and optimizers; the label makes the task easier, so it
# needs half the steps. Its ema_decay of 0.999 takes effect only at update 8,990 (losses.ema_decay_at), after
# the run's 8,000: the warm-up sets the average's span throughout, about the last ninth of the steps so far.
# Batch 64 makes 1.6x the steps per second of batch 128 on a 2-core CPU and still meets every quality bar at
# 8,000 steps (benchmarks/recipe_trials.md).
RECIPES["mnist-cgan"] = RECIPES["mnist-gan"].replace(name="mnist-cgan",
    steps=8000,
    batch_size=64,
    ema_decay=0.999,
    conditional=True,
    snapshot_every=500,
)
# The plain GAN on the mode-collapse benchmark's mixtures (ring: 8 modes, grid: 25): small LeakyReLU
# perceptrons from 2-D normal noise. A moving average of the generator and a learning rate that
# decays to zero sharpen the points around each mode, where the benchmark's 3-std radius is tight.
# The ring's generator has a fourth hidden layer (the paper's has four): the samples the benchmark
# misses lie on bridges between modes, where the generator must jump, and a deeper network of LeakyReLU
# pieces jumps more steeply. With three layers benchmarks/modes.py measured (ten seeds) 7.5 modes, 92.6 %
# of high quality and reverse KL 0.22 for `ring`, 8.0, 93.1 % and 0.004 for `ring-pacgan`; 30,000 steps
# or batch 512 with three layers gave packed seed 1 at most 94.6 %, four layers 96.8 % in 20,000 steps.
RECIPES["ring"] = Recipe(
    name="ring",
    task=tasks.GaussianMixture("ring"),
    network=options.Perceptrons(g_hidden=(128, 128, 128, 128), d_hidden=(128, 128, 128), batch_norm=False),
    game=options.GanGame(),
    steps=20000,
    batch_size=256,
    latent_dim=2,
    g_learning_rate=1e-3,
    d_learning_rate=1e-3,
    lr_decay="cosine",
    ema_decay=0.999,
    snapshot_every=1000,
    checkpoint_every=5000,
)
RECIPES["grid"] = RECIPES["ring"].replace(name="grid", mixture="grid", g_hidden=(128, 128, 128))
# PacGAN2 (Lin et al. 2018): the same networks and schedule, the discriminator judging packs of two.
RECIPES["ring-pacgan"] = RECIPES["ring"].replace(name="ring-pacgan", pack=2)
RECIPES["grid-pacgan"] = RECIPES["grid"].replace(name="grid-pacgan", pack=2)
# The plain grid GAN from uniform noise on a square, of which the 5 x 5 grid is a tiling (from normal
# noise the outer modes must come from the Gaussian's thin tails). With `grid`'s networks and rates it
# covered 21.3 modes over ten seeds (85.6 % of high quality). A fourth hidden layer at equal rates
# (seeds 0-4: 20.2 modes, 93.3 %) missed whole rows or columns of the grid, the generator folding the
# square into four strips instead of five; a generator slower than the discriminator (7e-4 against
# 1e-3) keeps the fifth: 23.6 modes, 87.7 %, reverse KL 0.27 over ten seeds, the runs that fall short
# missing single modes. A slower discriminator instead (5e-4 or 7e-4) covered all 25 modes on some
# seeds and none on others, where it never told the grid from the generator's even spread over the
# square (its loss stayed at log 4).
RECIPES["grid-uniform"] = RECIPES["grid"].replace(name="grid-uniform", noise="uniform", g_hidden=(128, 128, 128, 128), g_learning_rate=7e-4
)
# The project's best grid recipe: `grid-uniform`'s noise and four-layer generator, both networks at
# 1e-3, batch 128, and R1 (Mescheder et al. 2018) of weight 1, a penalty on the discriminator's
# gradient at real samples that keeps it from winning: in `train grid-r1`'s history its loss stays
# between 1.33 and 1.40, about log 4 = 1.39, the loss of a discriminator that cannot tell. On the two
# seeds where `grid-uniform` lost most modes (4: 22, 7: 20) it covered all 25, with reverse KL 0.005 and
# 0.009 and 92.7 and 92.1 % of high quality; R1 alone already stops the collapse (`grid`, normal noise
# and three layers, kept all 25 modes on both seeds, at 87 %). benchmarks/modes.py measured 25.0
# modes, 92.1 % and reverse KL 0.008 over ten seeds at 20,000 steps (61 s per run), and 25.0, 94.1 %
# and 0.007 at 26,000 (about 85 s). Batch 128 pays for the penalty's second pass through the
# discriminator.
RECIPES["grid-r1"] = RECIPES["grid"].replace(name="grid-r1",
    noise="uniform",
    g_hidden=(128, 128, 128, 128),
    batch_size=128,
    steps=26000,
    r1_weight=1.0,
)
# R1 alone: `grid` with `grid-r1`'s penalty and nothing else of it (normal noise, three layers, batch 256,
# 20,000 steps), so that the benchmark separates what the penalty does from what the rest of `grid-r1` does.
RECIPES["grid-r1-alone"] = RECIPES["grid"].replace(name="grid-r1-alone", r1_weight=1.0)
# Notebook 05's failures, on the ring, each shown in most seeds (benchmarks/failures.py measures five):
# - a discriminator that wins: five discriminator updates per generator update, at ten times the generator's
#   rate, no schedule and no moving average, 1,000 steps (train it with --generator-loss minimax, and without);
# - oscillation: both networks at 3e-3, constant, no moving average, 2,400 steps; the notebook sets it beside
#   1e-3 constant and 1e-3 decaying to 0, one change at a time.
RECIPES["ring-unfair"] = RECIPES["ring"].replace(name="ring-unfair", steps=1000, d_steps=5, g_learning_rate=1e-4, lr_decay=None, ema_decay=None,
    snapshot_every=250, checkpoint_every=1000,
)
RECIPES["ring-fast"] = RECIPES["ring"].replace(name="ring-fast", steps=2400, g_learning_rate=3e-3, d_learning_rate=3e-3, lr_decay=None,
    ema_decay=None, snapshot_every=150, checkpoint_every=2400,
)
# WGAN-GP (Gulrajani et al. 2017) on the grid: `grid-r1`'s uniform noise, networks, batch, rates, cosine
# decay and moving average, with the critic's loss and penalty instead of R1; Adam's beta_2 0.9 as in the
# paper, and the penalty's weight 0.1 of the paper's toy experiments (their gan_toy.py: "smaller lambda
# seems to help for toy tasks"; on seed 0 over 10,000 steps, 1.0 and 0.01 did no better). Two critic
# updates per generator update instead of the paper's five: for the same seconds the generator then
# makes more updates, and their number is what places the samples on the modes (seed 0: 11 % of high
# quality after 4,000 steps with five, 34 % after 10,000 and 81 % after 20,000 with two). One critic
# update per generator update lost all but 3 or 4 modes.
RECIPES["grid-wgan"] = RECIPES["grid-r1"].replace(name="grid-wgan",
    game="wgan-gp",
    d_steps=2,
    gp_weight=0.1,
    beta_2=0.9,
)
# WGAN-GP on MNIST: notebook 02's networks, the paper's penalty weight 10 and Adam beta_2 0.9, at batch 64.
# Of the settings tried for a few minutes on a 2-core CPU (seed 0: five critic updates per generator
# update at 1e-4, as in the paper; two at 5e-4 and at 1e-3; one with the generator at 2e-4), one critic
# update at 1e-3 for both networks lowered the Fréchet distance fastest. Its 11,000 steps take about
# 4 minutes and reach a classifier score of 7.7 and a Fréchet distance of 18, short of the bars that
# notebook 02's GAN meets (8.8 and 8.4) in 16,000 steps.
RECIPES["mnist-wgan"] = RECIPES["mnist-gan"].replace(name="mnist-wgan",
    game="wgan-gp",
    steps=11000,
    batch_size=64,
    g_learning_rate=1e-3,
    d_learning_rate=1e-3,
    beta_2=0.9,
    ema_decay=0.999,
    snapshot_every=500,
)

# DCGAN (Radford et al. 2015) on MNIST: transposed convolutions with BatchNorm and the paper's ReLU in the
# generator, strided convolutions in the discriminator, Adam with beta_1 0.5, networks narrower than the TensorFlow
# tutorial's (generator 64-32 channels against its 256-128-64, discriminator 32-64 against 64-128), batch 64.
# Two departures, each measured one at a time in benchmarks/recipe_trials.md (seed 0, 10,000 samples):
# - R1 (Mescheder et al. 2018) of weight 0.1 instead of label smoothing lets both networks learn at 2e-3, where
#   the recipe without it got worse with more steps (6.94 / 26.1 at 3,500 steps, 6.82 / 33.4 at 12,000);
#   with it and ReLU the score and Fréchet distance kept improving to 20,000 steps (8.04 / 9.43).
# - One hidden Dense layer of 256 in each network, as InfoGAN's MNIST networks have (of 1024; Chen et al. 2016):
#   8.86 / 2.05 at 5,000 steps against 7.51 / 16.9 without (the generator's alone: 8.04 / 10.5).
# Without XLA: on a CPU, XLA runs these convolutions at a seventh of the speed when several steps share a call
# (gan_lib's fast path) and no faster than TensorFlow's own at one step per call (benchmarks/speed_results.md).
RECIPES["mnist-dcgan"] = RECIPES["mnist-gan"].replace(name="mnist-dcgan",
    network="dcgan",
    jit_compile=False,
    steps=8000,
    batch_size=64,
    g_hidden=(64, 32),
    d_hidden=(32, 64),
    g_activation="relu",
    g_dense=(256,),
    d_dense=(256,),
    g_learning_rate=2e-3,
    d_learning_rate=2e-3,
    r1_weight=0.1,
    real_label=1.0,
    ema_decay=0.999,
    snapshot_every=500,
    checkpoint_every=2000,
)
# The conditional DCGAN: the label given to both networks (as mnist-cgan to mnist-gan), with the convolutions,
# rates and R1 of mnist-dcgan but without its hidden Dense layers, 10,000 steps: measured so (quality benchmark,
# three seeds: Fréchet distance 1.53 to 1.68 against mnist-cgan's 3.04 to 3.34 at its 8,000 steps), it draws
# digits closer to real ones than mnist-cgan. Without the label the same networks and schedule reach 7.82 / 12.1 at 10,000 steps
# (recipe_trials' dc-r1-relu-2e3): told the digit, the DCGAN needs no hidden Dense layer.
RECIPES["mnist-cdcgan"] = RECIPES["mnist-dcgan"].replace(name="mnist-cdcgan", conditional=True, g_dense=(), d_dense=(), steps=10000
)

# pix2pix (Isola et al. 2017) on MNIST: the bottom half of each digit hidden, to be drawn from the top half.
# A small U-Net (28 -> 14 -> 7 -> a 1 x 1 bottleneck and back, skip connections, dropout) against a PatchGAN
# whose 4 x 4 logits each see 22 x 22 pixels of the (output, input) pair; L1 weighted 100 and the cGAN loss 1,
# Adam with beta_1 0.5, as in the paper. Measured at 3,000 steps, seed 0 (Fréchet distance / evaluator accuracy
# on the 10,000 test digits; four runs sharing the 2-core CPU): the paper's 2e-4 learns slowly in so few steps
# (2,000 steps: L1 alone 18.1 / 0.865, L1 + cGAN 16.3 / 0.858); at 1e-3 L1 alone reached 8.09 / 0.903, and
# L1 + cGAN 6.24 / 0.902 with 10-pixel patches, 4.56 / 0.910 with 22-pixel ones, 3.47 / 0.913 judging the
# whole image. 22-pixel patches keep the PatchGAN's grid of judgements (notebook 07 shows the patch sizes
# side by side). Without XLA, as the DCGAN: on a CPU its convolutions run slower in it.
RECIPES["mnist-pix2pix"] = Recipe(
    name="mnist-pix2pix",
    task=tasks.DigitPairs("bottom-half"),
    network=options.UNet(g_hidden=(32, 64, 128), d_hidden=(32, 64, 128), patch_size=22),
    game=options.Pix2PixGame(),
    jit_compile=False,
    steps=3000,
    batch_size=64,
    latent_dim=0,
    g_learning_rate=1e-3,
    d_learning_rate=1e-3,
    snapshot_every=250,
    checkpoint_every=1000,
)

# The semi-supervised GAN (Salimans et al. 2016) on MNIST with 100 labels: the paper's networks (discriminator
# 1000-500-250-250-250 with Gaussian noise, generator 500-500 with BatchNorm) without weight normalization,
# batch 100 labelled beside 100 unlabelled digits, uniform noise, feature matching, Adam with beta_1 0.5 at 1e-3
# decaying to 0 (the paper's 3e-3 diverged here without weight normalization). benchmarks/sgan.py, three seeds:
# test error 4.9 to 7.5 % after 4,000 steps (about four minutes on 2 CPU cores), still falling at the last step;
# the same discriminator on the 100 labels alone 21.7 to 24.9 %.
RECIPES["mnist-sgan"] = Recipe(
    name="mnist-sgan",
    task=tasks.FewLabels(labels=100),
    network=options.ClassifierPerceptrons(),
    game=options.SemiSupervisedGame(),
    steps=4000,
    batch_size=100,
    latent_dim=100,
    noise="uniform",
    g_learning_rate=1e-3,
    d_learning_rate=1e-3,
    lr_decay="cosine",
    snapshot_every=500,
    checkpoint_every=1000,
)


def get(name, **changes):
    """The recipe called `name` (one of RECIPES: "toy", "mnist-gan", ...), with optional changes by flat name."""
    if name not in RECIPES:
        raise ValueError(f"unknown recipe {name!r}; choose one of {', '.join(RECIPES)}")
    return RECIPES[name].replace(**changes)


def build_models(recipe):
    """The recipe's (generator, discriminator), made by its task from the gan_lib.models builders."""
    return recipe.task.build_models(recipe)


def optimizer(recipe, learning_rate, updates):
    """One optimizer of the recipe's kind at `learning_rate`, decayed over its `updates` in the run
    if the recipe says so."""
    if recipe.lr_decay == "cosine":
        learning_rate = keras.optimizers.schedules.CosineDecay(learning_rate, updates)
    if recipe.optimizer == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate)
    if recipe.optimizer == "sgd":
        return keras.optimizers.SGD(learning_rate, momentum=recipe.momentum)
    return keras.optimizers.Adam(learning_rate, beta_1=recipe.beta_1, beta_2=recipe.beta_2)


def optimizers(recipe):
    """(d_optimizer, g_optimizer): two separate optimizers, one per network."""
    return (
        optimizer(recipe, recipe.d_learning_rate, recipe.steps * recipe.d_steps),
        optimizer(recipe, recipe.g_learning_rate, recipe.steps),
    )


def on_this_backend(recipe):
    """The recipe as Keras's backend runs it. `jit_compile` and `steps_per_execution` are TensorFlow's
    choices; JAX compiles every step with XLA (without it, it would run op by op), and Keras's PyTorch
    backend runs one step per call, without torch.compile (which cannot take R1's gradient of a gradient)."""
    if backends.BACKEND == "jax":
        return recipe.replace(jit_compile=True)
    if backends.BACKEND == "torch":
        return recipe.replace(jit_compile=False, steps_per_execution=1)
    return recipe


def build(recipe, generator=None, discriminator=None, seed=None):
    """The compiled GAN of a recipe (the class its game plays: GAN, ConditionalGAN, PackedGAN, WassersteinGAN,
    Pix2Pix), on its own models unless given others."""
    if generator is None or discriminator is None:
        generator, discriminator = build_models(recipe)
    gan = recipe.game.make(generator, discriminator, recipe, seed)
    d_optimizer, g_optimizer = optimizers(recipe)
    recipe = on_this_backend(recipe)
    gan.compile(d_optimizer, g_optimizer, jit_compile=recipe.jit_compile, steps_per_execution=recipe.steps_per_execution)
    return gan


def dataset(recipe, seed=0, mnist=None, skip=0):
    """The recipe's endless stream of real batches (its task's: toy points, MNIST images with labels if
    conditional, (input, target) pairs for pix2pix), `skip` batches in: where a resumed run left off."""
    real = recipe.task.dataset(recipe, seed, mnist=mnist)
    return real.skip(skip) if skip else real


def epochs(recipe):
    """The lengths of the epochs that make up `recipe.steps`, paired with the steps run per call.

    An epoch is the unit a checkpoint saves and a resume restarts from: whole calls of
    `steps_per_execution` steps, at most `checkpoint_every` steps long. Steps that do not fill a
    whole epoch, or a whole call, run as shorter epochs at the end, so any number of steps works.
    """
    per_call = on_this_backend(recipe).steps_per_execution
    per_epoch = max(per_call, recipe.checkpoint_every // per_call * per_call)
    full, rest = divmod(recipe.steps, per_epoch)
    lengths = [(per_epoch, per_call)] * full
    if rest >= per_call:
        lengths.append((rest // per_call * per_call, per_call))
    if rest % per_call:
        lengths.append((rest % per_call, rest % per_call))
    return lengths


def fit(gan, recipe, real, callbacks=(), initial_epoch=0, verbose="auto"):
    """Train for `recipe.steps`, epoch by epoch as `epochs(recipe)` lays them out, starting at
    `initial_epoch` (a resumed run); one `fit()` call per run of equal epochs."""
    schedule = epochs(recipe)
    per_call = gan.steps_per_execution
    own_progbar = any(isinstance(c, keras.callbacks.ProgbarLogger) for c in callbacks)  # a caller's replaces ours
    quiet = _QuietFirstCall()
    callbacks = [*callbacks, quiet]
    epoch = initial_epoch
    try:
        for (length, steps_per_call), group in itertools.groupby(schedule[initial_epoch:]):
            count = len(list(group))
            if steps_per_call != gan.steps_per_execution:
                # A short last call: Keras makes a new train function for the new count.
                gan.steps_per_execution, gan.train_function = steps_per_call, None
            done = steps_before(recipe, epoch) - steps_before(recipe, initial_epoch)
            gan.fit(
                real.skip(done) if done else real,  # each fit() starts the stream anew: go on where the last stopped
                epochs=epoch + count,
                steps_per_epoch=length,
                initial_epoch=epoch,
                callbacks=[*callbacks] if own_progbar else [*callbacks, _RunProgbar(len(schedule))],
                verbose=verbose,
            )
            epoch += count
            if gan.stop_training:  # the NaN guard stopped a diverging run
                break
    finally:
        quiet.close()
        if gan.steps_per_execution != per_call:
            gan.steps_per_execution, gan.train_function = per_call, None
    return gan.history


class _QuietFirstCall(keras.callbacks.Callback):
    """TensorFlow's C++ log filtered (`environment.QuietTensorFlowLog`) from the start of each fit() to the end
    of its first call of the train function, which is when TensorFlow compiles and optimises the step."""

    def __init__(self):
        super().__init__()
        self.quiet = None

    def on_train_begin(self, logs=None):
        self.quiet = environment.QuietTensorFlowLog().__enter__()

    def on_train_batch_end(self, batch, logs=None):
        self.close()

    def on_train_end(self, logs=None):
        self.close()

    def close(self):
        if self.quiet is not None:
            self.quiet.close()
            self.quiet = None


class _RunProgbar(keras.callbacks.ProgbarLogger):
    """Keras's progress bar, its "Epoch i/n" counted over the whole run rather than one fit() call."""

    def __init__(self, epochs):
        super().__init__()
        self.run_epochs = epochs

    def set_params(self, params):
        super().set_params(params)
        self.epochs = self.run_epochs


def steps_before(recipe, epoch):
    """Steps done once `epoch` epochs of `epochs(recipe)` are done: where a resumed run starts."""
    return sum(length for length, _ in epochs(recipe)[:epoch])
