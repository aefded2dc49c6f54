"""The generative references' data and baseline: the template's own picture code, from _shared.

`templates/_shared/src/tasks/generative/pictures.py` is framework-neutral (NumPy and Pillow), so the
references load it as it is: the same seeded synthetic shapes (32 x 32 RGB), the same split (10 %
held out), the same mean-image baseline. A reference trains the generated project's default VAE
(widths 32 and 64, a 16-dimensional code, beta 1) with the same negative-ELBO loss, summed over
pixels and averaged over images, and reports the held-out reconstruction and KL terms.
"""

from __future__ import annotations

from _common import shared_module

# The generated projects' `[data]` and `[model]` defaults.
NUM_SAMPLES = 2000
IMAGE_SIZE = 32
CHANNELS = 3
VAL_FRACTION = 0.1
BATCH_SIZE = 64
WIDTHS = (32, 64)
LATENT_DIM = 16
BETA = 1.0
LR = 0.003


def load(num_samples: int, seed: int):
    """float32 train and validation images [N, 32, 32, 3] in [0, 1] (channels last), and the
    mean-image baseline's reconstruction loss on the validation images."""
    pictures = shared_module("generative", "pictures")
    images = pictures.synthetic_shapes(num_samples, IMAGE_SIZE, CHANNELS, seed)
    train, val = pictures.split(images, VAL_FRACTION, seed)
    return pictures.to_unit(train), pictures.to_unit(val), pictures.mean_image_loss(train, val)
