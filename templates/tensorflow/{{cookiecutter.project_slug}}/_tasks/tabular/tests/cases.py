"""The tabular task's values for the shared config and command-line tests."""

# (override, the key its one-line error names)
BAD_VALUES = [
    ("data.objective=ranking", "data.objective"),
    ("data.target=''", "data.target"),
    ("model.hidden=[8, 0]", "model.hidden"),
    ("model.embedding_dim=0", "model.embedding_dim"),
    ("trainer.best_metric=val_f1", "trainer.best_metric"),
]
MAXIMISED_METRIC = "val_auc"
# (arguments, exit code, text the one line must hold)
CLI_MISTAKES = [
    (["train", "--set", "data.source=no/such.csv"], 2, "does not exist"),
    (["train", "--set", "data.objective=regression"], 2, "needs a numeric target"),
    (["train", "--set", "trainer.best_metric=val_rmse"], 2, "not recorded for this data"),
]
