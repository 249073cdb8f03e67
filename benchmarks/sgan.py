"""The semi-supervised GAN beside Salimans et al. (2016, Table 1): test errors of the discriminator as a classifier
of MNIST's 10,000 test digits, over seeds.

    python benchmarks/sgan.py [--rows feature-matching labels-only ...] [--seeds 0 1 2]

Each row trains `mnist-sgan` with one change (`runs.train`'s recipe, seed and data, in memory), measuring the
classifier's test error every 500 steps (`callbacks.ClassifierError`) and at the end, and the generator's digits as
notebook 02's are measured. The reported error is the last step's: no step is picked by looking at the test
digits. Rows: the recipe (feature matching, 100 labels); the same discriminator on the 100 labels alone
(`unlabelled_weight=0`: the generator trains but the discriminator never sees it); the non-saturating generator
loss instead of feature matching; 20, 50 and 200 labels (the paper's columns); notebook 10's live budget.
Writes sgan_results.json and .md beside this script (rows not named keep their last results); notebook 10 reads them.
"""

import argparse
import json
import os
import pathlib
import time

from gan_lib import claims, data, recipes, runs  # first: TensorFlow then starts without its C++ log
from gan_lib.callbacks import ClassifierError

import keras
import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
RESULTS = HERE / "sgan_results.json"
LIVE_STEPS = 2000  # notebook 10's live run
ROWS = {
    "feature-matching": ({}, "the recipe: feature matching, 100 labels"),
    "labels-only": ({"unlabelled_weight": 0.0}, "the same discriminator on the 100 labels alone"),
    "non-saturating": ({"generator_loss": "non-saturating"}, "the non-saturating generator loss instead of feature matching"),
    "labels-20": ({"labels": 20}, "20 labels"),
    "labels-50": ({"labels": 50}, "50 labels"),
    "labels-200": ({"labels": 200}, "200 labels"),
    f"feature-matching-{LIVE_STEPS}": ({"steps": LIVE_STEPS}, f"notebook 10's live run: {LIVE_STEPS:,} steps, the rate decaying over them"),
}
SAMPLED = ("feature-matching", "non-saturating")  # seed 0's digits kept, for notebook 10 to show side by side
# Salimans et al. 2016, Table 1: test errors (of 10,000) with feature matching, mean +- std over 10 runs.
PAPER = {20: (1677, 452), 50: (221, 136), 100: (93, 6.5), 200: (90, 4.2)}


def run(recipe, seed, mnist, samples=None):
    """Train one seed; return its error curve, its last error and its digits' quality (and write 100 of its digits,
    drawn from the fixed noise of the run's snapshots, to `samples`)."""
    keras.utils.set_random_seed(seed)
    gan = recipes.build(recipe, seed=seed)
    errors = ClassifierError(mnist.x_test, mnist.y_test, every=500)
    start = time.perf_counter()
    recipes.fit(gan, recipe, recipes.dataset(recipe, seed, mnist=mnist), callbacks=[errors], verbose=0)
    seconds = time.perf_counter() - start
    generated = runs.measure(recipe, gan)["generated"]
    if samples is not None:
        samples.parent.mkdir(exist_ok=True)
        noise, _ = runs.snapshot_inputs(recipe, gan.latent_dim)
        np.savez_compressed(samples, images=data.unscale_images(gan.generate(noise=noise)))
    return {
        "seed": seed,
        "seconds": round(seconds, 1),
        "test_error": errors.errors[-1],
        "best_test_error": min(errors.errors),  # shown, never reported: picking it would read the test digits
        "curve": {"steps": errors.steps, "test_error": errors.errors},
        "frechet_distance": generated["frechet_distance"],
        "classifier_score": generated["classifier_score"],
    }


MEASURES = ("test_error", "best_test_error", "frechet_distance", "classifier_score", "seconds")


def table(results):
    lines = [
        "`python benchmarks/sgan.py`: mnist-sgan, one change a row; test error of the 10,000 test digits at the last step, "
        "mean (range) over seeds; the paper's feature-matching row (Salimans et al. 2016, Table 1: errors of 10,000, "
        "mean +- std over 10 runs) beside it.",
        "",
        "| row | labels | steps | seeds | " + " | ".join(m.replace("_", " ") for m in MEASURES) + " | paper |",
        "|---|---|---|---|" + "---|" * (len(MEASURES) + 1),
    ]
    for name, row in results["rows"].items():
        cells = [claims.spread(row["seeds"], m) for m in MEASURES]
        shown = [f"{c.mean:.2%} ({c.low:.2%} to {c.high:.2%})" if "error" in m else f"{c.mean:.3g} ({c.low:.3g} to {c.high:.3g})"
                 for m, c in zip(MEASURES, cells)]
        paper = PAPER.get(row["labels"]) if not row["changes"].get("unlabelled_weight") == 0.0 and "generator_loss" not in row["changes"] else None
        paper_cell = f"{paper[0] / 100:.2f}% +- {paper[1] / 100:.2f}" if paper else ""
        lines.append(f"| {name} | {row['labels']} | {row['steps']:,} | {len(row['seeds'])} | " + " | ".join(shown) + f" | {paper_cell} |")
    lines += ["", *(f"- {name}: {row['purpose']}; {row['measured']}" for name, row in results["rows"].items())]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", nargs="+", choices=list(ROWS), default=list(ROWS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    args = parser.parse_args()
    mnist = data.load_mnist()
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {"recipe": "mnist-sgan", "paper": PAPER, "rows": {}}
    for name in args.rows:
        changes, purpose = ROWS[name]
        recipe, load = recipes.get("mnist-sgan", **changes), os.getloadavg()[0]
        seeds = [run(recipe, seed, mnist, HERE / "sgan_samples" / f"{name}.npz" if seed == 0 and name in SAMPLED else None) for seed in args.seeds]
        for seed in seeds:
            print(name, json.dumps({k: v for k, v in seed.items() if k != "curve"}), flush=True)
        results["rows"][name] = {
            "changes": changes, "purpose": purpose, "labels": recipe.labels, "steps": recipe.steps, "seeds": seeds,
            "measured": f"load average {load:.1f} before and {os.getloadavg()[0]:.1f} after, {time.strftime('%Y-%m-%d %H:%M')}",
        }
        results["rows"] = {row: results["rows"][row] for row in ROWS if row in results["rows"]}  # the table's order
        RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    text = table(results)
    print(text)
    (HERE / "sgan_results.md").write_text(text + "\n")


if __name__ == "__main__":
    main()
