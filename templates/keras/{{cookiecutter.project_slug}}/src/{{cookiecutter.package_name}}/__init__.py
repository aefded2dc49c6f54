"""{{ cookiecutter.description }}."""

import os

# Keras picks its backend once, when it is first imported: set it before anything imports keras,
# while still letting `KERAS_BACKEND=...` in the environment choose another installed backend.
os.environ.setdefault("KERAS_BACKEND", "{{ cookiecutter.backend }}")

__version__ = "0.1.0"
