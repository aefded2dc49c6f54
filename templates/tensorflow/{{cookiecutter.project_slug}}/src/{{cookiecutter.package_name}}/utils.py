"""Seeding, tf.distribute strategy selection, mixed precision, and the chief/worker split."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import tensorflow as tf
from tensorflow.core.framework.summary_pb2 import SummaryMetadata

# `tf.summary.scalar` lives in the tensorboard package, which TensorFlow does not depend on.
# Writing the tensor with the scalars plugin tag yields the same event, so training needs no
# tensorboard install; only viewing does (`pip install -e ".[viz]"`).
_SCALAR_METADATA = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="scalars"))


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def set_seed(seed: int) -> None:
    """Seed Python, NumPy and TensorFlow; op-level determinism is left off (it costs speed)."""
    tf.keras.utils.set_random_seed(seed)


def select_strategy(name: str) -> tf.distribute.Strategy:
    """Pick the strategy. Call it before any other TensorFlow op: multi-worker needs that."""
    if name == "auto":
        if os.environ.get("TF_CONFIG"):
            name = "multi_worker"
        elif len(tf.config.list_physical_devices("GPU")) > 1:
            name = "mirrored"
        else:
            name = "default"
    if name == "multi_worker":
        if not os.environ.get("TF_CONFIG"):
            raise RuntimeError("distribute.strategy = 'multi_worker' needs TF_CONFIG (see README)")
        return tf.distribute.MultiWorkerMirroredStrategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()


@dataclass(frozen=True)
class Worker:
    """Where this process sits in the cluster; only the chief writes the run's real outputs."""

    task_index: int = 0
    is_chief: bool = True


def worker_info(strategy: tf.distribute.Strategy) -> Worker:
    resolver = getattr(strategy, "cluster_resolver", None)
    if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy) or resolver is None:
        return Worker()
    task_type, task_id = resolver.task_type, int(resolver.task_id or 0)
    # With no "chief" task in TF_CONFIG, worker 0 plays the chief (the TensorFlow convention).
    has_chief = "chief" in json.loads(os.environ.get("TF_CONFIG", "{}")).get("cluster", {})
    is_chief = task_type == "chief" or (task_type == "worker" and task_id == 0 and not has_chief)
    return Worker(task_index=task_id, is_chief=is_chief)


@contextlib.contextmanager
def write_dir(path: Path, worker: Worker) -> Iterator[Path]:
    """The directory this process writes the run's checkpoints and summaries under.

    Every multi-worker process must take part in saving (variables are synchronised with
    collectives), but only the chief's files are kept: the others write to a temporary directory
    that is deleted afterwards, as the TensorFlow multi-worker guide recommends.
    """
    if worker.is_chief:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix=f"worker{worker.task_index}-") as scratch:
        yield Path(scratch)


def resolve_mixed_precision(setting: str) -> str | None:
    """The Keras dtype policy name to use, or None for plain float32."""
    if setting == "off":
        return None
    if setting != "auto":
        return setting
    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        return None  # CPUs gain little from reduced precision for a model of this size.
    capability = tf.config.experimental.get_device_details(gpus[0]).get("compute_capability")
    # bfloat16 needs no loss scaling and runs fast from Ampere (8.0) on; older GPUs get float16.
    return "mixed_bfloat16" if capability and capability >= (8, 0) else "mixed_float16"


def write_scalars(values: dict[str, float], step: int) -> None:
    """Write scalars to the default summary writer (a no-op when none is set)."""
    for tag, value in values.items():
        tf.summary.write(tag, tf.constant(value, tf.float32), step=step, metadata=_SCALAR_METADATA)
