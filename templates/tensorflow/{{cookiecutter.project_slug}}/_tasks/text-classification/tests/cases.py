"""The text task's values for the shared config and command-line tests."""

# (override, the key its one-line error names)
BAD_VALUES = [
    ("data.text_column=''", "data.text_column"),
    ("data.max_length=0", "data.max_length"),
    ("data.vocab_size=5", "data.vocab_size"),
    ("model.heads=3", "model.heads"),
    ("model.layers=0", "model.layers"),
    ("trainer.best_metric=val_auc", "trainer.best_metric"),
]
MAXIMISED_METRIC = "val_macro_f1"
# (arguments, exit code, text the one line must hold)
CLI_MISTAKES = [
    (["train", "--set", "data.source=no/such.csv"], 2, "data.source"),
    (["train", "--set", "model.heads=5"], 2, "model.heads"),
]
