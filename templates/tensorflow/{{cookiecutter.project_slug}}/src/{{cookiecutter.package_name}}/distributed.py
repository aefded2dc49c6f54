"""tf.distribute: choosing the strategy, the chief/worker split, and what workers must agree on.

Under MultiWorkerMirroredStrategy every step is a collective operation: a worker that stops on
its own leaves the others waiting in the next all-reduce forever. So a stop (Ctrl-C, a scheduler's
SIGTERM) is put to a vote every few steps, and every worker stops after the same step.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from signal import SIGINT, SIGTERM

import numpy as np
import tensorflow as tf

from .errors import ConfigError
from .interrupts import StopRequest

SUM = tf.distribute.ReduceOp.SUM
# How often workers vote on stopping: each vote is one small all-reduce.
STOP_VOTE_STEPS = 10
_MAX_TEXT = 1024


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
        check_tf_config(os.environ.get("TF_CONFIG", ""))
        return tf.distribute.MultiWorkerMirroredStrategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()


def check_tf_config(raw: str) -> dict:
    """The cluster TF_CONFIG describes, or a one-line error saying what is wrong with it."""
    if not raw.strip():
        raise ConfigError(
            "distribute.strategy = 'multi_worker' needs the TF_CONFIG environment variable "
            "(the cluster and this task, see README); or set distribute.strategy = 'default'"
        )
    try:
        spec = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"TF_CONFIG is not valid JSON: {exc}") from None
    cluster, task = spec.get("cluster"), spec.get("task")
    if not isinstance(cluster, dict) or not isinstance(task, dict):
        raise ConfigError('TF_CONFIG needs a "cluster" and a "task" object (see README)')
    kind, index = task.get("type"), task.get("index")
    hosts = cluster.get(kind)
    if not isinstance(hosts, list) or not isinstance(index, int) or not 0 <= index < len(hosts):
        raise ConfigError(
            f"TF_CONFIG task type {kind!r} index {index!r} is not in its cluster "
            f"({', '.join(f'{k}: {len(v)}' for k, v in cluster.items())})"
        )
    return spec


def is_multi_worker(strategy: tf.distribute.Strategy) -> bool:
    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)


def exit_at_once_after_a_stop(strategy: tf.distribute.Strategy, exit_code: int) -> None:
    """After a stopped multi-worker run has written its checkpoint, end the process as soon as its
    one line is printed. A normal exit tears TensorFlow's cluster runtime down, and that reaches
    for the workers that have already exited: it would log a gRPC "Connection refused" error after
    the stop line. A stopped worker has nothing left to tear down: its files are written."""
    if not is_multi_worker(strategy):
        return

    def exit_now() -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(exit_code)

    atexit.register(exit_now)  # runs after the CLI has printed its line and returned the code


def check_batch_size(batch_size: int, strategy: tf.distribute.Strategy) -> None:
    replicas = strategy.num_replicas_in_sync
    if batch_size < replicas:
        raise ConfigError(
            f"data.batch_size = {batch_size} is the global batch, split over {replicas} "
            f"replicas: it must be at least {replicas}"
        )


@dataclass(frozen=True)
class Worker:
    """Where this process sits in the cluster; only the chief writes the run's real outputs."""

    task_index: int = 0
    is_chief: bool = True


def worker_info(strategy: tf.distribute.Strategy) -> Worker:
    resolver = getattr(strategy, "cluster_resolver", None)
    if not is_multi_worker(strategy) or resolver is None:
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


def _all_sum(strategy: tf.distribute.Strategy) -> Callable[[np.ndarray], np.ndarray]:
    """A function that sums a float32 array over every replica of every worker."""

    def total(value: np.ndarray) -> np.ndarray:
        per_replica = strategy.experimental_distribute_values_from_function(
            lambda _: tf.constant(value, tf.float32)
        )
        return strategy.reduce(SUM, per_replica, axis=None).numpy()

    return total


def share_from_chief(strategy: tf.distribute.Strategy, worker: Worker, text: str) -> str:
    """The chief's `text` on every worker (e.g. the run directory it created)."""
    if not is_multi_worker(strategy):
        return text
    codes = np.zeros([_MAX_TEXT], np.float32)
    if worker.is_chief:
        data = np.frombuffer(text.encode()[:_MAX_TEXT], np.uint8)
        codes[: len(data)] = data
    # Each of the chief's local replicas contributes the codes once.
    local_replicas = len(strategy.extended.worker_devices)
    summed = _all_sum(strategy)(codes) / local_replicas
    return bytes(np.rint(summed).astype(np.uint8)).rstrip(b"\0").decode()


class StopVote:
    """Whether to stop after the current step: the same answer on every worker.

    In a single process the local signal decides at once. Across workers a signal seen by any of
    them is summed into a vote every `STOP_VOTE_STEPS` steps (and on every `force`), so all of them
    stop after the same step, write the same checkpoint and exit with the same code.
    """

    def __init__(self, strategy: tf.distribute.Strategy, stop: StopRequest) -> None:
        self._stop = stop
        self._total = _all_sum(strategy) if is_multi_worker(strategy) else None

    def __call__(self, step: int, force: bool = False) -> bool:
        if self._total is None:
            return self._stop.requested is not None
        if step % STOP_VOTE_STEPS and not force:
            return False
        seen = self._stop.requested
        flags = np.array([seen == SIGINT, seen == SIGTERM], np.float32)
        interrupts, terminations = self._total(flags)
        if terminations > 0:
            self._stop.request(SIGTERM)  # the scheduler's stop outranks a Ctrl-C elsewhere
        elif interrupts > 0:
            self._stop.request(SIGINT)
        return self._stop.requested is not None and (terminations > 0 or interrupts > 0)
