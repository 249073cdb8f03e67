"""Quality benchmark: train every recipe with its defaults and tabulate its measured quality.

    python benchmarks/quality.py [--recipes toy mnist-gan mnist-cgan] [--out runs/quality] [--existing] [--backend jax]

Each recipe is trained exactly as `python -m gan_lib train RECIPE --out OUT/RECIPE` does (with
--existing, finished runs already in OUT are tabulated instead, e.g. `--out runs` after the
README's first command); the table gives each metric beside the same metric on real data, the
bar it must reach, and the training time. It is printed and written to
benchmarks/quality_results.md (quality_results_jax.md with --backend jax: the same bars); the rows
of recipes not named keep their last results.
"""

import argparse
import json
import os
import pathlib

BACKENDS = ("tensorflow", "jax", "torch")


def backend_argument():
    """--backend, read before Keras is imported (Keras takes its backend from KERAS_BACKEND at import)."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--backend", choices=BACKENDS, default=os.environ.get("KERAS_BACKEND", "tensorflow"))
    return parser.parse_known_args()[0].backend


os.environ["KERAS_BACKEND"] = backend_argument()

from gan_lib import environment, recipes, runs  # noqa: E402 - after the backend is chosen

HERE = pathlib.Path(__file__).resolve().parent
# The Fréchet bar in multiples of real-vs-real: 10 for the perceptron GANs, 3 for the DCGAN, which
# is held to a higher standard (and also to mnist-gan's measured values, checked in notebook 04).
FRECHET_BAR = {"mnist-dcgan": 3, "mnist-cdcgan": 3}


def bars(recipe_name, generated, real):
    """(metric, generated, real, bar, reached) rows: the bars the defaults must reach."""
    if recipe_name == "toy":
        return [
            ("curve residual", generated["curve_residual"], real["curve_residual"], "<= 0.03", generated["curve_residual"] <= 0.03),
            ("x KS statistic", generated["x_ks_statistic"], real["x_ks_statistic"], "<= 0.05", generated["x_ks_statistic"] <= 0.05),
        ]
    times = FRECHET_BAR.get(recipe_name, 10)
    rows = [
        (
            "classifier score",
            generated["classifier_score"],
            real["classifier_score"],
            ">= 90% of real",
            generated["classifier_score"] >= 0.9 * real["classifier_score"],
        ),
        (
            "Fréchet distance (evaluator features)",
            generated["frechet_distance"],
            real["frechet_distance"],
            f"<= {times}x real-vs-real",
            generated["frechet_distance"] <= times * real["frechet_distance"],
        ),
        ("class balance", generated["class_balance"], real["class_balance"], "", True),
    ]
    if "conditional_accuracy" in generated:
        per_class = generated["conditional_accuracy_per_class"]
        rows += [
            ("conditional accuracy", generated["conditional_accuracy"], real["conditional_accuracy"], ">= 0.95", generated["conditional_accuracy"] >= 0.95),
            ("worst class accuracy", min(per_class), min(real["conditional_accuracy_per_class"]), ">= 0.85", min(per_class) >= 0.85),
        ]
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # The mixtures have their own measures (modes, high quality, reverse KL) and their own benchmark.
    images_and_toy = [name for name, recipe in recipes.RECIPES.items() if not recipe.mixture]
    parser.add_argument("--recipes", nargs="+", default=images_and_toy, choices=images_and_toy)
    parser.add_argument("--out", default="runs/quality", help="where the runs are written")
    parser.add_argument("--existing", action="store_true", help="tabulate finished runs in OUT instead of training")
    parser.add_argument("--backend", choices=BACKENDS, default=os.environ["KERAS_BACKEND"], help="Keras's backend")
    args = parser.parse_args()
    suffix = "" if args.backend == "tensorflow" else f"_{args.backend}"

    lines = [
        f"{environment.describe_device()}.",
        "",
        "| recipe | steps | training time | metric | generated | real data | bar | reached |",
        "|---|---|---|---|---|---|---|---|",
    ]
    results_path = HERE / f"quality_results{suffix}.json"
    results = json.loads(results_path.read_text()) if results_path.exists() else {}  # other recipes' rows stay
    (HERE / "quality_samples").mkdir(exist_ok=True)
    for name in args.recipes:
        recipe, folder = recipes.get(name), pathlib.Path(args.out) / name
        if args.existing:
            report = json.loads((folder / "metrics.json").read_text())
        else:
            report = runs.train(recipe, folder, verbose=2)
        generator, discriminator = recipes.build_models(recipe)
        results[name] = {
            "steps": report["steps"],
            "seconds": report["speed"]["seconds"],
            "parameters": {"generator": generator.count_params(), "discriminator": discriminator.count_params()},
            **report["quality"],
        }
        if not recipe.points and not suffix:
            runs.sample(folder, HERE / "quality_samples" / f"{name}.npz", n=100)
    results = {name: results[name] for name in recipes.RECIPES if name in results}  # in the recipes' order
    for name, row in results.items():
        for metric, generated, real, bar, reached in bars(name, row["generated"], row["real"]):
            lines.append(
                f"| {name} | {row['steps']} | {row['seconds']:.0f} s | {metric} | {generated:.4g} | {real:.4g} | {bar} | {'yes' if reached else 'NO'} |"
            )
    table = "\n".join(lines)
    print(table)
    (HERE / f"quality_results{suffix}.md").write_text(table + "\n")
    runs.write_json(results_path, results)


if __name__ == "__main__":
    main()
