"""Quality benchmark: train each recipe (and the variants the notebooks compare) over seeds and tabulate its
measured quality, each measure's mean and range over the seeds beside real data and the bar.

    python benchmarks/quality.py [--rows mnist-gan mnist-dcgan-no-r1 ...] [--seeds 0 1 2] [--out runs/quality]
                                 [--existing] [--backend jax]

Each row trains a recipe with its defaults and the row's changes, exactly as
`python -m gan_lib train RECIPE [OPTIONS] --seed S --out OUT/ROW/seed-S` does (with --existing, finished runs
already in OUT are tabulated instead). Besides the recipes, the rows hold the live budgets of notebooks whose
live run is shorter than the recipe (04 trains 2,000 of mnist-dcgan's 8,000 steps, 06 3,000 of mnist-wgan's
11,000 with the rate decaying over them), so that a live run is placed among seeds of its own budget, and the
controls a notebook's lesson rests on (04, at its live budget: the DCGAN without R1, with its dense layer in
the discriminator alone, without dense layers, and its conditional DCGAN beside 03's cGAN; 06's critic without
its penalty is benchmarks/wgan_penalty.py). Writes benchmarks/quality_results.md and .json
(quality_results_jax.* with --backend jax); rows not named keep their last results. For the recipes' own rows,
the first seed's 100 samples go to benchmarks/quality_samples/RECIPE.npz, which notebooks draw.
"""

import argparse
import json
import os
import pathlib
import time

BACKENDS = ("tensorflow", "jax", "torch")


def backend_argument():
    """--backend, read before Keras is imported (Keras takes its backend from KERAS_BACKEND at import)."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--backend", choices=BACKENDS, default=os.environ.get("KERAS_BACKEND", "tensorflow"))
    return parser.parse_known_args()[0].backend


os.environ["KERAS_BACKEND"] = backend_argument()

from gan_lib import claims, environment, recipes, runs  # noqa: E402 - after the backend is chosen

HERE = pathlib.Path(__file__).resolve().parent
# Each row: (recipe, changes to it, what the row is for).
ROWS = {
    "toy": ("toy", {}, "notebook 01's recipe"),
    "mnist-gan": ("mnist-gan", {}, "notebook 02's recipe"),
    "mnist-gan-1000": ("mnist-gan", {"steps": 1000}, "notebook 02's recipe at its first snapshot (1,000 steps)"),
    "mnist-gan-small-1000": (
        "mnist-gan", {"steps": 1000, "g_hidden": (128,), "d_hidden": (128,), "batch_norm": False},
        "notebook 02's side run: the first tutorials' networks (one hidden layer of 128 each, no BatchNorm), 1,000 steps",
    ),
    "mnist-cgan": ("mnist-cgan", {}, "notebook 03's recipe"),
    "mnist-cgan-no-label": ("mnist-cgan", {"conditional": False}, "notebook 03's recipe without the label: one change, the same budget"),
    "mnist-dcgan": ("mnist-dcgan", {}, "notebook 04's recipe, the shipped full run's"),
    "mnist-dcgan-2000": ("mnist-dcgan", {"steps": 2000}, "notebook 04's live run: 2,000 of its steps"),
    "mnist-dcgan-no-r1-2000": ("mnist-dcgan", {"steps": 2000, "r1_weight": 0.0}, "notebook 04's live run without R1, at its rate of 2e-3"),
    "mnist-dcgan-d-dense-2000": ("mnist-dcgan", {"steps": 2000, "g_dense": ()}, "notebook 04's live run with its dense layer in the discriminator alone"),
    "mnist-dcgan-no-dense-2000": (
        "mnist-dcgan", {"steps": 2000, "g_dense": (), "d_dense": ()}, "notebook 04's live run without its dense layers: the DCGAN paper's networks",
    ),
    "mnist-cdcgan": ("mnist-cdcgan", {}, "notebook 04's conditional DCGAN"),
    "mnist-cdcgan-2000": ("mnist-cdcgan", {"steps": 2000}, "notebook 04's conditional DCGAN at its live budget: 2,000 steps of 64"),
    "mnist-cgan-2000": ("mnist-cgan", {"steps": 2000}, "notebook 03's cGAN at the same budget: 2,000 steps of 64"),
    "mnist-wgan": ("mnist-wgan", {}, "notebook 06's recipe"),
    "mnist-wgan-3000": ("mnist-wgan", {"steps": 3000, "lr_decay": "cosine"}, "notebook 06's live run: 3,000 steps, the rate decaying over them"),
}
# The Fréchet bar in multiples of real-vs-real: 10 for the perceptron GANs, 3 for the DCGAN, which
# is held to a higher standard (and also to mnist-gan's measured values, checked in notebook 04).
FRECHET_BAR = {"mnist-dcgan": 3, "mnist-cdcgan": 3}


def bars(recipe_name, generated, real):
    """(metric, generated, real, bar, reached) rows: the bars a recipe's defaults must reach."""
    if recipe_name == "toy":
        return [
            ("curve residual", generated["curve_residual"], real["curve_residual"], "<= 0.03", generated["curve_residual"] <= 0.03),
            ("x KS statistic", generated["x_ks_statistic"], real["x_ks_statistic"], "<= 0.05", generated["x_ks_statistic"] <= 0.05),
        ]
    times = FRECHET_BAR.get(recipe_name, 10)
    rows = [
        ("classifier score", generated["classifier_score"], real["classifier_score"], ">= 90% of real",
         generated["classifier_score"] >= 0.9 * real["classifier_score"]),
        ("Fréchet distance (evaluator features)", generated["frechet_distance"], real["frechet_distance"],
         f"<= {times}x real-vs-real", generated["frechet_distance"] <= times * real["frechet_distance"]),
        ("class balance", generated["class_balance"], real["class_balance"], "", True),
    ]
    if "conditional_accuracy" in generated:
        per_class = generated["conditional_accuracy_per_class"]
        rows += [
            ("conditional accuracy", generated["conditional_accuracy"], real["conditional_accuracy"], ">= 0.95",
             generated["conditional_accuracy"] >= 0.95),
            ("worst class accuracy", min(per_class), min(real["conditional_accuracy_per_class"]), ">= 0.85", min(per_class) >= 0.85),
        ]
    return rows


def run_row(name, seed, out, existing):
    """Train (or read) one seed of a row; return its seconds and measured quality."""
    recipe_name, changes, _ = ROWS[name]
    recipe, folder = recipes.get(recipe_name, **changes), pathlib.Path(out) / name / f"seed-{seed}"
    report = json.loads((folder / "metrics.json").read_text()) if existing else runs.train(recipe, folder, seed=seed, verbose=0)
    return recipe, folder, {"seed": seed, "seconds": report["speed"]["seconds"], **report["quality"]}


def table(results):
    """The markdown table: each measure's mean and range over the seeds, the real data's value and the bar."""
    lines = [
        "| row | recipe and changes | steps | seeds | training s (median) | metric | generated: mean (range) | real data | bar | reached, every seed |",
        "|---|---|---:|---:|---:|---|---|---|---|---|",
    ]
    for name, row in results["rows"].items():
        changes = ", ".join(f"{k}={v}" for k, v in row["changes"].items())
        runs_ = row["seeds"]
        seconds = sorted(run["seconds"] for run in runs_)[len(runs_) // 2]
        per_seed = [bars(row["recipe"], run["generated"], run["real"]) for run in runs_]
        for i, (metric, _, real, bar, _) in enumerate(per_seed[0]):
            values = claims.Spread(tuple(seed_rows[i][1] for seed_rows in per_seed))
            bar = "" if row["changes"] else bar  # the bars are the recipes' own; a variant is measured, not held to them
            reached = "" if not bar else "yes" if all(seed_rows[i][4] for seed_rows in per_seed) else "NO"
            lines.append(
                f"| {name} | {row['recipe']}{' ' + changes if changes else ''} | {row['steps']} | {len(runs_)} | {seconds:.0f} | "
                f"{metric} | {values.mean:.4g} ({values.low:.4g} to {values.high:.4g}) | {real:.4g} | {bar} | {reached} |"
            )
    lines += ["", *(f"- {name}: {row['purpose']}; {row['measured']}" for name, row in results["rows"].items())]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", nargs="+", default=list(ROWS), choices=list(ROWS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--out", default="runs/quality", help="where the runs are written")
    parser.add_argument("--existing", action="store_true", help="tabulate finished runs in OUT instead of training")
    parser.add_argument("--backend", choices=BACKENDS, default=os.environ["KERAS_BACKEND"], help="Keras's backend")
    args = parser.parse_args()
    suffix = "" if args.backend == "tensorflow" else f"_{args.backend}"
    results_path = HERE / f"quality_results{suffix}.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    results = {"machine": environment.describe_device(), "rows": results.get("rows", {})}  # other rows stay
    (HERE / "quality_samples").mkdir(exist_ok=True)
    for name in args.rows:
        load_before, seeds = os.getloadavg()[0], []
        for seed in args.seeds:
            recipe, folder, measured = run_row(name, seed, args.out, args.existing)
            generated = measured["generated"]
            print(f"{name} seed {seed}: {measured['seconds']:.0f} s, " + ", ".join(
                f"{k} {v:.4g}" for k, v in generated.items() if isinstance(v, float)), flush=True)
            seeds.append(measured)
            if seed == args.seeds[0] and not recipe.points and not suffix and not ROWS[name][1]:  # the recipes' own samples
                runs.sample(folder, HERE / "quality_samples" / f"{name}.npz", n=100)
        generator, discriminator = recipes.build_models(recipe)
        results["rows"][name] = {
            "recipe": ROWS[name][0],
            "changes": {k: list(v) if isinstance(v, tuple) else v for k, v in ROWS[name][1].items()},
            "purpose": ROWS[name][2],
            "steps": recipe.steps,
            "parameters": {"generator": generator.count_params(), "discriminator": discriminator.count_params()},
            "measured": f"load average {load_before:.1f} before and {os.getloadavg()[0]:.1f} after, {time.strftime('%Y-%m-%d %H:%M')}",
            "seeds": seeds,
        }
        results["rows"] = {n: results["rows"][n] for n in ROWS if n in results["rows"]}  # in the rows' order
        runs.write_json(results_path, results)  # after every row: an interrupted benchmark keeps what it measured
    text = f"{results['machine']}.\n\n{table(results)}"
    print(text)
    (HERE / f"quality_results{suffix}.md").write_text(text + "\n")


if __name__ == "__main__":
    main()
