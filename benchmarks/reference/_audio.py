"""The audio references' data: the template's own clip code and mel filterbank, from _shared.

`templates/_shared/src/tasks/audio/clips.py` and `melscale.py` are framework-neutral (NumPy and
the standard library's `wave`), so the references load them as they are instead of
re-implementing them: the same seeded synthetic clips, the same split (20 % held out by a seeded
permutation) and the same mel bands the models multiply the power spectrum by.
"""

from __future__ import annotations

import numpy as np
from _common import shared_module

# The generated projects' `[data]` and `[model]` defaults.
SAMPLE_RATE = 16000
CLIP_SECONDS = 1.0
N_FFT = 512
HOP_LENGTH = 160
N_MELS = 40
WIDTHS = (16, 32, 64)


def load(num_samples: int, seed: int, val_fraction: float = 0.2):
    """(num_classes, (train waves, labels), (val waves, labels)): float32 [clips, samples]
    waveforms and int64 labels."""
    clips = shared_module("audio", "clips").load_clips(
        "synthetic", num_samples=num_samples, sample_rate=SAMPLE_RATE,
        clip_seconds=CLIP_SECONDS, val_fraction=val_fraction, seed=seed,
    )  # fmt: skip
    train = (clips.train_waves, clips.train_labels)
    return len(clips.classes), train, (clips.val_waves, clips.val_labels)


def mel_bank() -> np.ndarray:
    """float32 [N_FFT // 2 + 1, N_MELS]."""
    return shared_module("audio", "melscale").mel_filterbank(SAMPLE_RATE, N_FFT, N_MELS)
