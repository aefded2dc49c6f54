"""The tests are a package, so that they share the task's small settings (`sizes.py`)."""
