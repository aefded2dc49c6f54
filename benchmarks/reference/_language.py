"""The language-model references' data and baseline: the template's own corpus and tokenizer code,
from _shared.

`templates/_shared/src/tasks/language/corpus.py` and `tokenizer.py` are framework-neutral (NumPy
and Hugging Face `tokenizers`), so the references load them as they are: the same seeded synthetic
stories, the same split of whole documents (10 % held out), the same byte-level BPE of at most
512 tokens learnt from the training documents, the same windows of 64 tokens and the same unigram
baseline. A reference trains the generated project's default Transformer (2 pre-norm blocks,
width 128, 4 heads, an MLP of 512, learned positions, the output tied to the embedding) with the
same next-token cross-entropy, and reports the held-out loss and perplexity. A sample is a window:
samples/s times 64 is tokens/s.
"""

from __future__ import annotations

from _common import shared_module

# The generated projects' `[data]` and `[model]` defaults.
NUM_DOCUMENTS = 2000
VAL_FRACTION = 0.1
VOCAB_SIZE = 512
CONTEXT = 64
BATCH_SIZE = 32
DIM, HEADS, LAYERS, FF_DIM = 128, 4, 2, 512
LR = 0.003


def load(num_documents: int, seed: int):
    """int64 training and held-out windows [N, CONTEXT + 1], the vocabulary size, and the unigram
    baseline's held-out perplexity."""
    corpus = shared_module("language", "corpus")
    tokenizer_module = shared_module("language", "tokenizer")
    docs = corpus.load_documents("synthetic", num_documents, VAL_FRACTION, seed)
    tokenizer = tokenizer_module.BPETokenizer.train(docs.train, VOCAB_SIZE)
    train, val = tokenizer.stream(docs.train), tokenizer.stream(docs.val)
    baseline = corpus.unigram_perplexity(train, val, tokenizer.vocab_size)
    return (
        corpus.windows(train, CONTEXT, "training"),
        corpus.windows(val, CONTEXT, "held-out"),
        tokenizer.vocab_size,
        baseline,
    )
