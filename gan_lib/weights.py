"""Weights as plain named arrays in an .npz file: the form in which the repository ships trained networks.

Arrays named "layer/index" (`conv_0/0` is conv_0's kernel) load into a network built by code on every
Keras 3 version, where a whole serialized model (.keras) loads only on versions that know its saved
configuration. Files are read with `allow_pickle=False` and written atomically.
"""

import numpy as np

from gan_lib.files import atomic_path


def weight_arrays(model):
    """The model's weights as {"layer/index": array}, e.g. "conv_0/0" is conv_0's kernel."""
    return {f"{layer.name}/{i}": w for layer in model.layers for i, w in enumerate(layer.get_weights())}


def set_weight_arrays(model, arrays):
    """Put arrays named as by `weight_arrays` into `model`; ValueError if their names or shapes differ.
    Keys without a "/" (notes stored beside the weights) are not weights and are ignored."""
    arrays = {key: value for key, value in arrays.items() if "/" in key}
    expected = {key: w.shape for key, w in weight_arrays(model).items()}
    wrong = sorted(key for key in expected.keys() | arrays.keys() if np.shape(arrays.get(key)) != expected.get(key))
    if wrong:
        raise ValueError(f"{', '.join(wrong)}: missing, unexpected or of another shape than in {model.name}")
    for layer in model.layers:
        layer.set_weights([arrays[f"{layer.name}/{i}"] for i in range(len(layer.get_weights()))])


def save_weights(model, path, **notes):
    """Write `weight_arrays(model)`, and any `notes` (strings, e.g. JSON) beside them, to an .npz atomically."""
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        np.savez(f, **weight_arrays(model), **{key: np.array(text) for key, text in notes.items()})


def read_arrays(path):
    """Every array of an .npz file as a dict, never unpickling; the caller turns errors into its own."""
    with np.load(path, allow_pickle=False) as npz:
        return {key: npz[key] for key in npz.files}
