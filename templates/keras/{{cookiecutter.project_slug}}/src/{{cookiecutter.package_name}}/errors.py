{% include "src/errors.py" %}
