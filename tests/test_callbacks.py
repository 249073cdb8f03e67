"""gan_lib.callbacks and gan_lib.files: history, snapshots, checkpoints and atomic writes."""

import json
import os
import shutil

import keras
import numpy as np
import pytest

from gan_lib.callbacks import Checkpoint, Snapshots, StepHistory, global_step, remove_checkpoint
from gan_lib.files import atomic_path
from gan_lib.training import latent_noise

KEYS = ("d_loss", "g_loss", "d_real", "d_fake")


class _EveryLog(keras.callbacks.Callback):
    """The raw logs Keras hands to callbacks, by step."""

    def __init__(self):
        super().__init__()
        self.logs = {}

    def on_train_batch_end(self, batch, logs=None):
        self.logs[global_step(self.model)] = {k: float(logs[k]) for k in KEYS}


# --- StepHistory ------------------------------------------------------------------------------


@pytest.mark.parametrize("jit_compile", [False, True], ids=["keras-loop", "fast-path"])
def test_step_history_interval_means_are_the_true_per_step_means(make_gan, tiny_batches, jit_compile):
    # The truth: one step per epoch, so Keras's running means restart at every step and each
    # logged value is that step's own loss.
    truth = _EveryLog()
    make_gan(steps_per_execution=1, jit_compile=jit_compile).fit(
        tiny_batches(), steps_per_epoch=1, epochs=8, verbose=0, callbacks=[truth]
    )
    per_step = {key: np.array([truth.logs[s][key] for s in range(1, 9)]) for key in KEYS}

    # the same training seen every 3 steps in one epoch, and every 2 steps over two epochs
    for per_call, steps, epochs in ((3, 6, 1), (2, 4, 2)):
        history = StepHistory()
        make_gan(steps_per_execution=per_call, jit_compile=jit_compile).fit(
            tiny_batches(), steps_per_epoch=steps, epochs=epochs, verbose=0, callbacks=[history]
        )
        done = steps * epochs
        assert history.history["step"] == list(range(per_call, done + 1, per_call))
        for key in KEYS:
            want = per_step[key][:done].reshape(-1, per_call).mean(axis=1)
            np.testing.assert_allclose(history.history[key], want, rtol=1e-5, err_msg=key)


def test_step_history_state_round_trip():
    history = StepHistory()
    history.history = {"step": [2, 4], "d_loss": [1.5, 1.25]}
    again = StepHistory()
    again.set_state(history.get_state())
    assert again.history == {"step": [2, 4], "d_loss": [1.5, 1.25]}


# --- Snapshots --------------------------------------------------------------------------------


@pytest.mark.parametrize("steps_per_execution, steps, want", [(1, 7, [0, 3, 6, 7]), (2, 8, [0, 4, 8])])
def test_snapshots_every_n_steps_from_step_zero_and_at_the_end(
    make_gan, tiny_batches, steps_per_execution, steps, want
):
    gan = make_gan(steps_per_execution=steps_per_execution)
    noise = latent_noise(5, gan.latent_dim, seed=3)
    start = gan.generate(noise=noise)
    snapshots = Snapshots(noise, every=3)
    gan.fit(tiny_batches(), steps_per_epoch=steps, epochs=1, verbose=0, callbacks=[snapshots])
    # callbacks see the model only every `steps_per_execution` steps: a frame is taken at the
    # first look at least `every` steps after the last one
    assert snapshots.steps == want
    assert len(snapshots.frames) == len(want) and snapshots.frames[0].shape == (5, 4, 4)
    np.testing.assert_array_equal(snapshots.frames[0], start)
    np.testing.assert_array_equal(snapshots.frames[-1], gan.generate(noise=noise))
    assert not np.array_equal(snapshots.frames[0], snapshots.frames[-1])
    # a second fit goes on from where the first ended, without a repeated frame
    gan.fit(tiny_batches(seed=1), steps_per_epoch=steps_per_execution, epochs=1, verbose=0, callbacks=[snapshots])
    assert snapshots.steps == want + [steps + steps_per_execution]


def test_conditional_snapshots_use_their_labels(make_gan):
    gan = make_gan(conditional=True)
    noise = latent_noise(6, gan.latent_dim)
    snapshots = Snapshots(noise, labels=np.array([0, 0, 1, 1, 2, 2]), every=1)
    snapshots.set_model(gan)
    snapshots.on_train_begin()
    np.testing.assert_array_equal(snapshots.frames[0], gan.generate(noise=noise, labels=[0, 0, 1, 1, 2, 2]))


def test_snapshots_state_round_trip():
    snapshots = Snapshots(np.zeros((2, 8), np.float32))
    snapshots.steps, snapshots.frames = [0, 5], [np.zeros((2, 4, 4)), np.ones((2, 4, 4))]
    again = Snapshots(np.zeros((2, 8), np.float32))
    again.set_state(snapshots.get_state())
    assert again.steps == [0, 5]
    np.testing.assert_array_equal(np.asarray(again.frames), np.asarray(snapshots.frames))


# --- Checkpoint and resume --------------------------------------------------------------------

STEPS = 3


@pytest.mark.parametrize("conditional", [False, True])
def test_resumed_run_equals_an_uninterrupted_one(make_gan, tiny_batches, weights, same, tmp_path, conditional):
    options = dict(conditional=conditional, ema_decay=0.9, steps_per_execution=STEPS)

    straight = make_gan(**options)
    straight.fit(tiny_batches(conditional), steps_per_epoch=STEPS, epochs=4, verbose=0)

    history = StepHistory()
    first = make_gan(**options)
    checkpoint = Checkpoint(tmp_path / "checkpoint", stateful={"history": history})
    first.fit(tiny_batches(conditional), steps_per_epoch=STEPS, epochs=2, verbose=0, callbacks=[history, checkpoint])
    assert json.loads((tmp_path / "checkpoint" / "latest.json").read_text())["epoch"] == 2
    assert sorted(os.listdir(tmp_path / "checkpoint")) == ["epoch-00002.npz", "epoch-00002.weights.h5", "latest.json"]

    # a new process would start from other random weights and another noise seed: the restore
    # must replace all of it (weights, both optimizers, the noise stream, the EMA, the history)
    resumed = make_gan(seed=5, noise_seed=9, **options)
    history2 = StepHistory()
    checkpoint2 = Checkpoint(tmp_path / "checkpoint", stateful={"history": history2})
    initial_epoch = checkpoint2.restore(resumed)
    assert initial_epoch == 2 and global_step(resumed) == 2 * STEPS
    assert history2.history == history.history
    resumed.fit(
        tiny_batches(conditional).skip(initial_epoch * STEPS),
        steps_per_epoch=STEPS,
        epochs=4,
        initial_epoch=initial_epoch,
        verbose=0,
        callbacks=[history2, checkpoint2],
    )
    assert int(np.asarray(resumed.d_optimizer.iterations)) == int(np.asarray(straight.d_optimizer.iterations)) == 4 * STEPS
    assert same(weights(resumed.generator), weights(straight.generator))
    assert same(weights(resumed.discriminator), weights(straight.discriminator))
    assert same(weights(resumed.ema_generator), weights(straight.ema_generator))
    for mine, theirs in zip(resumed.d_optimizer.variables + resumed.g_optimizer.variables,
                            straight.d_optimizer.variables + straight.g_optimizer.variables):
        np.testing.assert_array_equal(np.asarray(mine), np.asarray(theirs))
    assert history2.history["step"] == [3, 6, 9, 12]
    assert json.loads((tmp_path / "checkpoint" / "latest.json").read_text())["epoch"] == 4
    assert sorted(os.listdir(tmp_path / "checkpoint")) == ["epoch-00004.npz", "epoch-00004.weights.h5", "latest.json"]


def test_restore_without_a_checkpoint_starts_at_zero(make_gan, tmp_path):
    assert Checkpoint(tmp_path / "none").restore(make_gan()) == 0


@pytest.fixture(scope="module")
def saved_checkpoint(make_gan, tiny_batches, tmp_path_factory):
    """A checkpoint folder after two epochs of one step."""
    directory = tmp_path_factory.mktemp("saved") / "checkpoint"
    make_gan().fit(tiny_batches(), steps_per_epoch=1, epochs=2, verbose=0, callbacks=[Checkpoint(directory)])
    return directory


@pytest.mark.parametrize(
    "pointer",
    [
        '{"epoch": 2, "tag": "epo',  # cut short
        "",
        "null",
        "[]",
        '{"epoch": 2}',
        '{"tag": "epoch-00002"}',
        '{"epoch": 2, "tag": "epoch-00009"}',  # names files that are not there
    ],
)
def test_corrupt_latest_json_gives_a_clear_error(make_gan, saved_checkpoint, tmp_path, pointer):
    directory = tmp_path / "checkpoint"
    shutil.copytree(saved_checkpoint, directory)
    Checkpoint(directory).restore(make_gan())  # the genuine pointer works
    (directory / "latest.json").write_text(pointer)
    with pytest.raises(ValueError) as info:
        Checkpoint(directory).restore(make_gan())
    message = str(info.value)
    assert str(directory) in message and "cannot be read" in message and "delete the folder" in message


def test_checkpoint_with_missing_weights_file_gives_a_clear_error(make_gan, tiny_batches, tmp_path):
    gan = make_gan()
    directory = tmp_path / "checkpoint"
    gan.fit(tiny_batches(), steps_per_epoch=1, epochs=1, verbose=0, callbacks=[Checkpoint(directory)])
    (directory / "epoch-00001.weights.h5").unlink()
    with pytest.raises(ValueError, match="cannot be read"):
        Checkpoint(directory).restore(make_gan())


def test_remove_checkpoint(make_gan, tiny_batches, tmp_path):
    directory = tmp_path / "checkpoint"
    make_gan().fit(tiny_batches(), steps_per_epoch=1, epochs=1, verbose=0, callbacks=[Checkpoint(directory)])
    remove_checkpoint(directory)
    assert not directory.exists()
    remove_checkpoint(directory)  # nothing left: no error


# --- atomic_path ------------------------------------------------------------------------------


def test_atomic_path_replaces_the_target_whole(tmp_path):
    target = tmp_path / "sub" / "run.weights.h5"
    with atomic_path(target) as tmp:
        assert os.path.dirname(tmp) == str(target.parent)  # same folder: the rename is atomic
        assert tmp.endswith(".weights.h5")  # writers that choose a format by suffix still work
        assert not target.exists()  # nothing at the target while writing
        with open(tmp, "w") as f:
            f.write("new")
    assert target.read_text() == "new"
    assert os.listdir(target.parent) == ["run.weights.h5"]


def test_atomic_path_on_error_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "history.json"
    target.write_text("old")
    with pytest.raises(RuntimeError, match="killed"):
        with atomic_path(target) as tmp:
            with open(tmp, "w") as f:
                f.write("half a fi")
            raise RuntimeError("killed")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["history.json"]


def test_atomic_path_on_error_creates_no_target(tmp_path):
    target = tmp_path / "samples.png"
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            with open(tmp, "wb") as f:
                f.write(b"\x89PNG")
            raise RuntimeError
    assert os.listdir(tmp_path) == []


def test_atomic_path_gives_ordinary_permissions(tmp_path):
    target = tmp_path / "metrics.json"
    with atomic_path(target) as tmp:
        with open(tmp, "w") as f:
            f.write("{}")
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask
