"""pix2pix benchmark: the paper's ablation of the objective and of the discriminator's patch size, on MNIST.

    python benchmarks/pix2pix.py [--rows L1 cGAN ...] [--out runs/pix2pix] [--seeds 0 1 2]

Each row trains `mnist-pix2pix` with its defaults and one change (the last two: two changes), exactly as
`python -m gan_lib train mnist-pix2pix [OPTIONS] --out OUT/ROW` does, and measures the 10,000 test inputs
(`runs.measure`): the L1 distance to the truth, the evaluator's accuracy against the true labels (the
FCN-score protocol of Isola et al. 2017), the Fréchet distance to real digits and the sharpness. Beside
them, the paper's Tables 1 and 2 (Cityscapes labels -> photo, FCN per-pixel accuracy). Writes
benchmarks/pix2pix_results.md and .json, each row with every seed measured (a seed measured again replaces its
old result; rows and seeds not named keep theirs), and the first 20 test digits translated by each row's seed-0
run in benchmarks/pix2pix_samples/ROW.npz. Notebook 07 reads both.
"""

import argparse
import json
import pathlib
import time

from gan_lib import claims, environment, recipes, runs

HERE = pathlib.Path(__file__).resolve().parent
RESULTS = HERE / "pix2pix_results.json"
SAMPLES = HERE / "pix2pix_samples"  # the first 20 test digits translated by each row (`sample --n 20`)

# Each row: (the command line's options, the recipe's changes). The objective's rows (the paper's Table 1) ...
OBJECTIVES = {
    "L1": ("--gan-weight 0", {"gan_weight": 0.0}),
    "GAN": ("--l1-weight 0 --unconditional-d", {"l1_weight": 0.0, "d_sees_input": False}),
    "cGAN": ("--l1-weight 0", {"l1_weight": 0.0}),
    "L1+GAN": ("--unconditional-d", {"d_sees_input": False}),
    "L1+cGAN": ("", {}),
}
# ... and the patch sizes (its Table 2), all L1+cGAN; the recipe's own patch of 22 pixels is the L1+cGAN row.
PATCHES = {f"patch {size}": (f"--patch-size {size}", {"patch_size": size}) for size in (1, 4, 10, 28)}
# ... and 4x super-resolution (each digit averaged to 7 x 7), where the input leaves little open: L1 alone and L1+cGAN.
SUPER_RESOLUTION = {
    "pool-4x L1": ("--corruption pool-4x --gan-weight 0", {"corruption": "pool-4x", "gan_weight": 0.0}),
    "pool-4x L1+cGAN": ("--corruption pool-4x", {"corruption": "pool-4x"}),
}
ROWS = {**OBJECTIVES, **PATCHES, **SUPER_RESOLUTION}

# Isola et al. (2017), FCN per-pixel accuracy on Cityscapes labels -> photo: Table 1 (objectives; ground truth
# 0.80) and Table 2 of arXiv v3 (receptive fields of the discriminator, of 256 x 256 images, all L1+cGAN).
PAPER = {"L1": 0.42, "GAN": 0.22, "cGAN": 0.57, "L1+GAN": 0.64, "L1+cGAN": 0.66, "ground truth": 0.80}
PAPER_PATCHES = {"1 x 1": 0.39, "16 x 16": 0.65, "70 x 70": 0.66, "286 x 286": 0.42}


def file_name(row):
    return row.replace(" ", "-").replace("+", "-")


MEASURES = ("l1", "conditional_accuracy", "frechet_distance", "classifier_score", "sharpness")


def train_row(name, out, seed):
    """Train one seed of a row as the command line does (seed 0: keep 20 translated test digits); return the
    row's description and the seed's measures."""
    options, changes = ROWS[name]
    recipe = recipes.get("mnist-pix2pix", **changes)
    run_dir = out / file_name(name) / f"seed-{seed}"
    start = time.perf_counter()
    report = runs.train(recipe, run_dir, seed=seed, verbose=0)
    seconds = time.perf_counter() - start
    if seed == 0:
        SAMPLES.mkdir(exist_ok=True)
        runs.sample(run_dir, SAMPLES / f"{file_name(name)}.npz", n=20)
    row = {
        "command": f"python -m gan_lib train mnist-pix2pix {options}".strip(),
        "steps": report["steps"],
        "real": {k: report["quality"]["real"][k] for k in MEASURES[1:]},
    }
    return row, {"seed": seed, "seconds": round(seconds, 1), "generated": {k: report["quality"]["generated"][k] for k in MEASURES}}


def table(results):
    lines = [
        "| row | command | seeds | L1 to truth | evaluator accuracy | Fréchet distance | sharpness | paper (FCN per-pixel acc.) | seconds (median) |",
        "|---|---|---:|---|---|---|---|---|---:|",
    ]
    paper = {**PAPER, "patch 1": PAPER_PATCHES["1 x 1"], "patch 28": PAPER_PATCHES["286 x 286"]}  # the same ends of the scale
    for name in ROWS:
        if name in results["rows"]:
            row = results["rows"][name]
            cells = [_cell(claims.spread(row["seeds"], f"generated.{k}"), digits) for k, digits in
                     (("l1", 4), ("conditional_accuracy", 3), ("frechet_distance", 2), ("sharpness", 4))]
            seconds = sorted(run["seconds"] for run in row["seeds"])[len(row["seeds"]) // 2]
            lines.append(
                f"| {name} | `{row['command']}` | {len(row['seeds'])} | {' | '.join(cells)} | {paper.get(name, '-')} | {seconds:.0f} |"
            )
    real = next(iter(results["rows"].values()))["real"]
    lines.append(
        f"| real test digits | | | 0 | {real['conditional_accuracy']:.3f} | {real['frechet_distance']:.2f} | "
        f"{real['sharpness']:.4f} | {PAPER['ground truth']} | |"
    )
    return "\n".join(lines)


def _cell(spread, digits):
    """A measure over the seeds: its mean, and its range where there is more than one seed."""
    if len(spread) == 1:
        return f"{spread.mean:.{digits}f}"
    return f"{spread.mean:.{digits}f} ({spread.low:.{digits}f} to {spread.high:.{digits}f})"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", nargs="+", choices=list(ROWS), default=list(ROWS))
    parser.add_argument("--out", default="runs/pix2pix", help="folder of the runs")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    args = parser.parse_args()
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {"rows": {}}
    results.update(device=environment.describe_device(), paper=PAPER, paper_patches=PAPER_PATCHES)
    for name in args.rows:
        for seed in args.seeds:
            row, measured = train_row(name, pathlib.Path(args.out), seed)
            old = [run for run in results["rows"].get(name, {}).get("seeds", []) if run["seed"] != seed]
            results["rows"][name] = {**row, "seeds": sorted([*old, measured], key=lambda run: run["seed"])}
            print(name, measured, flush=True)
            results["rows"] = {n: results["rows"][n] for n in ROWS if n in results["rows"]}
            RESULTS.write_text(json.dumps(results, indent=2) + "\n")  # after every run: an interrupted benchmark keeps it
    text = (
        "# pix2pix on MNIST: the paper's ablations\n\n"
        f"`python benchmarks/pix2pix.py`, on {results['device']}. Each cell is the mean over the row's seeds and, "
        "where there are several, their range. Every row measures the 10,000 "
        "test digits with the bottom half hidden (the pool-4x rows: each digit averaged to 7 x 7); the evaluator's accuracy against the true labels is the paper's "
        "FCN-score protocol (a classifier trained on real images judging the generated ones). The paper's column is "
        "Isola et al. (2017), Cityscapes labels -> photo, FCN per-pixel accuracy: Table 1 for the objectives, "
        "Table 2 (arXiv v3) for the patch sizes (1 x 1 and the whole image, 286 x 286; their 16 and 70 pixel "
        "patches scored 0.65 and 0.66). The recipe's own patch, 22 pixels, is the L1+cGAN row.\n\n" + table(results) + "\n"
    )
    (HERE / "pix2pix_results.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
