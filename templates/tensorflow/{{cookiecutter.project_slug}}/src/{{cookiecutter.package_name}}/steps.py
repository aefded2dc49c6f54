"""The compiled steps: a tf.GradientTape train step and an eval step, for any tf.distribute
strategy and any task: the task (`task.py`) says what the loss and the metrics are.

Per step, each replica computes its loss scaled by the *global* batch size
(`tf.nn.compute_average_loss`), so the gradients the optimizer sums across replicas are the
gradients of the global mean loss, whatever the number of replicas. Metrics travel as sums
(exact across batches and replicas) or, where a metric needs every prediction at once (an AUC),
as per-example rows gathered from all replicas.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

SUM = tf.distribute.ReduceOp.SUM


def make_train_step(strategy, model, optimizer, task, global_batch: int, jit_compile: bool):
    scale_loss = isinstance(optimizer, tf.keras.optimizers.LossScaleOptimizer)

    # Only the per-replica math is XLA-compiled: the cross-replica gradient sum inside
    # apply_gradients has to stay outside the compiled cluster.
    @tf.function(jit_compile=jit_compile)
    def forward_backward(features, labels):
        with tf.GradientTape() as tape:
            outputs = model(features, training=True)
            per_example = task.loss(outputs, labels)
            loss = tf.nn.compute_average_loss(per_example, global_batch_size=global_batch)
            objective = optimizer.scale_loss(loss) if scale_loss else loss
        grads = tape.gradient(objective, model.trainable_variables)
        return loss, task.sums(outputs, labels), grads

    def replica_step(features, labels):
        loss, sums, grads = forward_backward(features, labels)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss, sums

    @tf.function
    def train_step(batch):
        loss, sums = strategy.run(replica_step, args=batch)
        return strategy.reduce(SUM, loss, axis=None), strategy.reduce(SUM, sums, axis=None)

    return train_step


def make_eval_step(strategy, model, task):
    def replica_step(features, labels):
        outputs = model(features, training=False)
        loss = tf.reduce_sum(task.loss(outputs, labels))
        count = tf.cast(tf.shape(labels)[0], tf.float32)
        sums = tf.concat([tf.stack([loss, count]), task.sums(outputs, labels)], axis=0)
        return sums, task.rows(outputs, labels)

    # The last batch is short: relax the trace instead of retracing for each new shape.
    @tf.function(reduce_retracing=True)
    def eval_step(batch):
        sums, rows = strategy.run(replica_step, args=batch)
        gathered = tuple(strategy.gather(row, axis=0) for row in rows)
        return strategy.reduce(SUM, sums, axis=None), gathered

    return eval_step


def run_eval(strategy, eval_step, dataset, task) -> dict[str, float]:
    """The validation metrics over `dataset`: its mean loss, then the task's."""
    totals, rows = None, []
    for batch in strategy.experimental_distribute_dataset(dataset):
        sums, gathered = eval_step(batch)
        totals = sums if totals is None else totals + sums
        rows.append([row.numpy() for row in gathered])
    loss_sum, count, *metric_sums = totals.numpy().tolist()
    columns = tuple(np.concatenate(parts) for parts in zip(*rows, strict=True))
    return {
        "val_loss": loss_sum / max(count, 1.0),
        **task.val_values(metric_sums, columns, count),
    }
