"""{{ cookiecutter.description }}."""

import os

# Keras 3 picks its backend at import time; this project's training loop is TensorFlow code.
os.environ["KERAS_BACKEND"] = "tensorflow"
# TensorFlow reads this once, when it is first imported, so it is set here, before that; a value
# you export yourself wins. Level 1 hides C++ INFO lines (CPU-feature notices), warnings still show.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")

from . import tensorflow_notices

# The oneDNN kernels stay on (most of TensorFlow's CPU speed); their start-up notice does not.
tensorflow_notices.install()

__version__ = "0.1.0"
