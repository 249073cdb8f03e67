"""PacGAN's packing: the discriminator judges `pack` samples at once, all real or all generated,
one logit per pack; a batch or a discriminator that does not fit the packs is a clear error."""

import keras
import numpy as np
import pytest
from keras import ops

from gan_lib import data, models, training

PACK, BATCH = 3, 12
REAL = 100.0  # real points sit far from anything the untrained generator draws


def points_gan(pack=PACK, d_input=2 * PACK, cls=training.PackedGAN, **options):
    keras.utils.set_random_seed(0)
    generator = models.toy_generator(latent_dim=2, hidden=(8,))
    discriminator = models.mlp_discriminator(image_shape=(d_input,), hidden=(8,))
    return cls(generator, discriminator, pack=pack, seed=0, **options)


def test_one_logit_per_pack_of_consecutive_samples():
    gan = points_gan()
    points = np.arange(BATCH * 2, dtype="float32").reshape(BATCH, 2)
    logits = gan.judge(points)
    assert logits.shape == (BATCH // PACK, 1)
    side_by_side = points.reshape(BATCH // PACK, 2 * PACK)  # samples 0-2 in row 0, 3-5 in row 1, ...
    np.testing.assert_allclose(logits, gan.discriminator(side_by_side, training=True), rtol=1e-6)


class Recording(training.PackedGAN):
    """Keeps every batch the discriminator is shown."""

    def judge(self, samples, labels=None):
        self.seen.append(np.asarray(ops.stop_gradient(samples)))  # a value, also where gradients are traced
        return super().judge(samples, labels)


def test_every_pack_is_all_real_or_all_generated():
    gan = points_gan(cls=Recording)
    gan.seen = []
    gan.compile(run_eagerly=True, jit_compile=False, steps_per_execution=1)
    real = data.Stream(lambda step: np.full((BATCH, 2), REAL, np.float32))
    gan.fit(real, steps_per_epoch=2, epochs=1, verbose=0)
    assert len(gan.seen) == 2 * 3  # per step: real and generated for D, generated for G
    for batch in gan.seen:
        is_real = (batch == REAL).all(axis=1).reshape(-1, PACK)
        assert (is_real.all(axis=1) | ~is_real.any(axis=1)).all()
    assert sum((batch == REAL).all() for batch in gan.seen) == 2  # one real batch per step


def test_packed_gan_trains_with_the_fast_path():
    gan = points_gan()
    gan.compile(steps_per_execution=2)
    history = gan.fit(data.mixture_dataset(data.mixture("ring"), BATCH), steps_per_epoch=4, epochs=1, verbose=0)
    assert int(gan.g_optimizer.iterations) == 4 and np.isfinite(history.history["d_loss"]).all()


def test_a_batch_that_is_not_whole_packs_is_refused():
    gan = points_gan()
    gan.compile()
    with pytest.raises(ValueError, match="batch size 10 is not a multiple of pack=3"):
        gan.fit(data.mixture_dataset(data.mixture("ring"), 10), steps_per_epoch=50, epochs=1, verbose=0)


@pytest.mark.parametrize("pack, d_input, message", [(2, 2, r"build the discriminator for \(4,\)"), (0, 2, "pack must be")])
def test_a_discriminator_not_built_for_the_packs_is_refused(pack, d_input, message):
    with pytest.raises(ValueError, match=message):
        points_gan(pack=pack, d_input=d_input)
