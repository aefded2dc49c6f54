{% include "src/tensorflow_notices.py" %}
