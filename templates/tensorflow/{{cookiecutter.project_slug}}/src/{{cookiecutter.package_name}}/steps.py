"""The compiled steps: a tf.GradientTape train step and an eval step, for any tf.distribute
strategy.

Per step, each replica computes its loss scaled by the *global* batch size
(`tf.nn.compute_average_loss`), so the gradients the optimizer sums across replicas are the
gradients of the global mean loss, whatever the number of replicas.
"""

from __future__ import annotations

import tensorflow as tf

SUM = tf.distribute.ReduceOp.SUM


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
