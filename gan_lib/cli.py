"""`python -m gan_lib train|sample`: train a notebook's GAN from the shell, or sample a trained one."""

import argparse
import json
import sys

from gan_lib import recipes, runs


def _parser():
    parser = argparse.ArgumentParser(prog="python -m gan_lib", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="train a recipe and write its pictures, generator and metrics")
    train.add_argument("config", choices=list(recipes.RECIPES), help="the recipe (each notebook's defaults)")
    train.add_argument("--steps", type=int, help="training steps (default: the recipe's)")
    train.add_argument("--batch-size", type=int, help="batch size (default: the recipe's)")
    train.add_argument("--seed", type=int, default=0, help="the one seed for weights, noise and data order")
    train.add_argument("--out", help="run folder (default: runs/CONFIG)")
    train.add_argument("--resume", action="store_true", help="continue an interrupted run from its checkpoint")

    sample = commands.add_parser("sample", help="write samples of a trained run as a .png grid or .npz arrays")
    sample.add_argument("run_dir", help="a folder written by `train`")
    sample.add_argument("--n", type=int, default=100, help="number of samples")
    sample.add_argument("--label", type=int, help="the digit to draw (conditional runs; default: all, balanced)")
    sample.add_argument("--seed", type=int, default=0, help="seed of the noise")
    sample.add_argument("--out", required=True, help="FILE.png or FILE.npz")
    return parser


def main(argv=None):
    args = _parser().parse_args(argv)
    try:
        if args.command == "train":
            changes = {k: v for k, v in (("steps", args.steps), ("batch_size", args.batch_size)) if v is not None}
            recipe = recipes.get(args.config, **changes)
            out = args.out or f"runs/{args.config}"
            verbose = 1 if sys.stdout.isatty() else 2  # a progress bar on a terminal, a line per epoch in a log
            report = runs.train(recipe, out, seed=args.seed, resume=args.resume, verbose=verbose)
            print(json.dumps(report, indent=2))
            print(f"wrote {', '.join(runs.ARTEFACTS)} to {out}")
            if report["diverged"]:
                print(f"error: {report['diverged']}", file=sys.stderr)
                return 1
        else:
            print(f"wrote {runs.sample(args.run_dir, args.out, args.n, args.label, args.seed)}")
    except ValueError as err:  # RunError, MnistFileError and bad recipe values: one line, exit 2
        print(f"python -m gan_lib {args.command}: error: {err}", file=sys.stderr)
        return 2
    return 0
