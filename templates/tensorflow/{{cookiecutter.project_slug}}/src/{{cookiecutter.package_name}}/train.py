"""The training loop: tf.GradientTape in a tf.function, written once for any tf.distribute strategy.

Per step, each replica computes its loss scaled by the *global* batch size
(`tf.nn.compute_average_loss`), so the gradients the optimizer sums across replicas are the
gradients of the global mean loss, whatever the number of replicas.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import tensorflow as tf
from tqdm import tqdm

from .config import Config, save_config
from .data import load_datasets
from .metrics_csv import append_row
from .model import build_model
from .utils import (
    Worker,
    log,
    resolve_mixed_precision,
    select_strategy,
    set_seed,
    worker_info,
    write_dir,
    write_scalars,
)

SUM = tf.distribute.ReduceOp.SUM
METRICS = (
    "epoch", "step", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr",
    "samples_per_s", "epoch_time_s",
)  # fmt: skip


def build_optimizer(config: Config, steps_per_epoch: int, policy: str | None):
    t = config.trainer
    lr: float | tf.keras.optimizers.schedules.LearningRateSchedule = t.lr
    if t.lr_schedule == "cosine":
        # The schedule is a function of optimizer.iterations, which the checkpoint restores.
        total = max(1, t.epochs * steps_per_epoch)
        lr = tf.keras.optimizers.schedules.CosineDecay(t.lr, decay_steps=total, alpha=0.01)
    optimizer = tf.keras.optimizers.AdamW(lr, weight_decay=t.weight_decay)
    if policy == "mixed_float16":
        # float16 gradients underflow without a loss scale; bfloat16 has float32's range.
        optimizer = tf.keras.optimizers.LossScaleOptimizer(optimizer)
    return optimizer


def make_train_step(strategy, model, optimizer, global_batch: int, jit_compile: bool):
    scale_loss = isinstance(optimizer, tf.keras.optimizers.LossScaleOptimizer)

    # Only the per-replica math is XLA-compiled: the cross-replica gradient sum inside
    # apply_gradients has to stay outside the compiled cluster.
    @tf.function(jit_compile=jit_compile)
    def forward_backward(images, labels):
        with tf.GradientTape() as tape:
            logits = model(images, training=True)
            per_example = tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits)
            loss = tf.nn.compute_average_loss(per_example, global_batch_size=global_batch)
            objective = optimizer.scale_loss(loss) if scale_loss else loss
        grads = tape.gradient(objective, model.trainable_variables)
        return loss, _correct(logits, labels), grads

    def replica_step(images, labels):
        loss, correct, grads = forward_backward(images, labels)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss, correct

    @tf.function
    def train_step(batch):
        loss, correct = strategy.run(replica_step, args=batch)
        return strategy.reduce(SUM, loss, axis=None), strategy.reduce(SUM, correct, axis=None)

    return train_step


def make_eval_step(strategy, model):
    def replica_step(images, labels):
        logits = model(images, training=False)
        loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits)
        count = tf.cast(tf.size(labels), tf.float32)
        return tf.reduce_sum(loss), _correct(logits, labels), count

    # The last batch is short: relax the trace instead of retracing for each new shape.
    @tf.function(reduce_retracing=True)
    def eval_step(batch):
        return [strategy.reduce(SUM, v, axis=None) for v in strategy.run(replica_step, args=batch)]

    return eval_step


def run_eval(strategy, eval_step, dataset) -> tuple[float, float]:
    """Mean loss and accuracy over `dataset` (sums reduced across replicas, so exact)."""
    totals = tf.zeros([3])
    for batch in strategy.experimental_distribute_dataset(dataset):
        totals += tf.stack(eval_step(batch))
    loss_sum, correct, count = totals.numpy().tolist()
    return loss_sum / max(count, 1.0), correct / max(count, 1.0)


def _correct(logits, labels):
    predictions = tf.argmax(logits, axis=-1, output_type=tf.int32)
    return tf.reduce_sum(tf.cast(tf.equal(predictions, labels), tf.float32))


def current_lr(optimizer) -> float:
    return float(optimizer.learning_rate)


def _start_run(out: Path, resume: bool, worker: Worker) -> None:
    if not worker.is_chief:
        return
    if not resume:
        # A fresh run replaces the outputs a previous run left in this directory.
        for stale in ("checkpoints", "tensorboard", "metrics.csv"):
            path = out / stale
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
    out.mkdir(parents=True, exist_ok=True)


def train(config: Config, resume: bool = False) -> dict:
    t = config.trainer
    strategy = select_strategy(config.distribute.strategy)  # before any other TF op
    worker = worker_info(strategy)
    set_seed(t.seed)
    policy = resolve_mixed_precision(t.mixed_precision)
    out = Path(t.output_dir)
    _start_run(out, resume, worker)
    if worker.is_chief:
        save_config(config, out / "config.toml")

    data = load_datasets(config.data, t.seed)
    global_batch = config.data.batch_size
    steps_per_epoch = data.num_train // global_batch
    with strategy.scope():
        model = build_model(config, policy)
        optimizer = build_optimizer(config, steps_per_epoch, policy)
        # Built now rather than on the first step, so a restore fills its slots immediately.
        optimizer.build(model.trainable_variables)
        epoch = tf.Variable(0, dtype=tf.int64, trainable=False, name="epoch")
        best = tf.Variable(-1.0, dtype=tf.float32, trainable=False, name="best_val_accuracy")
    checkpoint = tf.train.Checkpoint(model=model, optimizer=optimizer, epoch=epoch, best=best)
    if resume:
        # Every worker restores the chief's checkpoint, so all replicas start identical.
        latest = tf.train.latest_checkpoint(str(out / "checkpoints" / "last"))
        if latest:
            checkpoint.restore(latest).assert_existing_objects_matched()
            log(f"resumed from {latest} at epoch {int(epoch.numpy())}")
        else:
            log(f"no checkpoint in {out / 'checkpoints' / 'last'}; starting from scratch")

    train_step = make_train_step(strategy, model, optimizer, global_batch, t.jit_compile)
    eval_step = make_eval_step(strategy, model)
    dist_train = strategy.experimental_distribute_dataset(data.train)
    log(
        f"{type(strategy).__name__}: {strategy.num_replicas_in_sync} replica(s), "
        f"task {worker.task_index}, mixed precision {policy or 'off'}, XLA {t.jit_compile}, "
        f"{data.num_train} train / {data.num_val} val samples"
    )
    row: dict = {}
    with write_dir(out, worker) as write_to:
        last = tf.train.CheckpointManager(
            checkpoint, str(write_to / "checkpoints" / "last"), max_to_keep=t.keep_last
        )
        best_manager = tf.train.CheckpointManager(
            checkpoint, str(write_to / "checkpoints" / "best"), max_to_keep=1
        )
        writer = tf.summary.create_file_writer(str(write_to / "tensorboard"))
        for ep in range(int(epoch.numpy()) + 1, t.epochs + 1):
            start = time.perf_counter()
            loss_sum, correct_sum = tf.zeros([]), tf.zeros([])
            show = worker.is_chief and sys.stderr.isatty()
            bar = tqdm(total=steps_per_epoch, desc=f"epoch {ep}/{t.epochs}", disable=not show)
            with bar:
                for i, batch in enumerate(dist_train, start=1):
                    loss, correct = train_step(batch)
                    loss_sum, correct_sum = loss_sum + loss, correct_sum + correct
                    bar.update()
                    if show and (i % 10 == 0 or i == steps_per_epoch):
                        rate = i * global_batch / (time.perf_counter() - start)
                        bar.set_postfix(loss=f"{float(loss_sum) / i:.4f}", samples_s=f"{rate:.0f}")
            elapsed = time.perf_counter() - start
            val_loss, val_accuracy = run_eval(strategy, eval_step, data.val)
            row = {
                "epoch": ep,
                "step": int(optimizer.iterations.numpy()),
                "train_loss": float(loss_sum) / steps_per_epoch,
                "train_accuracy": float(correct_sum) / (steps_per_epoch * global_batch),
                "val_loss": val_loss,
                "val_accuracy": val_accuracy,
                "lr": current_lr(optimizer),
                "samples_per_s": steps_per_epoch * global_batch / elapsed,
                "epoch_time_s": elapsed,
            }
            epoch.assign(ep)
            improved = val_accuracy > float(best.numpy())
            if improved:
                best.assign(val_accuracy)
            # All workers save (the variables are synchronised); only the chief's files are kept.
            last.save(checkpoint_number=ep)
            if improved:
                best_manager.save(checkpoint_number=ep)
            with writer.as_default():
                write_scalars({k: row[k] for k in METRICS[2:]}, step=ep)
            writer.flush()
            if worker.is_chief:
                append_row(out / "metrics.csv", row, METRICS)
            log(
                f"epoch {ep}/{t.epochs}  train_loss {row['train_loss']:.4f}  "
                f"val_loss {val_loss:.4f}  val_accuracy {val_accuracy:.4f}  "
                f"{row['samples_per_s']:.0f} samples/s"
            )
        writer.close()
    if not row:  # nothing left to train: report the restored model
        row["val_loss"], row["val_accuracy"] = run_eval(strategy, eval_step, data.val)
    checkpoints = out / "checkpoints"
    return {
        "epochs_completed": int(epoch.numpy()),
        "step": int(optimizer.iterations.numpy()),
        "train_loss": row.get("train_loss"),
        "val_loss": row["val_loss"],
        "val_accuracy": row["val_accuracy"],
        "best_val_accuracy": float(best.numpy()),
        "samples_per_s": row.get("samples_per_s"),
        "output_dir": str(out),
        "last_checkpoint": tf.train.latest_checkpoint(str(checkpoints / "last")),
        "best_checkpoint": tf.train.latest_checkpoint(str(checkpoints / "best")),
        "strategy": type(strategy).__name__,
        "num_replicas": strategy.num_replicas_in_sync,
        "task_index": worker.task_index,
        "is_chief": worker.is_chief,
        "mixed_precision": policy or "off",
        "jit_compile": t.jit_compile,
    }
