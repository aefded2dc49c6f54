# What an epoch can record, and the direction each improves in; here rather than in
# `interactions`, so that loading a config (even for `--help`) imports no NumPy.
METRIC_MODES = {
    "train_loss": "min",
    "val_loss": "min",
    "val_recall": "max",
    "val_ndcg": "max",
}


@dataclass
class DataConfig:
    # "synthetic" (seeded interactions of users and items in hidden taste groups), or a CSV file
    # with user_id and item_id columns (any text) and optionally timestamp (a number or an ISO 8601
    # date): each user's latest `val_fraction` of items is held out
    source: Annotated[str, NonEmpty()] = "synthetic"
    num_users: Annotated[int, Range(ge=2)] = 1000  # synthetic data only
    num_items: Annotated[int, Range(ge=2)] = 500  # synthetic data only
    val_fraction: Annotated[float, Range(gt=0, lt=1)] = 0.2
    # (user, item) pairs per step: the batch's other items are each pair's negatives, so at
    # least two; {{ batch_note }}
    batch_size: Annotated[int, Range(ge=2)] = 128


@dataclass
class ModelConfig:
    # Two towers of id embeddings, compared by cosine similarity over `temperature`.
    embedding_dim: Annotated[int, Range(ge=1)] = 32
    temperature: Annotated[float, Range(gt=0, le=10)] = 0.2
    # How many items a recommendation lists: recall@k and NDCG@k, and `predict`'s lists.
    top_k: Annotated[int, Range(ge=1)] = 10


def check_sections(data: DataConfig, model: ModelConfig) -> None:
    """Nothing spans both sections: the catalogue's size is only known once the data is read."""
