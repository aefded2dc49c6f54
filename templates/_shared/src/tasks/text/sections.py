# What an epoch can record, and the direction each improves in: `corpus.METRIC_MODES`, repeated
# here so that loading a config (even for `--help`) imports neither NumPy nor the tokenizer.
METRIC_MODES = {
    "train_loss": "min",
    "val_loss": "min",
    "val_accuracy": "max",
    "val_macro_f1": "max",
}


@dataclass
class DataConfig:
    # "synthetic" (seeded reviews made in memory), a .csv, .tsv or .jsonl file, or a folder with
    # one sub-folder of .txt files per class
    source: Annotated[str, NonEmpty()] = "synthetic"
    text_column: Annotated[str, NonEmpty()] = "text"
    label_column: Annotated[str, NonEmpty()] = "label"
    num_samples: Annotated[int, Range(ge=2)] = 2000  # synthetic data only
    val_fraction: Annotated[float, Range(gt=0, lt=1)] = 0.2
    # {{ batch_note }}
    batch_size: Annotated[int, Range(ge=1)] = 32
    max_length: Annotated[int, Range(ge=1)] = 64  # tokens per text; longer texts are cut
    vocab_size: Annotated[int, Range(ge=10)] = 2000  # WordPiece pieces, specials included


@dataclass
class ModelConfig:
{% if pretrained_from is defined %}
    # Empty: an encoder from scratch. Else a pretrained encoder to fine-tune, a local directory
    # or a hub id, with its own tokenizer (data.vocab_size and the sizes below go unused).
    # {{ pretrained_from }}
    pretrained: str = ""
{% endif %}
    dim: Annotated[int, Range(ge=1)] = 64
    heads: Annotated[int, Range(ge=1)] = 4
    layers: Annotated[int, Range(ge=1)] = 2
    ff_dim: Annotated[int, Range(ge=1)] = 128
    dropout: Annotated[float, Range(ge=0, lt=1)] = 0.1


def check_heads(model: ModelConfig) -> None:
    """Each attention head takes an equal slice of the embedding."""
    if model.dim % model.heads:
        raise ConfigError(f"model.heads = {model.heads} must divide model.dim = {model.dim}")
