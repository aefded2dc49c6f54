# What an epoch can record, and the direction each improves in; here rather than in `corpus`, so
# that loading a config (even for `--help`) imports neither NumPy nor the tokenizer. The loss is the
# mean cross-entropy per held-out token; the perplexity is its exponential.
METRIC_MODES = {
    "train_loss": "min",
    "val_loss": "min",
    "val_perplexity": "min",
}


@dataclass
class DataConfig:
    # "synthetic" (seeded short stories of a small made-up world, made in memory), a UTF-8 text
    # file, or a folder of them (.txt and .md, sub-folders too); a file's paragraphs (separated by
    # blank lines) are its documents
    source: Annotated[str, NonEmpty()] = "synthetic"
    num_documents: Annotated[int, Range(ge=2)] = 2000  # synthetic data only
    val_fraction: Annotated[float, Range(gt=0, lt=1)] = 0.1  # of the documents, held out
    # Byte-level BPE trained on the training documents: 256 bytes, the end-of-text token, merges
    vocab_size: Annotated[int, Range(ge=257, le=65536)] = 512
    # Tokens per training window, and the longest context the model reads
    context_length: Annotated[int, Range(ge=2, le=4096)] = 64
    # {{ batch_note }}
    batch_size: Annotated[int, Range(ge=1)] = 32


@dataclass
class ModelConfig:
    # A decoder-only Transformer: pre-norm blocks of causal self-attention and an MLP, learned
    # positions, the output layer tied to the token embedding.
{% if pretrained_from is defined %}
    # Empty: that model from scratch. Else a pretrained causal LM to fine-tune, with its own
    # tokenizer (data.vocab_size and the sizes below go unused):
    # {{ pretrained_where }}.
    # {{ pretrained_from }}
    pretrained: str = ""
    # The fine-tuning: LoRA adapters of this rank, the pretrained weights frozen (alpha / rank
    # scales what the adapters add); 0 trains every weight. The adapters sit on
    # {{ lora_targets }}.
    lora_rank: Annotated[int, Range(ge=0)] = 8
    lora_alpha: Annotated[float, Range(gt=0)] = 16.0
{% endif %}
    dim: Annotated[int, Range(ge=1)] = 128
    heads: Annotated[int, Range(ge=1)] = 4
    layers: Annotated[int, Range(ge=1)] = 2
    ff_dim: Annotated[int, Range(ge=1)] = 512
    dropout: Annotated[float, Range(ge=0, lt=1)] = 0.0


def check_sections(data: DataConfig, model: ModelConfig) -> None:
    """Each attention head takes an equal slice of the embedding."""
    if model.dim % model.heads:
        raise ConfigError(f"model.heads = {model.heads} must divide model.dim = {model.dim}")
