"""The training loop: compiled steps from `steps.py`, written once for any tf.distribute strategy.

Each epoch's batches are a function of the seed and the epoch (see `data.py`), and the position
in them is the step counter saved in every checkpoint, so `train --resume` continues at the exact
step where the run stopped: mid-epoch after Ctrl-C or SIGTERM, with the same batches, dropout
masks, optimizer state and learning rate as an unbroken run.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import tensorflow as tf

from .checkpoint import Managers, TrainState, make_checkpoint, restore_for_resume
from .config import Config, check_best_metric, save_config
from .data import Datasets, load_datasets
from .distributed import (
    STOP_VOTE_STEPS,
    StopVote,
    Worker,
    check_batch_size,
    exit_at_once_after_a_stop,
    select_strategy,
    share_from_chief,
    worker_info,
    write_dir,
)
from .errors import ProjectError, check_finite
from .interrupts import StopRequest, stop_on_signals
from .metrics_csv import append_row
from .model import build_model
from .optimizer import build_optimizer
from .precision import resolve_mixed_precision
from .reporting import log, progress_bar, write_scalars
from .runs import CONFIG_FILE, create_run
from .seeding import set_seed
from .steps import make_eval_step, make_train_step, run_eval
from .task import Task, spec_to_text


def train(config: Config, resume: Path | None = None) -> dict:
    """Train a new run (`resume=None`) or continue the run directory `resume`."""
    t = config.trainer
    strategy = select_strategy(config.distribute.strategy)  # before any other TF op
    worker = worker_info(strategy)
    set_seed(t.seed)
    data = load_datasets(config.data, t.seed{% if cookiecutter.task == "recommendation" %}, config.model.top_k{% endif %})
    check_best_metric(t.best_metric, Task(data.spec{% if cookiecutter.task == "generative" %}, config.model{% endif %}).val_metrics)
    check_batch_size(config.data.batch_size, strategy)
    run = _open_run(config, strategy, worker, resume)
    loop = Loop(config, strategy, worker, data, run)
    if resume is not None:
        loop.restore()
    with stop_on_signals() as stop, write_dir(run, worker) as write_to:
        loop.run(stop, write_to)
    return loop.result()


def _open_run(config: Config, strategy, worker: Worker, resume: Path | None) -> Path:
    """The run directory: created by the chief for a new run, known to every worker.

    The chief still takes part in sharing the path when it fails to create the run, so the
    other workers hear of the failure instead of waiting for it.
    """
    run, error = resume, None
    if worker.is_chief:
        try:
            run = run or create_run(config.trainer.runs_dir, config.trainer.run_name)
            save_config(config, run / CONFIG_FILE)
        except ProjectError as exc:
            run, error = None, exc
    shared = share_from_chief(strategy, worker, str(run) if run else "")
    if error is not None:
        raise error
    if not shared:
        raise ProjectError("the chief worker could not create the run directory (see its error)")
    return Path(shared)


class Loop:
    """The model, optimizer, counters and steps of one run, and the epochs over them."""

    def __init__(self, config: Config, strategy, worker: Worker, data: Datasets, run: Path):
        t = self.t = config.trainer
        self.strategy, self.worker, self.data, self.run_dir = strategy, worker, data, run
        self.task = task = Task(data.spec{% if cookiecutter.task == "generative" %}, config.model{% endif %})
        self.train_metrics = ["train_loss", *(f"train_{name}" for name in task.sum_names)]
        self.columns = [
            "epoch", "step", *self.train_metrics, *task.val_metrics, "lr", "samples_per_s",
            "epoch_time_s",
        ]  # fmt: skip
        self.policy = resolve_mixed_precision(t.mixed_precision)
        with strategy.scope():
            self.model = build_model(config, data.spec, self.policy)
            self.optimizer = build_optimizer(t, data.steps_per_epoch, self.policy)
            # Built now rather than on the first step, so a restore fills its slots at once.
            self.optimizer.build(self.model.trainable_variables)
        spec = spec_to_text(data.spec)
        self.state = TrainState(t.best_mode, data.steps_per_epoch, spec, len(task.sum_names))
        self.checkpoint = make_checkpoint(self.model, self.optimizer, self.state)
        global_batch = config.data.batch_size
        self.train_step = make_train_step(
            strategy, self.model, self.optimizer, task, global_batch, t.jit_compile
        )
        self.eval_step = make_eval_step(strategy, self.model, task)
        self.step = 0
        self.row: dict = {}

    def restore(self) -> None:
        # Every worker restores the chief's checkpoint, so all replicas start identical.
        spe = self.data.steps_per_epoch
        path = restore_for_resume(self.checkpoint, self.run_dir, spe, self.data.spec)
        self.step = int(self.state.step.numpy())
        log(f"resumed from {path} at epoch {self.step // spe + 1}, step {self.step % spe}/{spe}")

    def run(self, stop: StopRequest, write_to: Path) -> None:
        t, spe = self.t, self.data.steps_per_epoch
        first_epoch = self.step // spe + 1
        if first_epoch > t.epochs:
            return
        log(
            f"{type(self.strategy).__name__}: {self.strategy.num_replicas_in_sync} replica(s), "
            f"task {self.worker.task_index}, mixed precision {self.policy or 'off'}, "
            f"XLA {t.jit_compile}, {self.data.num_train} train / {self.data.num_val} val samples, "
            f"{self.task.describe()}"
        )
        managers = Managers(self.checkpoint, write_to, t.keep_last)
        writer = tf.summary.create_file_writer(str(write_to / "tensorboard"))
        vote = StopVote(self.strategy, stop)
        try:
            for epoch in range(first_epoch, t.epochs + 1):
                sums = self._train_epoch(epoch, vote, managers, stop)
                self._end_epoch(epoch, sums, managers, writer)
                if epoch < t.epochs and vote(self.step, force=True):
                    path = self._in_run(managers.last.latest_checkpoint)
                    raise self._stopped(stop, f"after epoch {epoch}", path)
        finally:
            writer.close()

    def _train_epoch(self, epoch: int, vote: StopVote, managers: Managers, stop):
        """Train until the end of `epoch`; on a stop, checkpoint the position and raise."""
        spe = self.data.steps_per_epoch
        done = self.step - (epoch - 1) * spe
        stream = self.data.train_batches(epoch, skip=done)
        batches = iter(self.strategy.experimental_distribute_dataset(stream))
        loss_sum = self.state.loss_sum.read_value() if done else tf.zeros([])
        metric_sums = self.state.metric_sums.read_value() if done else self._no_sums()
        start = time.perf_counter()
        show = self.worker.is_chief and sys.stderr.isatty()
        every = self.t.checkpoint_every_steps
        with progress_bar(epoch, self.t.epochs, spe, done, show) as bar:
            for i in range(done + 1, spe + 1):
                loss, sums = self.train_step(next(batches))
                loss_sum, metric_sums = loss_sum + loss, metric_sums + sums
                self.step += 1
                bar.update()
                if i % STOP_VOTE_STEPS == 0:
                    where = f"at epoch {epoch} step {i}"
                    check_finite("the training loss", float(loss_sum), where)
                    if show:
                        bar.set_postfix(loss=f"{float(loss_sum) / i:.4f}")
                # A stop at the epoch's last step waits for the epoch's end: its evaluation and
                # row come first, so the checkpoint marks a finished epoch.
                if i < spe and vote(self.step):
                    path = self._save(managers.last, loss_sum, metric_sums)
                    raise self._stopped(stop, f"at epoch {epoch} step {i}/{spe}", path)
                if every and i % every == 0 and i < spe:  # the epoch's end saves its own
                    self._save(managers.last, loss_sum, metric_sums)
        elapsed = time.perf_counter() - start
        return loss_sum, metric_sums, elapsed, spe - done

    def _stopped(self, stop, where: str, path: str) -> ProjectError:
        """The error a stop ends the run with, its checkpoint written."""
        error = stop.stop(where, path)
        exit_at_once_after_a_stop(self.strategy, error.exit_code)
        return error

    def _save(self, manager: tf.train.CheckpointManager, loss_sum, metric_sums) -> str:
        self.state.step.assign(self.step)
        self.state.loss_sum.assign(loss_sum)
        self.state.metric_sums.assign(metric_sums)
        # All workers save (the variables are synchronised); only the chief's files are kept.
        return self._in_run(manager.save(checkpoint_number=self.step))

    def _no_sums(self) -> tf.Tensor:
        return tf.zeros_like(self.state.metric_sums)

    def _in_run(self, saved: str) -> str:
        """Where the chief keeps the checkpoint this worker just saved (perhaps to scratch)."""
        path = Path(saved)
        return str(self.run_dir / path.relative_to(path.parents[2]))

    def _end_epoch(self, epoch: int, sums, managers: Managers, writer) -> None:
        loss_sum, metric_sums, elapsed, steps_run = sums
        spe, batch = self.data.steps_per_epoch, self.data.batch_size
        means = [float(loss_sum) / spe, *(float(s) / (spe * batch) for s in metric_sums.numpy())]
        row = {
            "epoch": epoch,
            "step": self.step,
            **dict(zip(self.train_metrics, means, strict=True)),
            **run_eval(self.strategy, self.eval_step, self.data.val_batches(), self.task),
            "lr": float(self.optimizer.learning_rate),
            "samples_per_s": steps_run * batch / elapsed,
            "epoch_time_s": elapsed,
        }
        for name in ("train_loss", "val_loss"):
            check_finite(name, row[name], f"after epoch {epoch}")
        value, best = row[self.t.best_metric], float(self.state.best.numpy())
        improved = value < best if self.t.best_mode == "min" else value > best
        if improved:
            self.state.best.assign(value)
            self.state.best_step.assign(self.step)
        self._save(managers.last, 0.0, self._no_sums())  # the next epoch starts from zero
        if improved:
            managers.best.save(checkpoint_number=self.step)
        with writer.as_default():
            write_scalars({k: row[k] for k in self.columns[2:]}, step=epoch)
        writer.flush()
        if self.worker.is_chief:
            append_row(self.run_dir / "metrics.csv", row, self.columns)
{% if cookiecutter.task == "generative" %}
            self.task.write_samples(self.model, self.run_dir, epoch, self.t.seed)
{% endif %}
        shown = "  ".join(f"{k} {row[k]:.4f}" for k in ("train_loss", *self.task.val_metrics))
        speed = f"{row['samples_per_s']:.0f} samples/s{'  (best)' if improved else ''}"
        log(f"epoch {epoch}/{self.t.epochs}  {shown}  {speed}")
        self.row = row

    def result(self) -> dict:
        if not self.row:  # nothing left to train: report the restored model
            self.row = run_eval(self.strategy, self.eval_step, self.data.val_batches(), self.task)
        spe, folder = self.data.steps_per_epoch, self.run_dir / "checkpoints"
        best_step = int(self.state.best_step.numpy())
        return {
            "run_dir": str(self.run_dir),
            "epochs_completed": self.step // spe,
            "step": self.step,
            "train_loss": self.row.get("train_loss"),
            **{name: self.row[name] for name in self.task.val_metrics},
            "best_metric": self.t.best_metric,
            f"best_{self.t.best_metric}": float(self.state.best.numpy()),
            "best_epoch": best_step // spe,
            **self.data.summary,
            "samples_per_s": self.row.get("samples_per_s"),
            # Named, not looked up: a worker may finish before the chief has written them.
            "last_checkpoint": str(folder / "last" / f"ckpt-{self.step}"),
            "best_checkpoint": str(folder / "best" / f"ckpt-{best_step}") if best_step else None,
            "strategy": type(self.strategy).__name__,
            "num_replicas": self.strategy.num_replicas_in_sync,
            "task_index": self.worker.task_index,
            "is_chief": self.worker.is_chief,
            "mixed_precision": self.policy or "off",
            "jit_compile": self.t.jit_compile,
        }
