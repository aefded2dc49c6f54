"""{{ cookiecutter.description }}."""

import os

# Keras picks its backend once, when it is first imported: set it before anything imports keras,
# while still letting `KERAS_BACKEND=...` in the environment choose another installed backend.
os.environ.setdefault("KERAS_BACKEND", "{{ cookiecutter.backend }}")
{% if cookiecutter.backend != "torch" %}
{% if cookiecutter.backend == "jax" %}
# TensorFlow comes with the `export` extra; Keras imports it to save `.keras` files and to export.
{% endif %}
# TensorFlow reads these once, when it is first imported; a value you export yourself wins.
# Level 1 hides C++ INFO lines, warnings still show. The oneDNN notice ignores the log level and
# only goes away with the custom oneDNN kernels off, which also gives the same numbers on every
# CPU; export TF_ENABLE_ONEDNN_OPTS=1 for their extra CPU speed.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
{% endif %}

__version__ = "0.1.0"
