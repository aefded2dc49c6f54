"""What a run tells you: log lines on stderr, TensorBoard scalars, and the progress bar."""

from __future__ import annotations

import sys

import tensorflow as tf
from tensorflow.core.framework.summary_pb2 import SummaryMetadata
from tqdm import tqdm

# `tf.summary.scalar` lives in the tensorboard package, which TensorFlow does not depend on.
# Writing the tensor with the scalars plugin tag yields the same event, so training needs no
# tensorboard install; only viewing does (`pip install -e ".[viz]"`).
_SCALAR_METADATA = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="scalars"))


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def write_scalars(values: dict[str, float], step: int) -> None:
    """Write scalars to the default summary writer (a no-op when none is set)."""
    for tag, value in values.items():
        tf.summary.write(tag, tf.constant(value, tf.float32), step=step, metadata=_SCALAR_METADATA)


def progress_bar(epoch: int, epochs: int, total: int, done: int, show: bool) -> tqdm:
    """A bar for one epoch, on a terminal only (logs of batch jobs get the epoch lines alone)."""
    return tqdm(
        total=total, initial=done, desc=f"epoch {epoch}/{epochs}", disable=not show, leave=False
    )
