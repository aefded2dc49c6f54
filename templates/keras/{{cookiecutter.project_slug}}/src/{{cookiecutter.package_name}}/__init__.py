"""{{ cookiecutter.description }}."""

import os

# Keras picks its backend once, when it is first imported: set it before anything imports keras,
# while still letting `KERAS_BACKEND=...` in the environment choose another installed backend.
os.environ.setdefault("KERAS_BACKEND", "{{ cookiecutter.backend }}")
{% if cookiecutter.backend != "torch" %}
{% if cookiecutter.backend == "jax" %}
# TensorFlow comes with the `export` extra; Keras imports it to save `.keras` files and to export.
{% endif %}
# TensorFlow reads this once, when it is first imported; a value you export yourself wins. Level 1
# hides C++ INFO lines, warnings still show.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")

from . import tensorflow_notices

# The oneDNN kernels stay on (most of TensorFlow's CPU speed); their start-up notice does not.
tensorflow_notices.install()
{% endif %}

__version__ = "0.1.0"
