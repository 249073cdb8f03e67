"""Does a loss track quality? Train MNIST recipes with their defaults and rank-correlate a loss with
the Fréchet distance measured along the run.

    python benchmarks/loss_quality.py [--recipes mnist-wgan mnist-gan] [--measurements 10] [--seeds 0 1 2]

Each recipe trains as `python -m gan_lib train RECIPE --seed S` does, for each seed. `QualityTrace` measures 2,000
samples of the generator being trained `--measurements` times, evenly spaced; the loss beside each
measurement is its mean since the previous one (`metrics.loss_beside_quality`): the critic's Wasserstein
estimate for WGAN-GP, the discriminator loss otherwise. Notebook 06 measures the same on shortened
runs. Writes loss_quality_results.json and .md beside this script.
"""

import argparse
import json
import os
import pathlib
import time

from gan_lib import metrics, recipes  # first: TensorFlow then starts without its C++ log
from gan_lib.callbacks import QualityTrace, StepHistory

import keras

HERE = pathlib.Path(__file__).resolve().parent


def loss_beside_quality(name, measurements, seed=0):
    """Train recipe `name`; return its loss and Fréchet distance at each measurement and their rank correlation."""
    recipe = recipes.get(name)
    loss_key = "wasserstein" if recipe.game.kind == "wgan-gp" else "d_loss"
    keras.utils.set_random_seed(seed)
    gan = recipes.build(recipe, seed=seed)
    history, trace = StepHistory(), QualityTrace(every=recipe.steps // measurements, n=2000, seed=seed)
    start = time.perf_counter()
    recipes.fit(gan, recipe, recipes.dataset(recipe, seed), callbacks=[history, trace], verbose=0)
    seconds = time.perf_counter() - start
    tracked = metrics.loss_beside_quality(history.history, trace.history, loss_key)
    return loss_key, {
        "seed": seed,
        "seconds": round(seconds, 1),
        "measured_at": tracked["steps"],
        "loss_means": [round(float(v), 4) for v in tracked["loss"]],
        "frechet_distance": [round(float(v), 2) for v in tracked["frechet_distance"]],
        "rank_correlation": round(tracked["rank_correlation"], 3),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mnist = [name for name, recipe in recipes.RECIPES.items() if recipe.task.kind == "digits" and not recipe.task.conditional]
    parser.add_argument("--recipes", nargs="+", default=["mnist-wgan", "mnist-gan"], choices=mnist)
    parser.add_argument("--measurements", type=int, default=10)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    args = parser.parse_args()
    load = os.getloadavg()[0]
    rows = {}
    for name in args.recipes:
        for seed in args.seeds:
            loss_key, measured = loss_beside_quality(name, args.measurements, seed)
            rows.setdefault(name, {"steps": recipes.get(name).steps, "loss": loss_key, "seeds": []})["seeds"].append(measured)
            print(name, json.dumps(measured), flush=True)
    lines = [
        f"Load average {load:.2f} at the start, {os.getloadavg()[0]:.2f} at the end; seeds {', '.join(map(str, args.seeds))}; "
        f"{args.measurements} measurements of 2,000 samples per run.",
        "",
        "| recipe | steps | loss | seed | rank correlation with the Fréchet distance | Fréchet distance, first → last | loss, first → last | training time |",
        "|---|---:|---|---:|---:|---|---|---:|",
    ]
    for name, row in rows.items():
        for r in row["seeds"]:
            lines.append(
                f"| {name} | {row['steps']} | {row['loss']} | {r['seed']} | {r['rank_correlation']:.2f} | "
                f"{r['frechet_distance'][0]:.1f} → {r['frechet_distance'][-1]:.1f} | "
                f"{r['loss_means'][0]:.3f} → {r['loss_means'][-1]:.3f} | {r['seconds']:.0f} s |"
            )
    table = "\n".join(lines)
    print(table)
    (HERE / "loss_quality_results.md").write_text(table + "\n")
    (HERE / "loss_quality_results.json").write_text(json.dumps({"rows": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
