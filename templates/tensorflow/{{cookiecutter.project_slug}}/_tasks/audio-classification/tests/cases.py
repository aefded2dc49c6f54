"""The audio task's values for the shared config and command-line tests."""

# (override, the key its one-line error names)
BAD_VALUES = [
    ("data.sample_rate=10", "data.sample_rate"),
    ("data.clip_seconds=0", "data.clip_seconds"),
    ("model.n_fft=4", "model.n_fft"),
    ("model.widths=[]", "model.widths"),
    ("model.n_mels=500", "model.n_mels"),
    ("trainer.best_metric=val_auc", "trainer.best_metric"),
]
MAXIMISED_METRIC = "val_macro_f1"
# (arguments, exit code, text the one line must hold)
CLI_MISTAKES = [
    (["train", "--set", "data.source=no/such/folder"], 2, "data.source"),
    (["train", "--set", "model.freq_mask=40"], 2, "model.freq_mask"),
]
