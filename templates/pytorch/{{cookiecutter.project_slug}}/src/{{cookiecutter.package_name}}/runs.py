{% include "src/runs.py" %}
