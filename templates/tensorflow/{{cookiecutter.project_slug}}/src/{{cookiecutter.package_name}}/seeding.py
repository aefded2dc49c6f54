"""Seeds: one for the process, one per epoch for the data order.

Everything random in a run follows from `trainer.seed`: the initial weights and the dropout seeds
(drawn once, when the model is built after `set_seed`), the train/validation split, and the
shuffle of every epoch. The dropout generators' states and the step counter are checkpointed, so
a resumed run continues the same random streams.
"""

from __future__ import annotations

import tensorflow as tf

# Large and odd, so (seed, epoch) pairs never collide for any realistic number of epochs.
_EPOCH_STRIDE = 1_000_003


def set_seed(seed: int) -> None:
    """Seed Python, NumPy and TensorFlow; op-level determinism is left off (it costs speed)."""
    tf.keras.utils.set_random_seed(seed)


def epoch_seed(seed: int, epoch: int) -> int:
    """The shuffle seed of `epoch`: a function of the run's seed and the epoch number alone."""
    return (seed * _EPOCH_STRIDE + epoch) % (2**31 - 1)
