"""The same GANs on Keras's backends: training steps per second of each recipe's own compiled step.

    python benchmarks/backend_speed.py [--backends tensorflow jax] [--repeats 3] [--quick]

Each backend runs in its own Python (Keras takes its backend when first imported), one after the
other and `--repeats` times in turn, so that both see the same machine; the table gives the median
steps per second of each and the ratio to TensorFlow's. Every row trains the recipe's GAN with its
own compile options (on TensorFlow the fast path of gan_lib.backends.tensorflow, XLA for the
perceptrons and not for the DCGAN; on JAX, jax.jit) on its own data stream, after one call that
compiles the step. It is printed and written to benchmarks/backend_speed_results.md.
"""

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
# (row, recipe, batch size, steps timed): the perceptron GAN at two batch sizes, the toy, the DCGAN.
ROWS = (
    ("toy, batch 256", "toy", 256, 3000),
    ("MLP GAN (mnist-gan), batch 32", "mnist-gan", 32, 1000),
    ("MLP GAN (mnist-gan), batch 128", "mnist-gan", 128, 500),
    ("DCGAN (mnist-dcgan), batch 64", "mnist-dcgan", 64, 100),
)


def worker(quick):
    """In the backend's own Python: steps per second of each row, as JSON on stdout."""
    from gan_lib import environment, recipes

    result = {"device": environment.describe_device()}
    for row, name, batch, steps in ROWS:
        recipe = recipes.get(name, batch_size=batch)
        steps = recipe.steps_per_execution * (1 if quick else max(1, steps // recipe.steps_per_execution))
        gan = recipes.build(recipe, seed=0)
        real = recipes.dataset(recipe, seed=0)
        gan.fit(real, steps_per_epoch=recipe.steps_per_execution, epochs=1, verbose=0)  # compiles the step
        start = time.perf_counter()
        gan.fit(real.skip(recipe.steps_per_execution), steps_per_epoch=steps, epochs=1, verbose=0)
        result[row] = steps / (time.perf_counter() - start)
    json.dump(result, sys.stdout)


def measure(backend, quick):
    env = {**os.environ, "KERAS_BACKEND": backend}
    command = [sys.executable, __file__, "--worker"] + (["--quick"] if quick else [])
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"the {backend} worker failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", nargs="+", default=["tensorflow", "jax"], choices=["tensorflow", "jax", "torch"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one call per row: checks that it runs, not the speed")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.quick)
    runs = {backend: [] for backend in args.backends}
    for _ in range(args.repeats):
        for backend in args.backends:
            runs[backend].append(measure(backend, args.quick))
    base = args.backends[0]
    load = os.getloadavg()[0]
    lines = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M')}, load average {load:.1f} at the end; medians of {args.repeats} runs per backend, "
        "taken in turn.",
        "",
        "| recipe | " + " | ".join(f"{b} steps/s" for b in args.backends) + " | " + " | ".join(f"{b} ÷ {base}" for b in args.backends[1:]) + " |",
        "|---|" + "---:|" * (2 * len(args.backends) - 1),
    ]
    for row, *_ in ROWS:
        speeds = {b: statistics.median(r[row] for r in runs[b]) for b in args.backends}
        ratios = [f"{speeds[b] / speeds[base]:.2f}x" for b in args.backends[1:]]
        lines.append(f"| {row} | " + " | ".join(f"{speeds[b]:.1f}" for b in args.backends) + " | " + " | ".join(ratios) + " |")
    lines += [""] + [f"{b}: {runs[b][0]['device']}" for b in args.backends]
    table = "\n".join(lines)
    print(table)
    if not args.quick:
        (HERE / "backend_speed_results.md").write_text(table + "\n")


if __name__ == "__main__":
    main()
