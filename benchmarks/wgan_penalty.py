"""What the gradient penalty does: notebook 06's WGAN-GP run, with the penalty and without it, over seeds.

    python benchmarks/wgan_penalty.py [--seeds 0 1 2]

Each run trains `mnist-wgan` as notebook 06 does (3,000 steps, the rate decaying to 0 over them), once with the
paper's penalty weight of 10 and once with 0, and measures the critic's slope |grad D| at 2,000 points between
held-out test digits and the generator's samples before and after training (`WassersteinGAN.critic_slopes`),
the critic's logged Wasserstein estimate and penalty over the last tenth of the run, and the averaged
generator's quality (`runs.measure`). Seed 0 with the penalty is notebook 06's live run. Writes
wgan_penalty_results.json and .md beside this script; notebook 06 reads them.
"""

import argparse
import json
import os
import pathlib
import time

from gan_lib import claims, data, recipes, runs  # first: TensorFlow then starts without its C++ log
from gan_lib.callbacks import StepHistory

import keras
import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
RECIPE = recipes.get("mnist-wgan", steps=3000, lr_decay="cosine")  # notebook 06's live run
ROWS = {"penalty 10": {}, "no penalty": {"gp_weight": 0.0}}


def run(recipe, seed, mnist):
    """Train one seed; return its slopes, its late estimate and penalty, and its quality."""
    held_out = data.scale_images(mnist.x_test[:2000])
    keras.utils.set_random_seed(seed)
    gan = recipes.build(recipe, seed=seed)
    before = gan.critic_slopes(held_out, seed=3)
    history = StepHistory()
    start = time.perf_counter()
    recipes.fit(gan, recipe, recipes.dataset(recipe, seed, mnist=mnist), callbacks=[history], verbose=0)
    seconds = time.perf_counter() - start
    after = gan.critic_slopes(held_out, seed=3)
    late = np.array(history.history["step"]) > 0.9 * recipe.steps
    generated = runs.measure(recipe, gan)["generated"]
    return {
        "seed": seed,
        "seconds": round(seconds, 1),
        "median_slope_before": float(np.median(before)),
        "median_slope_after": float(np.median(after)),
        "wasserstein_late": float(np.mean(np.array(history.history["wasserstein"])[late])),
        "gradient_penalty_late": float(np.mean(np.array(history.history["gradient_penalty"])[late])),
        "frechet_distance": generated["frechet_distance"],
        "classifier_score": generated["classifier_score"],
    }


MEASURES = ("median_slope_before", "median_slope_after", "wasserstein_late", "gradient_penalty_late", "frechet_distance", "classifier_score")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    args = parser.parse_args()
    mnist, load = data.load_mnist(), os.getloadavg()[0]
    results = {"recipe": "mnist-wgan", "changes": {"steps": RECIPE.steps, "lr_decay": RECIPE.lr_decay}, "rows": {}}
    for name, changes in ROWS.items():
        results["rows"][name] = {"changes": changes, "seeds": []}
        for seed in args.seeds:
            results["rows"][name]["seeds"].append(run(RECIPE.replace(**changes), seed, mnist))
            print(name, json.dumps(results["rows"][name]["seeds"][-1]), flush=True)
    results["measured"] = f"load average {load:.1f} before and {os.getloadavg()[0]:.1f} after, {time.strftime('%Y-%m-%d %H:%M')}"
    (HERE / "wgan_penalty_results.json").write_text(json.dumps(results, indent=1) + "\n")
    lines = [
        f"`python benchmarks/wgan_penalty.py`: mnist-wgan, {RECIPE.steps} steps, the rate decaying to 0; mean (range) over "
        f"seeds {', '.join(map(str, args.seeds))}; {results['measured']}.",
        "",
        "| row | " + " | ".join(m.replace("_", " ") for m in MEASURES) + " |",
        "|---|" + "---|" * len(MEASURES),
    ]
    for name, row in results["rows"].items():
        cells = [claims.spread(row["seeds"], m) for m in MEASURES]
        lines.append(f"| {name} | " + " | ".join(f"{c.mean:.3g} ({c.low:.3g} to {c.high:.3g})" for c in cells) + " |")
    table = "\n".join(lines)
    print(table)
    (HERE / "wgan_penalty_results.md").write_text(table + "\n")


if __name__ == "__main__":
    main()
