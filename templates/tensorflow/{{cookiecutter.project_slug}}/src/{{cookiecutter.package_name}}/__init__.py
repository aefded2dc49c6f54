"""{{ cookiecutter.description }}."""

import os

# Keras 3 picks its backend at import time; this project's training loop is TensorFlow code.
os.environ["KERAS_BACKEND"] = "tensorflow"
# Hide TensorFlow's C++ INFO lines (oneDNN and CPU-feature notices); warnings still show.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")

__version__ = "0.1.0"
