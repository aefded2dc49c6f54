"""{{ cookiecutter.description }}."""

import os

# Keras 3 picks its backend at import time; this project's training loop is TensorFlow code.
os.environ["KERAS_BACKEND"] = "tensorflow"
# TensorFlow reads these once, when it is first imported, so they are set here, before that; a
# value you export yourself wins. Level 1 hides C++ INFO lines (CPU-feature notices), warnings
# still show. The oneDNN notice ignores the log level and only goes away with the custom oneDNN
# kernels off, which also gives the same numbers on every CPU; export TF_ENABLE_ONEDNN_OPTS=1 for
# their extra CPU speed.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

__version__ = "0.1.0"
