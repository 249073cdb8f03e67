"""The MNIST evaluator: a small CNN classifier whose judgements of generated digits measure a GAN.

`python -m gan_lib.evaluator` trains it on the MNIST training set (a few minutes on a CPU) and
writes its weights to data/evaluator.weights.npz; `gan_lib.metrics` builds the network by code,
loads those weights and never trains. Plain named arrays load on every Keras 3 version, where a
whole serialized model (.keras) loads only on Keras versions that know its saved configuration.
"""

import argparse
import time

import keras
from keras import layers

from gan_lib import data
from gan_lib.weights import save_weights

EVALUATOR_PATH = data.DATA_DIR / "evaluator.weights.npz"
RECREATE_COMMAND = "python -m gan_lib.evaluator"
IMAGE_SHAPE = (28, 28)
FEATURES = "features"


def build_evaluator(num_classes=data.NUM_CLASSES, features=64, dropout=0.25):
    """An image in [-1, 1] -> class probabilities, through a dense layer named "features".

    The layer names are the keys of the weights file (see `gan_lib.weights`), so keep them stable.
    """
    image = keras.Input(IMAGE_SHAPE, name="image")
    x = layers.Reshape((*IMAGE_SHAPE, 1), name="channel")(image)
    x = layers.Conv2D(32, 3, activation="relu", name="conv_0")(x)
    x = layers.MaxPooling2D(name="pool_0")(x)
    x = layers.Conv2D(64, 3, activation="relu", name="conv_1")(x)
    x = layers.MaxPooling2D(name="pool_1")(x)
    x = layers.Flatten(name="flat")(x)
    x = layers.Dropout(dropout, name="flat_dropout")(x)
    x = layers.Dense(features, activation="relu", name=FEATURES)(x)
    x = layers.Dropout(dropout, name="features_dropout")(x)
    probabilities = layers.Dense(num_classes, activation="softmax", name="probabilities")(x)
    return keras.Model(image, probabilities, name="mnist_evaluator")


def train_evaluator(mnist=None, epochs=6, batch_size=128, seed=0, verbose=2):
    """Train a fresh evaluator on the training images, scaled to [-1, 1] like the generators' output.

    Returns the model and its test accuracy.
    """
    keras.utils.set_random_seed(seed)
    mnist = data.load_mnist() if mnist is None else mnist
    model = build_evaluator()
    model.compile(keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(data.scale_images(mnist.x_train), mnist.y_train, epochs=epochs, batch_size=batch_size, verbose=verbose)
    _, accuracy = model.evaluate(data.scale_images(mnist.x_test), mnist.y_test, batch_size=500, verbose=0)
    return model, float(accuracy)


def main(argv=None):
    """Train the evaluator, print its test accuracy and training time, and save its weights."""
    parser = argparse.ArgumentParser(prog=RECREATE_COMMAND, description=main.__doc__)
    parser.add_argument("--out", default=str(EVALUATOR_PATH), help="where to write the weights (.npz)")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    model, accuracy = train_evaluator(epochs=args.epochs, seed=args.seed)
    seconds = time.perf_counter() - start
    save_weights(model, args.out)
    print(f"test accuracy {accuracy:.4f}, trained in {seconds:.0f} s, saved to {args.out}")


if __name__ == "__main__":
    main()
