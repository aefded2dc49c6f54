{% include "tests/tensorflow/test_tensorflow_notices.py" %}
