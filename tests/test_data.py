"""gan_lib.data: the quadratic toy, MNIST loading and its failure modes, image pipelines."""

import hashlib
import os
import zipfile

import numpy as np
import pytest
import keras

from gan_lib.data import (
    MNIST_PATH,
    MNIST_SHA256,
    MnistFileError,
    image_dataset,
    load_mnist,
    one_hot,
    quadratic_dataset,
    quadratic_moments,
    quadratic_samples,
    scale_images,
    unscale_images,
)

# --- The quadratic toy --------------------------------------------------------------------


@pytest.mark.parametrize("scale", [1.0, 100.0])
def test_quadratic_samples_lie_on_the_parabola(scale):
    points = quadratic_samples(2000, scale=scale, seed=0)
    assert points.shape == (2000, 2) and points.dtype == np.float32
    x, y = points[:, 0], points[:, 1]
    assert x.min() >= -scale / 2 and x.max() <= scale / 2
    # x covers the interval, not just a corner of it
    assert x.min() < -0.45 * scale and x.max() > 0.45 * scale
    np.testing.assert_allclose(y, 10.0 + x.astype(np.float64) ** 2, rtol=1e-6)


def test_quadratic_samples_seeded():
    np.testing.assert_array_equal(quadratic_samples(10, seed=3), quadratic_samples(10, seed=3))
    assert not np.array_equal(quadratic_samples(10, seed=3), quadratic_samples(10, seed=4))


def test_quadratic_moments_match_a_large_sample():
    scale = 100.0
    points = quadratic_samples(400_000, scale=scale, seed=1).astype(np.float64)
    mean, std = quadratic_moments(scale)
    # standard errors: std/sqrt(n) is about 0.05 for x and 1.4 for y
    assert abs(points[:, 0].mean() - mean[0]) < 0.25
    np.testing.assert_allclose(points[:, 1].mean(), mean[1], rtol=5e-3)
    np.testing.assert_allclose(points.std(axis=0), std, rtol=5e-3)


def test_quadratic_dataset_reproducible_and_batches_differ():
    first = [np.asarray(b) for b in quadratic_dataset(16, seed=5).take(3)]
    again = [np.asarray(b) for b in quadratic_dataset(16, seed=5).take(3)]
    other = np.asarray(next(iter(quadratic_dataset(16, seed=6))))
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert first[0].shape == (16, 2)
    assert not np.array_equal(first[0], first[1]) and not np.array_equal(first[1], first[2])
    assert not np.array_equal(first[0], other)
    # every batch lies on the parabola, within the scale
    for batch in first:
        assert np.abs(batch[:, 0]).max() <= 50.0
        np.testing.assert_allclose(batch[:, 1], 10.0 + batch[:, 0] ** 2, rtol=1e-5)


# --- Images -----------------------------------------------------------------------------------


def test_scale_and_unscale_round_trip():
    pixels = np.arange(256, dtype=np.uint8).reshape(16, 16)
    scaled = scale_images(pixels)
    assert scaled.dtype == np.float32
    assert scaled.min() == -1.0 and scaled.max() == 1.0
    back = unscale_images(scaled)
    assert back.dtype == np.uint8
    np.testing.assert_array_equal(back, pixels)


def test_unscale_clips_out_of_range_values():
    np.testing.assert_array_equal(unscale_images(np.array([-3.0, -1.0, 0.0, 1.0, 2.5])), [0, 0, 128, 255, 255])


def test_one_hot():
    rows = one_hot([2, 0, 1], num_classes=4)
    assert rows.dtype == np.float32
    np.testing.assert_array_equal(rows, [[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0]])


def test_image_dataset_shapes_labels_and_order(tiny_images):
    images, labels = tiny_images
    ds = image_dataset(images, labels, batch_size=10, seed=7, num_classes=3)
    batches = list(ds.take(8))  # 8 * 10 > 64: crosses into the second epoch
    for x, y in batches:
        assert x.shape == (10, 4, 4) and x.dtype == np.float32
        assert y.shape == (10, 3)
        assert np.all((np.asarray(y) == 0) | (np.asarray(y) == 1)) and np.all(np.asarray(y).sum(axis=1) == 1)
        assert np.asarray(x).min() >= -1.0 and np.asarray(x).max() <= 1.0
    # each image keeps its own label through the shuffle
    lookup = {scale_images(img).tobytes(): lab for img, lab in zip(images, labels)}
    for x, y in batches:
        for img, row in zip(np.asarray(x), np.asarray(y)):
            assert lookup[img.tobytes()] == row.argmax()
    # an epoch of 6 full batches (64 // 10) holds 60 distinct images: drop_remainder, no repeats
    first_epoch = np.concatenate([np.asarray(x) for x, _ in batches[:6]])
    assert len({img.tobytes() for img in first_epoch}) == 60
    # same seed, same order; another seed, another order
    again = [np.asarray(x) for x, _ in image_dataset(images, labels, batch_size=10, seed=7, num_classes=3).take(8)]
    for (x, _), y in zip(batches, again):
        np.testing.assert_array_equal(np.asarray(x), y)
    other = np.asarray(next(iter(image_dataset(images, labels, batch_size=10, seed=8, num_classes=3)))[0])
    assert not np.array_equal(np.asarray(batches[0][0]), other)


def test_image_dataset_order_depends_on_its_seed_alone(tiny_images):
    """A notebook or a resumed run may set TensorFlow's global seed to anything: the stream of
    batches must still be the one its own seed names."""
    images, labels = tiny_images

    def stream(global_seed):
        keras.utils.set_random_seed(global_seed)
        return [np.asarray(x) for x, _ in image_dataset(images, labels, batch_size=8, seed=3, num_classes=3).take(10)]

    for a, b in zip(stream(1), stream(2)):
        np.testing.assert_array_equal(a, b)


def test_image_dataset_passes_are_permutations(tiny_images):
    images, _ = tiny_images
    seen = np.concatenate([np.asarray(x) for x in image_dataset(images, batch_size=16, seed=0).take(8)])
    first, second = seen[:64], seen[64:]
    key = lambda batch: sorted(img.tobytes() for img in batch)  # noqa: E731
    assert key(first) == key(second) == key(scale_images(images))  # every image once per pass
    assert not np.array_equal(first, second)  # and a new order each pass


def test_image_dataset_without_labels_yields_images(tiny_images):
    images, _ = tiny_images
    batch = next(iter(image_dataset(images, batch_size=4)))
    assert batch.shape == (4, 4, 4)


# --- MNIST ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mnist_bytes():
    return MNIST_PATH.read_bytes()


def test_real_mnist_file_loads():
    assert hashlib.sha256(MNIST_PATH.read_bytes()).hexdigest() == MNIST_SHA256
    mnist = load_mnist()
    assert mnist.x_train.shape == (60000, 28, 28) and mnist.x_train.dtype == np.uint8
    assert mnist.y_train.shape == (60000,) and mnist.x_test.shape == (10000, 28, 28) and mnist.y_test.shape == (10000,)
    assert set(np.unique(mnist.y_train)) == set(range(10))
    assert mnist.x_train.max() == 255 and mnist.x_train.min() == 0
    # an explicit path to the same file works as well
    np.testing.assert_array_equal(load_mnist(str(MNIST_PATH)).y_test, mnist.y_test)


def _layout(**changes):
    arrays = {
        "x_train": np.zeros((60000, 28, 28), np.uint8),
        "y_train": np.zeros(60000, np.uint8),
        "x_test": np.zeros((10000, 28, 28), np.uint8),
        "y_test": np.zeros(10000, np.uint8),
    }
    arrays.update(changes)
    return {key: value for key, value in arrays.items() if value is not None}


def _write_npz(path, arrays):
    with open(path, "wb") as f:
        np.savez_compressed(f, **arrays)


def _bad_file(kind, path, mnist_bytes):
    if kind == "truncated":
        path.write_bytes(mnist_bytes[: len(mnist_bytes) // 2])
    elif kind == "garbage":
        path.write_bytes(np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "wrong shape":
        _write_npz(path, _layout(x_train=np.zeros((10, 28, 28), np.uint8)))
    elif kind == "wrong dtype":
        _write_npz(path, _layout(y_test=np.zeros(10000, np.float32)))
    elif kind == "missing key":
        _write_npz(path, _layout(y_test=None))
    elif kind == "checksum":
        _write_npz(path, _layout())  # the right layout, but not the genuine data
    else:
        raise AssertionError(kind)


# What each message must say about the fault (besides naming the file and the fix).
FAULTS = {
    "truncated": "truncated or corrupt",
    "garbage": "truncated or corrupt",
    "empty": "truncated or corrupt",
    "wrong shape": "(10, 28, 28)",
    "wrong dtype": "float32",
    "missing key": "'y_test' is missing",
    "checksum": "sha256",
}


def _assert_clear_error(err, path):
    message = str(err)
    assert str(path) in message  # names the file
    assert "git checkout -- data/mnist.npz" in message and MNIST_SHA256 in message  # says how to fix it


@pytest.mark.parametrize("kind", list(FAULTS))
def test_bad_mnist_file_raises_clear_error_and_is_left_alone(kind, tmp_path, mnist_bytes, monkeypatch):
    path = tmp_path / "mnist.npz"
    _bad_file(kind, path, mnist_bytes)
    before, stat = path.read_bytes(), path.stat()

    def no_download(*args, **kwargs):
        raise AssertionError("a bad local file must not lead to a download")

    monkeypatch.setattr("keras.datasets.mnist.load_data", no_download)
    with pytest.raises(MnistFileError) as info:
        load_mnist(path)
    _assert_clear_error(info.value, path)
    assert FAULTS[kind] in str(info.value)
    assert path.read_bytes() == before and path.stat().st_mtime_ns == stat.st_mtime_ns
    assert sorted(os.listdir(tmp_path)) == ["mnist.npz"]  # nothing written beside it


def _member_offsets(mnist_bytes, tmp_path):
    """Byte offsets inside each archive member: its .npy header and its compressed data."""
    copy = tmp_path / "probe.npz"
    copy.write_bytes(mnist_bytes)
    with zipfile.ZipFile(copy) as archive:
        infos = archive.infolist()
    copy.unlink()
    offsets = []
    for info in infos:
        data_start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
        offsets += [data_start + 4, data_start + info.compress_size // 2]
    return offsets


def test_damaged_bytes_anywhere_raise_mnist_file_error(tmp_path, mnist_bytes):
    """Bytes overwritten inside the archive (a bad disk, a bad copy) fail in zlib, the zip reader or
    numpy's header parser; each must come out as the same clear MnistFileError."""
    path = tmp_path / "mnist.npz"
    for offset in _member_offsets(mnist_bytes, tmp_path):
        damaged = bytearray(mnist_bytes)
        damaged[offset : offset + 64] = b"\xff" * 64
        path.write_bytes(bytes(damaged))
        with pytest.raises(MnistFileError) as info:
            load_mnist(path)
        _assert_clear_error(info.value, path)
        assert path.read_bytes() == bytes(damaged)


def test_checksum_mismatch_on_the_genuine_layout(tmp_path, mnist_bytes):
    path = tmp_path / "mnist.npz"
    path.write_bytes(mnist_bytes)
    with pytest.raises(MnistFileError, match="sha256"):
        load_mnist(path, sha256="0" * 64)
    # sha256=None skips the checksum (for a deliberately different copy)
    assert load_mnist(path, sha256=None).x_test.shape == (10000, 28, 28)


def test_missing_explicit_path_raises_file_not_found(tmp_path, monkeypatch):
    monkeypatch.setattr("keras.datasets.mnist.load_data", lambda *a, **k: pytest.fail("no download for a named path"))
    path = tmp_path / "nowhere" / "mnist.npz"
    with pytest.raises(FileNotFoundError, match="nowhere"):
        load_mnist(path)
    assert not path.parent.exists()
