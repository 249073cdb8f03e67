"""Notebook 05's demos of failure, over seeds: does each failure show in most of them?

    python benchmarks/failures.py [--rows ...] [--seeds 0 1 2 3 4]

Each row trains a recipe with one change, as notebook 05 does (`runs.train_watched`: a health panel and
fixed-noise snapshots), and records what the notebook checks: for a discriminator that wins (`ring-unfair`,
with each generator loss), the median D(G(z)) of the health panel's measurements after the first, the ratio of
the two generator losses' gradient norms (`metrics.gradient_ratio`) and the papers' measures; for oscillation
(`ring-fast` at 3e-3, then 1e-3, then 1e-3 decaying to 0), how much of the mass hops from mode to mode between
snapshots 150 steps apart over the second half of the run (`metrics.late_mode_hops`). Seed 0 of each row is
notebook 05's live run. Writes failures_results.json and .md beside this script.
"""

import argparse
import json
import os
import pathlib
import time

from gan_lib import claims, metrics, recipes, runs  # first: TensorFlow then starts without its C++ log

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
# Each row: (recipe, changes, how often the health panel measures).
ROWS = {
    "D wins, minimax": ("ring-unfair", {"generator_loss": "minimax"}, 50),
    "D wins, non-saturating": ("ring-unfair", {"generator_loss": "non-saturating"}, 50),
    "Adam 3e-3, constant": ("ring-fast", {}, 150),
    "Adam 1e-3, constant": ("ring-fast", {"g_learning_rate": 1e-3, "d_learning_rate": 1e-3}, 150),
    "Adam 1e-3, decaying": ("ring-fast", {"g_learning_rate": 1e-3, "d_learning_rate": 1e-3, "lr_decay": "cosine"}, 150),
}


def measure(name, seed):
    recipe_name, changes, every = ROWS[name]
    recipe = recipes.get(recipe_name, **changes)
    watched = runs.train_watched(recipe, seed=seed, every=every)
    health = watched.health.history
    return {
        "seed": seed,
        "seconds": round(watched.seconds, 1),
        "median_d_fake": float(np.median(health["d_fake"][1:])),
        "gradient_ratio": metrics.gradient_ratio(health),
        "mode_hops": metrics.late_mode_hops(watched.snapshots.frames, recipe.task.mix),
        **{key: watched.measured[key] for key in ("modes", "high_quality", "reverse_kl")},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", nargs="+", default=list(ROWS), choices=list(ROWS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    args = parser.parse_args()
    path = HERE / "failures_results.json"
    results = json.loads(path.read_text()) if path.exists() else {"rows": {}}
    for name in args.rows:
        load = os.getloadavg()[0]
        runs_ = [measure(name, seed) for seed in args.seeds]
        for run in runs_:
            print(name, json.dumps(run), flush=True)
        recipe_name, changes, every = ROWS[name]
        results["rows"][name] = {"recipe": recipe_name, "changes": changes, "health_every": every, "seeds": runs_,
                                 "measured": f"load average {load:.1f} before and {os.getloadavg()[0]:.1f} after, {time.strftime('%Y-%m-%d %H:%M')}"}
        results["rows"] = {n: results["rows"][n] for n in ROWS if n in results["rows"]}
        path.write_text(json.dumps(results, indent=1) + "\n")
    measures = ("median_d_fake", "gradient_ratio", "mode_hops", "modes", "high_quality")
    lines = ["| row | recipe and change | seeds | " + " | ".join(m.replace("_", " ") for m in measures) + " |",
             "|---|---|---:|" + "---|" * len(measures)]
    for name, row in results["rows"].items():
        cells = []
        for m in measures:
            values = [run[m] for run in row["seeds"] if run[m] is not None and np.isfinite(run[m])]
            cells.append(str(claims.Spread(tuple(values))) if values else "-")
        change = ", ".join(f"{k}={v}" for k, v in row["changes"].items())
        lines.append(f"| {name} | {row['recipe']} {change} | {len(row['seeds'])} | " + " | ".join(cells) + " |")
    table = "\n".join(lines)
    print(table)
    (HERE / "failures_results.md").write_text(table + "\n")


if __name__ == "__main__":
    main()
