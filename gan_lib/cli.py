"""`python -m gan_lib train|sample|classify`: train a notebook's GAN from the shell, sample a trained one, or read
digits with a semi-supervised run's classifier.

Every option of `train` sets one option of the recipe by its flat name (`gan_lib.recipes`); an option that the
recipe's task, networks or game does not hold is refused in one line that names the one that does.
"""

import argparse
import sys

from gan_lib import data, models, options, recipes, runs, training

# Command-line options that change a recipe's field: (flag, field, type, help).
RECIPE_OPTIONS = (
    ("--steps", "steps", int, "training steps: any positive number"),
    ("--batch-size", "batch_size", int, "batch size"),
    ("--latent-dim", "latent_dim", int, "size of the noise vector z"),
    ("--optimizer", "optimizer", str.lower, "the optimizer of both networks"),
    ("--lr", None, float, "learning rate of both networks"),
    ("--d-lr", "d_learning_rate", float, "learning rate of the discriminator (overrides --lr for it)"),
    ("--beta-1", "beta_1", float, "Adam's beta_1"),
    ("--beta-2", "beta_2", float, "Adam's beta_2"),
    ("--momentum", "momentum", float, "SGD's momentum"),
    ("--d-steps", "d_steps", int, "discriminator (WGAN-GP: critic) updates per generator update"),
    ("--gp-weight", "gp_weight", float, "weight of the gradient penalty (wgan-gp recipes)"),
    ("--r1-weight", "r1_weight", float, "weight of R1, the penalty on D's gradient at real samples (0: none)"),
    ("--generator-loss", "generator_loss", str, "the generator's loss"),
    ("--g-activation", "g_activation", str, "the generator's hidden activation"),
    ("--d-dropout", "d_dropout", float, "dropout after each hidden layer of the discriminator"),
    ("--kernel-size", "kernel_size", int, "the DCGAN's convolution kernels"),
    ("--corruption", "corruption", str, "pix2pix: what the input pictures hide"),
    ("--l1-weight", "l1_weight", float, "pix2pix: weight of L1 in the generator's loss (0: the cGAN loss alone)"),
    ("--gan-weight", "gan_weight", float, "pix2pix: weight of the cGAN loss in the generator's loss (0: L1 alone)"),
    ("--patch-size", "patch_size", int, "pix2pix: pixels each of the discriminator's logits sees"),
    ("--labels", "labels", int, "semi-supervised GAN: how many training digits keep their label (a multiple of 10)"),
    ("--unlabelled-weight", "unlabelled_weight", float, "semi-supervised GAN: weight of the unlabelled digits' loss (0: the labels alone)"),
)
CHOICES = {
    "--optimizer": recipes.OPTIMIZERS,
    "--generator-loss": tuple(dict.fromkeys(training.GENERATOR_LOSSES + training.SEMI_SUPERVISED_LOSSES)),
    "--g-activation": tuple(options.ACTIVATIONS),
    "--corruption": tuple(data.CORRUPTIONS),
    "--patch-size": models.PATCH_SIZES,
}


def _parser():
    parser = argparse.ArgumentParser(prog="python -m gan_lib", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="train a recipe and write its pictures, generator and metrics")
    train.add_argument("config", choices=list(recipes.RECIPES), help="the recipe (each notebook's defaults)")
    for flag, _, kind, text in RECIPE_OPTIONS:
        train.add_argument(flag, type=kind, choices=CHOICES.get(flag), help=f"{text} (default: the recipe's)")
    train.add_argument(
        "--unconditional-d", action="store_true", help="pix2pix: the discriminator judges outputs without their inputs"
    )
    train.add_argument("--seed", type=int, default=0, help="the one seed for weights, noise and data order")
    train.add_argument("--out", help="run folder (default: runs/CONFIG)")
    train.add_argument("--resume", action="store_true", help="continue an interrupted run from its checkpoint")

    sample = commands.add_parser("sample", help="write samples of a trained run as a .png grid or .npz arrays")
    sample.add_argument("run_dir", help="a folder written by `train`")
    sample.add_argument("--n", type=int, default=100, help="number of samples (pix2pix: the first N test digits translated)")
    sample.add_argument("--label", type=int, help="the digit to draw (conditional runs; default: all, balanced)")
    sample.add_argument("--seed", type=int, default=0, help="seed of the noise")
    sample.add_argument("--out", required=True, help="FILE.png or FILE.npz")

    classify = commands.add_parser("classify", help="predict the digits of an .npz file with a semi-supervised run's classifier")
    classify.add_argument("run_dir", help="a folder written by `train mnist-sgan`")
    classify.add_argument("--images", required=True, help="an .npz file whose `images` are uint8, N x 28 x 28")
    classify.add_argument("--out", required=True, help="FILE.npz: `labels` (N digits) and `probabilities` (N x 10)")
    return parser


def recipe_changes(args):
    """The recipe fields the command line sets: --lr sets both learning rates, --d-lr the discriminator's."""
    changes = {}
    if args.lr is not None:
        changes.update(g_learning_rate=args.lr, d_learning_rate=args.lr)
    for flag, field, _, _ in RECIPE_OPTIONS:
        value = getattr(args, flag[2:].replace("-", "_"))
        if field is not None and value is not None:
            changes[field] = value
    if args.unconditional_d:
        changes["d_sees_input"] = False
    return changes


FLAGS = {field: flag for flag, field, _, _ in RECIPE_OPTIONS if field} | {
    "g_learning_rate": "--lr", "d_sees_input": "--unconditional-d"}


def main(argv=None):
    args = _parser().parse_args(argv)
    try:
        if args.command == "train":
            try:
                recipe = recipes.get(args.config, **recipe_changes(args))
            except recipes.ForeignOption as err:  # said with the flag the user typed
                raise ValueError(f"{FLAGS.get(err.option, err.option)}: {err}") from err
            out = args.out or f"runs/{args.config}"
            verbose = 1 if sys.stdout.isatty() else 2  # a progress bar on a terminal, a line per epoch in a log
            report = runs.train(recipe, out, seed=args.seed, resume=args.resume, verbose=verbose)
            print(runs.summary(report, out))
            if report["diverged"]:
                print(f"error: {report['diverged']}", file=sys.stderr)
                return 1
        elif args.command == "classify":
            print(f"wrote {runs.classify(args.run_dir, args.images, args.out)}")
        else:
            print(f"wrote {runs.sample(args.run_dir, args.out, args.n, args.label, args.seed)}")
    except ValueError as err:  # RunError, MnistFileError and bad recipe values: one line, exit 2
        print(f"python -m gan_lib {args.command}: error: {err}", file=sys.stderr)
        return 2
    return 0
