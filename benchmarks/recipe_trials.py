"""Recipe trials: quality against steps, and speed side by side, for variants of the `mnist-gan` recipe.

    python benchmarks/recipe_trials.py speed [NAME ...] [--steps 1000] [--rounds 3]  # steps/s, interleaved
    python benchmarks/recipe_trials.py quality NAME [--every 2000] [--until N] [--ema D ...]
    python benchmarks/recipe_trials.py overhead [NAME] --steps 1000   # where `gan_lib train`'s time goes
    python benchmarks/recipe_trials.py table                          # rewrite recipe_trials.md

The committed table came from: `speed today b64 b32 b64-small-g b64-small --steps 300 --rounds 2`;
`quality b64-small`; `quality b64-small-g --every 3000`; `quality b64 --every 3000 --ema 0.9995 0.9998`;
`quality today --until 6000 --every 3000 --ema 0.999`; `quality b64-decay --every 3000`;
`quality cgan-b64 --every 4000`; `overhead today --steps 1000`; `quality lr16`;
`quality lr16-beta2 lr16-ttur --every 4000`; `quality g16-d8 g32-d8`. The DCGAN's rows:
`quality NAME --every 2000 --until 4000` for dc-today, dc-relu, dc-drop, dc-ttur, dc-b128, dc-tutorial, dc-r1,
dc-r1-smooth, dc-r1-w01, dc-r1-w01-2e3, dc-r1-relu, dc-r1-drop, dc-best and dc-sim; `--every 2500 --until 5000`
for dc-dense, dc-dense256, dc-dense256x2 (stopped at 2,500) and dc-dense256-d256; `quality dc-r1-relu-2e3
--every 2500 --until 20000`; `quality dc-recipe --every 2000 --until 16000`; `speed dc-recipe dc-sim dc-today
--steps 300 --rounds 3` (in `speed_dcgan`). Two candidates ran at a time on the 2-core machine.

`quality` trains a candidate once with its defaults and seed 0, and measures the generator that a
run of that many steps would keep (the moving average) every `--every` steps: with no learning-rate
schedule a snapshot at step k of a long run is exactly a k-step run, so one run gives a whole curve.
Measurement uses `metrics.mnist_report` on 10,000 samples, as `runs.measure` does; its time is not
counted as training. `speed` times every candidate in one process, repetitions interleaved, so that
the ratios hold even when other work shares the machine. Results accumulate in
benchmarks/recipe_trials_results.json (--results); `table` turns them into benchmarks/recipe_trials.md.
"""

import argparse
import datetime
import json
import os
import pathlib
import platform
import statistics
import time

STARTED = time.perf_counter()  # before TensorFlow's import: the overhead table counts it
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from gan_lib import metrics, recipes, training  # noqa: E402
from gan_lib.callbacks import global_step  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
TODAY = recipes.get("mnist-gan")
SMALL_G, SMALL_D = (128, 256, 512), (256, 128)
CANDIDATES = {
    "today": TODAY,
    "b64": TODAY.replace(batch_size=64, steps=12000, ema_decay=0.999),
    "b32": TODAY.replace(batch_size=32, steps=16000, ema_decay=0.999, g_learning_rate=4e-4, d_learning_rate=4e-4),
    "b64-small-g": TODAY.replace(batch_size=64, steps=16000, ema_decay=0.999, g_hidden=SMALL_G),
    "b64-small": TODAY.replace(batch_size=64, steps=12000, ema_decay=0.999, g_hidden=SMALL_G, d_hidden=SMALL_D),
    "b128-small": TODAY.replace(steps=8000, ema_decay=0.999, g_hidden=SMALL_G, d_hidden=SMALL_D),
    "b64-decay": TODAY.replace(batch_size=64, steps=9000, ema_decay=0.999),
    "cgan-b64": recipes.get("mnist-cgan").replace(batch_size=64),
    # Twice today's learning rate; with Adam's beta_2 0.99; with the discriminator's rate doubled again.
    "lr16": TODAY.replace(steps=12000, g_learning_rate=1.6e-3, d_learning_rate=1.6e-3),
    "lr16-beta2": TODAY.replace(steps=8000, g_learning_rate=1.6e-3, d_learning_rate=1.6e-3, beta_2=0.99),
    "lr16-ttur": TODAY.replace(steps=8000, g_learning_rate=1.6e-3, d_learning_rate=3.2e-3, beta_2=0.99),
    # Twice the batch at lr16's rate: more samples per second, fewer steps.
    "b256-lr16": TODAY.replace(batch_size=256, steps=8000, g_learning_rate=1.6e-3, d_learning_rate=1.6e-3),
    # The generator's rate twice and four times the discriminator's (which stays at today's).
    "g16-d8": TODAY.replace(steps=12000, g_learning_rate=1.6e-3),
    "g32-d8": TODAY.replace(steps=12000, g_learning_rate=3.2e-3),
}
# The DCGAN (notebook 04): the `mnist-dcgan` recipe of 2026-11 (before these trials) and one lever at a time,
# then the levers that won, together.
DCGAN = TODAY.replace(
    name="mnist-dcgan", network="dcgan", jit_compile=False, steps=3500, batch_size=64, g_hidden=(64, 32), d_hidden=(32, 64),
    g_learning_rate=2e-3, d_learning_rate=2e-3, ema_decay=0.999, snapshot_every=250, checkpoint_every=1000,
)
R1 = DCGAN.replace(g_learning_rate=1e-3, d_learning_rate=1e-3, r1_weight=1.0, real_label=1.0)
BEFORE_DENSE = R1.replace(r1_weight=0.1, g_learning_rate=2e-3, d_learning_rate=2e-3, g_activation="relu", steps=10000,
                          snapshot_every=500, checkpoint_every=2000)
CANDIDATES.update({
    "dc-today": DCGAN,
    "dc-drop": DCGAN.replace(d_dropout=0.3),  # the TensorFlow tutorial's dropout in the discriminator
    "dc-relu": DCGAN.replace(g_activation="relu"),  # the paper's ReLU in the generator
    "dc-b128": DCGAN.replace(batch_size=128),
    "dc-ttur": DCGAN.replace(g_learning_rate=5e-4),  # two time-scale rates: G a quarter of D
    # The tutorial's kernel, dropout and rate (Adam 1e-4, no label smoothing) at today's widths.
    "dc-tutorial": DCGAN.replace(kernel_size=5, d_dropout=0.3, g_learning_rate=1e-4, d_learning_rate=1e-4, real_label=1.0),
    # R1 (Mescheder et al. 2018): weight 1 at 1e-3 and no label smoothing (the note's best probe), then its weight.
    "dc-r1": R1,
    "dc-r1-w01": R1.replace(r1_weight=0.1),
    "dc-r1-w01-2e3": R1.replace(r1_weight=0.1, g_learning_rate=2e-3, d_learning_rate=2e-3),
    "dc-r1-relu": R1.replace(g_activation="relu"),
    "dc-r1-drop": R1.replace(d_dropout=0.3),
    "dc-r1-b128": R1.replace(batch_size=128),
    # The levers that won, together: R1 at 0.1, both rates 2e-3, ReLU in the generator; then today's recipe.
    "dc-best": R1.replace(r1_weight=0.1, g_learning_rate=2e-3, d_learning_rate=2e-3, g_activation="relu"),
    # The recipe before the hidden Dense layers (10,000 steps), measured to twice its steps.
    "dc-r1-relu-2e3": BEFORE_DENSE,
    "dc-recipe": recipes.get("mnist-dcgan"),
    # One generator pass per step (GAN.simultaneous_step, the tutorial's update); label smoothing kept with R1.
    "dc-sim": recipes.get("mnist-dcgan", simultaneous=True),  # today's recipe, one generator pass per step
    "dc-r1-smooth": R1.replace(real_label=0.9),
    # Hidden Dense layers (InfoGAN's MNIST networks have one of 1024 in each), added to dc-r1-relu-2e3.
    "dc-dense": BEFORE_DENSE.replace(g_dense=(1024,)),
    "dc-dense256": BEFORE_DENSE.replace(g_dense=(256,)),
    "dc-dense256x2": BEFORE_DENSE.replace(g_dense=(256, 256)),
    "dc-dense256-d256": BEFORE_DENSE.replace(g_dense=(256,), d_dense=(256,)),
})
# Candidates whose learning rates fall linearly to zero over their steps (not a Recipe field yet);
# on their curves only the last row is a run of that many steps.
LINEAR_DECAY = {"b64-decay"}

# What the committed results showed; kept by hand beside the generated tables.
FINDINGS = """\
## Findings

- Every faster variant learns less per step. At 12,000 steps: batch 64 with today's networks
  8.55 / 5.06 (score / Fréchet distance), batch 64 with the G 128-256-512 generator 8.32 / 9.11,
  batch 64 with both networks halved 8.27 / 9.24; the smaller generator reaches only 8.40 / 8.03 at
  15,000. Today's recipe is ahead of batch 64 at the same step (8.29 / 8.92 against 8.08 / 12.30 at
  6,000) and reached 8.90 / 3.08 at 16,000 (benchmarks/quality_results.md). Per second of training,
  batch 64 with today's networks is a little ahead (9,000 of its steps take the time of about 5,700 of
  today's: 8.39 / 7.18 against about 8.3 / 8.9), but no variant reaches the score bar (8.78) within
  its steps: none fits the time budget with the quality kept.
- The moving average is not the lever: `GAN._update_ema` warms up with decay (1 + t) / (10 + t), below
  0.9995 until step 18,000 and below 0.999 until 9,000, so `ema_decay` 0.9995 and 0.999 give the same
  generator up to step 9,000, and 0.9995 never takes effect in a 16,000-step run. Longer averages
  kept beside the run (rows marked \\*) were no better at 12,000 steps and worse earlier.
- Nor is a learning rate that falls linearly to zero: batch 64 over 9,000 steps ends at 7.86 / 17.9,
  against 8.39 / 7.18 at the same step with a constant rate.
- The conditional GAN keeps its bars at batch 64 (1.59x the steps per second): at its 8,000 steps
  9.49 / 3.17, conditional accuracy 0.961, worst class 0.922 (batch 128: 9.55 / 2.32, 0.968, 0.935).
- Twice today's learning rate (`lr16`, Adam 1.6e-3) learns a little more per step: 8.34 / 7.35 at
  6,000 steps (today 8.29 / 8.92), 8.61 / 4.02 at 10,000 and 8.72 / 4.17 at 12,000, short of the score
  bar that today's recipe passes at 16,000. One seed, and the bar not met at any measured step: today's
  recipe stays. Five minutes of the command line leave about 270 s of training (the overhead table:
  about 30 s of imports, compiling, measuring and pictures), about 9,500 steps of batch 128 here, where
  `lr16` scores about 8.6. Adam's beta_2 0.99 (`lr16-beta2`: 8.39 / 7.06 at 8,000 against `lr16`'s
  8.51 / 4.76) and a discriminator rate twice the generator's (`lr16-ttur`: 8.25 / 8.05) learn less.
- Nor is the generator's rate alone: G 1.6e-3 with the discriminator at today's 8e-4
  (`g16-d8`) is within 0.05 of `lr16`'s score from 4,000 steps on (8.56 / 5.03 at 8,000, 8.65 / 4.41 at
  10,000, 8.72 / 4.18 at 12,000, against 8.51 / 4.76, 8.61 / 4.02, 8.72 / 4.17); a generator rate four
  times the discriminator's (`g32-d8`, 3.2e-3) learns less (8.41 / 7.64 at 10,000, 8.60 / 6.14 at 12,000).
- Nor does a bigger batch save time: batch 256 at `lr16`'s rate makes 0.61x the steps per second of
  today's batch 128 (`speed today b256-lr16 --steps 400 --rounds 2`: 19.6 and 19.4 against 33.0 and
  31.1 steps/s, load 1.3-1.5), 1.22x the samples per second. Its quality was not measured: 270 s hold
  about 5,300 of its steps, as many samples as about 10,600 steps of batch 128, where `lr16` scores
  8.6-8.7; it would have to learn more per sample than batch 128 does.
- XLA's CPU options do not make today's step faster: `speed today --steps 400 --rounds 2` in one
  process per setting, each setting twice, taken in turn (load 1.2-1.9), measured with the defaults
  30.6-36.1 steps/s (median 32.5) and with `XLA_FLAGS` set to `--xla_cpu_use_xnnpack=true` 31.3-36.2
  (34.7), `--xla_cpu_use_onednn=true` 30.2-36.2 (34.7), `--xla_cpu_enable_fast_math=true` 31.6-35.4
  (34.5), `--xla_cpu_prefer_vector_width=256` 28.4-33.6 (32.0), `--xla_cpu_use_thunk_runtime=false`
  30.6-34.1 (32.5): at most 1.07x, within this machine's noise, far from the 1.7x the budget needs.
- `mixed_bfloat16` was not tried: it needs AVX512-BF16 or AMX, which this CPU lacks (see Machine).

## Findings: the DCGAN (notebook 04), score / Fréchet distance

- One lever at a time against the recipe of 2026-11 (`dc-today`: 6.98 / 25.9 at 4,000 steps): ReLU in the
  generator 7.25 / 21.7; dropout 0.3 in the discriminator 6.94 / 28.3; the generator at a quarter of the
  discriminator's rate 6.48 / 35.6; batch 128 (twice the images) 7.27 / 21.9; the TensorFlow tutorial's kernel 5,
  dropout and Adam 1e-4 5.05 / 73.1; R1 of weight 1 at Adam 1e-3 instead of label smoothing 7.27 / 22.4.
- Against R1 (`dc-r1`): weight 0.1 7.07 / 24.9; weight 0.1 at 2e-3 7.27 / 20.0; ReLU 7.25 / 20.9; dropout
  7.03 / 27.3; R1 0.1, 2e-3 and ReLU together (`dc-best`) 7.38 / 20.2. Measured along 20,000 steps
  (`dc-r1-relu-2e3`) it never got worse: 7.82 / 12.1 at 10,000, 8.04 / 9.43 at 20,000, still short of `mnist-gan`.
- Hidden Dense layers, as InfoGAN's MNIST networks have (Chen et al. 2016), added to `dc-r1-relu-2e3`
  (7.07 / 27.0 at 2,500 steps, 7.51 / 16.9 at 5,000): 1024 units in the generator 7.68 / 17.9 and 8.10 / 10.4;
  256 in the generator 7.68 / 16.9 and 8.04 / 10.5; two of 256 in the generator 7.71 / 25.6 at 2,500 (stopped
  there); 256 in each network 8.39 / 5.96 and 8.86 / 2.05. The discriminator's layer is the larger gain.
- The recipe (`dc-recipe`, 256 in each network) along twice its 8,000 steps: 8.80 / 2.61 at 4,000, 9.00 / 1.72 at
  8,000 (past `mnist-gan`'s 8.90 / 2.54), 9.04 / 1.48 at 12,000, 9.01 / 1.50 at 16,000:
  twice the steps, no loss of quality.
- Label smoothing 0.9 kept beside R1 (`dc-r1-smooth`): 7.10 / 24.2 at 4,000 steps against `dc-r1`'s
  7.27 / 22.4: R1 replaces it.
- One generator pass per step (`dc-sim`, `GAN(simultaneous=True)`, the tutorial's update) on the recipe:
  8.52 / 3.65 at 4,000 steps against 8.80 / 2.61, at 1.18x the steps per second (`speed dc-recipe dc-sim
  dc-today --steps 300 --rounds 3`, interleaved, load 2.1-2.5 with nothing else running: 21.7, 25.6 and 29.6
  steps/s, medians; 20.2-22.9, 23.6-28.1 and 27.8-32.1). Per second about even with the two-pass step, per
  step behind it: not adopted. The recipe's dense layers and R1 cost 0.73x the steps per second of the recipe of
  2026-11.
"""


def load():
    return os.getloadavg()[0]


def describe(recipe):
    lr = f"{recipe.g_learning_rate:g}" if recipe.g_learning_rate == recipe.d_learning_rate else (
        f"G {recipe.g_learning_rate:g} / D {recipe.d_learning_rate:g}"
    )
    g, d = "-".join(map(str, recipe.g_hidden)), "-".join(map(str, recipe.d_hidden))
    lr += " decaying linearly to 0" if recipe in (CANDIDATES[n] for n in LINEAR_DECAY) else ""
    lr += f" (beta_2 {recipe.beta_2:g})" if recipe.beta_2 != TODAY.beta_2 else ""
    described = f"batch {recipe.batch_size}, G {g}, D {d}, Adam {lr}, real label {recipe.real_label}, EMA {recipe.ema_decay}"
    if recipe.network.kind == "dcgan":
        extras = [f"R1 {recipe.r1_weight:g}" if recipe.r1_weight else "", f"G {recipe.g_activation}",
                  f"D dropout {recipe.d_dropout:g}" if recipe.d_dropout else "", f"kernel {recipe.kernel_size}",
                  f"G dense {'-'.join(map(str, recipe.g_dense))}" if recipe.g_dense else "",
                  f"D dense {'-'.join(map(str, recipe.d_dense))}" if recipe.d_dense else "",
                  "one generator pass per step" if recipe.simultaneous else ""]
        described = "DCGAN, " + described + ", " + ", ".join(e for e in extras if e)
    return described


class Quality(keras.callbacks.Callback):
    """Measures the sampler every `every` steps; keeps training time apart from measuring time.

    `extra_decays`: more moving averages of the generator, updated every call (`steps_per_execution`
    steps) with the decay raised to that power after a plain mean at the start (not `GAN`'s warm-up),
    and measured from `extra_from` on: longer or shorter averages of the same run, side by side.
    """

    def __init__(self, every, extra_decays=(), extra_from=0, n=10000):
        super().__init__()
        self.every, self.n, self.rows, self.measuring = every, n, [], 0.0
        self.extra_decays, self.extra_from = tuple(extra_decays), extra_from

    def on_train_begin(self, logs=None):
        if not hasattr(self, "start"):
            self.start, self.last = time.perf_counter(), 0
            self.averages = {d: self.model.generator.get_weights() for d in self.extra_decays}
            self.copy = keras.models.clone_model(self.model.generator) if self.extra_decays else None

    def on_train_batch_end(self, batch, logs=None):
        step = global_step(self.model)
        weights = self.model.generator.get_weights() if self.extra_decays else []
        for decay, average in self.averages.items():
            keep = min(decay ** (step - self.last), self.last / step)  # early on: the plain mean
            self.averages[decay] = [keep * a + (1 - keep) * w for a, w in zip(average, weights)]
        self.last = step
        if step % self.every:
            return
        began = time.perf_counter()
        seconds = began - self.start - self.measuring
        row = {"step": step, "train_seconds": round(seconds, 1), "load": round(load(), 2)}
        labels = np.arange(self.n) % 10 if self.model.num_inputs == 2 else None
        row.update(self.measure(self.model.generate(self.n, labels=labels), labels))
        if step >= self.extra_from:
            for decay, average in self.averages.items():
                self.copy.set_weights(average)
                row[f"ema {decay}"] = self.measure(training.generate(self.copy, self.n, noise_kind=self.model.noise))
        self.measuring += time.perf_counter() - began
        self.rows.append(row)
        print(f"  step {step}: {row}", flush=True)

    @staticmethod
    def measure(images, labels=None):
        report = metrics.mnist_report(images, labels_asked=labels)["generated"]
        row = {
            "classifier_score": round(report["classifier_score"], 3),
            "frechet_distance": round(report["frechet_distance"], 3),
            "class_balance": round(report["class_balance"], 4),
        }
        if labels is not None:  # a conditional GAN: how often the digit asked for comes out
            row["conditional_accuracy"] = round(report["conditional_accuracy"], 4)
            row["worst_class"] = round(min(report["conditional_accuracy_per_class"]), 4)
        return row


def quality(name, every, extra_decays=(), until=None):
    recipe = CANDIDATES[name].replace(steps=until or CANDIDATES[name].steps)
    keras.utils.set_random_seed(0)
    gan = recipes.build(recipe, seed=0)
    if name in LINEAR_DECAY:
        d_rate, g_rate = (
            keras.optimizers.schedules.PolynomialDecay(rate, recipe.steps, end_learning_rate=0.0)
            for rate in (recipe.d_learning_rate, recipe.g_learning_rate)
        )
        d_optimizer = keras.optimizers.Adam(d_rate, beta_1=recipe.beta_1)
        g_optimizer = keras.optimizers.Adam(g_rate, beta_1=recipe.beta_1)
        gan.compile(d_optimizer, g_optimizer, steps_per_execution=recipe.steps_per_execution)
    callback = Quality(every, extra_decays, extra_from=recipe.steps // 2)
    recipes.fit(gan, recipe, recipes.dataset(recipe, 0), [callback], verbose=0)
    return {"recipe": describe(recipe), "steps": recipe.steps, "curve": callback.rows, "diverged": gan.diverged}


class _Clock(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.times = []

    def on_train_batch_end(self, batch, logs=None):
        self.times.append(time.perf_counter())


def speed(names, steps, rounds):
    """Steps/s of each candidate: compiled and warmed up first, then `rounds` interleaved timed fits
    of `steps` steps, timed from the end of the first call to the end of the last."""
    fits = {}
    for name in names:
        recipe = CANDIDATES[name]
        keras.utils.set_random_seed(0)
        gan = recipes.build(recipe, seed=0)
        real = recipes.dataset(recipe, 0)
        began = time.perf_counter()
        gan.fit(real, epochs=1, steps_per_epoch=2 * recipe.steps_per_execution, verbose=0)
        print(f"  {name}: compiled and warmed up in {time.perf_counter() - began:.1f} s", flush=True)
        fits[name] = (gan, real, recipe.steps_per_execution, [])
    for _ in range(rounds):
        for name, (gan, real, per_call, rates) in fits.items():
            clock = _Clock()
            gan.fit(real, epochs=1, steps_per_epoch=steps + per_call, verbose=0, callbacks=[clock])
            rates.append(steps / (clock.times[-1] - clock.times[0]))
            print(f"  {name}: {rates[-1]:.1f} steps/s (load {load():.2f})", flush=True)
    return {name: [round(r, 2) for r in rates] for name, (_, _, _, rates) in fits.items()}


def overhead(name, steps, out):
    """Seconds of each part of `runs.train` (what `python -m gan_lib train` runs), by wrapping the parts."""
    import functools

    from gan_lib import callbacks, plotting, runs

    seconds, clock = {}, _Clock()

    def timed(owner, attribute, label):
        function = getattr(owner, attribute)

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            began = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                seconds[label] = seconds.get(label, 0.0) + time.perf_counter() - began

        setattr(owner, attribute, wrapper)

    fit = recipes.fit

    def clocked_fit(gan, recipe, real, callbacks=(), *args, **kwargs):
        clock.start = time.perf_counter()
        return fit(gan, recipe, real, [*callbacks, clock], *args, **kwargs)

    recipes.fit = clocked_fit
    for owner, attribute, label in (
        (recipes, "build", "build the GAN"),
        (recipes, "dataset", "load MNIST, make the pipeline"),
        (recipes, "fit", "fit (compile + train)"),
        (callbacks.Snapshots, "take", "snapshots (in fit)"),
        (callbacks.Checkpoint, "on_epoch_end", "checkpoints (in fit)"),
        (metrics, "_mnist_reference", "real-data reference (in measure)"),
        (runs, "measure", "measure 10,000 samples"),
        (plotting, "save_picture", "samples.png"),
        (plotting, "save_gif", "progress.gif"),
        (plotting, "plot_history", "losses.png"),
        (plotting, "save_figure", "losses.png"),
    ):
        timed(owner, attribute, label)
    began = time.perf_counter()
    seconds["imports (TensorFlow, Keras, gan_lib)"] = began - STARTED
    report = runs.train(CANDIDATES[name].replace(steps=steps), out, verbose=0)
    seconds["runs.train, all"] = time.perf_counter() - began
    steady_call = (clock.times[-1] - clock.times[0]) / (len(clock.times) - 1)
    seconds["compile (in fit: first call less a steady one)"] = clock.times[0] - clock.start - steady_call
    return {"recipe": name, "steps": steps, "load": round(load(), 2), "speed": report["speed"],
            "seconds": {k: round(v, 2) for k, v in seconds.items()}}


def machine():
    flags = pathlib.Path("/proc/cpuinfo").read_text() if pathlib.Path("/proc/cpuinfo").exists() else ""
    bf16 = "yes" if "avx512_bf16" in flags or "amx_bf16" in flags else "no"
    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} logical CPUs, AVX512-BF16/AMX: {bf16}; "
        f"TensorFlow {tf.__version__}, Keras {keras.__version__}"
    )


def bars(name):
    """Whether a measured row reaches the bars of candidate `name`: the perceptron GAN's (90% of the real
    score, 10x real-vs-real), or for a DCGAN candidate `mnist-gan`'s committed 8.90 / 2.54 (issue: the DCGAN
    must beat the perceptron GAN)."""
    score, distance = (8.895, 2.537) if name.startswith("dc-") else (8.78, 8.44)
    return lambda row: row["classifier_score"] >= score and row["frechet_distance"] <= distance


def table(results):
    lines = [
        "# Recipe trials: the MNIST GANs (perceptron and DCGAN)",
        "",
        "Written by `benchmarks/recipe_trials.py`. Quality: `metrics.mnist_report` on 10,000 samples of",
        "the moving-average generator, seed 0, measured along one run per candidate (a snapshot at step k",
        "is a k-step run). Bars: classifier score >= 8.78 (90% of real 9.759), Fréchet distance <= 8.44",
        "(10x real-vs-real 0.844); for the DCGAN candidates (`dc-`), `mnist-gan`'s committed 8.895 and 2.537.",
        "Training seconds exclude measuring; they were taken on a shared, loaded",
        "machine (load average beside each row), so compare the speed table's ratios, not raw seconds.",
        "",
    ]
    speeds = results.get("speed", {})
    if speeds:
        base = statistics.median(speeds["rates"]["today"]) if "today" in speeds["rates"] else None
        lines += [
            f"## Speed, side by side ({speeds['steps']} steps per timing, {speeds['rounds']} interleaved rounds, "
            f"load {speeds['load_before']} before, {speeds['load_after']} after)",
            "",
            "| candidate | recipe | steps/s, median (range) | vs today | its steps | projected time at today's 45 steps/s |",
            "|---|---|---:|---:|---:|---:|",
        ]
        for name, rates in speeds["rates"].items():
            recipe, median = CANDIDATES[name], statistics.median(rates)
            ratio = median / base if base else float("nan")
            projected = recipe.steps / (45.0 * ratio)
            lines.append(
                f"| {name} | {describe(recipe)} | {median:.1f} ({min(rates):.1f}–{max(rates):.1f}) | "
                f"{ratio:.2f}× | {recipe.steps} | {projected:.0f} s |"
            )
        lines.append("")
    for name, run in results.get("quality", {}).items():
        lines += [
            f"## Quality along one run: {name} ({run['recipe']})",
            "",
            "| step | training s | load | classifier score | Fréchet distance | class balance | bars |",
            "|---:|---:|---:|---:|---:|---:|:---:|",
        ]
        if name in LINEAR_DECAY:
            lines.insert(-2, "The rate falls to zero at the last step: only the last row is a run of that many steps.\n")
        if any(k.startswith("ema ") for row in run["curve"] for k in row):
            lines.insert(-2, "\\* another moving average of the same run, updated every 50 steps (see `Quality`).\n")
        reached = bars(name)
        for row in run["curve"]:
            ok = reached(row)
            labels = ""
            if "conditional_accuracy" in row:  # bars: >= 0.95 overall, >= 0.85 for the worst class
                ok = ok and row["conditional_accuracy"] >= 0.95 and row["worst_class"] >= 0.85
                labels = f" (conditional accuracy {row['conditional_accuracy']:.3f}, worst class {row['worst_class']:.3f})"
            lines.append(
                f"| {row['step']} | {row['train_seconds']} | {row['load']} | {row['classifier_score']:.3f} | "
                f"{row['frechet_distance']:.3f} | {row['class_balance']:.4f} | {'yes' if ok else 'no'}{labels} |"
            )
            for key in (k for k in row if k.startswith("ema ")):
                extra = row[key]
                ok = reached(extra)
                lines.append(
                    f"| {row['step']}, {key}* | | | {extra['classifier_score']:.3f} | "
                    f"{extra['frechet_distance']:.3f} | {extra['class_balance']:.4f} | {'yes' if ok else 'no'} |"
                )
        lines.append("")
    if "overhead" in results:
        run = results["overhead"]
        lines += [
            f"## Where the time of `python -m gan_lib train` goes ({run['recipe']}, {run['steps']} steps, "
            f"load {run['load']}, {run['speed']['steps_per_second']} steps/s)",
            "",
            "| part of runs.train | seconds |",
            "|---|---:|",
            *(f"| {part} | {value} |" for part, value in run["seconds"].items()),
            "",
            "Parts marked \"in\" are included in the line they name. Imports: from before TensorFlow's import",
            "to the call of `runs.train`, in this script (the command line imports about the same).",
            "",
        ]
    lines += [FINDINGS]
    lines += [f"Machine: {results.get('machine', machine())}. Updated {results.get('date', '')}.", ""]
    (HERE / "recipe_trials.md").write_text("\n".join(lines))
    print("\n".join(lines))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("speed", "quality", "overhead", "table"))
    parser.add_argument("names", nargs="*", help=f"candidates (default: all for speed): {', '.join(CANDIDATES)}")
    parser.add_argument("--steps", type=int, default=1000, help="steps per speed timing (a multiple of 50)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved speed repetitions")
    parser.add_argument("--every", type=int, default=2000, help="steps between quality measurements")
    parser.add_argument("--until", type=int, help="stop a quality run at this step (default: the recipe's steps)")
    parser.add_argument("--ema", type=float, nargs="*", default=(), help="more EMA decays to measure (quality)")
    parser.add_argument("--out", default="runs/recipe_trials_overhead", help="run folder (overhead)")
    parser.add_argument("--results", default=str(HERE / "recipe_trials_results.json"), help="where results accumulate")
    args = parser.parse_args()
    path = pathlib.Path(args.results)
    results = json.loads(path.read_text()) if path.exists() else {}
    if args.what == "speed":
        before = round(load(), 2)
        rates = speed(args.names or list(CANDIDATES), args.steps, args.rounds)
        results["speed"] = {"steps": args.steps, "rounds": args.rounds, "rates": rates, "load_before": before,
                            "load_after": round(load(), 2)}
    elif args.what == "overhead":
        results["overhead"] = overhead((args.names or ["today"])[0], args.steps, args.out)
    elif args.what == "quality":
        for name in args.names:
            results.setdefault("quality", {})[name] = quality(name, args.every, args.ema, args.until)
    if args.what != "table":
        results.update(machine=machine(), date=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(results, indent=1))
    table(results)


if __name__ == "__main__":
    main()
