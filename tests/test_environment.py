"""TensorFlow starts quietly: its start-up lines obey TF_CPP_MIN_LOG_LEVEL, anything else gets through.
A Python, TensorFlow or Keras older than the tested floors is refused with what to do."""

import os
import sys

import keras
import pytest

from gan_lib import environment

# Lines TensorFlow 2.21 writes while it is imported and probes for a GPU, on a CPU machine.
BANNER = "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
INFO = "I0000 00:00:1795637751.012891    4661 cudart_stub.cc:31] Could not find cuda drivers on your machine.\n"
SECOND_LINE = "To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow.\n"
NO_GPU = "E0000 00:00:1795637755.659706    4661 cuda_platform.cc:52] failed call to cuInit: CUDA error (303)\n"
STARTUP = [BANNER, INFO, SECOND_LINE, NO_GPU]
REMAPPER = (
    "E0000 00:00:1796567388.991575   16741 meta_optimizer.cc:967] remapper failed: INVALID_ARGUMENT: Mutation::Apply "
    "error: fanout 'gradient_tape/dcgan_discriminator_5/down_1_act_1/LeakyRelu/LeakyReluGrad' exist for missing node "
    "'dcgan_discriminator_5/down_1_1/BiasAdd'.\n"
)
ERROR = "E1125 20:15:33.123456    4661 cuda_driver.cc:1046] failed to allocate 2.00G: CUDA_ERROR_OUT_OF_MEMORY\n"


REMAPPER_TF_2_16 = (  # the same error in the log format of TensorFlow before absl's (the floors' TF 2.16.1)
    "2026-12-07 19:33:37.288276: E tensorflow/core/grappler/optimizers/meta_optimizer.cc:961] remapper failed: "
    "INVALID_ARGUMENT: Mutation::Apply error: fanout 'gradient_tape/dcgan_discriminator_5/down_1_act_1/LeakyRelu/"
    "LeakyReluGrad' exist for missing node 'dcgan_discriminator_5/down_1_1/BiasAdd'.\n"
)
INFO_TF_2_16 = "2026-12-07 19:33:31.414971: I external/local_tsl/tsl/cuda/cudart_stub.cc:32] Could not find cuda drivers on your machine, GPU will not be used.\n"
ERROR_TF_2_16 = "2026-12-07 19:33:31.414971: E tensorflow/core/common_runtime/bfc_allocator.cc:485] Allocator ran out of memory.\n"


@pytest.mark.parametrize("line", [*STARTUP, REMAPPER, REMAPPER_TF_2_16, INFO_TF_2_16])
def test_startup_lines_are_noise_at_the_default_level(line):
    assert environment.is_tensorflow_noise(line, level=2)


@pytest.mark.parametrize("line", [ERROR, "Traceback (most recent call last):\n", "a Python warning\n"])
def test_errors_and_other_lines_are_kept(line):
    assert not environment.is_tensorflow_noise(line, level=2)


def test_a_user_who_asks_for_every_line_gets_it():
    assert not any(environment.is_tensorflow_noise(line, level=0) for line in [*STARTUP, ERROR])
    assert not environment.is_tensorflow_noise(ERROR_TF_2_16, level=2)  # a real error, in either format


def test_filter_drops_noise_and_passes_the_rest(capfd, monkeypatch):
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "2")
    with environment.QuietTensorFlowLog():
        os.write(2, "".join([*STARTUP, REMAPPER, ERROR]).encode())
    assert capfd.readouterr().err == ERROR


def test_the_filter_ends_at_close_and_lets_later_lines_through_at_once(capfd, monkeypatch):
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "2")
    with environment.QuietTensorFlowLog() as quiet:
        os.write(2, (REMAPPER + ERROR).encode())
        quiet.close()
        assert capfd.readouterr().err == ERROR
        os.write(2, REMAPPER.encode())  # after close: not filtered
    assert capfd.readouterr().err == REMAPPER


def test_training_shows_no_tensorflow_noise_and_keeps_the_same_numbers(capfd):
    """The DCGAN's first training call makes grappler log a harmless error (TF 2.21); recipes.fit hides it."""
    from gan_lib import recipes

    recipe = recipes.get("mnist-dcgan").replace(steps=4, steps_per_execution=2, g_dense=(), d_dense=(), g_hidden=(8, 4), d_hidden=(4, 8))
    keras.utils.set_random_seed(0)
    gan = recipes.build(recipe, seed=0)
    recipes.fit(gan, recipe, recipes.dataset(recipe, seed=0), verbose=0)
    assert "remapper failed" not in capfd.readouterr().err
    os.write(2, b"after training\n")  # file descriptor 2 is stderr again
    assert capfd.readouterr().err == "after training\n"


def test_a_python_older_than_the_tested_floor_is_refused(monkeypatch):
    monkeypatch.setattr(sys, "version_info", (3, 10, 12, "final", 0))
    with pytest.raises(RuntimeError, match=r"needs Python >= 3\.11, the oldest it was tested on"):
        environment.check_versions()


@pytest.mark.tensorflow
def test_a_tensorflow_older_than_the_floor_is_refused_with_both_floors(monkeypatch):
    import tensorflow as tf

    monkeypatch.setattr(tf, "__version__", "2.15.1")
    with pytest.raises(RuntimeError, match=r"TensorFlow 2\.15\.1 is too old: the series needs TensorFlow >= 2\.16 with Keras >= 3\.10"):
        environment.check_versions()


def test_a_keras_older_than_the_floor_is_refused_with_what_to_install(monkeypatch):
    monkeypatch.setattr(keras, "__version__", "3.9.2")
    with pytest.raises(RuntimeError, match=r"Keras 3\.9\.2 is too old.*pip install -U -r requirements.txt"):
        environment.check_versions()


def test_the_floors_pass(monkeypatch):
    monkeypatch.setattr(sys, "version_info", (3, 11, 0, "final", 0))
    monkeypatch.setattr(keras, "__version__", "3.10.0")
    environment.check_versions()
