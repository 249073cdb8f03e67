"""Full runs that the repository ships: a recipe's command-line run, kept as its generator's weights.

A notebook trains a short run live and loads the full run beside it (keras.io's habit). The file
`data/NAME.weights.npz` holds the moving-average generator's weights as named arrays
(`gan_lib.weights`), the run's configuration (recipe and seed) and its report; `load(NAME)` builds
the generator by code and puts the weights in. `python -m gan_lib.pretrained NAME` re-makes the file
by training exactly as `python -m gan_lib train NAME` does.
"""

import argparse
import json
import sys

from gan_lib import data, recipes, runs
from gan_lib.weights import read_arrays, save_weights, set_weight_arrays

SHIPPED = ("mnist-dcgan",)
SEED = 0


class PretrainedFileError(ValueError):
    """A shipped file is missing, damaged or of another recipe; the message says how to re-make it."""


def path(name):
    return data.DATA_DIR / f"{name}.weights.npz"


def command(name):
    """The one command that re-makes the shipped file of recipe `name`."""
    return f"python -m gan_lib.pretrained {name}"


def make(name, out=None, seed=SEED, verbose="auto"):
    """Train recipe `name` with its defaults into `out` (default runs/NAME) and write its shipped file."""
    if name not in SHIPPED:
        raise ValueError(f"no shipped run for {name!r}; choose one of {', '.join(SHIPPED)}")
    out = out or f"runs/{name}"
    report = runs.train(recipes.get(name), out, seed=seed, verbose=verbose)
    _, generator = runs.load_run(out)
    save_weights(generator, path(name), config=json.dumps(report["config"]), report=json.dumps(report))
    return report


def load(name):
    """(generator, report) of the shipped full run of recipe `name`; PretrainedFileError if the file is
    missing, unreadable, or made with another recipe than today's (the weights would not be its)."""
    file = path(name)
    fix = f"re-make it with `{command(name)}` (the recipe's full run: {recipes.get(name).steps:,} steps)"
    try:
        arrays = read_arrays(file)
        config = json.loads(str(arrays["config"]))
        made = recipes.Recipe.from_config(config)  # today's layout, or the flat one the file may have been made in
        report = json.loads(str(arrays["report"]))
    except Exception as err:  # noqa: BLE001 - missing, damaged, or without its notes
        raise PretrainedFileError(f"{file}: not a readable shipped run ({type(err).__name__}: {err}); {fix}") from err
    # The recipe and seed, not the backend that trained it: the generator's weights load on every backend.
    expected, saved = {**recipes.get(name).fields(), "seed": SEED}, {**made.fields(), "seed": config.get("seed")}
    changed = sorted(k for k in expected.keys() | saved.keys() if expected.get(k) != saved.get(k))
    if changed:
        raise PretrainedFileError(f"{file}: made with another {name} recipe (differs in {', '.join(changed)}); {fix}")
    generator, _ = recipes.build_models(recipes.get(name))
    try:
        set_weight_arrays(generator, arrays)
    except ValueError as err:
        raise PretrainedFileError(f"{file}: not the weights of a {name} generator ({err}); {fix}") from err
    return generator, report


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m gan_lib.pretrained", description=make.__doc__)
    parser.add_argument("name", choices=SHIPPED, help="the recipe whose full run to train and ship")
    parser.add_argument("--out", help="run folder (default: runs/NAME)")
    args = parser.parse_args(argv)
    verbose = 1 if sys.stdout.isatty() else 2
    report = make(args.name, args.out, verbose=verbose)
    print(json.dumps(report["quality"]["generated"], indent=2))
    print(f"wrote {path(args.name)}")


if __name__ == "__main__":
    main()
