"""Mode-collapse benchmark: the ring and grid recipes over 10 seeds, beside PacGAN's Table 1.

    python benchmarks/modes.py [--rows ring ring-pacgan grid grid-8000 ...] [--seeds 10]

Each row trains a recipe with its defaults, or with the changes the row names (notebook 05's live budget:
`grid-8000` and `grid-r1-alone-8000`, 8,000 of the recipes' 20,000 steps), exactly as
`python -m gan_lib train RECIPE [--steps N] --seed S` does, then measures 2,500 samples as Lin et al. (2018) do (`gan_lib.metrics.mixture_metrics`):
modes captured, the fraction of high-quality samples (within 3 standard deviations of a mode)
and the reverse KL of the modes' histogram. The table gives mean ± standard error over the seeds
and the seconds per run, beside the paper's rows (mean of 10 trials, their networks and budget).
It is written to benchmarks/modes_results.md, and the numbers, seed by seed, to modes_results.json
(which notebook 05 shows beside its own runs); each recipe's row replaces its old one as soon as
its ten seeds are done, so `--rows ring` re-measures the ring alone.
"""

import argparse
import json
import os
import pathlib
import platform
import time

from gan_lib import recipes, runs  # first: TensorFlow then starts without its C++ log

import keras
import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
# Each row: (recipe, changes). The recipes with their defaults, then notebook 05's live runs: the plain grid GAN
# and the same with R1, at the 8,000 steps the notebook trains.
ROWS = {name: (name, {}) for name, recipe in recipes.RECIPES.items() if recipe.task.kind == "mixture"}
ROWS.update({"grid-8000": ("grid", {"steps": 8000}), "grid-r1-alone-8000": ("grid-r1-alone", {"steps": 8000})})
# Lin et al. (2018), PacGAN, Table 1: (modes, high-quality %, reverse KL), mean of 10 trials.
PAPER = {
    "ring": {"GAN": (6.3, 98.2, 0.45), "PacGAN2": (7.9, 95.6, 0.07)},
    "grid": {"GAN": (17.3, 94.8, 0.70), "PacGAN2": (23.8, 91.3, 0.13), "PacGAN4": (24.8, 93.6, 0.04)},
}


def run(recipe, seed):
    """Train one seed of a recipe as the command line does; return its measures and seconds."""
    start = time.perf_counter()
    keras.utils.set_random_seed(seed)
    gan = recipes.build(recipe, seed=seed)
    recipes.fit(gan, recipe, recipes.dataset(recipe, seed), verbose=0)
    generated = runs.measure(recipe, gan)["generated"]
    return generated, time.perf_counter() - start


def mean_se(values):
    """Mean and standard error of the mean (NaN where a run had no high-quality sample)."""
    values = np.asarray(values, np.float64)
    se = values.std(ddof=1) / np.sqrt(len(values)) if len(values) > 1 else 0.0
    return float(values.mean()), float(se)


MEASURES = (("modes", 1, 1), ("high_quality_pct", 100, 1), ("reverse_kl", 1, 3))  # key, scale, digits
RESULTS_JSON, RESULTS_MD = HERE / "modes_results.json", HERE / "modes_results.md"


def summary(name, seeds):
    """One recipe's row: each seed's measures, and their mean and standard error."""
    row = {"recipe": name, "changes": ROWS[name][1], "seeds": len(seeds), "seconds_median": float(np.median([s["seconds"] for s in seeds]))}
    for key, scale, _ in MEASURES:
        source = "high_quality" if key == "high_quality_pct" else key
        row[key] = dict(zip(("mean", "se"), mean_se([np.nan if s[source] is None else s[source] * scale for s in seeds])))
    row["runs"] = seeds
    return row


def markdown_row(row):
    cells = [f"{row[key]['mean']:.{digits}f} ± {row[key]['se']:.{digits}f}" for key, _, digits in MEASURES]
    return f"| {row['recipe']} | {row['seeds']} | {' | '.join(cells)} | {row['seconds_median']:.0f} s |"


def write(rows):
    """Both results files, the recipes in their order in gan_lib.recipes, the paper's rows after them."""
    order = list(ROWS)
    rows = sorted(rows, key=lambda row: order.index(row["recipe"]))
    paper = [
        {"mixture": mixture, "method": method, "modes": modes, "high_quality_pct": quality, "reverse_kl": kl}
        for mixture, methods in PAPER.items() for method, (modes, quality, kl) in methods.items()
    ]
    lines = [
        "| recipe | seeds | modes | high quality (%) | reverse KL | seconds per run (median) |",
        "|---|---:|---:|---:|---:|---:|",
        *map(markdown_row, rows),
        *(f"| paper: {p['mixture']}, {p['method']} | 10 | {p['modes']} | {p['high_quality_pct']} | {p['reverse_kl']} | – |"
          for p in paper),
        "",
        *(f"- {row['recipe']}: {row['measured']}" for row in rows),
    ]
    table = "\n".join(lines)
    RESULTS_MD.write_text(table + "\n")
    RESULTS_JSON.write_text(json.dumps({"results": rows, "paper": paper}, indent=1) + "\n")
    return table


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", nargs="+", default=list(ROWS), choices=list(ROWS))
    parser.add_argument("--seeds", type=int, default=10)
    args = parser.parse_args()
    for name in args.rows:
        recipe = recipes.get(ROWS[name][0], **ROWS[name][1])
        load_before, seeds = os.getloadavg()[0], []
        for seed in range(args.seeds):
            generated, wall = run(recipe, seed)
            seeds.append({"seed": seed, "seconds": wall,
                          **{key: generated[key] for key in ("modes", "high_quality", "reverse_kl")}})
            print(f"{name} seed {seed}: {generated['modes']} modes, {generated['high_quality']:.3f} high quality, "
                  f"reverse KL {generated['reverse_kl']}, {wall:.0f} s", flush=True)
        row = summary(name, seeds)
        row["measured"] = (f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, load average "
                           f"{load_before:.1f} before and {os.getloadavg()[0]:.1f} after, {time.strftime('%Y-%m-%d %H:%M')}")
        # Each recipe's row replaces its old one as soon as it is measured: an interrupted run keeps the rest.
        old = json.loads(RESULTS_JSON.read_text())["results"] if RESULTS_JSON.exists() else []
        table = write([r for r in old if r["recipe"] != name] + [row])
    print(table)


if __name__ == "__main__":
    main()
