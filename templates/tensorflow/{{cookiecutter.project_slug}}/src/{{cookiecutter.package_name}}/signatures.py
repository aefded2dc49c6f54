"""What every classifying serving signature returns, whatever its inputs."""

from __future__ import annotations

import tensorflow as tf

SIGNATURE = "serving_default"


def class_outputs(logits: tf.Tensor, class_names: tf.Tensor) -> dict[str, tf.Tensor]:
    """Logits, probabilities, the most likely class id and its name."""
    class_id = tf.argmax(logits, axis=-1, output_type=tf.int32)
    return {
        "logits": logits,
        "probabilities": tf.nn.softmax(logits),
        "class_id": class_id,
        "class_name": tf.gather(class_names, class_id),
    }
