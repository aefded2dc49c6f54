"""The recommendation task's values for the shared config and command-line tests."""

# (override, the key its one-line error names)
BAD_VALUES = [
    ("data.num_users=1", "data.num_users"),
    ("data.num_items=1", "data.num_items"),
    ("data.batch_size=1", "data.batch_size"),
    ("model.embedding_dim=0", "model.embedding_dim"),
    ("model.temperature=0", "model.temperature"),
    ("model.top_k=0", "model.top_k"),
    ("trainer.best_metric=val_auc", "trainer.best_metric"),
    ("trainer.best_metric=val_loss", "trainer.best_mode"),
]
MAXIMISED_METRIC = "val_recall"
# (arguments, exit code, text the one line must hold)
CLI_MISTAKES = [
    (["train", "--set", "data.source=no/such/log.csv"], 2, "data.source"),
    (["train", "--set", "model.top_k=0"], 2, "model.top_k"),
]
