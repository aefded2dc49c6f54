"""The language model's values for the shared config and command-line tests."""

# (override, the key its one-line error names)
BAD_VALUES = [
    ("data.vocab_size=100", "data.vocab_size"),
    ("data.context_length=1", "data.context_length"),
    ("data.num_documents=1", "data.num_documents"),
    ("model.heads=3", "model.heads"),
    ("model.layers=0", "model.layers"),
    ("trainer.best_metric=val_accuracy", "trainer.best_metric"),
]
# (arguments, exit code, text the one line must hold)
CLI_MISTAKES = [
    (["train", "--set", "data.source=no/such.txt"], 2, "data.source"),
    (["train", "--set", "model.heads=5"], 2, "model.heads"),
]
