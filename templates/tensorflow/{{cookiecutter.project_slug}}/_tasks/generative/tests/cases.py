"""The generative task's values for the shared config and command-line tests."""

# (override, the key its one-line error names)
BAD_VALUES = [
    ("data.channels=4", "data.channels"),
    ("data.image_size=30", "data.image_size"),
    ("model.widths=[]", "model.widths"),
    ("model.latent_dim=0", "model.latent_dim"),
    ("model.beta=-1", "model.beta"),
    ("trainer.best_metric=val_accuracy", "trainer.best_metric"),
]
# (arguments, exit code, text the one line must hold)
CLI_MISTAKES = [
    (["train", "--set", "data.source=no/such/folder"], 2, "data.source"),
    (["train", "--set", "model.samples_per_epoch=1000"], 2, "model.samples_per_epoch"),
]
