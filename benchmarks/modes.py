"""Mode-collapse benchmark: the ring and grid recipes over 10 seeds, beside PacGAN's Table 1.

    python benchmarks/modes.py [--recipes ring ring-pacgan grid grid-pacgan] [--seeds 10]

Each run trains a recipe with its defaults exactly as `python -m gan_lib train RECIPE --seed S`
does, then measures 2,500 samples as Lin et al. (2018) do (`gan_lib.metrics.mixture_metrics`):
modes captured, the fraction of high-quality samples (within 3 standard deviations of a mode)
and the reverse KL of the modes' histogram. The table gives mean ± standard error over the seeds
and the seconds per run, beside the paper's rows (mean of 10 trials, their networks and budget).
It is printed and written to benchmarks/modes_results.md, and the numbers to modes_results.json
(which notebook 05 shows beside its own runs).
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


def summary(name, results, seconds):
    """One recipe's row: mean and standard error of each measure over the seeds."""
    row = {"recipe": name, "seeds": len(results), "seconds_median": float(np.median(seconds))}
    for key, scale, _ in MEASURES:
        source = "high_quality" if key == "high_quality_pct" else key
        row[key] = dict(zip(("mean", "se"), mean_se([np.nan if r[source] is None else r[source] * scale for r in results])))
    return row


def markdown_row(row):
    cells = [f"{row[key]['mean']:.{digits}f} ± {row[key]['se']:.{digits}f}" for key, _, digits in MEASURES]
    return f"| {row['recipe']} | {row['seeds']} | {' | '.join(cells)} | {row['seconds_median']:.0f} s |"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipes", nargs="+", default=[n for n, r in recipes.RECIPES.items() if r.mixture])
    parser.add_argument("--seeds", type=int, default=10)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    rows = []
    for name in args.recipes:
        recipe = recipes.get(name)
        results, seconds = [], []
        for seed in range(args.seeds):
            generated, wall = run(recipe, seed)
            results.append(generated)
            seconds.append(wall)
            print(f"{name} seed {seed}: {generated['modes']} modes, {generated['high_quality']:.3f} high quality, "
                  f"reverse KL {generated['reverse_kl']}, {wall:.0f} s", flush=True)
        rows.append(summary(name, results, seconds))
    paper = [
        {"mixture": mixture, "method": method, "modes": modes, "high_quality_pct": quality, "reverse_kl": kl}
        for mixture, methods in PAPER.items() for method, (modes, quality, kl) in methods.items()
    ]
    machine = (f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; load average "
               f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after; {time.strftime('%Y-%m-%d %H:%M')}")
    lines = [
        "| recipe | seeds | modes | high quality (%) | reverse KL | seconds per run (median) |",
        "|---|---:|---:|---:|---:|---:|",
        *map(markdown_row, rows),
        *(f"| paper: {p['mixture']}, {p['method']} | 10 | {p['modes']} | {p['high_quality_pct']} | {p['reverse_kl']} | – |"
          for p in paper),
        "",
        machine + ".",
    ]
    table = "\n".join(lines)
    print(table)
    (HERE / "modes_results.md").write_text(table + "\n")
    results = {"results": rows, "paper": paper, "machine": machine}
    (HERE / "modes_results.json").write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
