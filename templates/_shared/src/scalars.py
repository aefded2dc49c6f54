"""Scalars in TensorBoard's event format, written with the `tensorboard` package alone.

Writers that go through `tf.summary` (and `torch.utils.tensorboard`, which imports TensorFlow
whenever it is installed) cost seconds of start-up; this one imports only TensorBoard's protocol
buffers.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any


class ScalarWriter:
    """One event file per run folder (`train/`, `validation/`, ...) under `log_dir`."""

    def __init__(self, log_dir: Path, resume_from_step: int | None = None) -> None:
        self.log_dir = Path(log_dir)
        self.resume_from_step = resume_from_step
        self._writers: dict[str, Any] = {}

    def _writer(self, run: str) -> Any:
        from tensorboard.compat.proto import event_pb2
        from tensorboard.summary.writer.record_writer import RecordWriter

        if run not in self._writers:
            folder = self.log_dir / run
            folder.mkdir(parents=True, exist_ok=True)
            name = f"events.out.tfevents.{time.time():.0f}.{socket.gethostname()}"
            writer = RecordWriter(open(folder / name, "wb"))  # noqa: SIM115 (closed in close())
            writer.write(
                event_pb2.Event(
                    wall_time=time.time(), file_version="brain.Event:2"
                ).SerializeToString()
            )
            if self.resume_from_step is not None:
                # Tells TensorBoard to drop events of an interrupted run past this step.
                start = event_pb2.SessionLog(status=event_pb2.SessionLog.START)
                event = event_pb2.Event(
                    wall_time=time.time(), step=self.resume_from_step, session_log=start
                )
                writer.write(event.SerializeToString())
            self._writers[run] = writer
        return self._writers[run]

    def add_scalars(self, run: str, values: Mapping[str, float], step: int) -> None:
        from tensorboard.compat.proto import event_pb2, summary_pb2

        summary = summary_pb2.Summary(
            value=[summary_pb2.Summary.Value(tag=tag, simple_value=v) for tag, v in values.items()]
        )
        writer = self._writer(run)
        writer.write(
            event_pb2.Event(wall_time=time.time(), step=step, summary=summary).SerializeToString()
        )
        writer.flush()

    def close(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()
