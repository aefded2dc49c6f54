"""The image task's values for the shared config and command-line tests."""

# (override, the key its one-line error names)
BAD_VALUES = [
    ("data.image_size=2", "data.image_size"),
    ("data.channels=2", "data.channels"),
    ("data.num_classes=1", "data.num_classes"),
    ("model.conv_filters=[8, 0]", "model.conv_filters"),
]
MAXIMISED_METRIC = "val_accuracy"
# (arguments, exit code, text the one line must hold)
CLI_MISTAKES = [
    (["train", "--set", "data.image_size=2"], 2, "data.image_size must be at least 4"),
    (["train", "--set", "data.source=no/such/folder"], 2, "no such file or folder"),
]
