"""Reference: the Keras template's language model in one `fit` epoch, on any of the three backends.

Same text, tokenizer and windows (the template's shared `corpus.py` and `tokenizer.py`, see
`_language.py`), same model (token embeddings plus learned positions, 2 pre-norm blocks of
`MultiHeadAttention` with 4 heads under its causal mask and a GELU MLP of 512, a final
LayerNormalization, scores against the token embedding itself), the same loss (next-token
sparse cross-entropy from logits over every position), Adam at the template's rate, batch 32, one
epoch then the validation pass. Speed settings as `_keras.py` explains.
"""

from __future__ import annotations

import math
import sys

import _keras  # noqa: F401  (first: it picks the backend before `import keras`)
import _language as lang
import keras
from _common import emit
from _keras import Clock, start
from keras import layers, ops


class LanguageModel(keras.Model):
    def __init__(self, vocab: int) -> None:
        super().__init__()
        normal = keras.initializers.RandomNormal(stddev=0.02)
        self.tokens = layers.Embedding(vocab, lang.DIM, embeddings_initializer=normal)
        self.positions = layers.Embedding(lang.CONTEXT, lang.DIM, embeddings_initializer=normal)
        self.blocks = [
            (layers.LayerNormalization(epsilon=1e-5),
             layers.MultiHeadAttention(lang.HEADS, lang.DIM // lang.HEADS),
             layers.LayerNormalization(epsilon=1e-5),
             layers.Dense(lang.FF_DIM, activation="gelu"), layers.Dense(lang.DIM))
            for _ in range(lang.LAYERS)
        ]  # fmt: skip
        self.norm = layers.LayerNormalization(epsilon=1e-5)

    def call(self, ids):
        x = self.tokens(ids) + self.positions(ops.arange(ops.shape(ids)[1]))[None]
        for norm1, attention, norm2, up, down in self.blocks:
            h = norm1(x)
            x = x + attention(h, h, use_causal_mask=True)
            x = x + down(up(norm2(x)))
        table = ops.cast(self.tokens.embeddings, "float32")
        return ops.matmul(ops.cast(self.norm(x), "float32"), ops.transpose(table))


def main() -> None:
    args, backend, gpu, jit = start(batch_size=lang.BATCH_SIZE)
    train, val, vocab, baseline = lang.load(args.num_samples, args.seed)
    model = LanguageModel(vocab)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=loss, jit_compile=jit)
    clock = Clock(args.batch_size)
    steps = len(train) // args.batch_size
    train = train[: steps * args.batch_size]  # whole batches only, as the project's
    model.fit(train[:, :-1], train[:, 1:], batch_size=args.batch_size, epochs=1, shuffle=True,
              verbose=0, callbacks=[clock])  # fmt: skip
    val_loss = float(model.evaluate(val[:, :-1], val[:, 1:], batch_size=args.batch_size, verbose=0))
    emit(clock.clock.report(
        val_loss=round(val_loss, 4), val_perplexity=round(math.exp(val_loss), 3),
        baseline_perplexity=round(baseline, 3), backend=backend, jit_compile=jit,
        device="gpu" if gpu else "cpu",
    ))  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
